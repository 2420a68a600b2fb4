"""Ordering of retrieved passages: the fitted fusion of the hybrid search's signals, and an
optional cross-encoder.

Fusion. Every candidate the dense, BM25 and sentence searches return is described by named
features (FUSION_FEATURES) and ranked by a pairwise logistic regression fitted by `python -m evals.fusion`
on the gold sets and NorQuAD (weights in assistant/fitted.json under "fusion", with the command
that reproduces them). Without fitted weights the retriever falls back to reciprocal-rank fusion.

Cross-encoder. Off by default: no multilingual cross-encoder ships as a PyPI package, and this machine cannot
download one, so a site enables it by pointing RADSARKIV_RERANKER at a local model directory
(e.g. a copy of a multilingual MiniLM/BGE reranker). Needs the `st` extra.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.embedders import BackendUnavailable, resolve_model_dir

__all__ = ["CrossEncoderReranker", "FUSION_FEATURES", "Candidate", "FittedFusion", "RankHints", "candidate_features", "make_reranker"]

# What the fusion knows about a candidate passage. Similarities and BM25 are taken relative to the
# query's best candidate, so one set of weights fits questions whose scores sit at other levels.
FUSION_FEATURES = (
    "dense_gap",        # cosine(question, passage) minus the best candidate's
    "sentence_gap",     # cosine(question, the passage's closest sentence) minus the best candidate's
    "lexical_share",    # BM25 score / the best BM25 score (0: no shared term in the top list)
    "dense_rr",         # 1 / (1 + rank) in the dense list (0-based rank; absent: 0)
    "lexical_rr",       # the same in the BM25 list
    "sentence_rr",      # the same in the best-sentence list
    "term_coverage",    # share of the question's stemmed terms found in the passage, inside compounds too
    "heading_match",    # share of them in the case title, part title or section heading
    "boilerplate",      # paper headers, agendas, front matter: words of cases without substance
    "decision",         # a Vedtak section
    "log_length",       # log(1 + the passage's words)
    # What the question asks for, met by the passage (QuestionAnalysis, passed as RankHints; 0
    # when the question does not ask for it). The passage's first line is its heading ("Sak
    # 7/1/2026 …"), so only the lines under it are read: a case number is no count or date.
    "answer_person",    # a "hvem/who" question and a passage naming people (two capitalised words)
    "answer_date",      # a "når/when" question and a passage with a full date or clock time
    "answer_count",     # a "hvor mange/mye" question and a passage with a number that counts
    "decision_asked",   # a question about a decision and a Vedtak section
    "time_match",       # the passage is from the meeting, month or day the question names
    # term_coverage counts every question term alike, so the many common words of a long
    # drafting request ("rådet", "utkast", "innspill") and an English question's own words (most of
    # which no passage uses) dilute the few rare words that pick the passage. This share weighs
    # each term by its IDF in the caller's part of the archive (the lexical store's vocabulary)
    # and skips terms no passage uses, after splitting a compound no passage uses into two parts
    # passages do use (archive_parts). For an English question only the words the archive shares
    # with it are weighed (RankHints.coverage_query): its ordinary English words occur only in
    # reference lists, where they are rare and would weigh the most.
    "idf_coverage",     # IDF share of the question's in-archive terms found in the passage
)


@dataclass
class Candidate:
    """One passage the hybrid search found, with what each search said about it."""

    chunk_id: str
    text: str
    metadata: Mapping[str, Any]
    dense: float | None = None          # exact cosine with the question (None: no stored vector)
    sentence: float | None = None       # cosine of its closest sentence
    lexical: float = 0.0                # BM25 score (0 when outside the BM25 list)
    dense_rank: int | None = None
    lexical_rank: int | None = None
    sentence_rank: int | None = None


@dataclass(frozen=True)
class RankHints:
    """What the one reading of the question (assistant/analysis.py) tells the ranking: the kind
    of answer it expects and the meetings, months and days it names. The retriever never reads
    the question itself; without hints (a tool's plain search) these features are 0."""

    answer_type: str | None = None
    decision: bool = False
    meetings: tuple[str, ...] = ()
    months: frozenset = frozenset()   # (year or None, month)
    dates: tuple[str, ...] = ()       # ISO days, year 0001 when the question names none
    # The words idf_coverage weighs, when not all of the query's (glossary.archive_words: an
    # English question's names, figures and glossary words, not its ordinary English words).
    coverage_query: str | None = None

    @classmethod
    def from_analysis(cls, analysis) -> "RankHints":
        refs = analysis.references
        return cls(analysis.answer_type, bool(analysis.asks.decision), tuple(refs.meetings), frozenset(refs.months), tuple(refs.dates))

    def time_match(self, metadata: Mapping[str, Any]) -> bool:
        """The passage was written at (or records) a meeting, month or day the question names."""
        if self.meetings and metadata.get("meeting") in self.meetings:
            return True
        date = str(metadata.get("date") or "")
        if not (self.months or self.dates) or len(date) < 10 or not (date[:4].isdigit() and date[5:7].isdigit()):
            return False  # no time named, or no ISO date on the passage
        year, month = int(date[:4]), int(date[5:7])
        return any(m == month and y in (None, year) for y, m in self.months) or any(
            day[5:10] == date[5:10] and day[:4] in ("0001", date[:4]) for day in self.dates
        )


def is_boilerplate(metadata: Mapping[str, Any]) -> bool:
    """Paper headers (Til/Saksbehandler/Vedlegg/Fra), agendas and meeting headers repeat words from
    the cases they list without saying anything about them."""
    return metadata.get("section_kind") == "felter" or metadata.get("part") in ("agenda", "front_matter")


# Parts of a compound the archive does not use are looked up from this length on (not fitted: a
# Norwegian word shorter than 4 letters is mostly a stop word or a linking form).
MIN_PART = 4


def archive_parts(term: str, idf: Callable[[str], float]) -> list[str]:
    """A question compound no passage uses, as two words passages do use ("pilotprosjekt" →
    "pilot", "prosjekt"; "behandlingsfrist" → "behandling", "frist", the linking s dropped),
    longest first part first; any other term as it is. Without this the compound counts for
    nothing in idf_coverage, though the archive says the same in two words."""
    if idf(term) > 0 or len(term) < 2 * MIN_PART or not term.isalpha():
        return [term]
    for split in range(len(term) - MIN_PART, MIN_PART - 1, -1):
        head, rest = term[:split], term[split:]
        for tail in (rest, rest[1:] if rest[0] in "se" else ""):
            if len(tail) >= MIN_PART and idf(head) > 0 and idf(tail) > 0:
                return [head, tail]
    return [term]


def candidate_features(query: str, candidates: Sequence[Candidate], hints: RankHints | None = None,
                       idf: Callable[[str], float] | None = None) -> np.ndarray:
    """The FUSION_FEATURES of each candidate (rows in candidate order). `idf` gives an analysed
    term's inverse document frequency in the archive, 0 for a term no passage uses (the
    retriever's, from the BM25 index); without it idf_coverage is 0."""
    from assistant.cues import DATE_CUE, NAME_CUE, has_count
    from ingest.store.lexical import analyze

    if not candidates:
        return np.zeros((0, len(FUSION_FEATURES)))
    # A Snowball stem is the start of its word forms, so finding it anywhere in the lowercased
    # text finds "helsedata" in "helsedataene" and "registerdata" in "helseregisterdata" (BM25's
    # whole-token match does not), without analysing every candidate's text per query.
    query_terms = sorted(set(analyze(query)))
    dense = [c.dense for c in candidates if c.dense is not None]
    best_dense = max(dense, default=0.0)
    floor_dense = min(dense, default=0.0)
    sentences = [c.sentence for c in candidates if c.sentence is not None]
    best_sentence = max(sentences, default=best_dense)
    best_lexical = max((c.lexical for c in candidates), default=0.0) or 1.0
    n_terms = max(len(query_terms), 1)
    reciprocal = lambda rank: 0.0 if rank is None else 1.0 / (1 + rank)  # noqa: E731
    hints = hints or RankHints()
    kind = hints.answer_type
    coverage_terms = query_terms if hints.coverage_query is None else sorted(set(analyze(hints.coverage_query)))
    terms = {part for term in coverage_terms for part in archive_parts(term, idf)} if idf else set()
    weights = {term: idf(term) for term in terms}
    weights = {term: w for term, w in weights.items() if w > 0}
    total_weight = sum(weights.values()) or 1.0
    rows = []
    for c in candidates:
        # A passage without a stored vector is treated as the least similar candidate.
        d = c.dense if c.dense is not None else floor_dense
        s = c.sentence if c.sentence is not None else d
        text = c.text.lower()
        heading = " ".join(str(c.metadata.get(k) or "") for k in ("case_title", "part_title", "section")).lower()
        body = c.text.partition("\n")[2] or c.text
        rows.append([
            d - best_dense,
            s - best_sentence,
            c.lexical / best_lexical,
            reciprocal(c.dense_rank),
            reciprocal(c.lexical_rank),
            reciprocal(c.sentence_rank),
            sum(term in text for term in query_terms) / n_terms,
            sum(term in heading for term in query_terms) / n_terms,
            float(is_boilerplate(c.metadata)),
            float(c.metadata.get("section_kind") == "vedtak"),
            math.log1p(len(text.split())),
            float(kind == "person" and bool(NAME_CUE.search(body))),
            float(kind == "date" and bool(DATE_CUE.search(body))),
            float(kind in ("count", "amount") and has_count(body)),
            float(hints.decision and c.metadata.get("section_kind") == "vedtak"),
            float(hints.time_match(c.metadata)),
            sum(w for t, w in weights.items() if t in text) / total_weight,
        ])
    return np.asarray(rows, dtype=np.float64)


@dataclass(frozen=True)
class FittedFusion:
    """A fitted linear model over FUSION_FEATURES: score = w · (x − mean) / scale + bias."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float = 0.0

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> "FittedFusion | None":
        """The model in fitted.json's "fusion" entry; None when absent or fitted on other features."""
        if not data or list(data.get("features") or []) != list(FUSION_FEATURES):
            return None
        try:
            return cls(tuple(map(float, data["mean"])), tuple(map(float, data["scale"])), tuple(map(float, data["weights"])), float(data.get("bias", 0.0)))
        except (KeyError, TypeError, ValueError):
            return None

    def as_json(self) -> dict[str, Any]:
        return {"features": list(FUSION_FEATURES), "mean": [round(v, 6) for v in self.mean], "scale": [round(v, 6) for v in self.scale],
                "weights": [round(v, 6) for v in self.weights], "bias": round(self.bias, 6)}

    def score(self, features: np.ndarray) -> np.ndarray:
        """A score in (0, 1) per row that orders one question's candidates (the logistic of the
        fitted linear score; the pairwise fit makes it a ranking, not a calibrated probability)."""
        if len(features) == 0:
            return np.zeros(0)
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias)))

