"""Where one `Assistant.ask` spends its time and memory on a built query-bench index.

`python -m evals.bench.profile_ask --data /work/bench-1m/query-100000 [--chroma-url URL] --asks 10`

For when the bench's figures miss a target: cProfile over a few distinct asks (query embeddings
computed before, so only the index and answerer work is profiled), the functions with the most own
and cumulative time, and the process's RSS after loading, after the first ask and after the rest
(VmRSS/VmHWM: C allocations of Chroma, SQLite and the embedder included). With --tracemalloc, the
Python allocations that the asks left alive, by line.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

import ingest  # noqa: F401  (offline switches before anything else loads)
from evals.bench.ingest_bench import bench_settings, log
from evals.bench.machine import peak_rss_mb, rss_mb
from evals.bench.synthetic import DEFAULT_SEED, questions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a query bench index (work/query-<chunks>)")
    parser.add_argument("--chroma-url", default=None, help="ask a `chroma run` serving a copy of data/chroma instead")
    parser.add_argument("--asks", type=int, default=10)
    parser.add_argument("--warm", type=int, default=3, help="asks before profiling (lazy loads: sentence splitter, language detector)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)

    from assistant.retrieval import Retriever
    from assistant.service import Assistant
    from ingest.settings import StoreSettings

    settings = bench_settings(args.data, StoreSettings(chroma_url=args.chroma_url) if args.chroma_url else None)
    start = time.perf_counter()
    retriever = Retriever(settings)
    assistant = Assistant(settings, retriever=retriever)
    log(f"Retriever loaded in {time.perf_counter() - start:.1f} s; RSS {rss_mb()} MiB")
    asked = questions(args.asks + args.warm, args.seed + 1)  # other questions than the bench times
    for question in asked:
        retriever.embed_query(question)  # cached: the profile is the index and answerer work
    start = time.perf_counter()
    for question in asked[: args.warm]:
        assistant.ask(question)
    log(f"{args.warm} warm-up asks {time.perf_counter() - start:.2f} s; RSS {rss_mb()} MiB, peak {peak_rss_mb()} MiB")
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(10)
        before = tracemalloc.take_snapshot()
    profile = cProfile.Profile()
    times = []
    for question in asked[args.warm :]:
        start = time.perf_counter()
        profile.enable()
        assistant.ask(question)
        profile.disable()
        times.append((time.perf_counter() - start) * 1000)
    log(f"{len(times)} asks without query embedding: " + ", ".join(f"{t:.0f}" for t in times) + " ms; "
        f"RSS {rss_mb()} MiB, peak {peak_rss_mb()} MiB")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(f"--- by {order}\n" + out.getvalue().split("\n", 6)[-1])
    if args.tracemalloc:
        after = tracemalloc.take_snapshot()
        print("--- Python allocations left alive by the asks (tracemalloc, by line)")
        for stat in after.compare_to(before, "lineno")[: args.top]:
            print(stat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
