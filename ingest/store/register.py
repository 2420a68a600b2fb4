"""The register: SQLite source of truth for documents, cases, chunks, sentences and the
embedding cache. Chroma and BM25 are derived from it and can always be rebuilt from it.

Schema changes are numbered migrations (PRAGMA user_version). Each document is replaced in one
transaction, so a crash leaves either the old or the new version, never half of each. WAL mode
lets queries read while an ingest writes.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ingest.models import ACCESS_LEVELS, Case, Chunk, ParsedDocument, allowed_access
from ingest.case_numbers import case_sort_key
from ingest.store import records as meeting_records

MIGRATIONS: list[str] = [
    # 1: the initial schema
    """
    CREATE TABLE documents (
        doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, renditions TEXT NOT NULL, format TEXT,
        title TEXT, doc_type TEXT, date TEXT, meeting TEXT, access TEXT NOT NULL DEFAULT 'public',
        source_hash TEXT NOT NULL, text TEXT NOT NULL, ingested_at TEXT DEFAULT CURRENT_TIMESTAMP
    );
    CREATE TABLE cases (
        doc_id TEXT NOT NULL, number TEXT NOT NULL, source TEXT NOT NULL, literal_number TEXT,
        literal_heading TEXT, title TEXT, agenda_title TEXT, paper_title TEXT, meeting TEXT, date TEXT,
        resolution_note TEXT, saksbehandler TEXT, fra TEXT, til TEXT, vedlegg TEXT, proposal TEXT,
        decision TEXT, page_start INTEGER, page_end INTEGER, sections TEXT, access TEXT NOT NULL,
        PRIMARY KEY (doc_id, number, source)
    );
    CREATE INDEX cases_number ON cases(number);
    CREATE TABLE chunks (
        chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, position INTEGER, text TEXT NOT NULL,
        metadata TEXT NOT NULL, content_hash TEXT NOT NULL
    );
    CREATE INDEX chunks_doc ON chunks(doc_id);
    CREATE TABLE sentences (
        chunk_id TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL, content_hash TEXT NOT NULL,
        PRIMARY KEY (chunk_id, idx)
    );
    CREATE TABLE embeddings (
        model_id TEXT NOT NULL, content_hash TEXT NOT NULL, vector BLOB NOT NULL,
        PRIMARY KEY (model_id, content_hash)
    );
    """,
    # treatments, votes, attendance and meeting-record links (ingest.store.records)
    meeting_records.MIGRATION,
    # chunks by case number: the Retriever reads a case's passages from the register on demand
    # instead of keeping every chunk in memory (the expression must match ChunkReader's queries).
    """
    CREATE INDEX IF NOT EXISTS chunks_case ON chunks(json_extract(metadata, '$.case'));
    """,
]


class IndexMissing(RuntimeError):
    pass


class Register:
    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.db = connection
        self.path = path

    # ---- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path) -> "Register":
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        register = cls(connection, path)
        register._migrate()
        return register

    @classmethod
    def open_readonly(cls, path: Path) -> "Register":
        if not Path(path).exists():
            raise IndexMissing(f"Indeksen finnes ikke ({path}). Kjør `radsarkiv ingest` først.")
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
        register = cls(connection, Path(path))
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version != len(MIGRATIONS):
            raise IndexMissing(f"Indeksen har skjemaversjon {version}, forventet {len(MIGRATIONS)}. Kjør `radsarkiv ingest` på nytt.")
        return register

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.db:
                self.db.executescript(script)
                self.db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self.db.close()

    # ---- documents -------------------------------------------------------------------------
    def source_hash(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT source_hash FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def documents(self, role: str | None = None) -> list[dict[str, Any]]:
        levels = allowed_access(role)
        rows = self.db.execute(
            "SELECT doc_id, path, renditions, format, title, doc_type, date, meeting, access FROM documents ORDER BY date, doc_id"
        ).fetchall()
        keys = ("doc_id", "path", "renditions", "format", "title", "doc_type", "date", "meeting", "access")
        result = [dict(zip(keys, row)) for row in rows if row[8] in levels]
        for row in result:
            row["renditions"] = json.loads(row["renditions"])
        return result

    def document(self, doc_id: str, role: str | None = None) -> dict[str, Any] | None:
        return next((d for d in self.documents(role) if d["doc_id"] == doc_id), None)

    def document_texts(self, role: str | None = None, doc_ids: Iterable[str] | None = None) -> dict[str, str]:
        """doc_id -> full text of the documents `role` may read; only those of `doc_ids` when given
        (an answer quotes a few documents and need not read the archive's text)."""
        levels = allowed_access(role)
        if doc_ids is None:
            rows = self.db.execute("SELECT doc_id, text, access FROM documents")
        else:
            wanted = list(dict.fromkeys(doc_ids))
            rows = [row for start in range(0, len(wanted), 500) for row in self.db.execute(
                f"SELECT doc_id, text, access FROM documents WHERE doc_id IN ({','.join('?' * len(wanted[start:start + 500]))})", wanted[start:start + 500])]
        return {doc_id: text for doc_id, text, access in rows if access in levels}

    def chunk_ids(self, doc_id: str) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))}

    def all_chunk_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT chunk_id FROM chunks")}

    def replace_document(self, document: ParsedDocument, chunks: list[Chunk], sentences: dict[str, list[str]], source_hash: str, renditions: list[str], text: str) -> None:
        """Swap in a document's new version atomically."""
        from ingest.chunking import content_hash

        with self.db:
            self._delete_rows(document.doc_id)
            self.db.execute(
                "INSERT INTO documents (doc_id, path, renditions, format, title, doc_type, date, meeting, access, source_hash, text) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (document.doc_id, document.path, json.dumps(renditions), document.format, document.title, document.doc_type, document.date, document.meeting, document.access, source_hash, text),
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [_case_row(document, case) for case in document.cases],
            )
            self.db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?)",
                [(c.chunk_id, c.doc_id, c.position, c.text, json.dumps(c.metadata, ensure_ascii=False), c.metadata["content_hash"]) for c in chunks],
            )
            self.db.executemany(
                "INSERT INTO sentences VALUES (?,?,?,?)",
                [(chunk_id, index, sentence, content_hash(sentence)) for chunk_id, items in sentences.items() for index, sentence in enumerate(items)],
            )
            meeting_records.store_records(self.db, document)

    def remove_document(self, doc_id: str) -> None:
        with self.db:
            self._delete_rows(doc_id)

    def _delete_rows(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM sentences WHERE chunk_id IN (SELECT chunk_id FROM chunks WHERE doc_id = ?)", (doc_id,))
        self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM cases WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        meeting_records.delete_records(self.db, doc_id)

    # ---- chunks and sentences ------------------------------------------------------------------
    def chunks(self) -> list[tuple[str, str, dict[str, Any]]]:
        rows = self.db.execute("SELECT chunk_id, text, metadata FROM chunks ORDER BY doc_id, position")
        return [(chunk_id, text, json.loads(metadata)) for chunk_id, text, metadata in rows]

    def sentences(self) -> list[tuple[str, int, str, str]]:
        return list(self.db.execute("SELECT chunk_id, idx, text, content_hash FROM sentences ORDER BY chunk_id, idx"))

    def counts(self) -> dict[str, int]:
        return {
            "documents": self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
            "cases": self.db.execute("SELECT COUNT(DISTINCT number) FROM cases").fetchone()[0],
            "chunks": self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0],
        }

    # ---- embedding cache -----------------------------------------------------------------------
    def cached_vectors(self, model_id: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            marks = ",".join("?" * len(batch))
            for digest, blob in self.db.execute(
                f"SELECT content_hash, vector FROM embeddings WHERE model_id = ? AND content_hash IN ({marks})", (model_id, *batch)
            ):
                found[digest] = np.frombuffer(blob, dtype=np.float32)
        return found

    def store_vectors(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?,?,?)",
                [(model_id, digest, np.asarray(vector, dtype=np.float32).tobytes()) for digest, vector in vectors.items()],
            )

    # ---- cases -----------------------------------------------------------------------------------
    def case_records(self) -> list[dict[str, Any]]:
        """Every document's own record of every case, at every access level: the raw parts that
        merge_cases joins for one role. Readers that serve several roles keep these and merge per
        caller, never one merged record for all."""
        keys = [d[0] for d in self.db.execute("SELECT * FROM cases LIMIT 0").description]
        return [dict(zip(keys, row)) for row in self.db.execute("SELECT * FROM cases ORDER BY doc_id, number, source")]

    def list_cases(self, role: str | None = None) -> list[dict[str, Any]]:
        """One record per case, merged across the documents the role may read: council cases by
        number (merge_cases), then municipal cases, which ingest.store.records joins across papers
        and protocols by their links and texts."""
        return merge_cases(self.case_records(), role) + self.municipal_cases(role)

    def municipal_cases(self, role: str | None = None) -> list[dict[str, Any]]:
        return sorted(meeting_records.municipal_cases(self.db, role, self.path), key=lambda c: (c["date"] or "", c["number"]))

    # ---- meeting records (treatments, votes, attendance) -----------------------------------------
    def attendance(self, role: str | None = None) -> list[dict[str, Any]]:
        return meeting_records.attendance(self.db, role)

    def treatments(self, role: str | None = None) -> list[dict[str, Any]]:
        return meeting_records.treatments(self.db, role)

    def get_case(self, number: str, role: str | None = None) -> dict[str, Any] | None:
        """One case as `role` may see it, merged from its own records only (CaseView reads by
        key): the cost of a lookup must not grow with the register."""
        from ingest.store.case_view import CaseView

        return CaseView(self.path, role).get(number)

    def council_numbers(self, number: int, year: int, role: str | None = None) -> list[str]:
        """The council case numbers `role` may see that are case `number` of `year` in any meeting
        ("1/M/2017" for "Sak 01/17"), read by pattern from the register, not by merging it."""
        levels = allowed_access(role)
        marks = ",".join("?" * len(levels))
        rows = self.db.execute(f"SELECT DISTINCT number FROM cases WHERE number LIKE ? AND access IN ({marks})",
                               (f"{number}/%/{year}", *levels))
        return sorted(n for (n,) in rows if meeting_records.is_council_number(n))


