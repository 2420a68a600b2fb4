"""A short English lead above the Norwegian quotes of an answer to an English question.

The quotes stay verbatim Norwegian; the lead tells an English reader what they hold. It is built
by extraction, never by free text: for each of the first sources cited it names the case (number
and title) or the document, and lists the figures, dates and names its quotes contain, each
rendered from the quote's own words by fixed rules (assistant/english_facts.py):
- a figure keeps its digits (decimal comma → point, thousands space → comma) and its unit, the unit
  translated by a closed table ("milliarder kroner" → "billion kroner", "prosent" → "%"); a
  Norwegian number word ("tre") becomes the English one ("three"), across an adjective too;
- a date is a Norwegian date ("25. februar 2026", "1.1.2024", "mai 2026") in English form; to a
  question that asks when, a year its preposition introduces too ("innen 2029" → "by 2029");
- a name is a run of capitalised words or an acronym, copied as written;
- a council term the glossary knows ("personvern") is given in English with the Norwegian word; a
  compound from its parts ("utviklingspartner" → "development *partner*", the unknown head as
  written), compounds first, since they name what a quote is about.
So everything the lead states can be found in a quote it cites; tests/assistant/test_english_lead.py
checks exactly that over real answers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer import Answer, Citation
from assistant.english_facts import ENGLISH_MONTHS, NUMBER_WORDS, dates, figures, names, years  # noqa: F401 (re-exported)
from assistant.glossary import english_compound, english_phrases, english_terms

LEAD_PREFIX = "**In brief** (the Norwegian quotes below are the source): "
# Lengths, not weights, so not fitted: a lead is one line a reader takes in at a glance.
MAX_SOURCES = 3  # a lead, not a summary: the first sources cited carry the answer
MAX_FACTS = 8  # for the leading source, figures, dates, names and terms together; half for the others
MAX_NAMES = 4  # per source: names come in runs (a list of participants); the first say enough
MAX_TERMS = 4  # per source: about one content word per quote the lead shows
# Glossary words every council text uses: naming them tells the reader nothing.
_GENERIC_TERMS = frozenset({"council", "case", "cases", "meeting", "meetings", "member", "members", "council meeting", "council meetings", "health"})


@dataclass
class Fact:
    kind: str  # "figure", "date", "name" or "term"
    text: str  # as the lead states it
    source: str  # the quote's own words it was rendered from
    marker: str  # the citation whose quote holds `source`
    rank: int = 0  # a term's place among its quote's terms (_glossary_terms orders them)


@dataclass
class SourceLead:
    label: str  # "case 17/2/2026 «Innspill til Helsereformutvalget»" or "«Årsrapport 2025»"
    marker: str
    facts: list[Fact] = field(default_factory=list)


def source_label(citation: Citation) -> str:
    """The case (number and title) or the document a quote comes from, as its record names it."""
    title = (citation.title or citation.document or "").strip()
    # What kind of record it is, from the first word of its title the glossary knows.
    kinds = [english_terms(word) for word in title.split()]
    kind = next((k for k in kinds if k and k not in _GENERIC_TERMS), "")
    described = f"«{title}»" + (f" ({kind})" if kind else "") if title else ""
    if citation.case:
        return f"case {citation.case} {described}".strip()
    return described or f"«{citation.document}»"


# Which facts lead, by the kind of answer the question asks for (QuestionAnalysis.answer_type):
# the figure for "how many", the date for "when", the name for "who".
_ORDER = {
    "amount": ("figure", "date", "name", "term"), "count": ("figure", "date", "name", "term"),
    "date": ("date", "year", "figure", "name", "term"), "person": ("name", "date", "figure", "term"),
    "organisation": ("name", "date", "figure", "term"), "place": ("name", "date", "figure", "term"),
}
_DEFAULT_ORDER = ("figure", "date", "name", "term")


def lead_facts(answer: Answer, question: str = "", answer_type: str | None = None) -> list[SourceLead]:
    """Per source (MAX_SOURCES of those cited), the facts its quotes hold: the kinds the
    question asks for first, each kind in quote order."""
    sources: dict[str, SourceLead] = {}
    found: dict[str, list[Fact]] = {}
    asked = set(english_phrases(question))
    for citation in answer.citations:
        key = citation.case or citation.doc_id or citation.document
        if key not in sources:
            sources[key] = SourceLead(source_label(citation), citation.marker)
            found[key] = []
        facts, marker, quote = found[key], citation.marker, citation.quote
        found_dates = dates(quote)
        facts += [Fact("date", rendered, words, marker) for rendered, words, _ in found_dates]
        facts += [Fact("figure", rendered, words, marker) for rendered, words in figures(quote, [s for *_, s in found_dates])]
        facts += [Fact("year", rendered, words, marker) for rendered, words in years(quote, [s for *_, s in found_dates])]
        facts += [Fact("name", name, name, marker) for name in names(quote) if name.lower() not in (citation.case or "").lower()]
        facts += [Fact("term", f"{english} ({norwegian})", norwegian, marker, rank) for rank, (norwegian, english) in enumerate(_glossary_terms(quote, citation.title or ""))]
    # The sources that hold what the question asks for (a figure for "how many", a date for
    # "when", a name for "who") lead, the others keep their citation order; then the first
    # MAX_SOURCES.
    asked_kinds = {"date", "year"} if answer_type == "date" else {_ORDER.get(answer_type or "", (None,))[0]}
    ordered = sorted(sources, key=lambda key: not any(f.kind in asked_kinds for f in found[key]))
    sources = {key: sources[key] for key in ordered[:MAX_SOURCES]}
    limits = {"name": MAX_NAMES, "term": MAX_TERMS}
    for position, (key, lead) in enumerate(sources.items()):
        seen: set[str] = set()
        room = MAX_FACTS if position == 0 else MAX_FACTS // 2  # the leading source says most
        for kind in _ORDER.get(answer_type or "", _DEFAULT_ORDER):
            candidates = [f for f in found[key] if f.kind == kind]
            if kind == "term":
                candidates.sort(key=lambda f: _term_order(f, asked))
            taken = 0
            for fact in candidates:
                if len(lead.facts) >= room or taken >= limits.get(kind, MAX_FACTS):
                    break
                said = fact.text.split(" (")[0] if kind == "term" else fact.text  # one English word once
                # A term the lead already gave inside a figure ("four central issues") is not repeated.
                stated = kind == "term" and any(fact.source in f.source.lower().split() for f in lead.facts if f.kind == "figure")
                if said not in seen and not stated:
                    seen.add(said)
                    lead.facts.append(fact)
                    taken += 1
    return list(sources.values())


def _term_order(fact: Fact, asked: set[str]) -> tuple[bool, int]:
    """Terms new to the reader before the question's own words (those only confirm the topic),
    then round-robin over the quotes: each quote's first term before any quote's second, so a
    later quote (the proposal under the background) is named too."""
    return fact.text.split(" (")[0] in asked, fact.rank


def _glossary_terms(quote: str, title: str = "") -> list[tuple[str, str]]:
    """Council terms in the quote the glossary can give in English, the most telling first: a
    word that takes English two words ("arbeidsgruppen" → "working group", "utviklingspartner" →
    "development *partner*") packs the quote's own subject, where a one-word term ("behov",
    "delta") could stand in any text. A compound whose head the glossary lacks keeps that head in
    Norwegian, except in a name ("Helsedirektoratet" is not "health *direktoratet*"). A word of
    the record's title is left out: the lead names the record already."""
    found: list[tuple[str, str]] = []
    named = title.lower()
    capitalised = {w.lower() for w in re.findall(r"[A-ZÆØÅ][A-Za-zæøåÆØÅ]+", quote)}
    for word in re.findall(r"[a-zæøå]{5,}", quote.lower()):
        english, complete = english_compound(word)
        if not english or (not complete and word in capitalised):
            continue
        if english not in _GENERIC_TERMS and word not in named and english not in {e for _, e in found}:
            found.append((word, english))
    # Stable sort: the compounds first, each group in quote order.
    found.sort(key=lambda term: not _compound(*term))
    return found


