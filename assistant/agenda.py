"""Which cases a meeting dealt with: "Hvilke saker ble behandlet på møtet 4. mars 2026?",
"Hva ble vedtatt på møte 1/2026?", "What was on the agenda at the last meeting of 2025?".

The answer comes from the case register, not from passage search: every case of the meeting, in
agenda order, its title quoted from its own papers, and (for a decision question) its Vedtak or,
while the minutes are not archived, its Forslag til vedtak.
"""
from __future__ import annotations

from typing import Any

from assistant.analysis import QuestionAnalysis
from assistant.answer import Answer
from assistant.compose import CitationBook, gloss, join_paragraphs, quote_line
from assistant.pointers import nearest_meetings_pointer
from assistant.prompts import phrase
from assistant.records import part_source
from assistant.temporal import TimeScope
from ingest.blocks import squash
from ingest.case_numbers import case_sort_key


def _listed(cases) -> list[dict[str, Any]]:
    """Every case as number, title, meeting and date: the register's listing (CaseView.listing),
    so a question does not read every merged case record."""
    return cases.listing() if hasattr(cases, "listing") else list(cases.values())


def meetings_asked(analysis: QuestionAnalysis, scope: TimeScope, cases: dict[str, dict[str, Any]]) -> list[str]:
    """The held meetings (those with cases in the register) the question names: by number, by
    position ("det siste møtet i 2025", "forrige møte"), by date ("4. mars 2026") or by month."""
    dates: dict[str, str] = {}
    for case in _listed(cases):
        if case.get("meeting") and case.get("date"):
            dates.setdefault(case["meeting"], case["date"])
    found = [m for m in scope.meetings if m in dates]
    for day in analysis.references.dates:  # year 1: "4. mars" of any year
        found += [m for m, d in dates.items() if d == day or (day.startswith("0001") and d[5:] == day[5:])]
    if not found and scope.months:
        found = [m for m, d in dates.items() if scope.matches_date(d)]
    if not found and analysis.references.latest_meeting and dates:
        found = [max(dates, key=lambda m: dates[m])]
    return sorted(dict.fromkeys(found), key=lambda m: dates[m])


def meeting_answer(analysis: QuestionAnalysis, scope: TimeScope, cases: dict[str, dict[str, Any]], lang: str, retriever, role: str | None, nearest) -> Answer | None:
    """The agenda of the meetings the question names; for a meeting the archive only mentions
    ("referat fra møte 3/2025"), a plain statement that its papers are not archived and where it
    is mentioned; None when the question names no meeting."""
    meetings = meetings_asked(analysis, scope, cases)
    if meetings:
        return agenda_answer(analysis.asks.decision, meetings, lang, retriever, role)
    held = {c.get("meeting") for c in _listed(cases)}
    unarchived = sorted(m for m in scope.meetings if m not in held)
    if not unarchived:
        return None
    mentioning = [c["number"] for c in _listed(cases) if scope.mentions_meeting(c.get("title", ""))]
    text = phrase("agenda_not_archived", lang, meeting=unarchived[0])
    pointer = nearest_meetings_pointer(unarchived[0], _listed(cases), lang)
    return Answer(answer=join_paragraphs([text, pointer, nearest(mentioning[:3])]), refused=True, language=lang, route="meeting_agenda")


def agenda_answer(decisions: bool, meetings: list[str], lang: str, retriever, role: str | None) -> Answer:
    """Each meeting's cases; with their decisions (or proposals) when the question asks for them."""
    book = CitationBook()
    paragraphs = []
    for meeting in meetings:
        register = retriever.cases_for(role)
        cases = sorted(
            (register[c["number"]] for c in register.listing() if c.get("meeting") == meeting),
            key=lambda c: case_sort_key(c["number"]),
        )
        if not cases:
            continue
        lines = [f"**{phrase('agenda_intro', lang, meeting=meeting, date=cases[0].get('date') or '')}**"]
        for case in cases:
            lines.append(_case_line(case, retriever.case_chunks(case["number"], role), retriever.documents, book, lang, decisions))
        if not any(c.get("decision") for c in cases):
            # Minutes above the caller's level exist; "not in the archive" would be untrue.
            restricted = any(c.get("decision_restricted") for c in cases)
            lines.append(phrase("agenda_minutes_not_visible" if restricted else "agenda_no_minutes", lang))
        paragraphs.append("\n".join(lines))
    return Answer(answer=join_paragraphs(paragraphs), citations=book.citations, language=lang, route="meeting_agenda")


def _case_line(case: dict[str, Any], chunks: list, documents: dict, book: CitationBook, lang: str, decisions: bool) -> str:
    title, source = _verbatim_title(case, chunks)
    head = f"- {phrase('heading_case', lang)} {case['number']}: " + (quote_line(title, book.cite(title, source)) if source else f"{case['title']}")
    if not decisions:
        return head
    key = "decision" if case.get("decision") else "proposal"
    text = case.get(key)
    # Cited to the passage of the part's own document that holds it (see assistant.records).
    source = part_source(case, key, chunks, documents)
    if not text or source is None:
        return head
    label = phrase("heading_decision" if key == "decision" else "heading_proposal", lang)
    return f"{head}\n  {label}: {quote_line(text, book.cite(text, source))}{gloss(text, lang)}"


def _verbatim_title(case: dict[str, Any], chunks: list) -> tuple[str, dict[str, Any] | None]:
    """The case's title as its own papers print it, so the quote is verbatim."""
    for title in dict.fromkeys(t for t in (case.get("title"), case.get("paper_title"), case.get("agenda_title")) if t):
        for hit in chunks:
            if _squash(title) in _squash(hit.text):
                return title, hit.metadata
    return case.get("title") or "", None


def _squash(text: str) -> str:
    return squash(text).lower()


# Words that name the record kind or the act, not a case's subject: a case title sharing only
# these with the question is not the case it names ("Godkjenning av referat fra møte 3/2025"
# shares "møte" with every question about a meeting).
_NOT_A_SUBJECT = frozenset("saken saka sakene vedtak vedtaket vedtatt fattet fatta møtet møte rådsmøtet".split())
# The shortest word that names a subject inside a compound ("innovasjon" in "innovasjonssaken");
# the same five letters the missing-term test uses (holdings.py). Not fitted: a word length.
_SUBJECT_LETTERS = 5


def case_named_at_meeting(analysis: QuestionAnalysis, scope: TimeScope, cases) -> str | None:
    """The case a question names by its subject at a meeting it names ("vedtaket om
    innovasjonssaken på møtet 14. januar" → the case of that meeting titled "Innovasjon i
    helsetjenesten"): among the named meetings' cases, the one whose title shares clearly more
    subject words with the question than any other (a question word containing a title word
    counts: Norwegian writes "innovasjonssaken" for "the innovation case"); None when no meeting
    is named or no title stands out."""
    meetings = set(meetings_asked(analysis, scope, cases))
    if not meetings:
        return None
    words = [w for w in analysis.focus.terms if len(w) >= _SUBJECT_LETTERS and w not in _NOT_A_SUBJECT]
    scored = []
    for case in _listed(cases):
        if case.get("meeting") not in meetings:
            continue
        title = {w for w in (case.get("title") or "").lower().replace("-", " ").split()
                 if len(w) >= _SUBJECT_LETTERS and w not in _NOT_A_SUBJECT}
        shared = sum(1 for t in title if any(t in w or w in t for w in words))
        scored.append((shared, case["number"]))
    scored.sort(reverse=True)
    if scored and scored[0][0] >= 1 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    return None
