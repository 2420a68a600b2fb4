"""Meeting records in the register: treatments, votes and attendance, and the municipal case
register built from them.

Every row keeps its document id and that document's access level, so a role sees only the
treatments, votes and attendance of documents it may read. A municipal case is assembled when
it is read: its case paper and the protocols of each body that treated it are joined through the
links a meeting record gives (this treatment's protocol, the earlier treatments, the case paper)
and through the proposal text a protocol votes on, which repeats the paper's proposal.
"""
from __future__ import annotations

import copy
import difflib
import json
import re
import sqlite3
from typing import Any

from ingest.models import ParsedDocument, allowed_access
from ingest.numbering import CaseId, find_case_ids, normalize_body

MIGRATION = """
CREATE TABLE IF NOT EXISTS treatments (
    doc_id TEXT NOT NULL, access TEXT NOT NULL, position INTEGER NOT NULL, case_key TEXT NOT NULL,
    body TEXT, series TEXT, number INTEGER, year INTEGER, meeting INTEGER, literal TEXT, title TEXT, date TEXT,
    heading TEXT, decision TEXT, decision_heading TEXT, discussion TEXT, proposals TEXT NOT NULL,
    PRIMARY KEY (doc_id, position)
);
CREATE TABLE IF NOT EXISTS votes (
    doc_id TEXT NOT NULL, access TEXT NOT NULL, treatment INTEGER NOT NULL, idx INTEGER NOT NULL,
    saksnr TEXT, type TEXT, proposer TEXT, party TEXT, text TEXT, unanimous INTEGER, count_for INTEGER,
    count_against INTEGER, result TEXT, record TEXT NOT NULL,
    PRIMARY KEY (doc_id, treatment, idx)
);
CREATE TABLE IF NOT EXISTS attendance (
    doc_id TEXT NOT NULL, access TEXT NOT NULL, idx INTEGER NOT NULL, meeting TEXT, body TEXT, date TEXT,
    name TEXT NOT NULL, role TEXT NOT NULL, function TEXT, representation TEXT, substitute_for TEXT,
    from_case TEXT, to_case TEXT, note TEXT,
    PRIMARY KEY (doc_id, idx)
);
CREATE TABLE IF NOT EXISTS meeting_links (
    doc_id TEXT NOT NULL, access TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx)
);
CREATE INDEX IF NOT EXISTS treatments_number ON treatments(number, year);
CREATE INDEX IF NOT EXISTS attendance_name ON attendance(name);
-- Documents ingested before these tables existed have no records: the next ingest re-parses
-- them (their embeddings are cached by content hash, so nothing is embedded again).
UPDATE documents SET source_hash = 'reparse:meeting-records';
"""
_TABLES = ("treatments", "votes", "attendance", "meeting_links")
# Above this similarity a protocol's proposal or decision is the case paper's proposal; below it
# only when the protocol's body is one the paper names in its "Saksgang". Chosen by reading the
# Kommunelys pairs: true pairs score ≥ 0.72 on their own text, unrelated papers ≤ 0.67; not fitted.
_SAME_TEXT = 0.8
_SAME_TEXT_WITH_BODY = 0.6
# A year of four digits or more: the bench's scaled archive (evals/bench/scaled_index.py) moves
# each copy's years on, past 9999 at 1M chunks, and its cases are council cases all the same.
_COUNCIL_NUMBER = re.compile(r"^\d{1,3}/\d{1,2}/\d{4,}$")


def is_council_number(number: str) -> bool:
    """"19/2/2026" (a council's case register); municipal cases carry a body and series."""
    return bool(_COUNCIL_NUMBER.match(number))


