"""A meeting record as municipal innsyn portals export it (JSON with `mote`, `detaljer` and
`behandlinger`): the body, date and meeting number, and the agenda with, for each item, its
series (PS/FO/RS), number and year, title, the protocol id of this treatment, the earlier
treatments by other bodies (`AdditionalDmbHandlings`) and the case documents (`SF` = case paper).

It becomes a readable agenda text ("Saksliste" with "PS 1/2026 Title" lines) for the index, and
its links tell the register which protocols and case papers are the same case.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.models import Page, ReadDocument


class MeetingFileError(ValueError):
    pass


@dataclass
class MeetingItem:
    series: str
    number: int
    year: int
    title: str
    protocol_id: str | None
    body: str | None
    body_code: str | None
    papers: list[str] = field(default_factory=list)  # document ids of the case papers (SF)
    earlier: list[dict[str, Any]] = field(default_factory=list)  # earlier treatments: body, number, year, protocol id, date


@dataclass
class MeetingRecord:
    body: str | None
    body_code: str | None
    date: str | None
    meeting_number: int | None
    location: str | None
    items: list[MeetingItem]

    def as_json(self) -> dict[str, Any]:
        return {
            "body": self.body, "body_code": self.body_code, "date": self.date, "meeting_number": self.meeting_number,
            "location": self.location,
            "agenda": [
                {"case": f"{i.series} {i.number}/{i.year}", "title": i.title, "protocol_id": i.protocol_id, "papers": i.papers, "earlier": i.earlier}
                for i in self.items
            ],
        }

    def text(self) -> str:
        head = f"Møteinnkalling\n\nUtvalg: {self.body or ''}\nDato: {_norwegian_date(self.date)}\nMøtested: {self.location or ''}\n\nSaksliste\n"
        lines = [f"{i.series} {i.number}/{i.year} {i.title}" for i in self.items]
        return head + "\n".join(lines) + "\n"


def _norwegian_date(iso: str | None) -> str:
    if not iso:
        return ""
    y, m, d = iso[:10].split("-")
    return f"{d}.{m}.{y}"


def read_meeting_file(path: Path) -> MeetingRecord:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MeetingFileError(f"Filen er ikke gyldig JSON ({error}).") from error
    return parse_meeting_record(data)


def parse_meeting_record(data: Any) -> MeetingRecord:
    if not isinstance(data, dict) or not isinstance(data.get("behandlinger"), list):
        raise MeetingFileError("JSON-filen er ikke en møtepost: den mangler listen «behandlinger».")
    details = data.get("detaljer") or {}
    meeting = data.get("mote") or {}
    dmb = details.get("DMB") or {}
    start = details.get("StartDate") or meeting.get("MO_START")
    items = []
    for entry in data["behandlinger"]:
        if not isinstance(entry, dict):
            continue
        items.append(_item(entry))
    return MeetingRecord(
        dmb.get("Name") or meeting.get("UT_NAVN"), dmb.get("ShortCode"), start[:10] if start else None,
        details.get("MeetingNumber"), details.get("MeetingLocation") or meeting.get("MO_STED"), items,
    )


def _item(entry: dict[str, Any]) -> MeetingItem:
    dmb = entry.get("Dmb") or {}
    documents = ((entry.get("RegistryEntry") or {}).get("Documents")) or []
    papers = [str((d.get("DocumentDescription") or {}).get("Id")) for d in documents if d.get("DocumentLinkTypeId") == "SF"]
    earlier = []
    for other in entry.get("AdditionalDmbHandlings") or []:
        other_dmb = other.get("Dmb") or {}
        start = (other.get("Meeting") or {}).get("StartDate")
        earlier.append({
            "body": other_dmb.get("Name"), "body_code": other_dmb.get("ShortCode"), "series": other.get("MeetingCaseTypeId"),
            "number": other.get("SequenceNumber"), "year": other.get("Year"), "protocol_id": str(other.get("Id")) if other.get("Id") else None,
            "date": start[:10] if start else None,
        })
    return MeetingItem(
        entry.get("MeetingCaseTypeId") or "PS", int(entry.get("SequenceNumber") or 0), int(entry.get("Year") or 0),
        " ".join(str(entry.get("Title") or "").split()), str(entry["Id"]) if entry.get("Id") else None,
        dmb.get("Name"), dmb.get("ShortCode"), papers, earlier,
    )


def read_meeting_document(path: Path) -> tuple[ReadDocument, MeetingRecord]:
    """The record and a text rendering of its agenda, for the index."""
    record = read_meeting_file(path)
    title = f"Møteinnkalling {record.body or ''} {_norwegian_date(record.date)}".strip()
    return ReadDocument(path=str(path), format="txt", pages=[Page(None, record.text())], title=title, date=record.date), record


def looks_like_meeting_file(path: Path) -> bool:
    """Whether a JSON file in a folder being ingested is a meeting record (has "behandlinger").
    Other JSON, unreadable JSON included, was never a document type and is left alone; naming a
    JSON file explicitly to `radsarkiv parse` reports what is wrong with it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and "behandlinger" in data
