"""The web UI over a long conversation: each turn's time in a real browser, turn 1 to 15.

`python -m evals.bench.ui_turns --data DIR [--turns 15] [--out evals/results/ui-turns.json]`

Starts `radsarkiv serve` over a copy of DIR (an ingested index), opens the UI in Debian's Chromium
through Playwright and, in one conversation, sends the same drafting request `--turns` times (as
the issue measured it). A turn's time runs from the click on "Send" until the finished answer is in
the conversation and the streamed turn is gone; the conversation's HTML size is recorded beside
it. Target (issue 13): turn 15 takes at most 1.5 × turn 2. Not a test: a benchmark on a shared
machine, with its load average recorded.
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
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
REQUEST = "Lag et utkast til et kort høringsinnspill om tilgang til helsedata for forskning."


def _wait_ready(url: str, process: subprocess.Popen, limit_s: float = 300) -> float:
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < limit_s and process.poll() is None:
        try:
            if httpx.get(f"{url}/readyz", timeout=60).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def run(data: Path, turns: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="radsarkiv-ui-turns-"))
    shutil.copytree(data, work / "data", ignore=shutil.ignore_patterns("ingest.lock"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RADSARKIV_DATA_DIR": str(work / "data"), "RADSARKIV_API_KEYS": "", "PYTHONPATH": str(REPO)}
    binary = Path(sys.executable).with_name("radsarkiv")
    log = open(work / "server.log", "w")
    process = subprocess.Popen([str(binary), "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=REPO, env=env,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    results: list[dict[str, Any]] = []
    try:
        _wait_ready(url, process)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
            page.set_default_timeout(180_000)
            page.goto(url + "/", wait_until="load")
            page.wait_for_selector("#question textarea")
            for number in range(1, turns + 1):
                page.fill("#question textarea", REQUEST)
                begin = time.perf_counter()
                page.click("#send")
                # Done: this turn's finished answer is in the conversation and nothing is pending.
                page.wait_for_function(
                    "n => document.querySelectorAll('#conversation .msg.bot:not(.pending) .answer').length >= n"
                    " && !document.querySelector('#conversation .msg.bot.pending')",
                    arg=number, timeout=180_000, polling=50,
                )
                elapsed = time.perf_counter() - begin
                size = page.evaluate("document.getElementById('conversation').innerHTML.length")
                results.append({"turn": number, "s": round(elapsed, 3), "conversation_html_chars": size})
                print(f"[ui-turns] turn {number}: {elapsed:.2f} s, conversation {size / 1000:.0f} kB", flush=True)
            browser.close()
    finally:
        stop_process(process)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    return {"turns": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--turns", type=int, default=15)
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "results" / "ui-turns.json")
    args = parser.parse_args(argv)
    before = load_average()
    outcome = run(args.data, args.turns)
    times = {r["turn"]: r["s"] for r in outcome["turns"]}
    ratio = round(times[args.turns] / times[2], 2) if 2 in times and args.turns in times and times[2] else None
    report = {
        "command": "python -m evals.bench.ui_turns " + " ".join(argv if argv is not None else sys.argv[1:]),
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "load_average_before": before,
        "load_average_after": load_average(),
        "request": REQUEST,
        **outcome,
        "last_vs_turn_2": ratio,
        "target": "turn 15 at most 1.5 × turn 2",
        "met": ratio is not None and ratio <= 1.5,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"[ui-turns] turn {args.turns} ÷ turn 2 = {ratio}; written to {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