def merge_cases(records: list[dict[str, Any]], role: str | None) -> list[dict[str, Any]]:
    """The case register as `role` may see it: records from documents above the role's access
    level are dropped before merging, so no part of a merged case (title, proposal, decision,
    sections, pages) comes from a document the role cannot read."""
    levels = allowed_access(role)
    visible: dict[str, list[dict[str, Any]]] = {}
    decided_above: set[str] = set()
    for record in records:
        if not meeting_records.is_council_number(record["number"]):
            continue  # municipal cases are joined across documents by ingest.store.records
        if record["access"] in levels:
            visible.setdefault(record["number"], []).append(record)
        elif record["source"] == "referat" and record["decision"]:
            decided_above.add(record["number"])
    merged = []
    for number, rows in visible.items():
        # The most open record leads (title, meeting, pages), so a case reads the same to every
        # role as far as each may see it; stricter records add what they alone hold.
        case = _merge_case(sorted(rows, key=lambda r: ACCESS_LEVELS.index(r["access"])))
        # The caller may know a decision exists without reading it: "not visible to you" is
        # true, "the archive has no decision" would not be.
        case["decision_restricted"] = case["decision"] is None and number in decided_above
        merged.append(case)
    return sorted(merged, key=_case_sort_key)


def _case_row(document: ParsedDocument, case: Case) -> tuple:
    sections = [asdict(section) for section in case.sections]
    return (
        document.doc_id, case.number, case.source, case.literal_number, case.literal_heading, case.title,
        case.agenda_title, case.paper_title, case.meeting, case.date, case.resolution_note, case.saksbehandler,
        case.fra, case.til, json.dumps(case.vedlegg, ensure_ascii=False), case.proposal, case.decision,
        case.page_start, case.page_end, json.dumps(sections, ensure_ascii=False), document.access,
    )


