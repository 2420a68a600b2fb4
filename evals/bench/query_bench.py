"""Query latency at 10k-1M chunks, for the embedded Chroma and for a Chroma server.

`python -m evals.bench.query_bench --phase build|measure --chunks 100000 --pool DATA --work DIR
--out FILE`. The index is built from copies of the N=50 synthetic ingest (see scaled_index.py).

Building runs in its own process (`--phase build`: build times, peak RSS, files flushed on exit);
timing in another (`--phase measure`). There, the real `Retriever(settings).search` and
`Assistant(settings).ask` are timed on distinct synthetic questions (no cache answers them)
against the embedded Chroma and against `chroma run` serving a copy of the same directory, both
open at once: each question runs in both modes back to back (alternating which goes first), with
the same register and memory-mapped BM25, so only the vector client (chunks and sentences) differs and a
change in machine load hits both modes alike. The Chroma query alone (k=40, what `search` asks
for) is timed the same way. With `--vector-only` only Chroma is built and timed (the reduced
setup for 1M chunks).
"""
from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

import ingest  # noqa: F401  (offline switches before anything else loads)
from evals.bench.ingest_bench import bench_settings, log
from evals.bench.machine import EmbeddingClock, load_average, peak_rss_mb, reset_peak_rss, rss_mb
from evals.bench.synthetic import DEFAULT_SEED, questions

DENSE_K = 40  # Retriever.rank asks Chroma for `candidates` = 40 ids, filtered by its where clause


def _percentiles(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "mean": None, "max": None}
    array = np.asarray(values)
    return {
        "n": len(values),
        "p50": round(float(np.percentile(array, 50)), 1),
        "p95": round(float(np.percentile(array, 95)), 1),
        "mean": round(float(array.mean()), 1),
        "max": round(float(array.max()), 1),
    }


