"""The scorer's arithmetic, on answers and gold-shaped items built here (not the gold file's)."""
from __future__ import annotations

import json

import pytest

from assistant.answer import Answer, Citation, RetrievedPassage
from evals.metrics import (
    Archive,
    GoldItem,
    ItemResult,
    aggregate,
    check_thresholds,
    evidence_rank,
    hit_rates,
    latency_summary,
    normalise,
    score_item,
)
from evals.report import EvalReport, render_markdown, write_report
from evals.run import load_thresholds, map_documents_to_seeds

ARCHIVE_TEXT = (
    "Sak 4/3/2030 Budsjett for fyrtårn\n\n**Vedtak**\n\nStyret vedtok å bevilge 12 millioner\n"
    "kroner til fyrtårnet på Holmen.\u00a0Arbeidet starter i mai.\n\n"
    "Sak 5/3/2030 Eventuelt\n\nIngen saker ble meldt."
)
ARCHIVE = Archive([ARCHIVE_TEXT, "Nyhet: Fyrtårnet på Holmen åpnet for publikum i juni."])
SEEDS = {"doc-bundle": "001", "doc-news": "000"}


def item(**overrides) -> GoldItem:
    base = dict(
        id="t1",
        question="Hva vedtok styret om fyrtårnet?",
        lang="nb",
        type="decision",
        expected_cases=["4/3/2030"],
        expected_docs=["001"],
        answer="12 millioner",
        must_include=["12 millioner", "Holmen"],
        evidence="Styret vedtok å bevilge 12 millioner kroner til fyrtårnet på Holmen.",
        history=[],
    )
    return GoldItem(**(base | overrides))


def citation(case: str | None = "4/3/2030", doc_id: str = "doc-bundle", quote: str = "bevilge 12 millioner kroner") -> Citation:
    return Citation(
        marker=f"[Sak {case}]" if case else "[1]",
        case=case,
        document="Møtebok",
        doc_id=doc_id,
        title="Budsjett",
        meeting="3/2030",
        date="2030-05-02",
        page=3,
        quote=quote,
    )


def passages(*texts: str) -> list[RetrievedPassage]:
    return [RetrievedPassage(chunk_id=f"c{i}", text=t, score=1.0 / (i + 1)) for i, t in enumerate(texts)]


def answer(text: str = "Styret bevilget **12 millioner** til fyrtårnet på  Holmen.", citations=None, context=None, refused=False) -> Answer:
    return Answer(
        answer=text,
        citations=[citation()] if citations is None else citations,
        context=passages(ARCHIVE_TEXT) if context is None else context,
        refused=refused,
    )


def score(gold: GoldItem, ans: Answer, latency: float = 100.0) -> ItemResult:
    return score_item(gold, ans, latency, ARCHIVE, SEEDS)


# --- normalisation -----------------------------------------------------------------------------


def test_normalise_drops_asterisks_case_and_whitespace_runs():
    assert normalise("  **Forslag til  vedtak**\n\n*Innkalling*\tgodkjennes. ") == "forslag til vedtak innkalling godkjennes."
    assert normalise("12\u00a0millioner\u202fkroner") == "12 millioner kroner"
    assert normalise(None) == ""


def test_normalise_keeps_everything_else():
    # Only whitespace, `*` and case: markup like # or <sub> stays, so it must match literally.
    assert normalise("## CO<sub>2</sub>") == "## co<sub>2</sub>"


# --- evidence_hit ------------------------------------------------------------------------------


def test_evidence_rank_is_the_first_passage_that_holds_the_normalised_quote():
    evidence = "Styret vedtok å bevilge 12 millioner kroner"
    ranked = ["Ingen saker ble meldt.", "x", "**Styret** vedtok å\nbevilge 12\u00a0MILLIONER kroner til", "Styret vedtok å bevilge 12 millioner kroner"]
    assert evidence_rank(evidence, ranked) == 3
    assert evidence_rank(evidence, ranked[:2]) is None
    assert evidence_rank("", ranked) is None


