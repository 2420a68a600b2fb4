"""What the council has decided on a topic: the cases' decisions in date order."""
from __future__ import annotations

NAME = "decisions"
STAGE = "evidence"
GENERATE = True


def applies(analysis) -> bool:
    return analysis.intent == "decisions"


def answer(ctx):
    return ctx.answerer._timeline(ctx.interpretation, ctx.lang, ctx.hits, ctx.sentences, ctx.context, ctx.visible, ctx.role)
