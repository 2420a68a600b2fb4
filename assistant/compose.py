"""Frame selected archive text as an answer: quotes stay verbatim, every quote gets a marker.

The framing (intros, headings, glosses) is in the question's language; the quotes are the
archive's own words. Markers are unique within an answer and map one-to-one to citations.
"""
from __future__ import annotations

import html
import re
from typing import Any

from assistant.answer import Citation
from assistant.prompts import citation_marker, decision_gloss, phrase
from ingest.pages import quote_page


class CitationBook:
    """Collects citations and hands out unique inline markers.

    A marker names the record and its real page: [Sak 7/1/2026, s. 31], [Årsrapport 2025, s. 84].
    A second quote from the same page is numbered, [Sak 7/1/2026, s. 31 (2)], so no marker
    reads as a page or a title with a letter appended ("s. 31b", "helsedatab").
    """

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._by_key: dict[tuple[str, str], str] = {}

    def cite(self, quote: str, metadata: dict[str, Any]) -> str:
        # The page is read on the archive's own text (where the quote stands, not where its
        # passage begins); the quote shown is plain text.
        page = quote_page(quote.strip(), metadata)
        quote = plain_text(quote).strip()
        base = source_marker(metadata, page)
        key = (base, quote)
        if key in self._by_key:
            return self._by_key[key]
        used = {c.marker for c in self.citations}
        marker, number = base, 1
        while marker in used:
            number += 1
            marker = f"{base[:-1]} ({number})]"
        self.citations.append(
            Citation(
                marker=marker,
                case=metadata.get("case"),
                document=plain_text(metadata.get("document") or metadata.get("doc_id", "")),
                doc_id=metadata.get("doc_id", ""),
                title=plain_text(metadata.get("case_title") or metadata.get("part_title") or metadata.get("document") or ""),
                meeting=metadata.get("meeting"),
                date=metadata.get("date"),
                page=page,
                quote=quote,
            )
        )
        self._by_key[key] = marker
        return marker


def source_marker(metadata: dict[str, Any], page: int | None = None) -> str:
    """[Sak N/M/YYYY, s. P] for case papers and minutes; attachments and documents by a short
    title; the page (the quote's own when given) whenever the document has pages."""
    part = metadata.get("part")
    if page is None:
        page = metadata.get("page_start")
    if metadata.get("case") and part in ("case_paper", "minutes", "agenda"):
        marker = citation_marker(case=metadata["case"])
        return f"{marker[:-1]}, {phrase('source_page', 'nb', page=page)}]" if page is not None else marker
    title = metadata.get("part_title") if part == "attachment" else metadata.get("document")
    title = short_title(plain_text(title or metadata.get("doc_id") or "Dokument"))
    return citation_marker(document=title, page=page)


def short_title(title: str, limit: int = 48) -> str:
    """A document name short enough for a chip label, cut at a word with an ellipsis."""
    title = re.sub(r"\s+", " ", title).strip().strip("[]")
    return title if len(title) <= limit else title[: limit - 2].rsplit(" ", 1)[0].rstrip(" ,;:–-") + " …"


# Source markup that must not reach a reader as tags: the corpus Markdown carries HTML
# (<sub>, <sup>, <b>, <a>) and Markdown emphasis.
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SCRIPT_TAG = re.compile(r"<(sub|sup)>(.*?)</\1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\s]+\)")


def _script(match: re.Match) -> str:
    inner = _TAG.sub("", match.group(2))
    table = _SUBSCRIPT if match.group(1).lower() == "sub" else _SUPERSCRIPT
    converted = inner.translate(table)
    # Only when every character has a sub/superscript form; otherwise the plain text reads better.
    return converted if all(c != o or c.isspace() for c, o in zip(converted, inner)) else inner


def plain_text(text: str) -> str:
    """Archive text as a reader sees it: HTML tags and Markdown emphasis become their text,
    sub- and superscripts become plain characters (CO<sub>2</sub> → CO₂), entities are decoded."""
    if not text:
        return text or ""
    text = _SCRIPT_TAG.sub(_script, text)
    text = _TAG.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(3), text)
    return html.unescape(text)


def quote_line(text: str, marker: str) -> str:
    text = plain_text(text).strip()
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


def without_tags(text: str) -> str:
    """An answer's Markdown without source HTML (its own **emphasis** stays): quotes that reach
    the text outside quote_line (list items, leads) are cleaned here."""
    return _TAG.sub("", _SCRIPT_TAG.sub(_script, text or ""))
