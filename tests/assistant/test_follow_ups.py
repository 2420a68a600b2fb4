"""Follow-ups read as well as fresh questions, and refusals decided by what the archive holds.

- A follow-up's evidence is scored on the question and its referent (the questions it continues,
  the person a personal pronoun stands for), not on the latest answer's prose; only a pronoun for
  a thing ("endre det?") brings the latest answer's own words, because that thing is in them.
- An attendance follow-up ("Og hvem hadde forfall?") is about the meeting its conversation named,
  and is answered from that meeting's records.
- A meeting named by its day without a year resolves through the meeting dates the archive holds;
  a decision about a subject at such a meeting is that meeting's case whose title names it.
- A value the archive does not state, qualified by a word it never uses, is refused.

The questions are written for these tests; none is a gold item.
"""
from __future__ import annotations

from assistant.analysis import analyse
from assistant.routing import interpret


def _history(*turns: str) -> list[dict]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": text} for i, text in enumerate(turns)]


_PROPOSAL = _history(
    "Hva foreslår arbeidsgruppen for innovasjon i helsetjenestene?",
    "Arbeidsgruppen foreslår at videre oppfølging sees i sammenheng med helsereformarbeidet, og at rådet tar rollen som koblingsaktør.",
)


def test_a_follow_up_is_scored_on_its_question_and_referent_not_the_previous_answer():
    question = "Og hva med anskaffelser?"
    interpretation = interpret(question, analysis=analyse(question, _PROPOSAL))
    assert interpretation.follow_up
    assert "anskaffelser" in interpretation.evidence_query
    assert "Hva foreslår arbeidsgruppen for innovasjon i helsetjenestene?" in interpretation.evidence_query
    # The answer's paraphrase is about what was asked before; it does not outweigh the new words.
    assert "koblingsaktør" not in interpretation.evidence_query
    # Retrieval may still use it to find the referent's passages.
    assert "koblingsaktør" in interpretation.retrieval_query


def test_a_pronoun_for_a_thing_keeps_what_the_latest_answer_said():
    question = "Hva foreslås for å endre det?"
    interpretation = interpret(question, analysis=analyse(question, _PROPOSAL))
    assert interpretation.analysis.points_at_thing
    assert "koblingsaktør" in interpretation.evidence_query


def test_a_personal_pronoun_is_scored_with_the_person_the_latest_answer_names():
    history = _history(
        "Hvem ledet arbeidsgruppen for innspillet til Helsereformutvalget?",
        "Arbeidsgruppen ble ledet av Tarje Bjørgum fra Abelia, og den leverte innspillet i mars.",
    )
    question = "Hvilke andre arbeidsgrupper satt han i?"
    analysis = analyse(question, history)
    assert analysis.referent_person == "Tarje Bjørgum"
    interpretation = interpret(question, analysis=analysis)
    assert "Tarje Bjørgum" in interpretation.evidence_query and "leverte" not in interpretation.evidence_query
    # A question that is not about a person borrows no one.
    assert analyse("Og hva med anskaffelser?", history).referent_person == ""


def test_how_someone_sees_it_is_not_a_question_about_how_the_council_works():
    assert analyse("And how do the registry owners see it?").intent != "onboarding"
    assert analyse("How does the council work?").intent == "onboarding"
    assert analyse("How are the meetings run?").intent == "onboarding"


def test_an_attendance_follow_up_is_answered_from_the_meeting_its_conversation_named(assistant):
    first = "Hvem var observatører på rådsmøtet i januar 2026?"
    opening = assistant.ask(first)
    assert opening.route == "meeting_records"
    follow = assistant.ask("Og hvem hadde forfall?", history=_history(first, opening.answer))
    assert follow.route == "meeting_records" and not follow.refused
    lines = follow.answer.splitlines()
    assert lines[0] == "Oppmøte på møte 1/2026:"
    assert lines[1] == "- Forfall (1): Pia Cecilie Bing-Jonsson (Universitetet i Sørøst-Norge)"
    # Cited to the passage that prints the line: the minutes are in the case approving them.
    assert follow.citations[0].case == "15/2/2026" and "Bing-Jonsson" in follow.citations[0].quote
    # The same words with no meeting in the conversation are not answered from the records.
    unrelated = _history("Hva sier helsedatarapporten om søknadsskjemaet?", "Søkerne opplever skjemaet som omfattende.")
    assert assistant.ask("Og hvem hadde forfall?", history=unrelated).route != "meeting_records"


def test_a_decision_about_a_subject_at_a_meeting_named_by_its_day_is_that_meetings_case(assistant):
    answer = assistant.ask("Hva ble vedtatt om Arendalsuka på møtet 4. mars?")
    assert answer.route == "case_lookup" and not answer.refused
    assert answer.answer.startswith("**Sak 20/2/2026: Arendalsuka 2026** (møte 2/2026, 2026-03-04)")
    assert answer.context and answer.context[0].metadata.get("case") == "20/2/2026"
    # A subject no case of the meeting has is not turned into one of its cases.
    assert assistant.ask("Hva ble vedtatt om fiskeoppdrett på møtet i januar?").route != "case_lookup"


def test_a_value_the_archive_does_not_state_is_refused_with_pointers(assistant):
    answer = assistant.ask("Hva var median saksbehandlingstid hos HDS i 2024?")
    assert answer.refused and not answer.citations
    assert "«median saksbehandlingstid»" in answer.answer
    assert "- Sak 19/2/2026: Rapport om tilgang til helsedata" in answer.answer
    # Asked without a word the archive lacks, the same matter is answered with what it holds.
    kept = assistant.ask("Hvor lang tid tar det å få svar fra Helsedataservice?")
    assert not kept.refused and kept.citations


def test_attendance_at_a_meeting_whose_minutes_are_not_held_is_not_another_meetings_list(assistant):
    # The archive holds the minutes of meeting 1/2026 (January) only; March 2026 is meeting 2/2026.
    answer = assistant.ask("Hvem hadde forfall på rådsmøtet i mars 2026?")
    assert answer.route != "meeting_records"
    assert "Oppmøte på møte 1/2026" not in answer.answer
    # Named by its day without a year, the held meeting's minutes answer.
    held = assistant.ask("Hvem hadde forfall på rådsmøtet 14. januar?")
    assert held.route == "meeting_records" and held.answer.startswith("Oppmøte på møte 1/2026:")
