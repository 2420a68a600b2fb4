"""A read document → ParsedDocument: its parts (agenda, case papers, minutes, attachments) and cases."""
from __future__ import annotations

import re
from collections import Counter

from ingest.blocks import Block, blocks_from_pages
from ingest.case_numbers import CaseNumber
from ingest.council import (
    SECTION_LABELS,
    CaseHeading,
    bundle_meeting,
    decision_from_minutes,
    find_meeting_date,
    has_markup,
    is_field_line,
    join_decision,
    match_label,
    minutes_meeting,
    parse_case_heading,
    parse_fields,
    proposal_and_rest,
    sections_from_blocks,
    split_attachments,
)
from ingest.council_records import minutes_attendance, unread_headings
from ingest.dates import parse_norwegian_date
from ingest.models import Case, DocumentMeta, ParsedDocument, Part, ReadDocument, Section

_LIST_MARKER = re.compile(r"^\s*(?:[-•*▪–]\s+|\d{1,2}[.)]\s+)(?=(?:\*\*|<b>)?\s*(?:sak|case)\s)", re.IGNORECASE)


def parse_document(read: ReadDocument, meta: DocumentMeta, doc_id: str) -> ParsedDocument:
    blocks = _split_listed_headings(blocks_from_pages(read.pages))
    headings = {index: heading for index, heading in _case_headings(blocks).items() if heading}
    agenda = _find_agenda(blocks, headings)
    title = meta.title or read.title or _first_heading(blocks) or doc_id
    if not headings:
        from ingest.municipal_document import municipal_document

        parsed = municipal_document(read, meta, doc_id, title, blocks)
        if parsed is None:
            parsed = _plain_document(read, meta, doc_id, title, blocks)
            parsed.notes = unread_headings(blocks)
        return parsed
    parsed = _CouncilParser(read, meta, doc_id, title, blocks, headings, agenda).parse()
    parsed.kind = "møtepapirer" if any(c.source == "saksfremlegg" for c in parsed.cases) else "referat"
    parsed.attendance = [
        {**attendee.as_json(), "meeting": meeting, "body": None, "date": None}
        for meeting, attendees in minutes_attendance(blocks_from_pages(read.pages)).items() for attendee in attendees
    ]
    return parsed


def _case_headings(blocks: list[Block]) -> dict[int, CaseHeading | None]:
    """Case headings, read in the context of the meeting a bundle or minutes heading names in
    parentheses ("Møte i HelseOmsorg21-rådet (01/17)"), so per-year numbers ("Sak 01/17") resolve."""
    result: dict[int, CaseHeading | None] = {}
    context: tuple[int, int] | None = None
    for index, block in enumerate(blocks):
        heading = parse_case_heading(block, context)
        if heading is None:
            context = bundle_meeting(block) or context
        result[index] = heading
    return result


def _split_listed_headings(blocks: list[Block]) -> list[Block]:
    """An agenda typed as consecutive lines ("Sak 1/1/2027 X" / "Sak 2/1/2027 Y" / ...) is one
    paragraph block; give each titled case line its own block so it reads like a spaced agenda."""
    result: list[Block] = []
    for block in blocks:
        lines = [_LIST_MARKER.sub("", line, count=1) for line in block.lines if line.strip()]
        if len(lines) >= 2 and all(_is_titled_case_line(line, block.page) for line in lines):
            result.extend(Block(lines=[line], page=block.page, after_break=block.after_break and i == 0) for i, line in enumerate(lines))
        else:
            result.append(block)
    return result


def _is_titled_case_line(line: str, page: int | None) -> bool:
    block = Block(lines=[line], page=page)
    # Any meeting context will do here: only whether the line is a titled case heading matters.
    heading = parse_case_heading(block) or parse_case_heading(block, (1, 2000))
    return bool(heading and heading.title)


def _first_heading(blocks: list[Block]) -> str | None:
    for block in blocks[:8]:
        if block.looks_like_heading():
            return block.display.replace("\n", " ")
    return None


def _find_agenda(blocks: list[Block], headings: dict[int, CaseHeading]) -> list[int]:
    """The longest run (≥ 3) of titled case headings with nothing but headings between them.

    A heading followed by Til/Saksbehandler/... fields opens a case paper and ends the run, and so
    does a "Saksfremlegg" marker: a paper's one-line "Sak N/M/YYYY Title" heading right after the
    agenda must not be read as one more agenda entry.
    """
    def entry(index: int) -> bool:
        heading = headings.get(index)
        block = blocks[index]
        return bool(heading and heading.title and len(block.lines) == 1 and not block.is_markdown_heading and not _opens_paper(blocks, index, headings))

    best: list[int] = []
    run: list[int] = []
    for index in range(len(blocks)):
        if entry(index) and headings[index].number.number not in {headings[i].number.number for i in run}:
            run.append(index)
        elif run and blocks[index].plain.lower() == "saksliste":
            continue
        else:
            if len(run) > len(best):
                best = run
            run = [index] if entry(index) else []
    if len(run) > len(best):
        best = run
    return best if len(best) >= 3 else []


