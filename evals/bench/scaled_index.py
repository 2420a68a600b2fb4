"""A large index from a small ingested archive: copies of its documents, as ingest writes them.

Embedding 100k chunks would take this CPU days, so the query bench builds its index from a pool:
the register of the N=50 synthetic ingest (real chunk text, real sentence and chunk vectors).
The pool's documents are copied until the index holds the wanted number of chunks; each copy
moves every year in its text and metadata on by the pool's span, so the copies are distinct
meetings and cases, as a real archive's later years would be.

- register (SQLite): every copied document, case, chunk and sentence row, as ingest writes them;
  a sentence keeps its pool vector in the embedding cache (a sentence that differs only in its
  year embeds the same), so the answerer scores sentences as on the pool archive;
- Chroma: each chunk's pool vector plus Gaussian noise, renormalised (cosine to the original
  ~0.9), so the vector index holds distinct points spread the way real chunks are; the sentence
  collection likewise (each copied sentence's pool vector plus the same noise: a thousand exact
  duplicates of one point would make a pathological HNSW graph), with the chunk's filter fields;
- BM25: the real memory-mapped `LexicalStore`, built from the register as ingest builds it.

With vector_only, only Chroma is built (the reduced setup for 1M chunks).
"""
from __future__ import annotations

import json
import math
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from evals.bench.ingest_bench import bench_settings, log
from evals.bench.machine import disk_mb, peak_rss_mb, reset_peak_rss
from evals.bench.synthetic import DEFAULT_SEED

CHUNK_NOISE_COSINE = 0.9  # target cosine between a pool vector and its noisy copy
_YEAR = re.compile(r"(?<!\d)(20[3-9]\d)(?!\d)")


@dataclass
class Pool:
    documents: list[tuple]
    cases: dict[str, list[tuple]]
    chunks: dict[str, list[tuple]]  # doc_id -> rows (chunk_id, doc_id, position, text, metadata, hash)
    sentences: dict[str, list[tuple]]  # chunk_id -> rows (chunk_id, idx, text, hash)
    vectors: dict[str, bytes]  # content hash -> float32 bytes
    model_id: str
    span: int  # years the pool covers; each copy moves its years on by this much
    chunk_count: int = field(default=0)


def load_pool(pool_dir: Path, model_id: str) -> Pool:
    db = sqlite3.connect(f"file:{pool_dir / 'register.sqlite'}?mode=ro", uri=True)
    try:
        documents = db.execute("SELECT * FROM documents ORDER BY doc_id").fetchall()
        cases: dict[str, list[tuple]] = {}
        for row in db.execute("SELECT * FROM cases"):
            cases.setdefault(row[0], []).append(row)
        chunks: dict[str, list[tuple]] = {}
        for row in db.execute("SELECT chunk_id, doc_id, position, text, metadata, content_hash FROM chunks ORDER BY doc_id, position"):
            chunks.setdefault(row[1], []).append(row)
        sentences: dict[str, list[tuple]] = {}
        for row in db.execute("SELECT chunk_id, idx, text, content_hash FROM sentences ORDER BY chunk_id, idx"):
            sentences.setdefault(row[0], []).append(row)
        vectors = dict(db.execute("SELECT content_hash, vector FROM embeddings WHERE model_id = ?", (model_id,)))
    finally:
        db.close()
    years = [int(y) for doc in documents for y in _YEAR.findall(doc[10])]
    span = (max(years) - min(years) + 1) if years else 10
    return Pool(documents, cases, chunks, sentences, vectors, model_id, span, sum(len(v) for v in chunks.values()))


def _shifter(offset: int) -> Callable[[Any], Any]:
    def shift(value: Any) -> Any:
        if offset == 0 or not isinstance(value, str):
            return value
        return _YEAR.sub(lambda m: str(int(m.group(1)) + offset), value)

    return shift


def _noise_scale(dimension: int, cosine: float) -> float:
    # A unit vector plus noise of norm t has cosine 1/sqrt(1+t^2) to the original.
    return math.sqrt(1 / cosine**2 - 1) / math.sqrt(dimension)


