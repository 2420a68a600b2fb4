"""What the assistant fits on gold data, and the folds it is fitted and scored on.

The refusal model: whether the scored evidence answers the question, from the features
assistant/holdings.evidence_features computes (best sentence similarity, best lexical coverage of
the question's terms, share of the question's content words the archive never uses, and whether
a question asking for an amount, count, duration or date finds a value of that kind in none of
its top sentences; that last one is measured but not fitted by default, see OPTIONAL_FEATURES). It is a
scikit-learn logistic regression on the items whose answer reached that test (items refused
earlier, by what the register holds, say nothing about it): answerable items are the positives,
unanswerable ones the negatives — the gold set's own, and with `--negatives` questions written for
another corpus. Both directions are measured: with `--cross-docs`, the other corpus's own
questions are asked against its documents (answerable there) and the gold sets' questions against
them (unanswerable there); the figures printed and stored are held-out refusal rates for a model
fitted on each archive, the product's model applied to the other archive, and one fit pooling both
(measured, not used). Measured on gold-dev + gold-dev-2 with 60 NorQuAD negatives and 200
NorQuAD questions with the council questions as negatives there, held-out: fitted on the council
archive, 0 % of its answerables refused and 64.6 % of council questions refused on NorQuAD (1.7 %
of NorQuAD's answerables); pooled, 4.9 % and 85.4 % (2.9 %). The other archive's answerable
questions share far more of their wording with the evidence, so pooling moves the cut into the
council's answerables. The product's model is fitted on the archive it serves, with the other
corpus's questions among its negatives; `radsarkiv eval --docs` fits each archive's own per fold.
The model refuses where the fitted probability of "answerable" falls below one half at the
classes' own proportions (no reweighting: that minimises wrong decisions on data like the training
data; balanced weights put the cut in the middle of the answerable items, see git history).

    python -m evals.fit --set ../shared/evals/gold-dev.jsonl --set ../shared/evals/gold-dev-2.jsonl \\
        --negatives ../shared/evals/norquad-val/gold.jsonl --negatives-sample 60 \\
        --cross-docs ../shared/evals/norquad-val/docs --cross-set ../shared/evals/norquad-val/gold.jsonl \\
        --cross-data-dir <an index of that folder> --cross-sample 200 --features-cache /tmp/features.json

fits on every item of the gold sets and negatives, prints the 5-fold held-out refusal figures of each direction, and writes
assistant/fitted.json (the model the product uses). The eval's `--folds K` fits the same way on
K−1 folds and applies the model to the held-out fold. RADSARKIV_REFUSAL_FEATURES=dense (a comma
list) fits on fewer features, to measure what each one earns.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.fitted import FITTED_PATH, RefusalModel, fitted_values, min_evidence_similarity, refusal_model

# Folds are drawn with this seed so a run can be repeated; it is not tuned.
FOLD_SEED = 11
FEATURES = ("dense", "lexical", "missing")
# Computed and measurable (RADSARKIV_REFUSAL_FEATURES=dense,lexical,missing,no_value), not fitted
# by default: held-out it did not earn its place. Council sets, 5 folds: it refused one answerable
# question (its top sentences held no amount) and no unanswerable more; the one unanswerable it
# fires on is alone of its kind, so whenever it is held out nothing in training teaches the weight.
# NorQuAD (whole folder, 5 folds): the same 8 of 407 answerables and 73 of 82 council questions
# refused with it as without it.
OPTIONAL_FEATURES = ("no_value",)


def fitted_features() -> tuple[str, ...]:
    chosen = os.environ.get("RADSARKIV_REFUSAL_FEATURES")
    return tuple(f.strip() for f in chosen.split(",") if f.strip()) if chosen else FEATURES


@dataclass
class ModelFit:
    model: RefusalModel
    fitted: bool  # False: the training data could not fit it (one class only); the shipped model
    positives: int
    negatives: int

    def as_json(self) -> dict:
        return {"fitted": self.fitted, "positives": self.positives, "negatives": self.negatives, "model": self.model.as_json()}


def fit_refusal_model(features: Sequence[dict | None], answerable: Sequence[bool], names: Sequence[str] | None = None) -> ModelFit:
    """A logistic regression of "answerable" on the named features (standardised).

    features: each training item's evidence features (None: an earlier rule decided, so the item
    does not inform the model)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    names = tuple(names or fitted_features())
    pairs = [(f, bool(a)) for f, a in zip(features, answerable) if f is not None]
    positives = sum(a for _, a in pairs)
    negatives = len(pairs) - positives
    if positives == 0 or negatives == 0:
        return ModelFit(refusal_model(), False, positives, negatives)
    x = np.array([[float(f.get(n, 0.0)) for n in names] for f, _ in pairs])
    y = np.array([int(a) for _, a in pairs])
    # Features span different ranges (similarities a few hundredths, shares up to 1); centring
    # and scaling keeps the default regularisation (C = 1, scikit-learn's, not tuned) even.
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression().fit((x - mean) / scale, y)
    fitted = RefusalModel(names, tuple(map(float, mean)), tuple(map(float, scale)), tuple(map(float, model.coef_[0])), float(model.intercept_[0]))
    return ModelFit(fitted, True, positives, negatives)


