"""POST /api/ask (one JSON answer) and POST /api/chat (the same answer as server-sent events)."""
from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from assistant.prompts import phrase
from ui.api.errors import ApiError
from ui.api.state import AppState, get_state, principal
from ui.auth import Principal

router = APIRouter(prefix="/api", tags=["spør"])


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Filters(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    meeting: str | None = Field(None, description="Møte, f.eks. 1/2026")
    year: int | None = None
    case: str | None = Field(None, description="Sak, f.eks. 7/1/2026")
    doc_type: str | None = Field(None, alias="type", description="Dokumenttype, f.eks. motepapirer")


class AskRequest(BaseModel):
    question: str = Field(..., description="Spørsmålet", examples=["Hva ble vedtatt i sak 7/1/2026?"])
    history: list[Turn] = Field(default_factory=list, description="Tidligere meldinger i samtalen")
    filters: Filters | None = None


def check_question(state: AppState, question: str, history: list[dict] | None = None) -> None:
    """400 for an empty or malformed question, 413 for one over the length limit."""
    from assistant.service import InvalidQuestion

    limit = state.settings.server.max_question_chars
    if isinstance(question, str) and len(question) > limit:
        raise ApiError(413, phrase("error_question_too_long", "nb", length=len(question), limit=limit))
    try:
        state.assistant.validate(question, history)
    except InvalidQuestion as error:
        raise ApiError(400, str(error)) from None


def filters_of(body: AskRequest) -> dict[str, Any] | None:
    if body.filters is None:
        return None
    values = body.filters.model_dump()
    if values.get("case"):
        from ingest.case_numbers import normalize_case_number

        number = normalize_case_number(values["case"])
        if number is None:
            raise ApiError(400, phrase("api_error_bad_case_number", "nb", value=values["case"]))
        values["case"] = number
    return {k: v for k, v in values.items() if v not in (None, "")}


def _ask(state: AppState, body: AskRequest, who: Principal):
    from assistant.service import InvalidQuestion

    history = [t.model_dump() for t in body.history]
    check_question(state, body.question, history)
    try:
        return state.assistant.ask(body.question, history=history, filters=filters_of(body), role=who.role)
    except InvalidQuestion as error:
        raise ApiError(400, str(error)) from None


@router.post("/ask", summary="Still et spørsmål; svaret kommer som JSON med kilder")
async def ask(body: AskRequest, who: Principal = Depends(principal), state: AppState = Depends(get_state)) -> dict[str, Any]:
    answer = await run_in_threadpool(_ask, state, body, who)
    return answer.public_json()


@router.post(
    "/chat",
    summary="Som /api/ask, men strømmet som server-sent events: token …, citations, done",
    response_class=EventSourceResponse,
)
async def chat(body: AskRequest, who: Principal = Depends(principal), state: AppState = Depends(get_state)):
    history = [t.model_dump() for t in body.history]
    # Everything that can be refused is refused before the stream starts, as a plain JSON error.
    await run_in_threadpool(check_question, state, body.question, history)
    filters = filters_of(body)
    stream = state.assistant.stream(body.question, history=history, filters=filters, role=who.role)

    async def events():
        try:
            async for kind, value in stream_items(stream):
                if kind == "token":
                    yield {"event": "token", "data": json.dumps({"text": value}, ensure_ascii=False)}
                else:
                    public = value.public_json()
                    yield {"event": "citations", "data": json.dumps(public["citations"], ensure_ascii=False)}
                    yield {"event": "done", "data": json.dumps(public, ensure_ascii=False)}
        except Exception:  # noqa: BLE001 — the stream has started; report in-band, log the trace
            log_stream_failure()
            yield {"event": "error", "data": json.dumps({"error": phrase("api_error_internal", "nb")}, ensure_ascii=False)}

    return EventSourceResponse(events(), ping=15)


async def stream_items(stream: Iterator[tuple[str, Any]]) -> AsyncIterator[tuple[str, Any]]:
    """The assistant's blocking stream of ("token", text) and ("answer", Answer), read off the event loop."""
    while True:
        item = await run_in_threadpool(next, stream, None)
        if item is None:
            return
        yield item


def log_stream_failure() -> None:
    logging.getLogger("radsarkiv.api").exception("Feil under strømming")
