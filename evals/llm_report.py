"""With a language model configured, `radsarkiv eval` also writes how the model did beside the
extractive answers of the same run: llm.md (quality side by side, time to first token, tokens/s,
why answers fell back) and llm_answers.jsonl (per item: both answers, the model's raw text,
timings). The extractive answer of each item is the one the model's answer replaced (or fell
back to), so both columns come from the same retrieval.
"""
from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer import Answer
from evals.metrics import ANSWER_KEYS, Archive, GoldItem, ItemResult, aggregate, score_item


@dataclass
class LLMComparison:
    model: str
    rows: list[dict[str, Any]]  # one per item
    with_llm: dict[str, Any]  # aggregate() of the final answers
    extractive: dict[str, Any]  # aggregate() of the extractive answers

    @classmethod
    def build(
        cls,
        items: Sequence[GoldItem],
        asked: Sequence[tuple[Answer, float, str | None]],
        final: Sequence[ItemResult],
        archive: Archive,
        doc_seed_ids: dict[str, str],
    ) -> "LLMComparison | None":
        if not any(answer.generation for answer, _, _ in asked):
            return None
        extractive_results: list[ItemResult] = []
        rows: list[dict[str, Any]] = []
        model = ""
        for item, (answer, latency, error), result in zip(items, asked, final):
            info = answer.generation
            model = model or info.get("model", "")
            extractive: Answer = info.get("extractive") or answer  # not sent: refused or a card
            extractive_results.append(score_item(item, extractive, latency, archive, doc_seed_ids, error=error))
            tokens, elapsed, first = info.get("completion_tokens"), info.get("elapsed_s"), info.get("first_token_s")
            generating = (elapsed - first) if elapsed and first is not None else None
            rows.append({
                "id": item.id, "lang": item.lang, "type": item.type, "question": item.question,
                "route": answer.route, "sent_to_model": bool(info),
                "model_answer_kept": bool(info) and "fallback" not in info,
                "fallback": info.get("fallback"),
                "answer": answer.answer,
                "citations": [c.marker for c in answer.citations],
                "extractive_answer": extractive.answer,
                "raw_model_text": info.get("raw_text"),
                "notes": answer.notes,
                "sources": info.get("sources"),
                "prompt_tokens": info.get("prompt_tokens"),
                "completion_tokens": tokens,
                "first_token_s": _round(first),
                "elapsed_s": _round(elapsed),
                # Generation speed after the first token (prompt processing is in first_token_s).
                "tokens_per_s": _round(tokens / generating) if tokens and generating else None,
                "case_recall": result.case_recall, "must_include": result.must_include,
                "extractive_case_recall": extractive_results[-1].case_recall,
                "extractive_must_include": extractive_results[-1].must_include,
            })
        return cls(model, rows, aggregate(final), aggregate(extractive_results))

    def as_json(self) -> dict[str, Any]:
        sent = [r for r in self.rows if r["sent_to_model"]]
        timed = [r for r in sent if r["first_token_s"] is not None]
        return {
            "model": self.model,
            "n": len(self.rows),
            "sent_to_model": len(sent),
            "model_answer_kept": sum(r["model_answer_kept"] for r in self.rows),
            "fallbacks": dict(Counter(_reason(r["fallback"]) for r in sent if r["fallback"])),
            "first_token_s": _spread([r["first_token_s"] for r in timed]),
            "tokens_per_s": _spread([r["tokens_per_s"] for r in timed if r["tokens_per_s"]]),
            "elapsed_s": _spread([r["elapsed_s"] for r in timed]),
            "answers": {"with_llm": self.with_llm["answers"], "extractive": self.extractive["answers"]},
        }

    def write(self, out_dir: Path) -> list[Path]:
        out_dir.mkdir(parents=True, exist_ok=True)
        data = self.as_json()
        json_path = out_dir / "llm.json"
        json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        rows_path = out_dir / "llm_answers.jsonl"
        rows_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.rows), encoding="utf-8")
        md_path = out_dir / "llm.md"
        md_path.write_text(render_markdown(data), encoding="utf-8")
        return [json_path, rows_path, md_path]


def render_markdown(data: dict[str, Any]) -> str:
    answers = data["answers"]
    lines = [
        f"# LLM answers beside the extractive answers (model: {data['model']})",
        "",
        f"{data['n']} items; {data['sent_to_model']} sent to the model (the rest were refused by "
        f"the archive or answered by a case card or meeting agenda); the model's answer was kept "
        f"for {data['model_answer_kept']}, the others fell back to the extractive answer.",
        "",
        "| metric | with the LLM | extractive (same run) |",
        "|---|---|---|",
    ]
    for key in ANSWER_KEYS:
        lines.append(f"| {key} | {_fmt(answers['with_llm'].get(key))} | {_fmt(answers['extractive'].get(key))} |")
    lines += ["", "| timing (items sent to the model) | p50 | p95 | max |", "|---|---|---|---|"]
    for key, label in (("first_token_s", "time to first token, s"), ("tokens_per_s", "tokens/s after the first"),
                       ("elapsed_s", "whole request, s")):
        spread = data[key]
        lines.append(f"| {label} | {_fmt(spread.get('p50'))} | {_fmt(spread.get('p95'))} | {_fmt(spread.get('max'))} |")
    if data["fallbacks"]:
        lines += ["", "Fallbacks to the extractive answer: " + ", ".join(f"{k} ({v})" for k, v in data["fallbacks"].items()) + "."]
    lines += ["", "Per-item answers (the model's raw text, the final answer, the extractive answer, "
              "timings): `llm_answers.jsonl`."]
    return "\n".join(lines) + "\n"


def _reason(fallback: str) -> str:
    return "timeout" if "timed out" in fallback else fallback


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": _round(statistics.median(ordered)), "p95": _round(p95), "max": _round(ordered[-1])}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