def store_records(db: sqlite3.Connection, document: ParsedDocument) -> None:
    access = document.access
    for treatment in document.treatments:
        db.execute(
            "INSERT OR REPLACE INTO treatments VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (document.doc_id, access, treatment["position"], treatment["case_key"], treatment["body"], treatment["series"],
             treatment["number"], treatment["year"], treatment["meeting"], treatment["literal"], treatment["title"],
             treatment["date"], treatment["heading"], treatment["decision"], treatment["decision_heading"],
             treatment["discussion"], json.dumps(treatment["proposals"], ensure_ascii=False)),
        )
        for index, vote in enumerate(treatment["votes"]):
            db.execute(
                "INSERT OR REPLACE INTO votes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (document.doc_id, access, treatment["position"], index, vote["saksnr"], vote["type"], vote["forslagsstiller"],
                 vote["parti"], vote["tekst"], int(vote["enstemmig"]), vote["antall_for"], vote["antall_mot"], vote["resultat"],
                 json.dumps(vote, ensure_ascii=False)),
            )
    for index, person in enumerate(document.attendance):
        db.execute(
            "INSERT OR REPLACE INTO attendance VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (document.doc_id, access, index, person.get("meeting"), person.get("body"), person.get("date"), person["name"],
             person["role"], person.get("function"), person.get("representation"), person.get("substitute_for"),
             person.get("from_case"), person.get("to_case"), person.get("note")),
        )
    for index, link in enumerate(document.links):
        db.execute("INSERT OR REPLACE INTO meeting_links VALUES (?,?,?,?)", (document.doc_id, access, index, json.dumps(link, ensure_ascii=False)))


def delete_records(db: sqlite3.Connection, doc_id: str) -> None:
    for table in _TABLES:
        db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))


def _rows(db: sqlite3.Connection, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, row)) for row in cursor]


def attendance(db: sqlite3.Connection, role: str | None = None) -> list[dict[str, Any]]:
    levels = allowed_access(role)
    return [r for r in _rows(db, "SELECT * FROM attendance ORDER BY doc_id, idx") if r["access"] in levels]


def treatments(db: sqlite3.Connection, role: str | None = None) -> list[dict[str, Any]]:
    levels = allowed_access(role)
    result = []
    votes: dict[tuple[str, int], list[dict]] = {}
    for row in _rows(db, "SELECT doc_id, access, treatment, record FROM votes ORDER BY doc_id, treatment, idx"):
        if row["access"] in levels:
            votes.setdefault((row["doc_id"], row["treatment"]), []).append(json.loads(row["record"]))
    for row in _rows(db, "SELECT * FROM treatments ORDER BY date, doc_id, position"):
        if row["access"] not in levels:
            continue
        row["proposals"] = json.loads(row["proposals"])
        row["votes"] = votes.get((row["doc_id"], row["position"]), [])
        result.append(row)
    return result


def _last_component(doc_id: str) -> str:
    return doc_id.rsplit("/", 1)[-1]


_CACHE: dict[tuple, list[dict[str, Any]]] = {}


def municipal_cases(db: sqlite3.Connection, role: str | None = None, path=None) -> list[dict[str, Any]]:
    """One record per municipal case: its paper, and every body's treatment in date order.

    Joining compares texts, so the result is kept per register file version and role when the
    register's path is given (an ingest changes the file's or its WAL's modification time).
    """
    key = None
    if path is not None:
        from pathlib import Path

        files = [Path(path), Path(str(path) + "-wal")]
        key = (str(path), tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in files), role)
        if key in _CACHE:
            return copy.deepcopy(_CACHE[key])
    result = _municipal_cases(db, role)
    if key is not None:
        if len(_CACHE) >= 8:
            _CACHE.clear()  # a few roles of the current version; older versions are never asked for again
        _CACHE[key] = copy.deepcopy(result)
    return result


