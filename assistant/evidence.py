"""Sentence-level evidence: which archive sentences answer the question.

Each sentence of the retrieved passages is scored by its embedding's similarity to the question
(vectors precomputed at ingest), by how much of the question's weighted vocabulary it contains
(stemmed, IDF-weighted), by the rank of the passage it stands in, and by cues the question type
asks for (numbers for "hvor mange", dates for "når", names for "hvem", stated views for positions).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.cues import (
    BULLET, CRITIQUE_BONUS, CRITIQUE_CUE, DATE_CUE, NAME_CUE, NUMBER, POSITION_CUES, SUMMARY_SOURCE, YEAR_CUE, has_count,
)
from assistant.answer_types import EvidenceCues
from assistant.evidence_store import ArchiveLookups, ChunkSentences, Idf, ListLeads, VisibleTexts
from assistant.glossary import bokmal_variants
from ingest.store.vocabulary import NoVocabulary, WordSet

QUESTION_WORDS = {
    "hva", "hvem", "hvor", "hvordan", "hvorfor", "når", "hvilke", "hvilken", "hvilket", "kva", "kven", "kvar",
    "korleis", "kvifor", "kor", "kva for", "what", "who", "when", "where", "which", "how", "why",
    "mange", "mye", "many", "much", "rådet", "råd", "council", "rådets", "egentlig", "ifølge", "the",
}
# Words a question uses for emphasis, never for content: their absence proves nothing.
FILLER_WORDS = {"egentlig", "egent", "eigentleg", "faktisk", "konkret", "akkurat", "virkelig", "nemlig"}
# Summaries of a period (annual reports, cues.SUMMARY_SOURCE) restate what the cases themselves
# record: the case is the primary source, the summary a fallback unless the question asks for it.
SUMMARY_PRIOR = 0.3
COMPOUND_MATCH_WEIGHT = 0.6
HEAD_MATCH_WEIGHT = 0.3
THIS_CASE = re.compile(r"\b(denne saken|dette saksfremlegget|saka her|denne saka|this case)\b", re.IGNORECASE)
# A question that names a case by its title ("innspillet til reformutvalget") is about that case.
TITLE_MATCH_BONUS = 0.4
RARE_TERM_SHARE = 0.03
TIME_MATCH_BONUS = 0.35
TIME_MISMATCH_PENALTY = 0.25
# Analysed sentences and compound variants kept per scorer (not fitted: a bound on memory, far
# above what one answer analyses, so a long-running server never holds the archive's sentences).
TERM_CACHE = 50_000


# Longer than any word a question uses, compounds included ("helseforskningslovutvalget" is 26).
# Not fitted: a bound on the input, not a weight.
LONGEST_WORD = 60


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


class EvidenceScorer(ArchiveLookups):
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

    def terms(self, text: str) -> set[str]:
        cached = self._terms.get(text)
        if cached is None:
            if len(self._terms) >= TERM_CACHE:  # the cache must not grow into a copy of the archive
                self._terms.clear()
            cached = {t for t in self.analyze(text) if t not in QUESTION_WORDS and len(t) > 1}
            self._terms[text] = cached
        return cached

    def is_rare(self, term: str) -> bool:
        """In at most a few passages (3 %): the term names a particular thing (NORTRE, KSF), not a theme."""
        frequency = self.document_frequency.get(term, 0)
        return 0 < frequency <= max(3, RARE_TERM_SHARE * self.passage_count)

    def query_terms(self, question: str) -> set[str]:
        return self.terms(question)

    def missing_terms(self, analysis) -> list[str]:
        """Salient terms of the question (a QuestionAnalysis) the archive never uses: not as a
        word, inside a compound, as the parts of a compound, or within a spelling variant (Nynorsk
        "kopling" ~ "kobling")."""
        if isinstance(self.archive, NoVocabulary):
            return []  # no vocabulary to judge by (an older index, until the next ingest)
        words = {w for w in analysis.focus.written if w not in QUESTION_WORDS}
        from ingest.store.lexical import STOPWORDS

        question_terms = self.query_terms(analysis.question)
        stem_missing: dict[str, bool] = {}

        def missing_stem(term: str) -> bool:
            if term not in stem_missing:
                stem_missing[term] = term in question_terms and not self._known(term, self.stem_vocabulary)
            return stem_missing[term]

        # Missing only when neither the word as written nor its stem is found anywhere (each
        # lookup only while the word can still be missing: they read the vocabulary on disk).
        return [
            w for w in sorted(words)
            if w not in STOPWORDS and self.analyze(w) and all(missing_stem(t) for t in self.analyze(w)) and not self._known(w, self.vocabulary)
        ]

    def _known(self, term: str, vocabulary: WordSet) -> bool:
        # A Nynorsk word is known when its Bokmål spelling is ("utgreiinga" ~ "utredningen").
        return self._known_as_written(term, vocabulary) or any(
            self._known_as_written(v, vocabulary) for v in bokmal_variants(term)
        )

    def _known_as_written(self, term: str, vocabulary: WordSet) -> bool:
        if len(term) < 5 or term.isdigit() or term in FILLER_WORDS:
            return True
        if len(term) > LONGEST_WORD:
            return False  # not a word ("a" * 3999): the compound and spelling checks below cost len² lookups
        pieces = [p for p in re.split(r"[-/]", term) if p]
        if len(pieces) > 1:
            return all(self._known(p, vocabulary) or len(p) < 3 for p in pieces)
        # Inflected forms start with the term; compounds end with it after a real first part.
        if term in vocabulary or vocabulary.has_prefix(term, min_length=len(term) + 1) or vocabulary.has_suffix(term, min_length=len(term) + 3):
            return True
        # A compound of two parts the archive knows. The first part must be a word the archive
        # uses on its own (with or without a linking "s"/"e"): the start of a longer word is not a
        # topic ("fiske" inside "fiskeridepartementet" does not make "fiskeoppdrett" known). The
        # second part is a word, or an inflection or compound of one, not merely a word sharing
        # its first letters ("oppdrett" is not "oppdrag").
        for cut in range(4, len(term) - 2):
            left, right = term[:cut], term[cut:]
            if left not in vocabulary and not (left[-1] in "se" and left[:-1] in vocabulary):
                continue
            if right in vocabulary or (len(right) >= 4 and (
                self.vocabulary.has_prefix(right) or any(right[:n] in self.vocabulary for n in range(4, len(right) + 1))
            )):
                return True
        # Spelling variants (Nynorsk "kopling"/"handtert" for "kobling"/"håndtert"): longer words
        # only, since one edit turns a short word into another ("kaker" → "saker").
        limit = 0 if len(term) < 7 else (1 if len(term) < 10 else 2)
        if limit == 0:
            return False
        return vocabulary.near(term, limit)

    def _is_word_prefix(self, prefix: str) -> bool:
        """Whether a real word of four letters or more starts with prefix (the word itself included)."""
        return len(prefix) >= 4 and self.vocabulary.has_prefix(prefix)

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
        for hit in hits:
            title = hit.metadata.get("case_title") or ""
            if title and title not in title_bonus:
                share = self.title_match(title_terms, title)
                title_bonus[title] = TITLE_MATCH_BONUS * share if share >= 0.5 else 0.0
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

        def cue_adjustment(rank: int, hit, text: str) -> float:
            adjustment = 0.25 / (1 + rank)
            if wants_critique and CRITIQUE_CUE.search(text):
                adjustment += CRITIQUE_BONUS
            if wants_decision and hit.metadata.get("section_kind") in ("vedtak", "forslag"):
                adjustment += 0.35 if hit.metadata.get("section_kind") == "vedtak" else 0.15
            if route in ("positions", "drafting") and POSITION_CUES.search(text):
                adjustment += 0.35
            if len(text) < 25:
                adjustment -= 0.5  # fragments and bare headings make poor quotes
            if hit.metadata.get("part") in ("front_matter", "agenda"):
                adjustment -= 0.4  # meeting headers and agenda lines repeat what the cases say
            if not wants_summary and is_summary(hit.metadata):
                adjustment -= SUMMARY_PRIOR
            if scope:
                adjustment += _time_adjustment(scope, hit.metadata, text)
            return adjustment + title_bonus.get(hit.metadata.get("case_title") or "", 0.0)

        prepared = []
        for rank, hit, index, text, _ in rows:
            sentence_terms = self.terms(text)
            if THIS_CASE.search(text):  # "arbeidsgruppen for denne saken" names the case's topic
                sentence_terms = sentence_terms | self.terms(hit.metadata.get("case_title") or "")
            lead = _lead_context(self.list_lead.get((hit.chunk_id, index)), hit.metadata, text)
            lead_terms = sentence_terms | self.terms(lead) if lead else None
            cues = {w: answer_cue(text, w) for w in set(part_wants)}
            prepared.append((sentence_terms, lead_terms, cue_adjustment(rank, hit, text), cues))
        best: dict[tuple[str, int], Sentence] = {}
        by_part: dict[tuple[str, int], tuple[list[float], list[float]]] = {}
        for part, (part_text, part_vector) in enumerate(parts):
            terms = self.query_terms(part_text) | (extra_terms or set())
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
            for (rank, hit, index, text, _), (sentence_terms, lead_terms, adjustment, cues), d, zd in zip(rows, prepared, dense, z):
                adjustment += cues[part_wants[part]]
                own = coverage(sentence_terms)
                if lead_terms is not None:
                    own = max(own, 0.85 * coverage(lead_terms))
                # A sentence continues its passage ("Utvalget skal levere …" after "Ekspertgruppen …").
                lexical = max(own, 0.5 * own + 0.4 * chunk_lexical.get(hit.chunk_id, 0.0))
                score = 0.45 * float(zd) + 1.6 * lexical + adjustment
                key = (hit.chunk_id, index)
                scores, part_cues = by_part.setdefault(key, ([float("-inf")] * len(parts), [0.0] * len(parts)))
                if score > scores[part]:
                    scores[part], part_cues[part] = score, cues[part_wants[part]]
                if key not in best or score > best[key].score:
                    best[key] = Sentence(hit.chunk_id, index, text, hit.metadata, score, float(d), lexical, rank, sentence_terms)
        for key, sentence in best.items():
            sentence.part_scores, sentence.part_cues = tuple(by_part[key][0]), tuple(by_part[key][1])
        sentences = sorted(best.values(), key=lambda s: -s.score)
        return _dedupe(sentences)

    def _coverage(self, terms: set[str], found: set[str], variants: dict[str, frozenset[str]]) -> float:
        """IDF-weighted share of the question's terms in `found`; a term met only inside a compound
        ("reformutvalg" in "helsereformutvalg", "gruppe" as the head of "arbeidsgruppe") counts less."""
        total = 0.0
        for term in terms:
            if term in found:
                total += self.idf.get(term, self.default_idf)
            else:
                within, heads, modifiers = variants[term]
                if within and not within.isdisjoint(found):
                    total += COMPOUND_MATCH_WEIGHT * self.idf.get(term, self.default_idf)
                elif heads and not heads.isdisjoint(found):
                    # Both halves of the compound in other words: "arbeidsgruppen for innovasjon"
                    # says "innovasjonsgruppen"; the head alone says much less.
                    split = modifiers and not modifiers.isdisjoint(found)
                    total += (COMPOUND_MATCH_WEIGHT if split else HEAD_MATCH_WEIGHT) * self.idf.get(term, self.default_idf)
        return total

    def compound_variants(self, term: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """Archive stems that contain the term as a compound part, those that share its head, and
        the forms of its first part ("innovasjon" of "innovasjonsgrupp")."""
        cached = self._variants.get(term)
        if cached is not None:
            return cached
        if len(self._variants) >= TERM_CACHE:
            self._variants.clear()
        within: set[str] = set()
        heads: set[str] = set()
        modifiers: set[str] = set()
        if len(term) >= 5:
            stems = self.stem_vocabulary
            within = set(stems.with_prefix(term, min_length=len(term) + 3)) | set(stems.with_suffix(term, min_length=len(term) + 3))
            # A compound question word ("innovasjonsgrupp") meets its head in other compounds.
            for cut in range(4, len(term) - 4):
                head = term[cut:]
                modifier = term[:cut].rstrip("s")
                if len(head) >= 5 and head in stems and self._is_word_prefix(modifier):
                    heads = set(stems.with_suffix(head))
                    modifiers = set(stems.with_prefix(modifier, max_length=len(modifier) + 2))
                    break
        result = (frozenset(within - {term}), frozenset(heads - within - {term}), frozenset(modifiers - {term}))
        self._variants[term] = result
        return result

    def title_match(self, question_terms: set[str], title: str) -> float:
        """Share of a case title's words the question uses, compounds included: "innspillet til
        reformutvalget" names the case "Innspill til Helsereformutvalget"."""
        title_terms = self.terms(title)
        if not title_terms:
            return 0.0
        weight = lambda t: self.idf.get(t, self.default_idf)
        matched = 0.0
        for tt in title_terms:
            if tt in question_terms or any(
                len(min(tt, q, key=len)) >= 5 and (q.startswith(tt) or q.endswith(tt) or tt.startswith(q) or tt.endswith(q))
                for q in question_terms
            ):
                matched += weight(tt)
        return matched / sum(weight(t) for t in title_terms)

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
    return 0.0


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
