"""Fits the retrieval fusion: which of the hybrid search's candidates hold the answer.

Every candidate passage of a question (the union of the dense, BM25 and best-sentence top lists)
is described by the named features of assistant/reranking.py (FUSION_FEATURES: similarity gaps,
BM25 share, reciprocal ranks, term, IDF-weighted term and heading coverage, source type, length). The label is
whether the passage contains the gold item's evidence quote. A scikit-learn LogisticRegression
(defaults: C = 1, L2; not tuned) is fitted on pairs of one question's candidates (fit_fusion: the
evidence passage against each other one); the retriever ranks by its score. The candidates are logged by the retriever while the
assistant answers each question, so the features come from the questions exactly as asked
(analysis, history, glossary expansion included).

    python -m evals.fusion --set ../shared/evals/gold-dev.jsonl --set ../shared/evals/gold-dev-2.jsonl \\
        --docs ../shared/evals/norquad-val/docs --docs-set ../shared/evals/norquad-val/gold.jsonl \\
        --docs-data-dir /path/to/norquad-index

fits on every item of the gold sets (on the configured archive) and of NorQuAD (on its own index),
reports held-out evidence hit@k per set (5-fold by question, the fitted model against
reciprocal-rank fusion on the same candidates), and writes the "fusion" entry of
assistant/fitted.json and NorQuAD's labelled candidates to evals/results/fusion-extra.npz.
`radsarkiv eval --folds K` fits the same way on K−1 folds plus those saved candidates (less the
questions the eval asks itself, e.g. NorQuAD negatives) and ranks each held-out question with its fold's model.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.fitted import FITTED_PATH
from assistant.reranking import FUSION_FEATURES, FittedFusion
from evals.metrics import GoldItem, normalise

HIT_KS = (1, 3, 5)
# The other corpus's labelled candidates (NorQuAD's, written by main()): the eval's per-fold fits
# add them to the training folds, as the shipped fit does, less the groups of questions it asks.
EXTRA_PATH = Path(__file__).with_name("results") / "fusion-extra.npz"


@dataclass
class Group:
    """One question's candidates: features (rows) and whether each holds the evidence."""

    item_id: str
    features: np.ndarray
    labels: np.ndarray


def collect_groups(assistant, items: Sequence[GoldItem], progress: bool = True) -> list[Group | None]:
    """Per item, the candidates of the assistant's last search for it (the one its answer is built
    from), labelled by the evidence quote; None for items without an evidence quote. A group
    without a labelled candidate (no top list found the passage) counts as a miss when scoring
    and is left out of fitting: it says nothing about how to order the candidates."""
    from evals.run import _track

    retriever = assistant.retriever
    saved = retriever.candidate_log
    groups: list[Group | None] = []
    try:
        for item in _track(items, "fusion features", progress):
            needle = normalise(item.evidence)
            if not item.answerable or not needle:
                groups.append(None)
                continue
            retriever.candidate_log = []
            try:
                assistant.ask(item.question, history=item.history)
            except Exception:  # noqa: BLE001 - an item the assistant cannot answer gives no features
                pass
            log = retriever.candidate_log
            _query, candidates, features = log[-1] if log else ("", [], np.zeros((0, len(FUSION_FEATURES))))
            labels = np.array([needle in normalise(c.text) for c in candidates], dtype=int)
            groups.append(Group(item.id, features, labels))
    finally:
        retriever.candidate_log = saved
    return groups


def fit_fusion(groups: Sequence[Group | None]) -> FittedFusion | None:
    """The pairwise logistic model over the groups' candidates; None when there is nothing to fit.

    The retriever uses the model to order one question's candidates, so it is fitted on that
    task: every (evidence passage, other passage) pair of a question is one example, the
    difference of their features labelled 1 (and its negation 0), and each question's pairs
    together weigh the same, so a question with many candidates, or a corpus with many questions
    per passage, does not outweigh the others. Fitted this way it ranked held-out council
    questions better than a pointwise fit over all candidates (evidence hit@5 on the same
    candidates and folds, see README's quality section)."""
    from sklearn.linear_model import LogisticRegression

    usable = [g for g in groups if g is not None and g.labels.any() and not g.labels.all()]
    if not usable:
        return None
    x = np.vstack([g.features for g in usable])
    # Features are standardised so the default regularisation (C = 1, L2; not tuned) treats them
    # alike; a constant feature (e.g. no Vedtak in NorQuAD) keeps scale 1.
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    pairs, weights = [], []
    for g in usable:
        z = (g.features - mean) / scale
        positive, negative = z[g.labels == 1], z[g.labels == 0]
        difference = (positive[:, None, :] - negative[None, :, :]).reshape(-1, z.shape[1])
        pairs.append(difference)
        weights.append(np.full(len(difference), 1.0 / len(difference)))
    d, w = np.vstack(pairs), np.concatenate(weights)
    model = LogisticRegression(max_iter=5000, fit_intercept=False).fit(
        np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[w, w] * len(usable),
    )
    return FittedFusion(tuple(mean), tuple(scale), tuple(float(v) for v in model.coef_[0]), 0.0)


