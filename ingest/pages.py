"""Page numbers for chunks parsed from a text rendition, taken from the PDF rendition.

The text rendition carries the structure; the PDF is what people open. Each chunk's first and
last sentences are located in the PDF's text (compared as letters and digits only, so line
wrapping, hyphens and markup do not matter), and the pages found are recorded on the chunk.
"""
from __future__ import annotations

import bisect
import re

from ingest.models import Chunk, Page, ParsedDocument

_NOT_ALNUM = re.compile(r"[^0-9a-zæøåäöéü]+")
_TAG = re.compile(r"<[^>]{1,40}>")


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

    def page_of(self, fragment: str, near: int = 0) -> tuple[int | None, int]:
        key = squeeze(fragment)[:80]
        if len(key) < 12:
            return None, near
        position = self.text.find(key, max(0, near - 2000))
        if position < 0:
            position = self.text.find(key)
        if position < 0:
            return None, near
        index = bisect.bisect_right(self.starts, position) - 1
        return self.numbers[index], position


def assign_pages(document: ParsedDocument, chunks: list[Chunk], pdf_pages: list[Page]) -> None:
    locator = PageLocator(pdf_pages)
    cursor = 0
    for chunk in chunks:
        lines = [line for line in chunk.text.split("\n") if len(squeeze(line)) >= 12]
        if not lines:
            continue
        body = lines[-1] if len(lines) == 1 else lines[1:] or lines
        first_line = body[0] if isinstance(body, list) else body
        last_line = body[-1] if isinstance(body, list) else body
        start, position = locator.page_of(first_line, cursor)
        end, _ = locator.page_of(last_line[-120:], position)
        if start is not None:
            cursor = position
            chunk.metadata["page_start"] = start
            chunk.metadata["page_end"] = end if end is not None and end >= start else start
    for case in document.cases:
        pages = [c.metadata["page_start"] for c in chunks if c.metadata.get("case") == case.number and c.metadata.get("page_start") and c.metadata.get("part") in ("case_paper", "minutes")]
        if pages:
            case.page_start, case.page_end = min(pages), max(c.metadata["page_end"] or 0 for c in chunks if c.metadata.get("case") == case.number and c.metadata.get("page_start") and c.metadata.get("part") in ("case_paper", "minutes"))