def test_hit_rates_count_rank_within_k():
    rates = hit_rates([1, 3, 4, None])
    assert rates == {"evidence_hit@1": 0.25, "evidence_hit@3": 0.5, "evidence_hit@5": 0.75}
    assert hit_rates([]) == {"evidence_hit@1": None, "evidence_hit@3": None, "evidence_hit@5": None}


def test_evidence_split_across_passages_is_a_miss():
    result = score(item(), answer(context=passages("Styret vedtok å bevilge 12 millioner", "kroner til fyrtårnet på Holmen.")))
    assert result.retrieval_scored and result.evidence_rank is None


def test_unanswerable_items_are_not_scored_for_retrieval():
    result = score(item(type="unanswerable", expected_cases=[], expected_docs=[], must_include=[]), answer(refused=True, citations=[]))
    assert not result.retrieval_scored
    assert aggregate([result])["retrieval"]["evidence_hit@5"] is None


# --- case_recall -------------------------------------------------------------------------------


def test_case_recall_is_the_share_of_expected_cases_cited():
    gold = item(expected_cases=["4/3/2030", "5/3/2030", "9/9/2030"])
    result = score(gold, answer(citations=[citation("4/3/2030"), citation("Sak 5/3/2030"), citation("4/3/2030")]))
    assert result.case_recall == pytest.approx(2 / 3)
    assert result.missing_cases == ["9/9/2030"]


def test_case_recall_skips_items_without_expected_cases_and_unanswerable_items():
    assert score(item(expected_cases=[]), answer()).case_recall is None
    assert score(item(type="unanswerable"), answer()).case_recall is None


def test_case_recall_is_zero_without_citations():
    assert score(item(), answer(citations=[])).case_recall == 0.0


def test_case_recall_averages_per_item():
    one = score(item(id="a", expected_cases=["4/3/2030"]), answer())
    half = score(item(id="b", expected_cases=["4/3/2030", "5/3/2030"]), answer())
    assert aggregate([one, half])["answers"]["case_recall"] == pytest.approx(0.75)


# --- citation_precision ------------------------------------------------------------------------


def test_citation_precision_by_case_pools_citations():
    good = score(item(id="a"), answer(citations=[citation("4/3/2030"), citation("5/3/2030")]))
    assert (good.precision_on_target, good.precision_citations) == (1, 2)
    assert len(good.off_target_citations) == 1 and "5/3/2030" in good.off_target_citations[0]
    other = score(item(id="b"), answer(citations=[citation("4/3/2030")]))
    assert aggregate([good, other])["answers"]["citation_precision"] == pytest.approx(2 / 3)


def test_citation_precision_without_expected_cases_uses_documents_or_evidence():
    gold = item(expected_cases=[], expected_docs=["001"])
    by_doc = citation(case=None, doc_id="doc-bundle")
    wrong_doc = citation(case=None, doc_id="doc-news", quote="åpnet for publikum")
    quote_holds_evidence = citation(
        case=None, doc_id="unknown", quote="Styret vedtok å bevilge 12 millioner kroner til fyrtårnet på Holmen. Arbeidet"
    )
    result = score(gold, answer(citations=[by_doc, wrong_doc, quote_holds_evidence]))
    assert (result.precision_on_target, result.precision_citations) == (2, 3)


def test_drafting_and_unanswerable_items_are_excluded_from_precision():
    drafting = score(item(type="drafting"), answer(citations=[citation("7/7/2030")]))
    unanswerable = score(item(type="unanswerable", expected_cases=[]), answer(citations=[citation("7/7/2030")]))
    assert drafting.precision_citations == unanswerable.precision_citations == 0
    assert aggregate([drafting, unanswerable])["answers"]["citation_precision"] is None


def test_empty_citations_leave_precision_unmeasured():
    assert aggregate([score(item(), answer(citations=[]))])["answers"]["citation_precision"] is None


# --- must_include ------------------------------------------------------------------------------


def test_must_include_is_case_and_whitespace_insensitive_and_ignores_bold():
    result = score(item(must_include=["12 MILLIONER", "fyrtårnet på holmen", "mai"]), answer())
    assert result.must_include == pytest.approx(2 / 3)
    assert result.missing_must_include == ["mai"]


