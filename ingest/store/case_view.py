"""The case register as one role sees it, read from the register by key instead of held in memory.

`merge_cases` joins each document's record of a case (paper, minutes) into one case, keeping only
the records the role may read. Merging the whole register per role kept every record and every
merged case in Python: about 0.75 GiB per role at 1M synthetic chunks (136k cases), rebuilt on the
first ask of each role. A `CaseView` instead
- reads one case's records by number (the cases_number index) and merges them when asked
  (`view[number]`, `number in view`), keeping the last few in a small cache;
- keeps only a listing of every case it may show: number, title, meeting and date, in the order
  the merged register had (council cases by case number, then municipal cases), read in one pass
  over the register's light columns (`listing()`); code that walks every case walks this;
- streams the merged title and decision (or proposal) text of every case once, for callers that
  build their own index over them (`texts()`), without holding them.

Municipal cases are joined across papers and protocols by ingest.store.records (kept per register
version there); a view asks for them only when the register holds any.
"""
from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ingest.case_numbers import case_sort_key
from ingest.models import ACCESS_LEVELS, allowed_access
from ingest.store import records as meeting_records

__all__ = ["CaseView"]

# Merged cases kept per view: the cases one conversation's asks look up (a question's named cases,
# the cases of its top passages, a meeting's agenda), not a copy of the register.
CACHE_SIZE = 2048
_BATCH = 400  # SQLite host parameters per query (the default limit is 999)
_LIGHT = ("doc_id", "number", "source", "title", "meeting", "date", "access")


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    db.create_function("is_council_number", 1, meeting_records.is_council_number, deterministic=True)
    return db


