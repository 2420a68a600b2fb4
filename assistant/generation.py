"""The optional LLM answerer, for any OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server,
OpenAI, Azure OpenAI).

It talks the wire protocol directly with httpx (POST {base_url}/chat/completions, stream=True,
server-sent events), so no vendor SDK is needed. Whatever goes wrong on the wire — refused
connection, HTTP error, timeout, malformed stream, empty answer — becomes GenerationFailed, and the
caller falls back to the extractive answer.

The model reads the retrieved passages as numbered sources with marked sentences
(assistant/llm_sources.py), trimmed by rank to fit its context window (settings.llm
.context_tokens). Its citations are not trusted: `validate_citations` (assistant/citation_check.py)
checks every marker against the sources it was given and against what the cited source actually
says, and drops what is left uncited. The API key is sent only in the Authorization header and never logged or put in an error message.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from assistant.citation_check import is_refusal, validate_citations
from assistant.llm_sources import Source, estimate_tokens, fit_to_budget, render_text
from assistant.prompts import LANGUAGES, SOURCE_TAGS, Language, phrase
from ingest.settings import LLMSettings

__all__ = [
    "GenerationFailed", "GenerationResult", "LLMGenerator", "Source", "build_messages",
    "fit_messages", "is_configured", "validate_citations",
]

log = logging.getLogger(__name__)

HISTORY_TURNS = 6  # earlier chat messages passed on (three exchanges)
HISTORY_CHARS = 2000  # per message: old answers should not crowd out the sources


class GenerationFailed(RuntimeError):
    """The model could not produce a usable answer; fall back to the extractive answerer."""

    def __init__(self, reason: str, notes: list[str] | None = None, details: dict | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.notes = notes or []
        self.details = details or {}  # what the model wrote and how long it took, when it wrote


@dataclass
class GenerationResult:
    text: str  # the validated answer
    used_markers: list[str]  # valid markers left in text, in order of first use
    removed: list[str] = field(default_factory=list)  # notes on what validation removed
    raw_text: str = ""  # what the model produced
    refused: bool = False  # the model said the archive does not contain the answer
    sources: list[Source] = field(default_factory=list)  # what the model was given, as numbered
    # Measured on the wire: seconds to the first token, whole request, tokens generated (the
    # server's usage count when it sends one, else the number of streamed deltas).
    first_token_s: float | None = None
    elapsed_s: float = 0.0
    completion_tokens: int = 0
    prompt_tokens: int | None = None


def is_configured(settings: LLMSettings) -> bool:
    return bool(settings.base_url and settings.model)


# --- messages ------------------------------------------------------------------------------

_TAG_OPENING = re.compile(
    r"<(\s*/?\s*)(" + "|".join(map(re.escape, SOURCE_TAGS.values())) + r")\b", re.IGNORECASE
)


def _quoted(text: str) -> str:
    """Source text with our wrapper tags defused, so a document cannot end its own quotation."""
    return _TAG_OPENING.sub(lambda m: "‹" + m.group(1) + m.group(2), text)


def _attribute(value: str) -> str:
    return _quoted(value).replace('"', "'").replace("\n", " ")


def _source_block(source: Source, number: int, lang: Language) -> str:
    return phrase(
        "llm_source",
        lang,
        number=number,
        marker=_attribute(source.marker),
        document=_attribute(source.document or "–"),
        case=_attribute(source.case or "–"),
        page=source.page if source.page is not None else "–",
        text=_quoted(render_text(source, number)),
    )


def build_messages(
    question: str, lang: Language, sources: list[Source], history: list[dict] | None = None
) -> list[dict]:
    """Chat messages: the rules (system), recent conversation, then the numbered sources + question."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    blocks = [_source_block(source, number, lang) for number, source in enumerate(sources, start=1)]
    rendered = "\n\n".join(blocks) if blocks else phrase("llm_no_sources", lang)
    messages = [
        {"role": "system", "content": phrase("llm_system", lang, refusal=phrase("refusal", lang))}
    ]
    for turn in (history or [])[-HISTORY_TURNS:]:
        role, content = turn.get("role"), turn.get("content")
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            messages.append({"role": role, "content": content[:HISTORY_CHARS]})
    messages.append(
        {"role": "user", "content": phrase("llm_user", lang, sources=rendered, question=question)}
    )
    return messages


# Tokens a chat template adds around each message (role tags, separators). Not fitted: a high
# count for ChatML/Llama-style templates, which add 4–6.
_TEMPLATE_TOKENS = 8


def fit_messages(
    question: str,
    lang: Language,
    sources: list[Source],
    history: list[dict] | None,
    settings: LLMSettings,
) -> tuple[list[dict], list[Source]]:
    """The messages and the sources they carry, trimmed by rank so the prompt and a reply of
    settings.max_tokens fit settings.context_tokens."""
    frame = build_messages(question, lang, [], history)
    fixed = sum(estimate_tokens(m["content"]) + _TEMPLATE_TOKENS for m in frame)
    fixed -= estimate_tokens(phrase("llm_no_sources", lang))
    budget = settings.context_tokens - settings.max_tokens - fixed
    kept = fit_to_budget(
        sources, budget, lambda source, number: estimate_tokens(_source_block(source, number, lang)) + 1
    )
    return build_messages(question, lang, kept, history), kept


# --- the endpoint --------------------------------------------------------------------------