def test_items_without_must_include_are_skipped():
    skipped = score(item(must_include=[]), answer())
    full = score(item(id="b"), answer())
    assert skipped.must_include is None
    assert aggregate([skipped, full])["answers"]["must_include"] == 1.0


def test_must_include_reads_the_answer_text_not_the_quotes():
    result = score(item(must_include=["Holmen"]), answer(text="Se sitatet.", citations=[citation(quote="fyrtårnet på Holmen")]))
    assert result.must_include == 0.0


# --- quote_fidelity ----------------------------------------------------------------------------


def test_quote_fidelity_checks_quotes_against_all_documents_normalised():
    quotes = [
        "bevilge 12 millioner kroner til fyrtårnet",  # crosses a line break in the archive
        "Holmen. Arbeidet starter",  # crosses a no-break space
        "**Vedtak** Styret vedtok",  # bold in the archive, none in the quote
        "åpnet for publikum",  # the other document
        "bevilge 13 millioner",  # not in the archive
        "",  # an empty quote proves nothing
    ]
    result = score(item(type="drafting"), answer(citations=[citation(quote=q) for q in quotes]))
    assert (result.verbatim_quotes, result.quotes) == (4, 6)
    assert result.unverified_quotes == ["bevilge 13 millioner", ""]


def test_quote_fidelity_counts_every_item_type_and_is_none_without_citations():
    refused = score(item(type="unanswerable"), answer(citations=[citation(quote="ikke i arkivet")], refused=True))
    assert aggregate([refused])["answers"]["quote_fidelity"] == 0.0
    assert aggregate([score(item(), answer(citations=[]))])["answers"]["quote_fidelity"] is None


def test_a_quote_must_not_span_two_documents():
    assert not Archive(["slutten av én", "start på en annen"]).contains("én start")


# --- refusals ----------------------------------------------------------------------------------


def test_refusal_accuracy_and_false_refusal_rate():
    unanswerable = {"type": "unanswerable", "expected_cases": [], "must_include": []}
    results = [
        score(item(id="u1", **unanswerable), answer(refused=True, citations=[])),
        score(item(id="u2", **unanswerable), answer(refused=False)),
        score(item(id="a1"), answer(refused=True, citations=[])),
        score(item(id="a2"), answer()),
        score(item(id="a3"), answer()),
        score(item(id="a4"), answer()),
    ]
    answers = aggregate(results)["answers"]
    assert answers["refusal_accuracy"] == 0.5
    assert answers["false_refusal_rate"] == 0.25
    assert "answered an unanswerable question" in results[1].failures()
    assert "refused an answerable question" in results[2].failures()


# --- latency and aggregation -------------------------------------------------------------------


def test_latency_percentiles_interpolate_linearly():
    assert latency_summary([10, 20, 30, 40, 50]) == {"p50": 30.0, "p95": 48.0}
    assert latency_summary([]) == {"p50": None, "p95": None}


def test_aggregation_by_type_and_language():
    results = [
        score(item(id="a", type="fact", lang="nb"), answer(), latency=10),
        score(item(id="b", type="fact", lang="en"), answer(context=passages("nothing")), latency=30),
        score(item(id="c", type="who", lang="nb", must_include=["mangler"]), answer(), latency=50),
    ]
    data = EvalReport(results).as_json()
    assert data["n"] == 3
    assert set(data["by_type"]) == {"fact", "who"} and set(data["by_lang"]) == {"nb", "en"}
    fact, nb = data["by_type"]["fact"], data["by_lang"]["nb"]
    assert fact["n"] == 2 and fact["retrieval"]["evidence_hit@1"] == 0.5
    assert fact["latency_ms"] == {"p50": 20.0, "p95": 29.0}
    assert nb["n"] == 2 and nb["answers"]["must_include"] == 0.5 and nb["retrieval"]["evidence_hit@5"] == 1.0
    assert set(fact) == {"n", "retrieval", "answers", "latency_ms"}


