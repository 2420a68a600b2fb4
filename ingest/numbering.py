"""A grammar for the case numbers Norwegian councils and municipalities print.

    case number  := [prefix] number [ "/" meeting ] sep year
    prefix       := Sak | Saksnr | PS | RS | FO | DS | OS | Utvalgssak | Styresak [nr] | KS | FS ...
    number       := 1–3 digits, leading zeros allowed ("SAK 001/15")
    sep          := "/" | "-" (a dash only after the meeting number or after a prefix: "7/1-2026", "FO 2-2025")
    year         := 2 or 4 digits ("01/17" → 2017)

"Sak 19/2/2026" (HelseOmsorg21: case 19 of meeting 2 in 2026), "sak 7/1-2026", "PS 6/26",
"Sak 01/17", "Styresak nr: 72/01", "FO 2-2025". Archive and journal references ("Arkivsaksnr:
2025/6820", "Arkivreferanse: 2026/1477-1", "JournalpostID 2025/123") put the year first and are
read as archive references, never as case numbers.

A case's identity is (body, series, number, year, meeting when printed): "PS 6/26" in the
Kommunestyret and "sak 6/2026" in the same council's protocol are the same identity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.case_numbers import full_year

# Series codes councils put before the number. "Sak" and its spellings are the generic series.
SERIES_WORDS = {
    "ps": "PS",  # politisk sak
    "rs": "RS",  # referatsak
    "fo": "FO",  # forespørsel / interpellasjon / oversendelsesforslag
    "ds": "DS",  # delegert sak
    "os": "OS",  # orienteringssak
    "ks": "KS",
    "fs": "FS",
}
_GENERIC = r"(?:saks?nr\.?|saksnummer|sak|case|utvalgssak|styresak|møtesak)"
_PREFIX = r"(?P<prefix>" + _GENERIC + r"|" + "|".join(SERIES_WORDS) + r")\.?(?:\s*(?:nr\.?|nummer))?\s*:?\s*"
_NUM = r"(?P<n>0*[1-9]\d{0,2}|0{1,2}(?=\d))"
# number / meeting / year, number / meeting - year, number / year, number - year (prefix only)
_BODY = (
    r"(?P<n>0*[1-9]\d{0,2})"
    r"(?:\s*/\s*(?P<m>0?[1-9]\d?)\s*[/\-–]\s*(?P<y3>(?:19|20)\d{2}|\d{2})"
    r"|\s*/\s*(?P<y2>(?:19|20)\d{2}|\d{2})"
    r"|\s*[\-–]\s*(?P<yd>(?:19|20)\d{2}))"
    r"(?![\d/])"
)
CASE_ID = re.compile(r"(?<![\w/])" + _PREFIX + _BODY, re.IGNORECASE)
# Archive/journal references: a label, then YEAR/NUMBER[-DOC]. Also bare "2025/6820" (year first,
# four-digit serial) is an archive reference: case numbers never exceed three digits.
ARCHIVE_REF = re.compile(
    r"(?:(?P<label>arkivsaks?nr\.?|arkivsak|arkivreferanse|arkivref\.?|journalpost(?:id|nr)?|saksnr\.?\s*arkiv|vår\s+ref\.?|deres\s+ref\.?|ref\.?)\s*:?\s*)?"
    r"(?P<year>(?:19|20)\d{2})\s*/\s*(?P<serial>\d{1,6})(?:\s*-\s*(?P<doc>\d{1,4}))?(?![\d/])",
    re.IGNORECASE,
)
_ARCHIVE_LABEL = re.compile(r"(?:arkiv\w*|journal\w*|vår\s+ref|deres\s+ref|ref)\.?\s*:?\s*$", re.IGNORECASE)
# "behandling av sak 6/2026 i møte den 25.03.2026" (Acos / Elements protocol heading)
TREATMENT_HEADING = re.compile(
    r"^\s*(?P<body>[^\n:]{3,80}?)s?\s+behandling\s+av\s+sak\s+(?P<n>\d{1,3})\s*/\s*(?P<y>(?:19|20)\d{2}|\d{2})"
    r"(?:\s+i\s+møte(?:t)?(?:\s+den)?\s+(?P<date>\d{1,2}\.\s*\d{1,2}\.\s*\d{2,4}))?\s*:?",
    re.IGNORECASE | re.MULTILINE,
)
# "i formannskapet", "i kommunestyret", "i hovedutvalg for helse og omsorg"
_BODY_AFTER = re.compile(r"^\s*(?:i|fra|frå|in)\s+(?:møtet\s+i\s+|møte\s+i\s+)?(?P<body>[a-zæøå][\wæøå\- ]{2,60}?)(?=[\s?.!,;:]*$|\s+(?:om|den|og|i|på|som|der)\b|[?.!,;:])", re.IGNORECASE)
_BODY_WORDS = re.compile(r"(?:styre[t]?|rådet?|utvalg(?:et)?|skap(?:et)?|komite(?:en)?|komité(?:en)?|kommunestyre[t]?|formannskap(?:et)?|ungdomsråd(?:et)?|eldreråd(?:et)?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CaseId:
    """One printed case number, normalized. series: "SAK" for the generic word, else PS/RS/FO/…"""

    number: int
    year: int
    series: str = "SAK"
    meeting: int | None = None
    body: str | None = None
    literal: str = ""

    def __str__(self) -> str:
        if self.meeting is not None:
            return f"{self.number}/{self.meeting}/{self.year}"
        prefix = "" if self.series == "SAK" else f"{self.series} "
        return f"{prefix}{self.number}/{self.year}"

    @property
    def key(self) -> tuple:
        """Identity without the literal: (body, series, number, year, meeting)."""
        return (normalize_body(self.body), self.series, self.number, self.year, self.meeting)

    def same_case(self, other: "CaseId") -> bool:
        """Whether two printed numbers name the same case. An unknown body or the generic series
        matches any: a protocol's body text says "sak 6/2026" for the heading's "PS 6/26"."""
        if (self.number, self.year) != (other.number, other.year):
            return False
        if self.meeting is not None and other.meeting is not None and self.meeting != other.meeting:
            return False
        if "SAK" not in (self.series, other.series) and self.series != other.series:
            return False
        a, b = normalize_body(self.body), normalize_body(other.body)
        return not a or not b or a == b

    def with_body(self, body: str | None) -> "CaseId":
        return replace(self, body=body)


def normalize_body(body: str | None) -> str | None:
    """"Formannskapet" / "Formannskap" → "formannskap", "Kommunestyret" → "kommunestyre"; None stays None."""
    if not body:
        return None
    text = re.sub(r"\s+", " ", body.strip().lower())
    text = re.sub(r"(skap|utvalg|råd|styre|komit[eé])(?:et|t|en|ets|ts|ens|s)?\b", r"\1", text)
    return text.replace("komité", "komite")


def case_id_from_match(match: re.Match) -> CaseId | None:
    prefix = (match.group("prefix") or "").lower().rstrip(".")
    series = SERIES_WORDS.get(prefix, "SAK")
    n = int(match.group("n"))
    if n == 0:
        return None
    if match.group("y3"):
        return CaseId(n, full_year(match.group("y3")), series, int(match.group("m")), literal=match.group(0).strip())
    year = match.group("y2") or match.group("yd")
    return CaseId(n, full_year(year), series, None, literal=match.group(0).strip())


def parse_case_id(text: str) -> CaseId | None:
    """The first case number in text (prefix required), or None. "Arkivsaksnr: 2025/6820" → None."""
    found = find_case_ids(text)
    return found[0] if found else None


def find_case_ids(text: str) -> list[CaseId]:
    """Every prefixed case number in text, in order, with the body named right after it
    ("sak 10/2026 i formannskapet"); archive references are skipped."""
    archive_spans = [m.span() for m in ARCHIVE_REF.finditer(text) if is_archive_reference(text, m)]
    result: list[CaseId] = []
    for match in CASE_ID.finditer(text):
        if any(start <= match.start("n") < end for start, end in archive_spans):
            continue
        case_id = case_id_from_match(match)
        if case_id is None:
            continue
        body = _BODY_AFTER.match(text[match.end():match.end() + 80])
        if body and _BODY_WORDS.search(body.group("body")):
            case_id = case_id.with_body(body.group("body").strip())
        result.append(case_id)
    return result


def is_archive_reference(text: str, match: re.Match) -> bool:
    """YEAR/SERIAL after an archive label, or with a serial longer than a case number can be."""
    if match.group("label") and _ARCHIVE_LABEL.search(match.group("label") + " "):
        return True
    before = text[max(0, match.start() - 30):match.start()]
    if _ARCHIVE_LABEL.search(before):
        return True
    return len(match.group("serial")) >= 4 or bool(match.group("doc"))


def find_archive_references(text: str) -> list[str]:
    """"Arkivsaksnr: 2025/6820" → ["2025/6820"]; "Arkivreferanse: 2026/1477-1" → ["2026/1477"]."""
    found = []
    for match in ARCHIVE_REF.finditer(text):
        if is_archive_reference(text, match):
            ref = f"{match.group('year')}/{int(match.group('serial'))}"
            if ref not in found:
                found.append(ref)
    return found


@dataclass(frozen=True)
class TreatmentHeading:
    body: str
    case: CaseId
    date: str | None  # ISO
    literal: str


def parse_treatment_heading(line: str) -> TreatmentHeading | None:
    """"Formannskaps behandling av sak 10/2026 i møte den 12.02.2026:" → body, case, date."""
    match = TREATMENT_HEADING.match(line)
    if not match:
        return None
    body = re.sub(r"s$", "", match.group("body").strip()) if not match.group("body").strip().endswith(("ss", "us")) else match.group("body").strip()
    case = CaseId(int(match.group("n")), full_year(match.group("y")), "SAK", None, body, literal=f"sak {match.group('n')}/{match.group('y')}")
    date = None
    if match.group("date"):
        d, m, y = re.split(r"\.\s*", match.group("date").strip())
        date = f"{full_year(y):04d}-{int(m):02d}-{int(d):02d}"
    return TreatmentHeading(body, case, date, match.group(0).strip())
