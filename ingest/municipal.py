"""Municipal meeting papers from plain text: case papers, treatment protocols, meeting protocols
and agendas, as Norwegian municipalities (Acos, Elements, Public 360 innsyn) print them.

`parse_text` returns a `MeetingDocument`; `as_fasit` gives the shape the Kommunelys expected
results use (innledning/forslag/saksopplysninger/saksvurderinger; voteringer/vedtak; oppmote),
and `as_json` adds the general structure (kind, cases with identity, treatments, literal headings).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ingest.attendance import Attendee, parse_attendance
from ingest.blocks import squash
from ingest.dates import parse_norwegian_date
from ingest.kinds import ASSESSMENT_LABEL, FACTS_LABEL, PROPOSAL_LABEL, detect_kind
from ingest.numbering import CASE_ID, CaseId, case_id_from_match, find_archive_references, parse_treatment_heading
from ingest.protocol import Treatment, parse_treatment

# A case heading in a meeting protocol or agenda: "PS 6/26 Referatsaker", "Sak 01/17 Godkjenning".
_CASE_LINE = re.compile(r"^\s*(?P<id>(?:PS|RS|FO|DS|OS|Sak|SAK|Saksnr\.?)\s*0*\d{1,3}\s*/\s*\d{1,4}(?:\s*[/\-]\s*\d{2,4})?)\s+(?P<title>\S.*)$")
_FIELD = re.compile(
    r"^\s*(?:saksframlegg|saksfremlegg|saksgang|utvalg|møtedato|utvalgssak|saksnummer|behandling:?|arkivsaksnr|arkivreferanse|"
    r"saksbehandler|vedlegg|[\wæøå]+\s+kommune|dato|journalpost|klassering|saksansvarlig)\b",
    re.I,
)
_MEETING_FIELD = re.compile(r"^\s*(?P<key>utvalg|møtested|dato|tidspunkt|møtedato)\s*:\s*(?P<value>.+?)\s*$", re.I)


@dataclass
class AgendaItem:
    case: CaseId
    literal: str
    title: str


@dataclass
class CasePaper:
    title: str
    archive_ref: str | None
    bodies: list[str]
    sections: dict[str, str]  # innledning, forslag, saksopplysninger, saksvurderinger
    proposals: list[tuple[str, str]]  # (literal label, text)
    saksbehandler: str | None = None


@dataclass
class CaseTreatment:
    """A case as a protocol shows it: its printed number and title and one body's treatment."""

    case: CaseId
    literal: str  # "PS 6/26" as printed in the heading (or the treatment heading's "sak 6/2026")
    title: str
    treatment: Treatment
    lines: tuple[int, int] | None = None  # the protocol's line range for this case (heading included)


@dataclass
class MeetingDocument:
    kind: str | None
    body: str | None = None
    date: str | None = None
    title: str | None = None
    paper: CasePaper | None = None
    agenda: list[AgendaItem] = field(default_factory=list)
    cases: list[CaseTreatment] = field(default_factory=list)
    attendance: list[Attendee] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_text(text: str) -> MeetingDocument:
    kind = detect_kind(text)
    lines = text.splitlines()
    if kind == "saksframlegg":
        paper = parse_case_paper(lines)
        return MeetingDocument(kind, body=paper.bodies[0] if paper.bodies else None, title=paper.title, paper=paper)
    if kind == "saksprotokoll":
        return _single_treatment(lines)
    if kind in ("møteprotokoll", "agenda"):
        return _meeting(lines, kind)
    return MeetingDocument(None)


