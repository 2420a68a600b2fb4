"""The routes: which kind of answer a question gets, decided in one place.

Each route is a small module in this package with
- NAME: the route's name (it is the answer's `route`);
- STAGE: when it can answer — "records" (from the meeting records, before any search),
  "register" (from the case register, once the question's cases and meetings are known to be
  held) or "evidence" (from the scored archive sentences, once the evidence is strong enough);
- GENERATE: whether a configured language model may write the answer from the passages (a case
  card or an agenda is the register's own text, and stays as it is);
- applies(analysis) -> bool: whether it fits the question as assistant/analysis.py read it;
- answer(ctx) -> Answer | None: its answer, or None when the archive does not hold what it needs
  (then the next route that applies answers).

Adding a route: one module here and one line in REGISTRY. The order of REGISTRY is the order of
precedence; `facts` applies to every question and comes last.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.analysis import QuestionAnalysis
from assistant.answer import Answer
from assistant.routes import case_lookup, decisions, drafting, facts, meeting_agenda, meeting_records, onboarding, positions

REGISTRY = (
    meeting_records,
    case_lookup,
    meeting_agenda,
    decisions,
    drafting,
    positions,
    onboarding,
    facts,
)
STAGES = ("records", "register", "evidence")


@dataclass
class RouteContext:
    """What a route builds its answer from; the answerer fills in more as its stages run."""

    answerer: Any  # the ExtractiveAnswerer: retriever, scorer and the shared answer builders
    interpretation: Any  # assistant.routing.Interpretation
    lang: str
    role: str | None
    filters: Any = None
    cases: dict = field(default_factory=dict)  # the council cases the caller may read
    context: list = field(default_factory=list)  # the retrieved passages
    hits: list = field(default_factory=list)
    scope: Any = None  # assistant.temporal.TimeScope
    sentences: list = field(default_factory=list)  # scored evidence ("evidence" stage)
    visible: Any = None  # what the caller may be shown beyond the pool

    @property
    def analysis(self) -> QuestionAnalysis:
        return self.interpretation.analysis


def applicable(analysis: QuestionAnalysis) -> tuple:
    """The routes that fit the question, in order of precedence."""
    return tuple(route for route in REGISTRY if route.applies(analysis))


def answer(stage: str, routes: tuple, ctx: RouteContext) -> Answer | None:
    """The first answer of the routes of this stage, or None."""
    for route in routes:
        if route.STAGE == stage and (found := route.answer(ctx)) is not None:
            return found
    return None


def generates(name: str) -> bool:
    """Whether a language model may write the answer of the route called `name`."""
    return next((route.GENERATE for route in REGISTRY if route.NAME == name), False)