def test_as_json_has_exactly_the_agreed_keys():
    results = [score(item(id="a"), answer()), score(item(id="b"), answer(context=passages("x", ARCHIVE_TEXT)))]
    for result, (dense, hybrid) in zip(results, [(2, 1), (None, 4)]):
        result.baseline_ranks = {"dense": dense, "hybrid": hybrid}
        result.baseline_latency_ms = {"dense": 5.0, "hybrid": 7.0}
    data = EvalReport(results, ("dense", "hybrid")).as_json()
    assert set(data) == {"n", "retrieval", "answers", "latency_ms", "by_type", "by_lang", "by_context", "by_set", "baseline"}
    assert set(data["retrieval"]) == {"evidence_hit@1", "evidence_hit@3", "evidence_hit@5"}
    assert set(data["answers"]) == {
        "case_recall", "citation_precision", "must_include", "quote_fidelity", "refusal_accuracy", "false_refusal_rate",
        "top_quote",
    }
    assert set(data["latency_ms"]) == {"p50", "p95"}
    baseline = data["baseline"]
    assert set(baseline) == {"dense", "hybrid", "ratio"}
    assert set(baseline["dense"]) == {"retrieval", "latency_ms", "top_sentence"}
    assert baseline["dense"]["retrieval"] == {"evidence_hit@1": 0.0, "evidence_hit@3": 0.5, "evidence_hit@5": 0.5}
    assert baseline["hybrid"]["retrieval"] == {"evidence_hit@1": 0.5, "evidence_hit@3": 0.5, "evidence_hit@5": 1.0}
    # ours: ranks 1 and 2; the ratio is against the stronger baseline per metric.
    assert baseline["ratio"] == {"evidence_hit@1": 1.0, "evidence_hit@3": 2.0, "evidence_hit@5": 1.0}
    json.dumps(data)  # serialisable as is
    assert EvalReport(results).as_json()["baseline"] is None


def test_questions_from_another_corpus_are_reported_apart_from_the_gold_figures():
    gold = score(item(id="a", type="fact"), answer())
    foreign = score(item(id="neg:b", type="unanswerable"), answer(refused=True))
    foreign.context_kind = "cross_corpus"
    data = EvalReport([gold, foreign]).as_json()
    assert data["n"] == 1 and data["answers"]["refusal_accuracy"] is None
    assert data["by_context"]["cross_corpus"]["answers"]["refusal_accuracy"] == 1.0


# --- thresholds --------------------------------------------------------------------------------


def test_check_thresholds_reports_each_failure_readably():
    thresholds = {
        "_comment": "the issue's targets, inline so the test does not move with the CI floors",
        "retrieval": {"evidence_hit@5": {"min": 0.90}},
        "answers": {
            "case_recall": {"min": 0.90}, "citation_precision": {"min": 0.95}, "must_include": {"min": 0.80},
            "quote_fidelity": {"min": 1.0}, "refusal_accuracy": {"min": 0.90}, "false_refusal_rate": {"max": 0.05},
        },
    }
    assert set(load_thresholds()["answers"]) == set(thresholds["answers"])
    report = {
        "retrieval": {"evidence_hit@5": 0.95},
        "answers": {
            "case_recall": 0.9,
            "citation_precision": 0.94,
            "must_include": 0.8,
            "quote_fidelity": 0.999,
            "refusal_accuracy": None,
            "false_refusal_rate": 0.1,
        },
    }
    failures = check_thresholds(report, thresholds)
    assert len(failures) == 4
    assert any("citation_precision" in f and "below" in f for f in failures)
    assert any("quote_fidelity" in f for f in failures)
    assert any("refusal_accuracy was not measured" in f for f in failures)
    assert any("false_refusal_rate" in f and "above" in f for f in failures)
    report["answers"].update(citation_precision=0.95, quote_fidelity=1.0, refusal_accuracy=0.9, false_refusal_rate=0.05)
    assert check_thresholds(report, thresholds) == []


# --- seeds mapping and report files ------------------------------------------------------------


