"""Council structure from paragraph blocks: agenda, case papers, minutes, attachments.

Nothing here knows a particular meeting. A bundle is read the way a careful secretary reads it:
the agenda (saksliste) is the authority on case numbers and titles; a case paper starts at a
"Sak N/M/YYYY" heading followed by its Til/Saksbehandler/Fra fields; minutes (referat) number
their cases in sequence within their own meeting; whatever follows a paper's "Forslag til vedtak"
until the next case is that case's attachment. Where a printed number contradicts that
structure, the resolved number is used and the literal one kept, with a note saying why.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.blocks import Block, clean_inline, is_list_item, squash
from ingest.case_numbers import HEADING_NUMBER, MEETING_REFERENCE, CaseNumber, full_year
from ingest.dates import parse_norwegian_date
from ingest.models import Case, Part, Section

FIELD_LABELS = {"til": "til", "saksbehandler": "saksbehandler", "vedlegg": "vedlegg", "fra": "fra"}
# Longest first, so "hvorfor saken fremmes til dette møtet" wins over shorter prefixes.
SECTION_LABELS: list[tuple[str, str]] = sorted(
    [
        ("hvorfor saken fremmes til dette møtet", "hvorfor"),
        ("hvorfor saken fremmes", "hvorfor"),
        ("bakgrunn", "bakgrunn"),
        ("hovedpunkter", "hovedpunkter"),
        ("forberedelse / prosess (kort)", "prosess"),
        ("forberedelse / prosess", "prosess"),
        ("forberedelse", "prosess"),
        ("forslag til vedtak", "forslag"),
        ("innstilling", "forslag"),
        ("vedtak", "vedtak"),
        ("orienteringer", "orienteringer"),
        ("saksopplysninger", "bakgrunn"),
        ("vurdering", "vurdering"),
    ],
    key=lambda item: -len(item[0]),
)
MINUTES_HEADING = re.compile(r"^(?:[\w\s\-–]{0,60}?[,:–]\s*)?(?:utkast\s+(?:til\s+)?)?referat\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:»”)]\s*\*?$")


@dataclass
class CaseHeading:
    literal: str  # the heading as printed
    number: CaseNumber
    literal_number: str
    title: str


@dataclass
class _OpenCase:
    case: Case
    part: Part
    blocks: list[Block] = field(default_factory=list)


# Older bundles number cases per year ("Sak 01/17") and name the meeting in parentheses:
# "Møte i HelseOmsorg21-rådet (01/17)", "Referat fra møte i HelseOmsorg21-rådet (04/16)".
SHORT_HEADING_NUMBER = re.compile(r"^\s*(?:sak|case)\s+(?P<n>0*[1-9]\d{0,2})\s*/\s*(?P<y>(?:19|20)\d{2}|\d{2})(?![\d/])", re.IGNORECASE)
BUNDLE_MEETING = re.compile(r"\bmøte[t]?\b[^()\n]{0,80}?\(\s*(?P<m>\d{1,2})\s*/\s*(?P<y>(?:19|20)\d{2}|\d{2})\s*\)", re.IGNORECASE)


def bundle_meeting(block: Block) -> tuple[int, int] | None:
    """(meeting, year) from a short heading naming its meeting in parentheses: "(01/17)" → (1, 2017)."""
    if block.word_count > 16:
        return None
    match = BUNDLE_MEETING.search(block.plain)
    return (int(match.group("m")), full_year(match.group("y"))) if match else None


def parse_case_heading(block: Block, meeting: tuple[int, int] | None = None) -> CaseHeading | None:
    """A block that opens with "Sak N/M/YYYY" and reads as a heading, not a sentence.

    meeting: the (meeting, year) the surrounding bundle or minutes name; with it a per-year
    number ("Sak 01/17") is read as that meeting's case, keeping the literal as printed.
    """
    first = clean_inline(block.lines[0], keep_sub_sup=False)
    match = HEADING_NUMBER.match(first)
    if not match and meeting is not None:
        return _short_case_heading(block, first, meeting)
    if not match:
        return None
    rest = squash(first[match.end():])
    if len(block.lines) > 1 and not rest:
        rest = squash(clean_inline(" ".join(block.lines[1:]), keep_sub_sup=False)) if block.is_bold_only else ""
    marked = block.is_markdown_heading or block.raw.lstrip().startswith(("**", "<b>"))
    if len(rest) > 120 or (rest and rest[-1] in ".," and not marked) or (len(block.lines) > 2 and not marked):
        return None
    number = CaseNumber.from_match(match)
    literal_number = f"{match.group('n')}/{match.group('m')}/{match.group('y')}"
    return CaseHeading(squash(clean_inline(block.raw, keep_sub_sup=False)), number, literal_number, rest.strip(" –-:"))


def _short_case_heading(block: Block, first: str, meeting: tuple[int, int]) -> CaseHeading | None:
    match = SHORT_HEADING_NUMBER.match(first)
    if not match:
        return None
    rest = squash(first[match.end():])
    marked = block.is_markdown_heading or block.raw.lstrip().startswith(("**", "<b>"))
    if len(rest) > 120 or (rest and rest[-1] in ".," and not marked) or (len(block.lines) > 2 and not marked):
        return None
    number = CaseNumber(int(match.group("n")), meeting[0], full_year(match.group("y")))
    literal_number = f"{match.group('n')}/{match.group('y')}"
    return CaseHeading(squash(clean_inline(block.raw, keep_sub_sup=False)), number, literal_number, rest.strip(" –-:"))


def match_label(block: Block, labels: list[tuple[str, str]]) -> tuple[str, str, str] | None:
    """(kind, literal label, text after the label) when the block starts with a known label."""
    plain = block.plain
    lowered = plain.lower()
    for label, kind in labels:
        if not lowered.startswith(label):
            continue
        after = plain[len(label):]
        if after and after[0].isalnum():
            continue  # "Bakgrunnen for ..." is prose, not the label "Bakgrunn"
        rest = after.strip(" :–-")
        raw = block.raw.lstrip()
        marked = raw.startswith(("**", "<b>", "#")) or block.is_markdown_heading
        if not rest or marked or (rest[:1].isupper() or rest[:1] in "*«\"" or rest[:1].isdigit()):
            literal = plain[: len(label)]
            body = _text_after_label(block, label) if rest else ""
            return kind, literal, body
    return None


def _text_after_label(block: Block, label: str) -> str:
    """The display text that follows an inline label like "**Bakgrunn** Habilitet ..."."""
    display = block.display
    pattern = r"^\s*" + r"\s+".join(re.escape(word) for word in label.split()) + r"\s*:?\s*"
    return re.sub(pattern, "", display, count=1, flags=re.IGNORECASE).strip()


def parse_fields(blocks: list[Block]) -> dict[str, str]:
    """Til / Saksbehandler / Vedlegg / Fra in any of the layouts the papers use.

    Layouts seen: label and value on separate lines; "<b>Label</b> value" cells separated by
    tabs; a row of labels with the values in the next row, column by column; and, from PDF text,
    all four on one line.
    """
    fields: dict[str, str] = {}
    header: list[str | None] | None = None
    current: str | None = None
    for block in blocks:
        for line in block.lines:
            cells = line.split("\t") if "\t" in line else _split_inline_labels(line)
            labels = [_field_label(cell) for cell in cells]
            filled = [(cell, label) for cell, label in zip(cells, labels) if cell.strip()]
            if len(filled) >= 2 and all(label and not label[1] for _, label in filled):
                header = [label[0] if label else None for label in labels]
                current = None
                continue
            if header and not any(labels):
                for index, cell in enumerate(cells):
                    if index < len(header) and header[index] and cell.strip():
                        fields[header[index]] = _join(fields.get(header[index]), cell)
                header = None
                continue
            for cell, label in zip(cells, labels):
                if label:
                    current = label[0]
                    fields[current] = _join(fields.get(current), label[1])
                elif current and cell.strip():
                    fields[current] = _join(fields.get(current), cell)
        if not (len(block.lines) == 1 and labels and labels[0] and not labels[0][1]):
            current = None  # a value block closes its label; a bare label waits for the next block
    return {key: squash(clean_inline(value, keep_sub_sup=False)) for key, value in fields.items()}


def _split_inline_labels(line: str) -> list[str]:
    """PDF text may put "Til X Saksbehandler Y Vedlegg Z" on one line: split before each label."""
    positions = [m.start() for m in re.finditer(r"(?:(?<=\s)|^)(?:Til|Saksbehandler|Vedlegg|Fra)(?=\s|$)", line)]
    if len(positions) < 2:
        return [line]
    positions = [0] + [p for p in positions if p > 0] if positions[0] != 0 else positions
    return [line[a:b] for a, b in zip(positions, positions[1:] + [len(line)])]


def _field_label(cell: str) -> tuple[str, str] | None:
    text = cell.strip()
    match = re.match(r"^(?:<b>|\*\*)?\s*(Til|Saksbehandler|Vedlegg|Fra)\s*(?:</b>|\*\*)?(?=\s|$|:)\s*:?\s*(.*)$", text)
    if not match:
        return None
    if not re.match(r"^(?:<b>|\*\*)", text) and match.group(2) and match.group(1) == "Til" and match.group(2).startswith("stede"):
        return None
    return FIELD_LABELS[match.group(1).lower()], match.group(2).strip()


def is_field_line(line: str) -> bool:
    """A Til/Saksbehandler/Vedlegg/Fra line of a paper's header, not prose that starts with "Fra"."""
    text = line.strip()
    if re.match(r"^(?:<b>|\*\*)\s*(?:Til|Saksbehandler|Vedlegg|Fra)\b(?!\s+stede)", text):
        return True
    if "\t" in text:
        return any(_field_label(cell) for cell in text.split("\t"))
    if len(_split_inline_labels(text)) >= 2:
        return True
    label = _field_label(text)
    if not label:
        return False
    value = label[1]
    # "Fra Ole Johan Borge" is a field; "Fra FHI orienterte Kari Nordmann om status." is a sentence.
    return not value or text.split()[0].endswith(":") or (len(value.split()) <= 8 and not re.search(r"[.!?]$", value))


