"""Which cases a meeting dealt with (or decided): its agenda from the case register
(assistant/agenda.py); a meeting the archive only mentions is said to be unarchived."""
from __future__ import annotations

NAME = "meeting_agenda"
STAGE = "register"
GENERATE = False


def applies(analysis) -> bool:
    return analysis.asks.agenda and analysis.intent in ("facts", "onboarding", "decisions")


def answer(ctx):
    from assistant.agenda import meeting_answer

    answerer = ctx.answerer
    found = meeting_answer(
        ctx.analysis, ctx.scope, ctx.cases, ctx.lang, answerer.retriever, ctx.role,
        lambda numbers: answerer._nearest(numbers, ctx.lang, ctx.role),
    )
    return None if found is None else found.model_copy(update={"context": ctx.context})