# ---- case papers ------------------------------------------------------------------------------
def parse_case_paper(lines: list[str]) -> CasePaper:
    """Innledning (everything before the proposal), proposal(s), facts and assessment."""
    first_proposal = next((i for i, line in enumerate(lines) if PROPOSAL_LABEL.match(line)), None)
    facts = next((i for i, line in enumerate(lines) if FACTS_LABEL.match(line) and (first_proposal is None or i > first_proposal)), None)
    assess = next((i for i, line in enumerate(lines) if ASSESSMENT_LABEL.match(line) and i > (facts if facts is not None else (first_proposal or 0))), None)
    end_intro = first_proposal if first_proposal is not None else (facts if facts is not None else len(lines))
    end_proposal = facts if facts is not None else (assess if assess is not None else len(lines))
    end_facts = assess if assess is not None else len(lines)
    sections = {
        "innledning": _text(lines[:end_intro]),
        "forslag": _text(lines[first_proposal + 1:end_proposal]) if first_proposal is not None else "",
        "saksopplysninger": _text(lines[facts + 1:end_facts]) if facts is not None else "",
        "saksvurderinger": _text(lines[assess + 1:]) if assess is not None else "",
    }
    proposals: list[tuple[str, str]] = []
    if first_proposal is not None:
        starts = [i for i in range(first_proposal, end_proposal) if PROPOSAL_LABEL.match(lines[i])]
        for position, start in enumerate(starts):
            stop = starts[position + 1] if position + 1 < len(starts) else end_proposal
            proposals.append((lines[start].strip().rstrip(":"), _text(lines[start + 1:stop])))
        if len(starts) > 1:
            sections["forslag"] = "\n\n".join(f"{label}:\n{body}" for label, body in proposals)
    intro = lines[:end_intro]
    refs = find_archive_references("\n".join(intro))
    officer = next((squash(line.split(":", 1)[1]) for line in intro if line.lower().startswith("saksbehandler:")), None)
    return CasePaper(_paper_title(intro), refs[0] if refs else None, _bodies(intro), sections, proposals, officer)