def _join(existing: str | None, value: str) -> str:
    value = value.strip()
    return f"{existing} {value}".strip() if existing else value


def split_attachments(value: str) -> list[str]:
    """"1. Utkast innspill 2. Program" → ["Utkast innspill", "Program"]; "1." (empty) → []."""
    items = [squash(item) for item in re.split(r"(?:^|\s)\d{1,2}\.\s+", value) if squash(item)]
    return [item for item in items if not re.fullmatch(r"\d{1,2}\.?", item)]


def find_meeting_date(blocks: list[Block], year: int | None) -> str | None:
    """The date near a "Dato" label in a bundle's or minutes' front matter."""
    for index, block in enumerate(blocks):
        if block.plain.lower().startswith("dato"):
            for candidate in [block.plain[4:]] + [b.plain for b in blocks[index + 1 : index + 3]]:
                date = parse_norwegian_date(candidate, default_year=year)
                if date:
                    return date
    return None


def minutes_meeting(block: Block) -> str | None:
    """"HelseOmsorg21-rådet, referat møte 1/2026" → "1/2026"."""
    if not MINUTES_HEADING.match(block.plain) or block.word_count > 14 or parse_case_heading(block):
        return None
    match = MEETING_REFERENCE.search(block.plain)
    if match:
        return f"{int(match.group('m'))}/{full_year(match.group('y'))}"
    short = bundle_meeting(block)
    return f"{short[0]}/{short[1]}" if short else None


