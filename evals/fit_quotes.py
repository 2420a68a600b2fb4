"""Fit the quote policy (assistant/quote_selection.py): how many sentences an answer quotes and how
much of their paragraphs.

Why a policy and not the sentence ranking: a pairwise model of the sentence scores (branch h11b)
did worse on held-out folds, since only ~70 council questions have an answering sentence among
the candidates. The policy has a handful of values, each read from how every answered question
of the training folds fares, so it can be fitted on few questions. The per-item failures it
targets: the passage was found and its answering sentence ranked second to fifth in it, but the
answer stopped at one or two quotes, or at the top quote's first sentence.

Fitting: every item is asked once (the eval's fitting pass) and the quoting step's input kept;
the quoting step is then re-run under candidate policies (coordinate ascent over the grid below).

The rule that chooses (`fit_policy`), in two steps on the training items only:
1. the precision floor is read from the best the grid reaches, not from the defaults: the policy
   with the highest pooled citation precision (then the most spans) is found, and the floor is
   its precision less one standard error, √(p(1−p)/n) over its n citations. Policies closer to
   the best than that are not told apart by ~250 citations (the one-standard-error rule of model
   selection); a floor at the defaults' precision instead rose whenever a ranking change raised
   the defaults' own precision, and the fit then kept the defaults in most folds;
2. among the policies whose precision is at or above the floor, the one that quotes the most
   must_include spans; among equals the one with fewer quotes (more quotes from a wrong case must
   not buy recall with precision).
With several corpora each has its own floor and must hold it: one corpus's gain must not pay for
another's loss; the spans are the mean of each corpus's mean (the corpora weigh the same).

    python -m evals.fit_quotes --set ../shared/evals/gold-dev.jsonl --set ../shared/evals/gold-dev-2.jsonl \\
        --data-dir data --cross-docs ../shared/evals/norquad-val/docs \\
        --cross-set ../shared/evals/norquad-val/gold.jsonl --cross-data-dir /work/lead-norquad

writes the policy fitted on both corpora (each weighing the same) to assistant/fitted.json["quotes"],
with the command (--data-dir: the council archive's index, default RADSARKIV_DATA_DIR; the
cross data dir: the NorQuAD folder's own index, built incrementally when missing). The product
quotes with that entry, so it is re-run whenever the ranking or the quoting step changes.
"""
from __future__ import annotations

import argparse
import json
import time
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.quote_selection import DEFAULT, QuotePolicy

# The values each policy field is tried at (the defaults among them). A grid, not a solver: the
# objective (spans quoted) is a step function of the values. The grid bounds how far an answer
# may grow (at most two more quotes, a slightly wider same-case margin): with up to three more
# quotes and a margin up to +1.0, the fit bought must_include with held-out citation precision
# (council folds 0.851 vs 0.870), since the training folds' precision floor does not hold on
# ~17 held-out questions once the answers are allowed to double.
GRID: dict[str, tuple] = {
    "extra_quotes": (0, 1, 2),
    "extra_same_margin": (0.0, 0.3),
    "expanded": (1, 2, 3),
    "other_margin": (0.05, 0.12, 0.25),
    "same_chunk_penalty": (0.0, 0.15),
    "paragraph": ((3, 480), (5, 800)),
    "answer_weight": (0.5, 1.0, 1.5, 2.0, 3.0),
}
SWEEPS = 2


class QuoteCapture:
    """Keeps, per item, the quoting step's input during one pass over the items."""

    def __init__(self, extractive):
        self.extractive = extractive
        self.calls: dict[int, tuple] = {}
        self._index: int | None = None

    @contextmanager
    def recording(self):
        extractive = self.extractive
        original = type(extractive)._quotes

        def spy(*args):
            if self._index is not None:
                self.calls[self._index] = args
            return original(extractive, *args)

        extractive._quotes = spy  # the instance's attribute shadows the method for this pass only
        try:
            yield self
        finally:
            del extractive._quotes

    def around(self, inner: Callable[[int], Any] | None = None):
        """An `around(i)` for evals.run._ask_all that records which item is being asked."""
        @contextmanager
        def context(index: int):
            self._index = index
            try:
                with (inner or (lambda _i: nullcontext()))(index):
                    yield
            finally:
                self._index = None
        return context


