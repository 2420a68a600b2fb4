"""Frame selected archive text as an answer: quotes stay verbatim, every quote gets a marker.

The framing (intros, headings, glosses) is in the question's language; the quotes are the
archive's own words. Markers are unique within an answer and map one-to-one to citations.
"""
from __future__ import annotations

import re
from typing import Any

from assistant.answer import Citation
from assistant.prompts import citation_marker, decision_gloss, phrase
from ingest.pages import quote_page


class CitationBook:
    """Collects citations and hands out unique inline markers."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._by_key: dict[tuple[str, str], str] = {}

    def cite(self, quote: str, metadata: dict[str, Any]) -> str:
        quote = quote.strip()
        page = quote_page(quote, metadata)  # where the quote stands, not where its passage begins
        base = source_marker(metadata, page)
        key = (base, quote)
        if key in self._by_key:
            return self._by_key[key]
        used = {c.marker for c in self.citations}
        marker = base
        # Further quotes from the same source name their page, then a letter: [Sak 7/1/2026],
        # [Sak 7/1/2026, s. 31], [Sak 7/1/2026, s. 31b] — unique, and still readable.
        stem = f"{base[:-1]}, s. {page}" if page is not None and ", s. " not in base else base[:-1]
        if marker in used:
            marker = f"{stem}]"
        suffix = 1
        while marker in used:
            suffix += 1
            letter = chr(ord("a") + suffix - 1) if suffix <= 26 else str(suffix)
            marker = f"{stem}{letter}]"
        self.citations.append(
            Citation(
                marker=marker,
                case=metadata.get("case"),
                document=metadata.get("document") or metadata.get("doc_id", ""),
                doc_id=metadata.get("doc_id", ""),
                title=metadata.get("case_title") or metadata.get("part_title") or metadata.get("document") or "",
                meeting=metadata.get("meeting"),
                date=metadata.get("date"),
                page=page,
                quote=quote,
            )
        )
        self._by_key[key] = marker
        return marker


def source_marker(metadata: dict[str, Any], page: int | None = None) -> str:
    """[Sak N/M/YYYY] for case papers and minutes; attachments and documents by title and page."""
    part = metadata.get("part")
    if metadata.get("case") and part in ("case_paper", "minutes", "agenda"):
        return citation_marker(case=metadata["case"])
    title = metadata.get("part_title") if part == "attachment" else metadata.get("document")
    title = _short_title(title or metadata.get("doc_id") or "Dokument")
    return citation_marker(document=title, page=metadata.get("page_start") if page is None else page)


def _short_title(title: str) -> str:
    title = re.sub(r"\s+", " ", title).strip()
    return title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + " …"


def quote_line(text: str, marker: str) -> str:
    text = text.strip()
    if "\n" in text:
        return f"{text} {marker}"
    return f"«{text}» {marker}"


def case_heading_line(case: dict[str, Any], lang: str) -> str:
    parts = [f"**{phrase('heading_case', lang)} {case['number']}: {case['title']}**"]
    when = ", ".join(x for x in (f"{phrase('heading_meeting', lang).lower() if lang != 'en' else 'meeting'} {case['meeting']}" if case.get("meeting") else "", case.get("date") or "") if x)
    if when:
        parts.append(f"({when})")
    return " ".join(parts)


def gloss(text: str, lang: str) -> str:
    """A short explanation of a standard council formula for English readers ("Tas til orientering")."""
    if lang != "en":
        return ""
    found = decision_gloss(text)
    return f" — {found}" if found else ""


def join_paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(p.strip() for p in paragraphs if p and p.strip())
