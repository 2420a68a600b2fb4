"""GET /healthz (the process answers) and GET /readyz (the index is loaded and a query runs).

Both are open to probes without a key, so readyz says only ready or not: how many documents,
cases and passages the index holds is shown to an authenticated admin alone (a member's list is
shorter than the whole archive, and the difference tells what is hidden)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from ui.api.state import AppState, get_state

router = APIRouter(tags=["drift"])


@router.get("/healthz", summary="Prosessen kjører")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Indeksen er lastet og svarer (503 med årsak ellers)")
async def readyz(request: Request, state: AppState = Depends(get_state)) -> dict[str, Any]:
    readiness = await run_in_threadpool(state.readiness)
    who = state.auth.from_request(request)
    if who is None or who.anonymous or who.role != "admin":
        return {key: readiness[key] for key in ("status", "message")}
    return readiness
