"""`radsarkiv eval`: ask the assistant every gold question, score the answers, run the baseline.

    report = run_eval([Path("../shared/evals/gold-dev.jsonl")], out_dir=Path("evals/out"), folds=5)
    failures = check_thresholds(report.as_json(), load_thresholds())

With folds > 1 every item is scored once, in the fold where it is held out, with the values
evals/fit.py fits on the other folds; the report holds those held-out figures only.
"""
from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from assistant.answer import Answer
from evals.baseline import WARM_UP_QUESTION
from evals.fit_quotes import QuoteCapture, fold_policies, policy_context
from assistant.sentence_weights import shipped_weights
from evals.fit_sentences import fold_weights, weights_context
from evals.fusion import fold_fusions
from evals.metrics import Archive, GoldItem, ItemResult, check_thresholds, normalise, score_item
from evals.report import EvalReport, write_report

__all__ = [
    "EvalReport",
    "check_thresholds",
    "find_seeds_dir",
    "load_gold",
    "load_items",
    "load_thresholds",
    "map_documents_to_seeds",
    "run_eval",
]

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.json")
REPO_ROOT = Path(__file__).resolve().parents[1]
_SHINGLE_WORDS = 8
_SEED_MATCH_MIN = 0.3


def load_gold(set_path: Path) -> list[GoldItem]:
    if not Path(set_path).is_file():
        raise FileNotFoundError(f"Fant ikke gullsettet {set_path}.")
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


def load_items(
    set_paths: Sequence[Path] | Path,
    negatives: Path | Sequence[Path] | None = None,
    negatives_sample: int | None = None,
    sample: int | None = None,
    seed: int = 0,
) -> list[GoldItem]:
    """The items of every set (ids prefixed by the set's name when two sets share one), a random
    `sample` of them when asked, and `negatives`: questions written for another corpus, asked
    here as unanswerable (those with history are left out: their context is the other corpus)."""
    paths = [Path(set_paths)] if isinstance(set_paths, (str, Path)) else [Path(p) for p in set_paths]
    items: list[GoldItem] = []
    seen: set[str] = set()
    for path in paths:
        for item in load_gold(path):
            if item.id in seen:  # another set's id, or one repeated within a set
                item = item.model_copy(update={"id": next(
                    candidate for n in range(1, len(seen) + 2)
                    if (candidate := f"{path.stem}:{item.id}" + (f"#{n}" if n > 1 else "")) not in seen
                )})
            seen.add(item.id)
            items.append(item.model_copy(update={"source": path.stem}))
    if sample is not None and sample < len(items):
        items = random.Random(seed).sample(items, sample)
    if negatives:
        negative_paths = [negatives] if isinstance(negatives, (str, Path)) else list(negatives)
        pool = [i.model_copy(update={"source": Path(path).stem}) for path in negative_paths for i in load_gold(path) if not i.history]
        if negatives_sample is not None and negatives_sample < len(pool):
            pool = random.Random(seed + 1).sample(pool, negatives_sample)
        items += [
            GoldItem(id=f"neg:{i.id}", question=i.question, lang=i.lang, type="unanswerable", source=i.source)
            for i in pool
        ]
    return items


Asked = tuple[Answer, float, str | None]  # answer, latency ms, error


def _ask(assistant, question: str, history: list | None) -> Asked:
    started = time.perf_counter()
    try:
        answer, error = assistant.ask(question, history=history), None
    except Exception as exc:  # one broken item must not hide the other results
        answer, error = Answer(answer=""), f"{type(exc).__name__}: {exc}"
    return answer, (time.perf_counter() - started) * 1000, error


def _warm_up(assistant) -> None:
    try:
        assistant.ask(WARM_UP_QUESTION)
    except Exception:  # noqa: BLE001 - a real failure shows again, measured, on the items
        pass


def _track(sequence, description: str, progress: bool):
    from rich.console import Console
    from rich.progress import track

    return track(sequence, description=description, disable=not progress, console=Console(stderr=True), transient=True)


