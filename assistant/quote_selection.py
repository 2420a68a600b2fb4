"""How many sentences a quoted answer takes, and how much of their paragraphs: the quote policy.

The scorer ranks the sentences; the policy decides how far down that ranking an answer reads, and
how much it counts that a sentence holds the kind of thing the question asks for (a name for
"hvem", a date for "når": answer_weight re-weighs the scorer's answer-type cue).
Too few quotes and the sentence that answers, ranked second or fourth in its passage, is left
out (the passage was found, the wrong sentences quoted); too many and an answer whose leading
case is the wrong one cites more of it. The policy's values are not hand-set: `python -m
evals.fit_quotes` chooses them from a small grid on the gold sets (the most must_include spans
quoted while citation precision stays within one standard error of the best precision the grid
reaches; its docstring states the rule) and writes them to assistant/fitted.json under
"quotes"; `radsarkiv eval --folds` chooses them per fold on the training folds. Without a fitted
entry the policy is the one the planner had before it was fitted (the defaults below).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from assistant.fitted import fitted_values


@dataclass(frozen=True)
class QuotePolicy:
    # Added to the route's quote limit (MAX_QUOTES in assistant/extractive.py).
    extra_quotes: int = 0
    # Added to how close to the best sentence a further sentence of the same case must score
    # (assistant/planning.py SAME_SOURCE_MARGIN / SAME_SOURCE_MARGIN_WIDE).
    extra_same_margin: float = 0.0
    # How close another case's sentence must score to join an answer about one thing.
    other_margin: float = 0.12
    # What each sentence already chosen from the same passage costs a further one.
    same_chunk_penalty: float = 0.15
    # How many of the first quotes are read on to the end of their paragraph (a fact route).
    expanded: int = 1
    # How far a quote is read on into its paragraph: sentences and characters.
    paragraph_sentences: int = 3
    paragraph_chars: int = 480
    # How much the answer-type cue of a sentence's score counts (1: as the scorer adds it, see
    # assistant/evidence.py answer_cue): whether a sentence holds the kind of thing asked for.
    answer_weight: float = 1.0

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "QuotePolicy":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


DEFAULT = QuotePolicy()


def quote_policy() -> QuotePolicy:
    """The fitted policy from assistant/fitted.json, else the defaults."""
    entry = fitted_values().get("quotes")
    if isinstance(entry, dict) and isinstance(entry.get("policy"), dict):
        return QuotePolicy.from_json(entry["policy"])
    return DEFAULT


def reweighed(sentences: list, weight: float) -> list:
    """The sentences re-scored with the answer-type cue counting `weight` times (fitted:
    QuotePolicy.answer_weight), best first: each part's score with its cue re-weighed, the best
    part's kept, as the scorer keeps it."""
    if weight == 1.0:
        return sentences
    rescored = [
        replace(s, score=max(p + (weight - 1.0) * c for p, c in zip(s.part_scores, s.part_cues))) if s.part_scores else s
        for s in sentences
    ]
    return sorted(rescored, key=lambda s: -s.score)
