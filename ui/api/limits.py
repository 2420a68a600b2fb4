"""Bounds on one question request, checked on the event loop before any work is done.

A red team found that a 1 MB history turn or a /v1 content part whose text was not a string kept
the server busy for minutes (the follow-up topic is embedded, and embedding cost grows with the
text). So the whole conversation is bounded, not only the question: each earlier message, all of
them together, how many there are, and (for /v1) how many content parts a message has. Anything
over a bound is 413, a lone surrogate (which no UTF-8 text can hold) 400; wrong types are already
422 from the request models. The numbers are settings (server section of ingest/settings.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.prompts import phrase
from ingest.settings import Settings
from ui.api.errors import ApiError

# After JSON decoding a valid pair is one code point, so any surrogate left is a lone one.
_SURROGATE = re.compile("[\ud800-\udfff]")


def reject_invalid_unicode(fields: Iterable[tuple[str, object]]) -> None:
    """400 for the first text field holding a lone surrogate (it would fail on every encode later)."""
    for name, value in fields:
        if isinstance(value, str) and _SURROGATE.search(value):
            raise ApiError(400, phrase("api_error_invalid_unicode", "nb", field=name[:60]))


def check_question_length(settings: Settings, question: str) -> None:
    limit = settings.server.max_question_chars
    if len(question) > limit:
        raise ApiError(413, phrase("error_question_too_long", "nb", length=len(question), limit=limit))


def check_earlier_messages(settings: Settings, turns: list[tuple[str, str]]) -> None:
    """413 for too many earlier (role, text) messages, one too long, or all too long together.

    An earlier user message was itself a question, so it has the question's limit; a follow-up
    folds it into the text that is embedded, which is what made a long one so costly."""
    server = settings.server
    if len(turns) > server.max_history_turns:
        raise ApiError(413, phrase("api_error_too_many_turns", "nb", count=len(turns), limit=server.max_history_turns))
    total = 0
    for number, (role, text) in enumerate(turns, start=1):
        limit = server.max_question_chars if role == "user" else server.max_turn_chars
        if len(text) > limit:
            raise ApiError(413, phrase("api_error_turn_too_long", "nb", number=number, length=len(text), limit=limit))
        total += len(text)
    if total > server.max_history_chars:
        raise ApiError(413, phrase("api_error_history_too_long", "nb", length=total, limit=server.max_history_chars))


def check_conversation(settings: Settings, question: str, history: list[dict[str, str]], other: dict[str, object] | None = None) -> None:
    """The /api/ask and /api/chat bounds: question, history, and any other text fields (filters)."""
    check_question_length(settings, question)
    check_earlier_messages(settings, [(turn["role"], turn["content"]) for turn in history])
    fields: list[tuple[str, object]] = [("question", question)]
    fields += [(f"history.{i}.content", turn["content"]) for i, turn in enumerate(history)]
    fields += list((other or {}).items())
    reject_invalid_unicode(fields)


def check_content_parts(settings: Settings, number: int, count: int) -> None:
    limit = settings.server.max_content_parts
    if count > limit:
        raise ApiError(413, phrase("api_error_too_many_parts", "nb", number=number, count=count, limit=limit))
