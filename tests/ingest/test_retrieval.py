"""Retrieval over the session's real index: ranking, case numbers as people type them, filters."""
from __future__ import annotations

import pytest

import ingest  # noqa: F401  (offline switches first)
from assistant.retrieval import SearchFilters

META_KEYS = {"case", "meeting", "date", "year", "document", "doc_type", "section", "part", "page_start", "page_end"}


def cases_of(hits) -> list[str | None]:
    return [hit.metadata.get("case") for hit in hits]


def test_search_returns_k_ranked_passages_with_metadata(retriever):
    hits = retriever.search("Hvem bidrar til forordet?", k=5)
    assert len(hits) == 5 and len({h.chunk_id for h in hits}) == 5
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    for hit in hits:
        assert META_KEYS <= set(hit.metadata) and hit.text
        assert set(hit.as_json()) >= {"chunk_id", "score", "text"} | META_KEYS
    assert any("Ingrid Stenstadvold Ross bidrar til forordet" in h.text for h in hits)


@pytest.mark.parametrize("query, case", [
    ("sak 7/1/2026", "7/1/2026"),
    ("Hva ble vedtatt i 7/1-2026?", "7/1/2026"),
    ("Hva ble bestemt i sak 7 i møte 1/2026?", "7/1/2026"),
    ("case 20/2/2026", "20/2/2026"),
    ("Hva var forslaget til vedtak i sak 21/2/2026?", "21/2/2026"),
    ("sak 12/1/2026", "12/1/2026"),  # printed as "Sak 41/3/25": found through the register
])
def test_case_number_queries_put_that_case_first(retriever, query, case):
    own = retriever.case_chunks(case)
    assert own
    hits = retriever.search(query, k=5)
    leading = min(len(own), 5)
    assert cases_of(hits)[:leading] == [case] * leading


def test_case_number_query_without_such_a_case_is_an_ordinary_search(retriever):
    hits = retriever.search("sak 99/9/2030 helsedata", k=5)
    assert len(hits) == 5 and "99/9/2030" not in cases_of(hits)


@pytest.mark.parametrize("filters, check", [
    (SearchFilters(meeting="1/2026"), lambda m: m["meeting"] == "1/2026"),
    (SearchFilters(year=2026), lambda m: m["year"] == 2026),
    (SearchFilters(case="19/2/2026"), lambda m: m["case"] == "19/2/2026"),
    (SearchFilters(doc_type="nyhet"), lambda m: m["doc_type"] == "nyhet"),
    (SearchFilters(meeting="2/2026", doc_type="motepapirer"), lambda m: m["meeting"] == "2/2026"),
])
def test_filters(retriever, filters, check):
    hits = retriever.search("tilgang til helsedata", k=5, filters=filters)
    assert hits and all(check(h.metadata) for h in hits)


def test_filters_that_match_nothing(retriever):
    assert retriever.search("helsedata", k=5, filters=SearchFilters(year=2019)) == []
    assert retriever.search("helsedata", k=5, filters=SearchFilters(meeting="9/2030")) == []


def test_meeting_filter_limits_a_case_query(retriever):
    hits = retriever.search("sak 7/1/2026", k=5, filters=SearchFilters(meeting="2/2026"))
    assert hits and all(h.metadata["meeting"] == "2/2026" for h in hits)


@pytest.mark.parametrize("query, expected", [
    ("Når er rådets lokale på Arendalsuka bestilt?", "Studio Spornes"),
    ("Hvem er utvalgsleder for Helsereformutvalget?", "Gunnar Bovim"),
    ("Hvor mange intervjuer gjennomførte sekretariatet om tilgang til helseregisterdata?", "14 intervjuer"),
])
def test_facts_are_found_in_the_top_five(retriever, query, expected):
    hits = retriever.search(query, k=5)
    assert any(expected in h.text for h in hits), [h.text[:80] for h in hits]


def test_retriever_keeps_no_per_chunk_state(retriever):
    """Chunk text, metadata, ids and sentence vectors stay in the stores: after searches and case
    reads, nothing the Retriever holds grows with the number of chunks."""
    retriever.search("tilgang til helsedata", k=5)
    retriever.case_chunks("7/1/2026")
    chunks = len(retriever.order)
    assert chunks > 100
    for name, value in vars(retriever).items():
        if isinstance(value, (dict, list, set, tuple)) or hasattr(value, "shape"):
            assert len(value) < chunks, f"Retriever.{name} holds {len(value)} entries for {chunks} chunks"


def test_sentence_collection_finds_a_chunk_by_one_sentence_under_the_filters(retriever):
    from ingest.store.vectors import build_where

    sentence = "Rådsleder og Ingrid Stenstadvold Ross bidrar til forordet."
    vector = retriever.embed_query(sentence)
    best = retriever.sentence_store.best_chunks(vector, 5)
    assert best and "Ingrid Stenstadvold Ross bidrar til forordet" in retriever.texts[best[0][0]]
    other_meeting = {m["meeting"] for m in retriever.metadata.values() if m.get("meeting")} - {retriever.metadata[best[0][0]].get("meeting")}
    meeting = sorted(other_meeting)[0]
    filtered = retriever.sentence_store.best_chunks(vector, 5, build_where({"meeting": meeting}))
    assert filtered and all(retriever.metadata[cid]["meeting"] == meeting for cid, _ in filtered)
    assert retriever.sentence_store.best_chunks(vector, 5, build_where({"access": []})) == []
