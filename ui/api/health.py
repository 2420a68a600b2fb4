"""GET /healthz (the process answers) and GET /readyz (the index is loaded and a query runs)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from ui.api.state import AppState, get_state

router = APIRouter(tags=["drift"])


@router.get("/healthz", summary="Prosessen kjører")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Indeksen er lastet og svarer (503 med årsak ellers)")
async def readyz(state: AppState = Depends(get_state)) -> dict[str, Any]:
    return await run_in_threadpool(state.readiness)
