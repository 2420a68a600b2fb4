"""A municipal meeting document (ingest.municipal) → ParsedDocument: parts and sections for the
index, cases for the register, and treatments, votes and attendance as meeting records.

Each protocol case is registered under its own identity ("PS 6/2026 (Kommunestyret)", "sak
10/2026 (Formannskap)"); a case paper, which carries no case number, under its archive case.
The register joins a paper and the protocols of the same case into one case with several
treatments (ingest.store.records), from the links a meeting record gives and from the
proposal text each treatment votes on.
"""
from __future__ import annotations

from typing import Any

from ingest.blocks import Block, blocks_from_pages
from ingest.council import has_markup, sections_from_blocks
from ingest.models import Case, DocumentMeta, ParsedDocument, Part, ReadDocument, Section
from ingest.municipal import CaseTreatment, MeetingDocument, parse_text
from ingest.numbering import CaseId

DOC_TYPES = {"saksframlegg": "saksframlegg", "saksprotokoll": "saksprotokoll", "møteprotokoll": "referat", "agenda": "motepapirer"}


def case_key(case: CaseId, body: str | None = None) -> str:
    """The register's name for one body's case: "PS 6/2026 (Kommunestyret)", "10/2026 (Formannskap)"
    (the generic series is left unnamed, as answers print "Sak" before a case number)."""
    number = f"{case.number}/{case.meeting}/{case.year}" if case.meeting is not None else f"{case.number}/{case.year}"
    owner = body or case.body
    name = number if case.series == "SAK" else f"{case.series} {number}"
    return f"{name} ({owner})" if owner else f"sak {name}"


def paper_key(document: MeetingDocument, doc_id: str) -> str:
    ref = document.paper.archive_ref if document.paper else None
    return f"arkivsak {ref}" if ref else f"saksframlegg {doc_id}"


def municipal_document(read: ReadDocument, meta: DocumentMeta, doc_id: str, title: str, blocks: list[Block]) -> ParsedDocument | None:
    """None when the text is not a municipal meeting document."""
    text = "\n".join(page.text for page in read.pages)
    document = parse_text(text)
    if document.kind is None:
        return None
    plain = not has_markup(blocks)
    sections = sections_from_blocks(blocks, plain_headings=plain)
    first_page = blocks[0].page if blocks else None
    last_page = blocks[-1].page if blocks else None
    cases: list[Case] = []
    treatments: list[dict[str, Any]] = []
    if document.kind == "saksframlegg" and document.paper:
        paper = document.paper
        key = paper_key(document, doc_id)
        title = meta.title or paper.title or title
        proposal = "\n\n".join(text for _, text in paper.proposals) or None
        paper_sections = [Section(label, label, body) for label, body in paper.sections.items() if body]
        cases.append(Case(
            number=key, literal_number=paper.archive_ref or "", literal_heading=paper.title, title=paper.title, meeting="",
            date=meta.date, source="saksfremlegg", paper_title=paper.title, saksbehandler=paper.saksbehandler,
            til=", ".join(paper.bodies) or None, sections=paper_sections, proposal=proposal, page_start=first_page, page_end=last_page,
        ))
        parts = [Part("case_paper", title, sections, case=key, date=meta.date, page_start=first_page, page_end=last_page)]
    else:
        for position, item in enumerate(document.cases):
            key = case_key(item.case, item.treatment.body)
            cases.append(_protocol_case(item, key, document, first_page, last_page))
            treatments.append(_treatment_record(item, key, position))
        if document.kind == "saksprotokoll" and document.cases:
            title = meta.title or f"{document.cases[0].treatment.heading}"
        elif document.title:
            title = meta.title or " ".join(x for x in (document.title, document.body, document.date) if x)
        kind = "agenda" if document.kind == "agenda" else "minutes"
        parts = _case_parts(document, cases, text, plain) if len(document.cases) > 1 else []
        if not parts:
            parts = [Part(kind, title, sections, case=cases[0].number if len(cases) == 1 else None, date=document.date, page_start=first_page, page_end=last_page)]
    attendance = [
        {**a.as_json(), "body": document.body, "date": document.date, "meeting": _meeting_label(document)}
        for a in document.attendance
    ]
    parsed = ParsedDocument(
        doc_id, read.path, read.format, title, meta.doc_type or DOC_TYPES[document.kind], meta.date or document.date,
        None, meta.access, parts, cases, read.pages,
    )
    parsed.kind = document.kind
    parsed.treatments = treatments
    parsed.attendance = attendance
    parsed.archive_ref = document.paper.archive_ref if document.paper else None
    parsed.notes = list(document.notes)
    parsed.links = _meeting_record_links(read)
    return parsed


