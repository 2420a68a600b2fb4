"""Sentence-level evidence: which archive sentences answer the question.

Each sentence of the retrieved passages is scored by its embedding's similarity to the question
(vectors precomputed at ingest), by how much of the question's weighted vocabulary it contains
(stemmed, IDF-weighted), by the rank of the passage it stands in, and by cues the question type
asks for (numbers for "hvor mange", dates for "når", names for "hvem", stated views for positions).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

QUESTION_WORDS = {
    "hva", "hvem", "hvor", "hvordan", "hvorfor", "når", "hvilke", "hvilken", "hvilket", "kva", "kven", "kvar",
    "korleis", "kvifor", "kor", "kva for", "what", "who", "when", "where", "which", "how", "why",
    "mange", "mye", "many", "much", "rådet", "råd", "council", "rådets", "egentlig", "ifølge", "the",
}
POSITION_CUES = re.compile(
    r"\b(rådet|rådets medlemmer|rådsmedlemmer|flere av rådets|medlemmene)\b.{0,60}\b(mener|meinte|mente|understrek\w*|ønsker|ønsket|anbefal\w*|"
    r"er opptatt av|var opptatt av|påpek\w*|etterlys\w*|uttryk\w*|vektlegg\w*|lagt vekt|fremme\w*|peker|pekte|ber |bes |vil )|"
    r"\b(det ble (også )?(diskutert|etterlyst|pekt på|fremhevet|stilt spørsmål))|\bbør\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d")
DATE_CUE = re.compile(r"\b(\d{1,2}\.\s*(januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)|\d{4}|\d{1,2}\.\d{1,2}\.\d{2,4}|innen|frist)\b", re.IGNORECASE)
NAME_CUE = re.compile(r"\b[A-ZÆØÅ][a-zæøåé]+(?:\s+[A-ZÆØÅ][a-zæøåé]+)+\b")


@dataclass
class Sentence:
    chunk_id: str
    index: int
    text: str
    metadata: dict[str, Any]
    score: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0
    chunk_rank: int = 0
    terms: set[str] = field(default_factory=set)


class EvidenceScorer:
    """Built once per loaded index: sentence vectors, analysed terms and IDF."""

    def __init__(self, retriever):
        self.retriever = retriever
        self.analyze = retriever.lexical.analyze if retriever.lexical else (lambda text: text.lower().split())
        self.by_chunk: dict[str, list[tuple[int, str, str]]] = {}
        for chunk_id, index, text, digest in retriever.sentences:
            self.by_chunk.setdefault(chunk_id, []).append((index, text, digest))
        document_frequency: Counter[str] = Counter()
        for chunk_id, text in retriever.texts.items():
            document_frequency.update(set(self.analyze(text)))
        total = max(len(retriever.texts), 1)
        self.idf = {term: math.log(1 + total / (1 + df)) for term, df in document_frequency.items()}
        self.default_idf = math.log(1 + total)
        self.vocabulary = set(document_frequency)
        self._terms: dict[str, set[str]] = {}

    def terms(self, text: str) -> set[str]:
        cached = self._terms.get(text)
        if cached is None:
            cached = {t for t in self.analyze(text) if t not in QUESTION_WORDS and len(t) > 1}
            self._terms[text] = cached
        return cached

    def query_terms(self, question: str) -> set[str]:
        return self.terms(question)

    def missing_terms(self, question: str) -> list[str]:
        """Salient question terms the archive never uses (not even inside a compound)."""
        missing = []
        for term in self.query_terms(question):
            if len(term) < 5 or term.isdigit() or term in self.vocabulary:
                continue
            if any(term in word for word in self.vocabulary if len(word) > len(term)):
                continue
            missing.append(term)
        return missing

    def score(self, question: str, query_vector: np.ndarray, hits: list, route: str = "facts", extra_terms: set[str] | None = None) -> list[Sentence]:
        query_terms = self.query_terms(question) | (extra_terms or set())
        weight_total = sum(self.idf.get(t, self.default_idf) for t in query_terms) or 1.0
        wants_number = bool(re.search(r"\b(hvor mange|hvor mye|kor mange|kor mykje|how many|how much|antall|tall)\b", question, re.I))
        wants_date = bool(re.search(r"\b(når|kva tid|when|dato|frist|innen når)\b", question, re.I))
        wants_name = bool(re.search(r"\b(hvem|kven|who)\b", question, re.I))
        sentences: list[Sentence] = []
        for rank, hit in enumerate(hits):
            for index, text, digest in self.by_chunk.get(hit.chunk_id, []):
                vector = self.retriever.sentence_vectors.get(digest)
                dense = float(vector @ query_vector) if vector is not None else 0.0
                terms = self.terms(text)
                lexical = sum(self.idf.get(t, self.default_idf) for t in query_terms & terms) / weight_total
                score = 1.0 * dense + 0.55 * lexical + 0.06 / (1 + rank)
                if wants_number and NUMBER.search(text):
                    score += 0.05
                if wants_date and DATE_CUE.search(text):
                    score += 0.05
                if wants_name and NAME_CUE.search(text):
                    score += 0.04
                if route in ("positions", "drafting") and POSITION_CUES.search(text):
                    score += 0.06
                if len(text) < 25:
                    score -= 0.08  # fragments and bare headings make poor quotes
                sentences.append(Sentence(hit.chunk_id, index, text, hit.metadata, score, dense, lexical, rank, terms))
        sentences.sort(key=lambda s: -s.score)
        return _dedupe(sentences)

    def following(self, sentence: Sentence, limit: int = 10) -> list[Sentence]:
        """The sentences after one that introduces a list ("... fire hovedområder:")."""
        rows = self.by_chunk.get(sentence.chunk_id, [])
        after = [Sentence(sentence.chunk_id, i, t, sentence.metadata) for i, t, _ in rows if i > sentence.index]
        if len(after) < limit:
            after += self._next_chunk_sentences(sentence, limit - len(after))
        return after[:limit]

    def _next_chunk_sentences(self, sentence: Sentence, limit: int) -> list[Sentence]:
        order = self.retriever.order
        try:
            position = order.index(sentence.chunk_id)
        except ValueError:
            return []
        if position + 1 >= len(order):
            return []
        next_id = order[position + 1]
        meta = self.retriever.metadata[next_id]
        if meta.get("section") != sentence.metadata.get("section") or meta.get("case") != sentence.metadata.get("case"):
            return []
        seen = {t for _, t, _ in self.by_chunk.get(sentence.chunk_id, [])}
        return [Sentence(next_id, i, t, meta) for i, t, _ in self.by_chunk.get(next_id, []) if t not in seen][:limit]


def _dedupe(sentences: list[Sentence]) -> list[Sentence]:
    """Overlapping chunks repeat sentences; keep each text once, at its best score."""
    seen: set[str] = set()
    unique = []
    for sentence in sentences:
        key = re.sub(r"\W+", "", sentence.text.lower())
        if key in seen:
            continue
        seen.add(key)
        unique.append(sentence)
    return unique
