"""When a question is about: months and meetings it names ("i januar", "møtet i mars 2026",
"the last meeting of 2025", "skrevet om i juni"), as the analysis read them, placed in what the
archive holds.

Members rarely know case numbers; they remember when something was discussed. The scope found
here is a soft preference (evidence from that time ranks higher), never a filter: a month can
also be what a passage is about ("seminaret 4. mars").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.reading import References
from ingest.case_numbers import find_meeting_references


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


def time_scope(references: References, known_meetings: set[str]) -> TimeScope:
    """The months and meetings a question places itself in, from what the analysis read in it
    (assistant/reading.py): an ordinal meeting ("the last meeting of 2025") becomes the meeting
    the archive knows by that place."""
    scope = TimeScope(months=set(references.months), meetings=set(references.meetings))
    for which, year in references.ordinal_meetings:
        numbers = sorted(int(m.split("/")[0]) for m in known_meetings if m.endswith("/" + year))
        if not numbers:
            continue
        if which == -1:
            scope.meetings.add(f"{numbers[-1]}/{year}")
        elif which in numbers:
            scope.meetings.add(f"{which}/{year}")
    return scope


def known_meetings(case_meetings: set[str | None], texts) -> set[str]:
    """Meetings the archive holds or mentions ("referat fra møte 3/2025")."""
    found = {m for m in case_meetings if m}
    for text in texts:
        found.update(find_meeting_references(text))
    return found


def meeting_dates(listing) -> dict[str, str]:
    """Meeting → date from the case register's listing (CaseView.listing): a meeting is dated by
    the day its cases were treated, also where its minutes' own rows carry no date."""
    dates: dict[str, str] = {}
    for case in listing:
        if case.get("meeting") and case.get("date"):
            dates.setdefault(case["meeting"], case["date"])
    return dates


def names_date(date: str, references: References) -> bool:
    """Whether an ISO date is a day the question names (year 0001: any year) or, when it names
    no day, a month it names: "møtet 14. januar", "the January 2026 meeting"."""
    if any(day == date or (day.startswith("0001-") and day[4:] == date[4:]) for day in references.dates):
        return True
    if references.dates or len(date) < 7:
        return False  # a named day decides; a month beside it is that day's
    year, month = int(date[:4]), int(date[5:7])
    return any(m == month and (y is None or y == year) for y, m in references.months)
