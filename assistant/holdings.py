"""Refusal from what the archive holds: the register and the lexical index, never a scan of passages.

`holdings_refusal` decides, before any evidence is read, whether the question asks for something
the archive does not hold:
- a case number the register does not hold (extractive's `_refuse_case` writes that answer, with
  the meeting's case list when the meeting is held);
- a meeting whose papers or minutes are not archived. A meeting only *mentioned* ("referat fra møte
  3/2025") is not held; a question about that meeting's minutes is, when a held case treats them
  (its title names the meeting and shares a word of the question: "Godkjenning av referat fra møte
  3/2025" for "the minutes from the last meeting of 2025");
- a time after the archive's last record: a meeting after the last meeting the register holds,
  anything else after its last document's date;
- how a matter turned out ("til slutt", "in the end") when the case it is about has no recorded
  decision: the archive holds the proposal, not the outcome;
- a council document (an input, a consultation response, a letter) to or about something no case
  or document title names and no passage of a case of that kind uses.

A position or decision on a topic no passage treats ("fiskeoppdrett", which the archive has only
inside "fiskeridepartementet") is refused by the evidence model: the topic's words are missing
(a word inside a compound does not count, see EvidenceScorer._known), which its "missing" feature
reads. A separate rule for it (every topic word missing → refuse) changed no held-out figure and
refused nothing the model did not, so it was removed.

`evidence_refusal` decides after the evidence is scored, with a model fitted on held-out data
(evals/fit.py → assistant/fitted.json) from the features in `evidence_features`.

Every refusal names the nearest things the archive holds: the meetings nearest the one asked for,
the last meetings it holds, the case whose decision is missing, the cases of the document kind.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any, Callable

from assistant.answer_types import VALUE_TYPES, holds_value
from assistant.compose import join_paragraphs
from assistant.pointers import nearest_meetings_pointer
from assistant.prompts import phrase

# Words that name a meeting rather than what it treated: a case title sharing only these with the
# question ("møte 3/2025") does not make the question about that case.
_MEETING_WORDS = "møte møtet møter møta rådsmøte rådsmøtet meeting meetings"
# The sentences a value is looked for in: the best few, those an answer's quotes are drawn from
# first (a facts answer quotes three, a positions answer four). Not fitted: a count of sentences,
# not a weight; it only says which sentences are the answer's.
_VALUE_SENTENCES = 5
_MONTH_NAMES = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember")
_MONTH_NAMES_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


@dataclass
class Refusal:
    reason: str  # "case", "meeting", "after_archive", "outcome", "document", "evidence"
    text: str = ""  # the refusal with its pointers ("" for "case": the answerer writes that one)
    case: str | None = None  # the unknown case number, for reason "case"
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class ArchiveView:
    """The caller's part of the archive, as the refusal rules query it."""

    cases: Mapping[str, dict[str, Any]]  # the register's cases the caller may read, by number (CaseView)
    listed: list[dict[str, Any]]  # every one of them as number, title, meeting, date (CaseView.listing)
    documents: list[dict[str, Any]]  # the register's documents the caller may read
    scorer: Any  # EvidenceScorer: the caller's vocabulary (missing terms, analysed terms)
    passages_using: Callable[[str, int], list[tuple[str, str, dict[str, Any]]]]  # lexical index query
    held: dict[str, str | None] | None = None  # held_meetings, computed once per view
    title_terms: set[str] | None = None  # every term of a case or document title, read once per view


def view_for(retriever, scorer, role: str | None) -> ArchiveView:
    from ingest.models import allowed_access

    levels = allowed_access(role)
    documents = [d for d in retriever.documents.values() if d.get("access", "public") in levels]

    def passages_using(text: str, k: int) -> list[tuple[str, str, dict[str, Any]]]:
        if retriever.lexical is None:
            return []
        found = retriever.lexical.search(text, k, levels=retriever.where(None, role).get("access"))
        rows = retriever.reader.rows([cid for cid, _ in found])
        return [(cid, *rows[cid]) for cid, _ in found if cid in rows]

    cases = retriever.cases_for(role)
    return ArchiveView(cases, cases.listing(), documents, scorer, passages_using)


