"""Refusal from what the archive holds (assistant/holdings.py), on the real corpus index, with
questions written for these tests: a meeting only mentioned, a time after the archive's last
record, an outcome whose decision is not archived, a council document nobody archived, a topic
the archive never uses, and evidence the fitted model finds too weak. Each refusal names the
nearest things the archive does hold; the near misses beside them are answered."""
from __future__ import annotations

import pytest

from assistant.analysis import analyse


def _held_meetings(retriever) -> dict[str, str]:
    return {c["meeting"]: c.get("date") for c in retriever.cases.values() if c.get("meeting")}


# ---- what the question needs, read once (no index) ------------------------------------------
@pytest.mark.parametrize("question, after", [
    ("Når er neste rådsmøte etter 4. mars 2026?", "2026-03-04"),
    ("What happened after May 3, 2026?", "2026-05-03"),
    ("Har rådet uttalt seg om noe etter juni 2026?", "2026-06-30"),
    ("Hva skjedde på møtet 4. mars 2026?", None),  # a date, not "after" it
])
def test_the_analysis_reads_a_time_after_a_date(question, after):
    assert analyse(question).after == after


@pytest.mark.parametrize("question, outcome", [
    ("Hvem endte opp som leder av gruppen?", True),
    ("Hva landet rådet på til slutt?", True),
    ("Who was eventually chosen?", True),
    ("Hvem skal godkjenne den endelige teksten?", False),  # the final text is a thing, not an outcome
])
def test_the_analysis_reads_a_question_about_an_outcome(question, outcome):
    assert analyse(question).outcome is outcome


def test_the_analysis_reads_a_named_council_document():
    assert analyse("Hva skrev rådet i høringssvaret sitt til tannhelsereformen?").document == ("høringssvaret", "tannhelsereformen")
    assert analyse("Hva sto i høringssvaret fra rådet om folkehelseloven?").document == ("høringssvaret", "folkehelseloven")
    assert analyse("Hva skrev rådet om helsedata?").document is None


# ---- a meeting only mentioned is not held -------------------------------------------------------
def test_a_meeting_only_mentioned_is_refused_with_the_nearest_held_meetings(assistant, retriever):
    held = _held_meetings(retriever)
    answer = assistant.ask("Hvilke vedtak fattet rådet på møte 1/2025?")  # named in the annual report only
    assert "1/2025" not in held
    assert answer.refused and not answer.citations
    assert "møte 1/2025" in answer.answer
    earliest = min(held, key=lambda m: held[m] or "")
    assert f"Møte {earliest}" in answer.answer, answer.answer  # the nearest meeting the archive holds


def test_a_mentioned_meeting_s_minutes_are_answered_from_the_case_that_treats_them(assistant):
    answer = assistant.ask("Ble referatet fra møte 3/2025 godkjent?")
    assert not answer.refused, answer.answer
    assert any(c.case == "3/1/2026" for c in answer.citations)


def test_a_meeting_by_position_that_is_only_mentioned_is_refused(assistant):
    answer = assistant.ask("What did the council discuss at its second meeting in 2025?")
    assert answer.refused and "meeting 2/2025" in answer.answer
    assert "Meeting 1/2026" in answer.answer  # the nearest held meeting


def test_a_meeting_named_by_a_month_without_one_is_refused_with_the_nearest_meetings(assistant, retriever):
    held = _held_meetings(retriever)
    assert not any(d and d.startswith("2025-11") for d in held.values())
    answer = assistant.ask("What did the council decide at its meeting in November 2025?")
    assert answer.refused and not answer.citations
    assert "November 2025" in answer.answer
    assert all(f"Meeting {m}" in answer.answer for m in held)  # both held meetings are the nearest


@pytest.mark.parametrize("question, about", [
    ("Hva ble vedtatt på rådsmøtet i mars?", True),
    ("Hvem deltok på møtet med utvalget i februar?", False),  # a meeting with another body
    ("Who attended the February input meeting with the committee?", False),
    ("Hvordan henger rundebordsmøtene sammen med rapporten?", False),
])
def test_the_analysis_reads_a_question_about_a_council_meeting(question, about):
    assert analyse(question).about_meeting is about


# ---- a time after the archive's last record -----------------------------------------------------
def test_a_meeting_after_the_last_held_meeting_is_refused(assistant, retriever):
    held = _held_meetings(retriever)
    last_meeting = max(held, key=lambda m: held[m] or "")
    answer = assistant.ask(f"Når holdt rådet sitt neste møte etter {_norwegian_date(held[last_meeting])}?")
    assert answer.refused and not answer.citations
    assert held[last_meeting] in answer.answer and f"Møte {last_meeting}" in answer.answer