def _redacted(url: str) -> str:
    """scheme://host[:port]/path without any user:password@ part."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class LLMGenerator:
    def __init__(self, settings: LLMSettings) -> None:
        if not is_configured(settings):
            raise GenerationFailed("LLM not configured: base_url and model are both required")
        self.settings = settings
        # Azure-style base URLs carry ?api-version=...: the path goes before the query.
        parts = urlsplit(settings.base_url)  # type: ignore[arg-type]
        self.url = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/chat/completions"))

    def __repr__(self) -> str:  # LLMSettings' own repr would show the key
        return f"LLMGenerator(url={_redacted(self.url)!r}, model={self.settings.model!r})"

    def _payload(self, messages: list[dict]) -> dict:
        return {
            "model": self.settings.model,
            "messages": messages,
            "stream": True,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream", "Content-Type": "application/json"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
            headers["api-key"] = self.settings.api_key  # Azure OpenAI reads this one instead
        return headers

    def stream(
        self,
        question: str,
        lang: Language,
        sources: list[Source],
        history: list[dict] | None = None,
    ) -> Iterator[str]:
        """Yield the model's text deltas as they arrive; the generator's return value is the
        validated GenerationResult. The deltas are raw model output: a streaming client should
        replace what it showed with the final result's text."""
        messages, sources = fit_messages(question, lang, sources, history, self.settings)
        timeout = self.settings.timeout_s
        started = time.monotonic()
        deadline = started + timeout
        pieces: list[str] = []
        first_token: float | None = None
        usage: dict = {}
        log.info(
            "LLM request to %s (model %s, %d sources)",
            _redacted(self.url), self.settings.model, len(sources),
        )
        try:
            with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False) as client:
                with client.stream(
                    "POST", self.url, json=self._payload(messages), headers=self._headers()
                ) as response:
                    if response.status_code >= 400:
                        raise GenerationFailed(f"HTTP {response.status_code} from the LLM endpoint")
                    content_type = response.headers.get("content-type", "")
                    if "json" in content_type and "event-stream" not in content_type:
                        # A server that ignores stream=true answers with one JSON body.
                        text = _content_of_completion(response.read(), usage)
                        first_token = time.monotonic() - started
                        pieces.append(text)
                        yield text
                    else:
                        for delta in _sse_deltas(response.iter_lines(), deadline, timeout, usage):
                            if first_token is None:
                                first_token = time.monotonic() - started
                            pieces.append(delta)
                            yield delta
        except GenerationFailed:
            raise
        except httpx.TimeoutException:
            raise GenerationFailed(f"LLM endpoint timed out after {timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise GenerationFailed(
                f"LLM request to {_redacted(self.url)} failed: {type(exc).__name__}"
            ) from None

        elapsed = time.monotonic() - started
        raw = "".join(pieces).strip()
        if not raw:
            raise GenerationFailed("the LLM returned an empty answer")
        measured = {
            "raw_text": raw, "sources": len(sources), "first_token_s": first_token, "elapsed_s": elapsed,
            "completion_tokens": int(usage.get("completion_tokens") or len(pieces)),
            "prompt_tokens": usage.get("prompt_tokens"),
        }
        text, used, notes = validate_citations(raw, sources, lang)
        if not text.strip():
            raise GenerationFailed("no sentence of the LLM answer survived citation checks", notes, measured)
        return GenerationResult(
            text, used, notes, refused=is_refusal(text), sources=sources,
            **{k: v for k, v in measured.items() if k != "sources"},
        )

    def generate(
        self,
        question: str,
        lang: Language,
        sources: list[Source],
        history: list[dict] | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> GenerationResult:
        """The validated answer; on_token receives each raw delta as it arrives."""
        deltas = self.stream(question, lang, sources, history)
        while True:
            try:
                delta = next(deltas)
            except StopIteration as finished:
                return finished.value
            if on_token is not None:
                on_token(delta)


def _content_of_completion(body: bytes, usage: dict) -> str:
    try:
        completion = json.loads(body)
        if isinstance(completion.get("usage"), dict):
            usage.update(completion["usage"])
        return completion["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError):
        raise GenerationFailed("malformed JSON completion from the LLM endpoint") from None


def _sse_deltas(lines: Iterator[str], deadline: float, timeout: float, usage: dict) -> Iterator[str]:
    finished = False
    for line in lines:
        if time.monotonic() > deadline:
            raise GenerationFailed(f"LLM endpoint timed out after {timeout:g}s")
        if not line.strip() or line.startswith(":"):
            continue  # event separator or keep-alive comment
        if line.startswith(("event:", "id:", "retry:")):
            continue
        if not line.startswith("data:"):
            raise GenerationFailed("malformed event stream from the LLM endpoint")
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            chunk = json.loads(data)
        except ValueError:
            raise GenerationFailed("malformed event stream from the LLM endpoint") from None
        if not isinstance(chunk, dict):
            raise GenerationFailed("malformed event stream from the LLM endpoint")
        if "error" in chunk:
            raise GenerationFailed("the LLM endpoint reported an error mid-stream")
        if isinstance(chunk.get("usage"), dict):
            usage.update(chunk["usage"])
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            raise GenerationFailed("malformed event stream from the LLM endpoint")
        if not choices:
            continue  # e.g. a final usage-only chunk
        choice = choices[0] if isinstance(choices[0], dict) else {}
        content = (choice.get("delta") or {}).get("content")
        if content:
            yield content
        finished = finished or bool(choice.get("finish_reason"))
    if not finished:
        raise GenerationFailed("the LLM event stream ended before the answer was complete")