def has_markup(blocks: list[Block]) -> bool:
    """Whether a text marks its headings (Markdown, bold); PDF and plain text do not."""
    return any(block.is_markdown_heading or block.is_bold_only or block.raw.lstrip().startswith(("**", "<b>")) for block in blocks)


def is_plain_heading(block: Block, following: Block | None) -> bool:
    """In text without markup a heading is a short line of its own that a paragraph follows."""
    if following is None or len(block.lines) > 2 or not block.looks_like_heading(max_words=12):
        return False
    first = block.plain[:1]
    if not (first.isupper() or first.isdigit()) or re.search(r"[.:;,!?)»”]$", block.plain):
        return False
    if is_field_line(block.lines[0]) or following.is_table:
        return False
    starts_upper = following.plain[:1].isupper() or following.plain[:1] in "«\"" or is_list_item(following.lines[0])
    return starts_upper and (following.word_count >= 8 or is_list_item(following.lines[0]))


def sections_from_blocks(blocks: list[Block], default_kind: str = "body", plain_headings: bool = False) -> list[Section]:
    """Group blocks under the labels or headings that introduce them.

    plain_headings: the text has no heading markup (PDF, plain text), so short lines standing
    alone before a paragraph count as headings too.
    """
    sections: list[Section] = []
    current: Section | None = None
    for index, block in enumerate(blocks):
        label = match_label(block, SECTION_LABELS)
        heading = None
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if label:
            kind, literal, body = label
            heading = Section(heading=literal, kind=kind, text=body, page_start=block.page, page_end=block.page)
        elif (block.looks_like_heading() and (block.is_markdown_heading or block.is_bold_only)) or (plain_headings and is_plain_heading(block, following)):
            heading = Section(heading=block.display.replace("\n", " "), kind=default_kind, text="", page_start=block.page, page_end=block.page)
        if heading:
            # A sub-heading inside a labelled section keeps the section's kind (e.g. Hovedpunkter).
            if not label and current and current.kind not in ("body",) and default_kind == "body" and current.kind != "forslag":
                heading.kind = current.kind
            current = heading
            sections.append(current)
            continue
        if current is None:
            current = Section(heading="", kind=default_kind, text="", page_start=block.page, page_end=block.page)
            sections.append(current)
        current.text = f"{current.text}\n\n{block.display}".strip() if current.text else block.display
        current.page_end = block.page if block.page is not None else current.page_end
    return [section for section in sections if section.text or section.heading]


