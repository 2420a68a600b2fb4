"""Fit the sentence score's weights (assistant/sentence_weights.py) on the end metric, per fold.

Why this shape: a pairwise logistic fit of every sentence feature (branch h11b, session 5) did
worse held-out (case recall 0.787 -> 0.744, precision 0.876 -> 0.850): it optimised sentence
pairs, not the answer, with 90 labels over ~15 features. Here, as for the quote policy
(evals/fit_quotes.py), a handful of named values is read from how every answered question of the
training folds fares, with the same rule:
1. the precision floor is the best pooled citation precision the grid reaches on the training
   items, less one standard error (binomial, over that weighting's citations);
2. among the weightings at or above the floor, the one that quotes the most must_include spans.
   Coordinate ascent from the defaults: a value only changes when it strictly improves that key
   (no tie-break), so the defaults stay unless the fit beats them; when no weighting the ascent
   reaches holds the floor, the defaults stay.

Cheap: nothing is asked again while fitting. The eval's fitting pass records the quoting step's
input (evals.fit_quotes.QuoteCapture); each recorded sentence carries its score's parts before
weighing (Sentence.part_components), so a weighting re-scores them (components_score), re-ranks
them and re-runs only the quoting step, under the fold's fitted quote policy. What that replay
cannot see: the refusal step's features and the register routes read the scorer's first ranking;
the held-out items are asked again with their fold's weights, so the figures are the real ones.

Off by default (`RADSARKIV_EVAL_FIT_SENTENCES=1` turns it on in `radsarkiv eval --folds`): on five
fold seeds it did no better than the hand-set values held-out, with either rule tried (figures in
assistant/sentence_weights.py), and it adds about 3-10 minutes to an eval run (about 220-320
weightings replayed per run, ~0.7 s each, more on a loaded machine). The first rule tried broke
must_include ties by fewer citations and could settle below the precision floor (weights changed
in 23 of 25 folds, often with no training gain); the stricter rule now here changed 11 of 25.
Both cost a little held-out precision and case recall for no must_include gain.
With more labels, re-run it; to ship a fit, run

    RADSARKIV_DATA_DIR=... python -m evals.fit_sentences --set ../shared/evals/gold-dev.jsonl --set ../shared/evals/gold-dev-2.jsonl

which writes only the "sentences" entry of assistant/fitted.json (the product then scores with it).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.quote_selection import QuotePolicy
from evals.fit_quotes import PolicyScores, coordinate_ascent
from assistant.sentence_weights import DEFAULT, SentenceWeights, components_score, shipped_weights, using_weights

# The values each weight is tried at (today's value among them): about half and one and a half
# times it. A grid, not a solver: the objective (spans quoted) is a step function of the weights.
GRID: dict[str, tuple[float, ...]] = {
    "dense": (0.3, 0.45, 0.6),
    "lexical": (1.2, 1.6, 2.0),
    "rank_prior": (0.0, 0.25, 0.5),
    "critique": (0.0, 0.3, 0.6),
    "decision": (0.5, 1.0, 1.5),
    "position": (0.15, 0.35, 0.55),
    "summary": (0.0, 0.3, 0.6),
    "time": (0.5, 1.0, 1.5),
    "title": (0.2, 0.4, 0.6),
}
ENV_FLAG = "RADSARKIV_EVAL_FIT_SENTENCES"


def enabled() -> bool:
    return os.environ.get(ENV_FLAG, "") not in ("", "0", "false", "no")


def rescored(sentences: list, weights: SentenceWeights) -> list:
    """The recorded sentences scored under `weights`, best first (each part re-scored from its
    components, the best part kept, as the scorer keeps it); sentences without components
    (built outside the scorer) keep their score."""
    out = []
    for s in sentences:
        if not s.part_components or not any(s.part_components):
            out.append(s)
            continue
        parts = tuple(components_score(weights, c) if c else p for c, p in zip(s.part_components, s.part_scores))
        out.append(replace(s, score=max(parts), part_scores=parts))
    return sorted(out, key=lambda s: -s.score)


class WeightScores(PolicyScores):
    """Each item's (must_include, on-target citations, citations) under a quote policy and a
    weighting, computed once per pair."""

    def of(self, policy: QuotePolicy, weights: SentenceWeights) -> dict[int, tuple]:
        def quotes(args):
            args = (*args[:3], rescored(args[3], weights), *args[4:])
            with using_weights(weights):
                return type(self.extractive)._quotes(self.extractive, *args)

        return self._scored((policy, weights), policy, quotes)

    def summary(self, policy: QuotePolicy, weights: SentenceWeights, indices: Sequence[int]) -> tuple[float, float, int]:
        """(mean must_include, pooled precision, citations) over `indices`."""
        scores = self.of(policy, weights)
        rows = [scores[i] for i in indices if i in scores]
        recall = [r[0] for r in rows if r[0] is not None]
        on, cited = sum(r[1] for r in rows), sum(r[2] for r in rows)
        return (sum(recall) / len(recall) if recall else 0.0), (on / cited if cited else 1.0), cited


def _ascend(key: Callable[[SentenceWeights], tuple], start: SentenceWeights) -> SentenceWeights:
    return coordinate_ascent(key, start, GRID, lambda weights, name, value: replace(weights, **{name: value}))


def fit_weights(scores: WeightScores, policy: QuotePolicy, train: Sequence[int], start: SentenceWeights = DEFAULT) -> tuple[SentenceWeights, float]:
    """The weighting that quotes the most must_include spans of `train` while pooled precision
    holds the floor (the module docstring states the rule); and that floor."""
    def precision_key(w):
        recall, precision, cited = scores.summary(policy, w, train)
        return (round(precision, 6), round(recall, 6), -cited)

    _, precision, cited = scores.summary(policy, _ascend(precision_key, start), train)
    floor = precision - (precision * (1.0 - precision) / cited) ** 0.5 if cited else precision

    def key(w):
        # No tie-break: a weight changes only for more spans quoted (ties keep the defaults).
        recall, precision, _ = scores.summary(policy, w, train)
        return (precision >= floor - 1e-9, round(recall, 6))

    chosen = _ascend(key, start)
    # Below the floor (the defaults were, and no step reached it): the defaults, never a weighting
    # that buys spans with precision.
    return (chosen if key(chosen)[0] else start), floor


def fold_weights(extractive, items, calls, archive, doc_ids, assignment: Sequence[int], folds: int,
                 policies: Sequence[QuotePolicy]) -> tuple[list[SentenceWeights | None], list[dict]]:
    """The weighting fitted on the other folds, for every item (None: the shipped weights, when
    the fit is off); and each fold's fit for the report."""
    if not enabled():
        return [None] * len(items), []
    started = time.monotonic()
    scores = WeightScores(extractive, items, calls, archive, doc_ids)
    per_item: list[SentenceWeights | None] = [None] * len(items)
    fits = []
    start = shipped_weights()
    for fold in range(folds):
        train = [i for i, f in enumerate(assignment) if f != fold]
        held = [i for i, f in enumerate(assignment) if f == fold]
        # The fold's quote policy is the same for all its held-out items (fitted on the same train).
        policy = policies[held[0]] if held else extractive.quote_policy
        weights, floor = fit_weights(scores, policy, train, start)
        for i in held:
            per_item[i] = weights
        before, after = scores.summary(policy, start, train), scores.summary(policy, weights, train)
        fits.append({"fold": fold, "changed": {k: v for k, v in weights.as_json().items() if start.as_json()[k] != v},
                     "train_must_include": [round(before[0], 4), round(after[0], 4)],
                     "train_precision": [round(before[1], 4), round(after[1], 4)], "train_precision_floor": round(floor, 4)})
    fits.append({"seconds": round(time.monotonic() - started, 1), "weightings_scored": len(scores._cache)})
    return per_item, fits


