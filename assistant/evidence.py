"""Sentence-level evidence: which archive sentences answer the question.

Each sentence of the retrieved passages is scored by its embedding's similarity to the question
(vectors precomputed at ingest), by how much of the question's weighted vocabulary it contains
(stemmed, IDF-weighted), by the rank of the passage it stands in, and by cues the question type
asks for (numbers for "hvor mange", dates for "når", names for "hvem", stated views for positions).
The question's terms against the archive's vocabulary (which words it never uses, rarity,
compounds, IDF coverage, title match) are the scorer's other side, in assistant/archive_terms.py.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.cues import (
    BULLET, CRITIQUE_CUE, DATE_CUE, NAME_CUE, NUMBER, POSITION_CUES, SUMMARY_SOURCE, YEAR_CUE, has_count,
)
from assistant.answer_types import EvidenceCues
from assistant.evidence_store import ArchiveLookups, ChunkSentences, Idf, ListLeads, VisibleTexts
from assistant.archive_terms import ArchiveTerms
from assistant.sentence_weights import sentence_weights
from assistant.vocabulary import STOP_WORDS

# The function words an English question brings (ASCII, so not the Norwegian council words
# "møte"/"rådet" a glossary expansion may add; "sak" is kept for the same reason).
_FUNCTION_WORDS = " ".join(sorted(w for w in STOP_WORDS if w.isascii() and not w.startswith("sak")))

# The sentence score's weights are named values in assistant/sentence_weights.py (SentenceWeights:
# dense/lexical balance, rank prior, critique, decision and position bonuses, summary prior, time
# and title match), hand-set: fitting them on the end metric did worse held-out, see that module
# for the figures. The other numbers in score() are not fitted either, each for its reason:
# - the answer-type cue's values (-0.5/-0.35 no count, -0.5/-0.25 no date, +0.15 per name up to
#   3 or -0.3): their common scale is fitted downstream (QuotePolicy.answer_weight), their shares
#   (a bare number counts more than nothing, a year more than no date) are orderings, not rates;
# - the fragment (-0.5) and header (-0.4) penalties: they rule a kind of line out (as large as the
#   largest bonus) rather than weigh evidence; a fitted value would be read off the few questions
#   where a fragment or an agenda line competes with the answering sentence;
# - 0.85 of a list line's lead-in coverage and the 0.5/0.4 passage shares: how much of its context
#   a line inherits; they only matter for list items and continuing sentences, too few per fold.
THIS_CASE = re.compile(r"\b(denne saken|dette saksfremlegget|saka her|denne saka|this case)\b", re.IGNORECASE)
# The time match's shares (a match counts more than a mismatch costs); their scale is
# SentenceWeights.time.
TIME_MATCH_BONUS = 0.35
TIME_MISMATCH_PENALTY = 0.25


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
    # The score under each part of a question that asks several things (the whole question
    # first, then each part, as EvidenceScorer.score's part_vectors): which part it answers.
    part_scores: tuple[float, ...] = ()
    # Of each part's score, what the answer-type cue added (a name for "hvem", a date for "når",
    # a number for "hvor mange"): the quote policy re-weighs it (QuotePolicy.answer_weight).
    part_cues: tuple[float, ...] = ()
    # Each part's score in its parts before weighing (sentence_weights.components_score), so the
    # eval's fitting re-scores recorded sentences under other weights without asking again.
    part_components: tuple[tuple[float, ...], ...] = ()


class EvidenceScorer(ArchiveTerms, ArchiveLookups):
    """One per loaded index and access level; cheap to build, since it holds no per-chunk state:
    what it scores is read from the register and the lexical store's vocabulary when asked.

    With `levels`, only passages of those access levels count: the vocabulary the missing-term
    check reads, spelling variants, compounds, IDF and rare terms are then the caller's, so what
    a member is told never depends on words only restricted documents use.
    """

    def __init__(self, retriever, levels: tuple[str, ...] | None = None):
        from ingest.store.vocabulary import Frequencies, NoVocabulary

        self.retriever = retriever
        self.levels = levels
        lexical = retriever.lexical
        self.analyze = lexical.analyze if lexical else (lambda text: text.lower().split())
        # Nothing per chunk is held here: sentences, list leads and texts are read from the
        # register for the passages a question scores; term counts, real words and analysed terms
        # of the caller's levels from the lexical store's vocabulary (see assistant/evidence_store.py).
        self.by_chunk = ChunkSentences(retriever.reader, levels)
        self.list_lead = ListLeads(self.by_chunk)
        self.texts = VisibleTexts(retriever.reader, levels)
        vocabulary = lexical.vocabulary if lexical is not None else None
        # Without a vocabulary (a lexical store of an older format, until the next ingest) no
        # word can be called missing: see missing_terms.
        self.archive = vocabulary.view(levels) if vocabulary is not None else NoVocabulary()
        total = max(self.archive.passage_count, 1)
        self.document_frequency = Frequencies(self.archive)
        self.passage_count = total
        self.idf = Idf(self.archive, total)
        self.default_idf = math.log(1 + total)
        self.vocabulary = self.archive.words  # unstemmed: compounds and prefixes are matched on real words
        self.stem_vocabulary = self.archive.stems
        self._terms: dict[str, set[str]] = {}
        self._variants: dict[str, frozenset[str]] = {}

    def score(self, question: str, query_vector: np.ndarray, hits: list, route: str = "facts", extra_terms: set[str] | None = None, part_vectors: list[tuple[str, np.ndarray]] | None = None, scope=None, lang: str = "nb", question_cues: EvidenceCues | None = None) -> list[Sentence]:
        """Score every sentence of the hits; a multi-part question scores each part and keeps the best.
        `question_cues` are what the analysis read the search text and its parts to ask for
        (QuestionAnalysis.evidence_cues); None asks for nothing in particular."""
        parts = part_vectors or [(question, query_vector)]
        asked = question_cues or EvidenceCues(wants=((False, False, False),) * len(parts))
        wants_summary = asked.summary
        english = lang == "en"
        wants_decision = asked.decision
        # The kind of answer each part asks for (answer_types.evidence_cues).
        part_wants = list(asked.wants)
        wants_critique = asked.critique
        weights = sentence_weights()
        rows = []
        self.by_chunk.prefetch(hit.chunk_id for hit in hits)  # one read for every hit's sentences
        for rank, hit in enumerate(hits):
            for index, text, digest in self.by_chunk.get(hit.chunk_id, []):
                rows.append((rank, hit, index, text, self.retriever.sentence_vectors.get(digest)))
        if not rows:
            return []
        question_terms = self.query_terms(question)
        # A meeting named by position ("det siste møtet i 2025" → 3/2025) names it by number too.
        title_terms = question_terms | set(scope.meetings if scope else ())
        title_bonus: dict[str, float] = {}
        title_share: dict[str, float] = {}
        for hit in hits:
            title = hit.metadata.get("case_title") or ""
            if title and title not in title_bonus:
                share = self.title_match(title_terms, title)
                title_share[title] = share if share >= 0.5 else 0.0
                title_bonus[title] = weights.title * share if share >= 0.5 else 0.0
        # What a sentence is, apart from how well it matches a question part: computed once.
        def answer_cue(text: str, wants: tuple[bool, bool, bool]) -> float:
            # A "how many" / "when" / "who" question is answered only by a sentence that has one.
            wants_number, wants_date, wants_name = wants
            adjustment = 0.0
            if wants_number and not has_count(text):
                adjustment -= 0.5 if not NUMBER.search(text) else 0.35
            if wants_date and not DATE_CUE.search(text):
                adjustment -= 0.25 if YEAR_CUE.search(text) else 0.5
            if wants_name:
                names = len(set(NAME_CUE.findall(text)))
                adjustment += min(names, 3) * 0.15 if names else -0.3
            return adjustment

        def cue_adjustment(rank: int, hit, text: str) -> tuple[float, tuple[float, ...]]:
            # The adjustment under the weights in force, and its parts before weighing (in the
            # order of sentence_weights.components_score) for the eval's fitting to re-weigh.
            critique = decision = position = fixed = summary = time = 0.0
            adjustment = weights.rank_prior / (1 + rank)
            if wants_critique and CRITIQUE_CUE.search(text):
                adjustment += weights.critique
                critique = 1.0
            if wants_decision and hit.metadata.get("section_kind") in ("vedtak", "forslag"):
                decision = 0.35 if hit.metadata.get("section_kind") == "vedtak" else 0.15
                adjustment += weights.decision * decision
            if route in ("positions", "drafting") and POSITION_CUES.search(text):
                adjustment += weights.position
                position = 1.0
            if len(text) < 25:  # a length, not a weight: shorter than a clause
                adjustment -= 0.5  # fragments and bare headings make poor quotes
                fixed -= 0.5
            if hit.metadata.get("part") in ("front_matter", "agenda"):
                adjustment -= 0.4  # meeting headers and agenda lines repeat what the cases say
                fixed -= 0.4
            if not wants_summary and is_summary(hit.metadata):
                adjustment -= weights.summary
                summary = 1.0
            if scope:
                time = _time_adjustment(scope, hit.metadata, text)
                adjustment += weights.time * time
            title = hit.metadata.get("case_title") or ""
            components = (1.0 / (1 + rank), critique, decision, position, fixed, summary, time, title_share.get(title, 0.0))
            return adjustment + title_bonus.get(title, 0.0), components

        prepared = []
        for rank, hit, index, text, _ in rows:
            sentence_terms = self.terms(text)
            if THIS_CASE.search(text):  # "arbeidsgruppen for denne saken" names the case's topic
                sentence_terms = sentence_terms | self.terms(hit.metadata.get("case_title") or "")
            lead = _lead_context(self.list_lead.get((hit.chunk_id, index)), hit.metadata, text)
            lead_terms = sentence_terms | self.terms(lead) if lead else None
            cues = {w: answer_cue(text, w) for w in set(part_wants)}
            prepared.append((sentence_terms, lead_terms, *cue_adjustment(rank, hit, text), cues))
        best: dict[tuple[str, int], Sentence] = {}
        by_part: dict[tuple[str, int], tuple[list[float], list[float], list[tuple]]] = {}
        # The archive holds English function words only in reference lists, where they are rare
        # and would weigh most ("and", "of" outweighing "habilitet"): they carry no topic
        # (vocabulary.STOP_WORDS), so they are not an English question's terms.
        function_terms = self.terms(_FUNCTION_WORDS) if english else set()
        for part, (part_text, part_vector) in enumerate(parts):
            terms = (self.query_terms(part_text) | (extra_terms or set())) - function_terms
            # An English question's own words never occur in a Norwegian archive: only the terms
            # the archive has (names, the glossary's Norwegian words) measure coverage.
            weighed = {t for t in terms if t in self.idf} if english else terms
            weight_total = sum(self.idf.get(t, self.default_idf) for t in weighed) or 1.0
            dense = np.array([float(v @ part_vector) if v is not None else 0.0 for *_, v in rows])
            spread = float(dense.std()) or 1.0
            z = (dense - float(dense.mean())) / spread
            variants = {t: self.compound_variants(t) for t in terms}
            coverage = lambda found: self._coverage(terms, found, variants) / weight_total
            chunk_lexical = {hit.chunk_id: coverage(self.terms(hit.text)) for hit in hits}
            for (rank, hit, index, text, _), (sentence_terms, lead_terms, adjustment, components, cues), d, zd in zip(rows, prepared, dense, z):
                adjustment += cues[part_wants[part]]
                own = coverage(sentence_terms)
                if lead_terms is not None:
                    own = max(own, 0.85 * coverage(lead_terms))
                # A sentence continues its passage ("Utvalget skal levere …" after "Ekspertgruppen …").
                lexical = max(own, 0.5 * own + 0.4 * chunk_lexical.get(hit.chunk_id, 0.0))
                score = weights.dense * float(zd) + weights.lexical * lexical + adjustment
                key = (hit.chunk_id, index)
                scores, part_cues, part_components = by_part.setdefault(key, ([float("-inf")] * len(parts), [0.0] * len(parts), [()] * len(parts)))
                if score > scores[part]:
                    scores[part], part_cues[part] = score, cues[part_wants[part]]
                    part_components[part] = (float(zd), lexical, *components, cues[part_wants[part]])
                if key not in best or score > best[key].score:
                    best[key] = Sentence(hit.chunk_id, index, text, hit.metadata, score, float(d), lexical, rank, sentence_terms)
        for key, sentence in best.items():
            sentence.part_scores, sentence.part_cues, sentence.part_components = (tuple(v) for v in by_part[key])
        sentences = sorted(best.values(), key=lambda s: -s.score)
        return _dedupe(sentences)

    def following(self, sentence: Sentence, limit: int = 10) -> list[Sentence]:
        """The sentences after one that introduces a list ("... fire hovedområder:")."""
        rows = self.by_chunk.get(sentence.chunk_id, [])
        after = [Sentence(sentence.chunk_id, i, t, sentence.metadata) for i, t, _ in rows if i > sentence.index]
        if len(after) < limit:
            after += self._next_chunk_sentences(sentence, limit - len(after))
        return after[:limit]

    def _next_chunk_sentences(self, sentence: Sentence, limit: int) -> list[Sentence]:
        next_id = self.retriever.next_in_section(sentence.chunk_id)
        if next_id is None:
            return []
        meta = self.retriever.metadata[next_id]
        seen = {t for _, t, _ in self.by_chunk.get(sentence.chunk_id, [])}
        return [Sentence(next_id, i, t, meta) for i, t, _ in self.by_chunk.get(next_id, []) if t not in seen][:limit]


def _lead_context(list_lead: str | None, metadata: dict[str, Any], text: str) -> str | None:
    """What a line means in its place: a list item with its lead-in and section heading
    ("Bygg varig gjennomføringskapasitet / Reformen må derfor / - etablere …"), a line of names
    under a short heading ("Observatører")."""
    heading = str(metadata.get("section") or "")
    if BULLET.match(text):
        return " ".join(x for x in (heading, list_lead) if x) or None
    if heading and len(heading.split()) <= 3 and NAME_CUE.search(text):
        return heading
    return None


def is_summary(metadata: dict[str, Any]) -> bool:
    return any(SUMMARY_SOURCE.search(str(metadata.get(key) or "")) for key in ("case_title", "part_title", "document"))


def _time_adjustment(scope, metadata: dict[str, Any], text: str) -> float:
    """Evidence from the meeting or month the question names ranks higher; from another, lower."""
    if scope.meetings:
        if metadata.get("meeting") in scope.meetings or scope.mentions_meeting(f"{metadata.get('case_title') or ''} {text}"):
            return TIME_MATCH_BONUS
    matched = scope.matches_date(metadata.get("date"))
    if matched is True:
        return TIME_MATCH_BONUS
    if matched is False or scope.meetings:
        return -TIME_MISMATCH_PENALTY
    return 0.0  # the caller scales it (SentenceWeights.time)


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