def _meeting_record_links(read: ReadDocument) -> list[dict[str, Any]]:
    """A meeting record (JSON) names, for each agenda item, this treatment's protocol, the earlier
    treatments' protocols and the case papers by their archive document ids."""
    if not str(read.path).lower().endswith(".json"):
        return []
    from pathlib import Path

    from ingest.meeting_file import read_meeting_file

    record = read_meeting_file(Path(read.path))
    return [
        {"series": item.series, "number": item.number, "year": item.year, "title": item.title, "body": item.body,
         "protocol_id": item.protocol_id, "papers": item.papers, "earlier": item.earlier}
        for item in record.items
    ]


def _case_parts(document: MeetingDocument, cases: list[Case], text: str, plain: bool) -> list[Part]:
    """A meeting protocol as parts: its front matter (attendance, saksliste), then one part per
    case, so every passage carries the case it belongs to."""
    from ingest.models import Page

    lines = text.splitlines()
    ranges = [item.lines for item in document.cases]
    if any(r is None for r in ranges):
        return []
    parts = []
    front = "\n".join(lines[: ranges[0][0]])
    if front.strip():
        blocks = blocks_from_pages([Page(None, front)])
        parts.append(Part("front_matter", document.title or "Møteprotokoll", sections_from_blocks(blocks, plain_headings=plain), date=document.date))
    for item, case, (start, stop) in zip(document.cases, cases, ranges):
        blocks = blocks_from_pages([Page(None, "\n".join(lines[start:stop]))])
        parts.append(Part("minutes", case.literal_heading, sections_from_blocks(blocks, plain_headings=plain), case=case.number, date=case.date))
    return parts


def _meeting_label(document: MeetingDocument) -> str | None:
    return " ".join(x for x in (document.body, document.date) if x) or None


def _protocol_case(item: CaseTreatment, key: str, document: MeetingDocument, first_page, last_page) -> Case:
    treatment = item.treatment
    proposal = next((p.text for p in treatment.proposals if p.type == "innstilling" and p.text), None)
    sections = []
    if treatment.discussion:
        sections.append(Section("Behandling", "behandling", treatment.discussion))
    if treatment.decision:
        sections.append(Section(treatment.decision_heading or "Vedtak", "vedtak", treatment.decision))
    return Case(
        number=key, literal_number=item.literal, literal_heading=" ".join(x for x in (item.literal, item.title) if x) or (treatment.heading or ""),
        title=item.title, meeting="", date=treatment.date or document.date, source="referat", agenda_title=item.title or None,
        sections=sections, proposal=proposal, decision=treatment.decision, page_start=first_page, page_end=last_page,
    )


def _treatment_record(item: CaseTreatment, key: str, position: int) -> dict[str, Any]:
    treatment = item.treatment
    case = item.case
    return {
        "position": position, "case_key": key, "body": treatment.body, "series": case.series, "number": case.number,
        "year": case.year, "meeting": case.meeting, "literal": item.literal, "title": item.title, "date": treatment.date,
        "heading": treatment.heading, "decision": treatment.decision, "decision_heading": treatment.decision_heading,
        "discussion": treatment.discussion,
        "proposals": [{"type": p.type, "proposer": p.proposer, "party": p.party, "text": p.text} for p in treatment.proposals],
        "votes": [vote.as_fasit() for vote in treatment.votes],
    }


def parse_municipal(read: ReadDocument, meta: DocumentMeta, doc_id: str, title: str) -> ParsedDocument | None:
    return municipal_document(read, meta, doc_id, title, blocks_from_pages(read.pages))
