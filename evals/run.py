"""`radsarkiv eval`: ask the assistant every gold question, score the answers, run the baseline.

    report = run_eval(Path("../shared/evals/gold-dev.jsonl"), out_dir=Path("evals/out"))
    failures = check_thresholds(report.as_json(), load_thresholds())
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.answer import Answer
from evals.baseline import WARM_UP_QUESTION
from evals.metrics import Archive, GoldItem, ItemResult, check_thresholds, score_item
from evals.report import EvalReport, write_report

__all__ = [
    "EvalReport",
    "check_thresholds",
    "find_seeds_dir",
    "load_gold",
    "load_thresholds",
    "map_documents_to_seeds",
    "run_eval",
]

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.json")
REPO_ROOT = Path(__file__).resolve().parents[1]
_SHINGLE_WORDS = 8
_SEED_MATCH_MIN = 0.3


def load_gold(set_path: Path) -> list[GoldItem]:
    lines = Path(set_path).read_text(encoding="utf-8").splitlines()
    return [GoldItem.model_validate_json(line) for line in lines if line.strip()]


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def find_seeds_dir(set_path: Path | None = None) -> Path | None:
    """shared/seeds beside the gold set's folder, or beside the repository (../shared/seeds)."""
    candidates = [REPO_ROOT.parent / "shared" / "seeds"]
    if set_path is not None:
        candidates.insert(0, Path(set_path).resolve().parent.parent / "seeds")
    return next((c for c in candidates if c.is_dir() and any(c.glob("*.txt"))), None)


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    if len(words) <= _SHINGLE_WORDS:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + _SHINGLE_WORDS]) for i in range(len(words) - _SHINGLE_WORDS + 1)}


def map_documents_to_seeds(
    document_texts: Mapping[str, str],
    seeds_dir: Path | None,
    doc_types: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Evaluation plumbing, not product logic: which seed ("000", "001") each indexed doc_id is.

    The gold set names its documents by seed id (the file-name prefix in shared/seeds). With the
    seeds at hand, a document is the seed that contains the largest share of its 8-word shingles
    (words only, so markdown marks and PDF line breaks don't matter), when that share is at least
    0.3; a document matching no seed gets no id. The corpus holds the same bundle as .md and .pdf,
    and a file may be a part of a seed: both still match. Without the seeds, the doc_type decides:
    "nyhet" (the news article) is "000", everything else "001".
    """
    if seeds_dir is None:
        types = doc_types or {}
        return {doc_id: "000" if types.get(doc_id) == "nyhet" else "001" for doc_id in document_texts}
    seeds = {
        path.name.split("_", 1)[0]: _shingles(path.read_text(encoding="utf-8"))
        for path in sorted(Path(seeds_dir).glob("*.txt"))
    }
    mapping: dict[str, str] = {}
    for doc_id, text in document_texts.items():
        shingles = _shingles(text)
        if not shingles:
            continue
        share, seed_id = max((len(shingles & s) / len(shingles), sid) for sid, s in seeds.items())
        if share >= _SEED_MATCH_MIN:
            mapping[doc_id] = seed_id
    return mapping


def _ask_all(assistant, items: Sequence[GoldItem], progress: bool) -> list[tuple[Answer, float, str | None]]:
    """(answer, latency ms, error) per item, in order."""
    from rich.console import Console
    from rich.progress import track

    try:
        assistant.ask(WARM_UP_QUESTION)
    except Exception:  # noqa: BLE001 - a real failure shows again, measured, on the items
        pass
    out: list[tuple[Answer, float, str | None]] = []
    for item in track(items, description="Rådsarkiv", disable=not progress, console=Console(stderr=True), transient=True):
        started = time.perf_counter()
        try:
            answer, error = assistant.ask(item.question, history=item.history), None
        except Exception as exc:  # one broken item must not hide the other results
            answer, error = Answer(answer=""), f"{type(exc).__name__}: {exc}"
        out.append((answer, (time.perf_counter() - started) * 1000, error))
    return out


def run_eval(
    set_path: Path,
    out_dir: Path | None = None,
    with_baseline: bool = True,
    progress: bool = True,
    settings=None,
) -> EvalReport:
    """Score the assistant on a gold JSONL set; with_baseline also runs the llama-index baseline."""
    from assistant.service import get_assistant
    from ingest.settings import get_settings
    from ingest.store.register import Register

    settings = settings or get_settings()
    items = load_gold(set_path)
    assistant = get_assistant(settings)
    asked = _ask_all(assistant, items, progress)

    register = Register.open_readonly(settings.register_path)
    try:
        document_texts = register.document_texts()
        doc_types = {row["doc_id"]: row["doc_type"] for row in register.documents()}
    finally:
        register.close()
    archive = Archive(document_texts.values())
    doc_seed_ids = map_documents_to_seeds(document_texts, find_seeds_dir(set_path), doc_types)
    results: list[ItemResult] = [
        score_item(item, answer, latency, archive, doc_seed_ids, error=error)
        for item, (answer, latency, error) in zip(items, asked)
    ]

    variants: tuple[str, ...] = ()
    if with_baseline:
        from evals.baseline import run_baseline

        measured = run_baseline(items, settings, progress=progress)
        for result in results:
            for variant, per_item in measured.items():
                rank, latency = per_item[result.id]
                result.baseline_ranks[variant] = rank
                result.baseline_latency_ms[variant] = latency
        variants = tuple(measured)

    report = EvalReport(results, variants)
    if out_dir is not None:
        write_report(report, Path(out_dir))
        # With a language model: its answers beside the extractive ones, with timings.
        from evals.llm_report import LLMComparison

        comparison = LLMComparison.build(items, asked, results, archive, doc_seed_ids)
        if comparison is not None:
            comparison.write(Path(out_dir))
    return report