def title_terms(view: ArchiveView) -> set[str]:
    """Every term of a case or document title the caller may read, once per view: analysing every
    title on each question grew with the archive (3.7 s at 1M synthetic chunks)."""
    if view.title_terms is None:
        titles = [c.get("title") or "" for c in view.listed] + [d.get("title") or "" for d in view.documents]
        view.title_terms = {word for title in titles if title for word in view.scorer.terms(title)}
    return view.title_terms


def held_meetings(view: ArchiveView) -> dict[str, str | None]:
    """Meeting → its date, for every meeting whose papers or minutes the archive holds. Read once
    per view: the view lives as long as the index version, so an ask does not walk every case and
    document of the archive (at 100k chunks that walk cost 34 ms per ask)."""
    if view.held is not None:
        return view.held
    held: dict[str, str | None] = {}
    for record in [*view.listed, *view.documents]:
        meeting = record.get("meeting")
        if meeting and (meeting not in held or not held[meeting]):
            held[meeting] = record.get("date")
    view.held = held
    return held


def holdings_refusal(interpretation, view: ArchiveView, scope, lang: str, hits) -> Refusal | None:
    """A refusal when the question names or needs something the archive does not hold, else None."""
    analysis = interpretation.analysis
    unknown = [n for n in interpretation.cases if n not in view.cases]
    if unknown:
        return Refusal("case", case=unknown[0])
    held = held_meetings(view)
    cases = view.listed
    asked = list(dict.fromkeys([*interpretation.meetings, *sorted(scope.meetings)]))
    for meeting in asked:
        if meeting in held:
            continue
        naming = _cases_naming(meeting, view)
        if not _treated_by(naming, interpretation, view):
            text = phrase("refusal_meeting_not_held", lang, meeting=meeting)
            lines = [f"- {phrase('heading_case', lang)} {c['number']}: {c['title']}" for c in naming]
            mentions = phrase("pointer_cases_naming_meeting", lang, meeting=meeting) + "\n" + "\n".join(lines) if lines else ""
            return Refusal("meeting", join_paragraphs([text, mentions, nearest_meetings_pointer(meeting, cases, lang)]))
    if analysis is None:
        return None
    if analysis.about_meeting and scope.months and not scope.meetings:
        refusal = _no_meeting_in_month(scope, held, lang)
        if refusal:
            return refusal
    if analysis.after:
        refusal = _after_archive(analysis, held, view, cases, lang)
        if refusal:
            return refusal
    if analysis.outcome:
        refusal = _undecided_outcome(interpretation, view, hits, lang)
        if refusal:
            return refusal
    if analysis.document and lang != "en" and not interpretation.follow_up:
        refusal = _unheld_document(analysis.document, view, lang)
        if refusal:
            return refusal
    return None


def _cases_naming(meeting: str, view: ArchiveView) -> list[dict[str, Any]]:
    """Held cases whose title names the meeting ("Godkjenning av referat fra møte 3/2025")."""
    pattern = re.compile(r"(?<![\d/])" + re.escape(meeting) + r"(?![\d/])")
    return [case for case in view.listed if pattern.search(case.get("title") or "")]


def _treated_by(naming: list[dict[str, Any]], interpretation, view: ArchiveView) -> bool:
    """Whether one of those cases shares a word of the question besides the meeting words: the
    question is then about what that case treats (the meeting's minutes), which the archive holds."""
    meeting_terms = view.scorer.terms(_MEETING_WORDS)
    question_terms = view.scorer.terms(interpretation.retrieval_query) - meeting_terms
    for case in naming:
        title_terms = {t for t in view.scorer.terms(case.get("title") or "") if not t.isdigit()} - meeting_terms
        if title_terms & question_terms:
            return True
    return False


def _after_archive(analysis, held: dict[str, str | None], view: ArchiveView, cases, lang: str) -> Refusal | None:
    """A meeting after the last held meeting, or anything after the last document's date."""
    dates = [d for d in held.values() if d] if analysis.about_meeting else [d.get("date") for d in view.documents if d.get("date")]
    if not dates or analysis.after < max(dates):
        return None
    last = max(dates)
    text = phrase("refusal_after_archive", lang, date=analysis.after, last=last)
    pointer = ""
    if held:
        latest = max(held, key=lambda m: (held[m] or "", m))
        number, year = latest.split("/") if "/" in latest else (latest, "")
        pointer = nearest_meetings_pointer(f"{int(number) + 1}/{year}", cases, lang) if number.isdigit() else ""
    return Refusal("after_archive", join_paragraphs([text, pointer]))