def _opens_paper(blocks: list[Block], index: int, headings: dict) -> bool:
    """A case heading that a "Saksfremlegg" marker precedes or paper fields follow."""
    previous = blocks[index - 1].plain.lower() if index > 0 else ""
    if previous == "saksfremlegg":
        return True
    for position in range(index + 1, min(index + 6, len(blocks))):
        if is_field_line(blocks[position].lines[0]):
            return True
        if position in headings or len(blocks[position].plain.split()) > 25:
            return False
    return False


def _plain_document(read, meta, doc_id, title, blocks) -> ParsedDocument:
    """News, reports and other documents without case structure."""
    doc_type = meta.doc_type or ("nyhet" if read.format == "html" else "dokument")
    date = meta.date or read.date or _published_date(blocks)
    part = Part(
        kind="article" if doc_type == "nyhet" else "report",
        title=title,
        sections=sections_from_blocks(blocks, plain_headings=not has_markup(blocks)),
        date=date,
        page_start=blocks[0].page if blocks else None,
        page_end=blocks[-1].page if blocks else None,
    )
    return ParsedDocument(doc_id, read.path, read.format, title, doc_type, date, None, meta.access, [part], [], read.pages)


def _published_date(blocks: list[Block]) -> str | None:
    for block in blocks[:12]:
        if re.search(r"publisert|dato|published", block.plain, re.IGNORECASE):
            date = parse_norwegian_date(block.plain)
            if date:
                return date
    return None