def fold_assignment(labels: Sequence[str], folds: int, seed: int = FOLD_SEED) -> list[int]:
    """The held-out fold of each item, stratified by label (e.g. the item's type) so every fold
    holds answerable and unanswerable items in about the set's proportions."""
    from sklearn.model_selection import StratifiedKFold

    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    # A label rarer than the folds cannot be spread over them; such items are stratified together.
    strata = [label if counts[label] >= folds else "_rare" for label in labels]
    if sum(1 for s in strata if s == "_rare") < folds:
        strata = [s if s != "_rare" else max(counts, key=counts.get) for s in strata]
    assignment = [0] * len(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (_train, test) in enumerate(splitter.split([[0]] * len(labels), strata)):
        for index in test:
            assignment[index] = fold
    return assignment


def write_fitted(fit: ModelFit, sources: Sequence[str], command: str, held_out: dict | None = None, path: Path = FITTED_PATH) -> None:
    """Write the refusal key of fitted.json; other keys (fitted by other scripts) are kept."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        payload = {}
    payload["_comment"] = "Written by `python -m evals.fit` (and other fitting scripts under evals/, each its own key); do not edit by hand."
    payload["command"] = command
    threshold = _dense_only_threshold(fit.model)
    payload["refusal"] = {
        "model": fit.model.as_json(),
        # The best-similarity cut for the other features at their mean, for readers of older files.
        "min_evidence_similarity": round(threshold, 4) if threshold is not None else min_evidence_similarity(),
        "fitted_on": list(sources),
        "positives": fit.positives,
        "negatives": fit.negatives,
        "held_out": held_out or {},
        "method": "sklearn LogisticRegression() on the standardised features; refuse where P(answerable) < 0.5",
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    fitted_values.cache_clear()


def _dense_only_threshold(model: RefusalModel) -> float | None:
    if "dense" not in model.features:
        return None
    i = model.features.index("dense")
    if model.coef[i] <= 0:
        return None
    return model.mean[i] - model.intercept / model.coef[i] * model.scale[i]


def held_out_figures(features: Sequence[dict | None], answerable: Sequence[bool], groups: Sequence[str], folds: int = 5, decided: Sequence[bool] | None = None) -> dict:
    """Refusal rates per group ("answerable here", "other corpus asked here", …) with the model
    fitted on the other folds. decided: for an item an earlier rule decided (features None),
    whether that rule refused it (default: refused)."""
    assignment = fold_assignment([f"{g}:{a}" for g, a in zip(groups, answerable)], folds)
    refused = [f is None and (decided is None or decided[i]) for i, f in enumerate(features)]
    for fold in range(folds):
        train = [i for i, f in enumerate(assignment) if f != fold]
        fit = fit_refusal_model([features[i] for i in train], [answerable[i] for i in train])
        for i in (i for i, f in enumerate(assignment) if f == fold):
            if features[i] is not None:
                refused[i] = fit.model.refuses(features[i])
    figures: dict[str, dict] = {}
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        figures[group] = {"n": len(members), "refused": round(sum(refused[i] for i in members) / len(members), 3)}
    return figures


def transfer_figures(model: RefusalModel, features: Sequence[dict | None], groups: Sequence[str], decided: Sequence[bool]) -> dict:
    """Refusal rates per group with one model fitted elsewhere (another archive's items)."""
    refused = [decided[i] if f is None else model.refuses(f) for i, f in enumerate(features)]
    figures: dict[str, dict] = {}
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        figures[group] = {"n": len(members), "refused": round(sum(refused[i] for i in members) / len(members), 3)}
    return figures


def _collect(items, settings, where: str) -> dict:
    from evals.run import collect_answers

    names = {"neg": f"other corpus asked {where}", "no": f"unanswerable {where}", "yes": f"answerable {where}"}
    answers = collect_answers(items, settings=settings, progress=True)
    return {
        "features": [answer.evidence_features for answer in answers],
        "decided": [answer.refused for answer in answers],
        "answerable": [item.answerable for item in items],
        "groups": [names["neg"] if item.id.startswith("neg:") else names["yes"] if item.answerable else names["no"] for item in items],
    }


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from evals.metrics import normalise
    from evals.run import _document_ids, docs_settings, load_items

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="sets", action="append", required=True, type=Path)
    parser.add_argument("--negatives", type=Path, action="append", help="questions from another corpus, asked here as unanswerable")
    parser.add_argument("--negatives-sample", type=int, default=None)
    parser.add_argument("--cross-docs", type=Path, help="the other corpus's documents: its questions are asked there too")
    parser.add_argument("--cross-set", type=Path, action="append", help="the other corpus's gold set (answerable there)")
    parser.add_argument("--cross-data-dir", type=Path, help="the other corpus's index")
    parser.add_argument("--cross-sample", type=int, default=None, help="a random subset of the other corpus's questions")
    parser.add_argument("--features-cache", type=Path, help="keep the collected features here (re-fit without asking again)")
    parser.add_argument("--dry-run", action="store_true", help="print the fit, do not write assistant/fitted.json")
    args = parser.parse_args(argv)
    sources = [str(p) for p in args.sets] + [f"{p} (as unanswerable, sample {args.negatives_sample})" for p in args.negatives or []]
    if args.features_cache and args.features_cache.exists():
        collected = json.loads(args.features_cache.read_text(encoding="utf-8"))
    else:
        items = load_items(args.sets, negatives=args.negatives, negatives_sample=args.negatives_sample)
        collected = {"here": _collect(items, None, "here")}
        if args.cross_docs and args.cross_set:
            settings = docs_settings(args.cross_docs, args.cross_data_dir, progress=True)
            cross = load_items(args.cross_set, negatives=args.sets, sample=args.cross_sample)
            # As `radsarkiv eval --docs` does: an item whose evidence is in none of the documents
            # cannot be answered there and is left out.
            _, archive = _document_ids(settings, args.cross_docs, args.cross_set)
            cross = [i for i in cross if not (i.answerable and normalise(i.evidence) and not archive.contains(i.evidence))]
            collected["there"] = _collect(cross, settings, "there")
        if args.features_cache:
            args.features_cache.write_text(json.dumps(collected), encoding="utf-8")
    here = collected["here"]
    # The model the product uses is fitted on the archive it serves, with the other corpus's
    # questions as negatives. Both directions are measured held-out; pooling both archives into
    # one fit is measured too, and not used: the two archives' answerable questions differ in how
    # much of their wording the evidence shares (see the figures this prints).
    held_out = {"fitted here, held-out here": held_out_figures(here["features"], here["answerable"], here["groups"], decided=here["decided"])}
    fit = fit_refusal_model(here["features"], here["answerable"])
    there = collected.get("there")
    if there:
        cross_sources = [f"{p} on {args.cross_docs} (sample {args.cross_sample})" for p in args.cross_set or []]
        held_out["fitted there, held-out there"] = held_out_figures(there["features"], there["answerable"], there["groups"], decided=there["decided"])
        held_out["fitted here, applied there"] = transfer_figures(fit.model, there["features"], there["groups"], there["decided"])
        held_out["both pooled, held-out (not used)"] = held_out_figures(
            here["features"] + there["features"], here["answerable"] + there["answerable"], here["groups"] + there["groups"],
            decided=here["decided"] + there["decided"])
        sources += [f"measured only: {s}" for s in cross_sources]
    print(json.dumps({"fit": fit.as_json(), "held_out_refused": held_out}, indent=2, ensure_ascii=False))
    if not fit.fitted:
        print("Nothing fitted (one class only); fitted.json unchanged.", file=sys.stderr)
        return 1
    if not args.dry_run:
        command = "python -m evals.fit " + " ".join(sys.argv[1:] if argv is None else argv)
        write_fitted(fit, sources, command, held_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
