"""Documents: list, download the original (PDF preferred, opens at #page=N), upload → ingest, delete.

A document the caller's role may not see answers 404, exactly like one that does not exist.
Uploads are stored under <data_dir>/uploads/opplastet/ (ids "opplastet/<navn>", so they never
collide with corpus documents) with a sidecar carrying the chosen access level, then ingested
by the server's single ingest worker. Deleting an uploaded document also deletes its files;
deleting a corpus document takes it out of the index until the corpus is ingested again.

An upload whose document id is already taken replaces that document only when the uploader may
read it and keeps its access level (409 otherwise): the secretariat cannot overwrite, or publish,
an admin's confidential upload. An admin changes a document's access level by uploading it again
with the new level; the change is logged.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.prompts import phrase
from ingest.models import ACCESS_LEVELS, allowed_access
from ui.api.errors import ApiError
from ui.api.state import UPLOAD_FOLDER, AppState, get_state, principal, public_job, secretariat
from ui.auth import Principal

router = APIRouter(prefix="/api", tags=["dokumenter"])
log = logging.getLogger("radsarkiv.server")
_UPLOAD_LOCK = threading.Lock()  # the collision check and the write happen as one step

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".md": "text/plain; charset=utf-8",
    ".markdown": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Archived HTML is shown, never run: no scripts, no requests, its own opaque origin.
SANDBOX_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def safe_filename(name: str) -> str:
    """The file's own name, cleaned: no folders, no NUL, only ordinary characters."""
    from ingest.readers import SUPPORTED_SUFFIXES

    if not name or "\x00" in name:
        raise ApiError(400, phrase("api_error_upload_name", "nb", name=(name or "").replace("\x00", "\\0")[:80]))
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = re.sub(r"[^A-Za-z0-9æøåÆØÅ._ -]+", "-", base).strip(" .-")
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot or not stem.strip(" .-"):
        raise ApiError(400, phrase("api_error_upload_name", "nb", name=base[:80]))
    suffix = "." + suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ApiError(415, phrase("api_error_upload_type", "nb", suffix=suffix, types=", ".join(SUPPORTED_SUFFIXES)))
    return stem.strip(" .-")[:120] + suffix


def store_upload(state: AppState, name: str, data: bytes, access: str = "public", title: str | None = None,
                 doc_type: str | None = None, role: str = "secretariat", caller: str = "-") -> list[Path]:
    """Write an upload (and its sidecar) into the uploads folder; returns the files written.

    `role` is the uploader's: the least privileged role that may upload is assumed when a caller
    does not say, so a forgotten argument can only refuse, never overwrite."""
    if access not in ACCESS_LEVELS:
        raise ApiError(400, phrase("api_error_bad_access", "nb", access=access[:40], levels=", ".join(ACCESS_LEVELS)))
    filename = safe_filename(name)
    limit = state.settings.server.max_upload_mb
    if len(data) > limit * 1024 * 1024:
        raise ApiError(413, phrase("api_error_body_too_large", "nb", limit=limit))
    if not data:
        raise ApiError(400, phrase("api_error_upload_empty", "nb", name=filename))
    folder = state.uploads_root / UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / filename
    sidecar = target.with_name(target.name + ".meta.json")
    meta = {"access": access, "title": title or None, "doc_type": doc_type or None}
    with _UPLOAD_LOCK:
        doc_id, current = _existing_access(state, target)
        if current is not None:
            if current not in allowed_access(role):
                raise ApiError(409, phrase("api_error_upload_conflict", "nb", doc_id=doc_id))
            if current != access:
                if role != "admin":
                    raise ApiError(409, phrase("api_error_upload_access_change", "nb", doc_id=doc_id, current=current, requested=access))
                log.warning("Tilgangsnivå endret for %s: %s -> %s (av %s)", doc_id, current, access, caller)
                # Every rendition's sidecar gets the new level: the strictest one would otherwise win.
                for other in _renditions(folder, state.uploads_root, doc_id):
                    if other != target:
                        _set_access(other.with_name(other.name + ".meta.json"), access)
        target.write_bytes(data)
        sidecar.write_text(json.dumps({k: v for k, v in meta.items() if v}, ensure_ascii=False), encoding="utf-8")
    return [target, sidecar]


def _existing_access(state: AppState, target: Path) -> tuple[str, str | None]:
    """The document id an upload at `target` gets, and the access level of what already holds that
    id (its files, which may still wait for ingest, and the register's record; the strictest wins)."""
    from ingest.pipeline import document_id

    doc_id = document_id(target, state.uploads_root)
    levels = []
    for file in _renditions(target.parent, state.uploads_root, doc_id):
        levels.append(_sidecar_access(file.with_name(file.name + ".meta.json")))
    try:
        with state.register() as register:
            record = register.document(doc_id)
    except ApiError:  # no index yet: only the files count
        record = None
    if record is not None:
        levels.append(record["access"])
    return doc_id, (max(levels, key=ACCESS_LEVELS.index) if levels else None)


