"""Attendance, proposers, votes and municipal case numbers: answered from the meeting records
(assistant/meeting_records.py), for a question that stands on its own — or for a follow-up about
attendance at the meeting its conversation named ("Who attended the January meeting?" → "And was
anyone absent?"), answered as if it had named that meeting itself."""
from __future__ import annotations

from dataclasses import replace

NAME = "meeting_records"
STAGE = "records"
GENERATE = False


def applies(analysis) -> bool:
    if analysis.asks.records is None:
        return False
    if not analysis.history:
        return True
    # A follow-up about attendance: at the meeting it names, or else the one its conversation named.
    own = analysis.references
    names_meeting = bool(own.meetings or own.months or own.dates or own.ordinal_meetings or own.latest_meeting)
    return analysis.asks.records == "attendance" and (names_meeting or analysis.referent_references is not None)


def answer(ctx):
    from assistant.meeting_records import records_answer

    analysis = ctx.analysis
    if analysis.history and analysis.referent_references is not None:
        analysis = replace(analysis, references=analysis.referent_references)
    retriever = ctx.answerer.retriever
    return records_answer(analysis, ctx.lang, ctx.role, retriever.settings.register_path, retriever)
