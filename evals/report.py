"""The evaluation report: the JSON shape, the rich table, and the files written with `--out DIR`.

report.json (= EvalReport.as_json()), items.jsonl (one scored item a line, with what failed),
report.md (tables and the failing items) and two PNG charts.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.metrics import (
    ANSWER_KEYS,
    RETRIEVAL_KEYS,
    ItemResult,
    aggregate,
    aggregate_by,
    baseline_metrics,
    retrieval_ratio,
)

BASELINE_LABELS = {"dense": "llama-index dense", "hybrid": "llama-index hybrid"}
# The terminal tables use short headers so a dozen columns fit an 80-column terminal.
SHORT_HEADERS = {
    "evidence_hit@1": "@1", "evidence_hit@3": "@3", "evidence_hit@5": "@5", "case_recall": "cases",
    "citation_precision": "prec.", "must_include": "must", "quote_fidelity": "quotes",
    "refusal_accuracy": "refusal", "false_refusal_rate": "false ref.", "top_quote": "top q.", "p50 ms": "p50 ms",
}


@dataclass
class EvalReport:
    items: list[ItemResult]
    # The baseline variants that were run ("dense", "hybrid"); empty when the baseline was skipped.
    baseline_variants: Sequence[str] = field(default_factory=tuple)
    # Run facts beside the figures: the sets, cross-validation folds and fits, topic-shift check.
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        # Questions from another corpus (--negatives) are reported on their own (by_context), so
        # the headline figures stay those of the gold sets.
        items = [i for i in self.items if i.context_kind != "cross_corpus"]
        overall = aggregate(items)
        baseline: dict[str, Any] | None = None
        if self.baseline_variants:
            baseline = {v: baseline_metrics(items, v) for v in self.baseline_variants}
            baseline["ratio"] = retrieval_ratio(
                overall["retrieval"], [baseline[v]["retrieval"] for v in self.baseline_variants]
            )
        return {
            "n": overall["n"],
            "retrieval": overall["retrieval"],
            "answers": overall["answers"],
            "latency_ms": overall["latency_ms"],
            "by_type": aggregate_by(items, "type"),
            "by_lang": aggregate_by(items, "lang"),
            "by_context": aggregate_by(self.items, "context_kind"),
            "by_set": aggregate_by(items, "set_name"),
            "baseline": baseline,
            **self.extra,
        }

    def failing_items(self) -> list[tuple[str, list[str]]]:
        return [(item.id, fails) for item in self.items if (fails := item.failures())]

    def print(self, console) -> None:
        from rich.table import Table

        data = self.as_json()
        table = Table(title=f"Rådsarkiv eval (n={data['n']})")
        for column in _columns(data):
            if column == "metric":
                table.add_column(column, no_wrap=True)
            else:
                table.add_column(column.replace("llama-index ", "llama-index\n"), justify="right")
        for row in metric_rows(data):
            table.add_row(*row)
        console.print(table)
        for line in _run_lines(data):
            console.print(line, markup=False)
        for title, groups in (("per type", data["by_type"]), ("per language", data["by_lang"]), ("fresh vs follow-up", data["by_context"]), ("per set", data["by_set"])):
            group_table = Table(title=f"Rådsarkiv {title}")
            for column in _group_columns():
                if column == "group":
                    group_table.add_column(column, no_wrap=True)
                else:
                    group_table.add_column(SHORT_HEADERS.get(column, column), justify="right")
            for row in group_rows(groups):
                group_table.add_row(*row)
            console.print(group_table)
        console.print("  " + ", ".join(f"{short} = {name}" for name, short in SHORT_HEADERS.items() if short != name))
        failing = self.failing_items()
        if failing:
            console.print(f"[bold]{len(failing)} failing items[/bold]")
            for item_id, fails in failing:
                console.print(f"  {item_id}: " + " | ".join(fails), markup=False)


def _run_lines(data: dict[str, Any]) -> list[str]:
    """What the figures are: held-out folds, the fitted thresholds, the topic-shift check."""
    lines = []
    if data.get("sets"):
        lines.append("Sets: " + ", ".join(data["sets"]) + (f"; documents: {data['docs']}" if data.get("docs") else ""))
    if data.get("negatives"):
        lines.append(f"Negatives: {data['negatives']['n']} questions from {data['negatives']['set']}, asked as unanswerable")
    if data.get("skipped"):
        lines.append(f"Left out: {data['skipped']['n']} items ({data['skipped']['reason']})")
    cv = data.get("crossval")
    if cv:
        values = "; ".join(_model_text(f) for f in cv["fits"])
        lines.append(f"{cv['folds']}-fold cross-validation (fold seed {cv.get('fold_seed', '?')}), held-out folds only. Refusal model per fold: {values}")
        if cv.get("quotes"):  # evals/fit_quotes.py: only the values a fold changed from the defaults
            from assistant.quote_selection import DEFAULT

            defaults = DEFAULT.as_json()
            changed = ["{" + ", ".join(f"{k} {v}" for k, v in f["policy"].items() if defaults.get(k) != v) + "}" for f in cv["quotes"]]
            lines.append("Quote policy per fold (changed from the defaults): " + "; ".join(changed))
    shift = data.get("topic_shift")
    if shift and shift["n"]:
        lines.append(
            f"Topic shift: {shift['identical']:.3f} of {shift['n']} self-contained questions answered exactly as fresh "
            f"after an unrelated turn" + (f"; differing: {', '.join(shift['differing'])}" if shift["differing"] else "")
        )
    return lines


def _model_text(fit: dict[str, Any]) -> str:
    """One fold's refusal model: its feature weights (standardised), or that nothing was fitted."""
    model = fit.get("model") or {}
    weights = ", ".join(f"{name} {coef:+.2f}" for name, coef in zip(model.get("features", []), model.get("coef", [])))
    return f"[{weights}]" + ("" if fit.get("fitted") else " (not fitted)")