_ST_MISSING = (
    "Reranking needs the 'st' extra (sentence-transformers), which is not installed: "
    "pip install 'radsarkiv[st]', or unset RADSARKIV_RERANKER."
)


class CrossEncoderReranker:
    """Scores (query, passage) pairs with a local sentence-transformers CrossEncoder on CPU."""

    def __init__(self, model_dir: str | Path, batch_size: int = 16, max_length: int | None = 512) -> None:
        self.model_dir = resolve_model_dir(model_dir, what="reranker model")
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as exc:
            raise BackendUnavailable(_ST_MISSING) from exc
        self.batch_size = batch_size
        self._model: Any = CrossEncoder(
            str(self.model_dir), device="cpu", local_files_only=True, trust_remote_code=False,
            max_length=max_length,
        )
        self._lock = threading.Lock()  # torch modules are not safe to call from many threads

    def rerank(self, query: str, passages: Sequence[tuple[str, str]]) -> list[tuple[str, float]]:
        """(id, text) in; (id, score) out, best first (ties keep the input order)."""
        if not passages:
            return []
        with self._lock:
            scores = self._model.predict(
                [(query, text) for _, text in passages],
                batch_size=self.batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        # A model with several labels gives a row per pair; the last column is "relevant".
        flat = [float(s[-1]) if getattr(s, "ndim", 0) else float(s) for s in scores]
        ranked = sorted(zip((pid for pid, _ in passages), flat, range(len(flat))),
                        key=lambda item: (-item[1], item[2]))
        return [(pid, score) for pid, score, _ in ranked]


_CACHE: dict[str, CrossEncoderReranker] = {}
_CACHE_LOCK = threading.Lock()


def make_reranker(path: str | None) -> CrossEncoderReranker | None:
    """The reranker at `path` (loaded once per process), or None when reranking is off."""
    if not path:
        return None
    key = str(resolve_model_dir(path, what="reranker model"))
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = CrossEncoderReranker(key)
        return _CACHE[key]