class CaseView(Mapping):
    """Case number → the case merged from the documents `role` may read (see merge_cases)."""

    def __init__(self, path: Path, role: str | None):
        self.path = Path(path)
        self.role = role
        self.levels = allowed_access(role)
        self._db = _connect(self.path)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, dict[str, Any] | None] = OrderedDict()
        self._listing: list[dict[str, Any]] | None = None
        self._municipal: dict[str, dict[str, Any]] | None = None

    # ---- by key ------------------------------------------------------------------------------------
    def __getitem__(self, number: str) -> dict[str, Any]:
        if not isinstance(number, str):
            raise KeyError(number)
        with self._lock:
            if number in self._cache:
                self._cache.move_to_end(number)
                case = self._cache[number]
            else:
                case = self._read(number)
                self._cache[number] = case
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        if case is None:
            raise KeyError(number)
        return case

    def _read(self, number: str) -> dict[str, Any] | None:
        from ingest.store.register import merge_cases

        if not meeting_records.is_council_number(number):
            return self._municipal_cases().get(number)
        cursor = self._db.execute("SELECT * FROM cases WHERE number = ? ORDER BY doc_id, number, source", (number,))
        keys = [d[0] for d in cursor.description]
        merged = merge_cases([dict(zip(keys, row)) for row in cursor], self.role)
        return merged[0] if merged else None

    def _municipal_cases(self) -> dict[str, dict[str, Any]]:
        if self._municipal is None:
            municipal = self._db.execute("SELECT 1 FROM cases WHERE NOT is_council_number(number) LIMIT 1").fetchone()
            cases = meeting_records.municipal_cases(self._db, self.role, self.path) if municipal else []
            self._municipal = {c["number"]: c for c in cases}
        return self._municipal

    # ---- every case --------------------------------------------------------------------------------
    def listing(self) -> list[dict[str, Any]]:
        """Every case the role may see, as {number, title, meeting, date}, in the merged register's
        order. Title, meeting and date are the merged case's (its most open paper leads, see
        register._merge_case), read from the register's light columns only."""
        with self._lock:
            if self._listing is None:
                self._listing = self._read_listing()
            return self._listing

    def _read_listing(self) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(self.levels))
        groups: dict[str, list[tuple]] = {}
        query = (f"SELECT {', '.join(_LIGHT)} FROM cases WHERE access IN ({marks}) AND is_council_number(number) "
                 "ORDER BY doc_id, number, source")
        for row in self._db.execute(query, self.levels):
            groups.setdefault(row[1], []).append(row)
        listing = []
        for number in sorted(groups, key=case_sort_key):
            primary, date = _primary(groups[number])
            listing.append({"number": number, "title": primary[3], "meeting": primary[4], "date": date})
        for case in self._municipal_cases().values():
            listing.append({"number": case["number"], "title": case.get("title"), "meeting": case.get("meeting"), "date": case.get("date")})
        return listing

    def texts(self) -> Iterator[tuple[int, str, str, str | None]]:
        """(position in listing(), number, merged title, merged decision or else proposal) for every
        case, streamed one case at a time in case-number order: for building an index over them
        once, not for holding them. Picked from the records as register._merge_case picks them."""
        position = {entry["number"]: i for i, entry in enumerate(self.listing())}
        marks = ",".join("?" * len(self.levels))
        query = (f"SELECT {', '.join(_LIGHT)}, decision, proposal FROM cases WHERE access IN ({marks}) "
                 "AND is_council_number(number) ORDER BY number, doc_id, source")
        group: list[tuple] = []
        for row in self._db.execute(query, self.levels):
            if group and row[1] != group[0][1]:
                yield _texts(group, position)
                group = []
            group.append(row)
        if group:
            yield _texts(group, position)
        for number, case in self._municipal_cases().items():
            yield position[number], number, case.get("title") or "", case.get("decision") or case.get("proposal")

    def _merged_many(self, numbers: list[str]) -> dict[str, dict[str, Any]]:
        from ingest.store.register import merge_cases

        if not numbers:
            return {}
        marks = ",".join("?" * len(numbers))
        cursor = self._db.execute(f"SELECT * FROM cases WHERE number IN ({marks}) ORDER BY doc_id, number, source", numbers)
        keys = [d[0] for d in cursor.description]
        return {c["number"]: c for c in merge_cases([dict(zip(keys, row)) for row in cursor], self.role)}

    def __iter__(self) -> Iterator[str]:
        return (entry["number"] for entry in self.listing())

    def __len__(self) -> int:
        return len(self.listing())

    def values(self):
        """Every merged case, read in batches (a walk over the whole register: for tools and tests;
        per-question code walks listing())."""
        listing = self.listing()
        for start in range(0, len(listing), _BATCH):
            batch = [c["number"] for c in listing[start : start + _BATCH]]
            merged = self._merged_many([n for n in batch if meeting_records.is_council_number(n)])
            for number in batch:
                case = merged.get(number) or self._municipal_cases().get(number)
                if case is not None:
                    yield case

    def items(self):
        return ((case["number"], case) for case in self.values())

    def close(self) -> None:
        self._db.close()


def _primary(rows: list[tuple]) -> tuple[tuple, str | None]:
    """The record that leads a merged case and the case's date, as register._merge_case picks them:
    records by access level (most open first, stable), the first paper, else the first minutes."""
    ordered = sorted(rows, key=lambda r: ACCESS_LEVELS.index(r[6]))
    papers = [r for r in ordered if r[2] == "saksfremlegg"]
    minutes = [r for r in ordered if r[2] == "referat"]
    primary = (papers or minutes or ordered)[0]
    return primary, primary[5] or next((r[5] for r in ordered if r[5]), None)


def _texts(rows: list[tuple], position: dict[str, int]) -> tuple[int, str, str, str | None]:
    """One case's (position, number, title, decision or else proposal), as _merge_case merges them:
    the decision of the first minutes that record one, else the proposal of the first paper."""
    primary, _ = _primary(rows)
    ordered = sorted(rows, key=lambda r: ACCESS_LEVELS.index(r[6]))
    decision = next((r[7] for r in ordered if r[2] == "referat" and r[7]), None)
    proposal = next((r[8] for r in ordered if r[2] == "saksfremlegg" and r[8]), None)
    number = primary[1]
    return position[number], number, primary[3] or "", decision or proposal