class _CouncilParser:
    def __init__(self, read, meta, doc_id, title, blocks, headings, agenda_indexes):
        self.read, self.meta, self.doc_id, self.title = read, meta, doc_id, title
        self.blocks: list[Block] = blocks
        self.headings: dict[int, CaseHeading] = headings
        self.agenda_indexes = agenda_indexes
        self.agenda = {headings[i].number.number: headings[i] for i in agenda_indexes}
        meetings = Counter(h.number.meeting_id for h in (headings[i] for i in agenda_indexes))
        self.meeting = meetings.most_common(1)[0][0] if meetings else None
        self.parts: list[Part] = []
        self.cases: list[Case] = []
        self.plain = not has_markup(blocks)

    # ---- top level -------------------------------------------------------------------------
    def parse(self) -> ParsedDocument:
        starts = self._segment_starts()
        if self.meeting is None:
            # No agenda: the meeting most case papers belong to is the bundle's meeting.
            papers = Counter(self.headings[index].number.meeting_id for index, kind in starts if kind == "paper")
            self.meeting = papers.most_common(1)[0][0] if papers else None
        year = int(self.meeting.split("/")[1]) if self.meeting else None
        first = starts[0][0] if starts else len(self.blocks)
        front = self.blocks[:first]
        self.date = find_meeting_date(front, year) or self.meta.date
        if front:
            self.parts.append(Part("front_matter", self.title, sections_from_blocks(front, plain_headings=self.plain), meeting=self.meeting, date=self.date, page_start=front[0].page, page_end=front[-1].page))
        minutes_meeting_id: str | None = None
        minutes_date: str | None = None
        previous_minutes_case: CaseNumber | None = None
        parent_paper: Case | None = None
        for position, (start, kind) in enumerate(starts):
            end = starts[position + 1][0] if position + 1 < len(starts) else len(self.blocks)
            segment = self.blocks[start:end]
            while len(segment) > 1 and segment[-1].plain.lower() == "saksfremlegg":
                segment = segment[:-1]  # the marker opens the next paper
            if kind == "agenda":
                self._add_agenda(segment)
            elif kind == "minutes":
                minutes_meeting_id = minutes_meeting(segment[0])
                minutes_year = int(minutes_meeting_id.split("/")[1]) if minutes_meeting_id else None
                minutes_date = find_meeting_date(segment, minutes_year)
                previous_minutes_case = None
                self.parts.append(Part("minutes", segment[0].display.replace("\n", " "), sections_from_blocks(segment[1:], plain_headings=self.plain), case=parent_paper.number if parent_paper else None, meeting=minutes_meeting_id, date=minutes_date, page_start=segment[0].page, page_end=segment[-1].page))
            elif kind == "paper":
                minutes_meeting_id = None
                parent_paper = self._add_paper(segment)
            elif kind == "minutes_case":
                case = self._add_minutes_case(segment, minutes_meeting_id or self.meeting, minutes_date, previous_minutes_case)
                previous_minutes_case = CaseNumber.parse(case.number)
        doc_type = self.meta.doc_type or ("motepapirer" if any(c.source == "saksfremlegg" for c in self.cases) else "referat")
        meeting = self.meeting or (self.cases[0].meeting if self.cases else None)
        return ParsedDocument(self.doc_id, self.read.path, self.read.format, self.title, doc_type, self.date or (self.cases[0].date if self.cases else None), meeting, self.meta.access, self.parts, self.cases, self.read.pages)

    def _segment_starts(self) -> list[tuple[int, str]]:
        """Where each agenda, case paper, minutes and minutes case begins."""
        starts: list[tuple[int, str]] = []
        agenda = set(self.agenda_indexes)
        in_minutes = False
        for index, block in enumerate(self.blocks):
            if index in agenda:
                if not starts or starts[-1][1] != "agenda":
                    starts.append((index, "agenda"))
                continue
            if minutes_meeting(block) and block.looks_like_heading(max_words=14):
                starts.append((index, "minutes"))
                in_minutes = True
                continue
            if index not in self.headings:
                continue
            if self._is_paper_heading(index):
                starts.append((index, "paper"))
                in_minutes = False
            elif in_minutes or not self.agenda:
                starts.append((index, "minutes_case"))
            else:
                starts.append((index, "paper"))
        return starts

    def _is_paper_heading(self, index: int) -> bool:
        return _opens_paper(self.blocks, index, self.headings)

    # ---- agenda --------------------------------------------------------------------------------
    def _add_agenda(self, segment: list[Block]) -> None:
        lines = [block.display for block in segment]
        section = Section("Saksliste", "agenda", "\n".join(lines), segment[0].page, segment[-1].page)
        title = f"Saksliste møte {self.meeting}" if self.meeting else "Saksliste"
        self.parts.append(Part("agenda", title, [section], meeting=self.meeting, date=self.date, page_start=segment[0].page, page_end=segment[-1].page))

    # ---- case papers -------------------------------------------------------------------------
    def _add_paper(self, segment: list[Block]) -> Case:
        heading = self.headings[self.blocks.index(segment[0])]
        body = segment[1:]
        paper_title = heading.title
        if not paper_title and body and _is_title_block(body):
            paper_title, body = body[0].display.replace("\n", " "), body[1:]
        if body and body[-1].plain.lower() == "saksfremlegg":
            body = body[:-1]
        number, note = self._resolve_paper_number(heading, paper_title)
        field_blocks, rest = _split_fields(body)
        fields = parse_fields(field_blocks)
        proposal_index = next((i for i, b in enumerate(rest) if (m := match_label(b, SECTION_LABELS)) and m[0] == "forslag"), None)
        attachment_blocks: list[Block] = []
        proposal_text = None
        if proposal_index is not None:
            label_block = rest[proposal_index]
            inline = match_label(label_block, SECTION_LABELS)[2]
            proposal_blocks, attachment_blocks = proposal_and_rest(rest[proposal_index + 1 :], inline)
            proposal_text = join_decision(([Block([inline], label_block.page)] if inline else []) + proposal_blocks)
            rest = rest[: proposal_index + 1] + proposal_blocks
        agenda_entry = self.agenda.get(number.number) if self.meeting and number.meeting_id == self.meeting else None
        agenda_title = agenda_entry.title if agenda_entry else None
        sections = sections_from_blocks(rest, plain_headings=self.plain)
        case = Case(
            number=str(number), literal_number=heading.literal_number, literal_heading=heading.literal,
            title=agenda_title or paper_title or "", meeting=number.meeting_id, date=self.date, source="saksfremlegg",
            agenda_title=agenda_title, paper_title=paper_title or None, resolution_note=note,
            saksbehandler=fields.get("saksbehandler") or None, fra=fields.get("fra") or None, til=fields.get("til") or None,
            vedlegg=split_attachments(fields.get("vedlegg", "")), sections=sections, proposal=proposal_text,
            page_start=segment[0].page, page_end=segment[-1].page,
        )
        self.cases.append(case)
        header = Section("Saksfremlegg", "felter", "\n".join(b.display for b in field_blocks), segment[0].page, segment[0].page)
        self.parts.append(Part("case_paper", case.title, [header] + sections, case=case.number, meeting=case.meeting, date=case.date, page_start=case.page_start, page_end=(rest[-1].page if rest else case.page_start)))
        if attachment_blocks:
            self._add_attachment(case, attachment_blocks)
        return case

    def _resolve_paper_number(self, heading: CaseHeading, paper_title: str) -> tuple[CaseNumber, str | None]:
        literal = heading.number
        if not self.meeting or literal.meeting_id == self.meeting:
            return literal, None
        meeting, year = (int(x) for x in self.meeting.split("/"))
        entry = self.agenda.get(literal.number)
        resolved = CaseNumber(literal.number, meeting, year)
        if entry:
            reason = f"sakslisten for møte {self.meeting} har sak {entry.number} «{entry.title}»"
        else:
            reason = f"saksfremlegget står blant sakene til møte {self.meeting}"
        return resolved, f"Overskriften sier «Sak {heading.literal_number}», men {reason}."

    def _add_attachment(self, parent: Case, blocks: list[Block]) -> None:
        title = next((b.display.replace("\n", " ") for b in blocks[:4] if b.looks_like_heading() and b.word_count >= 2), None)
        title = title or next((v for v in parent.vedlegg), None) or f"Vedlegg til sak {parent.number}"
        self.parts.append(Part("attachment", title, sections_from_blocks(blocks, plain_headings=self.plain), case=parent.number, meeting=parent.meeting, date=parent.date, page_start=blocks[0].page, page_end=blocks[-1].page))

    # ---- minutes -------------------------------------------------------------------------------
    def _add_minutes_case(self, segment: list[Block], meeting: str | None, date: str | None, previous: CaseNumber | None) -> Case:
        heading = self.headings[self.blocks.index(segment[0])]
        body = segment[1:]
        title = heading.title
        if not title and body and body[0].looks_like_heading() and not match_label(body[0], SECTION_LABELS):
            title, body = body[0].display.replace("\n", " "), body[1:]
        number, note = _resolve_minutes_number(heading, meeting, previous)
        discussion, decision_blocks, literal_label = decision_from_minutes(body)
        decision = join_decision(decision_blocks)
        sections = sections_from_blocks([b for b in discussion if not match_label(b, [("vedtak", "vedtak")])], default_kind="referat", plain_headings=self.plain)
        if decision:
            sections.append(Section(literal_label or "Vedtak", "vedtak", decision, decision_blocks[0].page, decision_blocks[-1].page))
        case = Case(
            number=str(number), literal_number=heading.literal_number, literal_heading=heading.literal, title=title,
            meeting=number.meeting_id, date=date, source="referat", paper_title=None, resolution_note=note,
            sections=sections, decision=decision, page_start=segment[0].page, page_end=segment[-1].page,
        )
        self.cases.append(case)
        self.parts.append(Part("minutes", title, sections, case=case.number, meeting=case.meeting, date=date, page_start=case.page_start, page_end=case.page_end))
        return case