def _rank(scores: np.ndarray, labels: np.ndarray) -> int | None:
    if not len(labels):
        return None
    order = np.argsort(-scores, kind="stable")
    found = np.flatnonzero(labels[order])
    return int(found[0]) + 1 if len(found) else None


def reciprocal_rank_scores(features: np.ndarray, settings) -> np.ndarray:
    """The fallback's scores (Retriever._reciprocal_rank) rebuilt from the reciprocal-rank features."""
    from assistant.retrieval import BOILERPLATE_PRIOR

    config = settings.retrieval
    candidates = max(config.candidates, 10)
    column = {name: i for i, name in enumerate(FUSION_FEATURES)}
    total = np.zeros(len(features))
    for name, weight in (("dense_rr", config.dense_weight), ("lexical_rr", config.lexical_weight), ("sentence_rr", config.sentence_weight)):
        rr = features[:, column[name]]
        rank = np.where(rr > 0, 1.0 / np.maximum(rr, 1e-12) - 1.0, np.inf)
        total += np.where(rank < candidates, weight / (config.rrf_k + rank + 1), 0.0)
    return np.where(features[:, column["boilerplate"]] > 0, total * BOILERPLATE_PRIOR, total)


def held_out(groups: Sequence[Group | None], settings, folds: int = 5, extra: Sequence[Group | None] = ()) -> dict:
    """Evidence hit@k over the candidate lists, each question ranked by a model fitted without it
    (plus `extra`, another corpus's groups), beside reciprocal-rank fusion on the same lists."""
    from sklearn.model_selection import KFold

    from evals.fit import FOLD_SEED

    usable = [g for g in groups if g is not None]
    fitted: list[int | None] = []
    baseline: list[int | None] = []
    for train, test in KFold(min(folds, len(usable)), shuffle=True, random_state=FOLD_SEED).split(usable):
        model = fit_fusion([usable[i] for i in train] + list(extra))
        for i in test:
            g = usable[i]
            fitted.append(_rank(model.score(g.features), g.labels) if model and len(g.labels) else None)
            baseline.append(_rank(reciprocal_rank_scores(g.features, settings), g.labels))
    # Items whose evidence no list found are in `usable` with no labelled row: misses for both.
    n = len(usable)

    def rates(ranks):
        return {f"hit@{k}": round(sum(1 for r in ranks if r is not None and r <= k) / n, 3) if n else None for k in HIT_KS}

    return {"n": n, "fitted": rates(fitted), "reciprocal_rank": rates(baseline)}


def save_extra(groups: Sequence[Group | None], questions: Sequence[str], source: str, path: Path = EXTRA_PATH) -> None:
    """The labelled groups (features as float32) and the question of each (`questions` is
    aligned with `groups`), so an eval that asks some of them leaves out just their groups."""
    kept = [(g, q) for g, q in zip(groups, questions) if g is not None and g.labels.any()]
    usable = [g for g, _ in kept]
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        features=np.vstack([g.features for g in usable]).astype(np.float32),
        labels=np.concatenate([g.labels for g in usable]).astype(np.int8),
        sizes=np.array([len(g.labels) for g in usable]),
        questions=np.array(sorted(set(questions))),
        group_questions=np.array([q for _, q in kept]),
        feature_names=np.array(FUSION_FEATURES),
        source=np.array(source),
    )