def _ask_all(assistant, items: Sequence[GoldItem], progress: bool, description: str = "Rådsarkiv", around=None) -> list[Asked]:
    """Every item asked once; `around(i)`, when given, is a context each item is asked in (the
    cross-validation's per-fold fitted values)."""
    _warm_up(assistant)
    around = around or (lambda _index: nullcontext())
    asked = []
    for index in _track(range(len(items)), description, progress):
        with around(index):
            asked.append(_ask(assistant, items[index].question, items[index].history))
    return asked


def collect_features(items: Sequence[GoldItem], settings=None, progress: bool = True) -> list[dict | None]:
    """Each item's evidence features (assistant/holdings.py), asked with the refusal model off;
    None for an item an earlier rule decided."""
    return [answer.evidence_features for answer in collect_answers(items, settings, progress)]


def collect_answers(items: Sequence[GoldItem], settings=None, progress: bool = True) -> list[Answer]:
    """Each item's answer with the refusal model off: its evidence features, or (features None)
    what an earlier rule decided."""
    from assistant.service import get_assistant
    from ingest.settings import get_settings

    assistant = get_assistant(settings or get_settings())
    saved = assistant.extractive.refusal_model
    assistant.extractive.refusal_model = None
    try:
        return [answer for answer, _, _ in _ask_all(assistant, items, progress, "features")]
    finally:
        assistant.extractive.refusal_model = saved


def _cross_validate(assistant, items: Sequence[GoldItem], folds: int, progress: bool, archive=None, doc_ids=None, fold_seed: int | None = None) -> tuple[list[Asked], list[int], list, dict[str, Any]]:
    """Each item answered in its held-out fold, with the refusal model fitted on the other folds.

    One pass with the model off gives every item's answer and evidence features. An item the
    fold's model lets through gets exactly that answer (the model's test is the only difference);
    one it refuses is asked again with the model in force.
    """
    from evals.fit import FOLD_SEED, fit_refusal_model, fold_assignment

    assignment = fold_assignment([item.type for item in items], folds, FOLD_SEED if fold_seed is None else fold_seed)
    # The retrieval fusion too is fitted per fold: every item is retrieved with its fold's model.
    fusion = fold_fusions(assistant, items, assignment, folds, progress)
    extractive = assistant.extractive
    shipped = extractive.refusal_model
    extractive.refusal_model = None
    capture = QuoteCapture(extractive)
    try:
        with capture.recording():  # the quoting step's input, to fit the quote policy on
            free = _ask_all(assistant, items, progress, "Rådsarkiv (fitting pass)", around=capture.around(fusion.for_item))
    finally:
        extractive.refusal_model = shipped
    # The quote policy (evals/fit_quotes.py) per fold; every held-out item is asked in its context.
    policies, quote_fits = fold_policies(extractive, items, capture.calls, archive, doc_ids, assignment, folds)
    # The sentence weights per fold (evals/fit_sentences.py; off unless RADSARKIV_EVAL_FIT_SENTENCES=1).
    weights, sentence_fits = fold_weights(extractive, items, capture.calls, archive, doc_ids, assignment, folds, policies)
    for_item = weights_context(weights, policy_context(extractive, policies, fusion.for_item))
    features = [answer.evidence_features for answer, _, _ in free]
    asked: list[Asked] = list(free)
    models: list = [shipped] * len(items)
    fits = []
    for fold in range(folds):
        train = [i for i, f in enumerate(assignment) if f != fold]
        fit = fit_refusal_model([features[i] for i in train], [items[i].answerable for i in train])
        fits.append({"fold": fold, "held_out": assignment.count(fold), **fit.as_json()})
        extractive.refusal_model = fit.model
        try:
            for i in (i for i, f in enumerate(assignment) if f == fold):
                models[i] = fit.model
                refused = features[i] is not None and fit.model.refuses(features[i])
                changed = weights[i] is not None and weights[i] != shipped_weights()  # any route may score sentences
                if refused or changed or (i in capture.calls and policies[i] != extractive.quote_policy):
                    with for_item(i):
                        asked[i] = _ask(assistant, items[i].question, items[i].history)
        finally:
            extractive.refusal_model = shipped
    return asked, assignment, models, {"folds": folds, "fold_seed": FOLD_SEED if fold_seed is None else fold_seed, "held_out_only": True, "fits": fits, "fusion": fusion.as_json(), "quotes": quote_fits, "sentences": sentence_fits, "fold_context": for_item}


