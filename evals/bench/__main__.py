"""`make bench` = `python -m evals.bench`: ingest and query benchmarks, results in evals/results/.

Runs, within a wall-time budget (30 minutes by default):
1. ingest of synthetic archives of N = 5, 20, 50 bundles, one process each (ingest_bench);
2. query latency at 10k and 100k chunks, embedded Chroma and Chroma server (query_bench), built
   from the N=50 ingest; the timed loops shrink to the time that is left, and a size whose
   estimated build no longer fits is skipped (the smallest always runs) and reported as such;
3. 1M chunks (the full stack: register, BM25, chunk and sentence collections, the real search
   and ask) only when asked (--with-1m) or when the build time extrapolated from 10k/100k fits
   the remaining budget; otherwise the report says it was not measured, and why. The builds are
   resumable: with `--work DIR --keep-work` the indexes stay in DIR, a later run reuses complete
   ones and continues unfinished ones (a 1M build takes hours on a shared 2-core machine);
4. bench.json, bench.md and PNG plots in --out, with machine info.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.bench.ingest_bench import log
from evals.bench.machine import load_average, machine_info
from evals.bench.report import ratios, write_markdown
from evals.bench.synthetic import DEFAULT_CASES, DEFAULT_SEED

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "evals" / "results"
RESERVE_S = 60  # for the report and plots, and for the server to stop
QUERY_LIMIT_S = {10_000: 150.0, 100_000: 200.0}  # timed loops per size (both modes), at most
MIN_QUERY_LIMIT_S = 60.0
ONE_MILLION = 1_000_000


def _command(arguments: list[str]) -> str:
    command = " ".join([".venv/bin/python -m evals.bench", *arguments])
    return "make bench" if not arguments else command


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def _query_size(size: int, pool: Path, work: Path, queries: int, limit: float, vector_only: bool, seed: int,
                keep: bool = False, server_only: bool = False) -> dict[str, Any]:
    """Build (one process), then time (another); one record for the size. With `keep` the
    index stays in work/query-<size> for a later run to reuse (or, if unfinished, resume)."""
    common = ["--chunks", str(size), "--work", str(work), "--seed", str(seed)] + (["--vector-only"] if vector_only else [])
    build = _worker("evals.bench.query_bench", ["--phase", "build", "--pool", str(pool), *common], work / f"query-{size}-build.json")
    if "error" in build:
        return {"chunks": size, "vector_only": vector_only, "error": f"build: {build['error']}"}
    measure = _worker("evals.bench.query_bench", ["--phase", "measure", "--queries", str(queries), "--time-limit", str(round(limit)), *common]
                      + (["--server-only"] if server_only else []),
                      work / f"query-{size}-measure.json")
    if not keep:
        shutil.rmtree(work / f"query-{size}", ignore_errors=True)  # up to 20 GB at 1M
    if "error" in measure:
        return {"chunks": size, "vector_only": vector_only, "build": build, "error": f"measure: {measure['error']}"}
    return {**measure, "build": build}


def _worker(module: str, arguments: list[str], out: Path) -> dict[str, Any]:
    """Run a bench worker in its own process (its own memory peak); its progress streams through."""
    command = [sys.executable, "-m", module, *arguments, "--out", str(out)]
    completed = subprocess.run(command, cwd=REPO)
    if completed.returncode != 0 or not out.exists():
        return {"error": f"{module} exited with {completed.returncode}"}
    return json.loads(out.read_text(encoding="utf-8"))


def _power_fit(points: list[tuple[int, float]], target: int) -> float | None:
    """t = a * n^b through the two largest measured sizes, evaluated at target."""
    points = sorted(p for p in points if p[1] and p[1] > 0)[-2:]
    if len(points) < 2 or points[0][0] == points[1][0]:
        return None
    (n1, t1), (n2, t2) = points
    b = math.log(t2 / t1) / math.log(n2 / n1)
    return t2 * (target / n2) ** b


def _estimate_build_s(size: int, measured: list[dict[str, Any]]) -> float | None:
    """Build plus cold start of a full-stack size, scaled from the largest smaller one.

    HNSW inserts slow down as the graph grows (per-chunk insert time was ~2.5x at 100k what it
    was at 10k here), so the build is scaled by twice the size ratio; loading by 1.3 times it.
    """
    smaller = [r for r in measured if r["chunks"] < size and not r.get("vector_only") and "error" not in r]
    if not smaller:
        return None
    base = max(smaller, key=lambda r: r["chunks"])
    factor = size / base["chunks"]
    cold = base["cold"]["retriever_load_s"] + base["cold"]["first_ask_s"] + base["cold"]["server_copy_s"]
    return base["build"]["total_s"] * factor * 2 + cold * factor * 1.3 + 30


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench", description="Rådsarkiv speed and scale benchmarks.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--work", type=Path, default=None, help="scratch dir (default: a new temp dir, removed at the end)")
    parser.add_argument("--keep-work", action="store_true",
                        help="keep the work dir and the query indexes in it; a later run with the same --work reuses complete "
                             "ones and resumes unfinished ones (e.g. a 1M build stopped part-way)")
    parser.add_argument("--ingest-sizes", type=_ints, default=[5, 20, 50])
    parser.add_argument("--query-sizes", type=_ints, default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=30, help="distinct questions per timed loop (search and ask)")
    parser.add_argument("--with-1m", action="store_true", help="build and time 1M chunks (full stack) whatever the budget")
    parser.add_argument("--no-1m", action="store_true", help="never try 1M chunks")
    parser.add_argument("--embedded-1m", action="store_true", help="at 1M, time the embedded Chroma too (loads its HNSW indexes into the query process)")
    parser.add_argument("--budget-min", type=float, default=30.0)
    parser.add_argument("--pool", type=Path, default=None, help="data dir of an earlier synthetic ingest: skip the ingest phase and build the query sizes from it")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--report-only", action="store_true", help="re-render bench.md and the plots from --out/bench.json")
    args = parser.parse_args(argv)
    if args.report_only:
        report = json.loads((args.out / "bench.json").read_text(encoding="utf-8"))
        report["ratios"] = ratios(report)
        _write(report, args.out)
        return 0

    started = time.perf_counter()
    budget_s = args.budget_min * 60
    work = args.work or Path(tempfile.mkdtemp(prefix="radsarkiv-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)

    def elapsed() -> float:
        return time.perf_counter() - started

    report: dict[str, Any] = {
        "command": _command(argv if argv is not None else sys.argv[1:]),
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "load_average_start": load_average(),
        "budget_s": budget_s,
        "synthetic": {"seed": args.seed, "cases_per_bundle": DEFAULT_CASES, "generator": "evals/bench/synthetic.py"},
        "ingest": [],
        "query": [],
        "not_measured": [],
    }
    log(f"machine: {report['machine']['cpu_count']} × {report['machine']['cpu_model']}, {report['machine']['memory_gb']} GB; "
        f"load average {report['load_average_start']}; work dir {work}")

    try:
        for n in sorted(args.ingest_sizes) if args.pool is None else []:
            log(f"--- ingest N={n} ({elapsed():.0f} s elapsed)")
            arguments = ["--n", str(n), "--work", str(work), "--seed", str(args.seed)]
            report["ingest"].append(_worker("evals.bench.ingest_bench", arguments, work / f"ingest-{n}.json"))

        if args.pool is None:
            pool_n = max(args.ingest_sizes)
            pool = work / f"data-{pool_n}"
            report["query_pool"] = f"register of the N={pool_n} ingest"
        else:
            pool = args.pool.resolve()
            report["query_pool"] = f"register of an earlier synthetic ingest ({pool}); no ingest in this run"
        measured: list[dict[str, Any]] = []
        for size in sorted(s for s in args.query_sizes if s < ONE_MILLION):
            remaining = budget_s - elapsed() - RESERVE_S
            build = _estimate_build_s(size, measured) or 0.0
            limit = min(QUERY_LIMIT_S.get(size, 200.0), remaining - build)
            if not measured:
                limit = max(limit, MIN_QUERY_LIMIT_S)  # the smallest size always runs, however late
            if limit < MIN_QUERY_LIMIT_S:
                reason = (f"{remaining:.0f} s of the {budget_s / 60:.0f}-minute budget were left, and building and loading "
                          f"{size} chunks was estimated at {build:.0f} s plus at least {MIN_QUERY_LIMIT_S:.0f} s of queries")
                report["not_measured"].append({"what": f"query latency at {size} chunks", "why": reason})
                log(f"--- skipping {size} chunks: {reason}")
                continue
            log(f"--- query bench at {size} chunks ({elapsed():.0f} s elapsed, timed loops up to {limit:.0f} s)")
            result = _query_size(size, pool, work, args.queries, limit, False, args.seed, args.keep_work)
            measured.append(result)
            report["query"].append(result)

        _one_million(args, report, measured, pool, work, budget_s - elapsed() - RESERVE_S)
    finally:
        report["wall_s"] = round(elapsed(), 1)
        report["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        report["load_average_end"] = load_average()
        report["ratios"] = ratios(report)
        _write(report, args.out)
        if not args.keep_work and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    log(f"bench finished in {report['wall_s']:.0f} s ({report['wall_s'] / 60:.1f} min); results in {args.out}")
    return 0 if not any("error" in r for r in report["ingest"] + report["query"]) else 1


def _partial_build(work: Path, size: int) -> str | None:
    """How far an unfinished (resumable) build of `size` chunks in work got, for the report."""
    from evals.bench.scaled_index import MANIFEST

    path = work / f"query-{size}" / MANIFEST
    if not path.exists():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("complete"):
        return None
    rates = [rate for run in manifest.get("runs", []) for rate in run.get("rates", [])]
    last = f", {rates[-1]['chunks_per_s']:,.0f} chunks/s (sentences included) in its last run at {rates[-1]['chunks']:,} chunks" if rates else ""
    return (f"the resumable build in {path.parent} holds {manifest['chunks_done']:,} of {size:,} chunks after "
            f"{manifest.get('wall_s', 0) / 60:.0f} min of building{last}; it continues with "
            f"`python -m evals.bench.query_bench --phase build --chunks {size} --pool POOL --work {work} --out FILE`, "
            f"or within `python -m evals.bench --with-1m --pool POOL --work {work} --keep-work`")


def _one_million(args, report: dict[str, Any], measured: list[dict[str, Any]], pool: Path, work: Path, remaining: float) -> None:
    if args.no_1m:
        partial = _partial_build(work, ONE_MILLION)
        report["not_measured"].append({"what": "query latency at 1,000,000 chunks",
                                       "why": "skipped with --no-1m" + (f"; {partial}" if partial else "")})
        return
    points = [(r["chunks"], r["build"]["chroma_insert_s"]) for r in measured if "build" in r]
    projected = _power_fit(points, ONE_MILLION)
    report["query_extrapolation"] = {
        "chunks": ONE_MILLION,
        "chroma_insert_s": round(projected, 0) if projected else None,
        "method": "t = a·n^b through the Chroma insert times of the two largest measured sizes",
    }
    queries_s = 120.0 + 30.0  # both modes' timed loops plus server start
    if projected is None and not args.with_1m:
        report["not_measured"].append({"what": "query latency at 1,000,000 chunks", "why": "no two measured sizes to extrapolate the build time from"})
        return
    needed = (projected or 0) * 1.15 + queries_s  # plus generating the copied rows
    if not args.with_1m and needed > remaining:
        why = (f"building the Chroma index alone was extrapolated at {projected / 60:.0f} min on this machine "
               f"(insert times {', '.join(f'{n:,} chunks: {t:.0f} s' for n, t in points)}), "
               f"and {max(remaining, 0) / 60:.0f} min of the {args.budget_min:.0f}-minute budget were left; "
               "run `python -m evals.bench --with-1m` to measure it (the full stack) outside the budget")
        report["not_measured"].append({"what": "query latency at 1,000,000 chunks (search, ask and Chroma query)", "why": why})
        log(f"--- 1M chunks not measured: {why}")
        return
    log(f"--- 1M chunks, full stack (register, BM25, chunk and sentence collections; extrapolated chunk insert {projected or 0:.0f} s)")
    # The Chroma server only, unless asked: the embedded Chroma would load both HNSW indexes (about
    # 5 GB of files at 1M) into the query process beside the server's copy of them.
    result = _query_size(ONE_MILLION, pool, work, args.queries, QUERY_LIMIT_S[100_000], False, args.seed, args.keep_work,
                         server_only=not args.embedded_1m)
    report["query"].append(result)
    if "error" in result:
        report["not_measured"].append({"what": "search and ask at 1,000,000 chunks", "why": result["error"]})


def _write(report: dict[str, Any], out: Path) -> None:
    from evals.bench.plots import write_plots

    (out / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "machine.json").write_text(json.dumps({**report["machine"], "load_average_start": report["load_average_start"],
                                                  "load_average_end": report.get("load_average_end")}, indent=2), encoding="utf-8")
    try:
        plots = write_plots(report, out)
    except Exception as error:  # noqa: BLE001 (a plot must not lose the measurements)
        log(f"plots failed: {error!r}")
        plots = []
    write_markdown(report, [p.name for p in plots], out / "bench.md")


if __name__ == "__main__":
    sys.exit(main())