def _municipal_cases(db: sqlite3.Connection, role: str | None) -> list[dict[str, Any]]:
    levels = allowed_access(role)
    # Only the role's municipal records leave SQLite: the council cases (nearly all of a council's
    # register) are not read into Python here.
    db.create_function("is_council_number", 1, is_council_number, deterministic=True)
    marks = ",".join("?" * len(levels))
    cursor = db.execute(f"SELECT * FROM cases WHERE access IN ({marks}) AND NOT is_council_number(number)", levels)
    keys = [d[0] for d in cursor.description]
    rows = [dict(zip(keys, row)) for row in cursor]
    if not rows:
        return []
    by_treatment = {(t["doc_id"], t["case_key"]): t for t in treatments(db, role)}
    nodes = {(r["doc_id"], r["number"]): r for r in rows}
    parent = {node: node for node in nodes}

    def find(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(a, b):
        parent[find(a)] = find(b)

    by_id: dict[str, list] = {}
    for node in nodes:
        by_id.setdefault(_last_component(node[0]), []).append(node)
    series_of: dict[tuple, str] = {}
    titles: dict[tuple, str] = {}
    for link in _rows(db, "SELECT * FROM meeting_links"):
        if link["access"] not in levels:
            continue
        data = json.loads(link["data"])
        ids = [data.get("protocol_id")] + [e.get("protocol_id") for e in data.get("earlier", [])] + list(data.get("papers", []))
        linked = [node for i in ids if i for node in by_id.get(str(i), [])]
        for node in linked[1:]:
            union(linked[0], node)
        for node in by_id.get(str(data.get("protocol_id")), []):
            series_of[node] = data.get("series") or ""
            titles[node] = data.get("title") or ""
        for earlier in data.get("earlier", []):
            for node in by_id.get(str(earlier.get("protocol_id")), []):
                series_of[node] = earlier.get("series") or ""
    papers = [node for node, r in nodes.items() if r["source"] == "saksfremlegg"]
    for node, record in nodes.items():
        if record["source"] == "saksfremlegg":
            continue
        treatment = by_treatment.get(node)
        texts = [p["text"] for p in (treatment or {}).get("proposals", []) if p.get("text")] + [record["decision"] or ""]
        best, score = None, 0.0
        for paper in papers:
            ratio = _similarity(texts, nodes[paper]["proposal"] or "")
            bodies = {normalize_body(b) for b in (nodes[paper]["til"] or "").split(", ")}
            same_body = normalize_body((treatment or {}).get("body")) in bodies
            if (ratio >= _SAME_TEXT or (same_body and ratio >= _SAME_TEXT_WITH_BODY)) and ratio > score:
                best, score = paper, ratio
        if best:
            union(node, best)
    groups: dict[tuple, list] = {}
    for node in nodes:
        groups.setdefault(find(node), []).append(node)
    return [_merged(members, nodes, by_treatment, series_of, titles) for members in groups.values()]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\wæøå ]", " ", text.lower()).split())[:1500]


def _similarity(texts: list[str], proposal: str, floor: float = _SAME_TEXT_WITH_BODY) -> float:
    """The best difflib ratio of any text against the proposal; pairs whose words or character
    counts cannot reach `floor` are skipped before the (quadratic) comparison."""
    if not proposal:
        return 0.0
    target = _norm(proposal)
    target_words = set(target.split())
    best = 0.0
    for text in texts:
        if not text:
            continue
        candidate = _norm(text)
        words = set(candidate.split())
        # A cheap filter before the quadratic comparison: texts this similar share most words.
        if len(words & target_words) / max(1, len(words | target_words)) < floor / 2:
            continue
        matcher = difflib.SequenceMatcher(None, candidate, target, autojunk=False)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        best = max(best, matcher.ratio())
    return best


def _identity(treatment: dict[str, Any], series: str | None) -> str:
    code = series if series and series != "SAK" else (treatment["series"] if treatment["series"] != "SAK" else "")
    number = f"{code} {treatment['number']}/{treatment['year']}".strip()
    return f"{number} ({treatment['body']})" if treatment["body"] else (number if code else f"sak {number}")


