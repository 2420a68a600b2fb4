"""Answer and search work off the event loop, bounded in time and in number.

Each answer (or search) runs on a small thread pool of its own, so the server's shared threadpool
(health, the case browser, documents, the web UI) never fills up with them. At most
`server.max_concurrent_answers` run at once; one more is refused with 503 at once instead of
queueing behind them. A request waits at most `server.answer_timeout_s` and then gets 503 with
Retry-After. Python cannot stop a running thread, so a timed-out job keeps its slot until its work
really ends: that is what stops a flood of slow requests from piling up threads and memory.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assistant.prompts import phrase
from ingest.settings import Settings
from ui.api.errors import ApiError

log = logging.getLogger("radsarkiv.api")
# What a refused client is told to wait. Not measured: a normal answer takes well under a
# second to a few seconds here, so a few seconds lets running jobs finish without clients hammering.
RETRY_AFTER_S = 5


class AnswerPool:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.size = max(1, settings.server.max_concurrent_answers)
        self._slots = threading.BoundedSemaphore(self.size)
        self._executor = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="radsarkiv-answer")
        self._busy = 0
        self._count_lock = threading.Lock()

    @property
    def busy(self) -> int:
        """Slots taken right now (by running or timed-out-but-still-running jobs)."""
        return self._busy

    def open(self) -> Job:
        """A slot for one request, or 503 at once when all are taken."""
        if not self._slots.acquire(blocking=False):
            raise ApiError(503, phrase("api_error_busy", "nb", seconds=RETRY_AFTER_S), {"Retry-After": str(RETRY_AFTER_S)})
        with self._count_lock:
            self._busy += 1
        return Job(self)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in a slot, within the time limit."""
        job = self.open()
        try:
            return await job.call(fn, *args)
        finally:
            job.close()

    def _release(self) -> None:
        with self._count_lock:
            self._busy -= 1
        self._slots.release()


class Job:
    """One request's hold on a slot: given back once the request is done and its last call has returned."""

    def __init__(self, pool: AnswerPool):
        self.pool = pool
        self.deadline = time.monotonic() + pool.settings.server.answer_timeout_s
        self._running = 0
        self._closed = False
        self._released = False
        self._lock = threading.Lock()

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) on the pool's threads; 503 if the request's deadline passes first."""
        with self._lock:
            self._running += 1
        future = asyncio.get_running_loop().run_in_executor(self.pool._executor, self._run, fn, args)
        # A timed-out call's outcome is never awaited; fetch it so asyncio does not log it as lost.
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout=max(self.deadline - time.monotonic(), 0.0))
        except asyncio.TimeoutError:
            limit = self.pool.settings.server.answer_timeout_s
            log.warning("Svaret nådde ikke tidsgrensen på %s s; forespørselen fikk 503", limit)
            raise ApiError(503, phrase("api_error_timeout", "nb", limit=f"{limit:g}", seconds=RETRY_AFTER_S),
                           {"Retry-After": str(RETRY_AFTER_S)}) from None

    def _run(self, fn: Callable[..., Any], args: tuple) -> Any:
        try:
            return fn(*args)
        finally:
            with self._lock:
                self._running -= 1
                release = self._closed and self._running == 0 and not self._released
                self._released = self._released or release
            if release:
                self.pool._release()

    def guard(self, events):
        """`events` (a response's async generator), with the slot given back even if the
        response is dropped before the generator ever runs (its `finally` would never run)."""
        weakref.finalize(events, self.close)
        return events

    def close(self) -> None:
        with self._lock:
            self._closed = True
            release = self._running == 0 and not self._released
            self._released = self._released or release
        if release:
            self.pool._release()
