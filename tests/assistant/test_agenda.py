"""Meeting questions ("Hvilke saker ble behandlet på møtet 4. mars 2026?") are answered from the
case register: every case of the meeting, in order, titles quoted verbatim from the papers.

Questions are written for these tests, not taken from any gold set; they run on the real index.
"""
from __future__ import annotations

import re

import pytest

from assistant import routes
from assistant.agenda import meetings_asked
from assistant.analysis import analyse
from assistant.temporal import time_scope


@pytest.mark.parametrize("question, agenda", [
    ("Hvilke saker ble behandlet på møtet 4. mars 2026?", True),
    ("Hva sto på sakslisten på møte 1/2026?", True),
    ("Kva vart diskutert på møtet 14. januar?", True),
    ("What was decided at the meeting in January 2026?", True),
    ("What was on the agenda at the last meeting?", True),
    ("Hva ble vedtatt om referatet fra det siste møtet i 2025?", False),  # one topic, not the meeting
    ("Hva ble diskutert om helsedata på møtet i januar?", False),
    ("Hva mener rådet om helsedata?", False),
])
def test_which_questions_ask_for_a_meetings_agenda(question, agenda):
    analysis = analyse(question)
    assert analysis.asks.agenda is agenda
    # The registry sends exactly these questions to the agenda route.
    assert (routes.meeting_agenda in routes.applicable(analysis)) is agenda


@pytest.mark.parametrize("question, expected", [
    ("Hvilke saker ble behandlet på møtet 4. mars 2026?", ["2/2026"]),
    ("Kva vart diskutert på møtet 14. januar?", ["1/2026"]),
    ("Hva sto på sakslisten på møte 1/2026?", ["1/2026"]),
    ("Hva ble vedtatt på møtet i januar?", ["1/2026"]),
    ("What was on the agenda at the last meeting?", ["2/2026"]),
    ("Hva ble diskutert på det siste møtet i 2025?", []),  # only mentioned: no papers archived
])
def test_the_meeting_a_question_names(assistant, question, expected):
    extractive = assistant.extractive
    analysis = analyse(question)
    scope = time_scope(analysis.references, extractive.meetings)
    assert meetings_asked(analysis, scope, extractive.retriever.cases) == expected


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def test_the_agenda_lists_every_case_of_the_meeting_in_order(assistant):
    answer = assistant.ask("Hvilke saker ble behandlet på møtet 4. mars 2026?")
    register = sorted((c for c in assistant.extractive.retriever.cases.values() if c["meeting"] == "2/2026"), key=lambda c: int(c["number"].split("/")[0]))
    assert answer.route == "meeting_agenda" and not answer.refused
    assert [c.case for c in answer.citations] == [c["number"] for c in register]
    archive = [_normalised(t) for t in assistant.extractive.retriever.texts.values()]
    assert all(any(_normalised(c.quote) in text for text in archive) for c in answer.citations)
    # The minutes of 2/2026 are not archived: its cases have proposals, and the answer says so.
    assert "Referatet fra dette møtet er ikke i arkivet" in answer.answer


def test_a_meetings_decisions_quote_each_vedtak(assistant):
    answer = assistant.ask("Hva ble vedtatt på møte 1/2026?")
    decided = [c for c in assistant.extractive.retriever.cases.values() if c["meeting"] == "1/2026" and c.get("decision")]
    assert answer.route == "meeting_agenda"
    assert answer.answer.count("Vedtak: «") == len(decided) > 5
    assert "Referatet oppdateres med Ebbings navn og godkjennes." in answer.answer
    english = assistant.ask("What was decided at the meeting in January 2026?")
    assert english.language == "en" and english.answer.startswith("**The cases at meeting 1/2026")


def test_a_meeting_the_archive_only_mentions_is_refused_with_pointers(assistant):
    answer = assistant.ask("Hva ble diskutert på det siste møtet i 2025?")
    assert answer.refused and "møte 3/2025" in answer.answer
    assert "Sak 3/1/2026" in answer.answer  # where the archive mentions it (approval of its minutes)


def test_a_meeting_named_by_position_matches_the_case_titled_with_its_number(assistant):
    answer = assistant.ask("Hva ble vedtatt om referatet fra det siste møtet i 2025?")
    assert answer.route == "facts" and answer.citations[0].case == "3/1/2026"
