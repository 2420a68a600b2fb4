"""An Answer as people read it: Markdown with a sources list (OpenAI endpoint, export) and HTML
with numbered citation chips and their source cards (web UI).

All archive text is escaped before it becomes HTML: a document can contain anything.
"""
from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote as url_quote

from markdown_it import MarkdownIt

from assistant.answer import Answer, Citation
from assistant.compose import plain_text
from assistant.prompts import phrase

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False}).disable(["image", "link"])
QUOTE_LIMIT = 300
SOURCES_HEADINGS = tuple(f"**{phrase('heading_sources', lang)}:**" for lang in ("nb", "nn", "en"))


def document_url(doc_id: str, page: int | None = None, quote: str | None = None) -> str:
    """The original, at its page (PDF) - or, for a source without pages (HTML, Markdown, news),
    at the quoted passage: a text fragment (#:~:text=start,end) makes the browser scroll to the
    quote and highlight it."""
    url = f"/api/documents/{url_quote(doc_id, safe='/')}"
    if page:
        return f"{url}#page={page}"
    if quote:
        return f"{url}#:~:text={text_fragment(quote)}"
    return url


def text_fragment(quote: str) -> str:
    """start,end of a text fragment; "-", "," and "&" are escaped as the syntax requires."""
    words = plain_text(quote).split()

    def encode(part: list[str]) -> str:
        return url_quote(" ".join(part), safe="").replace("-", "%2D")

    # A start and an end phrase find a long quote without spelling it all out in the URL.
    return encode(words) if len(words) <= 10 else f"{encode(words[:5])},{encode(words[-4:])}"


