"""The fitted fusion of the hybrid search, on the session's real index and the real embedder."""
from __future__ import annotations

import json

import numpy as np
import pytest

import ingest  # noqa: F401  (offline switches first)
from assistant.reranking import FUSION_FEATURES, FittedFusion, candidate_features
from assistant.cues import NAME_CUE
from ingest.store.visible import nearest_visible

QUESTION = "Hvordan kan ventetiden for tilgang til helsedata fra registrene kortes ned?"


@pytest.fixture
def logged(retriever):
    """The candidates and features of one search, as the retriever logs them for fitting."""
    retriever.candidate_log = []
    try:
        retriever.search(QUESTION, k=5)
        yield retriever.candidate_log[-1]
    finally:
        retriever.candidate_log = None


def test_candidates_carry_exact_cosines_and_their_place_in_each_list(retriever, logged):
    query, candidates, features = logged
    assert query == QUESTION and features.shape == (len(candidates), len(FUSION_FEATURES))
    vector = retriever.embed_query(QUESTION)
    dense = {cid: score for cid, score, _ in nearest_visible(retriever.vectors, vector, 40, retriever.where(None, None), retriever.reader.access)}
    in_dense = [c for c in candidates if c.dense_rank is not None]
    assert in_dense and len(in_dense) == len(dense)
    for c in in_dense:
        # The cosine read from the embedding cache is the one the vector store ranked by.
        assert c.dense == pytest.approx(dense[c.chunk_id], abs=1e-4)
    # A candidate only BM25 found still has its cosines: the fusion compares like with like.
    lexical_only = [c for c in candidates if c.dense_rank is None and c.sentence_rank is None]
    assert lexical_only and all(c.dense is not None for c in lexical_only)
    with_sentences = {cid for cid, *_ in retriever.reader.sentences.of(c.chunk_id for c in lexical_only)}
    assert with_sentences and all(c.sentence is not None for c in lexical_only if c.chunk_id in with_sentences)
    # The closest sentence is at least as close as the passage's dense-list neighbours suggest,
    # and the best candidate on each similarity has gap 0.
    column = {name: i for i, name in enumerate(FUSION_FEATURES)}
    assert features[:, column["dense_gap"]].max() == pytest.approx(0.0)
    assert features[:, column["sentence_gap"]].max() == pytest.approx(0.0)
    assert features[:, column["lexical_share"]].max() == pytest.approx(1.0)
    assert np.all(features[:, column["term_coverage"]] <= 1.0)


def test_search_ranks_by_the_fitted_fusion_and_falls_back_to_reciprocal_rank(retriever, logged):
    from assistant.fitted import fusion_weights

    shipped = FittedFusion.from_json(fusion_weights())
    assert shipped is not None and retriever.fusion == shipped
    _, candidates, features = logged
    probability = dict(zip((c.chunk_id for c in candidates), shipped.score(features)))
    hits = retriever.search(QUESTION, k=5)
    assert [h.chunk_id for h in hits] == sorted(probability, key=lambda cid: -probability[cid])[:5]
    assert all(0.0 < h.score < 1.0 for h in hits)

    saved = retriever.fusion
    retriever.fusion = None
    try:
        fallback = retriever.search(QUESTION, k=5)
    finally:
        retriever.fusion = saved
    config = retriever.settings.retrieval
    top = next(c for c in candidates if c.chunk_id == fallback[0].chunk_id)
    expected = sum(
        weight / (config.rrf_k + rank + 1)
        for weight, rank in ((config.dense_weight, top.dense_rank), (config.lexical_weight, top.lexical_rank), (config.sentence_weight, top.sentence_rank))
        if rank is not None and rank < config.candidates
    )
    assert fallback[0].score == pytest.approx(expected)


def test_fitted_json_round_trips_and_other_features_are_refused():
    model = FittedFusion(tuple([0.0] * len(FUSION_FEATURES)), tuple([1.0] * len(FUSION_FEATURES)), tuple([1.0] + [0.0] * (len(FUSION_FEATURES) - 1)), -0.5)
    assert FittedFusion.from_json(json.loads(json.dumps(model.as_json()))) == model
    stale = model.as_json() | {"features": list(FUSION_FEATURES[:-1])}
    assert FittedFusion.from_json(stale) is None  # weights of another feature set are never misapplied
    assert FittedFusion.from_json(None) is None
    x = np.array([[0.0] * len(FUSION_FEATURES), [2.0] + [0.0] * (len(FUSION_FEATURES) - 1)])
    assert model.score(x)[1] > model.score(x)[0]
    assert candidate_features("spørsmål", []).shape == (0, len(FUSION_FEATURES))


def _logged_features(retriever, question: str, hints):
    retriever.candidate_log = []
    try:
        retriever.search(question, k=5, hints=hints)
        _, candidates, features = retriever.candidate_log[-1]
    finally:
        retriever.candidate_log = None
    return candidates, features


