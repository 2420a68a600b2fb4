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
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from assistant.prompts import phrase
from ui.api.ask import check_question, log_stream_failure, stream_items
from ui.api.errors import ApiError
from ui.api.render import answer_with_sources, sources_markdown, strip_sources
from ui.api.state import AppState, get_state, principal
from ui.auth import Principal

MODEL_ID = "radsarkiv"
CREATED = 1767225600  # 2026-01-01, a fixed "created" for the one model

router = APIRouter(prefix="/v1", tags=["openai"])


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, … are accepted and ignored

    model: str = MODEL_ID
    messages: list[Message] = Field(..., min_length=1)
    stream: bool = False


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if part.get("type") == "text")
    return content or ""


def conversation(body: ChatRequest) -> tuple[str, list[dict[str, str]]]:
    if body.model != MODEL_ID:
        raise ApiError(404, phrase("api_error_model_not_found", "nb", model=body.model[:60], expected=MODEL_ID))
    turns = [m for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise ApiError(400, phrase("api_error_no_user_message", "nb"))
    history = [{"role": m.role, "content": strip_sources(_text(m.content))} for m in turns[:-1]]
    return _text(turns[-1].content), history


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
    question, history = conversation(body)
    await run_in_threadpool(check_question, state, question, history)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    if not body.stream:
        answer = await run_in_threadpool(lambda: state.assistant.ask(question, history=history, role=who.role))
        content = answer_with_sources(answer)
        return {
            "id": completion_id, "object": "chat.completion", "created": int(time.time()), "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(question.split()), "completion_tokens": len(content.split()), "total_tokens": len(question.split()) + len(content.split())},
        }
    stream = state.assistant.stream(question, history=history, role=who.role)

    async def events():
        yield {"data": _chunk(completion_id, {"role": "assistant", "content": ""})}
        try:
            async for kind, value in stream_items(stream):
                if kind == "token":
                    yield {"data": _chunk(completion_id, {"content": value})}
                else:
                    sources = sources_markdown(value)
                    if sources:
                        yield {"data": _chunk(completion_id, {"content": "\n\n" + sources})}
        except Exception:  # noqa: BLE001 — in-band error once streaming has begun
            log_stream_failure()
            yield {"data": json.dumps({"error": {"message": phrase("api_error_internal", "nb"), "type": "server_error"}}, ensure_ascii=False)}
        yield {"data": _chunk(completion_id, {}, "stop")}
        yield {"data": "[DONE]"}

    return EventSourceResponse(events(), ping=15)