def _one_line(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def source_line(citation: Citation, lang: str) -> str:
    """[marker] Sak N – title, s. P: «quote»"""
    parts = []
    if citation.case:
        parts.append(f"{phrase('heading_case', lang)} {citation.case}")
    if citation.title and citation.title not in parts:
        parts.append(citation.title)
    where = " – ".join(parts) or citation.document
    if citation.date:
        where += f" ({citation.date})"
    if citation.page:
        where += ", " + phrase("source_page", lang, page=citation.page)
    return f"{citation.marker} {where}: «{_one_line(citation.quote)}»"


def sources_markdown(answer: Answer) -> str:
    if not answer.citations:
        return ""
    lines = "\n".join(f"- {source_line(c, answer.language)}" for c in answer.citations)
    return f"**{phrase('heading_sources', answer.language)}:**\n{lines}"


def answer_with_sources(answer: Answer) -> str:
    """The answer text followed by its sources (what an OpenAI client shows)."""
    sources = sources_markdown(answer)
    return f"{answer.answer}\n\n{sources}" if sources else answer.answer


def strip_sources(text: str) -> str:
    """An earlier assistant turn without its sources list (for the history we pass on)."""
    for heading in SOURCES_HEADINGS:
        index = text.find("\n\n" + heading)
        if index >= 0:
            return text[:index]
    return text


def export_markdown(question: str, answer: Answer) -> str:
    lang = answer.language
    return f"## {phrase('ui_export_question', lang)}\n\n{question}\n\n## {phrase('ui_assistant', lang)}\n\n{answer_with_sources(answer)}\n"


# ---- HTML for the web UI ----------------------------------------------------------------------
def _placeholder(number: int) -> str:
    return f"qqcite{number}qq"


def answer_html(answer: Answer, turn: int) -> str:
    """The answer as HTML, each marker replaced by a numbered chip pointing at its source card."""
    text = answer.answer
    order = sorted(enumerate(answer.citations, 1), key=lambda item: -len(item[1].marker))
    for number, citation in order:
        text = text.replace(citation.marker, _placeholder(number))
    body = _MARKDOWN.render(text)
    for number, citation in enumerate(answer.citations, 1):
        body = body.replace(_placeholder(number), chip(turn, number, citation))
    return body


def chip(turn: int, number: int, citation: Citation) -> str:
    return (
        f'<button type="button" class="cite-chip" data-src="src-{turn}-{number}" '
        f'title="{html.escape(citation.marker)}" aria-label="{html.escape(citation.marker)}">{number}</button>'
    )


def display_label(marker: str) -> str:
    """"[Sak 7/1/2026, s. 31 (2)]" → "Sak 7/1/2026, s. 31": beside its numbered chip the record and
    page are what a reader needs; the "(2)" only keeps markers unique in the text."""
    return re.sub(r" \(\d+\)$", "", marker.strip()[1:-1] if marker.startswith("[") and marker.endswith("]") else marker)


def sources_html(answer: Answer, turn: int) -> str:
    if not answer.citations:
        return ""
    items = []
    for number, citation in enumerate(answer.citations, 1):
        shown = display_label(citation.marker)
        label = html.escape(shown + (f" – {citation.title}" if citation.title and citation.title not in shown else ""))
        items.append(f'<li>{chip(turn, number, citation)} <span class="src-label">{label}</span></li>')
    heading = html.escape(phrase("heading_sources", answer.language))
    return f'<div class="answer-sources"><div class="answer-sources-heading">{heading}</div><ol>{"".join(items)}</ol></div>'


def highlight(passage: str, quote: str) -> str | None:
    """The passage as HTML with the quote in <mark>; None when the quote is not in it."""
    words = quote.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    match = pattern.search(passage)
    if not match:
        return None
    before, hit, after = passage[: match.start()], passage[match.start() : match.end()], passage[match.end() :]
    return f"{html.escape(before)}<mark>{html.escape(hit)}</mark>{html.escape(after)}"


def find_passage(citation: Citation, answer: Answer, retriever=None, role: str | None = None) -> str | None:
    """The archive passage a citation quotes: from the answer's context, else from the index."""
    candidates = [p.text for p in answer.context if p.metadata.get("doc_id") == citation.doc_id]
    if retriever is not None:
        from assistant.retrieval import SearchFilters

        allowed = retriever.allowed_ids(SearchFilters(doc_id=citation.doc_id), role)
        same_page = [cid for cid in retriever.order if cid in allowed and retriever.metadata[cid].get("page_start") == citation.page]
        rest = [cid for cid in retriever.order if cid in allowed and cid not in set(same_page)]
        candidates += [retriever.texts[cid] for cid in same_page + rest]
    for text in candidates:
        text = plain_text(text)  # quotes are plain text, so the passage they are found in must be too
        if highlight(text, citation.quote) is not None:
            return text
    return None


def source_card_html(citation: Citation, lang: str, passage: str | None) -> str:
    esc = html.escape
    rows: list[tuple[str, str]] = []
    if citation.case:
        rows.append((phrase("heading_case", lang), citation.case))
    if citation.title:
        rows.append((phrase("ui_source_title_label", lang), citation.title))
    if citation.meeting or citation.date:
        rows.append((phrase("heading_meeting", lang), " · ".join(x for x in (citation.meeting, citation.date) if x)))
    rows.append((phrase("ui_source_document", lang), citation.document))
    if citation.page:
        rows.append((phrase("ui_source_page", lang), str(citation.page)))
    meta = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    marked = highlight(passage, citation.quote) if passage else None
    if marked is None:
        body = f'<p class="src-note">{esc(phrase("ui_source_quote_only", lang))}</p><blockquote class="src-passage"><mark>{esc(citation.quote)}</mark></blockquote>'
    else:
        body = f'<blockquote class="src-passage">{marked}</blockquote>'
    link_text = phrase("ui_source_open", lang, page=citation.page) if citation.page else phrase("ui_source_open_document", lang)
    link = f'<a class="src-link" href="{esc(document_url(citation.doc_id, citation.page, citation.quote))}" target="_blank" rel="noopener">{esc(link_text)}</a>'
    back = f'<button type="button" class="src-back">{esc(phrase("ui_source_back", lang))}</button>'
    return f'<div class="src-card"><div class="src-marker">{esc(display_label(citation.marker))}</div><dl class="src-meta">{meta}</dl>{body}<div class="src-actions">{link}{back}</div></div>'


def turn_html(turn: int, question: str, answer: Answer | None, lang: str = "nb", pending: str | None = None, retriever=None, role: str | None = None, mode_label: str | None = None) -> str:
    """One question and its answer (or the text streamed so far) for the conversation view."""
    esc = html.escape
    lang = answer.language if answer is not None else lang
    badge = f'<span class="mode-badge">{esc(mode_label)}</span>' if mode_label else ""
    you = f'<div class="msg user"><div class="who">{esc(phrase("ui_you", lang))}{badge}</div><div class="text">{esc(question)}</div></div>'
    who = f'<div class="who">{esc(phrase("ui_assistant", lang))}</div>'
    if answer is None:
        streamed = esc(pending or "").replace("\n", "<br>")
        return f'<div class="turn" data-turn="{turn}">{you}<div class="msg bot pending">{who}<div class="text">{streamed}</div></div></div>'
    cards = "".join(
        f'<div class="src-data" id="src-{turn}-{n}" hidden>{source_card_html(c, answer.language, find_passage(c, answer, retriever, role))}</div>'
        for n, c in enumerate(answer.citations, 1)
    )
    refused = " refused" if answer.refused else ""
    return (
        f'<div class="turn" data-turn="{turn}">{you}<div class="msg bot{refused}" lang="{answer.language}">{who}'
        f'<div class="text answer">{answer_html(answer, turn)}</div>{sources_html(answer, turn)}{cards}</div></div>'
    )


def error_turn_html(turn: int, question: str, message: str) -> str:
    esc = html.escape
    return (
        f'<div class="turn" data-turn="{turn}"><div class="msg user"><div class="who">{esc(phrase("ui_you", "nb"))}</div>'
        f'<div class="text">{esc(question)}</div></div><div class="msg bot error"><div class="text">'
        f'{esc(phrase("ui_error", "nb", message=message))}</div></div></div>'
    )


def public_case(case: dict[str, Any], full: bool = False) -> dict[str, Any]:
    keys = ("number", "title", "meeting", "date", "proposal", "decision", "document", "flagged", "literal_number", "resolution_note")
    if full:
        return {k: v for k, v in case.items() if k != "access"}
    return {k: case.get(k) for k in keys}


# ---- the case browser ----------------------------------------------------------------------------
CASE_PREVIEW = 220


def preview(text: str, limit: int = CASE_PREVIEW) -> tuple[str, bool]:
    """The text, or its opening cut at a word with an ellipsis; True when it was cut."""
    text = re.sub(r"\s+", " ", plain_text(text or "")).strip()
    if len(text) <= limit:
        return text, False
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-") + " …", True


def case_cards_html(rows: list[dict[str, Any]], lang: str = "nb") -> str:
    """The case register as cards: number, date, meeting, title and the decision — or, where the
    minutes are not archived yet, the proposal labelled «Forslag til vedtak». A long text shows
    a clean ellipsis and opens in full."""
    esc = html.escape
    if not rows:
        return f'<p class="muted">{esc(phrase("ui_cases_empty", lang))}</p>'
    cards = []
    for row in rows:
        key = "decision" if row.get("decision") else "proposal" if row.get("proposal") else None
        body = ""
        if key:
            label = phrase("heading_decision" if key == "decision" else "heading_proposal", lang)
            full = re.sub(r"\s+", " ", plain_text(row[key])).strip()
            short, cut = preview(full)
            text = f'<details><summary>{esc(short)}</summary><p>{esc(full)}</p></details>' if cut else f"<p>{esc(full)}</p>"
            body = f'<div class="case-decision {key}"><span class="case-label">{esc(label)}:</span>{text}</div>'
        when = " · ".join(esc(x) for x in (f"{phrase('heading_meeting', lang)} {row['meeting']}" if row.get("meeting") else "", row.get("date") or "") if x)
        number = esc(row["number"])
        cards.append(
            f'<li class="case-card" data-case="{number}"><div class="case-head"><span class="case-number">{esc(phrase("heading_case", lang))} {number}</span>'
            f'<span class="case-when">{when}</span></div><div class="case-title">{esc(plain_text(row.get("title") or ""))}</div>{body}'
            f'<button type="button" class="case-open" data-case="{number}">{esc(phrase("ui_case_open", lang))}</button></li>'
        )
    return f'<ul class="case-list">{"".join(cards)}</ul>'
