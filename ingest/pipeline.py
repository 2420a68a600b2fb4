"""ingest(paths) → summary. Incremental and atomic per document.

For each document: read → parse council structure → chunk → embed what the cache lacks →
write vectors, then swap the register rows in one transaction, then drop the old vectors.
A document whose files are unchanged is skipped; one that fails to read is reported and its
previous version stays in the index. BM25 is rebuilt from the register at the end.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.chunking import chunk_document, content_hash
from ingest.models import ACCESS_LEVELS, Chunk, DocumentMeta, ParsedDocument, ReadDocument
from ingest.pages import assign_pages
from ingest.readers import SUPPORTED_SUFFIXES, ReaderError, read_document
from ingest.sentences import split_sentences
from ingest.settings import Settings
from ingest.structure import parse_document

PARSER_VERSION = "1"  # bump when parsing or chunking changes, so unchanged files are re-parsed
# Several renditions of one document: the most structured one is parsed, a PDF gives pages.
RENDITION_PREFERENCE = ["md", "markdown", "txt", "docx", "html", "htm", "pdf"]
SKIPPED_NAMES = re.compile(r"^(readme|license|changelog)(\.[a-z]+)?$", re.IGNORECASE)


@dataclass
class IngestSummary:
    documents: int = 0
    cases: int = 0
    chunks: int = 0
    embedded: int = 0
    skipped_unchanged: int = 0
    removed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents, "cases": self.cases, "chunks": self.chunks, "embedded": self.embedded,
            "skipped_unchanged": self.skipped_unchanged, "removed": self.removed, "errors": self.errors,
        }

    def print(self, console) -> None:
        console.print(
            f"[bold]Ferdig:[/bold] {self.documents} dokumenter, {self.cases} saker, {self.chunks} tekstbiter; "
            f"{self.embedded} nye innbygginger, {self.skipped_unchanged} uendret, {self.removed} fjernet."
        )
        for error in self.errors:
            console.print(f"[red]Feil[/red] {error['path']}: {error['error']}")


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
            files = sorted(p for p in path.rglob("*") if p.is_file() and _is_candidate(p))
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


def _is_candidate(path: Path) -> bool:
    if any(part.startswith(".") for part in path.parts) or SKIPPED_NAMES.match(path.name):
        return False
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
    """Merge the sidecars of a document's renditions (primary rendition wins)."""
    values: dict[str, Any] = {}
    for file in sorted(group.files, key=lambda p: p != group.primary, reverse=True):
        sidecar = file.with_name(file.name + ".meta.json")
        if sidecar.exists():
            try:
                data = json.loads(sidecar.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise ReaderError(str(sidecar), f"Sidefilen er ikke gyldig JSON: {error}") from error
            if not isinstance(data, dict):
                raise ReaderError(str(sidecar), "Sidefilen må være et JSON-objekt.")
            values.update({k: v for k, v in data.items() if v is not None})
    access = values.get("access", "public")
    if access not in ACCESS_LEVELS:
        raise ReaderError(str(group.primary), f"Ugyldig tilgangsnivå «{access}» (gyldige: {', '.join(ACCESS_LEVELS)}).")
    return DocumentMeta(title=values.get("title"), date=values.get("date"), doc_type=values.get("doc_type"), access=access)


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


def ingest_paths(paths: list[Path], settings: Settings, progress: bool = True) -> IngestSummary:
    from ingest.index_writer import IndexWriter

    summary = IngestSummary()
    groups, folders, errors = discover(paths)
    summary.errors.extend(errors)
    with IndexWriter(settings) as writer:
        seen: set[str] = set()
        for group in writer.progress(groups, enabled=progress):
            seen.add(group.doc_id)
            try:
                digest = source_hash(group, settings)
                if writer.register.source_hash(group.doc_id) == digest and writer.is_complete(group.doc_id):
                    summary.skipped_unchanged += 1
                else:
                    parsed, chunks, text = build_document(group, settings, writer.count_tokens)
                    sentences = {chunk.chunk_id: chunk_sentences(chunk) for chunk in chunks}
                    summary.embedded += writer.write_document(parsed, chunks, sentences, digest, [str(f) for f in group.files], text)
            except ReaderError as error:
                summary.errors.append({"path": str(getattr(error, "path", group.primary)), "error": str(getattr(error, "message", error))})
                continue
            summary.documents += 1
        summary.removed = writer.remove_missing(folders, seen)
        writer.finish()
        counts = writer.register.counts()
    summary.cases, summary.chunks = counts["cases"], counts["chunks"]
    return summary


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
