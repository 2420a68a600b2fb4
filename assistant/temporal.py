"""When a question is about: months and meetings it names ("i januar", "møtet i mars 2026",
"the last meeting of 2025", "skrevet om i juni").

Members rarely know case numbers; they remember when something was discussed. The scope found
here is a soft preference (evidence from that time ranks higher), never a filter: a month can
also be what a passage is about ("seminaret 4. mars").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.case_numbers import find_meeting_references

_MONTHS = {
    "januar": 1, "january": 1, "februar": 2, "february": 2, "mars": 3, "march": 3, "april": 4,
    "mai": 5, "juni": 6, "june": 6, "juli": 7, "july": 7, "august": 8, "september": 9,
    "oktober": 10, "october": 10, "november": 11, "desember": 12, "december": 12,
}
# "may" is an English verb far more often than a month: only "in/of May" or "May 2026" count.
_MONTH_RE = re.compile(
    r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b(?:\s+(\d{4}))?"
    r"|\b(?:in|of)\s+(may)\b(?:\s+(\d{4}))?|\b(may)\s+(\d{4})\b",
    re.IGNORECASE,
)
# A day before the month ("4. mars") dates an event the passage talks about, not the discussion.
_DAY_BEFORE = re.compile(r"\d{1,2}\.\s*$")
_ORDINAL_MEETING = re.compile(
    r"\b(?P<which>første|fyrste|first|siste|last|final|andre|second|tredje|third)\s+(?:råds)?(?:møte\w*|meeting)\s+(?:i|in|of|for|av)\s+(?P<year>\d{4})\b",
    re.IGNORECASE,
)
_ORDINALS = {"første": 1, "fyrste": 1, "first": 1, "andre": 2, "second": 2, "tredje": 3, "third": 3}


@dataclass
class TimeScope:
    months: set[tuple[int | None, int]] = field(default_factory=set)  # (year or None, month)
    meetings: set[str] = field(default_factory=set)  # "3/2025"

    def __bool__(self) -> bool:
        return bool(self.months or self.meetings)

    def matches_date(self, date: str | None) -> bool | None:
        """True/False for a dated source, None when it has no date or the scope names no month."""
        if not self.months or not date or len(date) < 7:
            return None
        year, month = int(date[:4]), int(date[5:7])
        return any(m == month and (y is None or y == year) for y, m in self.months)

    def mentions_meeting(self, text: str) -> bool:
        return any(re.search(r"(?<![\d/])" + re.escape(m) + r"(?![\d/])", text) for m in self.meetings)


def time_scope(question: str, known_meetings: set[str]) -> TimeScope:
    """The months and meetings a question places itself in."""
    scope = TimeScope()
    for match in _MONTH_RE.finditer(question):
        name = match.group(1) or match.group(3) or match.group(5)
        year = match.group(2) or match.group(4) or match.group(6)
        if match.group(1) and _DAY_BEFORE.search(question[: match.start(1)]):
            continue
        scope.months.add((int(year) if year else None, _MONTHS.get(name.lower(), 5)))
    scope.meetings.update(find_meeting_references(question))
    for match in _ORDINAL_MEETING.finditer(question):
        which, year = match.group("which").lower(), match.group("year")
        numbers = sorted(int(m.split("/")[0]) for m in known_meetings if m.endswith("/" + year))
        if not numbers:
            continue
        if which in ("siste", "last", "final"):
            scope.meetings.add(f"{numbers[-1]}/{year}")
        elif _ORDINALS.get(which) in numbers:
            scope.meetings.add(f"{_ORDINALS[which]}/{year}")
    return scope


def known_meetings(case_meetings: set[str | None], texts) -> set[str]:
    """Meetings the archive holds or mentions ("referat fra møte 3/2025")."""
    found = {m for m in case_meetings if m}
    for text in texts:
        found.update(find_meeting_references(text))
    return found
