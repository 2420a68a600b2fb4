"""The kind of answer a question expects, read from its question words.

One of: amount ("hvor mye", "how much"), count ("hvor mange"), duration ("hvor lenge", "how long",
a "-tid" of a process: "saksbehandlingstid", "ventetid"), date ("når"), person ("hvem"),
organisation ("hvilke organisasjoner"), place ("hvor", "kvar"), list ("hvilke … er"), yes_no
("Er det …?", "Har rådet …?"), reason ("hvorfor"), opinion ("hva mener"), or None when the
question words say nothing (a "hva"-question about a fact). Every rule is a class of question
words, the same in nb, nn and en; the evidence scorer reads the type as a feature, and the cues
of its search text (`evidence_cues`, through QuestionAnalysis.evidence_cues).

`holds_value` says whether a sentence holds a value of the kind an amount, count, duration or date
question asks for; the refusal model reads whether any top evidence sentence does
(assistant/holdings.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ANSWER_TYPES = ("amount", "count", "duration", "date", "person", "organisation", "place", "list", "yes_no", "reason", "opinion")

DATE_QUESTION = re.compile(
    r"(?:^\W*|[,;:]\s*|\b(?:og|and|men|but|eller|or)\s+)(?:når|kva tid|kor tid|when)\b"
    # A preposition before the question word asks for a date too ("since when", "innen når").
    r"|\b(hvilken dato|kva dato|what date|dato|frist|(?:innen|inntil|siden|sidan|fra|frå|til|by|since|until|till|from) (?:når|kva tid|kor tid|when))\b", re.I)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("amount", re.compile(r"\b(hvor mye|kor mykje|kor mye|how much|beløp\w*|kostnad\w*|koste[rt]?|budsjett\w*|kroner|what (?:is|was) the (?:cost|budget|amount))\b", re.I)),
    ("count", re.compile(r"\b(hvor mange|kor mange|how many|antall|talet på|tallet på|number of)\b", re.I)),
    # How long something takes: the question words, or the time a process takes ("-ingstid",
    # "-etid": saksbehandlingstid, behandlingstid, ventetid, leveringstid; not "fremtid", "samtid").
    ("duration", re.compile(r"\b(hvor lenge|kor lenge|how long|hvor lang|kor lang|how much time|varighet\w*|duration|\w{2,}(?:ings|e)tid(?:en|a)?|(?:processing|waiting|lead|turnaround) times?)\b", re.I)),
    # "når"/"when" ask for a date where they open the question or one of its parts; inside a clause
    # they are a conjunction ("What does the council think … when it buys health technology?").
    ("date", DATE_QUESTION),
    ("person", re.compile(r"\b(hvem|kven|who|whom|(hvilke|kva for|which) (medlemmer|medlemmar|personer|personar|members|people))\b", re.I)),
    ("organisation", re.compile(r"\b(hvilke|hvilken|kva for|which)\s+(organisasjon\w*|institusjon\w*|aktør\w*|departement\w*|instans\w*|virksomhet\w*|verksemd\w*|organi[sz]ations?|institutions?|bodies|body|agenc\w+|ministr\w+)\b", re.I)),
    ("reason", re.compile(r"\b(hvorfor|kvifor|why|av hvilken grunn|begrunn\w*|what (?:is|was) the reason)\b", re.I)),
    ("opinion", re.compile(r"\b(mener|meiner|mente|meinte|syn på|synet på|standpunkt\w*|holdning\w*|what does .{0,40}\b(think|say)|view\w* on|position on|stance on)\b", re.I)),
    ("place", re.compile(r"^\s*(?:og\s+|and\s+)?(hvor|kvar|where)\b(?!\s+(mye|mange|mykje|lenge|ofte|stor|store|langt|lang|lange))", re.I)),
    ("list", re.compile(r"\b(hvilke|kva for|which|list|nevn|name the|what are the)\b", re.I)),
    ("yes_no", re.compile(r"^\s*(?:og\s+|and\s+)?(er|var|har|hadde|kan|skal|vil|blir|ble|finnes|fins|is|are|was|were|has|have|had|does|did|do|can|will|should)\b", re.I)),
)


def expected_answer_type(question: str) -> str | None:
    """The first matching type in the order above (a "hvor mange" count before a "hvor" place)."""
    for name, pattern in _PATTERNS:
        if pattern.search(question):
            return name
    return None


# "Hvilke medlemmer …" asks for names as much as "Hvem …".
NAME_QUESTION = re.compile(r"\b(hvem|kven|who|(hvilke|kva for|which) (medlemmer|medlemmar|personer|personar|members|people))\b", re.IGNORECASE)
# A question about weaknesses or criticism is answered by a sentence that finds fault (cues.CRITIQUE_CUE).
CRITIQUE_QUESTION = re.compile(r"\b(svakhet\w*|veikskap\w*|kritikk\w*|kritiser\w*|innvending\w*|manglar|mangler|weakness\w*|criticis\w*|shortcoming\w*|flaws?)\b", re.IGNORECASE)
_COUNT_QUESTION = re.compile(r"\b(hvor mange|hvor mye|kor mange|kor mykje|how many|how much|antall|tall)\b", re.I)
Wants = tuple[bool, bool, bool]


@dataclass(frozen=True)
class EvidenceCues:
    """What kind of sentence the evidence scorer (assistant/evidence.py) looks for, read from the
    text it scores against: a summary (an annual report), a decision, a criticism, and for the
    whole text and each of its parts whether it asks for a count or amount, a date, a name."""

    summary: bool = False
    decision: bool = False
    critique: bool = False
    # (number, date, name) for the whole text first, then for each part; a part whose words ask
    # for no kind ("hvor holder rådet …" after "Når og") keeps the whole text's.
    wants: tuple[Wants, ...] = ((False, False, False),)


def answer_wants(text: str) -> Wants:
    """Whether a question (or a part of one) asks for a count or amount, a date, a name."""
    return (
        bool(_COUNT_QUESTION.search(text)),
        bool(DATE_QUESTION.search(text)),
        bool(NAME_QUESTION.search(text)),
    )


def evidence_cues(text: str, parts: tuple[str, ...] = ()) -> EvidenceCues:
    """The cues of a search text and its parts: the whole text's for the whole, a part's own for
    that part ("Kven leier utvalet …, og når skal dei levere?": a name for the first part, a date
    for the second, not both for both)."""
    from assistant.cues import SUMMARY_SOURCE
    from assistant.vocabulary import DECISION_WORDS

    whole = answer_wants(text)
    own = [answer_wants(p) for p in parts]
    return EvidenceCues(
        summary=bool(SUMMARY_SOURCE.search(text)),
        decision=bool(DECISION_WORDS.search(text)),
        critique=bool(CRITIQUE_QUESTION.search(text)),
        wants=(whole, *(wants if any(wants) else whole for wants in own)),
    )


# What a sentence must hold to answer a question of each kind. Lenient on purpose: a sentence with
# any number (not a date or a year) can hold an amount or a count; a duration needs a number (or
# "flere", "noen") before a unit of time; a date needs a day, a month with its year, or a year.
VALUE_TYPES = ("amount", "count", "duration", "date")
_NUMBER_WORD = r"(?:\d+(?:[.,]\d+)?|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|tolv|femten|tjue|tretti|førti|seksti|nitti|hundre|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|sixty|ninety|hundred|flere|noen|nokre|fleire|mange|several|few|many)"
_TIME_UNIT = r"(?:sekund\w*|minutt\w*|timer?|timane|timene|dag\w*|døgn\w*|uke\w*|veke\w*|måned\w*|månad\w*|år(?:et|a|ene)?|seconds?|minutes?|hours?|days?|weeks?|months?|years?)"
_DURATION = re.compile(r"(?<![\w/])" + _NUMBER_WORD + r"(?:\s*[-–]\s*\d+)?\s+(?:\w+\s+)?" + _TIME_UNIT + r"(?![\wæøå])", re.I)
_WRITTEN_COUNT = re.compile(r"(?<![\wæøå-])(?:to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|femten|tjue|hundre|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty)\s+[a-zæøå]{3,}", re.I)


def holds_value(answer_type: str | None, text: str) -> bool:
    """Whether the sentence holds a value of the kind the answer type asks for (True for the
    types that ask for no value)."""
    from assistant.cues import DATE_CUE, YEAR_CUE, has_count

    if answer_type in ("amount", "count"):
        return has_count(text) or bool(_WRITTEN_COUNT.search(text))
    if answer_type == "duration":
        return bool(_DURATION.search(text))
    if answer_type == "date":
        return bool(DATE_CUE.search(text) or YEAR_CUE.search(text))
    return True