def _resolve_minutes_number(heading: CaseHeading, meeting: str | None, previous: CaseNumber | None) -> tuple[CaseNumber, str | None]:
    """Minutes number their cases in sequence within their own meeting."""
    literal = heading.number
    if not meeting or literal.meeting_id == meeting:
        return literal, None
    meeting_no, year = (int(x) for x in meeting.split("/"))
    expected = previous.number + 1 if previous else literal.number
    number = literal.number if previous is None or literal.number == expected else expected
    resolved = CaseNumber(number, meeting_no, year)
    after = f" (forrige sak er {previous})" if previous else ""
    return resolved, (
        f"Overskriften sier «Sak {heading.literal_number}», som ikke hører til møte {meeting}; "
        f"saken står i referatet fra møte {meeting} og er nummerert etter rekkefølgen{after}."
    )


def _split_fields(body: list[Block]) -> tuple[list[Block], list[Block]]:
    """The Til/Saksbehandler/Vedlegg/Fra area runs until the first section label."""
    for index, block in enumerate(body):
        if match_label(block, SECTION_LABELS):
            return body[:index], body[index:]
        if index > 0 and not is_field_line(block.lines[0]) and block.word_count > 12 and not block.is_table:
            return body[:index], body[index:]
    return body, []


def _is_title_block(body: list[Block]) -> bool:
    """The paper's title right under its heading; it may share words with a label ("Orienteringer")."""
    first = body[0]
    if not first.looks_like_heading() or is_field_line(first.lines[0]):
        return False
    if not match_label(first, SECTION_LABELS):
        return True
    return len(body) > 1 and bool(is_field_line(body[1].lines[0]))