def _no_meeting_in_month(scope, held: dict[str, str | None], lang: str) -> Refusal | None:
    """A meeting named by its month ("the meeting in November 2025") when the archive holds none then."""
    held_months = {(int(d[:4]), int(d[5:7])) for d in held.values() if d and len(d) >= 7}
    if not held_months or any(m == hm and (y is None or y == hy) for y, m in scope.months for hy, hm in held_months):
        return None
    year, month = sorted(scope.months, key=lambda ym: (ym[0] or 0, ym[1]))[0]
    names = _MONTH_NAMES_EN if lang == "en" else _MONTH_NAMES
    named = f"{names[month - 1]} {year}" if year else names[month - 1]
    text = phrase("refusal_no_meeting_in_month", lang, month=named)
    # The held meetings nearest that month, by date (two on each side, as pointers.py lists).
    wanted = f"{year or max(held_months)[0]:04d}-{month:02d}"
    dated = sorted((d, m) for m, d in held.items() if d)
    before = [x for x in dated if x[0][:7] < wanted][-2:]
    after = [x for x in dated if x[0][:7] > wanted][:2]
    lines = [f"- {phrase('heading_meeting', lang)} {m} ({d})" for d, m in before + after]
    pointer = phrase("pointer_meetings_near_month", lang, month=named) + "\n" + "\n".join(lines) if lines else ""
    return Refusal("meeting", join_paragraphs([text, pointer]))


def _undecided_outcome(interpretation, view: ArchiveView, hits, lang: str) -> Refusal | None:
    """How a matter turned out, when the case it is about has no recorded decision."""
    named = [n for n in interpretation.cases if n in view.cases]
    if named:
        number = named[0]
    else:
        # The case most of the top three passages belong to: what the question is about, not one
        # passage's digression (three: a majority needs an odd few; not fitted, it only picks the case).
        ranked = Counter(h.metadata.get("case") for h in hits[:3] if h.metadata.get("case") in view.cases)
        if not ranked:
            return None
        number = ranked.most_common(1)[0][0]
    case = view.cases[number]
    if case.get("decision") or case.get("decision_restricted"):
        return None
    when = case.get("date") or case.get("meeting") or ""
    return Refusal("outcome", phrase("refusal_outcome", lang, case=number, title=case.get("title") or "", when=when))


def _unheld_document(document: tuple[str, str], view: ArchiveView, lang: str) -> Refusal | None:
    """A council document to or about something that no title names and no case of that kind uses."""
    kind, subject = document
    # Five letters or more, the length the missing-term test checks: shorter words name no subject.
    terms = {t for t in view.scorer.terms(subject) if len(t) >= 5 and not t.isdigit()}
    if not terms:
        return None
    # A title names it when one of its words contains a word of the subject ("Helsereformutvalget"
    # for "reformutvalget"), not when the subject merely ends in a title's word ("strategi").
    if any(term in word for word in title_terms(view) for term in terms):
        return None
    # The kind's first five letters cover its nb/nn forms ("innspill"/"innspel", "høringssvar"/
    # "høringsinnspill"). The subject's passages are read through the lexical index's top 20: a
    # bound on what one question reads, not a weight (a subject held in a case of that kind is
    # among its best matches).
    stem = kind[:5]
    for _, text, meta in view.passages_using(" ".join(sorted(terms)), 20):
        if stem in str(meta.get("case_title") or meta.get("document") or "").lower() and terms & view.scorer.terms(text):
            return None
    of_kind = [c for c in view.listed if stem in (c.get("title") or "").lower()]
    lines = [f"- {phrase('heading_case', lang)} {c['number']}: {c['title']}" for c in of_kind[:5]]  # a pointer, not a list
    text = phrase("refusal_document", lang, document=f"«{kind} … {subject}»")
    return Refusal("document", join_paragraphs([text, (phrase("pointer_documents_of_kind", lang) + "\n" + "\n".join(lines)) if lines else ""]))


