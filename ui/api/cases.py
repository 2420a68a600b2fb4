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
    rows = [public_case(c) | _treatment_summary(c) for c in cases]
    if text:
        needle = text.casefold()
        rows = [r for r in rows if needle in " ".join(str(v) for v in r.values() if v).casefold()]
    return rows


def _treatment_summary(case: dict[str, Any]) -> dict[str, Any]:
    """Municipal cases list each body's treatment: body, date, number, decision and vote tallies."""
    if not case.get("municipal"):
        return {}
    return {"treatments": [
        {"case": s["case"], "body": s["body"], "date": s["date"], "decision": s["decision"],
         "votes": [{k: v[k] for k in ("type", "forslagsstiller", "parti", "enstemmig", "antall_for", "antall_mot", "resultat")} for v in s["votes"]]}
        for s in case.get("treatments", [])
    ]}


def get_case(state: AppState, raw: str, role: str) -> dict[str, Any]:
    number = normalize_case_number(raw)
    if number is None:
        municipal = _municipal_case(state, raw, role)  # "PS 6/26", "sak 10/2026 i formannskapet"
        if municipal is not None:
            return municipal
        raise ApiError(400, phrase("api_error_bad_case_number", "nb", value=raw[:40]))
    with state.register() as register:
        case = register.get_case(number, role=role)
    if case is None:
        raise ApiError(404, phrase("api_error_case_not_found", "nb", case=number))
    return public_case(case, full=True)


def _municipal_case(state: AppState, raw: str, role: str) -> dict[str, Any] | None:
    """A municipal case by any of its numbers, with every body's treatment, votes and decision."""
    from ingest.numbering import find_case_ids
    from ingest.store.records import find_municipal_case

    if not find_case_ids(raw):
        return None
    with state.register() as register:
        cases = [c for c in register.list_cases(role=role) if c.get("municipal")]
        case = next((c for c in cases if c["number"] == raw), None) or find_municipal_case(cases, raw)
    if case is None:
        raise ApiError(404, phrase("api_error_case_not_found", "nb", case=raw[:40]))
    return _without_access(public_case(case, full=True))


def _without_access(case: dict[str, Any]) -> dict[str, Any]:
    case["treatments"] = [{k: v for k, v in step.items() if k != "access"} for step in case.get("treatments", [])]
    return case


def list_attendance(state: AppState, role: str, meeting: str | None = None, name: str | None = None) -> list[dict[str, Any]]:
    with state.register() as register:
        rows = register.attendance(role=role)
    keys = ("doc_id", "meeting", "body", "date", "name", "role", "function", "representation", "substitute_for", "from_case", "to_case", "note")
    rows = [{k: r[k] for k in keys} for r in rows]
    if meeting:
        rows = [r for r in rows if meeting in (r["meeting"] or "", r["date"] or "", f"{r['body'] or ''} {r['date'] or ''}".strip())]
    if name:
        rows = [r for r in rows if name.casefold() in r["name"].casefold()]
    return rows


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


@router.get("/attendance", summary="Oppmøte: til stede, varamedlemmer, forfall, observatører og sekretariat per møte")
async def attendance(
    meeting: str | None = Query(None, max_length=100, description="Møte (1/2026) eller dato (2026-03-25)"),
    name: str | None = Query(None, max_length=100, description="Filtrer på navn"),
    who: Principal = Depends(principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    rows = await run_in_threadpool(list_attendance, state, who.role, meeting, name)
    return {"count": len(rows), "attendance": rows}