def _topic_shift(assistant, items: Sequence[GoldItem], asked: Sequence[Asked], models: Sequence, progress: bool, around=None) -> dict[str, Any]:
    """Every self-contained item asked again after an unrelated turn (the previous such item and
    its answer): a question that does not refer back must get exactly the answer it got fresh."""
    fresh = [i for i, item in enumerate(items) if not item.history and not item.id.startswith("neg:")]
    differing: list[str] = []
    extractive = assistant.extractive
    shipped = extractive.refusal_model
    try:
        for position in _track(range(len(fresh)), "topic shift", progress):
            i, previous = fresh[position], fresh[position - 1]
            history = [
                {"role": "user", "content": items[previous].question},
                {"role": "assistant", "content": asked[previous][0].answer},
            ]
            extractive.refusal_model = models[i]
            with (around or (lambda _index: nullcontext()))(i):
                shifted, _, _ = _ask(assistant, items[i].question, history)
            before = asked[i][0]
            same = (shifted.answer, shifted.refused, [c.marker for c in shifted.citations]) == (
                before.answer, before.refused, [c.marker for c in before.citations])
            if not same:
                differing.append(items[i].id)
    finally:
        extractive.refusal_model = shipped
    n = len(fresh)
    return {"n": n, "identical": (n - len(differing)) / n if n else None, "differing": differing}


def _top_quote(item: GoldItem, answer: Answer) -> float | None:
    """Share of must_include spans inside the answer's first quote: the top sentence it chose."""
    if not item.must_include or not item.answerable:
        return None
    quote = normalise(answer.citations[0].quote) if answer.citations else ""
    return sum(normalise(span) in quote for span in item.must_include) / len(item.must_include)


def _document_ids(settings, docs: Path | None, set_paths: Sequence[Path]) -> tuple[dict[str, str], Archive]:
    """doc_id → the id the gold set uses for it, and the archive's texts for quote checks."""
    from ingest.store.register import Register

    register = Register.open_readonly(settings.register_path)
    try:
        document_texts = register.document_texts()
        rows = register.documents()
    finally:
        register.close()
    if docs is not None:
        # A documents folder's gold set names each document by its file name without suffix.
        ids = {row["doc_id"]: Path(row["path"]).stem for row in rows}
    else:
        doc_types = {row["doc_id"]: row["doc_type"] for row in rows}
        ids = map_documents_to_seeds(document_texts, find_seeds_dir(set_paths[0] if set_paths else None), doc_types)
    return ids, Archive(document_texts.values())


def docs_settings(docs: Path, data_dir: Path | None = None, progress: bool = True):
    """Settings for a documents folder, indexed (incrementally) into its own data directory:
    data_dir, or <RADSARKIV_DATA_DIR>/eval/<folder> so a second run re-embeds nothing."""
    from ingest.pipeline import ingest_paths
    from ingest.settings import Settings, get_settings

    docs = Path(docs)
    if not docs.is_dir():
        raise FileNotFoundError(f"Fant ikke dokumentmappen {docs}.")
    if data_dir is None:
        slug = re.sub(r"[^\w.-]+", "-", f"{docs.resolve().parent.name}-{docs.resolve().name}").strip("-")
        data_dir = get_settings().data_dir / "eval" / slug
    settings = Settings(data_dir=Path(data_dir), corpus_dir=docs)
    summary = ingest_paths([docs], settings, progress=progress)
    if summary.errors:
        raise RuntimeError(f"Indekseringen av {docs} feilet: {summary.errors[:3]}")
    return settings


