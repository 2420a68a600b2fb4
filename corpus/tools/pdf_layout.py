"""Markdown-ish seed text → a paginated A4 PDF that reads like a real document (fpdf2 + DejaVu).

Markers are removed, headings are bold on their own lines, `<b>`/tab tables become bordered rows,
list items get a bullet, blocks are separated by vertical space. Each `---` line (and each run of
two or more blank lines) is a forced page break; long text flows on. Lines break only at spaces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Layout, in mm unless noted. One leading ratio for every size keeps line pitch predictable.
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 20.0, 20.0, 20.0
BODY_PT, TABLE_PT = 10.0, 9.0
HEADING_PT = {1: 15.0, 2: 13.0, 3: 11.5, 4: 10.5, 5: 10.0, 6: 10.0}
LEADING = 1.4
PT = 25.4 / 72
BLOCK_GAP = 2.5  # space after every block: what makes a paragraph a paragraph
HEADING_GAP_BEFORE = 2.5
BULLET_X, BULLET_TEXT_X = 3.0, 8.0
CELL_PAD_X, CELL_PAD_Y = 2.5, 1.5


def line_height(size_pt: float) -> float:
    return size_pt * LEADING * PT


# ---------------------------------------------------------------------------- inline markup

Run = tuple[str, str]  # (style "", "B", "I" or "BI", text)

_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)")
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)
_TAGS_DROPPED = re.compile(r"</?(?:sup|sub|span|i|em|u)>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|])")


def strip_links_and_tags(text: str) -> str:
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _ANCHOR.sub(lambda m: m.group(1), text)
    text = _TAGS_DROPPED.sub("", text)
    text = text.replace("<b>", "**").replace("</b>", "**").replace("<strong>", "**").replace("</strong>", "**")
    # `**Sak 7/1/2026****Tilgang…**`: two bold runs printed side by side in the original.
    text = text.replace("****", "** **")
    return _ESCAPE.sub(lambda m: m.group(1), text)


def parse_inline(text: str) -> list[Run]:
    """Split text (may contain newlines) into style runs; emphasis may span hard line breaks."""
    text = strip_links_and_tags(text)
    bold = italic = False
    runs: list[Run] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            runs.append((("B" if bold else "") + ("I" if italic else ""), "".join(buf)))
            buf.clear()

    i = 0
    while i < len(text):
        m = re.match(r"\*{1,3}", text[i:])
        if m:
            stars = m.group()
            before = text[i - 1] if i else " "
            after = text[i + len(stars)] if i + len(stars) < len(text) else " "
            opening = not after.isspace()
            closing = not before.isspace()
            # A lone `*` between spaces is a literal asterisk, not emphasis.
            if opening or closing:
                flush()
                if len(stars) >= 2:
                    bold = not bold
                if len(stars) != 2:
                    italic = not italic
                i += len(stars)
                continue
        buf.append(text[i])
        i += 1
    flush()
    return runs


def split_lines(runs: list[Run]) -> list[list[Run]]:
    lines: list[list[Run]] = [[]]
    for style, text in runs:
        for k, part in enumerate(text.split("\n")):
            if k:
                lines.append([])
            if part:
                lines[-1].append((style, part))
    return lines


# ---------------------------------------------------------------------------- blocks


@dataclass
class Block:
    kind: str  # heading | text | table
    level: int = 0
    lines: list[tuple[bool, list[Run]]] = field(default_factory=list)  # (is_bullet, runs)
    rows: list[list[list[Run]]] = field(default_factory=list)


def split_pages(markdown: str) -> list[str]:
    """`---` lines and runs of 2+ blank lines are the original's page breaks."""
    pages: list[list[str]] = [[]]
    blanks = 0
    for line in markdown.split("\n"):
        if line.strip() == "---":
            pages.append([])
            blanks = 0
        elif not line.strip():
            blanks += 1
            if blanks == 2:
                pages.append([])
            elif blanks == 1:
                pages[-1].append("")
        else:
            blanks = 0
            pages[-1].append(line)
    return ["\n".join(p) for p in pages if any(line.strip() for line in p)]


