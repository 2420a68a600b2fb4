"""The kind of answer a question expects, read from its question words.

One of: amount ("hvor mye", "how much"), count ("hvor mange"), date ("når"), person ("hvem"),
organisation ("hvilke organisasjoner"), place ("hvor", "kvar"), list ("hvilke … er"), yes_no
("Er det …?", "Har rådet …?"), reason ("hvorfor"), opinion ("hva mener"), or None when the
question words say nothing (a "hva"-question about a fact). Every rule is a class of question
words, the same in nb, nn and en; the evidence scorer reads the type as a feature.
"""
from __future__ import annotations

import re

ANSWER_TYPES = ("amount", "count", "date", "person", "organisation", "place", "list", "yes_no", "reason", "opinion")

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("amount", re.compile(r"\b(hvor mye|kor mykje|kor mye|how much|beløp\w*|kostnad\w*|koste[rt]?|budsjett\w*|kroner|what (?:is|was) the (?:cost|budget|amount))\b", re.I)),
    ("count", re.compile(r"\b(hvor mange|kor mange|how many|antall|talet på|tallet på|number of)\b", re.I)),
    ("date", re.compile(r"\b(når|kva tid|kor tid|when|hvilken dato|kva dato|what date|dato|frist|innen når|by when)\b", re.I)),
    ("person", re.compile(r"\b(hvem|kven|who|whom|(hvilke|kva for|which) (medlemmer|medlemmar|personer|personar|members|people))\b", re.I)),
    ("organisation", re.compile(r"\b(hvilke|hvilken|kva for|which)\s+(organisasjon\w*|institusjon\w*|aktør\w*|departement\w*|instans\w*|virksomhet\w*|verksemd\w*|organi[sz]ations?|institutions?|bodies|body|agenc\w+|ministr\w+)\b", re.I)),
    ("reason", re.compile(r"\b(hvorfor|kvifor|why|av hvilken grunn|begrunn\w*|what (?:is|was) the reason)\b", re.I)),
    ("opinion", re.compile(r"\b(mener|meiner|mente|meinte|syn på|synet på|standpunkt\w*|holdning\w*|what does .{0,40}\b(think|say)|view\w* on|position on|stance on)\b", re.I)),
    ("place", re.compile(r"^\s*(?:og\s+|and\s+)?(hvor|kvar|where)\b(?!\s+(mye|mange|mykje|lenge|ofte|stor|langt))", re.I)),
    ("list", re.compile(r"\b(hvilke|kva for|which|list|nevn|name the|what are the)\b", re.I)),
    ("yes_no", re.compile(r"^\s*(?:og\s+|and\s+)?(er|var|har|hadde|kan|skal|vil|blir|ble|finnes|fins|is|are|was|were|has|have|had|does|did|do|can|will|should)\b", re.I)),
)


def expected_answer_type(question: str) -> str | None:
    """The first matching type in the order above (a "hvor mange" count before a "hvor" place)."""
    for name, pattern in _PATTERNS:
        if pattern.search(question):
            return name
    return None