def run_eval(
    set_path: Path | Sequence[Path],
    out_dir: Path | None = None,
    with_baseline: bool = True,
    progress: bool = True,
    settings=None,
    folds: int = 1,
    docs: Path | None = None,
    data_dir: Path | None = None,
    negatives: Path | Sequence[Path] | None = None,
    negatives_sample: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    topic_shift: bool = False,
    fold_seed: int | None = None,
) -> EvalReport:
    """Score the assistant on gold JSONL sets; with_baseline also runs the llama-index baseline.

    folds > 1: K-fold cross-validation; the fitted values (evals/fit.py) are fitted on K−1 folds
    and every item is scored in its held-out fold. docs: index that folder (into its own data
    directory) and evaluate there instead of the configured archive.
    """
    from assistant.service import get_assistant
    from ingest.settings import get_settings

    set_paths = [Path(set_path)] if isinstance(set_path, (str, Path)) else [Path(p) for p in set_path]
    if docs is not None:
        settings = docs_settings(docs, data_dir, progress)
    settings = settings or get_settings()
    items = load_items(set_paths, negatives, negatives_sample, sample, seed)
    assistant = get_assistant(settings)
    extra: dict[str, Any] = {"sets": [str(p) for p in set_paths], "docs": str(docs) if docs else None}
    doc_ids, archive = _document_ids(settings, docs, set_paths)
    if docs is not None:
        # An answerable item whose evidence quote is in none of the folder's documents cannot be
        # answered from it (a passage missing from the folder): it is left out and counted.
        missing = [i.id for i in items if i.answerable and normalise(i.evidence) and not archive.contains(i.evidence)]
        if missing:
            items = [i for i in items if i.id not in set(missing)]
            extra["skipped"] = {"n": len(missing), "reason": "evidence not in the documents", "ids": missing}
    if negatives:
        names = [negatives] if isinstance(negatives, (str, Path)) else list(negatives)
        extra["negatives"] = {"set": ", ".join(map(str, names)), "n": sum(i.id.startswith("neg:") for i in items)}
    fold_context = None
    if folds > 1:
        asked, _assignment, models, extra["crossval"] = _cross_validate(assistant, items, folds, progress, archive, doc_ids, fold_seed)
        fold_context = extra["crossval"].pop("fold_context")
    else:
        asked = _ask_all(assistant, items, progress)
        models = [assistant.extractive.refusal_model] * len(items)
    if topic_shift:
        extra["topic_shift"] = _topic_shift(assistant, items, asked, models, progress, around=fold_context)

    results: list[ItemResult] = [
        score_item(item, answer, latency, archive, doc_ids, error=error)
        for item, (answer, latency, error) in zip(items, asked)
    ]
    for item, result, (answer, _, _) in zip(items, results, asked):
        result.top_quote = _top_quote(item, answer)
        result.context_kind = "cross_corpus" if item.id.startswith("neg:") else "follow_up" if item.history else "fresh"
        result.set_name = item.source

    variants: tuple[str, ...] = ()
    if with_baseline:
        from evals.baseline import run_baseline

        measured = run_baseline(items, settings, progress=progress)
        for result in results:
            for variant, per_item in measured.items():
                rank, latency, top = per_item[result.id]
                result.baseline_ranks[variant] = rank
                result.baseline_latency_ms[variant] = latency
                result.baseline_top_sentence[variant] = top
        variants = tuple(measured)

    report = EvalReport(results, variants, extra=extra)
    if out_dir is not None:
        write_report(report, Path(out_dir))
        # With a language model: its answers beside the extractive ones, with timings.
        from evals.llm_report import LLMComparison

        comparison = LLMComparison.build(items, asked, results, archive, doc_ids)
        if comparison is not None:
            comparison.write(Path(out_dir))
    return report
