"""The figures, dates and names of a Norwegian quote, in English (for the English lead).

Each is rendered from the quote's own words by fixed rules, so what the lead states stands in the
quote: a figure keeps its digits and gets an English decimal point and unit, a Norwegian number word
becomes the English one, a date gets its English month, a name is copied as written.
"""
from __future__ import annotations

import re

from assistant.glossary import english_compound, english_terms
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
