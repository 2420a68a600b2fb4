"""How the council works (mandate, meetings, members), for a new member: the guiding passages, quoted at length."""
from __future__ import annotations

NAME = "onboarding"
STAGE = "evidence"
GENERATE = True


def applies(analysis) -> bool:
    return analysis.intent == NAME


def answer(ctx):
    return ctx.answerer._quotes(ctx.interpretation, ctx.lang, NAME, ctx.sentences, ctx.context, ctx.visible)
