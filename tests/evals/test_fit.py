"""The fitting hook of `radsarkiv eval --folds`: the refusal threshold and the folds."""
from __future__ import annotations

import json

from evals.fit import fit_refusal_model, fold_assignment, held_out_figures, write_fitted
from evals.run import load_items


def _features(dense, lexical=0.5, missing=0.0):
    return {"dense": dense, "lexical": lexical, "missing": missing}


def test_the_model_refuses_between_answerable_and_off_archive_evidence():
    answerable = [_features(d) for d in (0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92, 0.88, 0.90, 0.87)]
    off_archive = [_features(d, 0.1, 0.5) for d in (0.79, 0.80, 0.81, 0.82, 0.80)]
    fit = fit_refusal_model(answerable + off_archive + [None], [True] * 10 + [False] * 5 + [False])
    assert fit.fitted and (fit.positives, fit.negatives) == (10, 5)  # None: decided earlier, not counted
    model = fit.model
    assert not model.refuses(_features(0.89)) and model.refuses(_features(0.80, 0.1, 0.5))
    weight = dict(zip(model.features, model.coef))
    assert weight["dense"] > 0 and weight["lexical"] > 0 and weight["missing"] < 0


def test_missing_words_alone_can_decide_when_similarity_does_not():
    # Same similarity on both sides: only the share of words the archive never uses separates them.
    answerable = [_features(0.88, 0.4, 0.0) for _ in range(10)]
    unheld = [_features(0.88, 0.4, 0.6) for _ in range(5)]
    model = fit_refusal_model(answerable + unheld, [True] * 10 + [False] * 5).model
    assert model.refuses(_features(0.88, 0.4, 0.6)) and not model.refuses(_features(0.88, 0.4, 0.0))


def test_one_class_fits_nothing_and_keeps_the_shipped_model():
    from assistant.fitted import refusal_model

    fit = fit_refusal_model([_features(0.9), _features(0.88)], [True, True])
    assert not fit.fitted and fit.model == refusal_model()


def test_held_out_figures_report_each_direction():
    features = [_features(0.9)] * 20 + [_features(0.8, 0.1, 0.5)] * 10 + [None] * 5
    answerable = [True] * 20 + [False] * 15
    groups = ["answerable here"] * 20 + ["other corpus asked here"] * 10 + ["unanswerable here"] * 5
    figures = held_out_figures(features, answerable, groups)
    assert figures["answerable here"] == {"n": 20, "refused": 0.0}
    assert figures["other corpus asked here"]["refused"] == 1.0
    assert figures["unanswerable here"]["refused"] == 1.0  # refused by an earlier rule


def test_folds_are_stratified_and_cover_every_item():
    labels = ["fact"] * 10 + ["unanswerable"] * 5 + ["rare"] * 2
    assignment = fold_assignment(labels, 5)
    assert sorted(set(assignment)) == [0, 1, 2, 3, 4]
    # every fold holds exactly one unanswerable item
    assert sorted(f for f, l in zip(assignment, labels) if l == "unanswerable") == [0, 1, 2, 3, 4]
    assert fold_assignment(labels, 5) == assignment  # repeatable
    # `radsarkiv eval --fold-seed` draws another assignment, still stratified
    other = fold_assignment(labels, 5, seed=1)
    assert other != assignment
    assert sorted(f for f, l in zip(other, labels) if l == "unanswerable") == [0, 1, 2, 3, 4]


def test_negatives_from_another_corpus_become_unanswerable_items(tmp_path):
    gold = tmp_path / "a.jsonl"
    other = tmp_path / "b.jsonl"
    gold.write_text(json.dumps({"id": "x1", "question": "Hva?", "lang": "nb", "type": "fact", "must_include": ["y"]}) + "\n")
    other.write_text(
        json.dumps({"id": "x1", "question": "Hvor ble Bach født?", "lang": "nb", "type": "fact", "must_include": ["Eisenach"]}) + "\n"
        + json.dumps({"id": "x2", "question": "Og hun?", "lang": "nb", "type": "follow_up", "history": [{"role": "user", "content": "Hvem?"}]}) + "\n"
    )
    items = load_items([gold, gold], negatives=other)
    assert [i.id for i in items] == ["x1", "a:x1", "neg:x1"]  # duplicate ids get the set's name
    negative = items[-1]
    assert negative.type == "unanswerable" and not negative.answerable and not negative.must_include


def test_written_values_are_what_the_assistant_reads(tmp_path, monkeypatch):
    import assistant.fitted as fitted

    path = tmp_path / "fitted.json"
    path.write_text(json.dumps({"evidence_weights": {"dense": 0.45}}))  # another script's key stays
    fit = fit_refusal_model([_features(0.9)] * 6 + [_features(0.8, 0.1, 0.5)] * 4, [True] * 6 + [False] * 4)
    write_fitted(fit, ["gold.jsonl"], "python -m evals.fit --set gold.jsonl", {"answerable here": {"n": 6, "refused": 0.0}}, path)
    data = json.loads(path.read_text())
    assert data["command"].startswith("python -m evals.fit") and data["evidence_weights"] == {"dense": 0.45}
    assert data["refusal"]["held_out"]["answerable here"]["n"] == 6
    monkeypatch.setattr(fitted, "FITTED_PATH", path)
    fitted.fitted_values.cache_clear()
    try:
        assert fitted.refusal_model() == fit.model
    finally:
        monkeypatch.undo()
        fitted.fitted_values.cache_clear()
