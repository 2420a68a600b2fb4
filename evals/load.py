"""Bounded load test of the running server on 127.0.0.1.

    python -m evals.load [--url http://127.0.0.1:7860] [--clients 8] [--seconds 60] [--requests 1000]

Without --url it starts `radsarkiv serve` itself on a free loopback port (index from
RADSARKIV_DATA_DIR) and stops it afterwards. N concurrent clients send questions to /api/ask
(a mix of case lookups, facts, decisions, positions and refusals) until the time or request
budget runs out — the loops are bounded in both. It reports throughput, p50/p95/p99 latency,
errors by kind, and the server's resident memory sampled every 100 requests, and writes the
result to evals/results/load.json. Only loopback addresses are accepted as targets.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

RESULTS = Path(__file__).resolve().parent / "results"
QUESTIONS = [
    "Hva handlet sak 7/1/2026 om?",
    "Hva ble vedtatt i sak 9/1/2026?",
    "What was decided in case 20/2/2026?",
    "Hva har rådet vedtatt om helsedata?",
    "Hva mener rådet om primærhelsetjenesten?",
    "Hvor mange følger rådet på LinkedIn?",
    "Når skal Helsereformutvalget levere sin rapport?",
    "Hvem sitter i arbeidsgruppen for innovasjon?",
    "Korleis blir habilitet handtert på rådsmøta?",
    "Hva ble vedtatt i sak 37/3/2025?",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _require_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        raise SystemExit(f"refusing to load-test {host}: only loopback targets are allowed")


def _rss_mb(pid: int | None) -> float | None:
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def _client(name: int, url: str, deadline: float, budget: dict, latencies: list, errors: dict, headers: dict, on_request) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30.0, headers=headers) as client:
        index = name
        while time.monotonic() < deadline and budget["left"] > 0:
            budget["left"] -= 1
            question = QUESTIONS[index % len(QUESTIONS)]
            index += 1
            started = time.perf_counter()
            try:
                response = await client.post("/api/ask", json={"question": question})
                if response.status_code != 200:
                    errors[f"http_{response.status_code}"] = errors.get(f"http_{response.status_code}", 0) + 1
                else:
                    body = response.json()
                    if "answer" not in body:
                        errors["malformed"] = errors.get("malformed", 0) + 1
                latencies.append((time.perf_counter() - started) * 1000)
            except httpx.HTTPError as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            on_request()


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def run(url: str, clients: int, seconds: float, requests: int, pid: int | None, api_key: str | None) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    memory: list[tuple[int, float]] = []
    done = {"n": 0}
    budget = {"left": requests}
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def on_request() -> None:
        done["n"] += 1
        if done["n"] % 100 == 0:
            rss = _rss_mb(pid)
            if rss is not None:
                memory.append((done["n"], round(rss, 1)))

    async with httpx.AsyncClient(base_url=url, timeout=60.0, headers=headers) as warm:
        await warm.post("/api/ask", json={"question": QUESTIONS[0]})  # load models before timing
    start_rss = _rss_mb(pid)
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*[_client(i, url, deadline, budget, latencies, errors, headers, on_request) for i in range(clients)])
    elapsed = time.monotonic() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": done["n"],
        "throughput_rps": round(len(latencies) / elapsed, 2) if elapsed else None,
        "latency_ms": {
            "p50": round(_percentile(latencies, 0.50) or 0, 1),
            "p95": round(_percentile(latencies, 0.95) or 0, 1),
            "p99": round(_percentile(latencies, 0.99) or 0, 1),
            "mean": round(statistics.fmean(latencies), 1) if latencies else None,
        },
        "errors": errors,
        "memory_mb": {"start": round(start_rss, 1) if start_rss else None, "samples": memory},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--api-key")
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args(argv)
    server = None
    pid = None
    url = args.url
    if url is None:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        binary = Path(sys.executable).with_name("radsarkiv")
        # The per-key rate limit would turn a load test into a rate-limit test: off for this server.
        env = {**os.environ, "RADSARKIV_SERVER__RATE_LIMIT_PER_MINUTE": "0"}
        server = subprocess.Popen([str(binary), "serve", "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        pid = server.pid
        for _ in range(240):
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            server.terminate()
            raise SystemExit("the server did not become ready")
    _require_loopback(url)
    try:
        result = asyncio.run(run(url, args.clients, args.seconds, args.requests, pid, args.api_key))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    samples = [mb for _, mb in result["memory_mb"]["samples"]]
    result["memory_mb"]["growth"] = round(samples[-1] - samples[0], 1) if len(samples) >= 2 else None
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    result["target"] = {"errors": 0, "p95_ms_below": 1000, "clients": 8}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
