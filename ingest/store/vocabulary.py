"""The archive's vocabulary per access level, on disk: what the answerer's term statistics read.

The answerer needs, for the passages a caller may read, how many passages use each analysed term
(IDF, rare names), which real words occur (a question word the archive never uses is a reason to
refuse; prefixes, compounds and spelling variants of words count as known) and which meetings the
text mentions. Counting these over every chunk in the query process cost memory and start-up time
in proportion to the archive. They are written once, beside the lexical store and by the same pass
over the register (`LexicalStore.build`), to `vocabulary.sqlite`; a query reads the few rows its
question needs through primary-key and range lookups, so its cost grows with the vocabulary's
depth (a B-tree), not with the number of chunks.

Every row carries the access code of the chunks it came from (the lexical store's `access_codes`),
so a caller's view counts only the levels it may read: what a member is told never depends on
words only restricted documents use.
"""
from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from ingest.case_numbers import find_meeting_references

__all__ = ["VocabularyBuilder", "Vocabulary", "VocabularyView", "WordSet", "Frequencies", "NoVocabulary", "within_edits", "WORD", "FILE_NAME"]

FILE_NAME = "vocabulary.sqlite"
# A real word as the missing-term check reads one: a run of letters, lowercased, unstemmed.
WORD = re.compile(r"[^\W\d_]+")
# Sorts after every character a word can hold, so [prefix, prefix + _TOP) is a prefix's range.
_TOP = "\U0010ffff"

SCHEMA = """
CREATE TABLE stems (term TEXT NOT NULL, code INTEGER NOT NULL, df INTEGER NOT NULL, PRIMARY KEY (term, code)) WITHOUT ROWID;
CREATE TABLE stems_reversed (term TEXT NOT NULL, code INTEGER NOT NULL, PRIMARY KEY (term, code)) WITHOUT ROWID;
CREATE TABLE words (term TEXT NOT NULL, code INTEGER NOT NULL, PRIMARY KEY (term, code)) WITHOUT ROWID;
CREATE TABLE words_reversed (term TEXT NOT NULL, code INTEGER NOT NULL, PRIMARY KEY (term, code)) WITHOUT ROWID;
CREATE TABLE passages (code INTEGER PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE meetings (meeting TEXT NOT NULL, code INTEGER NOT NULL, PRIMARY KEY (meeting, code)) WITHOUT ROWID;
CREATE TABLE letters (letter TEXT PRIMARY KEY) WITHOUT ROWID;
"""


class VocabularyBuilder:
    """Collects the statistics while the lexical store analyses each chunk, then writes them.
    Kept per access code in Counters and sets, whose updates run in C (the build pass is the
    ingest's; a tuple per term and chunk doubled its time)."""

    def __init__(self) -> None:
        self.stems: dict[int, Counter[str]] = {}
        self.words: dict[int, set[str]] = {}
        self.meetings: dict[int, set[str]] = {}
        self.passages: Counter[int] = Counter()

    def add(self, text: str, terms: Iterable[str], code: int) -> None:
        if code not in self.stems:
            self.stems[code], self.words[code], self.meetings[code] = Counter(), set(), set()
        self.passages[code] += 1
        self.stems[code].update(set(terms))
        lowered = text.lower()
        self.words[code].update(WORD.findall(lowered))
        # Every meeting reference says "møte" or "meeting" ("møte 3/2025"): the regex only then.
        if "møte" in lowered or "meeting" in lowered:
            self.meetings[code].update(find_meeting_references(text))

    def save(self, path: Path) -> None:
        db = sqlite3.connect(str(path))
        try:
            db.executescript(SCHEMA)
            for code, counts in self.stems.items():
                db.executemany("INSERT INTO stems VALUES (?,?,?)", ((t, code, n) for t, n in counts.items()))
                db.executemany("INSERT INTO stems_reversed VALUES (?,?)", ((t[::-1], code) for t in counts))
            for code, words in self.words.items():
                db.executemany("INSERT INTO words VALUES (?,?)", ((w, code) for w in words))
                db.executemany("INSERT INTO words_reversed VALUES (?,?)", ((w[::-1], code) for w in words))
            for code, meetings in self.meetings.items():
                db.executemany("INSERT INTO meetings VALUES (?,?)", ((m, code) for m in meetings))
            db.executemany("INSERT INTO passages VALUES (?,?)", self.passages.items())
            # Every character a word or term holds: what a spelling variant may substitute or insert.
            letters = {ch for words in self.words.values() for w in words for ch in w}
            letters |= {ch for counts in self.stems.values() for t in counts for ch in t}
            db.executemany("INSERT INTO letters VALUES (?)", ((ch,) for ch in sorted(letters)))
            db.commit()
        finally:
            db.close()


