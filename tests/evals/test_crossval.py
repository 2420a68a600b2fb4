"""`radsarkiv eval --docs DIR --folds K` end to end, on a small folder written here: the folder is
indexed into its own data directory, each item is scored in its held-out fold with the refusal
model fitted on the others (or, with nothing to fit, the shipped one), questions from another corpus are refused and reported apart,
and the llama-index baseline reads the same files."""
from __future__ import annotations

import json

import pytest

from tests.evals.test_baseline import FILES

GOLD = [
    {"id": "g1", "question": "Hva skal den nye brannstasjonen koste?", "must_include": ["48 millioner kroner"],
     "evidence": "Byggingen skal koste 48 millioner kroner og stå ferdig høsten 2028.", "expected_docs": ["brannvern"]},
    {"id": "g2", "question": "Når skal brannstasjonen stå ferdig?", "must_include": ["høsten 2028"],
     "evidence": "Byggingen skal koste 48 millioner kroner og stå ferdig høsten 2028.", "expected_docs": ["brannvern"]},
    {"id": "g3", "question": "Hvem dekker halvparten av kostnaden for moloen?", "must_include": ["Kystverket"],
     "evidence": "Tilskuddet fra Kystverket dekker halvparten av kostnaden", "expected_docs": ["havn"]},
    {"id": "g4", "question": "Hvorfor protesterte foreldrerådet?", "must_include": ["lengre skolevei"],
     "evidence": "Foreldrerådet protesterte mot lengre skolevei.", "expected_docs": ["skole"]},
]
OTHER_CORPUS = [
    "Hvem komponerte Brandenburgkonsertene?",
    "Hvilket år ble Eiffeltårnet bygget?",
    "Hva er hovedstaden i Australia?",
    "Hvor mange spillere er det på et fotballag?",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from evals.run import run_eval

    root = tmp_path_factory.mktemp("eval-docs")
    docs = root / "docs"
    docs.mkdir()
    for name, text in FILES.items():
        (docs / name).write_text(text, encoding="utf-8")
    gold = root / "gold.jsonl"
    gold.write_text("".join(json.dumps({"lang": "nb", "type": "fact", **g}, ensure_ascii=False) + "\n" for g in GOLD))
    other = root / "other.jsonl"
    other.write_text("".join(
        json.dumps({"id": f"o{i}", "question": q, "lang": "nb", "type": "fact"}, ensure_ascii=False) + "\n"
        for i, q in enumerate(OTHER_CORPUS)
    ))
    return run_eval([gold], docs=docs, data_dir=root / "data", folds=2, negatives=other, progress=False).as_json(), root


def test_the_folder_is_indexed_into_its_own_data_dir(report):
    data, root = report
    assert (root / "data" / "register.sqlite").exists()
    assert data["docs"].endswith("docs") and data["n"] == len(GOLD)


def test_every_item_is_scored_in_its_held_out_fold(report):
    data, _ = report
    cv = data["crossval"]
    assert cv["folds"] == 2 and cv["held_out_only"]
    assert sum(fit["held_out"] for fit in cv["fits"]) == len(GOLD) + len(OTHER_CORPUS)
    # The other corpus's questions reach the evidence test (nothing the register holds decides
    # them), so every fold's refusal model is fitted on both classes and reported with its weights.
    assert all(fit["positives"] > 0 and fit["negatives"] > 0 and fit["fitted"] for fit in cv["fits"])
    assert all(set(fit["model"]["features"]) == {"dense", "lexical", "missing"} for fit in cv["fits"])


def test_the_folder_s_own_questions_are_answered_and_other_corpora_refused(report):
    data, _ = report
    answers = data["answers"]
    assert answers["must_include"] >= 0.5 and answers["false_refusal_rate"] <= 0.5
    assert answers["citation_precision"] == 1.0  # cited documents are named by file name
    assert data["by_context"]["cross_corpus"]["answers"]["refusal_accuracy"] == 1.0


def test_the_baseline_reads_the_same_files_and_reports_its_top_sentence(report):
    data, _ = report
    hybrid = data["baseline"]["hybrid"]
    assert hybrid["retrieval"]["evidence_hit@5"] == 1.0  # it indexed the folder, not corpus/
    assert hybrid["top_sentence"] is not None
