"""What the parser finds in one file, for `radsarkiv parse FILE [--json]`.

Municipal kinds (saksframlegg, saksprotokoll, møteprotokoll, agenda) come from ingest.municipal
with the Kommunelys fasit keys; a council bundle (agenda + case papers + minutes) comes from the
council parser, with each case's identity, title, proposal, decision and attendance.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.attendance import parse_attendance
from ingest.blocks import blocks_from_pages
from ingest.models import DocumentMeta
from ingest.municipal import as_json, parse_text


def read_text(path: Path) -> tuple[str, Any]:
    from ingest.readers import read_document

    read = read_document(path)
    return "\n".join(page.text for page in read.pages), read


def inspect_file(path: Path) -> dict[str, Any]:
    """Everything the parser found in one file. Raises ReaderError/MeetingFileError on bad input."""
    if path.suffix.lower() == ".json":
        from ingest.meeting_file import read_meeting_file

        record = read_meeting_file(path)
        return {"kind": "agenda", **record.as_json()}
    text, read = read_text(path)
    document = parse_text(text)
    if document.kind is not None:
        return as_json(document)
    return _council(read, path)


def _council(read, path: Path) -> dict[str, Any]:
    from ingest.structure import parse_document

    parsed = parse_document(read, DocumentMeta(), path.stem)
    kinds = {part.kind for part in parsed.parts}
    kind = "møtepapirer" if "case_paper" in kinds else ("referat" if "minutes" in kinds else None)
    return {
        "kind": kind,
        "doc_type": parsed.doc_type,
        "title": parsed.title,
        "date": parsed.date,
        "meeting": parsed.meeting,
        "cases": [
            {
                "case": case.number, "literal": case.literal_number, "heading": case.literal_heading, "title": case.title,
                "meeting": case.meeting, "source": case.source, "proposal": case.proposal, "decision": case.decision,
                "resolution_note": case.resolution_note,
            }
            for case in parsed.cases
        ],
        "attendance": council_attendance(parsed),
    }


def council_attendance(parsed) -> dict[str, list[dict]]:
    """Attendance of each meeting whose minutes the document holds, keyed by meeting ("1/2026")."""
    from ingest.council_records import minutes_attendance

    return {meeting: [a.as_json() for a in attendees] for meeting, attendees in minutes_attendance(blocks_from_pages(parsed.pages)).items()}


def render(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)


def summary_lines(payload: dict[str, Any]) -> list[str]:
    """A short Norwegian reading of `inspect_file`'s result for the terminal."""
    lines = [f"Type: {payload.get('kind') or 'dokument uten saksstruktur'}"]
    for key, label in (("body", "Utvalg"), ("date", "Dato"), ("meeting", "Møte"), ("title", "Tittel")):
        if payload.get(key):
            lines.append(f"{label}: {payload[key]}")
    for case in payload.get("cases", []):
        treatment = case.get("treatment") or {}
        lines.append(f"- {case.get('literal') or case.get('case')} {case.get('title') or ''}".rstrip())
        for vote in treatment.get("votes", []):
            tally = "enstemmig" if vote["enstemmig"] else f"{vote['antall_for']} for, {vote['antall_mot']} mot"
            who = f" ({vote['forslagsstiller']}, {vote['parti']})" if vote.get("forslagsstiller") else ""
            lines.append(f"    votering: {vote['type']}{who}: {tally}, {vote['resultat']}")
        decision = treatment.get("decision") or case.get("decision")
        if decision:
            lines.append(f"    vedtak: {decision[:160]}")
    for key in ("innledning", "forslag", "saksopplysninger", "saksvurderinger"):
        if payload.get(key):
            lines.append(f"{key}: {len(payload[key])} tegn")
    attendance = payload.get("attendance")
    if isinstance(attendance, dict):
        attendance = [a for group in attendance.values() for a in group]
    if attendance:
        roles: dict[str, int] = {}
        for person in attendance:
            roles[person["role"]] = roles.get(person["role"], 0) + 1
        lines.append("Oppmøte: " + ", ".join(f"{role} {count}" for role, count in roles.items()))
    for item in payload.get("agenda", []):
        lines.append(f"  saksliste: {item.get('literal') or item.get('case')} {item.get('title')}")
    return lines
