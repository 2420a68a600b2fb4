"""Values fitted by `python -m evals.fit` rather than set by hand; they live in fitted.json beside
this module, together with the command that reproduces them and the data they were fitted on.

A missing or unreadable file falls back to the defaults below, which are the values the file
shipped with, so the assistant never runs with an unfitted threshold of nobody's choosing.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

FITTED_PATH = Path(__file__).with_name("fitted.json")
# The value fitted.json shipped with (see that file for how it was fitted); used only when the
# file is missing.
_DEFAULT_MIN_EVIDENCE_SIMILARITY = 0.80


@lru_cache(maxsize=1)
def fitted_values() -> dict:
    try:
        return json.loads(FITTED_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def min_evidence_similarity() -> float:
    """Below this best sentence similarity (cosine, question vs archive sentence) the assistant
    refuses: the archive holds nothing close enough to the question to quote."""
    refusal = fitted_values().get("refusal") or {}
    return float(refusal.get("min_evidence_similarity", _DEFAULT_MIN_EVIDENCE_SIMILARITY))


def fusion_weights() -> dict | None:
    """The retrieval fusion fitted by `python -m evals.fusion` (see assistant/reranking.py's
    FittedFusion), or None: the retriever then falls back to reciprocal-rank fusion."""
    return fitted_values().get("fusion")
