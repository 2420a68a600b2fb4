"""What the assistant fits on gold data, and the folds it is fitted and scored on.

Today one value is fitted: the refusal threshold, the best evidence similarity (cosine between the
question and the closest archive sentence) below which the assistant says the archive does not
hold the answer. It is fitted with scikit-learn's logistic regression on the items whose answer
reached that test (items refused earlier, by an unknown case or a missing term, say nothing about
it): answerable items are the positives, unanswerable ones — the gold set's own and, with
`--negatives`, questions from another corpus — the negatives. The threshold is where the fitted
probability of "answerable" crosses one half at the classes' own proportions (no reweighting):
that minimises wrong decisions on data like the training data. Reweighting to balanced classes was
tried and put the threshold in the middle of the answerable items (11–43 % false refusals on
held-out folds): the gold sets' own unanswerables are on-topic questions whose similarity says
nothing, so they must be refused by what the register holds, not by this threshold.

    python -m evals.fit --set ../shared/evals/gold-dev.jsonl --set ../shared/evals/gold-dev-2.jsonl \\
        --negatives ../shared/evals/norquad-val/gold.jsonl --negatives-sample 60

fits on every item given and writes assistant/fitted.json (the value the product uses). The eval's
`--folds K` fits the same way on K−1 folds and applies the value to the held-out fold.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.fitted import FITTED_PATH, min_evidence_similarity

# Folds are drawn with this seed so a run can be repeated; it is not tuned.
FOLD_SEED = 11


@dataclass
class ThresholdFit:
    value: float
    fitted: bool  # False: the training data could not fit it (one class only); value is the shipped one
    positives: int
    negatives: int

    def as_json(self) -> dict:
        return {"value": self.value, "fitted": self.fitted, "positives": self.positives, "negatives": self.negatives}


def fit_refusal_threshold(similarities: Sequence[float | None], answerable: Sequence[bool]) -> ThresholdFit:
    """The similarity where P(answerable | similarity) = 0.5 under a logistic regression.

    similarities: the best evidence similarity per training item (None: an earlier rule decided,
    so the item does not inform the threshold).
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    pairs = [(float(s), bool(a)) for s, a in zip(similarities, answerable) if s is not None]
    positives = sum(a for _, a in pairs)
    negatives = len(pairs) - positives
    if positives == 0 or negatives == 0:
        return ThresholdFit(min_evidence_similarity(), False, positives, negatives)
    x = np.array([[s] for s, _ in pairs])
    y = np.array([int(a) for _, a in pairs])
    # Similarities span a few hundredths; centring and scaling keeps the default regularisation
    # (C = 1) from flattening the fit. C is scikit-learn's default, not tuned.
    centre, scale = float(x.mean()), float(x.std()) or 1.0
    model = LogisticRegression().fit((x - centre) / scale, y)
    weight, bias = float(model.coef_[0][0]), float(model.intercept_[0])
    if weight <= 0:  # higher similarity does not mean "answerable" here: nothing to fit
        return ThresholdFit(min_evidence_similarity(), False, positives, negatives)
    return ThresholdFit(centre - bias / weight * scale, True, positives, negatives)


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


def write_fitted(fit: ThresholdFit, sources: Sequence[str], command: str, path: Path = FITTED_PATH) -> None:
    payload = {
        "_comment": "Written by `python -m evals.fit`; do not edit by hand. Re-run the command to refit.",
        "command": command,
        "refusal": {
            "min_evidence_similarity": round(fit.value, 4),
            "fitted_on": list(sources),
            "positives": fit.positives,
            "negatives": fit.negatives,
            "method": "sklearn LogisticRegression() on the best evidence similarity (standardised); threshold at p = 0.5",
        },
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from evals.run import collect_features, load_items

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="sets", action="append", required=True, type=Path)
    parser.add_argument("--negatives", type=Path, help="questions from another corpus, asked here as unanswerable")
    parser.add_argument("--negatives-sample", type=int, default=None)
    parser.add_argument("--dry-run", action="store_true", help="print the fit, do not write assistant/fitted.json")
    args = parser.parse_args(argv)
    items = load_items(args.sets, negatives=args.negatives, negatives_sample=args.negatives_sample)
    similarities = collect_features(items, progress=True)
    fit = fit_refusal_threshold(similarities, [item.answerable for item in items])
    print(json.dumps(fit.as_json(), indent=2))
    if not fit.fitted:
        print("Nothing fitted (one class only); fitted.json unchanged.", file=sys.stderr)
        return 1
    if not args.dry_run:
        sources = [str(p) for p in args.sets] + ([f"{args.negatives} (as unanswerable, sample {args.negatives_sample})"] if args.negatives else [])
        command = "python -m evals.fit " + " ".join(sys.argv[1:] if argv is None else argv)
        write_fitted(fit, sources, command)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