def test_a_meeting_after_an_earlier_held_meeting_is_not_refused_as_after_the_archive(assistant, retriever):
    held = _held_meetings(retriever)
    first = min(held, key=lambda m: held[m] or "")
    answer = assistant.ask(f"Når holdt rådet sitt neste møte etter {_norwegian_date(held[first])}?")
    assert not answer.answer.startswith("Arkivet inneholder ikke noe etter"), answer.answer


def _norwegian_date(iso: str) -> str:
    months = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"]
    year, month, day = iso.split("-")
    return f"{int(day)}. {months[int(month) - 1]} {year}"


# ---- an outcome whose decision is not archived -----------------------------------------------
def test_how_an_undecided_case_ended_is_refused_naming_the_case(assistant, retriever):
    case = retriever.cases["21/2/2026"]
    assert not case.get("decision") and case.get("proposal")  # papers of the last meeting: no minutes
    answer = assistant.ask("Ble årsrapporten for 2025 til slutt godkjent av rådet?")
    assert answer.refused and not answer.citations
    assert "21/2/2026" in answer.answer and "utfallet" in answer.answer


def test_how_a_decided_case_ended_is_answered(assistant, retriever):
    assert retriever.cases["9/1/2026"].get("decision")
    answer = assistant.ask("Hva endte rådet opp med å gjøre med innspillene om Kommunenes samarbeidsarena for forskning?")
    assert not answer.refused, answer.answer


# ---- a council document nobody archived ----------------------------------------------------------
@pytest.mark.parametrize("question", [
    "Hva skrev rådet i innspillet sitt til Hjernehelsestrategien?",
    "Hva sto det i høringssvaret fra rådet om tannhelsereformen?",
])
def test_a_council_document_the_archive_only_lists_is_refused(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and not answer.citations, answer.answer
    assert answer.answer.startswith("Arkivet inneholder ikke dokumentet")


def test_the_input_the_archive_holds_is_answered(assistant):
    answer = assistant.ask("Hva skrev rådet i innspillet til Helsereformutvalget om kunstig intelligens?")
    assert not answer.refused and answer.citations, answer.answer


def test_an_unheld_input_points_to_the_inputs_the_archive_holds(assistant, retriever):
    answer = assistant.ask("Hva skrev rådet i innspillet sitt til Hjernehelsestrategien?")
    inputs = [c for c in retriever.cases.values() if "innspill" in c["title"].lower()]
    assert inputs and all(f"{c['number']}: {c['title']}" in answer.answer for c in inputs)


# ---- a topic the archive never uses -----------------------------------------------------------
@pytest.mark.parametrize("question", ["Hva mener rådet om fiskeoppdrett?", "Hva har rådet vedtatt om fiskeoppdrett?"])
def test_a_position_on_a_topic_met_only_inside_a_compound_is_refused(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and "fiskeoppdrett" in answer.answer and not answer.citations


# ---- evidence the fitted model finds too weak ----------------------------------------------------
def test_the_shipped_refusal_model_reads_several_features():
    from assistant.fitted import refusal_model

    model = refusal_model()
    assert set(model.features) >= {"dense", "lexical", "missing"}
    weight = dict(zip(model.features, model.coef))
    # More similar, better covered evidence means answerable; words the archive never uses, not.
    assert weight["dense"] > 0 and weight["lexical"] > 0 and weight["missing"] < 0


def test_a_threshold_model_refuses_exactly_below_its_value():
    from assistant.fitted import RefusalModel

    model = RefusalModel.threshold(0.84)
    assert model.refuses({"dense": 0.839}) and not model.refuses({"dense": 0.841})


@pytest.mark.parametrize("question", [
    "Hvilken elv renner gjennom Kairo?",
    "Hvem skrev operaen Carmen?",
])
def test_questions_about_another_world_are_refused_by_the_evidence(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and not answer.citations
    assert answer.evidence_features is not None  # decided by the fitted model, not an earlier rule


# ---- a value the question asks for that no quote states -------------------------------------------
def test_a_value_no_quote_states_is_said_plainly_above_the_nearest_quotes(assistant):
    from assistant.answer_types import holds_value

    # The archive says the wait is long, never how long on average.
    answer = assistant.ask("How long is the average wait for data from the health registries?")
    assert not answer.refused and answer.citations
    assert answer.evidence_features["no_value"] == 1.0
    assert "None of the quotes below states how long it takes" in answer.answer
    assert not any(holds_value("duration", c.quote) for c in answer.citations)


def test_quotes_that_state_the_value_get_no_note(assistant):
    answer = assistant.ask("Hvor mange medlemmer har rådet?")
    assert answer.evidence_features["no_value"] == 0.0
    assert "Ingen av sitatene" not in answer.answer and "16 medlemmer" in answer.answer