def weights_context(weights: Sequence[SentenceWeights | None], inner: Callable[[int], Any] | None = None):
    """An `around(i)` that asks item i with its fold's weights (and `inner`'s context)."""
    @contextmanager
    def context(index: int):
        with using_weights(weights[index]), (inner or (lambda _i: nullcontext()))(index):
            yield
    return context


def main(argv: list[str] | None = None) -> None:
    from evals.fit_quotes import _capture  # the same capture as the quote fit
    from ingest.settings import Settings, get_settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, help="the council archive's index (default: RADSARKIV_DATA_DIR)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assistant" / "fitted.json")
    args = parser.parse_args(argv)
    started = time.monotonic()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else get_settings()
    with using_weights(DEFAULT):
        extractive, items, calls, archive, doc_ids = _capture(list(args.set), settings, None)
    scores = WeightScores(extractive, items, calls, archive, doc_ids)
    indices = list(calls)
    policy = extractive.quote_policy  # the shipped quote policy
    weights, floor = fit_weights(scores, policy, indices, DEFAULT)
    before, after = scores.summary(policy, DEFAULT, indices), scores.summary(policy, weights, indices)
    entry = {
        "command": "python -m evals.fit_sentences " + " ".join(argv if argv is not None else __import__("sys").argv[1:]),
        "weights": weights.as_json(),
        "rule": "the most must_include spans while pooled citation precision is at least its best over the grid less one standard error (evals/fit_sentences.py)",
        "fitted_on": [str(p) for p in args.set],
        "must_include_before_after": [round(before[0], 4), round(after[0], 4)],
        "precision_before_after": [round(before[1], 4), round(after[1], 4)],
        "precision_floor": round(floor, 4),
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    data = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    data["sentences"] = entry
    args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(entry, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