class Vocabulary:
    """The saved vocabulary of one lexical store, read-only, one connection per thread."""

    def __init__(self, path: Path, access_codes: list[str]):
        self.path = Path(path)
        self.access_codes = list(access_codes)
        self._local = threading.local()

    @classmethod
    def open(cls, directory: Path, access_codes: list[str]) -> "Vocabulary | None":
        path = Path(directory) / FILE_NAME
        return cls(path, access_codes) if path.is_file() else None

    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        return db

    def view(self, levels: Iterable[str] | None) -> "VocabularyView":
        """What the chunks of these access levels use (all levels with None)."""
        wanted = None if levels is None else set(levels)
        codes = tuple(i for i, level in enumerate(self.access_codes) if wanted is None or level in wanted)
        return VocabularyView(self, codes, every=len(codes) == len(self.access_codes))

    @property
    def letters(self) -> str:
        if not hasattr(self, "_letters"):
            self._letters = "".join(row[0] for row in self.db().execute("SELECT letter FROM letters"))
        return self._letters


class VocabularyView:
    """One caller's share of the vocabulary: term counts, real words and analysed terms."""

    def __init__(self, vocabulary: Vocabulary, codes: tuple[int, ...], every: bool):
        self.vocabulary = vocabulary
        self.codes = codes
        # No clause when every level is readable (the common case for the operator).
        self.clause = "" if every else (f" AND code IN ({','.join(str(c) for c in codes)})" if codes else " AND 0")
        self.words = WordSet(self, "words")
        self.stems = WordSet(self, "stems")
        self._document_frequency = lru_cache(maxsize=65536)(self._count)

    def db(self) -> sqlite3.Connection:
        return self.vocabulary.db()

    @property
    def passage_count(self) -> int:
        if not hasattr(self, "_passages"):
            self._passages = self.db().execute(f"SELECT COALESCE(SUM(count), 0) FROM passages WHERE 1{self.clause}").fetchone()[0]
        return self._passages

    def document_frequency(self, term: str) -> int:
        """How many of the view's passages use the analysed term."""
        return self._document_frequency(term)

    def _count(self, term: str) -> int:
        return self.db().execute(f"SELECT COALESCE(SUM(df), 0) FROM stems WHERE term = ?{self.clause}", (term,)).fetchone()[0]

    def meetings(self) -> set[str]:
        """Meetings the view's passages mention ("referat fra møte 3/2025")."""
        return {row[0] for row in self.db().execute(f"SELECT DISTINCT meeting FROM meetings WHERE 1{self.clause}")}

    def stem_count(self) -> int:
        return self.db().execute(f"SELECT COUNT(DISTINCT term) FROM stems WHERE 1{self.clause}").fetchone()[0]

    def iter_stems(self) -> Iterator[str]:
        return (row[0] for row in self.db().execute(f"SELECT DISTINCT term FROM stems WHERE 1{self.clause} ORDER BY term"))


