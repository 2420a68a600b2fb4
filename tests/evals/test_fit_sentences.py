"""The sentence score's weights (assistant/sentence_weights.py) and their fitting
(evals/fit_sentences.py): the weights change how the real scorer ranks real sentences, and the
fit's offline re-scoring of recorded sentences gives exactly what the scorer gives when asked
under those weights (else the fit would choose weights for a scorer that does not exist).
Questions are written for these tests, not taken from a gold set."""
from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.sentence_weights import DEFAULT, sentence_weights, shipped_weights, using_weights
from evals.fit_sentences import rescored

OTHER = replace(DEFAULT, dense=0.3, lexical=2.0, rank_prior=0.5, critique=0.6, decision=1.5, position=0.15, summary=0.6, time=0.5, title=0.6)


@pytest.mark.parametrize("question, route", [
    ("Hva vedtok rådet om tilgang til helsedata?", "facts"),
    ("Hva mener rådet om fellesskapsløsninger?", "positions"),
])
def test_offline_rescoring_matches_the_scorer(assistant, question, route):
    scorer = assistant.extractive.scorer
    retriever = assistant.extractive.retriever
    hits = retriever.search(question, k=8)
    vector = retriever.embed_query(question)
    with using_weights(DEFAULT):
        recorded = scorer.score(question, vector, hits, route)
    with using_weights(OTHER):
        asked = scorer.score(question, vector, hits, route)
    assert recorded and all(s.part_components for s in recorded)
    replayed = {(s.chunk_id, s.index): s.score for s in rescored(recorded, OTHER)}
    direct = {(s.chunk_id, s.index): s.score for s in asked}
    shared = replayed.keys() & direct.keys()
    assert len(shared) >= 0.9 * len(direct)
    assert all(abs(replayed[k] - direct[k]) < 1e-9 for k in shared)
    # The weights matter: other weights give other scores (so the comparison above can fail).
    before = {(s.chunk_id, s.index): s.score for s in recorded}
    assert any(abs(before[k] - direct[k]) > 1e-3 for k in shared)
    # At the weights it was scored with, re-scoring changes nothing.
    assert [(s.chunk_id, s.index) for s in rescored(recorded, DEFAULT)] == [(s.chunk_id, s.index) for s in recorded]


def test_chosen_weights_are_only_a_context():
    assert sentence_weights() == shipped_weights()
    with using_weights(OTHER):
        assert sentence_weights() == OTHER
    assert sentence_weights() == shipped_weights()
