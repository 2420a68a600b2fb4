"""Attendance, proposers, votes and municipal case numbers: answered from the meeting records
(assistant/meeting_records.py), for a question that stands on its own."""
from __future__ import annotations

NAME = "meeting_records"
STAGE = "records"
GENERATE = False


def applies(analysis) -> bool:
    return analysis.asks.records is not None and not analysis.history


def answer(ctx):
    from assistant.meeting_records import records_answer

    retriever = ctx.answerer.retriever
    return records_answer(ctx.analysis, ctx.lang, ctx.role, retriever.settings.register_path, retriever)
