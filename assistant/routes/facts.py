"""The best-scoring archive sentences, quoted: every question that no other route answers."""
from __future__ import annotations

NAME = "facts"
STAGE = "evidence"
GENERATE = True


def applies(analysis) -> bool:
    return True


def answer(ctx):
    # The intent frames the quotes (a follow-up about a case that named none stays "case_lookup").
    return ctx.answerer._quotes(ctx.interpretation, ctx.lang, ctx.interpretation.route, ctx.sentences, ctx.context, ctx.visible)