class WordSet:
    """Membership, prefix, suffix and spelling-variant lookups in one table of a view."""

    def __init__(self, view: VocabularyView, table: str):
        self.view, self.table = view, table

    def _rows(self, table: str, prefix: str, min_length: int | None, max_length: int | None, limit: int | None) -> list[str]:
        sql = f"SELECT DISTINCT term FROM {table} WHERE term >= ? AND term < ?{self.view.clause}"
        arguments: list = [prefix, prefix + _TOP]
        if min_length is not None:
            sql += " AND length(term) >= ?"
            arguments.append(min_length)
        if max_length is not None:
            sql += " AND length(term) <= ?"
            arguments.append(max_length)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [row[0] for row in self.view.db().execute(sql, arguments)]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        sql = f"SELECT 1 FROM {self.table} WHERE term = ?{self.view.clause} LIMIT 1"
        return self.view.db().execute(sql, (word,)).fetchone() is not None

    def with_prefix(self, prefix: str, min_length: int | None = None, max_length: int | None = None) -> list[str]:
        """Words starting with prefix (itself included), within the lengths given."""
        return self._rows(self.table, prefix, min_length, max_length, None)

    def with_suffix(self, suffix: str, min_length: int | None = None, max_length: int | None = None) -> list[str]:
        """Words ending with suffix (itself included), within the lengths given."""
        return [w[::-1] for w in self._rows(f"{self.table}_reversed", suffix[::-1], min_length, max_length, None)]

    def has_prefix(self, prefix: str, min_length: int | None = None) -> bool:
        return bool(self._rows(self.table, prefix, min_length, None, 1))

    def has_suffix(self, suffix: str, min_length: int | None = None) -> bool:
        return bool(self._rows(f"{self.table}_reversed", suffix[::-1], min_length, None, 1))

    def near(self, term: str, limit: int) -> bool:
        """Whether a word of this set is within `limit` edits (Levenshtein) of term.

        Split term in halves: an alignment within `limit` edits spends at most `limit // 2` on one
        of them, so that half, changed by at most that many edits, starts or ends the word. The
        candidates are the words starting with a variant of the first half or ending with one of
        the second (within the length the edits allow), each checked exactly.
        """
        if limit <= 0:
            return term in self
        middle = len(term) // 2
        letters = self.view.vocabulary.letters
        candidates = set(self._starting(f"{self.table}", _edits(term[:middle], limit // 2, letters), len(term) - limit, len(term) + limit))
        suffixes = {s[::-1] for s in _edits(term[middle:], limit // 2, letters)}
        candidates.update(w[::-1] for w in self._starting(f"{self.table}_reversed", suffixes, len(term) - limit, len(term) + limit))
        return any(within_edits(term, word, limit) for word in candidates)

    def _starting(self, table: str, prefixes: Iterable[str], low: int, high: int) -> list[str]:
        """Terms starting with any of the prefixes, of length low..high: one query, one index
        range per prefix (json_each feeds the prefixes without a statement per prefix)."""
        sql = (
            f"SELECT DISTINCT w.term FROM json_each(?) p JOIN {table} w ON w.term >= p.value AND w.term < p.value || char(1114111) "
            f"WHERE length(w.term) BETWEEN ? AND ?{self.view.clause.replace('code', 'w.code')}"
        )
        return [row[0] for row in self.view.db().execute(sql, (json.dumps(sorted(prefixes), ensure_ascii=False), low, high))]


def _edits(word: str, count: int, letters: str) -> set[str]:
    """word and every string within `count` edits of it (deletions, substitutions, insertions)."""
    found = {word}
    frontier = {word}
    for _ in range(count):
        step: set[str] = set()
        for w in frontier:
            for i in range(len(w) + 1):
                if i < len(w):
                    step.add(w[:i] + w[i + 1 :])
                    step.update(w[:i] + ch + w[i + 1 :] for ch in letters)
                step.update(w[:i] + ch + w[i:] for ch in letters)
        frontier = step - found
        found |= step
    return {w for w in found if w}


def within_edits(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance ≤ limit, with an early exit (terms are short)."""
    if a == b:
        return True
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


class Frequencies(Mapping):
    """term -> document frequency in a view (terms the view never uses are absent)."""

    def __init__(self, view: VocabularyView):
        self.view = view

    def __getitem__(self, term: str) -> int:
        count = self.view.document_frequency(term)
        if not count:
            raise KeyError(term)
        return count

    def get(self, term, default=None):  # type: ignore[override]
        count = self.view.document_frequency(term) if isinstance(term, str) else 0
        return count if count else default

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.view.document_frequency(term) > 0

    def __iter__(self) -> Iterator[str]:
        return self.view.iter_stems()

    def __len__(self) -> int:
        return self.view.stem_count()


class _NoWords:
    """The word set of an index without a vocabulary (an older lexical store): knows nothing."""

    def __contains__(self, word: object) -> bool:
        return False

    def with_prefix(self, *args, **kwargs) -> list[str]:
        return []

    with_suffix = with_prefix

    def has_prefix(self, *args, **kwargs) -> bool:
        return False

    has_suffix = has_prefix

    def near(self, term: str, limit: int) -> bool:
        return False


class NoVocabulary:
    """Stands in for a VocabularyView when the lexical store is missing (until the next ingest)."""

    codes: tuple[int, ...] = ()
    passage_count = 0
    words = stems = _NoWords()

    def document_frequency(self, term: str) -> int:
        return 0

    def meetings(self) -> set[str]:
        return set()

    def stem_count(self) -> int:
        return 0

    def iter_stems(self) -> Iterator[str]:
        return iter(())
