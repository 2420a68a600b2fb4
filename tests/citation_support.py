"""Where a citation says its quote is, it must be: in the text of the document it names and, for
a document with pages (a PDF rendition), on the page it names.

Texts are compared as letters and digits only (ingest.pages.squeeze), so line wrapping, markup
and a page break inside a quote do not matter; anything else does. A quote is shown as plain text
(assistant.compose.plain_text: a Markdown link reads as its text), so the archive is read the same way.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.pages import squeeze


@dataclass
class ArchiveText:
    """Each document's text and, where it has a PDF rendition, its pages, read from the index."""

    texts: dict[str, str] = field(default_factory=dict)
    pages: dict[str, list[tuple[int | None, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, settings) -> "ArchiveText":
        from assistant.compose import plain_text
        from ingest.readers import read_document
        from ingest.store.register import Register

        archive = cls()
        register = Register.open_readonly(settings.register_path)
        try:
            rows = list(register.db.execute("SELECT doc_id, path, renditions, text FROM documents"))
        finally:
            register.close()
        for doc_id, path, renditions, text in rows:
            archive.texts[doc_id] = squeeze(plain_text(text))
            for name in json.loads(renditions):
                if not str(name).lower().endswith(".pdf"):
                    continue
                # Stored paths are as ingest was given them (relative to where it ran, or absolute).
                pdf = next(p for p in (Path(name), Path(settings.corpus_dir) / Path(name).name) if p.is_file())
                archive.pages[doc_id] = [(page.number, squeeze(page.text)) for page in read_document(pdf).pages]
        return archive

    def misplaced(self, citation) -> str | None:
        """Why `citation` does not point to where its quote is, or None when it does."""
        # Compatibility forms compare as what they stand for: a <sup>3</sup> shown as "³" is the
        # "3" the PDF's text layer holds.
        quote = squeeze(unicodedata.normalize("NFKC", citation.quote))
        document = citation.doc_id
        if document not in self.texts:
            return f"{citation.marker}: names document {document!r}, which the index does not hold"
        if quote not in self.texts[document] and not self._in_pages(document, quote):
            return f"{citation.marker}: «{citation.quote[:80]}» is not in document {document!r}"
        if document not in self.pages:
            return None if citation.page is None else f"{citation.marker}: page {citation.page} of {document!r}, which has no pages"
        if citation.page is None:
            return None  # a document-level citation; the quote is in the document
        if not self._starts_on(document, quote, citation.page):
            return f"{citation.marker}: «{citation.quote[:80]}» does not stand on page {citation.page} of {document!r}"
        return None

    def _in_pages(self, document: str, quote: str) -> bool:
        return quote in "".join(text for _, text in self.pages.get(document, []))

    def _starts_on(self, document: str, quote: str, page: int) -> bool:
        """The quote begins on `page` (it may run on over the page break)."""
        pages = self.pages[document]
        whole, starts, offset = "", [], 0
        for number, text in pages:
            starts.append((offset, number))
            whole += text
            offset += len(text)
        position = whole.find(quote)
        while position >= 0:
            number = [n for start, n in starts if start <= position][-1]
            if number == page:
                return True
            position = whole.find(quote, position + 1)
        return False