def test_what_the_question_asks_for_is_met_by_the_passages_that_hold_it(retriever):
    from assistant.analysis import analyse
    from assistant.reranking import RankHints

    column = {name: i for i, name in enumerate(FUSION_FEATURES)}
    question = "Hvem sitter i arbeidsgruppen for innovasjon i helsetjenesten?"
    analysis = analyse(question)
    assert analysis.answer_type == "person"
    candidates, features = _logged_features(retriever, question, RankHints.from_analysis(analysis))
    person = features[:, column["answer_person"]]
    # Passages under their heading line that name someone (two capitalised words) meet a "hvem"
    # question; the others do not, and nothing else asked for is met.
    named = [c for c, flag in zip(candidates, person) if flag]
    unnamed = [c for c, flag in zip(candidates, person) if not flag]
    assert named and unnamed
    assert all(NAME_CUE.search(c.text.partition("\n")[2] or c.text) for c in named)
    assert not any(NAME_CUE.search(c.text.partition("\n")[2] or c.text) for c in unnamed)
    assert not features[:, [column["answer_date"], column["answer_count"], column["time_match"]]].any()
    # The same search without the question's analysis (a tool's plain search) meets nothing.
    _, plain = _logged_features(retriever, question, None)
    assert not plain[:, [column[n] for n in ("answer_person", "answer_date", "answer_count", "decision_asked", "time_match")]].any()


def test_passages_from_the_meeting_or_month_the_question_names_are_marked(retriever):
    from assistant.analysis import analyse
    from assistant.reranking import RankHints

    column = {name: i for i, name in enumerate(FUSION_FEATURES)}
    for question, wanted in (
        ("Hva diskuterte rådet om helsedata i januar 2026?", lambda meta: str(meta.get("date", "")).startswith("2026-01")),
        ("Hva ble vedtatt om helsedata på møte 2/2026?", lambda meta: meta.get("meeting") == "2/2026"),
    ):
        candidates, features = _logged_features(retriever, question, RankHints.from_analysis(analyse(question)))
        marked = features[:, column["time_match"]]
        assert marked.any() and not marked.all()
        assert [bool(flag) for flag in marked] == [bool(wanted(c.metadata)) for c in candidates]


def test_rare_question_words_weigh_more_and_words_no_passage_uses_do_not_dilute(retriever):
    from ingest.store.lexical import analyze

    column = {name: i for i, name in enumerate(FUSION_FEATURES)}
    question = "Habilitet i rådet"
    candidates, features = _logged_features(retriever, question, None)
    idf = features[:, column["idf_coverage"]]
    assert np.all((0.0 <= idf) & (idf <= 1.0)) and idf.max() > 0
    # "habilitet" is in few passages, "rådet" in about half: each is half of the question by
    # term_coverage, but a passage with the rare word covers more of it by IDF than one with only
    # the common word.
    rare, common = analyze("habilitet")[0], analyze("rådet")[0]
    assert 0 < retriever.term_idf(common) < retriever.term_idf(rare)
    with_rare = [i for i, c in enumerate(candidates) if rare in c.text.lower() and common not in c.text.lower()]
    only_common = [i for i, c in enumerate(candidates) if common in c.text.lower() and rare not in c.text.lower()]
    assert with_rare and only_common
    assert min(idf[with_rare]) > max(idf[only_common])
    # Words no passage uses (an English question's own words, mostly) are skipped: the same
    # candidates keep their IDF coverage, while the plain term coverage falls.
    padded = candidate_features(question + " wherewithal notwithstanding", candidates, None, retriever.term_idf)
    assert retriever.term_idf(analyze("notwithstanding")[0]) == 0.0
    assert np.allclose(padded[:, column["idf_coverage"]], idf)
    assert np.all(padded[:, column["term_coverage"]] <= features[:, column["term_coverage"]])
    assert np.any(padded[:, column["term_coverage"]] < features[:, column["term_coverage"]])
    # Without the index's IDF (a plain feature call) the share is 0, never a guess.
    assert not candidate_features(question, candidates)[:, column["idf_coverage"]].any()


def test_a_compound_the_archive_does_not_use_counts_as_the_two_words_it_does(retriever):
    from assistant.reranking import archive_parts
    from ingest.store.lexical import analyze

    column = {name: i for i, name in enumerate(FUSION_FEATURES)}
    # No passage says "registerforskningen"; passages say "register" and "forskning".
    term = analyze("registerforskningen")[0]
    assert retriever.term_idf(term) == 0.0
    assert archive_parts(term, retriever.term_idf) == ["register", "forskning"]
    # A word the archive uses, and a foreign word whose pieces it does not, stay whole.
    for word in ("helsedata", "notwithstanding"):
        assert archive_parts(analyze(word)[0], retriever.term_idf) == [analyze(word)[0]]
    question = "Hva sier rådet om registerforskningen?"
    candidates, features = _logged_features(retriever, question, None)
    idf = features[:, column["idf_coverage"]]
    register, research = "register", "forskning"
    both = [i for i, c in enumerate(candidates) if register in c.text.lower() and research in c.text.lower()]
    neither = [i for i, c in enumerate(candidates) if register not in c.text.lower() and research not in c.text.lower()]
    assert both and neither
    # The passages that use both parts cover more of the question than those using neither.
    assert min(idf[both]) > max(idf[neither])
