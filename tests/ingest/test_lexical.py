"""LexicalIndex: Norwegian analysis and BM25 search with bm25s."""
from __future__ import annotations

import json

import pytest

import ingest  # noqa: F401  (offline switches first)
from ingest.store.lexical import LexicalIndex, analyze

TEXTS = {
    "helse": "Rådet ber sekretariatet følge opp arbeidet med helsedata og helseregistre.",
    "sak": "Sak 7/1/2026 Handlingsplan for 2028–2034 ble vedtatt av rådet.",
    "micro": "Tall fra microdata.no viser at CO2-utslippene fra sykehusene går ned.",
    "arendal": "Arendalsuka arrangeres i august, og rådet deltar på et møte.",
    "tom": "og i på det som",
}


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(list(TEXTS), list(TEXTS.values()))


def test_analyzer_keeps_identifiers_and_stems_words():
    terms = analyze("Sak 7/1/2026: HelseOmsorg21-rådet ber om helsedataene for 2028–2034 på microdata.no (CO2).")
    for kept in ("7/1/2026", "2028-2034", "microdata.no", "co2", "helseomsorg21-rådet", "helseomsorg21"):
        assert kept in terms
    assert "om" not in terms and "for" not in terms and "på" not in terms  # stopwords
    assert analyze("helsedataene") == analyze("helsedata") == analyze("Helsedata")
    assert analyze("rådet") == analyze("rådets") == analyze("råd")
    assert analyze("helse") != analyze("hele")  # the extra stemming pass must not over-reach
    assert "2026" not in terms  # a case number does not also match every "2026"
    assert analyze("") == [] and analyze("og i på") == []


def test_stemming_finds_other_inflections(index):
    assert index.search("helsedataene", 3)[0][0] == "helse"
    assert index.search("Rådets møter", 5)[0][0] == "arendal"


def test_case_numbers_ranges_and_domains_are_findable(index):
    assert [i for i, _ in index.search("7/1/2026", 5)] == ["sak"]
    assert [i for i, _ in index.search("2028-2034", 5)] == ["sak"]  # en dash in the text
    assert index.search("microdata.no", 5)[0][0] == "micro"
    assert index.search("CO2", 5)[0][0] == "micro"


def test_results_are_scored_best_first_and_only_matches(index):
    hits = index.search("rådet helsedata", 10)
    scores = [s for _, s in hits]
    assert hits[0][0] == "helse" and scores == sorted(scores, reverse=True) and min(scores) > 0
    assert {i for i, _ in hits} == {"helse", "sak", "arendal"}  # no zero-score padding
    assert len(index.search("rådet", 1)) == 1


def test_allowed_ids_filter_before_top_k():
    # Many strong matches and one weak one: filtering after top-k would lose the weak one.
    ids = [f"strong{i}" for i in range(50)] + ["weak"]
    texts = ["helsedata helsedata helsedata"] * 50 + ["Et langt referat om mye annet, også litt helsedata."]
    index = LexicalIndex.build(ids, texts)
    assert [i for i, _ in index.search("helsedata", 1, allowed_ids={"weak"})] == ["weak"]
    assert len(index.search("helsedata", 5, allowed_ids={"weak", "strong3", "unknown"})) == 2
    assert index.search("helsedata", 5, allowed_ids=set()) == []


def test_empty_queries_and_unknown_words(index):
    assert index.search("", 5) == []
    assert index.search("   og i på ", 5) == []
    assert index.search("kvantedatamaskin", 5) == []
    assert index.search("helsedata", 0) == []


def test_empty_index():
    empty = LexicalIndex.build([], [])
    assert len(empty) == 0 and empty.search("helsedata", 5) == []


def test_save_load_round_trip(index, tmp_path):
    path = tmp_path / "bm25"
    index.save(path)
    index.save(path)  # overwriting an existing index works and leaves no temp dirs behind
    assert [p.name for p in tmp_path.iterdir()] == ["bm25"]
    loaded = LexicalIndex.load(path)
    assert loaded is not None and loaded.ids == index.ids
    for query in ("helsedataene", "7/1/2026", "rådet", "microdata.no"):
        assert loaded.search(query, 5) == index.search(query, 5)

    LexicalIndex.build([], []).save(path)
    reloaded = LexicalIndex.load(path)
    assert reloaded is not None and len(reloaded) == 0


def test_load_returns_none_when_absent_or_stale(index, tmp_path):
    assert LexicalIndex.load(tmp_path / "missing") is None
    path = tmp_path / "bm25"
    index.save(path)
    meta = json.loads((path / "meta.json").read_text())
    meta["analyzer_version"] = -1
    (path / "meta.json").write_text(json.dumps(meta))
    assert LexicalIndex.load(path) is None  # built by another analyzer: caller rebuilds


