"""What the council (or its members) think about a topic: their stated views, quoted."""
from __future__ import annotations

NAME = "positions"
STAGE = "evidence"
GENERATE = True


def applies(analysis) -> bool:
    return analysis.intent == NAME


def answer(ctx):
    return ctx.answerer._quotes(ctx.interpretation, ctx.lang, NAME, ctx.sentences, ctx.context, ctx.visible)
