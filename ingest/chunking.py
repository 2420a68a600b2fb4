"""ParsedDocument → chunks that never cross a case boundary, each with its council metadata.

A chunk holds whole sentences of one section of one part, under the literal headings it stands
beneath (the case heading or attachment title, then the section heading), so a passage about
"Vedtak: Tas til orientering" still says which case it is. Every line is archive text, so any
quote taken from a chunk can be found in the archive. Metadata (dates, meeting, page, access)
is stored beside the text, never embedded with it.
"""
from __future__ import annotations

import hashlib
from typing import Callable

from ingest.models import Case, Chunk, ParsedDocument, Part, Section
from ingest.sentences import split_sentences

TokenCounter = Callable[[str], int]


def approximate_tokens(text: str) -> int:
    return int(len(text.split()) * 1.7) + 2


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunk_document(
    document: ParsedDocument,
    chunk_tokens: int = 220,
    overlap_sentences: int = 1,
    count_tokens: TokenCounter = approximate_tokens,
) -> list[Chunk]:
    cases = {case.number: case for case in document.cases}
    chunks: list[Chunk] = []
    for part in document.parts:
        case = cases.get(part.case) if part.case else None
        opener = _case_opener(part, case) or (part.title if part.kind in ("attachment", "report", "article") else None)
        for section in part.sections:
            texts = _section_chunks(section, opener, chunk_tokens, overlap_sentences, count_tokens)
            for text in texts:
                chunks.append(_make_chunk(document, part, section, case, text, len(chunks)))
    return chunks


def _case_opener(part: Part, case: Case | None) -> str | None:
    """The literal heading that opens a case paper or a case in the minutes."""
    if case is None or part.kind not in ("case_paper", "minutes"):
        return None
    if part.kind == "minutes" and case.source != "referat":
        return None
    heading = case.literal_heading
    title = case.paper_title if part.kind == "case_paper" else case.title
    if title and title not in heading:
        heading = f"{heading}\n{title}"
    return heading


def _section_chunks(section: Section, opener: str | None, limit: int, overlap: int, count: TokenCounter) -> list[str]:
    sentences = split_sentences(section.text) if section.text else []
    heading = section.heading if section.heading and not (opener and section.heading in opener) else None
    head_lines = [line for line in (opener, heading) if line]
    head = "\n".join(head_lines)
    if not sentences:
        return [head] if head and section.kind not in ("body",) else []
    chunks: list[str] = []
    current: list[str] = []
    head_tokens = count(head) if head else 0  # every chunk repeats its headings
    current_tokens = head_tokens
    for sentence in sentences:
        tokens = count(sentence)
        if current and current_tokens + tokens > limit:
            chunks.append(_join(head, current, section.text))
            current = current[-overlap:] if overlap else []
            current_tokens = head_tokens + sum(count(s) for s in current)
            if current and current_tokens + tokens > limit:
                current, current_tokens = [], head_tokens  # no room for the overlap sentence
        current.append(sentence)
        current_tokens += tokens
    if current:
        chunks.append(_join(head, current, section.text))
    return chunks


def _join(head: str | None, sentences: list[str], source: str) -> str:
    """Sentences rejoined as they stood: a line break where the source had one, else a space."""
    body = sentences[0]
    for previous, sentence in zip(sentences, sentences[1:]):
        position = source.find(sentence[:40])
        separator = "\n" if position > 0 and source[position - 1] == "\n" else " "
        body = f"{body}{separator}{sentence}"
    return f"{head}\n{body}" if head else body


def _make_chunk(document: ParsedDocument, part: Part, section: Section, case: Case | None, text: str, position: int) -> Chunk:
    digest = content_hash(text)
    date = part.date or (case.date if case else None) or document.date
    metadata = {
        "doc_id": document.doc_id,
        "document": document.title,
        "doc_type": document.doc_type,
        "access": document.access,
        "case": part.case,
        "case_title": case.title if case else None,
        "meeting": part.meeting or (case.meeting if case else None) or document.meeting,
        "date": date,
        "year": int(date[:4]) if date else None,
        "part": part.kind,
        "part_title": part.title,
        "section": section.heading,
        "section_kind": section.kind,
        "page_start": section.page_start,
        "page_end": section.page_end,
        "content_hash": digest,
    }
    chunk_id = f"{document.doc_id}#{position:04d}-{digest[:10]}"
    return Chunk(chunk_id=chunk_id, doc_id=document.doc_id, text=text, position=position, metadata=metadata)
