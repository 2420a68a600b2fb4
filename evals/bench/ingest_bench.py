"""Ingest throughput on a synthetic archive of N bundles, against the embedder's raw throughput.

One process per N (`python -m evals.bench.ingest_bench --n 20 --work DIR --out FILE`), so the
peak memory is that ingest's own. In that process, in this order:

1. write N synthetic bundles and ingest them into a fresh data dir through the real pipeline
   (`ingest_paths`): wall time, peak RSS, what was embedded, index size on disk;
2. ingest the same folder again, unchanged (every document must be skipped);
3. the embedder's raw throughput, the ceiling for ingest on this CPU: a random sample of the very
   texts the ingest embeds (its chunks and their sentences, found by parsing and chunking the
   bundles with the pipeline's own functions), embedded with the same call and batch size the
   pipeline uses, once just before the ingest and once just after it. Ingest throughput is
   reported as a share of their mean; the two runs bracket the ingest, so a change in machine
   load during it shows up as a gap between them instead of silently skewing the share.

Tokens are the embedder's own content-token counts (`count_tokens`, prefix and special tokens
left out). "Embedded tokens" are those of the unique texts the ingest embedded (chunks plus their
sentences, which the pipeline embeds for sentence-level retrieval); "source tokens" are those of
the bundles' text, the size of the archive as a reader sees it.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

import ingest  # noqa: F401  (offline switches before anything else loads)
from evals.bench.machine import EmbeddingClock, disk_mb, load_average, peak_rss_mb, reset_peak_rss, rss_mb
from evals.bench.synthetic import DEFAULT_CASES, DEFAULT_SEED, write_archive

RAW_SAMPLE_TOKENS = 2500  # per bracket run: a stable rate in ~10-20 s, small next to the ingest


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def bench_settings(data_dir: Path, store=None):
    """Default settings on an embedded Chroma under data_dir, whatever RADSARKIV_* says
    (`store`: other StoreSettings, e.g. the HNSW parameters of the query bench's collections)."""
    from ingest.settings import Settings, StoreSettings

    settings = Settings(data_dir=data_dir)
    settings.store = store or StoreSettings()
    return settings


class _Heartbeat:
    """Prints elapsed time and documents written while a long ingest runs."""

    def __init__(self, label: str, register_path: Path, every_s: float = 30.0):
        self.label, self.register_path, self.every_s = label, register_path, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._start = time.perf_counter()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import sqlite3

        while not self._stop.wait(self.every_s):
            documents = "?"
            try:
                with sqlite3.connect(f"file:{self.register_path}?mode=ro", uri=True, timeout=1) as db:
                    documents = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            except sqlite3.Error:
                pass
            log(f"  {self.label}: {time.perf_counter() - self._start:.0f} s, {documents} documents written")


def texts_to_embed(archive: Path, settings, count_tokens) -> list[str]:
    """What ingest will embed for `archive`: each chunk's text and its sentences (unique, in order)."""
    from ingest.pipeline import build_document, chunk_sentences, discover

    groups, _, _ = discover([archive])
    texts: list[str] = []
    for group in groups:
        _, chunks, _ = build_document(group, settings, count_tokens)
        texts += [chunk.text for chunk in chunks] + [s for chunk in chunks for s in chunk_sentences(chunk)]
    return list(dict.fromkeys(texts))


def raw_throughput(embedder, texts: list[str], tokens: dict[str, int], batch: int) -> dict[str, Any]:
    start = time.perf_counter()
    for begin in range(0, len(texts), batch):
        embedder.get_text_embedding_batch(texts[begin : begin + batch])
    seconds = time.perf_counter() - start
    total = sum(tokens[t] for t in texts)
    return {"seconds": round(seconds, 2), "tokens_per_s": round(total / seconds, 1), "passages_per_s": round(len(texts) / seconds, 2)}


def run(n: int, work: Path, seed: int = DEFAULT_SEED, cases: int = DEFAULT_CASES, raw_sample_tokens: int = RAW_SAMPLE_TOKENS) -> dict[str, Any]:
    from ingest.embedders import make_embedder
    from ingest.pipeline import ingest_paths
    from ingest.store.register import Register

    archive, data_dir = work / f"archive-{n}", work / f"data-{n}"
    paths = write_archive(archive, n, seed, cases)
    settings = bench_settings(data_dir)
    embedder = make_embedder(settings.embedding)
    embedder.get_text_embedding_batch(["Oppvarming av modellen."])  # load the engine outside the timing
    batch = settings.embedding.batch_size

    # A uniform sample, so its mix of chunks and short sentences is the ingest's.
    planned = texts_to_embed(archive, settings, embedder.count_tokens)
    tokens = {text: embedder.count_tokens(text) for text in planned}
    order = planned[:]
    random.Random(f"{seed}-raw-{n}").shuffle(order)
    sample, sample_tokens = [], 0
    for text in order:
        if sample_tokens >= raw_sample_tokens:
            break
        sample.append(text)
        sample_tokens += tokens[text]
    log(f"raw embedder, before the ingest: {len(sample)} of its {len(planned)} texts ({sample_tokens} tokens, batches of {batch})")
    raw_before = raw_throughput(embedder, sample, tokens, batch)

    load_before = load_average()
    rss_before = rss_mb()
    peak_method = "VmHWM reset before ingest" if reset_peak_rss() else "ru_maxrss (process lifetime)"
    log(f"ingest N={n}: {len(paths)} bundles into {data_dir}")
    with _Heartbeat(f"N={n}", settings.register_path), EmbeddingClock(embedder) as clock:
        start = time.perf_counter()
        summary = ingest_paths([archive], settings, progress=False)
        ingest_s = time.perf_counter() - start
    peak = peak_rss_mb()
    load_after = load_average()
    if summary.errors:
        raise RuntimeError(f"ingest reported errors: {summary.errors}")
    log(f"  done in {ingest_s:.1f} s: {summary.chunks} chunks, {summary.cases} cases, {summary.embedded} texts embedded")

    log("raw embedder, after the ingest: the same sample")
    raw_after = raw_throughput(embedder, sample, tokens, batch)

    register = Register.open_readonly(settings.register_path)
    try:
        chunk_texts = [text for _, text, _ in register.chunks()]
        sentence_texts = [row[2] for row in register.sentences()]
    finally:
        register.close()
    unique = list(dict.fromkeys(chunk_texts + sentence_texts))
    for text in unique:
        if text not in tokens:
            tokens[text] = embedder.count_tokens(text)
    embedded_tokens = sum(tokens[t] for t in unique)
    source_tokens = sum(embedder.count_tokens(path.read_text(encoding="utf-8")) for path in paths)
    sizes = {
        "total": disk_mb(data_dir),
        "register": sum(disk_mb(p) for p in data_dir.glob("register.sqlite*")),
        "chroma": disk_mb(settings.chroma_path),
        "bm25": disk_mb(settings.lexical_path),
    }

    log(f"re-ingest N={n}, unchanged")
    start = time.perf_counter()
    again = ingest_paths([archive], settings, progress=False)
    reingest_s = time.perf_counter() - start
    if again.skipped_unchanged != n or again.embedded:
        raise RuntimeError(f"unchanged re-ingest did work: {again.as_json()}")

    raw_tokens_per_s = (raw_before["tokens_per_s"] + raw_after["tokens_per_s"]) / 2
    raw_passages_per_s = (raw_before["passages_per_s"] + raw_after["passages_per_s"]) / 2
    ingest_tokens_per_s = embedded_tokens / ingest_s
    result = {
        "n": n,
        "bundles": len(paths),
        "documents": summary.documents,
        "cases": summary.cases,
        "chunks": summary.chunks,
        "sentences": len(sentence_texts),
        "embedded_texts": summary.embedded,
        "unique_texts": len(unique),
        "unique_chunk_texts": len(set(chunk_texts)),
        "embedded_tokens": embedded_tokens,
        "chunk_tokens": sum(tokens[t] for t in chunk_texts),
        "source_tokens": source_tokens,
        "ingest_s": round(ingest_s, 2),
        "tokens_per_s": round(ingest_tokens_per_s, 1),
        "source_tokens_per_s": round(source_tokens / ingest_s, 1),
        "chunks_per_s": round(summary.chunks / ingest_s, 2),
        "texts_per_s": round(summary.embedded / ingest_s, 2),
        "s_per_bundle": round(ingest_s / n, 2),
        # Time inside the embedder's calls during the ingest; the rest is parsing, chunking,
        # SQLite, Chroma and BM25 (and Python around them).
        "embedding_s": round(clock.seconds, 2),
        "embedding_share_of_ingest": round(clock.seconds / ingest_s, 3),
        "pipeline_other_s": round(ingest_s - clock.seconds, 2),
        "in_ingest_embedder_tokens_per_s": round(embedded_tokens / clock.seconds, 1) if clock.seconds else None,
        "reingest_unchanged_s": round(reingest_s, 3),
        "reingest_share_of_ingest": round(reingest_s / ingest_s, 5),
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "peak_rss_method": peak_method,
        "index_mb": sizes,
        "raw_embedder": {
            "texts": len(sample),
            "tokens": sample_tokens,
            "sample_is_what_ingest_embedded": set(sample) <= set(unique),
            "batch_size": batch,
            "before": raw_before,
            "after": raw_after,
            "tokens_per_s": round(raw_tokens_per_s, 1),
            "passages_per_s": round(raw_passages_per_s, 2),
            "after_vs_before": round(raw_after["tokens_per_s"] / raw_before["tokens_per_s"], 2),
        },
        "ingest_share_of_raw_tokens_per_s": round(ingest_tokens_per_s / raw_tokens_per_s, 3),
        "load_average_before": load_before,
        "load_average_after": load_after,
    }
    log(
        f"  N={n}: {ingest_s:.1f} s, {ingest_tokens_per_s:.0f} tok/s = {result['ingest_share_of_raw_tokens_per_s']:.0%} of raw "
        f"{raw_tokens_per_s:.0f} tok/s (before {raw_before['tokens_per_s']:.0f}, after {raw_after['tokens_per_s']:.0f}), "
        f"{result['chunks_per_s']} chunks/s, {result['embedding_share_of_ingest']:.0%} of the time in the embedder, "
        f"peak {peak} MB, re-ingest {reingest_s:.2f} s"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--raw-sample-tokens", type=int, default=RAW_SAMPLE_TOKENS)
    args = parser.parse_args(argv)
    result = run(args.n, args.work, args.seed, args.cases, args.raw_sample_tokens)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
