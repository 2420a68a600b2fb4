"""An OpenAI-compatible face: POST /v1/chat/completions (incl. stream=true) and GET /v1/models.

Any OpenAI client (the `openai` package, Open WebUI, …) can use the archive as the model
"radsarkiv". The last user message is the question, earlier user/assistant messages the history;
system messages are ignored (the assistant's rules are not negotiable). The sources are written
into the message text as a "Kilder:" list, since OpenAI's format has no place for them.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sse_starlette.sse import EventSourceResponse

from assistant.prompts import phrase
from ui.api.ask import log_stream_failure, start_stream, stream_items
from ui.api.errors import ApiError
from ui.api.limits import check_content_parts, check_earlier_messages, check_question_length, reject_invalid_unicode
from ui.api.render import answer_with_sources, sources_markdown, strip_sources
from ui.api.state import AppState, get_state, principal
from ui.auth import Principal

MODEL_ID = "radsarkiv"
CREATED = 1767225600  # 2026-01-01, a fixed "created" for the one model

router = APIRouter(prefix="/v1", tags=["openai"])


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")  # image_url, … are accepted and ignored

    type: str
    text: str | None = None  # a text part whose text is not a string is a 422, not a question

    @model_validator(mode="after")
    def _text_part_has_text(self) -> ContentPart:
        if self.type == "text" and self.text is None:
            raise ValueError("en innholdsdel av typen «text» må ha feltet «text»")
        return self


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[ContentPart] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, … are accepted and ignored

    model: str = MODEL_ID
    messages: list[Message] = Field(..., min_length=1)
    stream: bool = False


def _text(content: str | list[ContentPart] | None) -> str:
    if isinstance(content, list):
        return "\n".join(part.text or "" for part in content if part.type == "text")
    return content or ""


def check_messages(state: AppState, body: ChatRequest) -> None:
    """The bounds of a /v1 conversation (every message, system ones too), before any work (413/400)."""
    settings = state.settings
    for number, message in enumerate(body.messages, start=1):
        if isinstance(message.content, list):
            check_content_parts(settings, number, len(message.content))
    texts = [_text(m.content) for m in body.messages]
    asks = body.messages[-1].role == "user"  # the last message is the question
    if asks:
        check_question_length(settings, texts[-1])
    # An earlier answer is measured as it is passed on: without the sources list we appended.
    earlier = [(m.role, strip_sources(text) if m.role == "assistant" else text) for m, text in zip(body.messages, texts)]
    check_earlier_messages(settings, earlier[:-1] if asks else earlier)
    fields: list[tuple[str, object]] = [("model", body.model)]
    fields += [(f"messages.{i}.content", text) for i, text in enumerate(texts)]
    fields += [(f"messages.{i}.role", m.role) for i, m in enumerate(body.messages)]
    reject_invalid_unicode(fields)


def conversation(body: ChatRequest) -> tuple[str, list[dict[str, str]]]:
    if body.model != MODEL_ID:
        raise ApiError(404, phrase("api_error_model_not_found", "nb", model=body.model[:60], expected=MODEL_ID))
    turns = [m for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise ApiError(400, phrase("api_error_no_user_message", "nb"))
    history = [{"role": m.role, "content": strip_sources(_text(m.content))} for m in turns[:-1]]
    return _text(turns[-1].content), history


def _ask(state: AppState, question: str, history: list[dict[str, str]], role: str):
    from assistant.service import InvalidQuestion

    try:
        return state.assistant.ask(question, history=history, role=role)
    except InvalidQuestion as error:
        raise ApiError(400, str(error)) from None


def _chunk(completion_id: str, delta: dict[str, Any], finish: str | None = None) -> str:
    return json.dumps({
        "id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }, ensure_ascii=False)


@router.get("/models", summary="Modellene (én: radsarkiv)")
async def models(who: Principal = Depends(principal)) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": CREATED, "owned_by": "helseomsorg21-radet"}]}


@router.post("/chat/completions", summary="OpenAI-kompatibel chat (stream=true gir chat.completion.chunk + [DONE])")
async def chat_completions(body: ChatRequest, who: Principal = Depends(principal), state: AppState = Depends(get_state)):
    check_messages(state, body)
    question, history = conversation(body)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    if not body.stream:
        answer = await state.answers.run(_ask, state, question, history, who.role)
        content = answer_with_sources(answer)
        return {
            "id": completion_id, "object": "chat.completion", "created": int(time.time()), "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(question.split()), "completion_tokens": len(content.split()), "total_tokens": len(question.split()) + len(content.split())},
        }
    # Refusals and the time limit answer as plain JSON errors before the stream starts.
    job = state.answers.open()
    try:
        stream, first = await job.call(start_stream, state, question, history, None, who.role)
    except BaseException:
        job.close()
        raise

    async def events():
        yield {"data": _chunk(completion_id, {"role": "assistant", "content": ""})}
        try:
            streamed = False
            async for kind, value in stream_items(job, stream, first):
                if kind == "token":
                    streamed = True
                    yield {"data": _chunk(completion_id, {"content": value})}
                elif kind == "answer":
                    # A model's drafts are never forwarded (a client cannot take back what it
                    # showed): the checked answer goes out whole once it is ready.
                    if not streamed:
                        yield {"data": _chunk(completion_id, {"content": value.answer})}
                    sources = sources_markdown(value)
                    if sources:
                        yield {"data": _chunk(completion_id, {"content": "\n\n" + sources})}
        except ApiError as error:  # the time limit ran out mid-stream
            yield {"data": json.dumps({"error": {"message": error.message, "type": "server_error", "code": error.status}}, ensure_ascii=False)}
        except Exception:  # noqa: BLE001 — in-band error once streaming has begun
            log_stream_failure()
            yield {"data": json.dumps({"error": {"message": phrase("api_error_internal", "nb"), "type": "server_error"}}, ensure_ascii=False)}
        yield {"data": _chunk(completion_id, {}, "stop")}
        yield {"data": "[DONE]"}

    return EventSourceResponse(job.guard(events()), ping=15)
