"""The fitting hook of `radsarkiv eval --folds`: the refusal threshold and the folds."""
from __future__ import annotations

import json

from evals.fit import fit_refusal_threshold, fold_assignment, write_fitted
from evals.run import load_items


def test_the_threshold_falls_between_answerable_and_off_archive_similarities():
    answerable = [0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92, 0.88, 0.90, 0.87]
    off_archive = [0.79, 0.80, 0.81, 0.82, 0.80]
    fit = fit_refusal_threshold(answerable + off_archive + [None], [True] * 10 + [False] * 5 + [False])
    assert fit.fitted and (fit.positives, fit.negatives) == (10, 5)  # None: decided earlier, not counted
    assert 0.82 < fit.value < 0.86


def test_one_class_fits_nothing_and_keeps_the_shipped_threshold():
    from assistant.fitted import min_evidence_similarity

    fit = fit_refusal_threshold([0.9, 0.88, 0.87], [True, True, True])
    assert not fit.fitted and fit.value == min_evidence_similarity()


def test_folds_are_stratified_and_cover_every_item():
    labels = ["fact"] * 10 + ["unanswerable"] * 5 + ["rare"] * 2
    assignment = fold_assignment(labels, 5)
    assert sorted(set(assignment)) == [0, 1, 2, 3, 4]
    # every fold holds exactly one unanswerable item
    assert sorted(f for f, l in zip(assignment, labels) if l == "unanswerable") == [0, 1, 2, 3, 4]
    assert fold_assignment(labels, 5) == assignment  # repeatable


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


def test_written_values_are_what_the_assistant_reads(tmp_path):
    from evals.fit import ThresholdFit

    path = tmp_path / "fitted.json"
    write_fitted(ThresholdFit(0.8123456, True, 10, 4), ["gold.jsonl"], "python -m evals.fit --set gold.jsonl", path)
    data = json.loads(path.read_text())
    assert data["refusal"]["min_evidence_similarity"] == 0.8123 and data["command"].startswith("python -m evals.fit")
