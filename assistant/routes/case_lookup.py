"""A case the question names (or a follow-up continues): its card from the case register."""
from __future__ import annotations

NAME = "case_lookup"
STAGE = "register"
GENERATE = False


def applies(analysis) -> bool:
    # A council case by its per-year number ("Sak 01/17") is looked up too, whatever the intent.
    return analysis.intent == "case_lookup" or (not analysis.cases and bool(analysis.references.case_ids))


def answer(ctx):
    from assistant.meeting_records import council_cases_named

    numbers = ctx.interpretation.cases if ctx.interpretation.route == "case_lookup" else []
    numbers = numbers or council_cases_named(ctx.analysis, ctx.answerer.retriever)
    if not numbers:
        return None
    ctx.interpretation.cases = numbers
    return ctx.answerer._case_card(numbers, ctx.interpretation, ctx.lang, ctx.role, ctx.context)
