"""The answer contract shared by the CLI, the API, the UI and the evaluator."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Language = Literal["nb", "nn", "en"]


class Citation(BaseModel):
    marker: str  # the inline marker in the answer text, e.g. "[Sak 19/2/2026]" or "[2]"
    case: str | None
    document: str  # human-readable document name
    doc_id: str
    title: str  # case title, or document title when no case
    meeting: str | None
    date: str | None
    page: int | None
    quote: str  # verbatim archive text


class RetrievedPassage(BaseModel):
    """A chunk as it was handed to the answerer (kept for evaluation and the UI's source panel)."""

    chunk_id: str
    text: str
    score: float
    metadata: dict[str, Any] = Field(default_factory=dict)


class Answer(BaseModel):
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False
    language: Language = "nb"
    route: str = "facts"
    # Not part of the public JSON: what the answerer saw, and notes from citation validation.
    context: list[RetrievedPassage] = Field(default_factory=list, exclude=True)
    notes: list[str] = Field(default_factory=list, exclude=True)
    # The best sentence similarity when the answerer reached its evidence-threshold test (None when
    # an earlier rule decided); the eval fits the refusal threshold on it.
    evidence_similarity: float | None = Field(default=None, exclude=True)
    # All the features the fitted refusal model read (assistant/holdings.evidence_features), or None.
    evidence_features: dict[str, float] | None = Field(default=None, exclude=True)
    # With a language model: how the request went (timings, tokens, the fallback reason) and the
    # extractive answer it was measured against, for the evaluator.
    generation: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def public_json(self) -> dict[str, Any]:
        return self.model_dump(
            include={"answer", "citations", "refused", "language", "route"}, mode="json"
        )
