"""Norwegian dates as the council writes them: "4. mars", "mandag 14. januar 2026", "18.2.2026"."""
from __future__ import annotations

import re

MONTHS = {
    "januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "okt": 10, "nov": 11, "des": 12,
}
_WRITTEN = re.compile(
    r"(?P<d>\d{1,2})\.\s*(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?(?:\s+(?P<y>\d{4}))?",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\d)")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")


def parse_norwegian_date(text: str, default_year: int | None = None) -> str | None:
    """The first date in text as ISO yyyy-mm-dd; a date without a year takes default_year."""
    candidates = []
    for match in _WRITTEN.finditer(text):
        year = match.group("y") or default_year
        if year:
            candidates.append((match.start(), int(year), MONTHS[match.group("month").lower()], int(match.group("d"))))
    for match in _NUMERIC.finditer(text):
        candidates.append((match.start(), int(match.group("y")), int(match.group("m")), int(match.group("d"))))
    for match in _ISO.finditer(text):
        candidates.append((match.start(), int(match.group("y")), int(match.group("m")), int(match.group("d"))))
    for _, year, month, day in sorted(candidates):
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None
