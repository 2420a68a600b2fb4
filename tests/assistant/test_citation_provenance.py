"""Every citation points to where its quote is: the quote stands in the text of the document the
citation names and, where that document has pages (its PDF rendition), begins on the page named.

Run over every answer to the gold questions (with each item's history). The restricted-document
fixtures (confidential minutes and an internal note that share cases with the public papers) are
checked in tests/trust/test_shared_case_access.py with the same ArchiveText.
"""
from __future__ import annotations

import json

import pytest

from ingest.pages import squeeze
from tests.citation_support import ArchiveText
from tests.conftest import GOLD_DEV

GOLD_SETS = [GOLD_DEV, GOLD_DEV.with_name("gold-dev-2.jsonl")]


def gold_items() -> list[dict]:
    items = []
    for path in GOLD_SETS:
        if path.exists():
            items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


@pytest.fixture(scope="module")
def archive(corpus_settings) -> ArchiveText:
    return ArchiveText.of(corpus_settings)


@pytest.fixture(scope="module")
def gold_answers(assistant):
    items = gold_items()
    if not items:
        pytest.skip("the gold sets (../shared/evals) are not present")
    return [(item["id"], assistant.ask(item["question"], history=item.get("history") or [])) for item in items]


def test_every_gold_citation_points_to_where_its_quote_is(gold_answers, archive):
    citations = [(item_id, c) for item_id, answer in gold_answers for c in answer.citations]
    assert len(citations) > 100  # the gold sets are answered, not refused wholesale
    misplaced = [f"{item_id}: {why}" for item_id, c in citations if (why := archive.misplaced(c))]
    assert misplaced == []


def test_a_quote_on_a_later_page_of_its_passage_is_cited_at_that_page(gold_answers, archive, retriever):
    """Passages run over page breaks: a quote from the second page of one is cited at that page,
    and naming the passage's first page instead is reported."""
    later = []
    for _, answer in gold_answers:
        for citation in answer.citations:
            holders = [
                meta for cid, meta in retriever.metadata.items()
                if meta.get("doc_id") == citation.doc_id and squeeze(citation.quote) in squeeze(retriever.texts[cid])
            ]
            if citation.page is not None and holders and all((m.get("page_start") or 0) < citation.page for m in holders):
                later.append((citation, min(m["page_start"] for m in holders)))
    assert later, "no gold answer quotes a later page of a multi-page passage"
    for citation, first_page in later:
        assert "does not stand on page" in (archive.misplaced(citation.model_copy(update={"page": first_page})) or "")


def test_a_wrong_page_or_document_is_reported(gold_answers, archive):
    paged = [c for _, answer in gold_answers for c in answer.citations if c.page is not None and len(c.quote) > 60]
    assert paged
    for citation in paged[:10]:
        assert "does not stand on page" in (archive.misplaced(citation.model_copy(update={"page": citation.page + 1})) or "")
    moved = paged[0].model_copy(update={"doc_id": "2026-06-24-rundebordsserie-om-helsedata", "page": None})
    assert "is not in document" in (archive.misplaced(moved) or "")
