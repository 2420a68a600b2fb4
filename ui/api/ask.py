"""POST /api/ask (one JSON answer) and POST /api/chat (the same answer as server-sent events)."""
from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette.sse import EventSourceResponse

from assistant.prompts import phrase
from ui.api.errors import ApiError
from ui.api.limits import check_conversation
from ui.api.pool import Job
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


def check_request(state: AppState, body: AskRequest) -> list[dict[str, str]]:
    """All bounds of /api/ask and /api/chat, before any work (413/400); returns the history."""
    history = [t.model_dump() for t in body.history]
    filters = body.filters.model_dump() if body.filters else {}
    check_conversation(state.settings, body.question, history, {f"filters.{k}": v for k, v in filters.items()})
    return history


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


def _ask(state: AppState, question: str, history: list[dict], filters: dict | None, who: Principal):
    from assistant.service import InvalidQuestion

    try:
        return state.assistant.ask(question, history=history, filters=filters, role=who.role)
    except InvalidQuestion as error:
        raise ApiError(400, str(error)) from None


def start_stream(state: AppState, question: str, history: list[dict], filters: dict | None, role: str):
    """The assistant's stream and its first item, so a refusal (400) or a time-out (503) comes
    as a plain JSON error before the response starts."""
    from assistant.service import InvalidQuestion

    stream = state.assistant.stream(question, history=history, filters=filters, role=role)
    try:
        return stream, next(stream, None)
    except InvalidQuestion as error:
        raise ApiError(400, str(error)) from None


@router.post("/ask", summary="Still et spørsmål; svaret kommer som JSON med kilder")
async def ask(body: AskRequest, who: Principal = Depends(principal), state: AppState = Depends(get_state)) -> dict[str, Any]:
    history = check_request(state, body)
    answer = await state.answers.run(_ask, state, body.question, history, filters_of(body), who)
    return answer.public_json()


@router.post(
    "/chat",
    summary="Som /api/ask, men strømmet som server-sent events: token …, citations, done",
    response_class=EventSourceResponse,
)
async def chat(body: AskRequest, who: Principal = Depends(principal), state: AppState = Depends(get_state)):
    history = check_request(state, body)
    filters = filters_of(body)
    # Everything that can be refused is refused before the stream starts, as a plain JSON error.
    job = state.answers.open()
    try:
        stream, first = await job.call(start_stream, state, body.question, history, filters, who.role)
    except BaseException:
        job.close()
        raise

    async def events():
        try:
            async for kind, value in stream_items(job, stream, first):
                if kind in ("token", "draft"):
                    # "draft": unchecked model text, replaced by the answer in "done".
                    yield {"event": kind, "data": json.dumps({"text": value}, ensure_ascii=False)}
                else:
                    public = value.public_json()
                    yield {"event": "citations", "data": json.dumps(public["citations"], ensure_ascii=False)}
                    yield {"event": "done", "data": json.dumps(public, ensure_ascii=False)}
        except ApiError as error:  # the time limit ran out mid-stream
            yield {"event": "error", "data": json.dumps({"error": error.message}, ensure_ascii=False)}
        except Exception:  # noqa: BLE001 — the stream has started; report in-band, log the trace
            log_stream_failure()
            yield {"event": "error", "data": json.dumps({"error": phrase("api_error_internal", "nb")}, ensure_ascii=False)}

    return EventSourceResponse(job.guard(events()), ping=15)


async def stream_items(job: Job, stream: Iterator[tuple[str, Any]], first: tuple[str, Any] | None) -> AsyncIterator[tuple[str, Any]]:
    """The assistant's blocking stream of ("token", text) and ("answer", Answer), read off the
    event loop within the job's time limit; the job's slot is given back when the stream ends."""
    try:
        item = first
        while item is not None:
            yield item
            item = await job.call(next, stream, None)
    finally:
        job.close()


def log_stream_failure() -> None:
    logging.getLogger("radsarkiv.api").exception("Feil under strømming")
