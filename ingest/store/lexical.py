"""The lexical index: BM25 (bm25s) over Norwegian-analysed chunk text.

Dense retrieval misses exact identifiers (case numbers, years, acronyms) and rare names; BM25
catches them. The analyzer is public because the assistant reuses it to show which query terms
a passage matched.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import unicodedata
import uuid
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_NORWEGIAN

__all__ = ["LexicalIndex", "analyze", "ANALYZER_VERSION"]

# Bump when analyze() changes: a saved index built with another analyzer is ignored on load.
ANALYZER_VERSION = 1

# bm25s ships NLTK's Norwegian list (Bokmål and Nynorsk function words).
STOPWORDS = frozenset(STOPWORDS_NORWEGIAN)

# A token is a run of letters/digits, optionally joined by . / - to neighbouring runs, so
# "7/1/2026", "2028-2034", "microdata.no", "e-helse" and "CO2" each stay one token. A joiner at
# the end ("2026.", "helse-") is punctuation and is not part of the token.
_TOKEN = re.compile(r"[^\W_]+(?:[./\-][^\W_]+)*")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")  # hyphen, en/em dash, minus -> "-"
_SPLIT = re.compile(r"[./\-]")
_VOWELS = frozenset("aeiouyæøå")

_stemmer_local = threading.local()  # PyStemmer objects are not thread-safe


def _stem(word: str) -> str:
    stemmer = getattr(_stemmer_local, "stemmer", None)
    if stemmer is None:
        stemmer = _stemmer_local.stemmer = Stemmer.Stemmer("norwegian")
    stem = stemmer.stemWord(word)
    # Snowball strips "-ene" from "helsedataene" (-> "helsedata") but "-a" from "helsedata"
    # (-> "helsedat"), so a noun's forms split in two. A second pass when the first left a
    # vowel-final stem joins them (data/dataene, tema/temaet, skjema/skjemaene) without the
    # over-stemming a blind second pass causes ("helse" and "hele" would both become "hel").
    if stem != word and stem[-1:] in _VOWELS:
        stem = stemmer.stemWord(stem)
    return stem


def _word(word: str) -> str | None:
    if word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
        return None
    return _stem(word) if not word.isdigit() else word


def analyze(text: str) -> list[str]:
    """Norwegian BM25 terms for `text`, in order (duplicates kept).

    Lowercased, stopwords removed, Snowball-stemmed. Joined tokens are kept whole and, when they
    contain letters, also as their parts: "HelseOmsorg21-rådet" -> "helseomsorg21-rådet",
    "helseomsorg21", "råd"; "microdata.no" -> "microdata.no", "microdata". Numeric ones
    ("7/1/2026", "2028-2034", "24.06.2026") stay whole only, so their parts do not match
    every other number.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").lower()
    text = _DASHES.sub("-", text)
    terms: list[str] = []
    for token in _TOKEN.findall(text):
        if not _SPLIT.search(token):
            term = _word(token)
            if term:
                terms.append(term)
            continue
        terms.append(token)
        if any(ch.isalpha() for ch in token):
            for part in _SPLIT.split(token):
                term = _word(part)
                if term:
                    terms.append(term)
    return terms


class LexicalIndex:
    """BM25 over chunk ids; immutable once built (re-build after ingesting)."""

    def __init__(self, ids: list[str], retriever: bm25s.BM25 | None, fingerprint: str | None = None) -> None:
        self._ids = ids
        self._position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        self._bm25 = retriever
        # What it was built from (the register's chunk ids and content hashes, see IndexWriter):
        # an ingest compares it with the register's and rebuilds on any difference.
        self.fingerprint = fingerprint

    analyze = staticmethod(analyze)

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> "LexicalIndex":
        ids = list(ids)
        if len(ids) != len(texts):
            raise ValueError(f"got {len(ids)} ids for {len(texts)} texts")
        if len(set(ids)) != len(ids):
            raise ValueError("LexicalIndex.build got duplicate ids")
        if not ids:
            return cls([], None)
        retriever = bm25s.BM25()
        # A text with no terms left still needs a row; bm25s indexes it under its empty token.
        retriever.index([analyze(t) for t in texts], show_progress=False)
        return cls(ids, retriever)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def search(self, query: str, k: int, allowed_ids: set[str] | None = None) -> list[tuple[str, float]]:
        """(id, BM25 score), best first; only documents sharing a term with the query.

        `allowed_ids` restricts the candidates before the top k are taken, so a filter never
        hides matches that exist.
        """
        if self._bm25 is None or k <= 0:
            return []
        vocab = self._bm25.vocab_dict
        # Each distinct term once: repeating a word in the question should not double it.
        token_ids = [vocab[t] for t in dict.fromkeys(analyze(query)) if t in vocab and t]
        if not token_ids:
            return []
        scores = self._bm25.get_scores_from_ids(token_ids)
        if allowed_ids is not None:
            candidates = np.fromiter(
                (self._position[i] for i in allowed_ids if i in self._position), dtype=np.int64
            )
            candidates.sort()
        else:
            candidates = np.arange(len(self._ids))
        candidate_scores = scores[candidates]
        hits = candidates[candidate_scores > 0]
        hit_scores = scores[hits]
        # Stable sort on -score: equal scores keep index order, so results are deterministic.
        order = np.argsort(-hit_scores, kind="stable")[:k]
        return [(self._ids[hits[i]], float(hit_scores[i])) for i in order]

    # ------------------------------------------------------------------------ persistence --

    def save(self, path: Path, fingerprint: str | None = None) -> None:
        """Write to `path` (a directory) atomically: build beside it, then swap it in."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        try:
            if self._bm25 is not None:
                self._bm25.save(str(tmp / "bm25"))
            meta = {"analyzer_version": ANALYZER_VERSION, "count": len(self._ids), "fingerprint": fingerprint}
            (tmp / "ids.json").write_text(json.dumps(self._ids, ensure_ascii=False), encoding="utf-8")
            # meta.json last: its presence marks a complete index.
            (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            old = None
            if path.exists():
                old = path.parent / f".{path.name}.old-{uuid.uuid4().hex}"
                os.replace(path, old)
            os.replace(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def saved_fingerprint(path: Path) -> str | None:
        """The fingerprint of the index saved at `path` without loading it; None when there is no
        usable index (missing, another analyzer version) or it was saved without one."""
        try:
            meta = json.loads((Path(path) / "meta.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            return None
        if meta.get("analyzer_version") != ANALYZER_VERSION or not (Path(path) / "ids.json").is_file():
            return None
        if meta.get("count") and not (Path(path) / "bm25").is_dir():
            return None
        return meta.get("fingerprint")

    @classmethod
    def load(cls, path: Path) -> "LexicalIndex | None":
        """The index saved at `path`; None when there is none, or it was built by another
        analyzer version (the caller rebuilds it)."""
        path = Path(path)
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            return None
        if meta.get("analyzer_version") != ANALYZER_VERSION:
            return None
        ids = json.loads((path / "ids.json").read_text(encoding="utf-8"))
        if len(ids) != meta.get("count"):
            return None
        if not ids:
            return cls([], None, meta.get("fingerprint"))
        retriever = bm25s.BM25.load(str(path / "bm25"), load_corpus=False)
        return cls(ids, retriever, meta.get("fingerprint"))


def swap_in(tmp: Path, path: Path) -> None:
    """Put the finished directory `tmp` in place of `path`: the old one is moved aside first and
    removed after, so a crash leaves one complete index (or none, which the next ingest rebuilds)."""
    old = None
    if path.exists():
        old = path.parent / f".{path.name}.old-{uuid.uuid4().hex}"
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