def _merge_case(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Paper gives title and proposal; minutes give the decision; literal numbers are all kept."""
    papers = [r for r in records if r["source"] == "saksfremlegg"]
    minutes = [r for r in records if r["source"] == "referat"]
    primary = (papers or minutes)[0]
    proposal_from = next((r for r in papers if r["proposal"]), None)
    decision_from = next((r for r in minutes if r["decision"]), None)
    literal = [r["literal_number"] for r in records]
    notes = [r["resolution_note"] for r in records if r["resolution_note"]]
    flagged = [r for r in records if r["resolution_note"]]
    return {
        "number": primary["number"],
        "literal_number": (flagged[0] if flagged else primary)["literal_number"],
        "title": primary["title"],
        "meeting": primary["meeting"],
        "date": primary["date"] or next((r["date"] for r in records if r["date"]), None),
        "proposal": proposal_from["proposal"] if proposal_from else None,
        "decision": decision_from["decision"] if decision_from else None,
        "document": primary["doc_id"],
        "agenda_title": primary["agenda_title"],
        "paper_title": primary["paper_title"],
        "flagged": bool(notes),
        "resolution_note": notes[0] if notes else None,
        "literal_numbers": sorted(set(literal)),
        "literal_heading": primary["literal_heading"],
        "saksbehandler": primary["saksbehandler"],
        "fra": primary["fra"],
        "vedlegg": json.loads(primary["vedlegg"] or "[]"),
        "page_start": primary["page_start"],
        "page_end": primary["page_end"],
        "sources": [{"document": r["doc_id"], "source": r["source"], "access": r["access"], "page_start": r["page_start"]} for r in records],
        # Where each part of the record was read: a quote of it is cited to that document and page.
        "provenance": {
            "title": _origin(primary, None),
            "proposal": _origin(proposal_from, "forslag"),
            "decision": _origin(decision_from, "vedtak"),
        },
        "sections": [{**s, "document": r["doc_id"], "access": r["access"]} for r in records for s in json.loads(r["sections"] or "[]")],
        "access": primary["access"],
    }


def _origin(record: dict[str, Any] | None, kind: str | None) -> dict[str, Any] | None:
    """The document, access level and page a part of a case record comes from (the page of its
    own section where the document has pages)."""
    if record is None:
        return None
    sections = json.loads(record["sections"] or "[]")
    page = next((s.get("page_start") for s in sections if kind and s.get("kind") == kind and s.get("page_start") is not None), None)
    return {"document": record["doc_id"], "source": record["source"], "access": record["access"], "page": page if page is not None else record["page_start"]}


def _case_sort_key(case: dict[str, Any]) -> tuple:
    return case_sort_key(case["number"])
