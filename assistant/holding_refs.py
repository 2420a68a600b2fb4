"""What a question needs the archive to hold, read from its words (called by assistant/analysis.py
only, like answer_types.py): a time after a date, the outcome of a matter, a named council document.

- after: "neste møte etter 4. mars 2026", "anything after March 2026" → the ISO date after which
  the question asks (the last day of a month named without a day);
- outcome: "til slutt", "endte opp med", "landet på", "in the end", "eventually", "ended up",
  "finally" ask how a matter turned out, which only a recorded decision or later record says;
- about_meeting: the question is about a council meeting ("møtet", "rådsmøtet", "its meeting"; not
  "rundebordsmøtene" or "the input meeting with the committee", another body's meeting);
- document: a council document of a kind ("innspillet til X", "høringssvaret om X", "the input to
  X") with what it was written to or about (X).

Every rule is a class of words, the same in nb, nn and en.
"""
from __future__ import annotations

import re

MONTHS = {
    "januar": 1, "january": 1, "februar": 2, "february": 2, "mars": 3, "march": 3, "april": 4,
    "mai": 5, "may": 5, "juni": 6, "june": 6, "juli": 7, "july": 7, "august": 8, "september": 9,
    "oktober": 10, "october": 10, "november": 11, "desember": 12, "december": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_AFTER = re.compile(
    r"\b(?:etter|after|since|siden|sidan|following)\s+"
    r"(?:(?P<day>\d{1,2})\.?\s+(?P<month>" + _MONTH + r")\s+(?P<year>\d{4})"
    r"|(?P<month2>" + _MONTH + r")\s+(?P<day2>\d{1,2}),?\s+(?P<year2>\d{4})"
    r"|(?P<month3>" + _MONTH + r")\s+(?P<year3>\d{4})"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))",
    re.IGNORECASE,
)
_MONTH_END = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_OUTCOME = re.compile(
    r"\b(til slutt|til sist|endte(?:\s+opp)?|enda(?:\s+opp)?|landet\s+\w+\s+på|landa\s+\w+\s+på|landet på|landa på|"
    r"in the end|eventually|ended up|end up|finally|final (?:decision|choice|outcome))\b",
    re.IGNORECASE,
)
# The kinds of document the council writes to or about something; the object follows "til/om/to/on".
_DOCUMENT = re.compile(
    r"\b(?P<kind>innspill\w*|innspel\w*|høringssvar\w*|høyringssvar\w*|høringsinnspill\w*|høyringsinnspel\w*|"
    r"uttalelse\w*|uttale\w*|brev\w*|input|submission|consultation response|letter|statement)"
    r"(?:\s+(?:sitt|sin|sine|its|their))?(?:\s+(?:fra|frå|from)\s+(?:rådet|the council))?"
    r"\s+(?:til|om|på|to|on|about|for)\s+(?P<object>[^?.!,;]{3,60})",
    re.IGNORECASE,
)


def asks_after(question: str) -> str | None:
    """The ISO date the question asks about a time after, or None."""
    match = _AFTER.search(question)
    if not match:
        return None
    if match.group("iso"):
        return match.group("iso")
    day = match.group("day") or match.group("day2")
    month = MONTHS[(match.group("month") or match.group("month2") or match.group("month3")).lower()]
    year = int(match.group("year") or match.group("year2") or match.group("year3"))
    return f"{year:04d}-{month:02d}-{int(day) if day else _MONTH_END[month]:02d}"


# The council's own meetings: "møtet", "rådsmøtet", "its/the/the council's meeting", "the January
# meeting". Not a meeting of or with another body: "innspillsmøtet" (a compound), "møtet med
# utvalget", "the input meeting", "a meeting with the committee".
_MEETING = re.compile(
    r"(?:\b(?:møte|møtet|møter|møta|møtene|rådsmøte\w*)\b"
    r"|\b(?:its|the|a|council's|council|our|their|next|last|first|second|third|" + _MONTH + r")\s+meetings?\b)"
    r"(?!\s+(?:med|with)\b)",
    re.IGNORECASE,
)


def asks_about_meeting(question: str) -> bool:
    return bool(_MEETING.search(question))


def asks_outcome(question: str) -> bool:
    return bool(_OUTCOME.search(question))


def named_document(question: str) -> tuple[str, str] | None:
    """(kind, object) of a council document the question names, e.g. ("innspelet", "Demensplan 2030")."""
    match = _DOCUMENT.search(question)
    if not match:
        return None
    return match.group("kind").lower(), match.group("object").strip()

