"""Who attended a meeting, from the lists minutes and protocols open with.

Two layouts are common: a municipal table ("Til stede:" / "Navn  Funksjon  Parti  Møtte for",
columns separated by runs of spaces) and a council's list of "Name, Organisation (f.o.m. sak
6/1/2026)" lines under bold labels (Til stede, Observatører, Forfall, Til stede fra
sekretariatet). Each label sets the role of the lines under it until the next label or the
first line that is clearly not a person (a case heading, a long sentence).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ingest.blocks import squash

# Label → role. Longest first so "til stede fra sekretariatet" wins over "til stede".
_LABELS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^til\s+stede\s+fra\s+(?:sekretariat|administrasjon|forskningsråd)\S*(?:\s+\S+){0,3}$", re.I), "secretariat"),
    (re.compile(r"^(?:fra\s+(?:administrasjonen|sekretariatet)\s+møtte|sekretariat(?:et)?|administrasjonen|fra\s+administrasjonen)\s*:?$", re.I), "secretariat"),
    (re.compile(r"^(?:møtende\s+varamedlemmer|varamedlemmer\s+til\s+stede)\s*:?$", re.I), "substitute"),
    (re.compile(r"^(?:til\s+stede|møtende\s+medlemmer|tilstede|deltakere|til\s+stede\s+på\s+møtet)\s*:?$", re.I), "present"),
    (re.compile(r"^(?:observatører|observatør|observatørar|andre\s+til\s+stede)\s*:?$", re.I), "observer"),
    (re.compile(r"^(?:forfall|meldt\s+forfall|fravær|ikke\s+møtt|frafall)\s*:?$", re.I), "absent"),
]
# Anything else that ends an attendance list.
_END = re.compile(
    r"^(?:sak\s+\d|ps\s+\d|saksliste|protokollen\s+(?:er\s+)?godkjen|orienteringer|dato\b|sted\b|møtested|tidspunkt|"
    r"merknad|godkjenning|underskrift|møteleder|referent|#|---)",
    re.I,
)
_HEADER_ROW = re.compile(r"^navn(?:\s{2,}|\t)\s*(?:funksjon|stilling|parti|representerer)", re.I)
_SPAN = re.compile(r"\((?P<what>f\.?\s?o\.?\s?m\.?|t\.?\s?o\.?\s?m\.?|t\.?\s?o\.?|fra|til)\s+sak\s+(?P<case>[\d/\- ]+?)\)", re.I)
_JOINED_ROW = re.compile(r"(?<=\))\s+(?=[A-ZÆØÅ][\wæøå\-]+(?:\s+[A-ZÆØÅ][\wæøå\-]+){1,4},)")
_FUNCTIONS = {
    "ordfører": "Leder", "leder": "Leder", "varaordfører": "Nestleder", "nestleder": "Nestleder",
    "medlem": "Medlem", "varamedlem": "Varamedlem", "vara": "Varamedlem", "observatør": "Observatør",
}


@dataclass
class Attendee:
    name: str
    role: str  # present, substitute, absent, observer, secretariat
    function: str | None = None  # Leder, Nestleder, Medlem, Varamedlem, a job title
    representation: str | None = None  # party code or the organisation the member represents
    substitute_for: str | None = None
    from_case: str | None = None  # "f.o.m. sak 6/1/2026"
    to_case: str | None = None  # "t.o.m. sak 10/1/2026"
    note: str | None = None  # "digitalt", "deler av møtet"

    def as_fasit(self) -> dict:
        return {"navn": self.name, "funksjon": self.function, "repr": self.representation, "vara_for": self.substitute_for}

    def as_json(self) -> dict:
        return asdict(self)


def label_role(line: str) -> str | None:
    text = squash(line).strip("*: ")
    for pattern, role in _LABELS:
        if pattern.match(text):
            return role
    return None


def parse_attendance(lines: list[str]) -> list[Attendee]:
    """Attendees from the lines of a minutes' front matter (labels and rows, in order)."""
    result: list[Attendee] = []
    role: str | None = None
    for raw in _split_joined_rows(lines):
        line = raw.rstrip()
        text = squash(line).strip("*")
        if not text:
            continue
        found = label_role(text)
        if found:
            role = found
            continue
        if role is None:
            continue
        if _END.match(text) or _HEADER_ROW.match(line.strip()):
            if not _HEADER_ROW.match(line.strip()):
                role = None
            continue
        attendee = _table_row(line, role) if re.search(r"\S\s{2,}\S|\t", line.strip()) else _list_row(text, role)
        if attendee is None:
            role = None  # prose after the list: the list has ended
            continue
        result.append(attendee)
    return result