def _merged(members: list, nodes: dict, by_treatment: dict, series_of: dict, titles: dict) -> dict[str, Any]:
    records = [nodes[m] for m in members]
    paper = next((r for r in records if r["source"] == "saksfremlegg"), None)
    steps = []
    for member in members:
        treatment = by_treatment.get(member)
        if treatment is None:
            continue
        steps.append({
            "case": _identity(treatment, series_of.get(member)), "body": treatment["body"], "date": treatment["date"],
            "document": treatment["doc_id"], "literal": treatment["literal"], "heading": treatment["heading"],
            "proposals": treatment["proposals"], "votes": treatment["votes"], "decision": treatment["decision"],
            "decision_heading": treatment["decision_heading"], "access": treatment["access"],
        })
    steps.sort(key=lambda s: (s["date"] or "", s["case"]))
    latest = steps[-1] if steps else None
    title = (paper or {}).get("title") or next((titles[m] for m in members if titles.get(m)), None) or next((r["title"] for r in records if r["title"]), "")
    number = latest["case"] if latest else records[0]["number"]
    decision = next((s["decision"] for s in reversed(steps) if s["decision"]), None)
    primary = paper or nodes[members[0]]
    return {
        "number": number, "literal_number": latest["literal"] if latest else primary["literal_number"], "title": title,
        "meeting": None, "date": latest["date"] if latest else primary["date"],
        "proposal": (paper or {}).get("proposal") or next((r["proposal"] for r in records if r["proposal"]), None),
        "decision": decision, "document": primary["doc_id"], "agenda_title": None, "paper_title": (paper or {}).get("paper_title"),
        "flagged": False, "resolution_note": None, "literal_numbers": sorted({r["literal_number"] for r in records if r["literal_number"]}),
        "literal_heading": primary["literal_heading"], "saksbehandler": primary["saksbehandler"], "fra": primary["fra"],
        "vedlegg": json.loads(primary["vedlegg"] or "[]"), "page_start": primary["page_start"], "page_end": primary["page_end"],
        "sources": [{"document": r["doc_id"], "source": r["source"], "page_start": r["page_start"]} for r in records],
        "sections": [s for r in records for s in json.loads(r["sections"] or "[]")], "access": primary["access"],
        "aliases": sorted({s["case"] for s in steps} | {r["number"] for r in records}),
        "treatments": steps, "municipal": True,
    }


def find_municipal_case(cases: list[dict[str, Any]], text: str | list[CaseId] | tuple[CaseId, ...]) -> dict[str, Any] | None:
    """The municipal case a question names: "PS 6/26", "sak 10/2026 i formannskapet", "KS 1/2026".
    `text` may be the case numbers already read from it (the assistant reads its questions once)."""
    for wanted in (find_case_ids(text) if isinstance(text, str) else text):
        matches = [case for case in cases if any(_step_matches(step, wanted) for step in case.get("treatments", []))]
        if len(matches) == 1:
            return matches[0]
        if matches and wanted.body:
            return matches[0]
        if matches:
            # Same number in several bodies and no body named: the most recent treatment decides.
            return max(matches, key=lambda c: c.get("date") or "")
    return None


def _step_matches(step: dict[str, Any], wanted: CaseId) -> bool:
    printed = step["case"].split(" (")[0]
    found = find_case_ids(printed if not printed[:1].isdigit() else f"sak {printed}")
    if not found:
        return False
    have = found[0].with_body(step.get("body"))
    if wanted.body and not _body_matches(wanted.body, step.get("body")):
        return False
    return have.number == wanted.number and have.year == wanted.year and ("SAK" in (have.series, wanted.series) or have.series == wanted.series or _code_matches(wanted.series, step.get("body")))


_BODY_CODES = {"KS": "kommunestyre", "FS": "formannskap"}


def _code_matches(series: str, body: str | None) -> bool:
    """"KS 49/25" names the kommunestyre's case 49/2025; "FS" the formannskap's."""
    return _BODY_CODES.get(series) == normalize_body(body)


def _body_matches(wanted: str, body: str | None) -> bool:
    a, b = normalize_body(wanted), normalize_body(body)
    return bool(a and b and (a == b or a in b or b in a))
