"""A case the question names (or a follow-up continues): its card from the case register. A
case is named by its number in any numbering, or — for a question about a decision at a meeting
it names by number, day or month — by its subject among that meeting's cases ("Ble det fattet
vedtak om innovasjonssaken på møtet 14. januar?")."""
from __future__ import annotations

NAME = "case_lookup"
STAGE = "register"
GENERATE = False


def applies(analysis) -> bool:
    # A council case by its per-year number ("Sak 01/17") is looked up too, whatever the intent.
    return analysis.intent == "case_lookup" or (not analysis.cases and bool(analysis.references.case_ids)) or _decision_at_meeting(analysis)


def _decision_at_meeting(analysis) -> bool:
    """A decision about a subject at a named meeting, not the meeting's agenda or a follow-up."""
    return analysis.references.names_a_time and analysis.asks.decision and not analysis.asks.agenda and not analysis.cases and not analysis.history


def answer(ctx):
    from assistant.meeting_records import council_cases_named

    numbers = ctx.interpretation.cases if ctx.interpretation.route == "case_lookup" else []
    numbers = numbers or council_cases_named(ctx.analysis, ctx.answerer.retriever)
    if not numbers and _decision_at_meeting(ctx.analysis):
        from assistant.agenda import case_named_at_meeting

        found = case_named_at_meeting(ctx.analysis, ctx.scope, ctx.cases)
        numbers = [found] if found else []
        # As for a case named by number (Retriever.search), its passages come first in the context.
        ctx.context = [p for p in ctx.context if p.metadata.get("case") == found] + [p for p in ctx.context if p.metadata.get("case") != found]
    if not numbers:
        return None
    ctx.interpretation.cases = numbers
    return ctx.answerer._case_card(numbers, ctx.interpretation, ctx.lang, ctx.role, ctx.context)
