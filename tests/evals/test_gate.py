"""The CI quality gate: the assistant on gold-dev, against the floors in evals/thresholds.json."""
from __future__ import annotations

import pytest

from tests.conftest import GOLD_DEV


@pytest.mark.skipif(not GOLD_DEV.exists(), reason="../shared/evals/gold-dev.jsonl is not beside the repo")
def test_gold_dev_meets_thresholds(corpus_settings, retriever, tmp_path):
    from evals.run import check_thresholds, load_thresholds, run_eval

    report = run_eval(GOLD_DEV, out_dir=tmp_path, with_baseline=False, progress=False, settings=corpus_settings)
    data = report.as_json()
    assert data["n"] >= 30
    failures = check_thresholds(data, load_thresholds())
    assert not failures, "quality gate failed:\n" + "\n".join(failures) + f"\n\n{data['answers']}\n{data['retrieval']}"
