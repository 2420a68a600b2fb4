"""Pages of text → paragraph blocks, with the markup-free views the council parser matches on.

A block keeps its literal lines; `plain` (markup removed, for matching) and `display` (the text
users read and the index embeds) are derived. `---` lines and form feeds are page breaks in the
council's text renderings; PDF pages are page breaks too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ingest.models import Page

_PAGE_BREAK = re.compile(r"^\s*(?:-{3,}|\f)\s*$")
_HEADING_HASHES = re.compile(r"^\s{0,3}#{1,6}\s*")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAGS_TO_DROP = re.compile(r"</?(?:b|strong|i|em|u|span|a|br|p|div)(?:\s[^>]*)?/?>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]{1,40}>")
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3}|_{2})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_LIST_ITEM = re.compile(r"^\s*(?:[-•*▪–]\s+|\d{1,2}[.)]\s+)")


def clean_inline(text: str, keep_sub_sup: bool = True) -> str:
    """Remove emphasis, heading hashes, simple tags and link targets; keep the words."""
    text = text.replace("****", " ").replace("\\(", "(").replace("\\)", ")")
    text = _HEADING_HASHES.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _TAGS_TO_DROP.sub("", text)
    if not keep_sub_sup:
        text = _ANY_TAG.sub("", text)
    for _ in range(2):  # nested emphasis like ***x***
        text = _EMPHASIS.sub(r"\2", text)
    text = re.sub(r"(?<!\w)\*{1,3}|\*{1,3}(?!\w)", "", text)
    return text.strip()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def is_list_item(line: str) -> bool:
    return bool(_LIST_ITEM.match(line))


@dataclass
class Block:
    lines: list[str]
    page: int | None
    after_break: bool = False

    @cached_property
    def raw(self) -> str:
        return "\n".join(self.lines)

    @cached_property
    def plain(self) -> str:
        """Single-line, markup-free text for pattern matching."""
        return squash(clean_inline(" ".join(line.strip() for line in self.lines), keep_sub_sup=False))

    @cached_property
    def display(self) -> str:
        """Readable literal text: list items and table rows keep their lines, wrapped prose is joined."""
        out: list[str] = []
        hard_break = False
        for line in self.lines:
            cleaned = clean_inline(line.rstrip())
            if not cleaned:
                continue
            # Wrapped prose and wrapped list items continue the previous line; a new list item,
            # a table row or a markdown hard break ("  " at line end) starts a new one.
            if out and not hard_break and not is_list_item(line) and "\t" not in line and "\t" not in out[-1]:
                out[-1] = out[-1] + " " + cleaned
            else:
                out.append(cleaned)
            hard_break = line.endswith("  ") and not self.is_bold_only
        return "\n".join(squash(line) if "\t" not in line else line.strip() for line in out)

    @cached_property
    def is_markdown_heading(self) -> bool:
        return bool(re.match(r"^\s{0,3}#{1,6}\s", self.lines[0]))

    @cached_property
    def is_bold_only(self) -> bool:
        """The whole block is one bold run, e.g. "**Hvorfor saken  \\nfremmes til dette  \\nmøtet**"."""
        stripped = self.raw.strip()
        return bool(re.fullmatch(r"(\*\*|<b>)[^*]+?(\*\*|</b>)", stripped, flags=re.DOTALL))

    @cached_property
    def is_italic(self) -> bool:
        stripped = self.raw.strip()
        return stripped.startswith("*") and not stripped.startswith("**") and stripped.rstrip().endswith("*")

    @cached_property
    def is_table(self) -> bool:
        return any("\t" in line for line in self.lines)

    @property
    def word_count(self) -> int:
        return len(self.plain.split())

    def looks_like_heading(self, max_words: int = 14) -> bool:
        """Short, not a sentence: a markdown heading, a bold-only block, or a short unpunctuated line."""
        if not self.plain or self.is_table or is_list_item(self.lines[0]):
            return False
        if self.is_markdown_heading or self.is_bold_only:
            return self.word_count <= 25
        return len(self.lines) <= 2 and self.word_count <= max_words and not re.search(r"[.:;,]$", self.plain)


def blocks_from_pages(pages: list[Page]) -> list[Block]:
    """Split pages into blank-line-separated blocks, remembering page numbers and page breaks."""
    blocks: list[Block] = []
    pending_break = False
    for page_index, page in enumerate(pages):
        if page_index > 0:
            pending_break = True
        current: list[str] = []

        def flush() -> None:
            nonlocal current, pending_break
            if any(line.strip() for line in current):
                blocks.append(Block(lines=current, page=page.number, after_break=pending_break))
                pending_break = False
            current = []

        for line in page.text.split("\n"):
            if _PAGE_BREAK.match(line):
                flush()
                pending_break = True
            elif not line.strip():
                flush()
            else:
                current.append(line.rstrip("\n"))
        flush()
    return blocks
