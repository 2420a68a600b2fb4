"""A draft (letter, input, talking points) built from the council's earlier positions
(assistant/drafting.py)."""
from __future__ import annotations

NAME = "drafting"
STAGE = "evidence"
GENERATE = True


def applies(analysis) -> bool:
    return analysis.intent == "drafting"


def answer(ctx):
    from assistant.drafting import draft_answer

    return draft_answer(ctx.interpretation, ctx.lang, ctx.sentences, ctx.context)
