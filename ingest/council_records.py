"""What a council bundle holds beyond its cases: the attendance its minutes list, and lines that
look like case headings but name no number the grammar reads (kept as text, noted for the
ingest summary)."""
from __future__ import annotations

import re

from ingest.attendance import label_role, parse_attendance
from ingest.blocks import Block, clean_inline
from ingest.council import minutes_meeting, parse_case_heading
from ingest.numbering import find_case_ids

_HEADING_LIKE = re.compile(r"^\s*(?:\*\*|#+\s*)?(?:sak|ps|rs|fo|ds|utvalgssak|styresak)\s+(?:nr\.?\s*)?[\dOo][\w/\-. ]{0,14}", re.IGNORECASE)


def unread_headings(blocks: list[Block]) -> list[str]:
    """Lines that look like case headings but name no case number the grammar reads: the document
    is kept as searchable text, and the ingest summary says which heading could not be read."""
    notes = []
    for block in blocks:
        line = block.plain
        if len(block.lines) <= 2 and _HEADING_LIKE.match(line) and not find_case_ids(line[:40]) and len(line.split()) <= 16:
            notes.append(f"Saksoverskriften «{line[:80]}» kunne ikke tolkes som et saksnummer; dokumentet er lagret som tekst uten saker.")
    return notes[:5]


def minutes_attendance(blocks: list[Block]) -> dict[str, list]:
    """Attendance from the front of each minutes ("Til stede", "Observatører", "Forfall", the
    secretariat), keyed by the minutes' meeting. A bold label may wrap over lines, so labels are
    read as whole blocks and list rows line by line."""
    result: dict[str, list] = {}
    meeting: str | None = None
    lines: list[str] = []
    for block in blocks:
        found = minutes_meeting(block) if block.looks_like_heading(max_words=14) else None
        if found:
            meeting, lines = found, []
            continue
        if meeting is None:
            continue
        if parse_case_heading(block) or block.is_markdown_heading:
            attendees = parse_attendance(lines)
            if attendees and meeting not in result:
                result[meeting] = attendees
            meeting, lines = None, []
            continue
        if block.is_bold_only or len(block.lines) == 1 or label_role(block.plain):
            lines.append(block.plain)
        else:
            lines.extend(clean_inline(line, keep_sub_sup=False) for line in block.lines)
        lines.append("")
    if meeting and meeting not in result and (attendees := parse_attendance(lines)):
        result[meeting] = attendees
    return result
