"""Page numbers for chunks parsed from a text rendition, taken from the PDF rendition.

The text rendition carries the structure; the PDF is what people open. Each chunk's first and
last sentences are located in the PDF's text (compared as letters and digits only, so line
wrapping, hyphens and markup do not matter), and the pages found are recorded on the chunk.
"""
from __future__ import annotations

import bisect
import re

from ingest.models import Chunk, Page, ParsedDocument
from ingest.sentences import split_sentences

_NOT_ALNUM = re.compile(r"[^0-9a-zæøåäöéü]+")
_TAG = re.compile(r"<[^>]{1,40}>")
# A sentence is known by its first letters and digits: long enough to tell a chunk's sentences
# apart, short enough to keep the metadata small.
SENTENCE_KEY = 32


def squeeze(text: str) -> str:
    return _NOT_ALNUM.sub("", _TAG.sub("", text.lower()))


class PageLocator:
    def __init__(self, pages: list[Page]):
        pieces, self.starts, self.numbers = [], [], []
        offset = 0
        for page in pages:
            self.starts.append(offset)
            self.numbers.append(page.number)
            squeezed = squeeze(page.text)
            pieces.append(squeezed)
            offset += len(squeezed)
        self.text = "".join(pieces)

    def find(self, fragment: str, start: int = 0, min_length: int = 5) -> int | None:
        """Where fragment begins, searching forward from start. Only a distinctive fragment (12+
        letters) may be looked for behind start too: a short one ("Intet.") occurs everywhere."""
        key = squeeze(fragment)[:80]
        if len(key) < min_length:
            return None
        position = self.text.find(key, max(0, start))
        if position < 0 and len(key) >= 12:
            position = self.text.find(key)
        return position if position >= 0 else None

    def page_at(self, position: int) -> int | None:
        return self.numbers[max(0, bisect.bisect_right(self.starts, position) - 1)]


def _head_lines(chunk: Chunk, cases: dict) -> set[str]:
    """The headings a chunk opens with (case heading, title, section): they also stand in the
    agenda and elsewhere, so they say nothing about where the chunk's own text is."""
    meta = chunk.metadata
    heads = {meta.get("section") or "", meta.get("part_title") or ""}
    case = cases.get(meta.get("case"))
    if case is not None:
        heads |= {case.literal_heading, case.title or "", case.paper_title or "", case.agenda_title or ""}
    return {head for head in heads if head}


def _sentence_pages(heads: list[str], body: list[str], locator: PageLocator, first: int, first_page: int | None, spans_pages: bool) -> str:
    """Where quotes from a chunk stand when that is not the chunk's first page, as
    "page:key|page:key" (key: the first letters and digits from that point on, see SENTENCE_KEY);
    quote_page reads it. A string, because the vector store keeps only scalar metadata.

    - The headings a chunk repeats (case heading, section) stand where they are printed: the
      nearest place before the chunk's text.
    - In a chunk that runs over a page break, each sentence on a later page."""
    entries = []
    for head in heads:
        key = squeeze(head)
        found = locator.text.rfind(key[:80], 0, first + 1) if len(key) >= 5 else -1
        if found >= 0 and locator.page_at(found) != first_page:
            entries.append(f"{locator.page_at(found)}:{key[:SENTENCE_KEY]}")
    if spans_pages:
        text = "\n".join(body)
        position, offset = first, 0
        for sentence in split_sentences(text):
            offset = max(text.find(sentence, offset), offset)
            found = locator.find(sentence, position)
            if found is None or found < position:
                continue
            position = found
            if locator.page_at(found) != first_page:
                entries.append(f"{locator.page_at(found)}:{squeeze(text[offset:])[:SENTENCE_KEY]}")
    return "|".join(entries)


def quote_page(quote: str, metadata: dict) -> int | None:
    """The page a quote from a chunk starts on: the chunk's first page, unless the quote begins
    with a sentence the chunk records on a later page."""
    key = squeeze(quote)[:SENTENCE_KEY]
    for entry in str(metadata.get("sentence_pages") or "").split("|"):
        page, _, prefix = entry.partition(":")
        # The quote starts where the entry does: it begins with the entry's letters, or is all of
        # them (a short quote at the end of a chunk). A very short quote ("Intet.") must be whole.
        if prefix and (key.startswith(prefix) or (len(key) >= 12 and prefix.startswith(key)) or key == prefix):
            return int(page)
    return metadata.get("page_start")


def assign_pages(document: ParsedDocument, chunks: list[Chunk], pdf_pages: list[Page]) -> None:
    """Locate each chunk's text in the PDF, in document order, and record its first and last page."""
    locator = PageLocator(pdf_pages)
    cases = {case.number: case for case in document.cases}
    cursor = 0
    previous: tuple | None = None
    for chunk in chunks:
        lines = [line for line in chunk.text.split("\n") if squeeze(line)]
        heads = _head_lines(chunk, cases)
        body = list(lines)
        while len(body) > 1 and body[0] in heads:
            body.pop(0)
        if not body:
            continue
        # Only a chunk of the same section can begin inside the previous one (one sentence overlap).
        section = (chunk.metadata.get("part"), chunk.metadata.get("part_title"), chunk.metadata.get("case"), chunk.metadata.get("section"))
        first = locator.find(body[0], cursor if section == previous else cursor + 1)
        if first is None:
            continue
        last = locator.find(body[-1], first) if len(body) > 1 else first
        if last is None or last < first:
            last = first
        end = min(last + max(len(squeeze(body[-1])) - 1, 0), len(locator.text) - 1)
        chunk.metadata["page_start"] = locator.page_at(first)
        chunk.metadata["page_end"] = max(locator.page_at(end) or 0, chunk.metadata["page_start"] or 0)
        spans_pages = chunk.metadata["page_end"] != chunk.metadata["page_start"]
        turns = _sentence_pages(lines[: len(lines) - len(body)], body, locator, first, chunk.metadata["page_start"], spans_pages)
        if turns:
            chunk.metadata["sentence_pages"] = turns
        if first >= cursor:
            cursor, previous = last, section
    for case in document.cases:
        # A paper spans its own text and its attachments; a minutes case its part of the minutes.
        parts = ("case_paper", "attachment") if case.source == "saksfremlegg" else ("minutes",)
        own = [c.metadata for c in chunks if c.metadata.get("case") == case.number and c.metadata.get("page_start")
               and c.metadata.get("part") in parts]
        if own:
            case.page_start = min(m["page_start"] for m in own)
            case.page_end = max(m["page_end"] for m in own)
