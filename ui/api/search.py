"""GET /api/search: ranked archive passages (hybrid dense + BM25), filtered and access-checked."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from assistant.prompts import phrase
from ui.api.errors import ApiError
from ui.api.limits import check_question_length, reject_invalid_unicode
from ui.api.state import AppState, get_state, principal
from ui.auth import Principal

router = APIRouter(prefix="/api", tags=["søk"])


@router.get("/search", summary="Rangerte tekstutdrag fra arkivet")
async def search(
    q: str = Query(..., description="Søketekst"),
    k: int = Query(5, ge=1, le=50, description="Antall treff"),
    meeting: str | None = Query(None, description="Møte, f.eks. 1/2026"),
    year: int | None = Query(None, ge=1900, le=2200),
    type: str | None = Query(None, description="Dokumenttype, f.eks. motepapirer"),
    case: str | None = Query(None, description="Sak, f.eks. 7/1/2026"),
    who: Principal = Depends(principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    from assistant.retrieval import SearchFilters
    from ingest.case_numbers import normalize_case_number

    check_question_length(state.settings, q)
    reject_invalid_unicode([("q", q), ("meeting", meeting), ("type", type), ("case", case)])
    if not q.strip():
        raise ApiError(400, phrase("error_empty_question", "nb"))
    if case:
        number = normalize_case_number(case)
        if number is None:
            raise ApiError(400, phrase("api_error_bad_case_number", "nb", value=case))
        case = number
    filters = SearchFilters(meeting=meeting or None, year=year, case=case, doc_type=type or None)
    hits = await state.answers.run(lambda: state.retriever.search(q, k, filters, who.role))
    return {"query": q, "k": k, "hits": [hit.as_json() for hit in hits]}
