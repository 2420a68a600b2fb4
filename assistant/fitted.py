"""Values fitted by `python -m evals.fit` rather than set by hand; they live in fitted.json beside
this module, together with the command that reproduces them and the data they were fitted on.
The file is keyed by what was fitted ("refusal", and others beside it); each reader reads its key.

A missing or unreadable file falls back to the defaults below, which are the values the file
shipped with, so the assistant never runs with an unfitted threshold of nobody's choosing.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FITTED_PATH = Path(__file__).with_name("fitted.json")
# The value fitted.json shipped with before the refusal model had several features (see that
# file for how it was fitted); used only when the file is missing.
_DEFAULT_MIN_EVIDENCE_SIMILARITY = 0.80


@lru_cache(maxsize=1)
def fitted_values() -> dict:
    try:
        return json.loads(FITTED_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@dataclass(frozen=True)
class RefusalModel:
    """A logistic regression on named evidence features (assistant/holdings.evidence_features):
    P(answerable) = sigmoid(intercept + Σ coef·(x − mean)/scale). It refuses below one half."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * (float(values.get(name, 0.0)) - m) / (s or 1.0)
            for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef)
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def refuses(self, values: dict[str, float]) -> bool:
        return self.probability(values) < 0.5

    def as_json(self) -> dict:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale), "coef": list(self.coef), "intercept": self.intercept}

    @classmethod
    def from_json(cls, data: dict) -> "RefusalModel":
        return cls(tuple(data["features"]), tuple(map(float, data["mean"])), tuple(map(float, data["scale"])), tuple(map(float, data["coef"])), float(data["intercept"]))

    @classmethod
    def threshold(cls, value: float) -> "RefusalModel":
        """Refuse below one best-similarity value: the model the file held before it had several
        features (the weight only sets how steep the curve is; the decision is the threshold)."""
        return cls(("dense",), (value,), (1.0,), (1.0,), 0.0)


def min_evidence_similarity() -> float:
    """The single-feature threshold (best sentence similarity) of older fitted.json files."""
    refusal = fitted_values().get("refusal") or {}
    return float(refusal.get("min_evidence_similarity", _DEFAULT_MIN_EVIDENCE_SIMILARITY))


def refusal_model() -> RefusalModel:
    """The fitted refusal model: several features when fitted.json has them, else the threshold."""
    refusal = fitted_values().get("refusal") or {}
    if "model" in refusal:
        try:
            return RefusalModel.from_json(refusal["model"])
        except (KeyError, TypeError, ValueError):
            pass
    return RefusalModel.threshold(min_evidence_similarity())