def evidence_features(interpretation, sentences, scorer, lang: str) -> dict[str, float]:
    """What the refusal model reads from the scored evidence:
    - dense: the best sentence's similarity to the question (cosine);
    - lexical: the best IDF-weighted share of the question's terms one of the top sentences covers;
    - missing: the share of the question's content words (five letters or more) the archive never
      uses, not even inside a compound or as a spelling variant (0 for English questions, whose
      words a Norwegian archive never uses, for follow-ups, whose words are the history's, and
      for drafts, whose request words are instructions);
    - no_value: 1 when the question asks for a value (an amount, a count, a duration, a date:
      QuestionAnalysis.answer_type) and none of the top sentences holds one of that kind
      (answer_types.holds_value), else 0: the archive treats the matter but does not state it.
      Reported for fitting experiments; the shipped model does not weigh it (evals/fit.py says
      why), and value_note says it plainly above the quotes instead."""
    dense = max((s.dense for s in sentences), default=0.0)
    lexical = max((s.lexical for s in sentences[:10]), default=0.0)  # a window, not a weight: the fitted model weighs the feature
    answer_type = interpretation.analysis.answer_type if interpretation.analysis else None
    no_value = 0.0
    if answer_type in VALUE_TYPES and interpretation.route != "drafting":
        no_value = float(not any(holds_value(answer_type, s.text) for s in sentences[:_VALUE_SENTENCES]))
    missing = 0.0
    if lang != "en" and not interpretation.follow_up and interpretation.route != "drafting":
        # Five letters or more, the length EvidenceScorer.missing_terms checks (shorter are known).
        words = {w for w in interpretation.analysis.focus.words if len(w) >= 5}
        if words:
            missing = len(set(scorer.missing_terms(interpretation.analysis)) & words) / len(words)
    return {"dense": float(dense), "lexical": float(lexical), "missing": float(missing), "no_value": no_value}


def evidence_refusal(interpretation, sentences, scorer, lang: str, model) -> tuple[Refusal | None, dict[str, float]]:
    """A refusal when the fitted model (assistant/fitted.py) says the evidence does not answer, or
    when the value asked for is not held (_value_not_held), and the features it read (the eval
    fits on them). A model of None never refuses: the eval's fitting pass."""
    features = evidence_features(interpretation, sentences, scorer, lang)
    # The rule on an unstated value holds whatever the model: the eval's fitting pass (model None)
    # then gives each item the answer the product gives it, which the held-out folds keep.
    if sentences and not _value_not_held(features) and (model is None or not model.refuses(features)):
        return None, features
    missing = scorer.missing_terms(interpretation.analysis) if lang != "en" and not interpretation.follow_up else []
    text = phrase("refusal_topic", lang, topic=missing_phrase(interpretation.question, missing)) if missing else phrase("refusal", lang)
    return Refusal("evidence", text, features=features), features


def _value_not_held(features: dict[str, float]) -> bool:
    """A value asked for (an amount, a count, a duration, a date) that none of the best sentences
    states, qualified by a word the archive never uses ("gjennomsnittlig saksbehandlingstid" where
    the archive only says the processing time improved): the archive treats the matter but does
    not hold that figure. Either alone is common in answerable questions (a value stated further
    down, a question word the archive spells otherwise); together they say the figure is not
    there. A rule on two of the model's own features, not a weight: nothing here is fitted."""
    return bool(features.get("no_value")) and features.get("missing", 0.0) > 0


def value_note(analysis, answer, lang: str) -> str:
    """A plain sentence above the quotes when the question asks for a value (an amount, a count,
    a duration, a date) and none of the answer's quotes holds one of that kind; "" otherwise. The
    quotes stay: they are what the archive holds nearest the question, and the note says of them
    only what can be checked in them."""
    kind = analysis.answer_type if analysis is not None else None
    if kind not in VALUE_TYPES or answer.refused or not answer.citations or answer.route == "drafting":
        return ""
    if any(holds_value(kind, citation.quote) for citation in answer.citations):
        return ""
    return phrase("note_no_value", lang, kind=phrase(f"value_{kind}", lang))


def missing_phrase(question: str, missing: list[str]) -> str:
    """«gjennomsnittlig saksbehandlingstid» rather than a bare adjective: the missing word and
    the word after it, as the question wrote them."""
    phrases = []
    for word in missing[:3]:  # a few words name what is missing; not fitted, it is wording
        match = re.search(r"\b" + re.escape(word) + r"\b(\s+[\wæøåÆØÅ-]{4,})?", question, re.IGNORECASE)
        phrases.append(f"«{(match.group(0) if match else word)[:60]}»")
    return ", ".join(phrases)