def _ms(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return (time.perf_counter() - start) * 1000, value


class Interleaved:
    """Times each question against every mode in turn, alternating which mode goes first.

    Both Chroma modes are open at once (the server serves a copy of the directory), so a
    question's timings in the two modes are taken seconds apart: on a machine whose load moves,
    the comparison stays paired instead of one mode getting the quiet minutes.
    """

    def __init__(self, modes: dict[str, Any], time_limit_s: float, minimum: int = 5):
        self.modes, self.time_limit_s, self.minimum = modes, time_limit_s, minimum
        self.timings: dict[str, dict[str, list[float]]] = {mode: {} for mode in modes}
        self.counts: dict[str, dict[str, int]] = {mode: {} for mode in modes}

    def run(self, key: str, items: list, share: float, one: Callable[[str, Any, Any], Any], before: Callable[[Any], None] | None = None, minimum: int | None = None) -> None:
        deadline = time.perf_counter() + self.time_limit_s * share
        names = list(self.modes)
        for index, item in enumerate(items):
            if index >= (minimum or self.minimum) and time.perf_counter() > deadline:
                break
            if before:
                before(item)
            for mode in names if index % 2 == 0 else names[::-1]:
                elapsed, value = _ms(lambda: one(mode, self.modes[mode], item))
                self.timings[mode].setdefault(key, []).append(elapsed)
                if value is True:
                    self.counts[mode][key] = self.counts[mode].get(key, 0) + 1


def measure_stack(retriever, assistant, indexes: dict[str, Any], search_questions: list[str], ask_questions: list[str],
                  query_vectors: list[np.ndarray], time_limit_s: float) -> dict[str, Any]:
    """search (query embedding and index part separately), ask, and the Chroma query alone, per mode."""
    from assistant.retrieval import Retriever

    loop = Interleaved(indexes, time_limit_s)
    embed_ms: list[float] = []

    def embed_once(question: str) -> None:
        # The query embedding does not touch the index: timed once, then cached for both modes.
        Retriever.embed_query.cache_clear()
        embed_ms.append(_ms(lambda: retriever.embed_query(question))[0])

    def search(mode: str, index, question: str) -> None:
        use(retriever, index)
        retriever.search(question, k=5)

    ask_embedding_ms: dict[str, list[float]] = {mode: [] for mode in indexes}
    ask_routes: dict[str, list[tuple[str, str]]] = {mode: [] for mode in indexes}

    def ask(mode: str, index, question: str) -> bool:
        use(retriever, index)
        Retriever.embed_query.cache_clear()  # every ask pays for its own query embeddings
        before = clock.seconds
        answer = assistant.ask(question)
        ask_embedding_ms[mode].append((clock.seconds - before) * 1000)
        ask_routes[mode].append((getattr(answer, "route", None) or "", question))
        return answer.refused

    loop.run("search_index_ms", search_questions, 0.3, search, before=embed_once)
    with EmbeddingClock(retriever.embedder) as clock:
        loop.run("ask_ms", ask_questions, 0.6, ask)
    cycled = (query_vectors * 3)[: max(3 * len(query_vectors), 10)]
    loop.run("vector_query_ms", cycled, 0.1, lambda mode, index, vector: index[0].query(vector, DENSE_K), minimum=10)
    result = {}
    for mode in indexes:
        timings = loop.timings[mode]
        index_ms = timings.get("search_index_ms", [])
        result[mode] = {
            "search_ms": _percentiles([a + b for a, b in zip(embed_ms, index_ms)]),
            "search_index_ms": _percentiles(index_ms),
            "query_embedding_ms": _percentiles(embed_ms[: len(index_ms)]),
            "ask_ms": _percentiles(timings.get("ask_ms", [])),
            "ask_embedding_ms": _percentiles(ask_embedding_ms[mode]),
            "ask_without_embedding_ms": _percentiles([a - e for a, e in zip(timings.get("ask_ms", []), ask_embedding_ms[mode])]),
            "ask_refused": loop.counts[mode].get("ask_ms", 0),
            # The slowest asks without the query embedding, with the answer's route: where a p95 comes from.
            "slowest_asks": [{"ms": round(a - e, 1), "route": route, "question": question} for a, e, (route, question) in
                             sorted(zip(timings.get("ask_ms", []), ask_embedding_ms[mode], ask_routes[mode]), key=lambda t: t[1] - t[0])[:3]],
            "vector_query_ms": _percentiles(timings.get("vector_query_ms", [])),
        }
    return result


def use(retriever, index) -> None:
    """Point the Retriever at one mode's chunk and sentence collections."""
    retriever.vectors, retriever.sentence_store = index


def search_breakdown(retriever, search_questions: list[str], query_vectors: list[np.ndarray], count: int = 10) -> dict[str, Any]:
    """Where the index part of `search` goes, step by step as Retriever.rank takes them, for a
    member (the public level only, so the access filter is in every store's query)."""
    from assistant.retrieval import Retriever
    from ingest.store.visible import nearest_visible

    candidates = max(retriever.settings.retrieval.candidates, 10)
    where = Retriever.where(None, "member")
    parts: dict[str, list[float]] = {"chroma_ms": [], "bm25_ms": [], "sentence_collection_ms": [], "register_rows_ms": []}
    try:
        for question, vector in list(zip(search_questions, query_vectors))[:count]:
            elapsed, dense = _ms(lambda: [(c, s) for c, s, _ in nearest_visible(retriever.vectors, vector, candidates, where, retriever.reader.access)])
            parts["chroma_ms"].append(elapsed)
            elapsed, lexical = _ms(lambda: retriever.lexical.search(question, candidates, levels=where["access"]))
            parts["bm25_ms"].append(elapsed)
            elapsed, sentences = _ms(lambda: retriever.sentence_store.best_chunks(vector, candidates, where, retriever.reader.access))
            parts["sentence_collection_ms"].append(elapsed)
            ids = {cid for results in (dense, lexical, sentences) for cid, _ in results}
            parts["register_rows_ms"].append(_ms(lambda: retriever.reader.rows(ids))[0])
    except Exception as error:  # noqa: BLE001 (the Retriever's internals may move; the rest still stands)
        return {"error": repr(error)}
    return {key: _percentiles(values) for key, values in parts.items()}


def measure_vectors(indexes: dict[str, Any], query_vectors: list[np.ndarray], time_limit_s: float) -> dict[str, Any]:
    loop = Interleaved(indexes, time_limit_s)
    cycled = (query_vectors * 3)[: max(3 * len(query_vectors), 10)]
    loop.run("vector_query_ms", cycled, 1.0, lambda mode, index, vector: index.query(vector, DENSE_K), minimum=10)
    return {mode: {"vector_query_ms": _percentiles(loop.timings[mode].get("vector_query_ms", []))} for mode in indexes}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """`chroma run` on 127.0.0.1 and a free port, serving `path`; stopped on exit (only this PID)."""

    def __init__(self, path: Path, log_path: Path):
        self.path, self.log_path = path, log_path
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.start_s: float | None = None

    def __enter__(self) -> "ChromaServer":
        import httpx

        binary = Path(sys.executable).with_name("chroma")
        command = [str(binary), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
        self._log = open(self.log_path, "w")
        start = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = start + 180
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    self.start_s = time.perf_counter() - start
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.__exit__()
        raise RuntimeError(f"chroma run did not answer within 180 s; see {self.log_path}")

    def peak_rss_mb(self) -> float | None:
        return peak_rss_mb(self.process.pid) if self.process else None

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self._log.close()


def run_measure(chunks: int, work: Path, queries: int, time_limit_s: float, vector_only: bool, seed: int = DEFAULT_SEED,
                server_only: bool = False) -> dict[str, Any]:
    """Time search, ask and the Chroma query against the embedded Chroma and a server, interleaved
    (with server_only, against the server alone: at 1M the embedded Chroma would load both HNSW
    indexes, about 5 GB of files, into this process beside the server's copy)."""
    from assistant.language import detect_language
    from assistant.retrieval import Retriever
    from assistant.service import Assistant
    from ingest.embedders import make_embedder
    from ingest.settings import StoreSettings
    from ingest.store.sentence_vectors import SentenceVectors
    from ingest.store.vectors import VectorIndex

    data_dir = work / f"query-{chunks}"
    settings = bench_settings(data_dir)
    embedder = make_embedder(settings.embedding)
    warm_count = 4  # the first ask, a few more before the server-mode RSS is read, one for the embedded mode
    all_questions = questions(2 * queries + warm_count, seed)
    warm = all_questions[:warm_count]
    search_questions, ask_questions = all_questions[warm_count : queries + warm_count], all_questions[queries + warm_count :]
    query_vectors = [np.asarray(embedder.get_query_embedding(q), dtype=np.float32) for q in search_questions]
    result: dict[str, Any] = {"chunks": chunks, "vector_only": vector_only, "server_only": server_only, "queries": queries,
                              "load_average_before": load_average()}

    # The server gets its own copy of the directory, so both modes can be open side by side.
    start = time.perf_counter()
    server_dir = work / f"query-{chunks}-server"
    if server_dir.exists():
        shutil.rmtree(server_dir)
    # hnswlib's link_lists.bin is a sparse file (at 1M chunks its apparent size reached hundreds of
    # GB over some MB of data): a plain copy writes every hole out and filled the disk, so copy
    # with `cp --sparse=always`, which keeps the holes.
    subprocess.run(["cp", "-r", "--sparse=always", str(settings.chroma_path), str(server_dir)], check=True)
    copy_s = time.perf_counter() - start
    with ChromaServer(server_dir, work / f"chroma-server-{chunks}.log") as server:
        log(f"  chroma run up in {server.start_s:.1f} s on {server.url} (directory copied in {copy_s:.1f} s)")
        reset_peak_rss()
        cold: dict[str, Any] = {"server_start_s": round(server.start_s, 2), "server_copy_s": round(copy_s, 1)}
        server_index = VectorIndex.open(data_dir, StoreSettings(chroma_url=server.url), embedder.dimension)
        cold["server_first_query_ms"] = round(_ms(lambda: server_index.query(query_vectors[0], DENSE_K))[0], 1)
        if not vector_only:
            # Recorded because a damaged collection may have been dropped (evals/bench/rebuild_sentences.py).
            cold["sentence_vectors"] = SentenceVectors.open(data_dir, StoreSettings(chroma_url=server.url), embedder.dimension).count()
        if vector_only:
            start = time.perf_counter()
            embedded_index = VectorIndex.open(data_dir, settings.store, embedder.dimension)
            cold["embedded_open_s"] = round(time.perf_counter() - start, 2)
            cold["embedded_first_query_ms"] = round(_ms(lambda: embedded_index.query(query_vectors[0], DENSE_K))[0], 1)
            result.update(measure_vectors({"embedded": embedded_index, "server": server_index}, query_vectors, time_limit_s))
        else:
            cold["language_detector_load_s"] = round(_ms(lambda: detect_language("Hva har rådet vedtatt om helsedata?"))[0] / 1000, 2)
            # Server mode first, as a deployment with `chroma run` holds it: this process then has
            # no HNSW index in it, so its peak RSS is the application's own.
            server_settings = bench_settings(data_dir, StoreSettings(chroma_url=server.url))
            start = time.perf_counter()
            retriever = Retriever(server_settings)
            cold["retriever_load_s"] = round(time.perf_counter() - start, 2)
            cold["rss_after_retriever_load_mb"] = rss_mb()
            assistant = Assistant(server_settings, retriever=retriever)
            start = time.perf_counter()
            assistant.ask(warm[0])
            cold["first_ask_s"] = round(time.perf_counter() - start, 2)
            for question in warm[1:]:
                assistant.ask(question)
            cold["rss_server_mode_mb"] = rss_mb()
            cold["peak_rss_server_mode_mb"] = peak_rss_mb()
            server_pair = (retriever.vectors, retriever.sentence_store)
            if server_only:
                retriever.search(warm[2], k=5)
                log(f"  Retriever loaded in {cold['retriever_load_s']} s, first ask {cold['first_ask_s']} s; timing the server mode only")
                result.update(measure_stack(retriever, assistant, {"server": server_pair}, search_questions, ask_questions, query_vectors, time_limit_s))
                result["server"]["search_breakdown"] = search_breakdown(retriever, search_questions, query_vectors)
                result["load_average_measured"] = load_average()
                cold["peak_rss_server_mode_mb"] = peak_rss_mb()  # the whole run's peak, timed asks included
        if not vector_only and not server_only:
            # Then the embedded Chroma in the same process: its HNSW indexes (chunks and
            # sentences) are loaded into this process on their first query.
            start = time.perf_counter()
            embedded_pair = (VectorIndex.open(data_dir, settings.store, embedder.dimension),
                             SentenceVectors.open(data_dir, settings.store, embedder.dimension))
            cold["embedded_open_s"] = round(time.perf_counter() - start, 2)
            cold["embedded_first_query_ms"] = round(_ms(lambda: embedded_pair[0].query(query_vectors[0], DENSE_K))[0], 1)
            use(retriever, embedded_pair)
            start = time.perf_counter()
            assistant.ask(warm[1])
            cold["embedded_first_ask_s"] = round(time.perf_counter() - start, 2)
            cold["rss_after_load_mb"] = rss_mb()
            indexes = {"embedded": embedded_pair, "server": server_pair}
            for index in indexes.values():
                use(retriever, index)
                retriever.search(warm[2], k=5)
            log(f"  Retriever loaded in {cold['retriever_load_s']} s, first ask {cold['first_ask_s']} s; timing both modes, interleaved")
            result.update(measure_stack(retriever, assistant, indexes, search_questions, ask_questions, query_vectors, time_limit_s))
            use(retriever, indexes["embedded"])
            result["embedded"]["search_breakdown"] = search_breakdown(retriever, search_questions, query_vectors)
            result["load_average_measured"] = load_average()
        # With server_only no embedded Chroma was loaded: the query process's peak is cold's server-mode one.
        result["peak_rss_mb"] = None if server_only and not vector_only else peak_rss_mb()
        result["server"]["server_peak_rss_mb"] = server.peak_rss_mb()
        result["cold"] = cold
    for mode in ("embedded", "server"):
        if mode in result:
            _log_mode(mode, result[mode])
    shutil.rmtree(server_dir, ignore_errors=True)
    result["load_average_after"] = load_average()
    return result


def _log_mode(mode: str, figures: dict[str, Any]) -> None:
    if "search_ms" not in figures:
        log(f"  {mode}: Chroma query p50 {figures['vector_query_ms']['p50']} ms p95 {figures['vector_query_ms']['p95']} ms")
        return
    log(
        f"  {mode}: search p50 {figures['search_ms']['p50']} ms (index part {figures['search_index_ms']['p50']} ms), "
        f"ask p50 {figures['ask_ms']['p50']} ms p95 {figures['ask_ms']['p95']} ms, Chroma query p50 {figures['vector_query_ms']['p50']} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phase", choices=["build", "measure"], required=True)
    parser.add_argument("--chunks", type=int, required=True)
    parser.add_argument("--pool", type=Path, help="data dir of an ingested synthetic archive (build)")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds for all timed loops of this size")
    parser.add_argument("--vector-only", action="store_true")
    parser.add_argument("--server-only", action="store_true", help="time the Chroma server mode only (no embedded Chroma in this process)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.phase == "build":
        if args.pool is None:
            parser.error("--pool is required for the build phase")
        from evals.bench.scaled_index import run_build

        result = run_build(args.chunks, args.pool, args.work, args.vector_only, args.seed)
    else:
        result = run_measure(args.chunks, args.work, args.queries, args.time_limit, args.vector_only, args.seed, args.server_only)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
