"""Case numbers ("Sak 19/2/2026") and meeting numbers ("møte 1/2026") as people write them."""
from __future__ import annotations

import re
from dataclasses import dataclass

# N/M/YYYY, N/M/YY, N/M-YYYY; "Sak" may be missing in references but is required for headings.
_NUMBER = r"(?P<n>0*[1-9]\d{0,2})\s*/\s*(?P<m>0?[1-9]\d?)\s*[/\-–]\s*(?P<y>(?:19|20)\d{2}|\d{2})(?!\d)"
HEADING_NUMBER = re.compile(r"^\s*(?:sak|case)\s+" + _NUMBER, re.IGNORECASE)
CASE_REFERENCE = re.compile(r"(?<![\d/])" + _NUMBER, re.IGNORECASE)
# "sak 7 i møte 1/2026", "case 7 of meeting 1/2026", "sak 7 på møtet 1/2026"
CASE_IN_MEETING = re.compile(
    r"\b(?:sak|case)\s+(?P<n>\d{1,3})\s+(?:i|på|fra|frå|of|in|at|from)\s+(?:rådsmøte|møte|møtet|meeting)\s+"
    r"(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4}|\d{2})(?!\d)",
    re.IGNORECASE,
)
# "19-2-2026" as in URLs: only after "sak"/"case" or standing alone, since dashes also join years.
DASHED_CASE = re.compile(
    r"(?:\b(?:sak|case)\s+|^\s*)(?P<n>[1-9]\d{0,2})-(?P<m>[1-9]\d?)-(?P<y>(?:19|20)\d{2})(?!\d)", re.IGNORECASE
)
MEETING_REFERENCE = re.compile(
    r"\b(?:rådsmøte|møte|møtet|meeting|referat møte)\s+(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4}|\d{2})(?![\d/])",
    re.IGNORECASE,
)


def full_year(year: str | int) -> int:
    """Two-digit years are this century's: "25" → 2025."""
    value = int(year)
    return value + 2000 if value < 100 else value


@dataclass(frozen=True)
class CaseNumber:
    number: int
    meeting: int
    year: int

    def __str__(self) -> str:
        return f"{self.number}/{self.meeting}/{self.year}"

    @property
    def meeting_id(self) -> str:
        return f"{self.meeting}/{self.year}"

    @classmethod
    def parse(cls, text: str) -> "CaseNumber | None":
        match = CASE_REFERENCE.search(text)
        return cls.from_match(match) if match else None

    @classmethod
    def from_match(cls, match: re.Match) -> "CaseNumber":
        return cls(int(match.group("n")), int(match.group("m")), full_year(match.group("y")))


def normalize_case_number(text: str) -> str | None:
    """'19-2-2026', '19/2/26', 'Sak 19/2-2026' → '19/2/2026'; None when it is not a case number."""
    cleaned = text.strip()
    if re.fullmatch(r"\d{1,3}-\d{1,2}-\d{2,4}", cleaned):
        cleaned = cleaned.replace("-", "/")
    number = CaseNumber.parse(cleaned)
    return str(number) if number else None


def find_case_references(text: str) -> list[str]:
    """Every case number a question or passage names, normalized, in order of appearance."""
    found: list[tuple[int, str]] = []
    for match in CASE_IN_MEETING.finditer(text):
        found.append((match.start(), f"{int(match.group('n'))}/{int(match.group('m'))}/{full_year(match.group('y'))}"))
    for match in CASE_REFERENCE.finditer(text):
        found.append((match.start(), str(CaseNumber.from_match(match))))
    for match in DASHED_CASE.finditer(text):
        found.append((match.start(), str(CaseNumber.from_match(match))))
    seen: set[str] = set()
    ordered = []
    for _, number in sorted(found):
        if number not in seen:
            seen.add(number)
            ordered.append(number)
    return ordered


def find_meeting_references(text: str) -> list[str]:
    """Meetings named without a case ("møte 1/2026"), normalized to M/YYYY."""
    result = []
    for match in MEETING_REFERENCE.finditer(text):
        meeting = f"{int(match.group('m'))}/{full_year(match.group('y'))}"
        if meeting not in result:
            result.append(meeting)
    return result


def case_sort_key(number: str) -> tuple[int, int, int]:
    """Chronological order of case numbers "N/M/YYYY": by year, meeting, then case."""
    n, m, y = (int(x) for x in number.split("/"))
    return (y, m, n)
