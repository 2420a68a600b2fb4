"""Corpus files → ReadDocument (pages of text). One reader per format, one error type.

Every reader keeps the structure a line-based parser needs: headings and list items on their own
lines, paragraphs separated by a blank line, table rows as tab-separated cells. Anything that goes
wrong inside a reader surfaces as ReaderError with a Norwegian message, never a raw traceback.
"""
from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from math import hypot
from pathlib import Path
from typing import Any, Callable

from ingest.models import DocumentFormat, Page, ReadDocument

# pypdf logs every recoverable defect of a damaged file; the user gets one ReaderError instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

SUPPORTED_SUFFIXES: tuple[str, ...] = (".pdf", ".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".json")


class ReaderError(Exception):
    """A file that cannot be read; message is Norwegian Bokmål and meant for the user."""

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(message)
        self.path = str(path)
        self.message = message

    def __str__(self) -> str:
        return self.message


def read_document(path: Path) -> ReadDocument:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(ingen filendelse)"
        raise ReaderError(path, f"Filtypen {shown} støttes ikke. Støttede typer: {', '.join(SUPPORTED_SUFFIXES)}.")
    try:
        if not path.is_file():
            raise ReaderError(path, "Filen finnes ikke." if not path.exists() else "Stien er ikke en fil.")
        if path.stat().st_size == 0:
            raise ReaderError(path, "Filen er tom (0 byte).")
        reader = _READERS[suffix]
        return reader(path)
    except ReaderError:
        raise
    except RecursionError as error:
        raise ReaderError(path, "Dokumentet er for dypt nøstet til å kunne leses.") from error
    except MemoryError as error:
        raise ReaderError(path, "Dokumentet er for stort til å kunne leses.") from error
    except Exception as error:  # noqa: BLE001 - any library failure becomes a user-facing message
        raise ReaderError(path, f"Kunne ikke lese filen ({type(error).__name__}: {error}).") from error


# ---------------------------------------------------------------------------- shared text hygiene

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f"), " ")


def clean_text(text: str) -> str:
    """NFC, \\n line ends, ordinary spaces, no soft hyphens or zero-width characters."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_SPACES).translate(_INVISIBLE)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 with BOM, else Windows-1252, else Latin-1."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                          (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            # The BOM settles the encoding; a stray bad byte (a truncated last character, one
            # pasted Windows-1252 letter) costs that character, not the whole file.
            return data.decode(encoding, errors="replace")
    if b"\x00" in data[:4096]:
        # UTF-16 without BOM shows NUL in every other byte; anything else with NULs is binary.
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        if max(even, odd) > len(data[:4096]) // 4 and min(even, odd) == 0:
            return data.decode("utf-16-be" if even else "utf-16-le", errors="replace")
        raise ValueError("binary")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# ---------------------------------------------------------------------------- Markdown / plain text


def _read_text(path: Path) -> ReadDocument:
    try:
        text = clean_text(decode_text(path.read_bytes()))
    except ValueError as error:
        raise ReaderError(path, "Filen ser ut til å være binær, ikke tekst.") from error
    fmt: DocumentFormat = "txt" if path.suffix.lower() == ".txt" else "md"
    if "\f" in text:
        pages = [Page(number, part) for number, part in enumerate(text.split("\f"), start=1)]
    else:
        pages = [Page(None, text)]
    return ReadDocument(path=str(path), format=fmt, pages=pages)


# ---------------------------------------------------------------------------- HTML

_HTML_DROP = {"script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg", "button",
              "select", "textarea", "canvas", "object", "embed", "head", "title", "meta", "link"}
_HTML_BLOCK = {"p", "div", "section", "article", "main", "blockquote", "pre", "figure", "figcaption", "dl", "dt",
               "dd", "ul", "ol", "address", "details", "summary", "body", "html", "header", "footer", "hr", "center"}
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _read_html(path: Path) -> ReadDocument:
    from bs4 import BeautifulSoup

    # The stdlib parser: no dependency on the installed libxml2, any nesting depth is built
    # without recursion, and _html_blocks walks the tree with an explicit stack.
    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    articles = soup.find_all("article")
    root = (max(articles, key=lambda a: len(a.get_text())) if articles else None) or soup.find("main") \
        or soup.find(attrs={"role": "main"}) or soup.body or soup
    title = _first_text(root.find("h1")) or _first_text(soup.find("h1")) or _first_text(soup.find("title"))
    date = _html_date(soup, root)
    blocks = _html_blocks(root)
    return ReadDocument(path=str(path), format="html", pages=[Page(None, clean_text("\n\n".join(blocks)))],
                        title=title, date=date)


def _first_text(tag: Any) -> str | None:
    text = " ".join(tag.get_text(" ").split()) if tag is not None else ""
    return text or None


def _html_date(soup: Any, root: Any) -> str | None:
    for scope in (root, soup):
        for tag in scope.find_all("time"):
            found = _ISO_DATE.match(str(tag.get("datetime", "")).strip())
            if found:
                return found.group(1)
    for key in ("article:published_time", "og:published_time", "datePublished", "date", "dcterms.date", "DC.date"):
        tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key}) \
            or soup.find("meta", attrs={"itemprop": key})
        found = _ISO_DATE.match(str(tag.get("content", "")).strip()) if tag is not None else None
        if found:
            return found.group(1)
    return None


def _html_blocks(root: Any) -> list[str]:
    """Walk the tree with an explicit stack (no recursion), emitting one string per block."""
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        lines = [" ".join(line.split()) for line in "".join(buffer).split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            blocks.append(text)
        buffer.clear()

    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            flush()
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                buffer.append(str(node).replace("\n", " "))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if name in _HTML_DROP or node.has_attr("hidden") or node.get("aria-hidden") == "true":
            continue
        if name == "footer" or (name == "header" and node.find(re.compile(r"^h[1-6]$")) is None):
            continue  # page chrome; an article's own <header> with its heading is kept
        if name == "br":
            buffer.append("\n")
        elif re.fullmatch(r"h[1-6]", name):
            flush()
            text = " ".join(node.get_text(" ").split())
            if text:
                blocks.append("#" * int(name[1]) + " " + text)
        elif name == "table":
            flush()
            rows = []
            for row in node.find_all("tr"):
                if row.find_parent("table") is not node:
                    continue  # a nested table's rows belong to its own cell text
                cells = [" ".join(c.get_text(" ").split()) for c in row.find_all(["td", "th"], recursive=False)]
                if any(cells):
                    rows.append("\t".join(cells).rstrip("\t"))
            if rows:
                blocks.append("\n".join(rows))
        elif name == "li":
            flush()
            parent = node.find_parent(["ul", "ol"])
            if parent is not None and parent.name == "ol":
                start = str(parent.get("start", "1")).strip()
                number = len(node.find_previous_siblings("li")) + (int(start) if start.isdigit() else 1)
                buffer.append(f"{number}. ")
            else:
                buffer.append("- ")
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif name in _HTML_BLOCK:
            flush()
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        else:
            stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return blocks


# ---------------------------------------------------------------------------- DOCX

# A .docx is a zip; real ones unpack to a few times their size. 200 MB of XML is an attack.
MAX_DOCX_UNPACKED_BYTES = 200 * 1024 * 1024


def _read_docx(path: Path) -> ReadDocument:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(path) as archive:
            # Declared sizes bound what zipfile will inflate, so this stops a zip bomb up front.
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ReaderError(path, "Filen er ikke et gyldig Word-dokument (.docx); "
                                "den kan være skadet eller passordbeskyttet.") from error
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise ReaderError(path, f"Word-filen pakker ut til {unpacked / 1024 / 1024:.0f} MB, mer enn grensen på "
                                f"{MAX_DOCX_UNPACKED_BYTES // 1024 // 1024} MB; den leses ikke.")
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as error:
        raise ReaderError(path, "Filen er ikke et gyldig Word-dokument (.docx); "
                                "den kan være skadet eller passordbeskyttet.") from error
    except XMLSyntaxError as error:
        raise ReaderError(path, "Filen er ikke et gyldig Word-dokument (.docx): innholdet er skadet XML "
                                f"({' '.join(str(error).split())[:80]}).") from error
    body = getattr(document.element, "body", None)
    if body is None:  # a package whose main part is not a w:document
        raise ReaderError(path, "Filen er ikke et gyldig Word-dokument (.docx): hoveddelen mangler dokumentteksten.")
    blocks: list[str] = []
    for element in body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, document)
            text = " ".join(paragraph.text.replace("\t", " ").split())
            if not text:
                continue
            style = paragraph.style.name if paragraph.style is not None else ""
            level = re.match(r"(?:Heading|Overskrift)\s*(\d)", style or "", re.IGNORECASE)
            if level:
                text = "#" * min(int(level.group(1)), 6) + " " + text
            elif style == "Title" or style == "Tittel":
                text = "# " + text
            elif element.pPr is not None and element.pPr.numPr is not None or "List" in (style or ""):
                text = "- " + text
            blocks.append(text)
        elif tag == "tbl":
            rows = []
            for row in Table(element, document).rows:
                seen: list[Any] = []
                cells = []
                for cell in row.cells:  # merged cells repeat across the grid columns they span
                    if any(cell._tc is other for other in seen):
                        continue
                    seen.append(cell._tc)
                    cells.append(" ".join(cell.text.split()))
                if any(cells):
                    rows.append("\t".join(cells).rstrip("\t"))
            if rows:
                blocks.append("\n".join(rows))
    title = (document.core_properties.title or "").strip() or None
    return ReadDocument(path=str(path), format="docx", pages=[Page(None, clean_text("\n\n".join(blocks)))], title=title)


# ---------------------------------------------------------------------------- PDF

_BULLET = re.compile(r"^(?:[•◦▪‣●■□➢](?:\s|$)|[-–*]\s)")
_SUSPENDED_COMPOUND_NEXT = {"og", "eller", "samt", "enn", "som", "til", "and", "or", "nor", "to", "mv", "m.m", "osv"}


@dataclass
class _Fragment:
    x0: float
    x1: float  # end of the text including trailing spaces
    x1_visible: float  # end of the visible text
    y: float
    size: float
    text: str
    first_word: float  # width of the text's first word, and of one space: is a wrap plausible?
    space: float
    lead: float = 0.0  # width of leading spaces stripped from the text (real, or added by pypdf)


@dataclass
class _Line:
    y: float
    size: float
    x0: float
    x1: float
    cells: list[tuple[float, str]]  # (x, text) pieces separated by a column-sized gap
    ends_with_space: bool
    first_word: float
    space: float

    @property
    def text(self) -> str:
        return "\t".join(text for _, text in self.cells)


def _read_pdf(path: Path) -> ReadDocument:
    from pypdf import PdfReader

    data = path.read_bytes()
    head, tail = data[:1024], data[-2048:]
    if b"%PDF-" not in head:
        raise ReaderError(path, "Filen er ikke en gyldig PDF (mangler PDF-hodet).")
    if b"%%EOF" not in tail:
        raise ReaderError(path, "Filen er ikke en gyldig PDF: den ser ut til å være avkortet eller skadet.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as error:  # noqa: BLE001
        raise ReaderError(path, f"Filen er ikke en gyldig PDF ({error}).") from error
    if encrypted:
        try:
            opened = bool(reader.decrypt(""))
        except Exception:  # noqa: BLE001 - e.g. an algorithm pypdf cannot handle
            opened = False
        if not opened:
            raise ReaderError(path, "PDF-en er kryptert og kan ikke leses. Lagre en ukryptert kopi og prøv igjen.")
    try:
        page_objects = list(reader.pages)
    except Exception as error:  # noqa: BLE001
        raise ReaderError(path, f"Filen er ikke en gyldig PDF: sidene kan ikke leses ({error}).") from error
    if not page_objects:
        raise ReaderError(path, "PDF-en har ingen sider.")
    widths = _FontWidths()
    page_lines: list[list[_Line]] = []
    for number, page in enumerate(page_objects, start=1):
        try:
            page_lines.append(_lines(_fragments(page, widths)))
        except Exception as error:  # noqa: BLE001
            raise ReaderError(path, f"Kunne ikke hente ut teksten på side {number} ({type(error).__name__}).") from error
    if page_lines and not any(page_lines):
        raise ReaderError(path, "PDF-en har ikke noe tekstlag (skannet dokument?) og kan ikke leses uten OCR.")
    leading = _typical_leading(page_lines)
    right = max((line.x1 for lines in page_lines for line in lines), default=0.0)
    pages = [Page(n, clean_text(_page_text(lines, leading, right))) for n, lines in enumerate(page_lines, start=1)]
    title, date = _pdf_metadata(reader)
    return ReadDocument(path=str(path), format="pdf", pages=pages, title=title, date=date)


def _pdf_metadata(reader: Any) -> tuple[str | None, str | None]:
    """Title and creation date from the Info dictionary; a broken one must not sink the text."""
    values: list[str | None] = []
    for getter in (lambda m: str(m.title or "").strip(), lambda m: m.creation_date.date().isoformat()):
        try:
            values.append(getter(reader.metadata) or None)
        except Exception:  # noqa: BLE001 - missing or malformed entries
            values.append(None)
    return values[0], values[1]


class _FontWidths:
    """Glyph widths per Unicode character, read from the PDF's own font dictionaries."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Any, dict[str, float], float]] = {}

    def width(self, font_dict: Any, text: str, size: float) -> float:
        table, default = self._table(font_dict)
        if table is None:  # unknown font: a rough per-class estimate
            return sum(_estimate(ch) for ch in text) * size
        return sum(table.get(ch, default) for ch in text) * size / 1000

    def _table(self, font_dict: Any) -> tuple[dict[str, float] | None, float]:
        if font_dict is None:
            return None, 0.0
        key = id(font_dict)
        if key not in self._cache:
            self._cache[key] = (font_dict, *self._build(font_dict))  # keep font_dict alive: ids stay unique
        _, table, default = self._cache[key]
        return table, default

    @staticmethod
    def _build(font_dict: Any) -> tuple[dict[str, float] | None, float]:
        try:
            from pypdf.generic._font import Font  # pypdf >= 6; private, hence the fallback below
        except ImportError:
            return None, 0.0
        try:
            font = Font.from_font_resource(font_dict)
        except Exception:  # noqa: BLE001
            return None, 0.0
        by_code = {k: float(v) for k, v in font.character_widths.items()}
        default = by_code.pop("default", 500.0)
        table: dict[str, float] = {}
        codes = font.character_map or (font.encoding if isinstance(font.encoding, dict) else {})
        for code, char in codes.items():
            code = chr(code) if isinstance(code, int) else code
            if isinstance(char, str) and len(char) == 1 and code in by_code:
                table.setdefault(char, by_code[code])
        for code, width in by_code.items():
            table.setdefault(code, width)
        return (table if table else None), default


def _estimate(ch: str) -> float:
    if ch in " .,;:'!|iljtfr()[]":
        return 0.3
    if ch in "mwMW@":
        return 0.85
    if ch.isupper() or ch in "ÆØÅ":
        return 0.68
    return 0.55


def _fragments(page: Any, widths: _FontWidths) -> list[_Fragment]:
    fragments: list[_Fragment] = []

    def visit(text: str, cm: list[float], tm: list[float], font_dict: Any, font_size: float) -> None:
        # pypdf prefixes a space or newline when it sees a jump from the previous text; the
        # position is that of the first real glyph, so measure without them (see _lines).
        text = text.lstrip("\n").rstrip("\n")
        lead = len(text) - len(text.lstrip(" "))
        text = text.lstrip(" ")
        if not text.strip():
            return
        a, b, c, d, e, f = _multiply(tm, cm)
        scale_x, scale_y = hypot(a, b), hypot(c, d)
        size = (font_size or 0) * scale_y
        if size <= 0.5 or scale_x == 0:
            return

        def measure(s: str) -> float:
            return widths.width(font_dict, s, font_size) * scale_x

        for k, part in enumerate(text.split("\n")):
            if part.strip():
                fragments.append(_Fragment(
                    e, e + measure(part), e + measure(part.rstrip()), f - k * size * 1.2, size, part,
                    measure(part.split()[0]), measure(" "), lead * measure(" ") if k == 0 else 0.0,
                ))

    page.extract_text(visitor_text=visit)
    return fragments


def _multiply(m: list[float], n: list[float]) -> tuple[float, float, float, float, float, float]:
    a, b, c, d, e, f = (float(v) for v in m)
    p, q, r, s, t, u = (float(v) for v in n)
    return a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u


def _lines(fragments: list[_Fragment]) -> list[_Line]:
    """Group fragments sharing a baseline into lines; a gap wider than an em starts a new cell."""
    lines: list[list[_Fragment]] = []
    for frag in sorted(fragments, key=lambda fr: (-fr.y, fr.x0)):
        if lines and abs(lines[-1][0].y - frag.y) <= 0.3 * max(frag.size, lines[-1][0].size):
            lines[-1].append(frag)
        else:
            lines.append([frag])
    result = []
    for frags in lines:
        frags.sort(key=lambda fr: fr.x0)
        cells: list[tuple[float, str]] = [(frags[0].x0, frags[0].text)]
        previous = frags[0]
        for frag in frags[1:]:
            if frag.text == previous.text and abs(frag.x0 - previous.x0) < 0.5 * frag.size:
                continue  # fake bold: the same text printed twice with a small offset
            gap = frag.x0 - previous.x1_visible
            if frag.lead and abs(gap) < 0.5 * frag.space:
                # the leading space is really in the PDF, right after the previous fragment
                frag.x1 += frag.lead
                frag.x1_visible += frag.lead
            em = max(frag.size, previous.size)
            x, text = cells[-1]
            if gap > 1.2 * em:
                cells.append((frag.x0, frag.text))
            elif (gap > 0.15 * em or frag.lead) and not text.endswith(" "):
                cells[-1] = (x, text + " " + frag.text)
            else:
                cells[-1] = (x, text + frag.text)
            previous = frag
        cells = [(x, " ".join(text.split())) for x, text in cells]
        result.append(_Line(
            y=frags[0].y, size=max(fr.size for fr in frags), x0=frags[0].x0, x1=max(fr.x1_visible for fr in frags),
            cells=[c for c in cells if c[1]], ends_with_space=frags[-1].text != frags[-1].text.rstrip(),
            first_word=frags[0].first_word, space=max(fr.space for fr in frags),
        ))
    return [line for line in result if line.cells]


def _typical_leading(page_lines: list[list[_Line]]) -> float:
    """The most common baseline-to-baseline distance in font sizes: the in-paragraph leading."""
    ratios: Counter[float] = Counter()
    for lines in page_lines:
        for a, b in zip(lines, lines[1:]):
            if abs(a.size - b.size) <= 0.02 * a.size:
                ratio = (a.y - b.y) / a.size
                if 0.8 <= ratio <= 3.0:
                    ratios[round(ratio / 0.05) * 0.05] += 1
    return ratios.most_common(1)[0][0] if ratios else 1.2


def _page_text(lines: list[_Line], leading: float, right: float) -> str:
    """Paragraph blocks from vertical gaps; wrapped lines joined, table rows as cells."""
    blocks: list[list[_Line]] = []
    for line in lines:
        if blocks and not _starts_block(blocks[-1][-1], line, leading):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    out: list[str] = []
    region: list[list[_Line]] = []  # consecutive multi-cell blocks: one table
    for block in blocks + [[]]:
        if block and (any(len(line.cells) > 1 for line in block) or region and _in_columns(block, region)):
            region.append(block)  # a row with one filled cell still belongs to the table above
            continue
        if region:
            out.append(_table_text(region))
            region = []
        if block:
            out.append(_block_text(block, right))
    return "\n\n".join(text for text in out if text)


def _starts_block(previous: _Line, line: _Line, leading: float) -> bool:
    pitch = previous.y - line.y
    small, large = sorted((previous.size, line.size))
    return pitch <= 0 or large > 1.15 * small or pitch > 1.25 * leading * small


def _block_text(block: list[_Line], right: float) -> str:
    text = block[0].text
    for previous, line in zip(block, block[1:]):
        wrapped = previous.x1 + previous.space + line.first_word > right - 1.5
        if wrapped and not _BULLET.match(line.text):
            text = _join_wrapped(text, line.text, previous.ends_with_space)
        else:
            text += "\n" + line.text
    return text


def _join_wrapped(text: str, following: str, had_space: bool) -> str:
    """Join a wrapped line; undo a hyphenation only when it cannot be a real hyphen."""
    if text.endswith("\u00ad"):
        return text[:-1] + following
    word = re.search(r"(\w+)-$", text)
    next_word = re.match(r"[^\s,.;:]+", following)
    if (word and not had_space and len(word.group(1)) >= 2 and word.group(1)[-1].islower()
            and not any(ch.isdigit() for ch in word.group(1)) and next_word and following[0].islower()
            and next_word.group().lower() not in _SUSPENDED_COMPOUND_NEXT):
        return text[:-1] + following
    return text + " " + following


def _column_starts(region: list[list[_Line]]) -> list[float]:
    columns: list[float] = []
    for x in sorted(x for block in region for line in block for x, _ in line.cells):
        if not columns or x - columns[-1] > 4.0:
            columns.append(x)
    return columns


def _in_columns(block: list[_Line], region: list[list[_Line]]) -> bool:
    """Every line starts at a column of the table above and stays inside that column."""
    columns = _column_starts(region) + [float("inf")]
    return all(any(abs(line.x0 - start) <= 1.5 and line.x1 < end for start, end in zip(columns, columns[1:]))
               for line in block)


def _table_text(region: list[list[_Line]]) -> str:
    """Rows of a table: cells are placed in columns found from where cells start across rows."""
    columns = _column_starts(region)
    rows = []
    for block in region:
        texts = [""] * len(columns)
        for line in block:
            for x, text in line.cells:
                index = max(i for i, column in enumerate(columns) if column <= x + 4.0)
                texts[index] = _join_wrapped(texts[index], text, True) if texts[index] else text
        rows.append("\t".join(texts).rstrip("\t"))
    return "\n".join(rows)


def _read_meeting_json(path: Path) -> ReadDocument:
    """A meeting record exported from an innsyn portal (ingest.meeting_file); other JSON is refused."""
    from ingest.meeting_file import MeetingFileError, read_meeting_document

    try:
        return read_meeting_document(path)[0]
    except MeetingFileError as error:
        raise ReaderError(path, str(error)) from error


_READERS: dict[str, Callable[[Path], ReadDocument]] = {
    ".pdf": _read_pdf, ".md": _read_text, ".markdown": _read_text, ".txt": _read_text,
    ".html": _read_html, ".htm": _read_html, ".docx": _read_docx, ".json": _read_meeting_json,
}