def load_extra(items: Sequence[GoldItem], path: Path = EXTRA_PATH) -> list[Group]:
    """The saved groups of the other corpus, less those of any question `items` asks (a held-out
    item's own labelled candidates would leak into its training folds; `radsarkiv eval
    --negatives` asks some of that corpus's questions here). None when the file is missing or
    holds other features; a file saved without per-group questions is left out whole when any
    of its questions is asked."""
    if not path.is_file():
        return []
    asked = {i.question for i in items}
    with np.load(path) as data:
        if list(data["feature_names"]) != list(FUSION_FEATURES):
            return []
        if "group_questions" in data.files:
            keep = [str(q) not in asked for q in data["group_questions"]]
        elif set(data["questions"]) & asked:
            return []
        else:
            keep = [True] * len(data["sizes"])
        bounds = np.cumsum(np.r_[0, data["sizes"]])
        features, labels = data["features"].astype(np.float64), data["labels"].astype(int)
    return [Group("extra", features[a:b], labels[a:b]) for a, b, k in zip(bounds[:-1], bounds[1:], keep) if k]


class FoldFusion:
    """The fusion fitted on the other folds, swapped into the retriever while an item is asked."""

    def __init__(self, retriever, models: dict[int, FittedFusion | None], assignment: Sequence[int]):
        self.retriever = retriever
        self.models = models
        self.assignment = list(assignment)

    @contextmanager
    def for_item(self, index: int) -> Iterator[None]:
        saved = self.retriever.fusion
        # A fold whose training items fit nothing ranks by reciprocal rank, never by the shipped
        # model (it was fitted on the held-out items too).
        self.retriever.fusion = self.models.get(self.assignment[index])
        try:
            yield
        finally:
            self.retriever.fusion = saved

    def as_json(self) -> dict:
        return {"fitted_folds": sum(1 for m in self.models.values() if m is not None), "folds": len(self.models)}


def fold_fusions(assistant, items: Sequence[GoldItem], assignment: Sequence[int], folds: int, progress: bool = True) -> FoldFusion:
    """Per fold, the fusion fitted on the items of the other folds (the eval's cross-validation)."""
    groups = collect_groups(assistant, items, progress)
    extra = load_extra(items)
    models = {
        fold: fit_fusion([g for g, f in zip(groups, assignment) if f != fold] + extra)
        for fold in range(folds)
    }
    return FoldFusion(assistant.retriever, models, assignment)


def write_fusion(model: FittedFusion, report: dict, command: str, path: Path = FITTED_PATH) -> None:
    """Adds (or replaces) the "fusion" entry of fitted.json; the other entries stay as they are."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        payload = {"_comment": "Written by the fitting scripts under evals/; do not edit by hand. Re-run their commands to refit."}
    payload["fusion"] = {
        **model.as_json(),
        "command": command,
        "method": "sklearn LogisticRegression(fit_intercept=False) (C = 1, L2) on pairwise differences of standardised candidate features (evidence passage minus each other candidate of its question, each question weighing the same); the retriever ranks by the fitted score",
        "held_out": report,
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from assistant.service import Assistant
    from evals.run import docs_settings, load_items
    from ingest.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="sets", action="append", required=True, type=Path, help="gold set on the configured archive")
    parser.add_argument("--docs", type=Path, help="a further documents folder (e.g. NorQuAD), indexed into its own data directory")
    parser.add_argument("--docs-set", dest="docs_sets", action="append", default=[], type=Path, help="gold set on --docs")
    parser.add_argument("--docs-data-dir", type=Path, default=None)
    parser.add_argument("--dry-run", action="store_true", help="print the fit, do not write assistant/fitted.json")
    args = parser.parse_args(argv)

    settings = get_settings()
    archive_groups = collect_groups(Assistant(settings), load_items(args.sets))
    docs_groups: list[Group | None] = []
    if args.docs and args.docs_sets:
        docs = docs_settings(args.docs, args.docs_data_dir)
        docs_items = load_items(args.docs_sets)
        docs_groups = collect_groups(Assistant(docs), docs_items)
        if not args.dry_run:
            save_extra(docs_groups, [i.question for i in docs_items], ", ".join(map(str, args.docs_sets)))
    report = {"archive": held_out(archive_groups, settings, extra=docs_groups)}
    if docs_groups:
        report["docs"] = held_out(docs_groups, settings, extra=archive_groups)
    model = fit_fusion(archive_groups + docs_groups)
    print(json.dumps({"held_out": report, "model": model.as_json() if model else None}, indent=2))
    if model is None:
        print("Nothing fitted; fitted.json unchanged.", file=sys.stderr)
        return 1
    if not args.dry_run:
        command = "python -m evals.fusion " + " ".join(sys.argv[1:] if argv is None else argv)
        write_fusion(model, report, command)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
