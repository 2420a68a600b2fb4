"""The shapes data takes on its way from a corpus file to the index.

file --readers--> Page[] --council--> ParsedDocument (parts, cases, sections) --chunking--> Chunk[]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DocumentFormat = Literal["pdf", "md", "txt", "html", "docx"]
Access = Literal["public", "internal", "confidential"]
ACCESS_LEVELS: tuple[Access, ...] = ("public", "internal", "confidential")


@dataclass
class Page:
    """One page of extracted text. number is 1-based for paginated formats, None otherwise."""

    number: int | None
    text: str


@dataclass
class ReadDocument:
    """What a reader returns: the text pages plus anything the file itself says about itself."""

    path: str
    format: DocumentFormat
    pages: list[Page]
    title: str | None = None  # e.g. <title> of an HTML page or PDF metadata
    date: str | None = None  # ISO date if the file states one in its metadata


@dataclass
class DocumentMeta:
    """Sidecar `<file name>.meta.json`; every field optional."""

    title: str | None = None
    date: str | None = None
    doc_type: str | None = None
    access: Access = "public"


@dataclass
class Section:
    """A labelled span of a part: Bakgrunn, Hovedpunkter, Forslag til vedtak, Vedtak, a report heading."""

    heading: str  # literal heading text as printed ("" for untitled running text)
    kind: str  # normalized label: bakgrunn, hvorfor, hovedpunkter, forslag, vedtak, body, ...
    text: str
    page_start: int | None = None
    page_end: int | None = None


@dataclass
class Case:
    number: str  # resolved, normalized N/M/YYYY
    literal_number: str  # as printed in the heading, e.g. "14/1/2026", "41/3/25"
    literal_heading: str  # the heading line as printed
    title: str
    meeting: str  # M/YYYY
    date: str | None  # ISO date of the meeting
    source: Literal["saksfremlegg", "referat"]
    agenda_title: str | None = None
    paper_title: str | None = None
    resolution_note: str | None = None  # why number != literal_number (None when they agree)
    saksbehandler: str | None = None
    fra: str | None = None
    til: str | None = None
    vedlegg: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    proposal: str | None = None  # Forslag til vedtak
    decision: str | None = None  # Vedtak (from minutes)
    page_start: int | None = None
    page_end: int | None = None

    @property
    def flagged(self) -> bool:
        return self.resolution_note is not None


@dataclass
class Part:
    """A contiguous piece of a document: agenda, a case paper, minutes, an attachment, an article."""

    kind: Literal["agenda", "case_paper", "minutes", "attachment", "article", "report", "front_matter"]
    title: str
    sections: list[Section]
    case: str | None = None  # the case it belongs to (attachments: the parent case)
    meeting: str | None = None
    date: str | None = None
    page_start: int | None = None
    page_end: int | None = None


@dataclass
class ParsedDocument:
    doc_id: str
    path: str
    format: DocumentFormat
    title: str
    doc_type: str  # motepapirer, referat, rapport, nyhet, horingssvar, dokument
    date: str | None
    meeting: str | None
    access: Access
    parts: list[Part]
    cases: list[Case]
    pages: list[Page]
    # Meeting records (ingest.municipal, ingest.attendance); empty for documents without them.
    kind: str | None = None  # agenda, saksframlegg, saksprotokoll, møteprotokoll, møtepapirer, referat, None
    treatments: list[dict[str, Any]] = field(default_factory=list)  # one body's treatment of one case
    attendance: list[dict[str, Any]] = field(default_factory=list)  # one row per person per meeting
    links: list[dict[str, Any]] = field(default_factory=list)  # documents this one names as the same case
    archive_ref: str | None = None  # "2025/8293": the archive's case, never a case number
    notes: list[str] = field(default_factory=list)  # what the parser could not read, for the ingest summary


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    text: str  # the literal archive text; this, and only this, is embedded
    position: int
    metadata: dict[str, Any]  # flat: case, meeting, date, year, document, title, doc_type,
    # part, section, page_start, page_end, access, content_hash


ROLE_ACCESS: dict[str, tuple[Access, ...]] = {
    "member": ("public",),
    "secretariat": ("public", "internal"),
    "admin": ("public", "internal", "confidential"),
}


def allowed_access(role: str | None) -> tuple[Access, ...]:
    """Access levels a role may read. No role means the local operator (the CLI's default)."""
    if role is None:
        return ROLE_ACCESS["admin"]
    if role not in ROLE_ACCESS:
        raise ValueError(f"Ukjent rolle «{role}». Gyldige roller: {', '.join(ROLE_ACCESS)}.")
    return ROLE_ACCESS[role]
