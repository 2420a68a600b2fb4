"""An Answer as a Word document whose citations are real footnotes (case, document, page, quote).

python-docx writes the body but has no footnote API, so the footnotes part (word/footnotes.xml)
is written here: its XML is small and fixed by ECMA-376 (§17.11). Each citation marker in the
answer becomes a footnote reference; the footnote text names the record and quotes it.
"""
from __future__ import annotations

import io
import re
from datetime import date

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

from assistant.answer import Answer, Citation
from assistant.prompts import phrase

FOOTNOTES_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SEPARATORS = (
    f'<w:footnotes xmlns:w="{W_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LIST_ITEM = re.compile(r"^(?:- |(\d+)\. )")


def footnote_text(citation: Citation, lang: str) -> str:
    """"Sak 7/1/2026 – Tilgang til helsedata. Møtepapirer møte 2/2026, s. 31: «…»"""
    parts = []
    if citation.case:
        parts.append(f"{phrase('heading_case', lang)} {citation.case}" + (f" – {citation.title}" if citation.title else ""))
    elif citation.title and citation.title != citation.document:
        parts.append(citation.title)
    where = citation.document + (f", {phrase('source_page', lang, page=citation.page)}" if citation.page else "")
    if citation.date:
        where += f" ({citation.date})"
    parts.append(where)
    return ". ".join(p for p in parts if p) + f": «{citation.quote}»"


def answer_docx(question: str, answer: Answer) -> bytes:
    lang = answer.language
    document = Document()
    document.core_properties.title = phrase("ui_title", lang)
    document.add_heading(phrase("ui_title", lang), level=1)
    asked = document.add_paragraph()
    asked.add_run(f"{phrase('ui_export_question', lang)}: ").bold = True
    asked.add_run(question)
    document.add_paragraph(date.today().isoformat()).runs[0].italic = True
    notes = _Footnotes(document)
    by_marker = {c.marker: c for c in answer.citations}
    # Longest first, so "[Sak 7/1/2026, s. 31 (2)]" is not read as "[Sak 7/1/2026, s. 31]".
    pattern = re.compile("|".join(re.escape(m) for m in sorted(by_marker, key=len, reverse=True))) if by_marker else None
    numbers: dict[str, int] = {}
    for block in answer.answer.split("\n\n"):
        for line in block.splitlines():
            if not line.strip():
                continue
            match = _LIST_ITEM.match(line)
            style = None
            if match:
                style = "List Number" if match.group(1) else "List Bullet"
                line = line[match.end():]
            paragraph = document.add_paragraph(style=style)
            for text, marker in _pieces(line, pattern):
                if text:
                    _add_text(paragraph, text)
                if marker in numbers:  # quoted again: the same note's number, not a second note
                    notes.repeat(paragraph, numbers[marker])
                elif marker:
                    numbers[marker] = notes.add(footnote_text(by_marker[marker], lang))
                    notes.reference(paragraph, numbers[marker])
    # A citation the text does not mark (should not happen) still gets its footnote at the end.
    leftover = [c for c in answer.citations if c.marker not in numbers]
    if leftover:
        paragraph = document.add_paragraph(phrase("heading_sources", lang) + ":")
        for citation in leftover:
            numbers[citation.marker] = notes.add(footnote_text(citation, lang))
            notes.reference(paragraph, numbers[citation.marker])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pieces(line: str, pattern: re.Pattern | None):
    """(text, marker) pairs along a line: the text before each marker, then the marker."""
    if pattern is None:
        yield line, None
        return
    position = 0
    for match in pattern.finditer(line):
        yield line[position : match.start()].rstrip(" "), match.group(0)
        position = match.end()
    yield line[position:], None


def _add_text(paragraph, text: str) -> None:
    position = 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position : match.start()])
        paragraph.add_run(match.group(1)).bold = True
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])


class _Footnotes:
    """The document's footnotes part, created on first use."""

    def __init__(self, document) -> None:
        self.document = document
        self.element = None
        self.count = 0

    def _part(self):
        if self.element is None:
            main = self.document.part
            self.element = parse_xml(_SEPARATORS)
            main.relate_to(XmlPart(PackURI("/word/footnotes.xml"), FOOTNOTES_CONTENT_TYPE, self.element, main.package), RT.FOOTNOTES)
        return self.element

    def add(self, text: str) -> int:
        root = self._part()
        self.count += 1
        note = parse_xml(
            f'<w:footnote xmlns:w="{W_NS}" w:id="{self.count}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>'
        )
        note.findall(qn("w:p"))[0].findall(qn("w:r"))[1].find(qn("w:t")).text = " " + text
        root.append(note)
        return self.count

    def repeat(self, paragraph, number: int) -> None:
        run = paragraph.add_run(str(number))
        run.font.superscript = True

    def reference(self, paragraph, number: int) -> None:
        run = paragraph.add_run()
        run.font.superscript = True
        run.font.size = Pt(9)
        run._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{W_NS}" w:id="{number}"/>'))
