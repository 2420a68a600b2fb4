"""The page a quote really stands on.

A chunk records the pages it spans (page_start … page_end); a quote from its end may lie on a
later page than the chunk begins ("the last mandate item is on p. 84", not 83). The quote is
located in the PDF rendition's text with ingest's PageLocator (letters and digits only, so line
breaks and hyphens do not matter), searching forward from the chunk's first page; a marker that
carries a page is then rewritten to the page found.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from pathlib import Path

from assistant.answer import Answer

# A chunk spans a few pages at most: a match further on is the same words elsewhere.
MAX_PAGE_SPREAD = 3
_PAGE_MARKER = re.compile(r", s\. (\d+)(?: \(\d+\))?\]$")


class QuotePages:
    """PDF page texts per document, read once per file version (in the background from the
    start, so the first answer does not pay for reading a 100-page PDF)."""

    def __init__(self, retriever, warm: bool = True) -> None:
        self.retriever = retriever
        self._locators: dict[str, tuple[tuple, object]] = {}
        self._lock = threading.Lock()
        if warm:
            threading.Thread(target=self._warm, name="quote-pages", daemon=True).start()

    def _pdfs(self) -> dict[str, Path]:
        from ingest.store.register import Register

        register = Register.open_readonly(self.retriever.settings.register_path)
        try:
            documents = register.documents("admin")  # file locations only; nothing is shown
        finally:
            register.close()
        return {d["doc_id"]: Path(p) for d in documents for p in d.get("renditions", []) if p.lower().endswith(".pdf")}

    def _warm(self) -> None:
        try:
            for doc_id in self._pdfs():
                self._locator(doc_id)
        except Exception:  # noqa: BLE001 — no index yet: pages are looked up on first use
            pass

    def _locator(self, doc_id: str):
        from ingest.pages import PageLocator
        from ingest.readers import read_document

        with self._lock:
            try:
                pdf = self._pdfs().get(doc_id)
                stat = pdf.stat() if pdf is not None else None
            except Exception:  # noqa: BLE001 — no index or no file: the chunk's page stays
                return None
            if stat is None:
                return None
            version = (str(pdf), stat.st_mtime_ns, stat.st_size)
            cached = self._locators.get(doc_id)
            if cached is None or cached[0] != version:
                try:
                    locator = PageLocator(read_document(pdf).pages)
                except Exception:  # noqa: BLE001 — pages are a convenience
                    locator = None
                self._locators[doc_id] = cached = (version, locator)
            return cached[1]

    def page_of(self, doc_id: str, quote: str, start_page: int) -> int | None:
        locator = self._locator(doc_id)
        if locator is None or start_page not in locator.numbers:
            return None
        # From the page before: a chunk's page is found from its body, and the heading it opens
        # with may stand at the foot of the previous page.
        index = locator.numbers.index(start_page)
        start = locator.starts[max(0, index - 1)]
        # NFKC: "CO₂" in a quote is "CO2" in the PDF text.
        position = locator.find(unicodedata.normalize("NFKC", quote), start=start, min_length=12)
        if position is None or position < start:
            return None
        page = locator.page_at(position)
        return page if page is not None and start_page - 1 <= page <= start_page + MAX_PAGE_SPREAD else None

    def pin(self, answer: Answer) -> Answer:
        """The answer with each paged citation on the page its quote stands on; markers follow."""
        changed = False
        for citation in answer.citations:
            if citation.page is None or not _PAGE_MARKER.search(citation.marker):
                continue
            page = self.page_of(citation.doc_id, citation.quote, citation.page)
            if page is not None and page != citation.page:
                citation.page = page
                changed = True
        if not changed:
            return answer
        renamed: dict[str, str] = {}
        used: set[str] = set()
        for citation in answer.citations:
            base = _PAGE_MARKER.sub(f", s. {citation.page}]", citation.marker) if citation.page is not None else re.sub(r" \(\d+\)\]$", "]", citation.marker)
            marker, number = base, 1
            while marker in used:
                number += 1
                marker = f"{base[:-1]} ({number})]"
            used.add(marker)
            renamed[citation.marker] = marker
        text = answer.answer
        old_markers = sorted(renamed, key=len, reverse=True)  # "(2)]" before its prefix
        for index, old in enumerate(old_markers):
            text = text.replace(old, f"\x00{index}\x00")
        for index, old in enumerate(old_markers):
            text = text.replace(f"\x00{index}\x00", renamed[old])
        for citation in answer.citations:
            citation.marker = renamed[citation.marker]
        answer.answer = text
        return answer
