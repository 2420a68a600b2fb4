"""The assistant: question (+ history) → cited Answer, extractive by default, LLM when configured."""
from __future__ import annotations

import re
import threading
from typing import Iterator

from assistant.answer import Answer
from assistant.compose import without_tags
from assistant.english_lead import with_english_lead
from assistant.extractive import ExtractiveAnswerer
from assistant.analysis import analyse
from assistant.prompts import phrase
from assistant.retrieval import Retriever, SearchFilters, get_retriever
from assistant.routing import interpret
from ingest.models import allowed_access
from ingest.settings import Settings, get_settings


class InvalidQuestion(ValueError):
    """A question the assistant will not process (empty, too long); the message is user-facing."""


class Assistant:
    def __init__(self, settings: Settings | None = None, retriever: Retriever | None = None):
        self.settings = settings or get_settings()
        self.retriever = retriever or get_retriever(self.settings)
        self.extractive = ExtractiveAnswerer(self.retriever)
        self._generator = None
        if self.settings.llm.base_url and self.settings.llm.model:
            from assistant.generation import LLMGenerator

            self._generator = LLMGenerator(self.settings.llm)

    def validate(self, question: str, history: list[dict] | None) -> str:
        if not isinstance(question, str) or not re.sub(r"[\s\u200b-\u200f\u2060\ufeff]+", "", question):
            raise InvalidQuestion("Spørsmålet er tomt.")
        if not re.search(r"[^\W_]", question):
            raise InvalidQuestion("Spørsmålet inneholder ingen ord å søke etter.")
        limit = self.settings.server.max_question_chars
        if len(question) > limit:
            raise InvalidQuestion(f"Spørsmålet er for langt ({len(question)} tegn; grensen er {limit}).")
        for turn in history or []:
            if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant") or not isinstance(turn.get("content"), str):
                raise InvalidQuestion("Historikken må være en liste av {\"role\": \"user\"|\"assistant\", \"content\": \"…\"}.")
        return question.strip()

    def ask(self, question: str, history: list[dict] | None = None, filters: SearchFilters | dict | None = None, role: str | None = None, on_token=None) -> Answer:
        question = self.validate(question, history)
        allowed_access(role)  # unknown roles fail here, before any retrieval
        if isinstance(filters, dict):
            filters = SearchFilters(**{k: v for k, v in filters.items() if v not in (None, "")})
        # The question is read once; its history is used only if it refers back (analysis.py).
        analysis = analyse(question, (history or [])[-8:])
        lang = analysis.language
        interpretation = interpret(question, analysis=analysis)
        from assistant.meeting_records import records_answer, resolve_council_short_numbers

        # Attendance, proposers, votes and municipal cases are answered from the meeting records,
        # for a question that stands on its own.
        if not analysis.history and (records := records_answer(question, lang, role, self.settings.register_path, self.retriever)) is not None:
            return records
        resolve_council_short_numbers(interpretation, self.retriever)  # "sak 01/17" → the council's case
        answer = self.extractive.answer(interpretation, lang, filters, role)
        answer.answer = without_tags(answer.answer)  # source HTML never reaches a reader (issue 14)
        # An English reader gets a lead that says, in English, what the Norwegian quotes hold.
        answer = with_english_lead(answer, question, analysis.answer_type)
        if self._generator is not None and not answer.refused and answer.route not in ("case_lookup", "meeting_agenda"):
            answer = self._generate(question, lang, list(analysis.history), answer, on_token)
        return answer

    def stream(self, question: str, history=None, filters=None, role=None) -> Iterator[tuple[str, object]]:
        """("token", text) pieces of the final answer, or ("draft", text) live model tokens, then
        ("answer", Answer).

        With an LLM the model's tokens arrive as drafts: unchecked text (bogus or [n.k] citations
        included) that the final Answer's validated text replaces, so a client that cannot replace
        what it showed (an OpenAI-style stream) must not forward them. The extractive answer is
        ready at once and is sent as tokens, in pieces.
        """
        import queue

        question = self.validate(question, history)  # fail before anything is streamed
        if self._generator is None:
            answer = self.ask(question, history, filters, role)
            for piece in _pieces(answer.answer):
                yield "token", piece
            yield "answer", answer
            return
        events: "queue.Queue[tuple[str, object]]" = queue.Queue()

        def work() -> None:
            try:
                events.put(("answer", self.ask(question, history, filters, role, on_token=lambda t: events.put(("draft", t)))))
            except Exception as error:  # surfaced to the caller's thread below
                events.put(("error", error))

        threading.Thread(target=work, daemon=True).start()
        while True:
            kind, value = events.get()
            if kind == "error":
                raise value  # type: ignore[misc]
            yield kind, value
            if kind == "answer":
                return

    def _generate(self, question, lang, history, extractive: Answer, on_token) -> Answer:
        """The model's answer from the retrieved passages (not only the extractive pick), its
        citations checked sentence by sentence; the extractive answer on any failure."""
        from assistant.generation import GenerationFailed
        from assistant.llm_sources import cite_sentences, passage_sources

        sources = passage_sources(extractive.context)
        info: dict = {"model": self.settings.llm.model, "extractive": extractive}
        try:
            result = self._generator.generate(question, lang, sources, history, on_token=on_token)
        except GenerationFailed as error:
            extractive.notes.append(phrase("note_generation_fallback", lang, reason=str(error)[:120]))
            extractive.generation = {**info, **error.details, "fallback": error.reason, "notes": list(error.notes)}
            return extractive
        info.update(
            sources=len(result.sources), first_token_s=result.first_token_s, elapsed_s=result.elapsed_s,
            completion_tokens=result.completion_tokens, prompt_tokens=result.prompt_tokens, raw_text=result.raw_text,
        )
        text, citations = cite_sentences(result.text, result.sources)
        if result.refused or not text.strip() or not citations:
            # Refusing is the archive's decision, and an answer without a checked citation is none.
            extractive.notes.extend(result.removed)
            extractive.generation = {**info, "fallback": "refused" if result.refused else "no valid citation"}
            return extractive
        return Answer(answer=text, citations=citations, refused=False, language=lang, route=extractive.route, context=extractive.context, notes=list(result.removed), generation=info)


def _pieces(text: str, size: int = 40) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


_assistant: Assistant | None = None
_assistant_lock = threading.Lock()


def get_assistant(settings: Settings | None = None) -> Assistant:
    global _assistant
    with _assistant_lock:
        if _assistant is None or (settings is not None and settings is not _assistant.settings):
            _assistant = Assistant(settings)
        return _assistant
