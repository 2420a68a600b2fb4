"""What the language model reads: the retrieved passages as numbered sources, every sentence of
a passage marked ([2.3] is sentence 3 of source 2) so the model can cite the very sentence its
claim rests on, all within the model's context window.

The passages are the ones the archive retrieved for the question, in rank order, not the
sentences the extractive answerer picked: when that pick is wrong the model can still read the
passage that holds the answer. A cited sentence becomes a Citation whose quote is that sentence,
verbatim, under the same human-readable marker ([Sak 19/2/2026], [Årsrapport 2025, s. 4]) the
extractive answers use.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.answer import Citation, RetrievedPassage
from assistant.compose import CitationBook, source_marker
from ingest.sentences import split_sentences

SENTENCE_ID = re.compile(r"\[(\d{1,3})\.(\d{1,3})\]")
# Below this many tokens left for sources, a source is not worth sending: the prompt would be
# all rules and no evidence. Not fitted: one short sentence with its source header.
MIN_SOURCE_TOKENS = 40


@dataclass(frozen=True)
class Source:
    """One passage offered to the model, with the marker it may cite it by."""

    marker: str  # e.g. "[Sak 19/2/2026]", "[Årsrapport 2025, s. 4]" or "[3]"
    text: str  # the literal archive passage
    case: str | None = None
    document: str | None = None
    page: int | None = None
    # The passage's sentences in order; when given, each is shown and cited as [n.k].
    sentences: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def sentence_id(number: int, index: int) -> str:
    return f"[{number}.{index}]"


def estimate_tokens(text: str) -> int:
    """A deliberately high token count for text we cannot tokenize here (the tokenizer lives on
    the server). Not fitted, measured: SmolLM2's English-centric tokenizer cuts our Norwegian
    prompts at 2.1 characters a token (4 508 characters, 2 113 tokens); multilingual tokenizers
    do better. At 2 characters a token the prompt stays inside the window; erring high only costs
    a passage at the end of the list. A prompt over the window is not a soft failure: llama.cpp's
    server answers 200 and then closes the stream without a token."""
    return int(len(text) / 2.0) + 1


def passage_sources(passages: Sequence[RetrievedPassage]) -> list[Source]:
    """The retrieved passages as sources, in rank order, each split into its sentences."""
    sources: list[Source] = []
    seen: set[str] = set()
    for passage in passages:
        if passage.chunk_id in seen or not passage.text.strip():
            continue
        seen.add(passage.chunk_id)
        meta = dict(passage.metadata)
        sources.append(
            Source(
                marker=source_marker(meta),
                text=passage.text,
                case=meta.get("case"),
                document=meta.get("document") or meta.get("doc_id"),
                page=meta.get("page_start"),
                sentences=tuple(split_sentences(passage.text)) or (passage.text.strip(),),
                metadata=meta,
            )
        )
    return sources


def fit_to_budget(sources: Sequence[Source], budget: int, cost) -> list[Source]:
    """The leading sources that fit `budget` tokens, by rank: lower-ranked passages go first,
    and the last one that fits only in part keeps its leading whole sentences. `cost(source,
    number)` is the estimated tokens of a source as rendered in the prompt."""
    kept: list[Source] = []
    left = budget
    for number, source in enumerate(sources, start=1):
        need = cost(source, number)
        if need <= left:
            kept.append(source)
            left -= need
            continue
        if source.sentences and left >= MIN_SOURCE_TOKENS:
            for count in range(len(source.sentences) - 1, 0, -1):
                part = trimmed(source, count)
                if cost(part, number) <= left:
                    kept.append(part)
                    break
        break
    return kept


def trimmed(source: Source, count: int) -> Source:
    """The source cut after its first `count` sentences (a cut never falls inside a sentence)."""
    sentences = source.sentences[:count]
    return replace(source, sentences=sentences, text="\n".join(sentences))


def render_text(source: Source, number: int) -> str:
    """The passage as the model sees it: one marked sentence a line, or the plain text."""
    if not source.sentences:
        return source.text.strip()
    return "\n".join(
        f"{sentence_id(number, index)} {sentence}" for index, sentence in enumerate(source.sentences, 1)
    )


def cite_sentences(text: str, sources: Sequence[Source]) -> tuple[str, list[Citation]]:
    """Replace each [n.k] in a validated answer by the archive marker of that sentence's source,
    with the sentence as the citation's quote. Markers stay unique within the answer."""
    book = CitationBook()

    def marker(match: re.Match) -> str:
        number, index = int(match.group(1)), int(match.group(2))
        if not (1 <= number <= len(sources) and 1 <= index <= len(sources[number - 1].sentences)):
            return ""  # cannot happen after validation; never let a stray id through
        source = sources[number - 1]
        return book.cite(source.sentences[index - 1], source.metadata)

    cited = SENTENCE_ID.sub(marker, text)
    # Two ids for the same quote in one place become one marker, written once.
    cited = re.sub(r"(\[[^\[\]\n]+\])(?:\s*\1)+", r"\1", cited)
    return cited, book.citations
