"""The bench's synthetic bundles are valid council bundles: the real pipeline finds their cases.

One tiny bundle through the real ingest (real embedder) into tmp_path; nothing is timed here.
"""
from __future__ import annotations

from tests.conftest import make_settings


def test_synthetic_bundle_ingests_as_a_council_bundle(tmp_path, monkeypatch):
    from evals.bench.synthetic import MARKER, case_plan, write_archive
    from ingest.pipeline import ingest_paths
    from ingest.store.register import Register

    archive = tmp_path / "arkiv"
    paths = write_archive(archive, 1)
    assert len(paths) == 1 and MARKER in paths[0].read_text(encoding="utf-8")
    assert paths[0].read_text(encoding="utf-8") == write_archive(tmp_path / "again", 1)[0].read_text(encoding="utf-8")

    settings = make_settings(tmp_path / "data")
    summary = ingest_paths([archive], settings, progress=False)
    assert not summary.errors and summary.documents == 1 and summary.chunks > 0

    register = Register.open_readonly(settings.register_path)
    try:
        cases = {case["number"]: case for case in register.list_cases()}
        documents = register.documents()
    finally:
        register.close()
    assert MARKER in documents[0]["title"]

    # The agenda's cases come back as case papers with their fields and proposal ...
    for plan in case_plan(0):
        case = cases[plan.id]
        assert case["title"] == plan.title
        assert case["saksbehandler"] and case["fra"] and case["proposal"]
        assert not case["flagged"]
    # ... and the minutes decide the previous meeting's cases, under their own numbers.
    for plan in case_plan(-1):
        assert cases[plan.id]["decision"], plan.id
    assert len(cases) == len(case_plan(0)) + len(case_plan(-1))

    # The query bench's scaled index (copies of this archive) is what the Retriever reads: the
    # register, the memory-mapped BM25 and both Chroma collections, built as ingest builds them.
    from assistant.retrieval import Retriever
    from evals.bench.scaled_index import build_index, load_pool
    from ingest.embedders import make_embedder

    embedder = make_embedder(settings.embedding)
    pool = load_pool(settings.data_dir, embedder.model_id)
    target = 2 * pool.chunk_count + 1
    built = build_index(tmp_path / "scaled", pool, target, embedder.dimension, False, 7)
    assert built["chunks"] == target and built["sentence_vectors"] == built["sentences"] > target
    retriever = Retriever(make_settings(tmp_path / "scaled"))
    assert len(retriever.lexical) == target and len(retriever.order) == target
    title = case_plan(0)[0].title
    hits = retriever.search(title, k=5)
    assert hits and any(title in h.text for h in hits)
    copies = {h.metadata["doc_id"].split("/")[0] for h in retriever.search(title, k=10)}
    assert len(copies) >= 2  # the copies are distinct documents, found alike

    # A build stopped part-way continues from what is stored (the 1M build takes hours): here it
    # stops after the second group's register commit, before its manifest (the worst moment: the
    # group is in every store but not recorded). The rerun writes that group again, whole.
    import pytest

    import evals.bench.scaled_index as scaled

    monkeypatch.setattr(scaled, "GROUP_CHUNKS", pool.chunk_count)  # one copy of the pool per group
    write_manifest, writes = scaled._write_manifest, []

    def stop_at_second(data_dir, manifest):
        writes.append(manifest["chunks_done"])
        if len(writes) == 2:
            raise KeyboardInterrupt
        write_manifest(data_dir, manifest)

    monkeypatch.setattr(scaled, "_write_manifest", stop_at_second)
    with pytest.raises(KeyboardInterrupt):
        build_index(tmp_path / "resumed", pool, target, embedder.dimension, False, 7)
    monkeypatch.setattr(scaled, "_write_manifest", write_manifest)
    resumed = build_index(tmp_path / "resumed", pool, target, embedder.dimension, False, 7)
    assert resumed["runs"][-1]["from_chunks"] == pool.chunk_count  # the first group was kept
    assert resumed["chunks"] == target and resumed["sentence_vectors"] == resumed["sentences"] == built["sentences"]
    again = Retriever(make_settings(tmp_path / "resumed"))
    assert len(again.lexical) == target
    hits = again.search(title, k=5)
    assert hits and any(title in h.text for h in hits)
