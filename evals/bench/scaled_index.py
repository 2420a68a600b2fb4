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

import fcntl
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


def _bench_store() -> Any:
    from ingest.settings import StoreSettings

    # The query bench's collections are built as an archive of 100k-1M chunks should be:
    # ef_construction 40 instead of Chroma's 100 cut the CPU time of the chunk and sentence
    # inserts by about a third on this pool (10k chunks: 22.5 -> 15.0 CPU s for the whole build;
    # HNSW inserts are nearly all of it; a 1M build is still hours on a shared 2-core machine).
    # The README's benchmark section says to set RADSARKIV_STORE__HNSW_EF_CONSTRUCTION=40 there.
    return StoreSettings(hnsw_ef_construction=40)


BENCH_STORE = _bench_store()
MANIFEST = "bench-build.json"  # what a (partial) build holds, so a killed build can continue
GROUP_CHUNKS = 5000  # copies are written in groups of about this many chunks (Chroma's max batch is 5461)


def _read_manifest(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _write_manifest(data_dir: Path, manifest: dict[str, Any]) -> None:
    path = data_dir / MANIFEST
    path.with_suffix(".tmp").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    path.with_suffix(".tmp").replace(path)


def _copy_rows(pool: Pool, copy: int, budget: int, dimension: int, scale: float, seed: int, with_register: bool) -> dict[str, list]:
    """Every row of one copy of the pool (at most `budget` chunks): deterministic per (seed, copy),
    so a resumed build writes the same copy it would have written."""
    from ingest.chunking import content_hash
    from ingest.store.sentence_vectors import sentence_id, sentence_metadata

    rng = np.random.default_rng([seed, copy])
    offset = copy * pool.span
    shift = _shifter(offset)
    out: dict[str, list] = {key: [] for key in ("documents", "cases", "chunks", "sentences", "embeddings", "ids", "vectors", "metas",
                                                 "sentence_ids", "sentence_vectors", "sentence_metas")}
    count = 0
    for document in pool.documents:
        if count >= budget:
            break
        old_id = document[0]
        doc_id = f"kopi-{copy:04d}/{old_id}"
        rows = pool.chunks.get(old_id, [])[: budget - count]
        path = f"syntetisk/{doc_id}.md"
        out["documents"].append((doc_id, path, json.dumps([path]), *[shift(v) for v in document[3:9]], "syntetisk-kopi", shift(document[10]), document[11]))
        out["cases"].extend((doc_id, *[shift(v) for v in case[1:]]) for case in pool.cases.get(old_id, []))
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
            out["ids"].append(new_id)
            out["vectors"].append(noisy)
            out["metas"].append({k: v for k, v in meta.items() if v is not None and isinstance(v, (str, int, float, bool))})
            if not with_register:
                continue
            out["chunks"].append((new_id, doc_id, position, new_text, json.dumps(meta, ensure_ascii=False), new_digest))
            out["embeddings"].append((pool.model_id, new_digest, noisy.tobytes()))
            for _, index, sentence, sentence_digest in pool.sentences.get(chunk_id, []):
                new_sentence = shift(sentence)
                new_sentence_digest = content_hash(new_sentence) if new_sentence != sentence else sentence_digest
                out["sentences"].append((new_id, index, new_sentence, new_sentence_digest))
                if sentence_digest in pool.vectors:
                    out["embeddings"].append((pool.model_id, new_sentence_digest, pool.vectors[sentence_digest]))
                    sentence_vector = np.frombuffer(pool.vectors[sentence_digest], dtype=np.float32)
                    sentence_vector = sentence_vector + rng.standard_normal(dimension).astype(np.float32) * scale
                    out["sentence_ids"].append(sentence_id(new_id, index))
                    out["sentence_vectors"].append(sentence_vector / np.linalg.norm(sentence_vector))
                    out["sentence_metas"].append(sentence_metadata(new_id, index, meta))
        count += len(rows)
    return out


def _forget_partial_group(rows: dict[str, list], collection: Any, sentence_collection: Any, register: Any, batch: int) -> None:
    """A killed run may have left part of the group after the manifest's last one in Chroma, or
    (killed between the register commit and the manifest) all of it in the register: remove it,
    so the group is written whole again."""
    for target_collection, ids in ((collection, rows["ids"]), (sentence_collection, rows["sentence_ids"])):
        if target_collection is not None:
            for begin in range(0, len(ids), batch):
                target_collection.delete(ids=ids[begin:begin + batch])
    if register is not None:
        with register.db:
            doc_ids = [(row[0],) for row in rows["documents"]]
            register.db.executemany("DELETE FROM sentences WHERE chunk_id IN (SELECT chunk_id FROM chunks WHERE doc_id = ?)", doc_ids)
            for table in ("chunks", "cases", "documents"):
                register.db.executemany(f"DELETE FROM {table} WHERE doc_id = ?", doc_ids)


def build_index(data_dir: Path, pool: Pool, target: int, dimension: int, vector_only: bool, seed: int,
                store: Any = None) -> dict[str, Any]:
    """Copy the pool into data_dir until it holds `target` chunks; time each store's build.

    Resumable: copies are written in groups (Chroma chunks, then sentences, then the register rows
    in one transaction, then the manifest), so after a kill the manifest names the copies that
    are complete; a rerun removes whatever of the next group reached Chroma and goes on from there.
    """
    from ingest.store.derived import rebuild_lexical
    from ingest.store.lexical_store import LexicalStore
    from ingest.store.register import Register
    from ingest.store.sentence_vectors import SentenceVectors
    from ingest.store.vectors import VectorIndex

    settings = bench_settings(data_dir, store)
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = open(data_dir.parent / f".{data_dir.name}.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RuntimeError(f"another process is building {data_dir}; wait for it (or stop it) first") from None
    identity = {"target": target, "seed": seed, "vector_only": vector_only, "pool_chunks": pool.chunk_count,
                "hnsw": {key: value for key, value in settings.store.model_dump().items() if key.startswith("hnsw_")}}
    manifest = _read_manifest(data_dir)
    if manifest is not None and manifest.get("identity") != identity:
        log(f"  {data_dir} holds a build of other parameters ({manifest.get('identity')}): starting afresh")
        shutil.rmtree(data_dir)
        manifest = None
    scale = _noise_scale(dimension, CHUNK_NOISE_COSINE)
    vectors = VectorIndex.open(data_dir, settings.store, dimension)
    collection, batch = vectors.collection, vectors._batch
    sentence_collection = None if vector_only else SentenceVectors.open(data_dir, settings.store, dimension).index.collection
    register = None if vector_only else Register.open(settings.register_path)
    if manifest is None:
        manifest = {"identity": identity, "copies_done": 0, "chunks_done": 0, "complete": False, "runs": [],
                    "timings": {"register_s": 0.0, "chroma_insert_s": 0.0, "sentence_insert_s": 0.0, "bm25_s": 0.0, "generate_s": 0.0}}
    timings = manifest["timings"]
    run = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "from_chunks": manifest["chunks_done"], "rates": []}
    manifest["runs"].append(run)
    if 0 < manifest["chunks_done"] < target:
        log(f"  resuming: {manifest['chunks_done']:,} chunks ({manifest['copies_done']} copies) already stored")
    per_copy = max(1, pool.chunk_count)
    group = max(1, GROUP_CHUNKS // per_copy)
    run_start, last_report, first_group = time.perf_counter(), time.perf_counter(), True
    wall_before = manifest.get("wall_s", 0.0)

    def add(target_collection, ids: list, embeddings: list, metas: list) -> None:
        for begin in range(0, len(ids), batch):
            end = begin + batch
            target_collection.add(ids=ids[begin:end], embeddings=np.stack(embeddings[begin:end]), metadatas=metas[begin:end])

    while manifest["chunks_done"] < target:
        started = time.perf_counter()
        copies = range(manifest["copies_done"], manifest["copies_done"] + group)
        rows: dict[str, list] = {}
        count, done_copies = manifest["chunks_done"], manifest["copies_done"]
        for copy in copies:
            if count >= target:
                break
            part = _copy_rows(pool, copy, target - count, dimension, scale, seed, register is not None)
            count, done_copies = count + len(part["ids"]), copy + 1
            for key, values in part.items():
                rows.setdefault(key, []).extend(values)
        timings["generate_s"] += time.perf_counter() - started
        if first_group:
            _forget_partial_group(rows, collection, sentence_collection, register, batch)
            first_group = False
        start = time.perf_counter()
        add(collection, rows["ids"], rows["vectors"], rows["metas"])
        timings["chroma_insert_s"] += time.perf_counter() - start
        if sentence_collection is not None:
            start = time.perf_counter()
            add(sentence_collection, rows["sentence_ids"], rows["sentence_vectors"], rows["sentence_metas"])
            timings["sentence_insert_s"] += time.perf_counter() - start
        if register is not None:
            start = time.perf_counter()
            with register.db:
                register.db.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows["documents"])
                register.db.executemany("INSERT OR REPLACE INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows["cases"])
                register.db.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?)", rows["chunks"])
                register.db.executemany("INSERT INTO sentences VALUES (?,?,?,?)", rows["sentences"])
                register.db.executemany("INSERT OR IGNORE INTO embeddings VALUES (?,?,?)", rows["embeddings"])
            timings["register_s"] += time.perf_counter() - start
        manifest["copies_done"], manifest["chunks_done"] = done_copies, count
        elapsed = time.perf_counter() - run_start
        manifest["wall_s"] = round(wall_before + elapsed, 1)
        run["chunks"] = count - run["from_chunks"]
        run["elapsed_s"] = round(elapsed, 1)
        if time.perf_counter() - last_report > 60 or count >= target:
            last_report = time.perf_counter()
            rate = run["chunks"] / elapsed if elapsed else 0.0
            run["rates"].append({"chunks": count, "elapsed_s": round(elapsed, 1), "chunks_per_s": round(rate, 1)})
            left = (target - count) / rate if rate else float("nan")
            log(f"  building: {count:,}/{target:,} chunks, {rate:.0f} chunks/s this run (chunks+sentences); "
                f"Chroma {timings['chroma_insert_s']:.0f} s + sentences {timings['sentence_insert_s']:.0f} s so far; ~{left / 60:.0f} min left")
        _write_manifest(data_dir, manifest)
    if register is not None and manifest.get("bm25_done") and LexicalStore.open(settings.lexical_path) is None:
        manifest["bm25_done"] = False  # built by older code (another format): the current code rebuilds it
    if register is not None and not manifest.get("bm25_done"):
        start = time.perf_counter()
        rebuild_lexical(settings, register)
        timings["bm25_s"] = time.perf_counter() - start
        manifest["bm25_done"] = True
        manifest["wall_s"] = round(manifest.get("wall_s", 0.0) + timings["bm25_s"], 1)
    manifest["complete"] = True
    _write_manifest(data_dir, manifest)
    if register is not None:
        sentences = register.db.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
        register_chunks = register.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        register.close()
    else:
        sentences = register_chunks = None
    chunks_in_chroma = vectors.count()
    sentences_in_chroma = sentence_collection.count() if sentence_collection is not None else None
    if chunks_in_chroma != target or (register_chunks is not None and register_chunks != target) or (
            sentences_in_chroma is not None and sentences_in_chroma > sentences):
        raise RuntimeError(f"inconsistent build in {data_dir}: Chroma {chunks_in_chroma} chunks, register {register_chunks}, "
                           f"sentence collection {sentences_in_chroma} of {sentences} sentences")
    del vectors, collection, sentence_collection
    result = {key: round(value, 2) for key, value in timings.items()}
    result.update(
        chunks=chunks_in_chroma,
        sentences=sentences,
        sentence_vectors=sentences_in_chroma,
        copies=manifest["copies_done"],
        total_s=manifest.get("wall_s"),
        hnsw=identity["hnsw"],
        runs=manifest["runs"],
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
    manifest = _read_manifest(data_dir)
    if data_dir.exists() and manifest is None:
        shutil.rmtree(data_dir)  # not a bench build (or one from before builds could resume)
    embedder = make_embedder(bench_settings(data_dir).embedding)
    pool = load_pool(pool_dir, embedder.model_id)
    state = "reusing a complete build" if manifest and manifest.get("complete") else (
        f"resuming at {manifest['chunks_done']:,} chunks" if manifest else "building")
    log(f"query bench at {chunks:,} chunks ({'Chroma only' if vector_only else 'full stack'}): {state} from a pool of "
        f"{pool.chunk_count} chunks (years move on by {pool.span} per copy); HNSW {BENCH_STORE.model_dump()}")
    reset_peak_rss()
    build = build_index(data_dir, pool, chunks, embedder.dimension, vector_only, seed, BENCH_STORE)
    build["peak_rss_mb"] = peak_rss_mb()
    log(f"  built in {build['total_s']} s (Chroma insert {build['chroma_insert_s']} s = {build['chroma_insert_per_s']}/s, "
        f"sentence collection {build['sentence_insert_s']} s, "
        f"register {build['register_s']} s, BM25 {build['bm25_s']} s), {build['index_mb']['total']} MB on disk")
    return build