def _fmt(value: float | None, latency: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if latency else f"{value:.3f}"


def _columns(data: dict[str, Any]) -> list[str]:
    columns = ["metric", "Rådsarkiv"]
    if data["baseline"]:
        columns += [BASELINE_LABELS.get(v, v) for v in data["baseline"] if v != "ratio"]
        columns.append("ratio")
    return columns


def metric_rows(data: dict[str, Any]) -> list[list[str]]:
    """metric | ours | each baseline | ours/best baseline; answer metrics have no baseline."""
    baseline = data["baseline"] or {}
    variants = [v for v in baseline if v != "ratio"]
    rows: list[list[str]] = []
    for key in RETRIEVAL_KEYS:
        row = [key, _fmt(data["retrieval"][key])]
        if baseline:
            row += [_fmt(baseline[v]["retrieval"][key]) for v in variants]
            row.append(_fmt(baseline["ratio"][key]))
        rows.append(row)
    filler = ["–"] * (len(variants) + 1) if baseline else []
    for key in ANSWER_KEYS:
        if key == "top_quote" and baseline:
            rows.append([key, _fmt(data["answers"][key]), *(_fmt(baseline[v].get("top_sentence")) for v in variants), "–"])
            continue
        rows.append([key, _fmt(data["answers"][key]), *filler])
    for key in ("p50", "p95"):
        row = [f"latency_ms {key}", _fmt(data["latency_ms"][key], latency=True)]
        if baseline:
            row += [_fmt(baseline[v]["latency_ms"][key], latency=True) for v in variants]
            row.append("–")
        rows.append(row)
    return rows


def _group_columns() -> list[str]:
    return ["group", "n", *RETRIEVAL_KEYS, *ANSWER_KEYS, "p50 ms"]


def group_rows(groups: dict[str, dict[str, Any]]) -> list[list[str]]:
    return [
        [
            name,
            str(group["n"]),
            *(_fmt(group["retrieval"][k]) for k in RETRIEVAL_KEYS),
            *(_fmt(group["answers"][k]) for k in ANSWER_KEYS),
            _fmt(group["latency_ms"]["p50"], latency=True),
        ]
        for name, group in sorted(groups.items())
    ]


def _markdown_table(columns: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: EvalReport, data: dict[str, Any] | None = None) -> str:
    data = data or report.as_json()
    parts = [
        f"# Rådsarkiv evaluation (n = {data['n']})",
        "",
        _markdown_table(_columns(data), metric_rows(data)),
        "",
        "Our latency is a whole `ask()` (retrieval and answer); the baselines' is retrieval only. "
        "ratio = Rådsarkiv / the stronger baseline. top_quote: must_include spans in our first quote; "
        "in the baseline columns, in the baseline's top sentence.",
        "",
        *(f"- {line}" for line in _run_lines(data)),
        "",
        "## Per type",
        "",
        _markdown_table(_group_columns(), group_rows(data["by_type"])),
        "",
        "## Per language",
        "",
        _markdown_table(_group_columns(), group_rows(data["by_lang"])),
        "",
        "## Per set",
        "",
        _markdown_table(_group_columns(), group_rows(data["by_set"])),
        "",
        "## Fresh questions vs follow-ups",
        "",
        _markdown_table(_group_columns(), group_rows(data["by_context"])),
        "",
        "## Failing items",
        "",
    ]
    failing = report.failing_items()
    parts += [f"- **{item_id}**: " + "; ".join(fails) for item_id, fails in failing] or ["None."]
    return "\n".join(parts) + "\n"


def _charts(data: dict[str, Any], out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, never need a display
    import matplotlib.pyplot as plt
    import numpy as np

    written: list[Path] = []
    series = {"Rådsarkiv": data["retrieval"]}
    for variant, metrics in (data["baseline"] or {}).items():
        if variant != "ratio":
            series[BASELINE_LABELS.get(variant, variant)] = metrics["retrieval"]
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(RETRIEVAL_KEYS))
    width = 0.8 / len(series)
    for i, (label, metrics) in enumerate(series.items()):
        ax.bar(x + i * width, [metrics[k] or 0.0 for k in RETRIEVAL_KEYS], width, label=label)
    ax.set_xticks(x + width * (len(series) - 1) / 2, RETRIEVAL_KEYS)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of answerable items")
    ax.set_title("Evidence in the top-k passages")
    ax.legend()
    fig.tight_layout()
    written.append(out_dir / "evidence_hit.png")
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)

    types = sorted(data["by_type"])
    fig, ax = plt.subplots(figsize=(max(8, len(types) * 0.9), 4.5))
    x = np.arange(len(types))
    width = 0.8 / len(ANSWER_KEYS)
    for i, key in enumerate(ANSWER_KEYS):
        values = [data["by_type"][t]["answers"][key] for t in types]
        ax.bar(x + i * width, [v if v is not None else 0.0 for v in values], width, label=key)
    ax.set_xticks(x + width * (len(ANSWER_KEYS) - 1) / 2, types, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("Answer metrics per question type (missing = not applicable)")
    ax.legend(fontsize=7, ncols=3)
    fig.tight_layout()
    written.append(out_dir / "answers_by_type.png")
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)
    return written


def write_report(report: EvalReport, out_dir: Path) -> list[Path]:
    """Write report.json, report.md, items.jsonl and the charts; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = report.as_json()
    json_path = out_dir / "report.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    items_path = out_dir / "items.jsonl"
    items_path.write_text(
        "".join(json.dumps(item.as_json(), ensure_ascii=False) + "\n" for item in report.items),
        encoding="utf-8",
    )
    md_path = out_dir / "report.md"
    md_path.write_text(render_markdown(report, data), encoding="utf-8")
    return [json_path, items_path, md_path, *_charts(data, out_dir)]