class PolicyScores:
    """Each item's must_include and citations under a policy, computed once per policy."""

    def __init__(self, extractive, items, calls: dict[int, tuple], archive, doc_ids):
        self.extractive, self.items, self.calls = extractive, items, calls
        self.archive, self.doc_ids = archive, doc_ids
        self._cache: dict[QuotePolicy, dict[int, tuple[float | None, int, int]]] = {}

    def of(self, policy: QuotePolicy) -> dict[int, tuple[float | None, int, int]]:
        return self._scored(policy, policy, lambda args: type(self.extractive)._quotes(self.extractive, *args))

    def _scored(self, key, policy: QuotePolicy, quotes: Callable[[tuple], Any]) -> dict[int, tuple[float | None, int, int]]:
        """Every item's scores with the quoting step re-run by `quotes` under `policy`, cached by
        `key` (the policy, or the policy with whatever else `quotes` varies)."""
        cached = self._cache.get(key)
        if cached is None:
            from evals.metrics import score_item

            saved = self.extractive.quote_policy
            self.extractive.quote_policy = policy
            cached = {}
            try:
                for i, args in self.calls.items():
                    r = score_item(self.items[i], quotes(args), 0.0, self.archive, self.doc_ids)
                    cached[i] = (r.must_include, r.precision_on_target, r.precision_citations)
            finally:
                self.extractive.quote_policy = saved
            self._cache[key] = cached
        return cached

    def summary(self, policy: QuotePolicy, indices: Sequence[int], groups: Sequence[str] | None = None) -> tuple[float, float, int]:
        """(mean must_include, pooled precision, citations) over `indices`; with `groups`, the
        must_include mean is the mean of each group's mean (corpora weigh the same)."""
        scores = self.of(policy)
        rows = [(i, scores[i]) for i in indices if i in scores]
        by_group: dict[str, list[float]] = {}
        for i, (mi, _, _) in rows:
            if mi is not None:
                by_group.setdefault(groups[i] if groups else "", []).append(mi)
        recall = sum(sum(v) / len(v) for v in by_group.values()) / max(len(by_group), 1)
        on = sum(s[1] for _, s in rows)
        cited = sum(s[2] for _, s in rows)
        return recall, (on / cited if cited else 1.0), cited


def _with(policy: QuotePolicy, name: str, value) -> QuotePolicy:
    if name == "paragraph":
        return replace(policy, paragraph_sentences=value[0], paragraph_chars=value[1])
    return replace(policy, **{name: value})


def _ascend(key: Callable[[QuotePolicy], tuple]) -> QuotePolicy:
    """Coordinate ascent over GRID from the defaults: the policy with the greatest key found."""
    return coordinate_ascent(key, DEFAULT, GRID, _with)


def coordinate_ascent(key: Callable[[Any], tuple], start, grid: dict[str, Sequence], with_value: Callable[[Any, str, Any], Any]):
    """From `start`, each named value tried at each of its grid values in turn, keeping any that
    raises `key`, for up to SWEEPS sweeps: a grid, not a solver, since the objectives (spans
    quoted, precision) are step functions of the values."""
    best, best_key = start, key(start)
    for _ in range(SWEEPS):
        improved = False
        for name, values in grid.items():
            for value in values:
                candidate = with_value(best, name, value)
                candidate_key = key(candidate)
                if candidate_key > best_key:
                    best, best_key, improved = candidate, candidate_key, True
        if not improved:
            break
    return best


def precision_floor(scores: PolicyScores, members: Sequence[int]) -> float:
    """The best pooled citation precision the grid reaches on `members`, less one standard error
    (binomial, over that policy's citations): the floor a fitted policy must hold."""
    def key(policy: QuotePolicy):
        recall, precision, cited = scores.summary(policy, members)
        return (round(precision, 6), round(recall, 6), -cited)

    _, precision, cited = scores.summary(_ascend(key), members)
    return precision - (precision * (1.0 - precision) / cited) ** 0.5 if cited else precision


def fit_policy(scores: PolicyScores, train: Sequence[int], groups: Sequence[str] | None = None) -> QuotePolicy:
    """The policy that quotes the most must_include spans of the training items while each group's
    (corpus's) pooled precision holds its floor (`precision_floor`); the module docstring states
    the rule."""
    by_group: dict[str, list[int]] = {}
    for i in train:
        by_group.setdefault(groups[i] if groups else "", []).append(i)
    floors = {g: precision_floor(scores, members) for g, members in by_group.items()}

    def key(policy: QuotePolicy):
        recall, _, cited = scores.summary(policy, train, groups)
        holds = all(scores.summary(policy, members)[1] >= floors[g] - 1e-9 for g, members in by_group.items())
        return (holds, round(recall, 6), -cited)

    return _ascend(key)


