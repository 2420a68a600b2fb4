"""Meeting records in the council's own archive: the minutes of møte 1/2026 list who was present,
observers, forfall and the secretariat; the assistant answers from that list, and a case named
by its per-year number ("sak 01/26") is looked up like "sak 1/1/2026"."""
from __future__ import annotations

from ingest.store.register import Register


def test_register_holds_the_attendance_of_meeting_1_2026(corpus_settings):
    register = Register.open_readonly(corpus_settings.register_path)
    try:
        rows = [r for r in register.attendance() if r["meeting"] == "1/2026"]
    finally:
        register.close()
    counts = {role: sum(1 for r in rows if r["role"] == role) for role in ("present", "observer", "absent", "secretariat")}
    assert counts == {"present": 14, "observer": 5, "absent": 1, "secretariat": 6}
    elvestad = next(r for r in rows if r["name"] == "Lilly Ann Elvestad")
    assert elvestad["from_case"] == "6/1/2026" and elvestad["representation"] == "Funksjonshemmedes fellesorganisasjon"
    hernes = next(r for r in rows if r["name"] == "Toril Hernes")
    assert hernes["to_case"] == "10/1/2026" and hernes["note"] == "digitalt"


def test_who_was_absent_from_meeting_1_2026(assistant):
    answer = assistant.ask("Hvem hadde forfall på møte 1/2026?")
    assert answer.route == "meeting_records"
    assert answer.answer.splitlines()[1] == "- Forfall (1): Pia Cecilie Bing-Jonsson (Universitetet i Sørøst-Norge)"
    # The line quoted is the one naming the group asked about, cited to the case whose papers
    # print the minutes (the approval of meeting 1/2026's minutes at meeting 2/2026).
    assert answer.citations and "Pia Cecilie Bing-Jonsson" in answer.citations[0].quote
    assert answer.citations[0].case == "15/2/2026" and answer.citations[0].page is not None


def test_who_was_present_in_english(assistant):
    answer = assistant.ask("Who was present at meeting 1/2026?")
    assert answer.language == "en" and "Present (14)" in answer.answer
    assert "Lilly Ann Elvestad (Funksjonshemmedes fellesorganisasjon), from case 6/1/2026" in answer.answer


def test_case_by_per_year_number(assistant):
    answer = assistant.ask("Hva ble vedtatt i sak 01/26?")
    assert answer.route == "case_lookup" and "Innkalling og saksliste godkjennes." in answer.answer


def test_unknown_municipal_number_is_refused(assistant):
    answer = assistant.ask("Hva ble vedtatt i PS 6/26?")
    assert answer.refused and not answer.citations
