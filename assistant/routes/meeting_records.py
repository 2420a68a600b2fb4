"""Attendance, proposers, votes and municipal case numbers: answered from the meeting records
(assistant/meeting_records.py), for a question that stands on its own — or for a follow-up about
attendance at the meeting its conversation named ("Who attended the January meeting?" → "And was
anyone absent?"): the analysis gives it that meeting's references, so it is answered as if the
question had named the meeting itself."""
from __future__ import annotations

NAME = "meeting_records"
STAGE = "records"
GENERATE = False


def applies(analysis) -> bool:
    if analysis.asks.records is None:
        return False
    if not analysis.history:
        return True
    references = analysis.references
    return analysis.asks.records == "attendance" and bool(
        references.meetings or references.months or references.dates or references.ordinal_meetings or references.latest_meeting
    )


def answer(ctx):
    from assistant.meeting_records import records_answer

    retriever = ctx.answerer.retriever
    return records_answer(ctx.analysis, ctx.lang, ctx.role, retriever.settings.register_path, retriever)
