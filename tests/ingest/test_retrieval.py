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
    sentence = "Rådsleder og Ingrid Stenstadvold Ross bidrar til forordet."
    vector = retriever.embed_query(sentence)
    best = retriever.sentence_store.best_chunks(vector, 5)
    assert best and "Ingrid Stenstadvold Ross bidrar til forordet" in retriever.texts[best[0][0]]
    other_meeting = {m["meeting"] for m in retriever.metadata.values() if m.get("meeting")} - {retriever.metadata[best[0][0]].get("meeting")}
    meeting = sorted(other_meeting)[0]
    filtered = retriever.sentence_store.best_chunks(vector, 5, {"meeting": meeting})
    assert filtered and all(retriever.metadata[cid]["meeting"] == meeting for cid, _ in filtered)
    assert retriever.sentence_store.best_chunks(vector, 5, {"access": []}) == []


def test_nearest_visible_drops_what_the_caller_may_not_see_and_falls_back_to_the_filter(tmp_path):
    """The access filter alone is applied after an unfiltered query (Chroma's filtered path is
    slow when the filter matches most records); a rarely visible level still gets its k."""
    import numpy as np

    from ingest.settings import StoreSettings
    from ingest.store.vectors import VectorIndex
    from ingest.store.visible import nearest_visible

    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((60, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex.open(tmp_path, StoreSettings(collection="visible-test"), 8)
    access = ["public"] * 50 + ["confidential"] * 10
    index.upsert([f"c{i}" for i in range(60)], vectors, [{"access": a, "meeting": f"{i % 3}/2026"} for i, a in enumerate(access)])
    query = vectors[55]  # a confidential record's own vector
    everyone = nearest_visible(index, query, 5, {})
    assert everyone[0][0] == "c55"
    public = nearest_visible(index, query, 5, {"access": ["public"]})
    assert len(public) == 5 and all(meta["access"] == "public" for _, _, meta in public)
    assert [i for i, _, _ in public] == [i for i, _, m in index_order(index, query) if m["access"] == "public"][:5]
    stored = dict(zip(*(lambda got: (got["ids"], got["metadatas"]))(index.collection.get(include=["metadatas"]))))
    rare = nearest_visible(index, vectors[0], 8, {"access": ["confidential"]})  # 10 of 60: the filtered query
    assert len(rare) == 8 and all(stored[i]["access"] == "confidential" for i, _, _ in rare)
    meeting = nearest_visible(index, query, 5, {"access": ["public"], "meeting": "1/2026"})
    assert len(meeting) == 5 and all(stored[i]["access"] == "public" and stored[i]["meeting"] == "1/2026" for i, _, _ in meeting)
    assert nearest_visible(index, query, 5, {"access": []}) == []
    # The access level may come from elsewhere (the register) instead of Chroma's metadata.
    levels = {i: m["access"] for i, m in stored.items()}
    via_register = nearest_visible(index, query, 5, {"access": ["public"]}, lambda ids: {i: levels[i] for i in ids})
    assert [i for i, _, _ in via_register] == [i for i, _, _ in public]


def index_order(index, query):
    """Every record by exact cosine similarity to query, best first."""
    import numpy as np

    got = index.collection.get(include=["embeddings", "metadatas"])
    scored = [(i, float(np.dot(e, query)), m) for i, e, m in zip(got["ids"], got["embeddings"], got["metadatas"])]
    return sorted(scored, key=lambda item: -item[1])
