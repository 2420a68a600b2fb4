"""What the server holds for its lifetime: the loaded assistant, the auth rules and the ingest queue.

The index is loaded once (at startup, in the background so /healthz answers at once). A missing
index is not cached as a failure: once `radsarkiv ingest` has run, the next request loads it.
Ingests run one at a time on a single worker thread; queries keep working meanwhile, and the
retriever picks up the new index version on its next query.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterator

from fastapi import Depends, Request

from assistant.prompts import phrase
from ingest.settings import Settings
from ui.api.errors import ApiError
from ui.api.pool import AnswerPool
from ui.auth import Auth, Principal

log = logging.getLogger("radsarkiv.server")
UPLOAD_FOLDER = "opplastet"  # uploaded files live in <data_dir>/uploads/opplastet → doc ids "opplastet/<navn>"


# One real question through the whole answer path before the server says it is ready: it loads
# the query embedder, the language detector and the sentence splitter, and builds the answerer's
# evidence scorer, which the first user would otherwise wait for.
WARM_UP_QUESTION = "Hva har rådet sagt om helsedata?"


def warm_up(assistant) -> None:
    started = time.perf_counter()
    try:
        assistant.ask(WARM_UP_QUESTION, role="admin")
    except Exception:  # noqa: BLE001 — readiness's own test query decides; the first user just waits longer
        log.exception("Oppvarmingsspørsmålet feilet")
        return
    log.info("Varmet opp på %.1f s", time.perf_counter() - started)


class AppState:
    def __init__(self, settings: Settings, assistant=None):
        self.settings = settings
        self.auth = Auth(settings)
        self._assistant = assistant
        self._load_lock = threading.Lock()
        self._load_error: str | None = None
        self.jobs = IngestJobs(self)
        self.answers = AnswerPool(settings)  # answers and searches: bounded in number and time

    # ---- the assistant ---------------------------------------------------------------------------
    def load(self) -> None:
        """Load the index and models unless already loaded; raises ApiError(503) when impossible."""
        if self._assistant is not None:
            return
        with self._load_lock:
            if self._assistant is not None:
                return
            if not self.settings.register_path.exists():
                self._load_error = phrase("api_error_index_missing", "nb")
                raise ApiError(503, self._load_error)
            try:
                from assistant.retrieval import Retriever
                from assistant.service import Assistant

                # Our own retriever, not the process-wide one: each app serves exactly its settings.
                assistant = Assistant(self.settings, retriever=Retriever(self.settings))
                warm_up(assistant)
                # Published only when warm: /readyz says 200 once the first question is as fast as the tenth.
                self._assistant = assistant
                self._load_error = None
            except Exception as error:  # noqa: BLE001 — reported through readyz, logged here
                log.exception("Kunne ikke laste indeksen")
                self._load_error = phrase("api_error_not_ready", "nb", reason=str(error)[:300])
                raise ApiError(503, self._load_error) from None

    def load_in_background(self) -> None:
        def run() -> None:
            with contextlib.suppress(ApiError):
                self.load()

        threading.Thread(target=run, name="radsarkiv-load", daemon=True).start()

    @property
    def assistant(self):
        self.load()
        return self._assistant

    @property
    def retriever(self):
        return self.assistant.retriever

    def readiness(self) -> dict[str, Any]:
        """Loaded, warmed up, and a real query runs. Raises ApiError(503) with the reason otherwise."""
        if self._assistant is None and self._load_lock.locked():
            # Still loading and warming up: say so now rather than hold the probe until it is done.
            raise ApiError(503, phrase("api_error_not_ready", "nb", reason="indeksen lastes og varmes opp"))
        retriever = self.retriever
        try:
            retriever.search("rådet", k=1, role="admin")
        except Exception as error:  # noqa: BLE001
            log.exception("Testspørringen feilet")
            raise ApiError(503, phrase("api_error_not_ready", "nb", reason=str(error)[:300])) from None
        return {
            "status": "ready",
            "message": phrase("api_ready", "nb"),
            "documents": len(retriever.documents),
            "cases": len(retriever.cases),
            "chunks": len(retriever.order),
        }

    @contextlib.contextmanager
    def register(self) -> Iterator[Any]:
        from ingest.store.register import IndexMissing, Register

        try:
            register = Register.open_readonly(self.settings.register_path)
        except IndexMissing:
            raise ApiError(503, phrase("api_error_index_missing", "nb")) from None
        try:
            yield register
        finally:
            register.close()

    @property
    def uploads_root(self) -> Path:
        return Path(self.settings.data_dir).resolve() / "uploads"


def get_state(request: Request) -> AppState:
    return request.app.state.radsarkiv


def principal(request: Request, state: AppState = Depends(get_state)) -> Principal:
    """The caller, authenticated and within its rate limit."""
    who = state.auth.from_request(request)
    if who is None:
        client = request.client.host if request.client else "-"
        wait = state.auth.limiter.check(f"failed:{client}")  # slows down key guessing
        if wait:
            raise ApiError(429, phrase("api_error_rate_limited", "nb", seconds=wait), {"Retry-After": str(wait)})
        raise ApiError(401, phrase("api_error_unauthorized", "nb"), {"WWW-Authenticate": "Bearer"})
    wait = state.auth.limiter.check(who.caller)
    if wait:
        raise ApiError(429, phrase("api_error_rate_limited", "nb", seconds=wait), {"Retry-After": str(wait)})
    return who


def secretariat(who: Principal = Depends(principal)) -> Principal:
    if not who.at_least("secretariat"):
        raise ApiError(403, phrase("api_error_forbidden", "nb", role="secretariat"))
    return who


class IngestJobs:
    """Upload → ingest jobs, run one at a time, remembered (the last 200) for status queries."""

    def __init__(self, state: AppState):
        self.state = state
        self._jobs: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._writer = threading.Lock()

    def submit(self, files: list[Path], name: str, caller: str) -> dict[str, Any]:
        job = {"job": uuid.uuid4().hex[:12], "status": "queued", "file": name, "created": time.time(), "summary": None, "errors": []}
        with self._lock:
            self._jobs[job["job"]] = job
            while len(self._jobs) > 200:
                self._jobs.popitem(last=False)
        done = threading.Event()
        job["_done"] = done
        threading.Thread(target=self._run, args=(job, files), name=f"ingest-{job['job']}", daemon=True).start()
        log.info("Innlesing %s startet av %s: %s", job["job"], caller, name)
        return job

    def _run(self, job: dict[str, Any], files: list[Path]) -> None:
        from ingest.pipeline import ingest_paths

        with self._writer:
            job["status"] = "running"
            try:
                summary = ingest_paths([self.state.uploads_root], self.state.settings, progress=False).as_json()
                job["summary"] = summary
                mine = {str(f) for f in files}
                job["errors"] = [e for e in summary["errors"] if e["path"] in mine]
                job["status"] = "failed" if job["errors"] else "done"
                if job["errors"]:
                    # A file that cannot be read must not linger and be retried on every upload.
                    for file in files:
                        file.unlink(missing_ok=True)
            except Exception:  # noqa: BLE001
                log.exception("Innlesing %s feilet", job["job"])
                job["status"] = "failed"
                job["errors"] = [{"path": job["file"], "error": phrase("api_error_internal", "nb")}]
                for file in files:
                    file.unlink(missing_ok=True)
            finally:
                job["finished"] = time.time()
                job["_done"].set()

    def wait(self, job: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
        job["_done"].wait(timeout)
        return job

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._jobs.get(job_id)

    def run_exclusive(self, fn, *args):
        """Run another index writer (delete) without overlapping an ingest."""
        with self._writer:
            return fn(*args)


def public_job(job: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in job.items() if not k.startswith("_")}
    view["status_url"] = f"/api/documents/jobs/{job['job']}"
    return view
