"""What readers see in every gold-dev / gold-dev-2 answer: readable citation labels, plain-text
quotes, and drafts whose positions and points are the council's own.

General checks over all answers, never per gold item.
"""
from __future__ import annotations

import json
import re
import unicodedata

import pytest

from tests.conftest import REPO

GOLD_SETS = [REPO.parent / "shared" / "evals" / name for name in ("gold-dev.jsonl", "gold-dev-2.jsonl")]

# A page with a letter appended ("s. 83b"), or a number glued to a letter.
PAGE_WITH_LETTER = re.compile(r"\bs\. \d+[A-Za-zæøå]")
MARKER = re.compile(r"\[(?:Sak [^\]]+|[^\]\n]+, s\. [^\]]+)\]")


@pytest.fixture(scope="module")
def gold_answers(assistant):
    items = [json.loads(line) for path in GOLD_SETS if path.exists() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not items:
        pytest.skip("gold-dev sets not found under ../shared/evals")
    return [(item, assistant.ask(item["question"], history=item.get("history") or [])) for item in items]


def _label(marker: str) -> str:
    """The name part of a marker: "[Årsrapport 2025, s. 84 (2)]" → "Årsrapport 2025"."""
    inner = marker.strip("[]")
    inner = re.sub(r" \(\d+\)$", "", inner)
    return re.sub(r", s\. \d+$", "", inner)


def test_citation_labels_are_a_case_or_a_document_name_and_a_real_page(gold_answers, retriever):
    paged_docs = {m["doc_id"] for m in retriever.metadata.values() if m.get("page_start") is not None}
    checked = 0
    for item, answer in gold_answers:
        for marker in set(MARKER.findall(answer.answer)) | {c.marker for c in answer.citations}:
            assert not PAGE_WITH_LETTER.search(marker), (item["id"], marker)
        for citation in answer.citations:
            checked += 1
            label = _label(citation.marker)
            if citation.case and label == f"Sak {citation.case}":
                pass
            else:
                # A document label is the document's (or attachment's) own name, shortened at a
                # word: never a name with letters glued on ("…helsedatab").
                stem = label.removesuffix(" …")
                names = [citation.title, citation.document] + [
                    m.get("part_title") for m in retriever.metadata.values() if m.get("doc_id") == citation.doc_id and m.get("case") == citation.case
                ]
                assert any(name == stem or name.startswith(stem + " ") for name in names if name), (item["id"], citation.marker, names)
            if citation.doc_id in paged_docs:
                assert citation.page is not None and f", s. {citation.page}" in citation.marker, (item["id"], citation.marker)
            else:
                assert ", s. " not in citation.marker
            assert "<" not in citation.quote and "<" not in citation.title, (item["id"], citation.quote)
            assert not re.search(r"\*\*|</?(sub|sup|b|a)\b", citation.quote)
        assert not re.search(r"</?[a-z]+[^>]*>", answer.answer), (item["id"], answer.answer)
    assert checked > 100


def test_several_quotes_of_one_page_are_numbered(gold_answers):
    numbered = [c.marker for _, answer in gold_answers for c in answer.citations if re.search(r" \(\d+\)\]$", c.marker)]
    assert numbered, "some answer quotes one page twice"
    for _, answer in gold_answers:
        markers = [c.marker for c in answer.citations]
        assert len(markers) == len(set(markers))
        for marker in markers:
            match = re.search(r" \((\d+)\)\]$", marker)
            if match:  # "(2)" follows the unnumbered first quote of that page
                assert marker[: match.start()] + "]" in markers


# ---- drafts -------------------------------------------------------------------------------
QUESTION = re.compile(r"\?")
PLACEHOLDER = re.compile(r"\bNN\b|\bXX+\b|\.\.\.|…")
ATTRIBUTION = re.compile(
    r"«(Han|Hun|De)\b|\b(ifølge|i følge|according to|informantene|presenterte|fortalte|uttalte)\b|"
    r"«(?!Rådet\b)\w+\s+(mener|sier|understreket|påpekte|foreslår)\b",
    re.IGNORECASE,
)


def _section(answer_text: str, heading: str) -> list[str]:
    match = re.search(r"\*\*" + re.escape(heading) + r"\*\*\n(.*?)(?:\n\n|$)", answer_text, re.DOTALL)
    return [line for line in match.group(1).splitlines() if line.strip()] if match else []


def test_drafts_have_the_structure_and_only_the_councils_own_positions(gold_answers, retriever):
    from assistant.prompts import phrase

    drafts = [(item, answer) for item, answer in gold_answers if item["type"] == "drafting"]
    assert drafts
    for item, answer in drafts:
        lang = answer.language
        assert answer.route == "drafting", item["question"]
        text = answer.answer
        assert text.startswith(f"**{phrase('draft_banner', lang)}**")
        assert phrase("draft_recipient", lang).splitlines()[0] in text
        assert "HelseOmsorg21" in _section(text, phrase("draft_introduction", lang))[0]
        # One source list, and that is the renderers' (the draft text carries none of its own).
        assert f"**{phrase('heading_sources', lang)}" not in text and f"**{phrase('draft_sources', lang)}**" not in text
        positions = _section(text, phrase("draft_prior_positions", lang))
        points = _section(text, phrase("draft_points", lang))
        assert positions, item["question"]
        for line in positions + points:
            quote = re.search(r"«(.*)»", line)
            if quote is None:  # "no stated position yet"
                continue
            quoted = quote.group(0)
            assert not QUESTION.search(quoted), line
            assert not PLACEHOLDER.search(quoted), line
            assert not ATTRIBUTION.search(quoted), line
            assert "\t" not in quoted, line
            assert MARKER.search(line), line  # each tied to a cited record
        for line in points:
            assert re.search(r"– (jf|cf)\. (Sak|Case) \d+/\d+/\d{4}", line) or "– jf." in line, line
        articles = {m["doc_id"] for m in retriever.metadata.values() if m.get("part") == "article"}
        assert not [c.marker for c in answer.citations if c.doc_id in articles], "a news article states no position of the council"


def test_a_paged_citation_names_the_page_its_quote_begins_on(gold_answers):
    """«s. 84» is where the quote stands in the PDF, not where its chunk began."""
    from ingest.pages import squeeze
    from ingest.readers import read_document

    from tests.conftest import CORPUS

    pages: dict[str, dict[int, str]] = {}
    checked = misplaced = 0
    for item, answer in gold_answers:
        for citation in answer.citations:
            pdf = CORPUS / f"{citation.doc_id}.pdf"
            if citation.page is None or not pdf.exists():
                continue
            if citation.doc_id not in pages:
                pages[citation.doc_id] = {p.number: squeeze(p.text) for p in read_document(pdf).pages}
            opening = squeeze(unicodedata.normalize("NFKC", citation.quote))[:40]
            if len(opening) < 20 or not any(opening in text for text in pages[citation.doc_id].values()):
                continue  # a quote the PDF words differently (tables, headings) proves nothing here
            checked += 1
            if opening not in pages[citation.doc_id][citation.page]:
                misplaced += 1
                print("misplaced", item["id"], citation.marker, citation.quote[:80])
    assert checked > 50 and misplaced == 0
