"""Cold start of the server: how long until /readyz says 200, and how fast the first questions are.

`python -m evals.bench.startup --data DIR [--runs 3] [--out evals/results/startup.json]`

Starts `radsarkiv serve` on a free loopback port over a copy of DIR (an ingested index), polls
/readyz every 0.1 s from the moment the process is started, then asks /api/ask ten distinct
questions one after another and records each one's wall time. Targets (issue 13): /readyz 200
within 10 s of start, the first /api/ask after it within 1.5 s, and the first no slower than the
later ones. Not a test: timings on a shared machine move with its load, recorded beside it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.bench.machine import load_average, machine_info, stop_process
from evals.bench.query_bench import _free_port

REPO = Path(__file__).resolve().parents[2]
# Everyday questions about the seed archive's themes (not gold items): each is asked once.
QUESTIONS = [
    "Hva har rådet vedtatt om tilgang til helsedata?",
    "Hvem er rådsleder?",
    "Hva skjedde på det siste møtet?",
    "Hva sier rådet om kunstig intelligens i helsetjenesten?",
    "Hvilke saker handlet om forskning og innovasjon?",
    "Hva er rådets handlingsplan?",
    "Når er neste møte?",
    "Hva mener rådet om klinisk forskning?",
    "Hvem deltok i arbeidsgruppen?",
    "What has the council said about health data?",
]


def one_start(data: Path, log_path: Path) -> dict[str, Any]:
    import httpx

    work = Path(tempfile.mkdtemp(prefix="radsarkiv-startup-"))
    copy = work / "data"
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns("ingest.lock"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RADSARKIV_DATA_DIR": str(copy), "RADSARKIV_API_KEYS": "", "PYTHONPATH": str(REPO)}
    binary = Path(sys.executable).with_name("radsarkiv")
    result: dict[str, Any] = {"load_average_before": load_average()}
    with open(log_path, "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen([str(binary), "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=REPO, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            healthz = readyz = None
            with httpx.Client(timeout=180) as client:
                while time.perf_counter() - started < 180 and process.poll() is None:
                    try:
                        if healthz is None and client.get(f"{url}/healthz").status_code == 200:
                            healthz = time.perf_counter() - started
                        if client.get(f"{url}/readyz").status_code == 200:
                            readyz = time.perf_counter() - started
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.1)
                result.update(healthz_s=round(healthz, 2) if healthz else None, readyz_s=round(readyz, 2) if readyz else None)
                asks = []
                for question in QUESTIONS if readyz else []:
                    begin = time.perf_counter()
                    try:
                        status = client.post(f"{url}/api/ask", json={"question": question}).status_code
                    except httpx.HTTPError as error:
                        status = repr(error)
                    asks.append({"question": question, "status": status, "s": round(time.perf_counter() - begin, 3)})
                result["asks"] = asks
        finally:
            stop_process(process)
            shutil.rmtree(work, ignore_errors=True)
    result["load_average_after"] = load_average()
    if result.get("asks"):
        later = sorted(a["s"] for a in result["asks"][1:])
        result["first_ask_s"] = result["asks"][0]["s"]
        result["later_asks_median_s"] = later[len(later) // 2] if later else None
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="an ingested index (copied; the copy is served)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "results" / "startup.json")
    args = parser.parse_args(argv)
    runs = []
    for run in range(args.runs):
        outcome = one_start(args.data, Path(tempfile.gettempdir()) / f"radsarkiv-startup-{run}.log")
        print(f"[startup] run {run + 1}: readyz {outcome.get('readyz_s')} s, first ask {outcome.get('first_ask_s')} s, "
              f"later asks median {outcome.get('later_asks_median_s')} s", flush=True)
        runs.append(outcome)
    ready = [r["readyz_s"] for r in runs if r.get("readyz_s")]
    first = [r["first_ask_s"] for r in runs if r.get("first_ask_s")]
    report = {
        "command": "python -m evals.bench.startup " + " ".join(argv if argv is not None else sys.argv[1:]),
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "targets": {"readyz_s": 10.0, "first_ask_s": 1.5},
        "runs": runs,
        "worst": {"readyz_s": max(ready) if ready else None, "first_ask_s": max(first) if first else None},
        "met": bool(ready and first and max(ready) <= 10.0 and max(first) <= 1.5 and len(ready) == len(runs)),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"[startup] worst readyz {report['worst']['readyz_s']} s, worst first ask {report['worst']['first_ask_s']} s; "
          f"targets met: {report['met']}; written to {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