def proposal_and_rest(blocks: list[Block], inline: str = "") -> tuple[list[Block], list[Block]]:
    """Split the blocks after a "Forslag til vedtak" label into the proposal and what follows.

    The proposal runs until a heading, a table, a "Saksfremlegg" marker, or a paragraph after a
    completed sentence that begins a new page; everything after it is the case's attachment.
    `inline` is proposal text printed on the label's own line ("Forslag til vedtak Tas til
    orientering."): with it the proposal has already begun, so a title that follows is the
    attachment's, not more proposal.
    """
    proposal: list[Block] = []
    for index, block in enumerate(blocks):
        started = bool(proposal or inline)
        last = proposal[-1].plain if proposal else inline
        if block.plain.lower() == "saksfremlegg" or block.is_table or block.looks_like_heading(max_words=10):
            if started or block.plain.lower() == "saksfremlegg" or block.is_table or block.is_markdown_heading:
                return proposal, blocks[index:]
        if started and (block.is_markdown_heading or (block.after_break and _SENTENCE_END.search(last))):
            return proposal, blocks[index:]
        if len(proposal) >= 3:
            return proposal, blocks[index:]
        proposal.append(block)
    return proposal, []


def decision_from_minutes(blocks: list[Block]) -> tuple[list[Block], list[Block], str | None]:
    """(discussion blocks, decision blocks, literal label) for one case in the minutes.

    The decision normally follows the "Vedtak" label and may be split by a page break; some
    minutes print the decision text before the label, with nothing after it.
    """
    for index, block in enumerate(blocks):
        label = match_label(block, [("vedtak", "vedtak")])
        if not label:
            continue
        _, literal, inline = label
        after = blocks[index + 1 :]
        decision: list[Block] = [Block(lines=[inline], page=block.page)] if inline else []
        for following in after:
            if decision and following.after_break and _SENTENCE_END.search(decision[-1].plain) and not following.is_italic:
                break
            if decision and decision[0].is_italic and not following.is_italic:
                break  # an italic decision ends where plain discussion resumes
            decision.append(following)
        before = blocks[:index]
        if not decision and before:
            previous = before[-1]
            decision, before = [previous], before[:-1]
        trailing = [b for b in after if b not in decision]
        return before + trailing, decision, literal
    return blocks, [], None


def join_decision(blocks: list[Block]) -> str | None:
    """One decision text from its blocks, rejoining a sentence cut by a page break."""
    text = ""
    for block in blocks:
        piece = block.display.strip()
        if not piece:
            continue
        text = f"{text} {piece}" if text and not _SENTENCE_END.search(text) else (f"{text}\n{piece}" if text else piece)
    return text.strip() or None
