"""ingest(paths) → summary. Incremental and atomic per document.

For each document: read → parse council structure → chunk → embed what the cache lacks →
write vectors, then swap the register rows in one transaction, then drop the old vectors.
A document whose files are unchanged is skipped; one that fails to read is reported and its
previous version stays in the index. BM25 is rebuilt from the register at the end.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path, PureWindowsPath
from typing import Any

from ingest.chunking import chunk_document, content_hash
from ingest.models import ACCESS_LEVELS, Chunk, DocumentMeta, ParsedDocument, ReadDocument
from ingest.pages import assign_pages
from ingest.readers import SUPPORTED_SUFFIXES, ReaderError, read_document
from ingest.sentences import split_sentences
from ingest.settings import Settings
from ingest.structure import parse_document

PARSER_VERSION = "4"  # bump when parsing or chunking changes, so unchanged files are re-parsed (4: sentence_pages)
# Several renditions of one document: the most structured one is parsed, a PDF gives pages.
RENDITION_PREFERENCE = ["md", "markdown", "txt", "docx", "html", "htm", "pdf", "json"]
SKIPPED_NAMES = re.compile(r"^(readme|license|changelog)(\.[a-z]+)?$", re.IGNORECASE)
SIDECAR_FIELDS = ("title", "date", "doc_type", "access")

log = logging.getLogger(__name__)


class InvalidPath(ValueError):
    """A path the pipeline refuses to touch; the message is Norwegian and meant for the user."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return self.message


def validate_path(path: str | os.PathLike, root: Path | None = None) -> Path:
    """The path to ingest, or InvalidPath.

    Without root (the operator's own command line) any path without NUL is allowed. With root,
    the path is a name supplied by someone else (an upload, an API call): it must be relative,
    free of ".." and must stay inside root after symlinks are resolved.
    """
    try:
        text = os.fspath(path)
    except TypeError as error:
        raise InvalidPath(repr(path), "Stien må være tekst.") from error
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    shown = text.replace("\x00", "\\x00")
    if "\x00" in text:
        raise InvalidPath(shown, "Filnavnet inneholder et NUL-tegn og kan ikke brukes.")
    if not text.strip():
        raise InvalidPath(shown, "Filnavnet er tomt.")
    if root is None:
        return Path(text)
    if Path(text).is_absolute() or PureWindowsPath(text).drive or text.startswith(("/", "\\")):
        raise InvalidPath(shown, "Absolutte stier er ikke tillatt her; oppgi et filnavn i arkivmappen.")
    if ".." in re.split(r"[\\/]", text):
        raise InvalidPath(shown, "Stien kan ikke inneholde «..».")
    root = Path(root)
    if not _inside(root / text, root):
        raise InvalidPath(shown, "Stien peker ut av arkivmappen.")
    return root / text


def _inside(path: Path, root: Path) -> bool:
    resolved, base = path.resolve(), root.resolve()
    return resolved == base or base in resolved.parents


@dataclass
class IngestSummary:
    documents: int = 0
    cases: int = 0
    chunks: int = 0
    embedded: int = 0
    skipped_unchanged: int = 0
    removed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)  # parsed, but with something unread (kept as text)

    def as_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents, "cases": self.cases, "chunks": self.chunks, "embedded": self.embedded,
            "skipped_unchanged": self.skipped_unchanged, "removed": self.removed, "errors": self.errors,
            "notes": self.notes,
        }

    def print(self, console) -> None:
        console.print(
            f"[bold]Ferdig:[/bold] {self.documents} dokumenter, {self.cases} saker, {self.chunks} tekstbiter; "
            f"{self.embedded} nye innbygginger, {self.skipped_unchanged} uendret, {self.removed} fjernet."
        )
        for error in self.errors:
            console.print(f"[red]Feil[/red] {error['path']}: {error['error']}")
        for note in self.notes:
            console.print(f"[yellow]Merknad[/yellow] {note['path']}: {note['note']}")