def _split_joined_rows(lines: list[str]) -> list[str]:
    """PDF text may run two list rows together: "… (t.o.m. sak 10/1/2026) Øivind Enger, Sarsia"."""
    result = []
    for line in lines:
        result.extend(_JOINED_ROW.split(line) if not re.search(r"\S\s{2,}\S|\t", line.strip()) else [line])
    return result


def _table_row(line: str, role: str) -> Attendee | None:
    cells = [cell.strip() for cell in re.split(r"\s{2,}|\t", line.strip()) if cell.strip()]
    if not cells or not _looks_like_name(cells[0]):
        return None
    name = cells[0]
    if role == "secretariat":
        return Attendee(name, role, function=cells[1] if len(cells) > 1 else None)
    function = _FUNCTIONS.get(cells[1].lower(), cells[1]) if len(cells) > 1 else None
    party = cells[2].upper() if len(cells) > 2 else None
    substitute_for = cells[3] if len(cells) > 3 else None
    if function == "Varamedlem" or substitute_for:
        role = "substitute" if role == "present" else role
    return Attendee(name, role, function, party, substitute_for)


def _list_row(text: str, role: str) -> Attendee | None:
    """"Name, Org, place (f.o.m. sak 6/1/2026)", "Name (AP)", "Name, vara for Other"."""
    attendee = Attendee("", role)
    for match in _SPAN.finditer(text):
        what = re.sub(r"[\s.]", "", match.group("what").lower())
        case = squash(match.group("case"))
        if what in ("fom", "fra"):
            attendee.from_case = case
        else:
            attendee.to_case = case
    text = _SPAN.sub("", text).strip()
    vara = re.search(r",?\s*\(?\bvara\s+for\s+(?P<who>[^,()]+)\)?", text, re.I)
    if vara:
        attendee.substitute_for = squash(vara.group("who"))
        attendee.role = "substitute" if role == "present" else role
        text = (text[: vara.start()] + text[vara.end():]).strip(" ,")
    notes = [n for n in ("digitalt deler av møtet", "deler av møtet", "digitalt") if re.search(rf",\s*{n}\b", text, re.I)]
    for note in notes:
        text = re.sub(rf",\s*{note}\b", "", text, flags=re.I)
    if notes:
        attendee.note = notes[0]
    if re.search(r",\s*sak\s+[\d/]+$", text, re.I):  # "Siv Øverås, sak 9/1/2026": present for that case
        attendee.note = squash(text.rsplit(",", 1)[1])
        text = text.rsplit(",", 1)[0]
    party = re.match(r"^(?P<name>[^,(]+?)\s*\((?P<party>[A-ZÆØÅa-zæøå]{1,12})\)\s*$", text)
    if party:
        attendee.name, attendee.representation = squash(party.group("name")), party.group("party").upper()
    else:
        name, _, rest = text.partition(",")
        attendee.name, attendee.representation = squash(name), squash(rest) or None
    if not _looks_like_name(attendee.name):
        return None
    return attendee


def _looks_like_name(text: str) -> bool:
    """Two to six capitalized words: a person, not a sentence or a heading."""
    words = text.split()
    if not 2 <= len(words) <= 6 or text.endswith((".", ":")):
        return False
    return all(w[:1].isupper() or w.lower() in ("van", "der", "de", "von", "av", "la") for w in words)


def minutes_attendance(lines: list[str]) -> dict[str, list[dict]]:
    """Grouped for display and the register: present, substitutes, absent, observers, secretariat."""
    groups: dict[str, list[dict]] = {"present": [], "substitute": [], "absent": [], "observer": [], "secretariat": []}
    for attendee in parse_attendance(lines):
        groups.setdefault(attendee.role, []).append(attendee.as_json())
    return groups