def _text(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n ").strip()


def _paragraphs(lines: list[str]) -> list[list[str]]:
    result, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def _paper_title(intro: list[str]) -> str:
    """The first paragraph after the header fields that is not a field, a body list or attachments."""
    paragraphs = _paragraphs(intro)
    seen_officer = any(line.lower().startswith(("saksbehandler", "arkiv")) for p in paragraphs for line in p)
    after = False
    for paragraph in paragraphs:
        if any(line.lower().startswith(("saksbehandler", "arkiv")) for line in paragraph):
            after = True
            continue
        if seen_officer and not after:
            continue
        if _FIELD.match(paragraph[0]) or paragraph[0].rstrip(":").isdigit():
            continue
        title = []
        for line in paragraph:
            # A field label, or a numbered attachment whose "Vedlegg:" label the PDF text lost.
            if _FIELD.match(line) or (title and re.match(r"^\d{1,2}\s+[A-ZÆØÅ]", line)):
                break
            title.append(line)
        if title:
            return squash(" ".join(title))
    return ""


def _bodies(intro: list[str]) -> list[str]:
    """The "Saksgang" column of bodies: the lines after "Utvalg" until a blank line."""
    for index, line in enumerate(intro):
        if line.strip().lower() == "utvalg":
            bodies = []
            for following in intro[index + 1:]:
                if not following.strip():
                    break
                bodies.append(following.strip())
            return bodies
    return []


# ---- protocols ----------------------------------------------------------------------------------
def _single_treatment(lines: list[str]) -> MeetingDocument:
    start, heading = next((i, h) for i, line in enumerate(lines) if (h := parse_treatment_heading(line)))
    treatment = parse_treatment(lines[start + 1:], "-", heading.body, heading.date)
    treatment.heading = heading.literal
    case = CaseTreatment(heading.case, heading.case.literal, "", treatment)
    return MeetingDocument("saksprotokoll", body=heading.body, date=heading.date, cases=[case])


def _meeting(lines: list[str], kind: str) -> MeetingDocument:
    document = MeetingDocument(kind)
    meeting_fields = {}
    for line in lines[:40]:
        if match := _MEETING_FIELD.match(line):
            meeting_fields.setdefault(match.group("key").lower(), match.group("value"))
    document.body = meeting_fields.get("utvalg")
    date_text = meeting_fields.get("dato") or meeting_fields.get("møtedato")
    document.date = parse_norwegian_date(date_text) if date_text else None
    document.title = next((squash(line) for line in lines if line.strip()), None)
    heads = _case_heading_indexes(lines)
    first = heads[0][0] if heads else len(lines)
    agenda_end = first
    document.attendance = parse_attendance(lines[:first])
    in_agenda = False
    for index, line in enumerate(lines[:agenda_end]):
        if re.match(r"^\s*(?:saksliste|sakliste)\b", line, re.I):
            in_agenda = True
            continue
        if in_agenda and (match := _CASE_LINE.match(line)):
            case = _case_id(match.group("id"))
            if case:
                title = match.group("title").strip()
                following = lines[index + 1] if index + 1 < len(lines) else ""
                if following.startswith(" " * 8) and following.strip() and not _CASE_LINE.match(following):
                    title = f"{title} {following.strip()}"
                document.agenda.append(AgendaItem(case, squash(match.group("id")), squash(re.sub(r"\s{2,}.*$", "", title) if "  " in title.strip() else title)))
    for position, (index, treatment_index) in enumerate(heads):
        stop = heads[position + 1][0] if position + 1 < len(heads) else len(lines)
        match = _CASE_LINE.match(lines[index])
        literal = squash(match.group("id"))
        case = _case_id(literal)
        title = squash(" ".join([match.group("title")] + [l for l in lines[index + 1:treatment_index] if l.strip()]))
        heading = parse_treatment_heading(lines[treatment_index])
        treatment = parse_treatment(lines[treatment_index + 1:stop], literal, heading.body if heading else document.body, heading.date if heading else document.date)
        treatment.heading = heading.literal if heading else None
        if case and heading:
            case = case.with_body(heading.body)
        document.cases.append(CaseTreatment(case or heading.case, literal, title, treatment, (index, stop)))
    if kind == "agenda" and not document.agenda:
        for line in lines:
            if match := _CASE_LINE.match(line):
                if case := _case_id(match.group("id")):
                    document.agenda.append(AgendaItem(case, squash(match.group("id")), squash(match.group("title"))))
    return document


def _case_heading_indexes(lines: list[str]) -> list[tuple[int, int]]:
    """(case heading line, treatment heading line) for each case a protocol treats."""
    result = []
    for index, line in enumerate(lines):
        if not _CASE_LINE.match(line):
            continue
        for offset in range(1, 4):
            if index + offset >= len(lines) or _CASE_LINE.match(lines[index + offset]):
                break  # the next agenda line: this one was an agenda entry, not a case heading
            if parse_treatment_heading(lines[index + offset]):
                result.append((index, index + offset))
                break
    return result


def _case_id(literal: str) -> CaseId | None:
    match = CASE_ID.search(literal)
    return case_id_from_match(match) if match else None


# ---- output ---------------------------------------------------------------------------------------
def as_fasit(document: MeetingDocument) -> dict[str, Any]:
    """The keys and shapes of the Kommunelys expected results for this kind."""
    if document.kind == "saksframlegg" and document.paper:
        return dict(document.paper.sections)
    result: dict[str, Any] = {}
    if document.kind == "møteprotokoll":
        result["oppmote"] = [a.as_fasit() for a in document.attendance if a.role in ("present", "substitute")]
    if document.cases:
        result["voteringer"] = [vote.as_fasit() for case in document.cases for vote in case.treatment.votes]
        if document.kind == "saksprotokoll":
            result["vedtak"] = document.cases[0].treatment.decision or ""
    return result


def as_json(document: MeetingDocument) -> dict[str, Any]:
    """Fasit keys plus the general structure: kind, meeting, cases with identity and treatments."""
    payload: dict[str, Any] = {"kind": document.kind, "body": document.body, "date": document.date, "title": document.title}
    payload.update(as_fasit(document))
    if document.paper:
        payload["case_paper"] = {
            "title": document.paper.title, "archive_ref": document.paper.archive_ref, "bodies": document.paper.bodies,
            "saksbehandler": document.paper.saksbehandler,
            "proposals": [{"label": label, "text": text} for label, text in document.paper.proposals],
        }
    payload["agenda"] = [{"case": str(item.case), "literal": item.literal, "title": item.title} for item in document.agenda]
    payload["cases"] = [_case_json(case) for case in document.cases]
    payload["attendance"] = [a.as_json() for a in document.attendance]
    return payload


def _case_json(case: CaseTreatment) -> dict[str, Any]:
    treatment = case.treatment
    return {
        "case": str(case.case), "identity": {"body": case.case.body, "series": case.case.series, "number": case.case.number, "year": case.case.year, "meeting": case.case.meeting},
        "literal": case.literal, "title": case.title,
        "treatment": {
            "body": treatment.body, "date": treatment.date, "heading": treatment.heading,
            "proposals": [{"type": p.type, "proposer": p.proposer, "party": p.party, "text": p.text} for p in treatment.proposals],
            "votes": [v.as_fasit() for v in treatment.votes],
            "decision_heading": treatment.decision_heading, "decision": treatment.decision,
        },
    }
