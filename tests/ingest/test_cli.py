"""The `radsarkiv` command as a user runs it: a subprocess of the venv's console script, pointed
at the session's index through RADSARKIV_DATA_DIR."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from test_council import DECISIONS, MINUTES_TITLES, PAPER_TITLES, PROPOSALS, TYPOS, norm

RADSARKIV = str(Path(sys.executable).with_name("radsarkiv"))
SUMMARY_KEYS = {"number", "literal_number", "title", "meeting", "date", "proposal", "decision", "document", "flagged",
                "resolution_note", "agenda_title", "paper_title"}


def run(args: list[str], data_dir: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADSARKIV_")}
    env["RADSARKIV_DATA_DIR"] = str(data_dir)
    env["COLUMNS"] = "200"  # rich tables: room for whole case numbers and titles
    return subprocess.run([RADSARKIV, *args], env=env, capture_output=True, text=True, timeout=timeout)


def run_json(args: list[str], data_dir: Path):
    result = run(args, data_dir)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


# ------------------------------------------------------------------------------ cases


@pytest.fixture(scope="module")
def cases(corpus_settings) -> list[dict]:
    return run_json(["cases", "--json"], corpus_settings.data_dir)


def test_cases_json_lists_the_24_cases_in_order(cases):
    assert [c["number"] for c in cases] == list(MINUTES_TITLES) + list(PAPER_TITLES)
    for case in cases:
        assert set(case) == SUMMARY_KEYS  # the summary only, no sections
        assert case["document"] == "ho21-mote-2-2026-motepapirer"


def test_cases_json_values(cases):
    by_number = {c["number"]: c for c in cases}
    for number, title in {**MINUTES_TITLES, **PAPER_TITLES}.items():
        case = by_number[number]
        assert norm(case["title"]) == title, number
        if number in MINUTES_TITLES:
            assert (case["meeting"], case["date"], case["proposal"]) == ("1/2026", "2026-01-14", None), number
            assert norm(case["decision"]) == DECISIONS[number], number
        else:
            assert (case["meeting"], case["date"], case["decision"]) == ("2/2026", "2026-03-04", None), number
            assert norm(case["proposal"]) == PROPOSALS[number], number
        assert case["flagged"] == (number in TYPOS), number
        assert case["literal_number"] == TYPOS.get(number, number)
        assert (case["resolution_note"] is not None) == case["flagged"]
    assert (by_number["16/2/2026"]["agenda_title"], by_number["16/2/2026"]["paper_title"]) == (
        "Oversikt meldinger og strategier", "Oppfølging av meldinger og strategier")


def test_cases_table(corpus_settings):
    result = run(["cases"], corpus_settings.data_dir)
    assert result.returncode == 0 and "7/1/2026" in result.stdout and "Tilgang til helsedata" in result.stdout


def test_cases_without_an_index_says_so(tmp_path):
    result = run(["cases", "--json"], tmp_path / "tom")
    assert result.returncode != 0
    assert "radsarkiv ingest" in (result.stdout + result.stderr)


# ------------------------------------------------------------------------------ search

SEARCHES = {
    "plain": ["search", "Hvem bidrar til forordet?", "--json", "--k", "5"],
    "7/1-2026": ["search", "Hva ble vedtatt i 7/1-2026?", "--json", "--k", "5"],
    "sak 7 i møte 1/2026": ["search", "sak 7 i møte 1/2026", "--json", "--k", "5"],
    "case 20/2/2026": ["search", "case 20/2/2026", "--json", "--k", "3"],
    "meeting+year+type": ["search", "tilgang til helsedata", "--json", "--k", "5", "--meeting", "1/2026", "--year",
                          "2026", "--type", "motepapirer"],
    "case filter": ["search", "tilgang til helsedata", "--json", "--k", "5", "--case", "19/2/2026"],
    "type nyhet": ["search", "rundebordsmøter", "--json", "--k", "5", "--type", "nyhet"],
}


@pytest.fixture(scope="module")
def searches(corpus_settings) -> dict[str, list[dict]]:
    """All searches at once: each process loads the embedder, so they run side by side."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run_json, args, corpus_settings.data_dir) for name, args in SEARCHES.items()}
        return {name: future.result() for name, future in futures.items()}


def test_search_json_gives_k_ranked_passages_with_metadata(searches):
    hits = searches["plain"]
    assert len(hits) == 5
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        assert {"chunk_id", "score", "text", "case", "meeting", "date", "document", "doc_type", "section",
                "page_start"} <= set(hit)
    assert any("Ingrid Stenstadvold Ross bidrar til forordet" in hit["text"] for hit in hits)


@pytest.fixture(scope="module")
def chunks_per_case(corpus_settings) -> dict[str, int]:
    from ingest.store.register import Register

    register = Register.open_readonly(corpus_settings.register_path)
    try:
        counts: dict[str, int] = {}
        for _, _, meta in register.chunks():
            counts[meta["case"]] = counts.get(meta["case"], 0) + 1
        return counts
    finally:
        register.close()


@pytest.mark.parametrize("name, case, k", [
    ("7/1-2026", "7/1/2026", 5),
    ("sak 7 i møte 1/2026", "7/1/2026", 5),
    ("case 20/2/2026", "20/2/2026", 3),
])
def test_case_number_queries(searches, chunks_per_case, name, case, k):
    hits = searches[name]
    leading = min(chunks_per_case[case], k)
    assert len(hits) == k and [hit["case"] for hit in hits[:leading]] == [case] * leading


def test_filters(searches):
    assert searches["meeting+year+type"] and all(
        (h["meeting"], h["year"], h["doc_type"]) == ("1/2026", 2026, "motepapirer") for h in searches["meeting+year+type"])
    assert searches["case filter"] and all(h["case"] == "19/2/2026" for h in searches["case filter"])
    assert searches["type nyhet"] and all(h["doc_type"] == "nyhet" for h in searches["type nyhet"])


# ------------------------------------------------------------------------------ ingest


def test_ingest_reports_a_broken_pdf_with_exit_code_2_and_keeps_the_rest(tmp_path):
    archive = tmp_path / "arkiv"
    archive.mkdir()
    (archive / "notat.md").write_text("# Notat om ventetider\n\nVentetiden for registerdata var elleve uker i 2027.\n",
                                      encoding="utf-8")
    (archive / "skadet.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")  # cut off mid-file
    data = tmp_path / "index"

    result = run(["ingest", str(archive), "--json"], data)
    assert result.returncode == 2, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert set(summary) == {"documents", "cases", "chunks", "embedded", "skipped_unchanged", "removed", "errors", "notes"}
    assert (summary["documents"], summary["cases"]) == (1, 0) and summary["chunks"] >= 1 and summary["embedded"] >= 1
    assert len(summary["errors"]) == 1
    assert summary["errors"][0]["path"].endswith("skadet.pdf") and "PDF" in summary["errors"][0]["error"]

    # Again, without --json: the good file is unchanged, the broken one is still reported.
    again = run(["ingest", str(archive)], data)
    assert again.returncode == 2
    assert "skadet.pdf" in again.stderr and "1 dokumenter" in again.stderr and "0 nye innbygginger" in again.stderr
