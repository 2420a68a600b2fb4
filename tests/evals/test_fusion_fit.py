"""Fitting the retrieval fusion (evals/fusion.py) on candidates the real retriever logs."""
from __future__ import annotations

import json

import ingest  # noqa: F401  (offline switches first)
from assistant.reranking import FUSION_FEATURES
from evals.fusion import EXTRA_PATH, collect_groups, fit_fusion, fold_fusions, load_extra, write_fusion
from evals.metrics import GoldItem

# Our own questions with a phrase of the passage that answers them (not gold items).
ITEMS = [
    GoldItem(id="a", question="Hvilke endringer øker presset på personell og offentlige budsjetter?", lang="nb", type="fact",
             evidence="Flere eldre, færre i yrkesaktiv alder og mer komplekse behov"),
    GoldItem(id="b", question="Hva gjør innovasjon vanskelig å forankre i linjen?", lang="nb", type="fact",
             evidence="Dessuten starter mye innovasjon med ildsjeler"),
    GoldItem(id="c", question="Hva legger anskaffelser mest vekt på i dag?", lang="nb", type="fact",
             evidence="anskaffelser innrettes ofte mer for å redusere risiko og sikre budsjettkontroll"),
    GoldItem(id="d", question="Hva måles helse- og omsorgstjenesten på?", lang="nb", type="fact",
             evidence="måles helse- og omsorgstjenesten i stor grad på aktivitet"),
    GoldItem(id="e", question="Hva er hovedstaden i Peru?", lang="nb", type="unanswerable"),
]


def test_groups_label_the_passages_holding_the_evidence(assistant):
    groups = collect_groups(assistant, ITEMS, progress=False)
    assert groups[-1] is None  # nothing to learn from an unanswerable item
    for item, group in zip(ITEMS, groups[:-1]):
        assert group is not None and group.item_id == item.id
        assert group.features.shape == (len(group.labels), len(FUSION_FEATURES))
        assert 1 <= group.labels.sum() < len(group.labels)
    assert assistant.retriever.candidate_log is None  # logging is off again


def test_each_fold_is_ranked_by_a_model_fitted_without_it(assistant):
    assignment = [0, 0, 1, 1, 1]
    folds = fold_fusions(assistant, ITEMS, assignment, 2, progress=False)
    groups = collect_groups(assistant, ITEMS, progress=False)
    extra = load_extra(ITEMS)  # the other corpus's saved candidates join every training fold
    assert folds.models[0] == fit_fusion(groups[2:] + extra)
    assert folds.models[1] == fit_fusion(groups[:2] + extra)
    assert folds.models[0] != folds.models[1]
    retriever = assistant.retriever
    shipped = retriever.fusion
    with folds.for_item(3):
        assert retriever.fusion == folds.models[1]
    assert retriever.fusion is shipped


def test_the_fitted_model_ranks_its_training_evidence_high_and_is_written_beside_other_entries(assistant, tmp_path):
    groups = collect_groups(assistant, ITEMS, progress=False)
    model = fit_fusion(groups)
    assert model is not None
    for group in (g for g in groups if g is not None):
        scores = model.score(group.features)
        best_labelled = scores[group.labels == 1].max()
        assert (scores > best_labelled).sum() < 5  # the evidence passage is in the top five
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps({"refusal": {"min_evidence_similarity": 0.5}}), encoding="utf-8")
    write_fusion(model, {"archive": {}}, "python -m evals.fusion --set x", path)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["refusal"] == {"min_evidence_similarity": 0.5}
    assert written["fusion"]["features"] == list(FUSION_FEATURES) and written["fusion"]["command"].startswith("python -m evals.fusion")


def test_the_saved_corpus_never_trains_a_fold_that_asks_its_own_questions():
    import numpy as np

    with np.load(EXTRA_PATH) as data:
        first = str(data["group_questions"][0])
        first_features = data["features"][: int(data["sizes"][0])].astype(np.float64)
    saved = load_extra(ITEMS)  # shipped with the repository (python -m evals.fusion writes it)
    assert saved
    asked_there = ITEMS + [GoldItem(id="x", question=first, lang="nb", type="fact", evidence="…")]
    # Only the asked question's own candidates are left out; the rest of that corpus still trains.
    kept = load_extra(asked_there)
    assert len(kept) == len(saved) - 1
    assert not any(np.array_equal(g.features, first_features) for g in kept)
    assert any(np.array_equal(g.features, first_features) for g in saved)


def test_the_fit_orders_candidates_within_a_question_not_across_questions():
    import numpy as np

    from evals.fusion import Group

    # Column 0 orders each question's candidates (its evidence passage has the highest value);
    # column 1 is the same for all candidates of a question and higher where a question has few
    # candidates, so across questions it goes with the evidence, but it cannot order anything.
    rng = np.random.default_rng(0)
    groups = []
    for size in (3, 5, 20, 40, 4, 30):
        within = rng.normal(size=size)
        labels = np.zeros(size, dtype=int)
        labels[int(np.argmax(within))] = 1
        groups.append(Group(str(size), np.column_stack([within, np.full(size, 1.0 / size)]), labels))
    model = fit_fusion(groups)
    assert model.weights[0] > 0
    assert model.weights[1] == 0.0  # a per-question constant cancels in every pair
    for group in groups:
        assert int(np.argmax(model.score(group.features))) == int(np.argmax(group.labels))
