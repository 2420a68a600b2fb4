"""Cost against size, from bench.json: PNGs for the README (matplotlib, Agg, no display)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MODES = {"embedded": ("embedded Chroma", "tab:blue"), "server": ("Chroma server", "tab:orange")}


def write_plots(report: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    ingest = [r for r in report.get("ingest", []) if "error" not in r]
    if ingest:
        written.append(_ingest_plot(ingest, out_dir / "bench-ingest.png"))
        written.append(_memory_plot(ingest, out_dir / "bench-memory.png"))
    queries = [r for r in report.get("query", []) if "error" not in r]
    if queries:
        written.append(_latency_plot(queries, out_dir / "bench-query-latency.png"))
        breakdown = _breakdown_plot(queries, out_dir / "bench-search-breakdown.png")
        if breakdown:
            written.append(breakdown)
        written.append(_build_plot(queries, report.get("query_extrapolation", {}), out_dir / "bench-index-build.png"))
    return written


def _ingest_plot(rows: list[dict], path: Path) -> Path:
    ns = [r["n"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(ns, [r["ingest_s"] for r in rows], "o-", label="ingest (fresh index)")
    # The load on a shared machine moves between sizes; the raw embedder's own time for the same
    # tokens, measured in the same process, is the reference that moves with it.
    left.plot(ns, [r["embedded_tokens"] / r["raw_embedder"]["tokens_per_s"] for r in rows], "^:", color="gray",
              label="embedder alone, same tokens")
    left.set_xlabel("meeting bundles (N)")
    left.set_ylabel("seconds")
    left.set_ylim(bottom=0)
    left.set_title("Ingest time vs archive size")
    left.grid(alpha=0.3)
    again = left.twinx()
    again.plot(ns, [r["reingest_unchanged_s"] for r in rows], "s-", color="tab:green", label="unchanged re-ingest (right axis)")
    again.set_ylabel("seconds (unchanged re-ingest)")
    again.set_ylim(bottom=0)
    handles = left.get_legend_handles_labels()
    extra = again.get_legend_handles_labels()
    left.legend(handles[0] + extra[0], handles[1] + extra[1], fontsize=8)
    right.plot(ns, [r["tokens_per_s"] for r in rows], "o-", label="ingest, tokens/s")
    raw = [r["raw_embedder"] for r in rows]
    right.errorbar(ns, [x["tokens_per_s"] for x in raw], fmt="^--", capsize=4, label="embedder alone, tokens/s (before–after)",
                   yerr=[[x["tokens_per_s"] - min(x["before"]["tokens_per_s"], x["after"]["tokens_per_s"]) for x in raw],
                         [max(x["before"]["tokens_per_s"], x["after"]["tokens_per_s"]) - x["tokens_per_s"] for x in raw]])
    for r in rows:
        right.annotate(f"{r['ingest_share_of_raw_tokens_per_s']:.0%}", (r["n"], r["tokens_per_s"]), textcoords="offset points", xytext=(4, -12), fontsize=8)
    right.set_xlabel("meeting bundles (N)")
    right.set_ylabel("tokens per second")
    right.set_ylim(bottom=0)
    right.set_title("Throughput (share of the raw embedder's)")
    right.legend()
    right.grid(alpha=0.3)
    return _save(fig, path)


def _memory_plot(rows: list[dict], path: Path) -> Path:
    ns = [r["n"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(ns, [r["peak_rss_mb"] for r in rows], "o-", label="peak RSS during ingest")
    left.plot(ns, [r["rss_before_mb"] for r in rows], ":", color="gray", label="RSS before (model loaded)")
    left.set_xlabel("meeting bundles (N)")
    left.set_ylabel("MiB")
    left.set_ylim(bottom=0)
    left.set_title("Memory vs archive size")
    left.legend()
    left.grid(alpha=0.3)
    for key, label in (("total", "total"), ("register", "register (SQLite)"), ("chroma", "Chroma"), ("bm25", "BM25")):
        right.plot(ns, [r["index_mb"][key] for r in rows], "o-", label=label)
    right.set_xlabel("meeting bundles (N)")
    right.set_ylabel("MiB on disk")
    right.set_title("Index size vs archive size")
    right.legend()
    right.grid(alpha=0.3)
    return _save(fig, path)


def _mode_lines(axis, rows: list[dict], key: str, label_suffix: str = "", style: str = "o") -> None:
    for mode, (label, colour) in MODES.items():
        points = [(r["chunks"], r[mode][key]) for r in rows if r.get(mode) and (r[mode].get(key) or {}).get("n")]
        if not points:
            continue
        xs = [p[0] for p in points]
        axis.plot(xs, [p[1]["p50"] for p in points], f"{style}-", color=colour, label=f"{label}{label_suffix} p50")
        axis.plot(xs, [p[1]["p95"] for p in points], f"{style}--", color=colour, alpha=0.5, label=f"{label}{label_suffix} p95")


def _finish(axis, title: str, log_y: bool = False) -> None:
    axis.set_xscale("log")
    if log_y:
        axis.set_yscale("log")
    else:
        axis.set_ylim(bottom=0)
    axis.set_xlabel("chunks in the index")
    axis.set_ylabel("ms")
    axis.set_title(title)
    axis.legend(fontsize=7)
    axis.grid(alpha=0.3, which="both")


def _latency_plot(rows: list[dict], path: Path) -> Path:
    full = [r for r in rows if not r.get("vector_only")]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    _mode_lines(axes[0], full, "search_index_ms", ", search index part", "o")
    _mode_lines(axes[0], full, "ask_without_embedding_ms", ", ask w/o embedding", "s")
    _finish(axes[0], "Index-bound work: search and ask without query embedding")
    _mode_lines(axes[1], full, "search_ms", ", search", "o")
    _mode_lines(axes[1], full, "ask_ms", ", ask", "s")
    _finish(axes[1], "Whole calls incl. query embedding (load-sensitive)", log_y=True)
    _mode_lines(axes[2], rows, "vector_query_ms", "", "o")
    _finish(axes[2], "Chroma query alone (k=40)")
    return _save(fig, path)


def _breakdown_plot(rows: list[dict], path: Path) -> Path | None:
    rows = [r for r in rows if (r.get("embedded") or {}).get("search_breakdown") and "error" not in r["embedded"]["search_breakdown"]]
    if not rows:
        return None
    parts = [("chroma_ms", "Chroma chunks (40 visible)"), ("bm25_ms", "BM25 (memory-mapped, filtered)"),
             ("sentence_collection_ms", "Chroma sentences (160 visible)"), ("register_rows_ms", "register rows of the candidates")]
    fig, axis = plt.subplots(figsize=(7, 4.2))
    labels = [f"{r['chunks']:,}" for r in rows]
    bottom = [0.0] * len(rows)
    for key, label in parts:
        values = [r["embedded"]["search_breakdown"][key]["p50"] or 0.0 for r in rows]
        axis.bar(labels, values, bottom=bottom, label=label)
        bottom = [b + v for b, v in zip(bottom, values)]
    axis.plot(labels, [r["embedded"]["search_index_ms"]["p50"] for r in rows], "kD", label="search index part (whole call, no access filter)")
    axis.set_xlabel("chunks in the index")
    axis.set_ylabel("ms (p50)")
    axis.set_title("Where search's index time goes (embedded Chroma; bars: a member's search)")
    axis.legend(fontsize=8)
    axis.grid(alpha=0.3, axis="y")
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _log_log(axis, ylabel: str, title: str) -> None:
    """The log-log styling every cost-against-index-size panel shares."""
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("chunks in the index")
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    axis.legend(fontsize=8)
    axis.grid(alpha=0.3, which="both")


def _build_plot(rows: list[dict], extrapolation: dict[str, Any], path: Path) -> Path:
    fig, (axis, memory) = plt.subplots(1, 2, figsize=(12, 4.4))
    points = sorted((r["chunks"], r["build"]["chroma_insert_s"]) for r in rows if "build" in r)
    axis.plot([p[0] for p in points], [p[1] for p in points], "o-", label="Chroma insert (chunks), measured")
    totals = sorted((r["chunks"], r["build"].get("total_s")) for r in rows if "build" in r and r["build"].get("total_s"))
    if totals:
        axis.plot([p[0] for p in totals], [p[1] for p in totals], "D-", label="whole build (chunks, sentences, register, BM25)")
    projected = extrapolation.get("chroma_insert_s")
    if projected and points and extrapolation.get("chunks") and not any(p[0] == extrapolation["chunks"] for p in points):
        axis.plot([points[-1][0], extrapolation["chunks"]], [points[-1][1], projected], "x--", color="gray", label="Chroma insert, extrapolated")
    full = [r for r in rows if not r.get("vector_only") and r.get("cold")]
    if full:
        axis.plot([r["chunks"] for r in full], [r["build"]["bm25_s"] for r in full], "s-", label="BM25 build")
        axis.plot([r["chunks"] for r in full], [r["cold"]["retriever_load_s"] + r["cold"]["first_ask_s"] for r in full], "^-", label="cold start (Retriever load + first ask)")
    _log_log(axis, "seconds", "Build cost vs index size")
    series = [
        ("query process, server mode (no HNSW in it), peak", [(r["chunks"], r["cold"].get("peak_rss_server_mode_mb")) for r in full]),
        ("query process with the embedded Chroma too, peak", [(r["chunks"], r.get("peak_rss_mb")) for r in full]),
        ("Chroma server, peak", [(r["chunks"], (r.get("server") or {}).get("server_peak_rss_mb")) for r in rows]),
        ("build process, peak", [(r["chunks"], r["build"].get("peak_rss_mb")) for r in rows if "build" in r]),
    ]
    for label, values in series:
        values = [(x, y) for x, y in values if y]
        if values:
            memory.plot([v[0] for v in values], [v[1] for v in values], "o-", label=label)
    if full:
        memory.axhline(3 * 1024, color="red", linestyle=":", linewidth=1, label="3 GiB target (query process)")
    _log_log(memory, "MiB (peak RSS)", "Memory vs index size")
    return _save(fig, path)