def _compound(norwegian: str, english: str) -> bool:
    """One Norwegian word that English says in two ("arbeidsgruppen" → "working group"). The length
    floor is the language's, not fitted: the short words English renders in two are verbs
    ("deltar" → "take part"), not compounds."""
    return " " in english and len(norwegian) >= 8


def english_lead(answer: Answer, question: str = "", answer_type: str | None = None) -> str:
    """The lead paragraph for an English answer, "" when there is nothing cited to lead with."""
    # A meeting's case list already opens with an English heading that names every case, and a
    # draft is the reader's own English text to edit, its banner first.
    if answer.refused or answer.language != "en" or not answer.citations or answer.route in ("meeting_agenda", "drafting"):
        return ""
    parts = []
    for lead in lead_facts(answer, question, answer_type):
        facts = [f.text for f in lead.facts]
        listed = f": {'; '.join(facts)}" if facts else ""
        parts.append(f"{lead.label[:1].upper()}{lead.label[1:]}{listed} {lead.marker}")
    return LEAD_PREFIX + " · ".join(parts)


def with_english_lead(answer: Answer, question: str = "", answer_type: str | None = None) -> Answer:
    """The answer with its English lead on top (unchanged for other languages and refusals)."""
    lead = english_lead(answer, question, answer_type)
    if not lead:
        return answer
    return answer.model_copy(update={"answer": f"{lead}\n\n{answer.answer}"})