def build_index(data_dir: Path, pool: Pool, target: int, dimension: int, vector_only: bool, seed: int) -> dict[str, Any]:
    """Copy the pool into data_dir until it holds `target` chunks; time each store's build."""
    from ingest.chunking import content_hash
    from ingest.store.derived import rebuild_lexical
    from ingest.store.register import Register
    from ingest.store.sentence_vectors import SentenceVectors, sentence_id, sentence_metadata
    from ingest.store.vectors import VectorIndex

    settings = bench_settings(data_dir)
    rng = np.random.default_rng(seed)
    scale = _noise_scale(dimension, CHUNK_NOISE_COSINE)
    vectors = VectorIndex.open(data_dir, settings.store, dimension)
    collection, batch = vectors.collection, vectors._batch
    sentence_collection = None if vector_only else SentenceVectors.open(data_dir, settings.store, dimension).index.collection
    register = None if vector_only else Register.open(settings.register_path)
    timings = {"register_s": 0.0, "chroma_insert_s": 0.0, "sentence_insert_s": 0.0, "bm25_s": 0.0, "generate_s": 0.0}
    pending: dict[str, list] = {"documents": [], "cases": [], "chunks": [], "sentences": [], "embeddings": [], "ids": [], "vectors": [], "metas": [],
                                "sentence_ids": [], "sentence_vectors": [], "sentence_metas": []}
    count, copy, last_report = 0, 0, time.perf_counter()

    def flush(force: bool = False) -> None:
        if pending["ids"] and (force or len(pending["ids"]) >= batch):
            start = time.perf_counter()
            for begin in range(0, len(pending["ids"]), batch):
                end = begin + batch
                collection.add(ids=pending["ids"][begin:end], embeddings=np.stack(pending["vectors"][begin:end]), metadatas=pending["metas"][begin:end])
            timings["chroma_insert_s"] += time.perf_counter() - start
            pending["ids"], pending["vectors"], pending["metas"] = [], [], []
        if pending["sentence_ids"] and (force or len(pending["sentence_ids"]) >= batch):
            start = time.perf_counter()
            for begin in range(0, len(pending["sentence_ids"]), batch):
                end = begin + batch
                sentence_collection.add(ids=pending["sentence_ids"][begin:end], embeddings=np.stack(pending["sentence_vectors"][begin:end]),
                                        metadatas=pending["sentence_metas"][begin:end])
            timings["sentence_insert_s"] += time.perf_counter() - start
            pending["sentence_ids"], pending["sentence_vectors"], pending["sentence_metas"] = [], [], []
        if register is not None and (force or len(pending["chunks"]) >= 5000):
            start = time.perf_counter()
            with register.db:
                register.db.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", pending["documents"])
                register.db.executemany("INSERT OR REPLACE INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", pending["cases"])
                register.db.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?)", pending["chunks"])
                register.db.executemany("INSERT INTO sentences VALUES (?,?,?,?)", pending["sentences"])
                register.db.executemany("INSERT OR IGNORE INTO embeddings VALUES (?,?,?)", pending["embeddings"])
            timings["register_s"] += time.perf_counter() - start
            for key in ("documents", "cases", "chunks", "sentences", "embeddings"):
                pending[key] = []

    while count < target:
        offset = copy * pool.span
        shift = _shifter(offset)
        for document in pool.documents:
            if count >= target:
                break
            started = time.perf_counter()
            old_id = document[0]
            doc_id = f"kopi-{copy:04d}/{old_id}"
            rows = pool.chunks.get(old_id, [])[: target - count]
            path = f"syntetisk/{doc_id}.md"
            pending["documents"].append((doc_id, path, json.dumps([path]), *[shift(v) for v in document[3:9]], "syntetisk-kopi", shift(document[10]), document[11]))
            pending["cases"].extend((doc_id, *[shift(v) for v in case[1:]]) for case in pool.cases.get(old_id, []))
            for chunk_id, _, position, text, metadata, digest in rows:
                new_text = shift(text)
                new_digest = content_hash(new_text)
                meta = {key: shift(value) for key, value in json.loads(metadata).items()}
                if meta.get("year") is not None:
                    meta["year"] = int(meta["year"]) + offset
                meta.update(doc_id=doc_id, content_hash=new_digest)
                new_id = f"{doc_id}#{position:04d}-{new_digest[:10]}"
                base = np.frombuffer(pool.vectors[digest], dtype=np.float32)
                noisy = base + rng.standard_normal(dimension).astype(np.float32) * scale
                noisy /= np.linalg.norm(noisy)
                pending["ids"].append(new_id)
                pending["vectors"].append(noisy)
                pending["metas"].append({k: v for k, v in meta.items() if v is not None and isinstance(v, (str, int, float, bool))})
                if register is not None:
                    pending["chunks"].append((new_id, doc_id, position, new_text, json.dumps(meta, ensure_ascii=False), new_digest))
                    pending["embeddings"].append((pool.model_id, new_digest, noisy.tobytes()))
                    for _, index, sentence, sentence_digest in pool.sentences.get(chunk_id, []):
                        new_sentence = shift(sentence)
                        new_sentence_digest = content_hash(new_sentence) if new_sentence != sentence else sentence_digest
                        pending["sentences"].append((new_id, index, new_sentence, new_sentence_digest))
                        if sentence_digest in pool.vectors:
                            pending["embeddings"].append((pool.model_id, new_sentence_digest, pool.vectors[sentence_digest]))
                            sentence_vector = np.frombuffer(pool.vectors[sentence_digest], dtype=np.float32)
                            sentence_vector = sentence_vector + rng.standard_normal(dimension).astype(np.float32) * scale
                            pending["sentence_ids"].append(sentence_id(new_id, index))
                            pending["sentence_vectors"].append(sentence_vector / np.linalg.norm(sentence_vector))
                            pending["sentence_metas"].append(sentence_metadata(new_id, index, meta))
            count += len(rows)
            timings["generate_s"] += time.perf_counter() - started
            flush()
            if time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                log(f"  building: {count}/{target} chunks, Chroma insert {timings['chroma_insert_s']:.0f} s so far")
        copy += 1
    flush(force=True)
    if register is not None:
        start = time.perf_counter()
        rebuild_lexical(settings, register)
        timings["bm25_s"] = time.perf_counter() - start
        sentences = register.db.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
        register.close()
    else:
        sentences = None
    chunks_in_chroma = vectors.count()
    sentences_in_chroma = sentence_collection.count() if sentence_collection is not None else None
    del vectors, collection, sentence_collection
    result = {key: round(value, 2) for key, value in timings.items()}
    result.update(
        chunks=chunks_in_chroma,
        sentences=sentences,
        sentence_vectors=sentences_in_chroma,
        copies=copy,
        chroma_insert_per_s=round(chunks_in_chroma / timings["chroma_insert_s"], 1) if timings["chroma_insert_s"] else None,
        index_mb={
            "total": disk_mb(data_dir),
            "register": sum(disk_mb(p) for p in data_dir.glob("register.sqlite*")),
            "chroma": disk_mb(settings.chroma_path),
            "bm25": disk_mb(settings.lexical_path),
        },
    )
    return result


def run_build(chunks: int, pool_dir: Path, work: Path, vector_only: bool, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Build the index of `chunks` chunks in work/query-<chunks> (its own process: peak RSS, flushed files)."""
    from ingest.embedders import make_embedder

    data_dir = work / f"query-{chunks}"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    embedder = make_embedder(bench_settings(data_dir).embedding)
    pool = load_pool(pool_dir, embedder.model_id)
    log(f"query bench at {chunks:,} chunks ({'Chroma only' if vector_only else 'full stack'}): building from a pool of "
        f"{pool.chunk_count} chunks (years move on by {pool.span} per copy)")
    reset_peak_rss()
    start = time.perf_counter()
    build = build_index(data_dir, pool, chunks, embedder.dimension, vector_only, seed)
    build["total_s"] = round(time.perf_counter() - start, 1)
    build["peak_rss_mb"] = peak_rss_mb()
    log(f"  built in {build['total_s']} s (Chroma insert {build['chroma_insert_s']} s = {build['chroma_insert_per_s']}/s, "
        f"sentence collection {build['sentence_insert_s']} s, "
        f"register {build['register_s']} s, BM25 {build['bm25_s']} s), {build['index_mb']['total']} MB on disk")
    return build
