"""Rebuild only the sentence collection of a query-bench index, from its pool, as the build wrote it.

`python -m evals.bench.rebuild_sentences --chunks 1000000 --pool /work/bench-1m/pool-50 --work /work/bench-1m`

The 1M build's sentence collection (2.1M vectors, written over three runs, two of them stopped)
came out damaged: its hnswlib `link_lists.bin` had an apparent size of 651 GB over 17 MB of data,
and `chroma run` serving it died with a segmentation fault inside the HNSW search on the fourth
ask (the chunk collection, 1M vectors, has a normal 8.5 MB link_lists.bin and serves). This drops
the sentence collection and writes it again from the same copies: `_copy_rows` is deterministic per
(seed, copy), so every sentence gets the vector and metadata the build gave it. The register, the
chunk collection and the lexical index are not touched.

Session 6 started it on the 1M index on a machine at load 10-12: 620 sentence vectors/s at first,
300/s by 200k (Chroma rewrote the collection's HNSW metadata every 1,000 vectors), about two hours
for 2.1M. Stopped at 240k to raise the sync threshold, the collection could no longer be opened
("Failed to apply logs to the hnsw segment writer"): a Chroma collection must not be written by a
process that may be killed. The 1M index now has an empty sentence collection; this tool, run to
the end, refills it.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import ingest  # noqa: F401  (offline switches before anything else loads)
from evals.bench.ingest_bench import bench_settings, log
from evals.bench.scaled_index import BENCH_STORE, CHUNK_NOISE_COSINE, _copy_rows, _noise_scale, _read_manifest, load_pool
from evals.bench.synthetic import DEFAULT_SEED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, required=True)
    parser.add_argument("--pool", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--sync-threshold", type=int, default=50_000,
                        help="vectors between HNSW writes to disk while rebuilding (Chroma rewrites the whole index "
                             "metadata each time: at the build's 1,000 the rebuild slowed from 620 to 300 vectors/s by 200k)")
    args = parser.parse_args(argv)

    import numpy as np

    from ingest.embedders import make_embedder
    from ingest.store.sentence_vectors import SentenceVectors, sentence_store
    from ingest.store.vectors import VectorIndex

    data_dir = args.work / f"query-{args.chunks}"
    manifest = _read_manifest(data_dir)
    if not manifest or not manifest.get("complete"):
        raise SystemExit(f"{data_dir} holds no complete build")
    seed = manifest["identity"]["seed"]
    settings = bench_settings(data_dir, BENCH_STORE)
    embedder = make_embedder(settings.embedding)
    pool = load_pool(args.pool, embedder.model_id)
    old = VectorIndex.open(data_dir, sentence_store(settings.store), embedder.dimension)
    name = old.collection.name
    log(f"dropping {name} in {data_dir}")
    old._client.delete_collection(name)
    del old
    collection = SentenceVectors.open(data_dir, settings.store, embedder.dimension, fresh=True).index.collection
    collection.modify(configuration={"hnsw": {"sync_threshold": args.sync_threshold}})
    collection = SentenceVectors.open(data_dir, settings.store, embedder.dimension, fresh=True).index.collection
    batch = 5000
    scale = _noise_scale(embedder.dimension, CHUNK_NOISE_COSINE)
    count, added, start, last = 0, 0, time.perf_counter(), time.perf_counter()
    for copy in range(manifest["copies_done"]):
        part = _copy_rows(pool, copy, args.chunks - count, embedder.dimension, scale, seed, True)
        count += len(part["ids"])
        ids, vectors, metas = part["sentence_ids"], part["sentence_vectors"], part["sentence_metas"]
        for begin in range(0, len(ids), batch):
            collection.add(ids=ids[begin:begin + batch], embeddings=np.stack(vectors[begin:begin + batch]), metadatas=metas[begin:begin + batch])
        added += len(ids)
        if time.perf_counter() - last > 60:
            last = time.perf_counter()
            rate = added / (last - start)
            log(f"  {copy + 1}/{manifest['copies_done']} copies, {added:,} sentence vectors, {rate:.0f}/s")
    # Back to the build's sync threshold, and one write so the last vectors are on disk, not only in
    # Chroma's log (a reader would otherwise replay them into the index on every open).
    collection.modify(configuration={"hnsw": {"sync_threshold": BENCH_STORE.hnsw_sync_threshold}})
    collection = SentenceVectors.open(data_dir, settings.store, embedder.dimension, fresh=True).index.collection
    probe = "rebuild-sync-probe"
    collection.add(ids=[probe], embeddings=np.stack([vectors[0]]), metadatas=[metas[0]])
    collection.delete(ids=[probe])
    log(f"rebuilt {name}: {collection.count():,} vectors in {time.perf_counter() - start:.0f} s ({count:,} chunks' sentences)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