def page_blocks(page: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in re.split(r"\n[ \t]*\n", page.strip("\n")):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all("\t" in line for line in chunk.strip("\n").split("\n")):
            rows = [[parse_inline(cell.strip()) for cell in line.split("\t")] for line in chunk.strip("\n").split("\n")]
            width = max(len(r) for r in rows)
            blocks.append(Block("table", rows=[r + [[] for _ in range(width - len(r))] for r in rows]))
            continue
        kinds: list[tuple[str, int]] = []
        bare: list[str] = []
        for line in lines:
            h = re.match(r"(#{1,6})\s+(.*)", line)
            b = re.match(r"[-*+]\s+(.*)", line)
            if h:
                kinds.append(("heading", len(h.group(1))))
                bare.append(h.group(2))
            elif b:
                kinds.append(("bullet", 0))
                bare.append(b.group(1))
            else:
                kinds.append(("text", 0))
                bare.append(line)
        styled = split_lines(parse_inline("\n".join(bare)))
        current: Block | None = None  # non-heading lines of one chunk share a block (no gap)
        for (kind, level), runs in zip(kinds, styled):
            if kind == "heading":
                runs = [("B" + ("I" if "I" in style else ""), t) for style, t in runs]
                blocks.append(Block("heading", level=level, lines=[(False, runs)]))
                current = None
                continue
            if current is None:
                current = Block("text")
                blocks.append(current)
            current.lines.append((kind == "bullet", runs))
    return blocks


# ---------------------------------------------------------------------------- PDF


def font_dir() -> Path:
    system = Path("/usr/share/fonts/truetype/dejavu")
    if (system / "DejaVuSans.ttf").exists() and (system / "DejaVuSans-Bold.ttf").exists():
        return system
    import matplotlib

    return Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"


class Renderer:
    def __init__(self) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        fonts = font_dir()
        files = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf", "BI": "DejaVuSans-BoldOblique.ttf"}
        self.styles: dict[str, str] = {}
        for style, name in files.items():
            if (fonts / name).exists():
                self.pdf.add_font("DejaVu", style, str(fonts / name))
                self.styles[style] = style
        for style in ("I", "BI"):  # without oblique files italics fall back to upright
            self.styles.setdefault(style, style.replace("I", ""))
        self.width = self.pdf.w - 2 * MARGIN_X
        self.bottom = self.pdf.h - MARGIN_BOTTOM
        self.y = MARGIN_TOP
        self.fresh = True  # nothing on the current page yet

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = MARGIN_TOP
        self.fresh = True

    def font(self, style: str, size: float) -> None:
        self.pdf.set_font("DejaVu", self.styles[style], size)

    def text_width(self, style: str, size: float, text: str) -> float:
        self.font(style, size)
        return self.pdf.get_string_width(text)

    def wrap(self, runs: list[Run], size: float, width: float) -> list[list[Run]]:
        """Greedy wrap that breaks only at spaces; a trailing space stays in the line's text."""
        units: list[tuple[list[Run], list[Run]]] = []  # (word pieces, following spaces)
        for style, text in runs:
            for token in re.split(r"( +)", text):
                if not token:
                    continue
                if token.startswith(" "):
                    if units:
                        units[-1][1].append((style, token))
                elif units and not units[-1][1]:
                    units[-1][0].append((style, token))
                else:
                    units.append(([(style, token)], []))
        lines: list[list[Run]] = []
        line: list[Run] = []
        used = 0.0
        for word, spaces in units:
            w = sum(self.text_width(s, size, t) for s, t in word)
            if line and used + w > width:
                lines.append(line)
                line, used = [], 0.0
            if not line and w > width:  # a single word wider than the column: break by characters
                for style, text in word:
                    for ch in text:
                        cw = self.text_width(style, size, ch)
                        if line and used + cw > width:
                            lines.append(line)
                            line, used = [], 0.0
                        line.append((style, ch))
                        used += cw
            else:
                line.extend(word)
                used += w
            line.extend(spaces)
            used += sum(self.text_width(s, size, t) for s, t in spaces)
        if line:
            lines.append(line)
        return [merge_runs(x) for x in lines] or [[]]

    def emit(self, x: float, y: float, runs: list[Run], size: float, h: float) -> None:
        for style, text in runs:
            self.font(style, size)
            w = self.pdf.get_string_width(text)
            self.pdf.set_xy(x, y)
            self.pdf.cell(w=w, h=h, text=text)
            x += w

    def ensure(self, height: float) -> None:
        if self.y + height > self.bottom and not self.fresh:
            self.new_page()

    def heading(self, block: Block) -> None:
        size = HEADING_PT[block.level]
        h = line_height(size)
        lines = self.wrap(block.lines[0][1], size, self.width)
        if not self.fresh:
            self.y += HEADING_GAP_BEFORE
        # keep the heading together with the first lines of what follows
        self.ensure(len(lines) * h + 2 * line_height(BODY_PT) + BLOCK_GAP)
        for runs in lines:
            self.emit(MARGIN_X, self.y, runs, size, h)
            self.y += h
        self.y += BLOCK_GAP
        self.fresh = False

    def text(self, block: Block) -> None:
        h = line_height(BODY_PT)
        for is_bullet, runs in block.lines:
            indent = BULLET_TEXT_X if is_bullet else 0.0
            for k, line in enumerate(self.wrap(runs, BODY_PT, self.width - indent)):
                self.ensure(h)
                if is_bullet and k == 0:
                    self.emit(MARGIN_X + BULLET_X, self.y, [("", "•")], BODY_PT, h)
                self.emit(MARGIN_X + indent, self.y, line, BODY_PT, h)
                self.y += h
                self.fresh = False
        self.y += BLOCK_GAP

    def column_widths(self, rows: list[list[list[Run]]]) -> list[float]:
        ncols = len(rows[0])
        natural, minimum = [0.0] * ncols, [0.0] * ncols
        for row in rows:
            for c, runs in enumerate(row):
                natural[c] = max(natural[c], sum(self.text_width(s, TABLE_PT, t) for s, t in runs))
                for s, t in runs:
                    for word in t.split():
                        minimum[c] = max(minimum[c], self.text_width(s, TABLE_PT, word))
        natural = [n + 2 * CELL_PAD_X for n in natural]
        minimum = [max(m + 2 * CELL_PAD_X, 12.0) for m in minimum]
        natural = [max(n, m) for n, m in zip(natural, minimum)]
        if sum(natural) <= self.width:
            return [n * self.width / sum(natural) for n in natural]
        spare = self.width - sum(minimum)
        stretch = sum(n - m for n, m in zip(natural, minimum)) or 1.0
        return [m + spare * (n - m) / stretch for n, m in zip(natural, minimum)]

    def table(self, block: Block) -> None:
        h = line_height(TABLE_PT)
        widths = self.column_widths(block.rows)
        self.pdf.set_draw_color(170, 170, 170)
        self.pdf.set_line_width(0.2)
        for row in block.rows:
            cells = [self.wrap(runs, TABLE_PT, w - 2 * CELL_PAD_X) if runs else [] for runs, w in zip(row, widths)]
            row_h = max(len(c) for c in cells) * h + 2 * CELL_PAD_Y
            self.ensure(row_h)
            x = MARGIN_X
            for lines, w in zip(cells, widths):
                self.pdf.rect(x, self.y, w, row_h)
                for k, line in enumerate(lines):
                    self.emit(x + CELL_PAD_X, self.y + CELL_PAD_Y + k * h, line, TABLE_PT, h)
                x += w
            self.y += row_h
            self.fresh = False
        self.y += BLOCK_GAP

    def render(self, markdown: str, out: Path, meta: dict[str, str], created: datetime) -> int:
        pdf = self.pdf
        pdf.set_title(meta["title"])
        pdf.set_author(meta["author"])
        pdf.set_subject(meta["subject"])
        pdf.set_creator("corpus/tools/render_corpus.py")
        pdf.set_lang("nb-NO")
        pdf.set_creation_date(created)  # fixed, so a re-run gives the same bytes
        for page in split_pages(markdown):
            self.new_page()
            for block in page_blocks(page):
                getattr(self, block.kind)(block)
        pdf.output(str(out))
        return pdf.page_no()


def merge_runs(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for style, text in runs:
        if merged and merged[-1][0] == style:
            merged[-1] = (style, merged[-1][1] + text)
        else:
            merged.append((style, text))
    return merged