def _renditions(folder: Path, root: Path, doc_id: str) -> list[Path]:
    from ingest.pipeline import document_id

    return [p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".meta.json") and document_id(p, root) == doc_id]


def _sidecar_access(sidecar: Path) -> str:
    try:
        value = json.loads(sidecar.read_text(encoding="utf-8")).get("access", "public")
    except (OSError, ValueError, AttributeError):
        return "public" if not sidecar.exists() else ACCESS_LEVELS[-1]  # unreadable: assume the strictest
    return value if value in ACCESS_LEVELS else ACCESS_LEVELS[-1]


def _set_access(sidecar: Path, access: str) -> None:
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    data["access"] = access
    sidecar.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _document(state: AppState, doc_id: str, role: str) -> dict[str, Any]:
    with state.register() as register:
        document = register.document(doc_id, role=role)
    if document is None:
        raise ApiError(404, phrase("api_error_document_not_found", "nb", doc_id=doc_id[:120]))
    return document


def _public(document: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in document.items() if k not in ("path", "renditions")}
    view["formats"] = sorted({Path(p).suffix.lower().lstrip(".") for p in document["renditions"]})
    view["url"] = "/api/documents/" + document["doc_id"]
    return view


@router.get("/documents", summary="Dokumentene i arkivet som rollen kan se")
async def documents(who: Principal = Depends(principal), state: AppState = Depends(get_state)) -> dict[str, Any]:
    def load():
        with state.register() as register:
            return [_public(d) for d in register.documents(role=who.role)]

    rows = await run_in_threadpool(load)
    return {"count": len(rows), "documents": rows}


@router.get("/documents/jobs/{job_id}", summary="Status for en innlesingsjobb")
async def job_status(job_id: str, who: Principal = Depends(secretariat), state: AppState = Depends(get_state)) -> dict[str, Any]:
    job = state.jobs.get(job_id)
    if job is None:
        raise ApiError(404, phrase("api_error_job_not_found", "nb", job=job_id[:40]))
    return public_job(job)


@router.get("/documents/{doc_id:path}", summary="Originalfilen (PDF åpner på en side med #page=N)", response_class=FileResponse)
async def download(doc_id: str, who: Principal = Depends(principal), state: AppState = Depends(get_state)):
    document = await run_in_threadpool(_document, state, doc_id, who.role)
    files = [Path(p) for p in document["renditions"]]
    existing = [p for p in files if p.is_file()]
    if not existing:
        raise ApiError(404, phrase("api_error_document_file_missing", "nb", doc_id=doc_id[:120]))
    chosen = next((p for p in existing if p.suffix.lower() == ".pdf"), existing[0])
    media = MEDIA_TYPES.get(chosen.suffix.lower(), "application/octet-stream")
    inline = chosen.suffix.lower() != ".docx"
    headers = {"Content-Security-Policy": SANDBOX_CSP} if chosen.suffix.lower() != ".pdf" else {}
    return FileResponse(chosen, media_type=media, filename=chosen.name, content_disposition_type="inline" if inline else "attachment", headers=headers)


@router.post("/documents", status_code=202, summary="Last opp et dokument og les det inn (krever secretariat)")
async def upload(
    file: UploadFile = File(..., description="PDF, DOCX, MD, TXT eller HTML"),
    access: str = Form("public", description="public | internal | confidential"),
    title: str | None = Form(None, max_length=300),
    doc_type: str | None = Form(None, max_length=60),
    wait: bool = Query(False, description="Vent til innlesingen er ferdig og returner sammendraget"),
    who: Principal = Depends(secretariat),
    state: AppState = Depends(get_state),
):
    data = await file.read()
    files = await run_in_threadpool(store_upload, state, file.filename or "", data, access, title, doc_type, who.role, who.caller)
    job = state.jobs.submit(files, files[0].name, who.caller)
    if not wait:
        return public_job(job)
    await run_in_threadpool(state.jobs.wait, job)
    if job["status"] == "failed":
        message = "; ".join(e["error"] for e in job["errors"]) or phrase("api_error_internal", "nb")
        return JSONResponse({"error": message, "job": public_job(job)}, status_code=422)
    return JSONResponse(public_job(job), status_code=201)


@router.delete("/documents/{doc_id:path}", summary="Ta et dokument ut av arkivet (krever secretariat)")
async def delete(doc_id: str, who: Principal = Depends(secretariat), state: AppState = Depends(get_state)) -> dict[str, Any]:
    from ingest.pipeline import remove_documents

    document = await run_in_threadpool(_document, state, doc_id, who.role)
    removed = await run_in_threadpool(state.jobs.run_exclusive, remove_documents, [doc_id], state.settings)
    uploads = state.uploads_root
    deleted_files = []
    for path in [Path(p) for p in document["renditions"]]:
        resolved = path.resolve()
        if uploads in resolved.parents:
            for file in (resolved, resolved.with_name(resolved.name + ".meta.json")):
                if file.exists():
                    file.unlink()
                    deleted_files.append(file.name)
    return {"removed": bool(removed), "doc_id": doc_id, "deleted_files": deleted_files}