@dataclass
class DocumentGroup:
    """One logical document: its renditions (same name, different formats) and sidecars."""

    doc_id: str
    files: list[Path]

    @property
    def primary(self) -> Path:
        return min(self.files, key=lambda p: RENDITION_PREFERENCE.index(p.suffix.lower().lstrip(".")))

    @property
    def pdf(self) -> Path | None:
        return next((p for p in self.files if p.suffix.lower() == ".pdf"), None)


def discover(paths: list[Path]) -> tuple[list[DocumentGroup], list[Path], list[dict[str, str]]]:
    """Supported files under paths grouped by rendition; also the folders that were scanned whole."""
    groups: dict[str, list[Path]] = {}
    folders: list[Path] = []
    errors: list[dict[str, str]] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            folders.append(path.resolve())
            files = []
            for candidate in sorted(p for p in path.rglob("*") if p.is_file() and _is_candidate(p, path)):
                if _inside(candidate, path):
                    files.append(candidate)
                else:  # a symlink to somewhere else must not pull outside files into the archive
                    errors.append({"path": str(candidate), "error": "Filen er en lenke som peker ut av mappen; den leses ikke inn."})
            root = path
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                errors.append({"path": str(path), "error": f"Filtypen {path.suffix or '(ingen)'} støttes ikke."})
                continue
            files, root = [path], path.parent
        else:
            errors.append({"path": str(path), "error": "Finner ikke filen eller mappen."})
            continue
        for file in files:
            key = document_id(file, root)
            groups.setdefault(key, []).append(file)
    return [DocumentGroup(doc_id, files) for doc_id, files in sorted(groups.items())], folders, errors


def _is_candidate(path: Path, root: Path) -> bool:
    # Hidden is judged below the scanned folder: "../corpus" or a folder under ~/.local is fine.
    if any(part.startswith(".") for part in path.relative_to(root).parts) or SKIPPED_NAMES.match(path.name):
        return False
    if path.suffix.lower() == ".json" and not path.name.endswith(".meta.json"):
        from ingest.meeting_file import looks_like_meeting_file

        return looks_like_meeting_file(path)  # other JSON (expected results, exports) is data, not a document
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.endswith(".meta.json")


