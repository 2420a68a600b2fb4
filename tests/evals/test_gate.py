"""The CI quality gate: the shipped assistant on gold-dev + gold-dev-2 (90 items), against the
floors in evals/thresholds.json.

The floors are regression guards set below the cross-validated (held-out) figures the README
reports, not targets. The gate asks the product as shipped (the refusal model from
assistant/fitted.json), once per item, without the baseline or cross-validation, so it stays a
couple of minutes at most.
"""
from __future__ import annotations

import pytest

from tests.conftest import GOLD_DEV

GOLD_DEV_2 = GOLD_DEV.with_name("gold-dev-2.jsonl")


@pytest.mark.skipif(not (GOLD_DEV.exists() and GOLD_DEV_2.exists()), reason="../shared/evals/gold-dev*.jsonl are not beside the repo")
def test_gold_dev_sets_meet_thresholds(corpus_settings, retriever, tmp_path):
    from evals.run import check_thresholds, load_thresholds, run_eval

    report = run_eval([GOLD_DEV, GOLD_DEV_2], out_dir=tmp_path, with_baseline=False, progress=False, settings=corpus_settings)
    data = report.as_json()
    assert data["n"] >= 85
    thresholds = load_thresholds()
    assert thresholds["_sets"] == ["gold-dev.jsonl", "gold-dev-2.jsonl"]
    failures = check_thresholds(data, thresholds)
    assert not failures, "quality gate failed:\n" + "\n".join(failures) + f"\n\n{data['answers']}\n{data['retrieval']}"
