"""The question's terms against the archive's vocabulary: which words a question uses, which the
archive never uses (the missing-term check behind "Arkivet inneholder ikke …"), how rare a term is,
the compounds that contain or share a term, and how much of a question a text or a case title
covers, IDF-weighted with compounds counted less.

`ArchiveTerms` is the EvidenceScorer's (assistant/evidence.py) side of the vocabulary, split from
its sentence scoring. It needs `analyze`, `archive`, `document_frequency`, `passage_count`, `idf`,
`default_idf`, `vocabulary`, `stem_vocabulary` and the caches `_terms` and `_variants`, which the
scorer sets from the lexical store's vocabulary for the caller's access levels.
"""
from __future__ import annotations

import re

from assistant.glossary import bokmal_variants
from ingest.store.vocabulary import NoVocabulary, WordSet

QUESTION_WORDS = {
    "hva", "hvem", "hvor", "hvordan", "hvorfor", "når", "hvilke", "hvilken", "hvilket", "kva", "kven", "kvar",
    "korleis", "kvifor", "kor", "kva for", "what", "who", "when", "where", "which", "how", "why",
    "mange", "mye", "many", "much", "rådet", "råd", "council", "rådets", "egentlig", "ifølge", "the",
}
# Words a question uses for emphasis, never for content: their absence proves nothing.
FILLER_WORDS = {"egentlig", "egent", "eigentleg", "faktisk", "konkret", "akkurat", "virkelig", "nemlig"}
# How much a term met only inside a compound, or only as a compound's head, counts towards coverage.
# Not fitted: shares of one term's IDF within lexical coverage, whose weight in the sentence score
# (SentenceWeights.lexical) is the fitted degree of freedom (evals/fit_sentences.py); few questions
# hinge on a term met only inside a compound, so a fit of these shares would be read off a handful
# of items (the pairwise fit of every feature, branch h11b, did worse held-out).
COMPOUND_MATCH_WEIGHT = 0.6
HEAD_MATCH_WEIGHT = 0.3
# A term in at most 3 % of passages (never fewer than 3) names a particular thing, not a theme.
# Not fitted: a definition that the lookups (sentences_naming) and planning share, not a score
# weight; a fit would need labels of which terms name things, which the gold sets do not have.
RARE_TERM_SHARE = 0.03
# Analysed sentences and compound variants kept per scorer (not fitted: a bound on memory, far
# above what one answer analyses, so a long-running server never holds the archive's sentences).
TERM_CACHE = 50_000


# Longer than any word a question uses, compounds included ("helseforskningslovutvalget" is 26).
# Not fitted: a bound on the input, not a weight.
LONGEST_WORD = 60


class ArchiveTerms:
    """The scorer's lookups of question terms in the archive's vocabulary (see the module docstring)."""

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
        # Not fitted: the word lengths here (and in compound_variants, title_match) are where a
        # piece of a word stops turning up inside many others by chance; they decide whether a
        # word exists in the archive, they weigh nothing.
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