def document_id(path: Path, root: Path) -> str:
    """Stable id from the path without extension, so renditions of one document share it."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path(path.name)
    stem = str(relative.with_suffix("")).replace("\\", "/")
    return re.sub(r"[^A-Za-z0-9æøåÆØÅ/_\-.]+", "-", stem).strip("-") or "dokument"


def load_meta(group: DocumentGroup) -> DocumentMeta:
    """Merge the sidecars of a document's renditions (primary rendition wins, except access:
    the strictest level any rendition declares applies, so one open sidecar cannot expose a
    document another sidecar restricts)."""
    values: dict[str, Any] = {}
    levels: list[str] = []
    for file in sorted(group.files, key=lambda p: p != group.primary, reverse=True):
        sidecar = file.with_name(file.name + ".meta.json")
        if sidecar.exists():
            data = _read_sidecar(sidecar)
            if data.get("access") is not None:
                levels.append(data["access"])
            values.update({k: v for k, v in data.items() if v is not None})
    access = max(levels, key=ACCESS_LEVELS.index) if levels else "public"
    return DocumentMeta(title=values.get("title"), date=values.get("date"), doc_type=values.get("doc_type"), access=access)


def _read_sidecar(sidecar: Path) -> dict[str, Any]:
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReaderError(str(sidecar), f"Sidefilen er ikke gyldig JSON: {error}") from error
    if not isinstance(data, dict):
        raise ReaderError(str(sidecar), "Sidefilen må være et JSON-objekt.")
    unknown = sorted(set(data) - set(SIDECAR_FIELDS))
    if unknown:
        # A misspelt "access" must not silently leave a restricted document public.
        raise ReaderError(str(sidecar), f"Ukjent felt «{unknown[0]}» i sidefilen (gyldige felt: {', '.join(SIDECAR_FIELDS)}).")
    for key in SIDECAR_FIELDS:
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ReaderError(str(sidecar), f"Feltet «{key}» i sidefilen må være tekst.")
    access = data.get("access")
    if access is not None and access not in ACCESS_LEVELS:
        raise ReaderError(str(sidecar), f"Ugyldig tilgangsnivå «{access}» (gyldige: {', '.join(ACCESS_LEVELS)}).")
    if data.get("date") is not None and not _iso_date(data["date"]):
        raise ReaderError(str(sidecar), f"Feltet «date» i sidefilen må være en dato på formen ÅÅÅÅ-MM-DD, ikke «{data['date']}».")
    return data


def _iso_date(value: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(_date.fromisoformat(value))
    except ValueError:
        return False


def check_sizes(group: DocumentGroup, settings: Settings) -> None:
    """Refuse over-size files before anything reads them into memory."""
    limit = settings.ingest.max_file_mb * 1024 * 1024
    sidecar_limit = settings.ingest.max_sidecar_kb * 1024
    for file in group.files:
        size = file.stat().st_size
        if size > limit:
            raise ReaderError(str(file), f"Filen er for stor ({_size(size)}; grensen er {settings.ingest.max_file_mb:g} MB).")
        sidecar = file.with_name(file.name + ".meta.json")
        if sidecar.exists() and sidecar.stat().st_size > sidecar_limit:
            raise ReaderError(str(sidecar), f"Sidefilen er for stor ({_size(sidecar.stat().st_size)}; grensen er {settings.ingest.max_sidecar_kb:g} kB).")


def _size(size: int) -> str:
    return f"{size / 1024:.1f} kB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def source_hash(group: DocumentGroup, settings: Settings) -> str:
    digest = hashlib.sha256(f"{PARSER_VERSION}|{settings.chunking.chunk_tokens}|{settings.chunking.overlap_sentences}".encode())
    for file in sorted(group.files):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
        sidecar = file.with_name(file.name + ".meta.json")
        if sidecar.exists():
            digest.update(sidecar.read_bytes())
    return digest.hexdigest()


def build_document(group: DocumentGroup, settings: Settings, count_tokens) -> tuple[ParsedDocument, list[Chunk], str]:
    """Read, parse and chunk one document (no index writes)."""
    meta = load_meta(group)
    read = read_document(group.primary)
    parsed = parse_document(read, meta, group.doc_id)
    chunks = chunk_document(parsed, settings.chunking.chunk_tokens, settings.chunking.overlap_sentences, count_tokens)
    if not chunks:
        raise ReaderError(str(group.primary), "Fant ingen tekst i dokumentet (bare tomrom, skript eller bilder?).")
    if group.pdf is not None and group.pdf != group.primary:
        try:
            assign_pages(parsed, chunks, read_document(group.pdf).pages)
        except ReaderError:
            pass  # pages are a convenience; the text rendition is already parsed
    return parsed, chunks, _plain_text(read)


def _plain_text(read: ReadDocument) -> str:
    from ingest.blocks import blocks_from_pages

    return "\n\n".join(block.display for block in blocks_from_pages(read.pages))


def chunk_sentences(chunk: Chunk) -> list[str]:
    """The quotable sentences of a chunk: its body, without the headings that open it."""
    head_lines = {chunk.metadata.get("section") or "", chunk.metadata.get("part_title") or ""}
    lines = chunk.text.split("\n")
    body = [line for index, line in enumerate(lines) if not (index < 3 and (line in head_lines or re.match(r"^(Sak|Case)\s+\d", line)))]
    return split_sentences("\n".join(body))


def ingest_paths(paths: list[Path], settings: Settings, progress: bool = True, root: Path | None = None) -> IngestSummary:
    """Ingest files and folders. With root, every path is a name supplied by someone else and must
    stay inside root (see validate_path). One bad document costs only itself: its error is
    reported and its previous version, if any, stays in the index."""
    from ingest.index_writer import IndexBusy, IndexWriter

    summary = IngestSummary()
    valid: list[Path] = []
    for path in paths:
        try:
            valid.append(validate_path(path, root))
        except InvalidPath as error:
            summary.errors.append({"path": error.path, "error": error.message})
    groups, folders, errors = discover(valid)
    summary.errors.extend(errors)
    try:
        writer = IndexWriter(settings)
    except IndexBusy as error:
        summary.errors.append({"path": str(settings.data_dir), "error": str(error)})
        return summary
    with writer:
        seen: set[str] = set()
        # Every changed document is parsed first, so progress can count the embedding work
        # (tokens the cache lacks) rather than documents; the writes below stay per document.
        planned: list[tuple[DocumentGroup, str, ParsedDocument, list[Chunk], dict[str, list[str]], str]] = []
        for group in groups:
            seen.add(group.doc_id)
            try:
                check_sizes(group, settings)
                digest = source_hash(group, settings)
                if writer.register.source_hash(group.doc_id) == digest and writer.is_complete(group.doc_id):
                    summary.skipped_unchanged += 1
                    summary.documents += 1
                    continue
                parsed, chunks, text = build_document(group, settings, writer.count_tokens)
                summary.notes.extend({"path": str(group.primary), "note": note} for note in parsed.notes)
                sentences = {chunk.chunk_id: chunk_sentences(chunk) for chunk in chunks}
            except ReaderError as error:
                summary.errors.append({"path": str(getattr(error, "path", group.primary)), "error": str(getattr(error, "message", error))})
                continue
            except OSError as error:  # vanished or unreadable between discovery and reading
                summary.errors.append({"path": str(group.primary), "error": f"Kunne ikke lese filen ({error.strerror or error})."})
                continue
            except Exception as error:  # noqa: BLE001 - a parser bug costs this document, not the run
                log.exception("parsing %s failed", group.primary)
                summary.errors.append({"path": str(group.primary), "error": f"Intern feil under tolkingen av dokumentet ({type(error).__name__}); forrige versjon er beholdt."})
                continue
            planned.append((group, digest, parsed, chunks, sentences, text))
        meter = _progress_meter(writer, planned, progress)
        for index, (group, digest, parsed, chunks, sentences, text) in enumerate(planned, 1):
            meter.document(index, group.doc_id)
            # Write failures (the index itself is broken) are not per-document: they stop the run.
            summary.embedded += writer.write_document(parsed, chunks, sentences, digest, [str(f) for f in group.files], text)
            summary.documents += 1
        meter.close()
        summary.removed = writer.remove_missing(folders, seen)
        writer.finish()
        counts = writer.register.counts()
    summary.cases, summary.chunks = counts["cases"], counts["chunks"]
    return summary


def _progress_meter(writer, planned, enabled: bool):
    """An IngestProgress over the tokens the cache lacks, fed by the writer's embedder."""
    from ingest.progress import CountingEmbedder, IngestProgress

    tokens = texts = 0
    if enabled:
        for _, _, _, chunks, sentences, _ in planned:
            missing = _uncached(writer, [c.text for c in chunks] + [s for items in sentences.values() for s in items])
            tokens += sum(writer.count_tokens(text) for text in missing)
            texts += len(missing)
    meter = IngestProgress(tokens, texts, len(planned), enabled=enabled and bool(planned), interval_s=writer.settings.ingest.progress_interval_s)
    if enabled:
        writer.embedder = CountingEmbedder(writer.embedder, meter.advance)
    return meter


def _uncached(writer, texts: list[str]) -> list[str]:
    by_hash = {content_hash(text): text for text in texts}
    cached = writer.register.cached_vectors(writer.embedder.model_id, by_hash)
    return [text for digest, text in by_hash.items() if digest not in cached]


def remove_documents(doc_ids: list[str], settings: Settings) -> int:
    """Take documents out of the index (register, vectors, BM25); their files are not touched."""
    from ingest.index_writer import IndexWriter

    removed = 0
    with IndexWriter(settings) as writer:
        for doc_id in doc_ids:
            ids = writer.register.chunk_ids(doc_id)
            if writer.register.source_hash(doc_id) is None:
                continue
            writer.register.remove_document(doc_id)
            if ids:
                writer.vectors.delete(sorted(ids))
            writer.changed = True
            removed += 1
        writer.finish()
    return removed
