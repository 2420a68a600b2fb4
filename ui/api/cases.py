"""GET /api/cases (the register, visible to the caller's role) and GET /api/cases/{number}."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from assistant.prompts import phrase
from ingest.case_numbers import normalize_case_number
from ui.api.errors import ApiError
from ui.api.render import public_case
from ui.api.state import AppState, get_state, principal
from ui.auth import Principal

router = APIRouter(prefix="/api", tags=["saker"])


def list_cases(state: AppState, role: str, text: str | None = None) -> list[dict[str, Any]]:
    with state.register() as register:
        cases = register.list_cases(role=role)
    rows = [public_case(c) for c in cases]
    if text:
        needle = text.casefold()
        rows = [r for r in rows if needle in " ".join(str(v) for v in r.values() if v).casefold()]
    return rows


def get_case(state: AppState, raw: str, role: str) -> dict[str, Any]:
    number = normalize_case_number(raw)
    if number is None:
        raise ApiError(400, phrase("api_error_bad_case_number", "nb", value=raw[:40]))
    with state.register() as register:
        case = register.get_case(number, role=role)
    if case is None:
        raise ApiError(404, phrase("api_error_case_not_found", "nb", case=number))
    return public_case(case, full=True)


@router.get("/cases", summary="Saksregisteret: alle saker med møte, forslag og vedtak")
async def cases(
    q: str | None = Query(None, max_length=200, description="Filtrer på tekst (nummer, tittel, vedtak …)"),
    who: Principal = Depends(principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    rows = await run_in_threadpool(list_cases, state, who.role, q)
    return {"count": len(rows), "cases": rows}


@router.get(
    "/cases/{number:path}",
    summary="Én sak; tar 19-2-2026 og URL-kodet 19%2F2%2F2026",
)
async def case(number: str, who: Principal = Depends(principal), state: AppState = Depends(get_state)) -> dict[str, Any]:
    return await run_in_threadpool(get_case, state, number, who.role)
