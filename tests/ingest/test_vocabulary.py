"""The vocabulary saved beside the lexical store answers exactly what a pass over every chunk would.

The answerer's term statistics (document frequency, passage count), real words (membership,
prefix, suffix, spelling variants within one or two edits) and mentioned meetings are read from
vocabulary.sqlite instead of being counted over the archive in the query process. Each lookup is
checked here against that count, made over the real corpus index's chunks.
"""
from __future__ import annotations

import random
from collections import Counter

import pytest

from ingest.case_numbers import find_meeting_references
from ingest.store.lexical import analyze
from ingest.store.vocabulary import WORD, within_edits


@pytest.fixture(scope="module")
def archive(corpus_settings):
    """(the store's vocabulary view over every level, the reference counts from the register)."""
    from ingest.store.lexical_store import LexicalStore
    from ingest.store.register import Register

    store = LexicalStore.open(corpus_settings.lexical_path)
    register = Register.open_readonly(corpus_settings.register_path)
    try:
        texts = [text for _, text, _ in register.chunks()]
    finally:
        register.close()
    frequency: Counter[str] = Counter()
    words: set[str] = set()
    meetings: set[str] = set()
    for text in texts:
        frequency.update(set(analyze(text)))
        words.update(WORD.findall(text.lower()))
        meetings.update(find_meeting_references(text))
    return store.vocabulary.view(None), {"passages": len(texts), "frequency": frequency, "words": words, "meetings": meetings}


def test_counts_match_a_pass_over_every_chunk(archive):
    view, reference = archive
    assert view.passage_count == reference["passages"] > 100
    for term, count in reference["frequency"].most_common(40) + list(reference["frequency"].items())[:200]:
        assert view.document_frequency(term) == count, term
    assert view.document_frequency("kobolthauk") == 0
    assert view.meetings() == reference["meetings"] and reference["meetings"]


def _edited(word: str, rng: random.Random, edits: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyzæøå"
    for _ in range(edits):
        i = rng.randrange(len(word))
        kind = rng.choice("dis")
        if kind == "d":
            word = word[:i] + word[i + 1:]
        elif kind == "i":
            word = word[:i] + rng.choice(letters) + word[i:]
        else:
            word = word[:i] + rng.choice(letters) + word[i + 1:]
    return word


def test_spelling_variants_match_a_scan_of_every_word(archive):
    """near() finds a word within the edits exactly when a scan of every word does, for real
    words changed by one to three edits (so both answers occur)."""
    view, reference = archive
    words = sorted(reference["words"])
    rng = random.Random(13)
    long_words = [w for w in words if len(w) >= 7]
    outcomes = Counter()
    for _ in range(300):
        term = _edited(rng.choice(long_words), rng, rng.randint(1, 3))
        limit = 1 if len(term) < 10 else 2
        expected = any(within_edits(term, w, limit) for w in words if abs(len(w) - len(term)) <= limit)
        assert view.words.near(term, limit) is expected, (term, limit)
        outcomes[expected] += 1
    assert outcomes[True] > 30 and outcomes[False] > 30


def test_prefixes_and_suffixes_match_a_scan_of_every_word(archive):
    view, reference = archive
    words = reference["words"]
    rng = random.Random(5)
    for word in rng.sample(sorted(w for w in words if len(w) >= 6), 60):
        for piece in (word[:4], word[:6], word[-5:], word[1:6]):
            assert set(view.words.with_prefix(piece)) == {w for w in words if w.startswith(piece)}
            assert set(view.words.with_suffix(piece, min_length=len(piece) + 3)) == {w for w in words if w.endswith(piece) and len(w) >= len(piece) + 3}
            assert view.words.has_prefix(piece, min_length=len(piece) + 1) is any(w.startswith(piece) and len(w) > len(piece) for w in words)
            assert (piece in view.words) is (piece in words)