def test_documents_map_to_the_seed_that_contains_them(tmp_path):
    (tmp_path / "000_aaaa.txt").write_text("Nyhet. " + " ".join(f"nyhetsord{i}" for i in range(40)), encoding="utf-8")
    bundle = " ".join(f"**møteord{i}**" for i in range(200))
    (tmp_path / "001_bbbb.txt").write_text(bundle, encoding="utf-8")
    texts = {
        "pdf": bundle.replace("*", "").replace(" ", "\n"),  # the same bundle, another rendition
        "part": " ".join(f"møteord{i}" for i in range(50, 90)),  # a part of the bundle
        "news": " ".join(f"nyhetsord{i}" for i in range(40)),
        "other": " ".join(f"annet{i}" for i in range(40)),
    }
    assert map_documents_to_seeds(texts, tmp_path) == {"pdf": "001", "part": "001", "news": "000"}
    # Without seeds, the doc_type decides.
    assert map_documents_to_seeds(texts, None, {"news": "nyhet", "pdf": "motepapirer"}) == {
        "pdf": "001", "part": "001", "news": "000", "other": "001"
    }


def test_write_report_writes_json_markdown_items_and_charts(tmp_path):
    results = [score(item(id="ok"), answer()), score(item(id="bad", type="who", lang="en"), answer(citations=[], context=[]))]
    for result in results:
        result.baseline_ranks = {"dense": 1, "hybrid": None}
        result.baseline_latency_ms = {"dense": 3.0, "hybrid": 4.0}
    report = EvalReport(results, ("dense", "hybrid"))
    written = write_report(report, tmp_path / "out")
    names = {p.name for p in written}
    assert names == {"report.json", "report.md", "items.jsonl", "evidence_hit.png", "answers_by_type.png"}
    assert json.loads((tmp_path / "out" / "report.json").read_text()) == json.loads(json.dumps(report.as_json()))
    items = [json.loads(line) for line in (tmp_path / "out" / "items.jsonl").read_text().splitlines()]
    assert [i["id"] for i in items] == ["ok", "bad"] and items[1]["failures"]
    markdown = render_markdown(report)
    assert "| metric | Rådsarkiv | llama-index dense | llama-index hybrid | ratio |" in markdown
    assert "**bad**" in markdown and "missing cases: 4/3/2030" in markdown and "**ok**" not in markdown
    for png in ("evidence_hit.png", "answers_by_type.png"):
        assert (tmp_path / "out" / png).read_bytes()[:4] == b"\x89PNG"
    # --no-baseline: the same files, with our column only.
    write_report(EvalReport(results), tmp_path / "solo")
    assert "| metric | Rådsarkiv |\n" in (tmp_path / "solo" / "report.md").read_text()
    assert json.loads((tmp_path / "solo" / "report.json").read_text())["baseline"] is None


def test_print_shows_ours_beside_the_baselines_and_the_failures():
    from rich.console import Console

    results = [score(item(id="ok"), answer()), score(item(id="bad"), answer(citations=[]))]
    for result in results:
        result.baseline_ranks = {"dense": None, "hybrid": 2}
        result.baseline_latency_ms = {"dense": 3.0, "hybrid": 4.0}
    console = Console(record=True, width=120)
    EvalReport(results, ("dense", "hybrid")).print(console)
    text = console.export_text()
    assert "citation_precision" in text and "hybrid" in text and "ratio" in text
    assert "bad: missing cases: 4/3/2030" in text


def test_a_cited_document_without_a_case_is_on_target_when_the_item_expects_that_document():
    # The item's answer lives in two cases and in a news article (no case number): citing the
    # article is on target, citing another case-less document or another case is not.
    gold = item(expected_cases=["4/3/2030"], expected_docs=["000", "001"])
    article = citation(case=None, doc_id="doc-news")
    other_document = citation(case=None, doc_id="unknown")
    result = score(gold, answer(citations=[citation("4/3/2030"), article, other_document, citation("5/3/2030")]))
    assert (result.precision_on_target, result.precision_citations) == (2, 4)
    # an item that names no document keeps the case rule for every citation
    strict = score(item(expected_cases=["4/3/2030"], expected_docs=[]), answer(citations=[article]))
    assert (strict.precision_on_target, strict.precision_citations) == (0, 1)