def test_build_rejects_bad_input():
    with pytest.raises(ValueError, match="duplicate"):
        LexicalIndex.build(["a", "a"], ["x", "y"])
    with pytest.raises(ValueError, match="2 ids for 1 texts"):
        LexicalIndex.build(["a", "b"], ["x"])


# ---- LexicalStore: the memory-mapped BM25 the Retriever queries, filtered on disk ------------------

from ingest.store.lexical_store import LexicalStore  # noqa: E402

ACCESS = {"helse": "internal", "sak": "public", "micro": "confidential", "arendal": "public", "tom": "public"}
META = {
    "helse": {"meeting": "1/2026", "year": 2026, "case": "7/1/2026", "doc_type": "motepapirer", "doc_id": "a"},
    "sak": {"meeting": "1/2026", "year": 2026, "case": "7/1/2026", "doc_type": "motepapirer", "doc_id": "a"},
    "micro": {"meeting": "2/2026", "year": 2026, "doc_type": "nyhet", "doc_id": "b"},
    "arendal": {"year": 2025, "doc_type": "nyhet", "doc_id": "c"},
    "tom": {"year": 2025, "doc_id": "c"},
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> LexicalStore:
    path = tmp_path_factory.mktemp("lexical") / "bm25"
    rows = [(cid, text, {**META[cid], "access": ACCESS[cid]}) for cid, text in TEXTS.items()]
    assert LexicalStore.build(path, rows) == len(TEXTS)
    return LexicalStore.open(path)


def test_store_ranks_like_the_in_memory_index(store, index):
    for query in ("rådet helsedata", "7/1/2026", "microdata.no", "Rådets møter", "helsedataene"):
        ours, theirs = store.search(query, 10), index.search(query, 10)
        assert [i for i, _ in ours] == [i for i, _ in theirs]
        assert [s for _, s in ours] == pytest.approx([s for _, s in theirs])
    assert len(store) == len(TEXTS) and store.search("", 5) == [] and store.search("kvantedatamaskin", 5) == []


def test_store_applies_access_levels(store):
    assert {i for i, _ in store.search("rådet helsedata", 10, levels=("public",))} == {"sak", "arendal"}
    assert {i for i, _ in store.search("rådet helsedata", 10, levels=("public", "internal"))} == {"helse", "sak", "arendal"}
    assert store.search("helsedata", 5, levels=("public",)) == []  # only the internal passage says it
    assert store.search("microdata.no", 5, levels=("public", "internal")) == []


def test_store_filters_on_metadata_fields(store):
    assert {i for i, _ in store.search("rådet", 10, filters={"year": 2025})} == {"arendal"}
    assert {i for i, _ in store.search("rådet helsedata", 10, filters={"case": "7/1/2026"})} == {"helse", "sak"}
    assert {i for i, _ in store.search("rådet helsedata", 10, levels=("public",), filters={"meeting": "1/2026"})} == {"sak"}
    assert store.search("rådet", 10, filters={"doc_id": "nowhere"}) == []


def test_store_filter_applies_before_top_k(tmp_path):
    ids = [f"strong{i}" for i in range(50)] + ["weak"]
    texts = ["helsedata helsedata helsedata"] * 50 + ["Et langt referat om mye annet, også litt helsedata."]
    rows = [(cid, text, {"access": "public" if cid == "weak" else "internal", "doc_id": cid}) for cid, text in zip(ids, texts)]
    LexicalStore.build(tmp_path / "bm25", rows)
    store = LexicalStore.open(tmp_path / "bm25")
    assert [i for i, _ in store.search("helsedata", 1, levels=("public",))] == ["weak"]
    assert [i for i, _ in store.search("helsedata", 1, filters={"doc_id": "weak"})] == ["weak"]


def test_store_keeps_the_lexical_index_layout_and_ignores_older_ones(store, index, tmp_path):
    # LexicalIndex.load still reads the directory (ids in the same order), so older tools keep working.
    assert LexicalIndex.load(store.path).ids == list(TEXTS)
    index.save(tmp_path / "old")
    assert LexicalStore.open(tmp_path / "old") is None  # the in-memory layout: rebuilt by the next ingest
    assert LexicalStore.open(tmp_path / "absent") is None
    LexicalStore.build(tmp_path / "empty", [])
    empty = LexicalStore.open(tmp_path / "empty")
    assert empty is not None and len(empty) == 0 and empty.search("helsedata", 5) == []
