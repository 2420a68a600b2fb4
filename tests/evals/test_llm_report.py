"""The LLM section of an eval run: both answers of every item side by side, with timings."""
from __future__ import annotations

import json

from assistant.answer import Answer, Citation
from evals.llm_report import LLMComparison
from evals.metrics import Archive, GoldItem, score_item

ARCHIVE_TEXT = "Rådet vedtok å gi innspill. Rundt 600 følger rådet på LinkedIn."


def _citation(quote: str) -> Citation:
    return Citation(marker="[Sak 1/1/2026]", case="1/1/2026", document="d", doc_id="d", title="t",
                    meeting=None, date=None, page=None, quote=quote)


def test_model_answers_are_reported_beside_the_extractive_ones(tmp_path) -> None:
    items = [
        GoldItem(id="a", question="Hvor mange følger rådet?", lang="nb", type="fact", must_include=["600"]),
        GoldItem(id="b", question="Hva vedtok rådet?", lang="nb", type="fact", must_include=["innspill"]),
        GoldItem(id="c", question="Vindkraft?", lang="nb", type="unanswerable"),
    ]
    extractive_a = Answer(answer="«Rådet vedtok å gi innspill.» [Sak 1/1/2026]", citations=[_citation("Rådet vedtok å gi innspill.")])
    model_a = Answer(
        answer="Rundt 600 følger rådet [Sak 1/1/2026].", citations=[_citation("Rundt 600 følger rådet på LinkedIn.")],
        generation={"model": "tiny", "extractive": extractive_a, "first_token_s": 2.0, "elapsed_s": 6.0,
                    "completion_tokens": 20, "sources": 5, "raw_text": "Rundt 600 følger rådet [1.2]."},
    )
    fallback_b = Answer(answer="«Rådet vedtok å gi innspill.» [Sak 1/1/2026]", citations=[_citation("Rådet vedtok å gi innspill.")])
    fallback_b.generation = {"model": "tiny", "extractive": fallback_b, "fallback": "LLM endpoint timed out after 1s"}
    refused_c = Answer(answer="Arkivet inneholder ikke noe om vindkraft.", refused=True)
    asked = [(model_a, 6000.0, None), (fallback_b, 1000.0, None), (refused_c, 10.0, None)]
    archive = Archive([ARCHIVE_TEXT])
    final = [score_item(i, a, ms, archive, {}) for i, (a, ms, _) in zip(items, asked)]

    comparison = LLMComparison.build(items, asked, final, archive, {})
    data = comparison.as_json()
    assert data["model"] == "tiny" and data["n"] == 3
    assert data["sent_to_model"] == 2 and data["model_answer_kept"] == 1
    assert data["fallbacks"] == {"timeout": 1}
    assert data["first_token_s"]["p50"] == 2.0 and data["tokens_per_s"]["p50"] == 5.0  # 20 tokens in 4 s
    # The model found the figure the extractive pick missed; both columns say so.
    assert data["answers"]["with_llm"]["must_include"] == 1.0
    assert data["answers"]["extractive"]["must_include"] == 0.5

    comparison.write(tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "llm_answers.jsonl").read_text().splitlines()]
    assert [r["model_answer_kept"] for r in rows] == [True, False, False]
    assert rows[0]["extractive_answer"] == extractive_a.answer and rows[0]["raw_model_text"].endswith("[1.2].")
    assert "| must_include | 1.000 | 0.500 |" in (tmp_path / "llm.md").read_text()


def test_nothing_is_written_without_a_model() -> None:
    item = GoldItem(id="a", question="q", lang="nb", type="fact")
    answer = Answer(answer="x")
    assert LLMComparison.build([item], [(answer, 1.0, None)], [], Archive([""]), {}) is None
