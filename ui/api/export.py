"""Exported answers: POST /api/export (Word with footnotes, or Markdown) and the web UI's private
download files.

An export carries what the caller's role may read, so it is treated like the answer itself:
- the API returns it in the response and stores nothing;
- the web UI's download files live under <data_dir>/exports (0700 folder, 0600 files), each
  with an owner record (caller, role and browser session), are served only to that owner by
  GET /api/exports/{name}, and are deleted after EXPORT_TTL_S. Gradio's own file cache is never
  used for them, so a URL passed to someone else leads nowhere.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from assistant.answer import Answer
from assistant.prompts import phrase
from ui.api.ask import AskRequest, _ask, check_request, filters_of
from ui.api.errors import ApiError
from ui.api.render import export_markdown
from ui.api.state import AppState, get_state, principal
from ui.auth import SESSION_COOKIE, Principal

router = APIRouter(prefix="/api", tags=["eksport"])

# Long enough to click "download" after an answer, short enough that no copy lingers on disk.
# A policy choice, not a measured value.
EXPORT_TTL_S = 15 * 60
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
_NAME = re.compile(r"^[A-Za-z0-9_-]{20,64}\.(docx|md)$")


class ExportRequest(AskRequest):
    format: Literal["docx", "md"] = Field("docx", description="docx (Word, kildene som fotnoter) eller md (Markdown)")


def export_bytes(question: str, answer: Answer, fmt: str) -> bytes:
    if fmt == "docx":
        from ui.api.word import answer_docx

        return answer_docx(question, answer)
    return export_markdown(question, answer).encode("utf-8")


def _attachment(data: bytes, fmt: str) -> Response:
    return Response(
        data,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="radsarkiv-svar.{fmt}"', "Cache-Control": "no-store"},
    )


@router.post("/export", summary="Som /api/ask, men svaret kommer som Word-dokument (kildene som fotnoter) eller Markdown")
async def export(body: ExportRequest, who: Principal = Depends(principal), state: AppState = Depends(get_state)) -> Response:
    # The same bounds, pool and time limit as /api/ask: an export is an answer plus rendering.
    history = check_request(state, body)
    answer = await state.answers.run(_ask, state, body.question, history, filters_of(body), who)
    data = await run_in_threadpool(export_bytes, body.question, answer, body.format)
    return _attachment(data, body.format)


# ---- private files for the web UI ----------------------------------------------------------------
def session_tag(cookies) -> str | None:
    """Which browser session asked (a digest of its session cookie), so a file follows that session."""
    value = cookies.get(SESSION_COOKIE) if cookies is not None else None
    return hashlib.sha256(value.encode()).hexdigest()[:32] if value else None


class ExportStore:
    def __init__(self, data_dir: Path, ttl_s: float | None = None) -> None:
        self.root = Path(data_dir) / "exports"
        self.ttl_s = ttl_s

    @property
    def ttl(self) -> float:
        return EXPORT_TTL_S if self.ttl_s is None else self.ttl_s

    def _folder(self) -> Path:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        return self.root

    def save(self, data: bytes, fmt: str, who: Principal, session: str | None) -> str:
        """Write the file readable by the server's user only; returns its unguessable name."""
        folder = self._folder()
        self.sweep()
        name = f"{secrets.token_urlsafe(24)}.{fmt}"
        owner = {"caller": who.caller, "role": who.role, "session": session, "created": time.time()}
        _write_private(folder / f"{name}.owner.json", json.dumps(owner).encode())
        _write_private(folder / name, data)
        return name

    def load(self, name: str, who: Principal, session: str | None) -> bytes | None:
        """The file, for its owner only (same caller, role and browser session) and while fresh."""
        self.sweep()
        if not _NAME.match(name):
            return None
        path, record = self.root / name, self.root / f"{name}.owner.json"
        try:
            owner = json.loads(record.read_text())
            data = path.read_bytes()
        except (OSError, ValueError):
            return None
        if owner.get("caller") != who.caller or owner.get("role") != who.role:
            return None
        if owner.get("session") and owner["session"] != session:
            return None
        return data

    def start_sweeper(self, every_s: float = 60.0) -> None:
        """Delete expired files in the background too, so none outlives its time limit by much
        even when nobody exports again (also what a previous run left behind)."""
        import threading

        def loop() -> None:
            while not stop.wait(every_s):
                self.sweep()

        stop = threading.Event()
        self.sweep()
        threading.Thread(target=loop, name="export-sweeper", daemon=True).start()

    def sweep(self) -> None:
        """Delete exports older than the time limit."""
        if not self.root.is_dir():
            return
        cutoff = time.time() - self.ttl
        for path in self.root.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)  # whatever the umask


def store_of(state: AppState) -> ExportStore:
    store = getattr(state, "exports", None)
    if store is None:
        store = state.exports = ExportStore(state.settings.data_dir)
    return store


@router.get("/exports/{name}", summary="Last ned en eksport laget i nettgrensesnittet (bare for økten som laget den)")
async def download(name: str, request: Request, who: Principal = Depends(principal), state: AppState = Depends(get_state)) -> Response:
    data = store_of(state).load(name, who, session_tag(request.cookies))
    if data is None:
        raise ApiError(404, phrase("api_error_export_not_found", "nb"))
    return _attachment(data, name.rsplit(".", 1)[1])
