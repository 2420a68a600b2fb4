"""A short English lead above the Norwegian quotes of an answer to an English question.

The quotes stay verbatim Norwegian; the lead tells an English reader what they hold. It is built
by extraction, never by free text: for each of the first sources cited it names the case (number
and title) or the document, and lists the figures, dates and names its quotes contain, each
rendered from the quote's own words by fixed rules:
- a figure keeps its digits (decimal comma → point, thousands space → comma) and its unit, the unit
  translated by a closed table ("milliarder kroner" → "billion kroner", "prosent" → "%"); a
  Norwegian number word ("tre") becomes the English one ("three");
- a date is a Norwegian date ("25. februar 2026", "1.1.2024", "mai 2026") in English form;
- a name is a run of capitalised words or an acronym, copied as written;
- a council term the glossary knows ("personvern") is given in English with the Norwegian word.
So everything the lead states can be found in a quote it cites; tests/assistant/test_english_lead.py
checks exactly that over real answers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer import Answer, Citation
from assistant.glossary import english_compound, english_phrases, english_terms
from ingest.dates import MONTHS

ENGLISH_MONTHS = (
    "January February March April May June July August September October November December".split()
)
# Norwegian number words (both standards) for the numbers a sentence writes out. "en/ein/ett/ei"
# are left out: they are far more often the article than the number.
NUMBER_WORDS = {
    "to": "two", "tre": "three", "fire": "four", "fem": "five", "seks": "six", "sju": "seven",
    "syv": "seven", "åtte": "eight", "ni": "nine", "ti": "ten", "elleve": "eleven", "tolv": "twelve",
    "femten": "fifteen", "tjue": "twenty", "hundre": "hundred",
}
# Units of a figure: Norwegian forms → English. Closed on purpose: a figure whose unit is not here
# keeps its Norwegian noun (in italics), it is not guessed.
UNITS = {
    "milliarder": "billion", "milliard": "billion", "mrd.": "billion", "mrd": "billion",
    "millioner": "million", "million": "million", "mill.": "million", "mill": "million",
    "kroner": "kroner", "kr.": "kroner", "kr": "kroner", "nok": "NOK",
    "prosent": "%", "%": "%", "prosentpoeng": "percentage points",
    "dager": "days", "dagar": "days", "dag": "day", "uker": "weeks", "veker": "weeks", "uke": "week",
    "måneder": "months", "månader": "months", "måned": "month", "år": "years", "timer": "hours",
    "ganger": "times", "gonger": "times", "gang": "time", "gong": "time",
    "personer": "people", "medlemmer": "members", "deltakere": "participants", "deltakarar": "participants",
    "søknader": "applications", "prosjekter": "projects", "prosjekt": "projects", "møter": "meetings",
    "saker": "cases", "sider": "pages", "følgere": "followers", "følgjarar": "followers",
}
# A rate after a figure ("per år", "i året", "årlig").
RATES = {"per år": "a year", "i året": "a year", "årlig": "a year", "årleg": "a year", "i år": "this year",
         "per måned": "a month", "i måneden": "a month", "per møte": "per meeting"}
# Words that qualify a figure, put before it in English.
QUALIFIERS = {
    "ca.": "about", "ca": "about", "cirka": "about", "om lag": "about", "omkring": "about", "rundt": "about",
    "omtrent": "about", "nesten": "almost", "over": "over", "under": "under", "opptil": "up to",
    "minst": "at least", "mer enn": "more than", "meir enn": "more than", "færre enn": "fewer than",
}

_UNIT_WORDS = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_RATE_WORDS = "|".join(re.escape(r) for r in sorted(RATES, key=len, reverse=True))
_QUALIFIER_WORDS = "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len, reverse=True))
# Full month names only: an abbreviation ("mar", "des") is a prefix of its full name and, alone, more
# often another word. "mai" is a full name, though as short as the abbreviations.
_MONTH_WORDS = "|".join(
    name for name in sorted(MONTHS, key=len, reverse=True) if not any(o != name and o.startswith(name) for o in MONTHS)
)

DATE = re.compile(
    r"(?<![\d/.])(?:(?P<d>\d{1,2})\.\s*(?P<month>" + _MONTH_WORDS + r")(?:\s+(?P<y>\d{4}))?"
    r"|(?P<nd>\d{1,2})\.(?P<nm>\d{1,2})\.(?P<ny>\d{4})"
    r"|(?P<month2>" + _MONTH_WORDS + r")\s+(?P<y2>\d{4}))(?![\d/])",
    re.IGNORECASE,
)
# A case reference or a section/page number is not a figure.
_NOT_FIGURE = re.compile(r"\d+\s*/\s*\d+(?:\s*/\s*\d+)?|\b(?:s|side|sak|nr|kap|pkt|punkt|vedlegg)\.?\s*\d+", re.IGNORECASE)
FIGURE = re.compile(
    r"(?:(?P<qual>" + _QUALIFIER_WORDS + r")\s+)?"
    r"(?<![\w.,/])(?P<num>\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:,(?P<dec>\d+))?(?![\d/])"
    r"(?:\s*(?P<unit>(?:" + _UNIT_WORDS + r")(?:\s+(?:kroner|kr\.?|NOK))?)(?![\wæøå]))?"
    r"(?:\s+(?P<rate>" + _RATE_WORDS + r")(?![\wæøå]))?",
    re.IGNORECASE,
)
# A number word counts the noun after it, or after one adjective in the plural -e form that
# Norwegian puts between them ("tre strategiske rundebordsmøter").
WRITTEN_NUMBER = re.compile(
    r"(?<![\wæøå-])(?P<word>" + "|".join(NUMBER_WORDS) + r")\s+(?:(?P<adjective>[a-zæøå]{3,}e)\s+)?"
    r"(?P<noun>[a-zæøå]{3,})(?![\wæøå])",
    re.IGNORECASE,
)
# A name: capitalised words (with inner capitals or hyphens: "DeepInsight", "Bing-Jonsson"),
# joined by spaces or a name particle; or an acronym ("FHI", "NORTRE", "HO21").
# "Helse- og omsorgsdepartementet" is one name; "HelseOmsorg21-rådet" too.
_CAP = r"[A-ZÆØÅ][\wæøåéü]*(?:-[\wæøåéü]+)*(?:-[ \u00a0]+og[ \u00a0]+[\wæøåéü]+)?"
NAME = re.compile(r"(?<![\w-])" + _CAP + r"(?:[ \u00a0]+(?:(?:von|van|de|der|den|la)[ \u00a0]+)*" + _CAP + r")*")
ACRONYM = re.compile(r"^[A-ZÆØÅ][A-ZÆØÅ0-9]+(?:-[A-ZÆØÅa-zæøå0-9]+)?$")
# Capitalised because they open a sentence, a list item or a quote, not because they are names.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[«\"(]\s*|^\s*[-*•]\s+|\n\s*|\t\s*|\d\)\s+)$")
# Words that are capitalised in the archive but name no one: months, weekdays, the case word.
_NOT_NAMES = frozenset(
    """sak saken saka vedlegg møte rådet rådets forslag vedtak referat januar februar mars april mai juni
    juli august september oktober november desember mandag tirsdag onsdag torsdag fredag lørdag søndag
    se jf kilde merknad""".split()
)

LEAD_PREFIX = "**In brief** (the Norwegian quotes below are the source): "
# Lengths, not weights, so not fitted: a lead is one line a reader takes in at a glance.
MAX_SOURCES = 3  # a lead, not a summary: the first sources cited carry the answer
MAX_FACTS = 8  # per source, figures, dates, names and terms together
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


def english_number(digits: str, decimals: str | None) -> str:
    """Norwegian digits as English writes them: "1 200" → "1,200", "1,8" → "1.8"."""
    whole = re.sub(r"[ \u00a0]", ",", digits)
    return f"{whole}.{decimals}" if decimals else whole


def english_date(match: re.Match) -> str:
    if match.group("nd"):
        day, month, year = int(match.group("nd")), int(match.group("nm")), match.group("ny")
        return f"{day} {ENGLISH_MONTHS[month - 1]} {year}" if 1 <= month <= 12 and 1 <= day <= 31 else ""
    if match.group("month2"):
        return f"{ENGLISH_MONTHS[MONTHS[match.group('month2').lower()] - 1]} {match.group('y2')}"
    day, month = int(match.group("d")), MONTHS[match.group("month").lower()]
    year = f" {match.group('y')}" if match.group("y") else ""
    return f"{day} {ENGLISH_MONTHS[month - 1]}{year}" if 1 <= day <= 31 else ""


def dates(quote: str) -> list[tuple[str, str, tuple[int, int]]]:
    """(English date, the quote's words, span) for each Norwegian date in the quote."""
    found = []
    for match in DATE.finditer(quote):
        rendered = english_date(match)
        if rendered:
            found.append((rendered, match.group(0), match.span()))
    return found


# A year after a preposition of time ("innen 2029", "i 2029 og 2031"): a date to a question that asks
# when, and only to one (elsewhere "i 2025" mostly dates the record, not the answer).
_YEAR_PREPOSITIONS = {"i": "in", "innen": "by", "fra": "from", "frå": "from", "til": "to", "før": "before",
                      "etter": "after", "siden": "since", "sidan": "since", "fram til": "until", "frem til": "until"}
YEAR = re.compile(
    r"(?<![\wæøå])(?P<prep>" + "|".join(sorted(_YEAR_PREPOSITIONS, key=len, reverse=True)) + r")\s+"
    r"(?P<y>(?:19|20)\d\d)(?:\s*(?P<join>og|–|-)\s*(?P<y2>(?:19|20)\d\d))?(?![\d/.,]\d|[\wæøå-])",
    re.IGNORECASE,
)


def years(quote: str, taken: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """(English, the quote's words) for each year a time preposition introduces."""
    found = []
    for match in YEAR.finditer(quote):
        if any(s <= match.start("y") < e for s, e in taken):
            continue
        rendered = f"{_YEAR_PREPOSITIONS[match.group('prep').lower()]} {match.group('y')}"
        if match.group("y2"):
            rendered += (" and " if match.group("join") == "og" else "–") + match.group("y2")
        found.append((rendered, match.group(0)))
    return found


def figures(quote: str, taken: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """(English figure, the quote's words) for each number with a unit or a counted noun."""
    blocked = list(taken) + [m.span() for m in _NOT_FIGURE.finditer(quote)]
    found = []
    for match in FIGURE.finditer(quote):
        start, end = match.span("num")
        if any(s <= start < e for s, e in blocked):
            continue
        number = english_number(match.group("num"), match.group("dec"))
        unit = match.group("unit")
        if not unit:
            # A bare number is a figure only when a counted noun follows ("16 medlemmer"); a bare
            # year or a list number says nothing on its own.
            noun = re.match(r"\s+([a-zæøå]{4,})", quote[match.end():])
            if not noun or not _counted(noun.group(1)) or re.fullmatch(r"(19|20)\d\d", match.group("num")):
                continue
            english = _plural(english_terms(noun.group(1)))
            rendered, source = f"{number} {english or '*' + noun.group(1) + '*'}", quote[match.start():match.end() + noun.end()]
        else:
            words = unit.lower().split()
            english_unit = " ".join(UNITS.get(w, UNITS.get(w.rstrip("."), w)) for w in words)
            english_unit = english_unit.replace("billion kroner", "billion kroner").replace("kroner kroner", "kroner")
            rendered = f"{number}%" if english_unit == "%" else f"{number} {english_unit}"
            source = match.group(0)
        if match.group("rate"):
            rendered += " " + RATES[match.group("rate").lower()]
        if match.group("qual"):
            rendered = QUALIFIERS[match.group("qual").lower()] + " " + rendered
        found.append((rendered, source.strip()))
    for match in WRITTEN_NUMBER.finditer(quote):
        number, adjective, noun, source = NUMBER_WORDS[match.group("word").lower()], match.group("adjective"), match.group("noun"), match.group(0)
        if adjective and not _counted(noun):  # "to uke etter": the -e word was the noun
            adjective, noun, source = None, adjective, source[: source.lower().rindex(adjective.lower()) + len(adjective)]
        if not _counted(noun):
            continue
        # A counted compound the glossary lacks is given from its parts ("oppfølgingspunkter" →
        # "follow up *punkter*"), already plural in its Norwegian head.
        english = UNITS.get(noun.lower()) or _plural(english_terms(noun)) or english_compound(noun)[0]
        # An adjective the glossary lacks is left out rather than guessed: the count and its noun
        # are the figure.
        described = english_terms(adjective) if adjective else ""
        found.append((" ".join(w for w in (number, described, english or f"*{noun}*") if w), source))
    return found


def _plural(english: str) -> str:
    """A counted noun is plural (a number above one counts it): "round table" → "round tables".
    The glossary gives a word its English once, mostly in the singular; English adds -s."""
    return english if not english or english.endswith("s") else english + "s"


def _counted(word: str) -> bool:
    """A noun a number counts: a unit, or a plural ("informanter", "rundebordsmøtar"); not the
    adjective or pronoun that often follows a number ("tre andre", "to ulike")."""
    word = word.lower()
    return word in UNITS or (len(word) >= 4 and word.endswith("r") and word not in ("eller", "over", "under", "etter", "andre"))


def names(quote: str) -> list[str]:
    """Names of people, bodies and places in the quote, as written."""
    found = []
    for match in NAME.finditer(quote):
        text = match.group(0)
        words = text.split()
        at_start = bool(_SENTENCE_START.search(quote[: match.start()]))
        if at_start:
            # A capitalised first word may only be the sentence's start: a name needs a second
            # capitalised word ("Tarje Bjørgum deltok") or must be an acronym / inner capital.
            if len(words) == 1 and not (ACRONYM.match(text) or re.search(r"[a-zæøå][A-ZÆØÅ]", text)):
                continue
        if words[0].lower() in _NOT_NAMES:
            words = words[1:]
        # A sentence's capitalised first word before an acronym is its verb or noun, not a first
        # name ("Invitere NORTRE til …").
        if at_start and len(words) >= 2 and ACRONYM.match(words[1]) and not ACRONYM.match(words[0]):
            words = words[1:]
        # Nor is a first word the glossary knows as an ordinary word ("Invitere Helsedirektoratet
        # til møte …": "invitere" is a verb of the archive's vocabulary).
        if at_start and len(words) >= 2 and not ACRONYM.match(words[0]) and english_terms(words[0]):
            words = words[1:]
        # A list flattened into one line runs an affiliation into the next person ("HOD Elin
        # Marlén Hollfjord"): an acronym before a full name (two or more words) stands alone.
        if len(words) >= 3 and ACRONYM.match(words[0]):
            for part in (words[:1], words[1:]):
                if " ".join(part) not in found:
                    found.append(" ".join(part))
            continue
        while words and words[-1].lower() in ("og", "for", "i"):
            words = words[:-1]
        if not words or all(w.lower() in _NOT_NAMES for w in words):
            continue
        name = " ".join(words)
        if len(name) >= 2 and name not in found:
            found.append(name)
    return found


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
    for key, lead in sources.items():
        seen: set[str] = set()
        for kind in _ORDER.get(answer_type or "", _DEFAULT_ORDER):
            candidates = [f for f in found[key] if f.kind == kind]
            if kind == "term":
                candidates.sort(key=lambda f: _term_order(f, asked))
            taken = 0
            for fact in candidates:
                if len(lead.facts) >= MAX_FACTS or taken >= limits.get(kind, MAX_FACTS):
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