def fold_policies(extractive, items, calls, archive, doc_ids, assignment: Sequence[int], folds: int) -> tuple[list[QuotePolicy], list[dict]]:
    """The policy fitted on the other folds, for every item; and each fold's fit for the report."""
    scores = PolicyScores(extractive, items, calls, archive, doc_ids)
    per_item: list[QuotePolicy] = [DEFAULT] * len(items)
    fits = []
    for fold in range(folds):
        train = [i for i, f in enumerate(assignment) if f != fold]
        policy = fit_policy(scores, train)
        held = [i for i, f in enumerate(assignment) if f == fold]
        for i in held:
            per_item[i] = policy
        before, after = scores.summary(DEFAULT, train), scores.summary(policy, train)
        fits.append({"fold": fold, "policy": policy.as_json(), "train_must_include": [round(before[0], 4), round(after[0], 4)],
                     "train_precision": [round(before[1], 4), round(after[1], 4)],
                     "train_precision_floor": round(precision_floor(scores, train), 4)})
    return per_item, fits


def policy_context(extractive, policies: Sequence[QuotePolicy], inner: Callable[[int], Any] | None = None):
    """An `around(i)` that asks item i with its fold's policy (and `inner`'s context)."""
    @contextmanager
    def context(index: int):
        saved = extractive.quote_policy
        extractive.quote_policy = policies[index]
        try:
            with (inner or (lambda _i: nullcontext()))(index):
                yield
        finally:
            extractive.quote_policy = saved
    return context


def _capture(sets: list[Path], settings, docs: Path | None) -> tuple[Any, list, dict, Any, dict]:
    from assistant.service import get_assistant
    from evals.run import _ask_all, _document_ids, load_items

    from evals.metrics import normalise

    doc_ids, archive = _document_ids(settings, docs, sets)
    # As in the eval: an item whose evidence is in none of the folder's documents is left out.
    items = [i for i in load_items(sets) if i.answerable and (docs is None or not normalise(i.evidence) or archive.contains(i.evidence))]
    assistant = get_assistant(settings)
    capture = QuoteCapture(assistant.extractive)
    with capture.recording():
        _ask_all(assistant, items, True, "quote policy (fitting pass)", around=capture.around())
    return assistant.extractive, items, capture.calls, archive, doc_ids


def main(argv: list[str] | None = None) -> None:
    from evals.run import docs_settings
    from ingest.settings import Settings, get_settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, help="the council archive's index (default: RADSARKIV_DATA_DIR)")
    parser.add_argument("--cross-docs", type=Path)
    parser.add_argument("--cross-set", type=Path)
    parser.add_argument("--cross-data-dir", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assistant" / "fitted.json")
    args = parser.parse_args(argv)
    started = time.monotonic()
    corpora = [(list(args.set), Settings(data_dir=args.data_dir) if args.data_dir else get_settings(), None)]
    if args.cross_docs and args.cross_set:
        corpora.append(([args.cross_set], docs_settings(args.cross_docs, args.cross_data_dir), args.cross_docs))
    # One PolicyScores per corpus (each its own index); the objective averages the corpora.
    parts = [PolicyScores(*_capture(sets, settings, docs)) for sets, settings, docs in corpora]
    joint = _JointScores(parts)
    policy = fit_policy(joint, joint.indices, joint.groups)
    entry_names = [", ".join(map(str, sets)) for sets, _, _ in corpora]
    entry = {
        "command": "python -m evals.fit_quotes " + " ".join(argv if argv is not None else __import__("sys").argv[1:]),
        "policy": policy.as_json(),
        "rule": "the most must_include spans while each corpus's pooled citation precision is at least its best over the grid less one standard error (evals/fit_quotes.py)",
        "fitted_on": entry_names,
        "must_include_before_after": {
            path: [round(joint.summary(DEFAULT, members)[0], 4), round(joint.summary(policy, members)[0], 4)]
            for path, members in zip(entry_names, joint.members())
        },
        "precision_before_after": {
            path: [round(joint.summary(DEFAULT, members)[1], 4), round(joint.summary(policy, members)[1], 4)]
            for path, members in zip(entry_names, joint.members())
        },
    }
    entry["minutes"] = round((time.monotonic() - started) / 60, 1)
    data = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    data["quotes"] = entry
    args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(entry, indent=2, ensure_ascii=False))


class _JointScores:
    """Several corpora's PolicyScores as one, items numbered across them."""

    def __init__(self, parts: list[PolicyScores]):
        self.parts = parts
        self.offsets, self.groups, total = [], [], 0
        for n, part in enumerate(parts):
            self.offsets.append(total)
            self.groups += [str(n)] * len(part.items)
            total += len(part.items)
        self.indices = list(range(total))

    def of(self, policy: QuotePolicy) -> dict[int, tuple]:
        joined: dict[int, tuple] = {}
        for offset, part in zip(self.offsets, self.parts):
            joined.update({offset + i: v for i, v in part.of(policy).items()})
        return joined

    def members(self) -> list[list[int]]:
        return [[i for i in self.indices if self.groups[i] == str(n)] for n in range(len(self.parts))]

    summary = PolicyScores.summary


if __name__ == "__main__":
    main()
