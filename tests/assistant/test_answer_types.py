"""The expected answer type comes from the question words alike in nb, nn and en."""
import pytest

from assistant.analysis import analyse
from assistant.answer_types import expected_answer_type, holds_value


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Hvor mye koster ordningen?", "amount"),
        ("How much does the scheme cost?", "amount"),
        ("Kor mange medlemmar har utvalet?", "count"),
        ("Hvor mange møter holdt rådet i fjor?", "count"),
        ("Når skal rapporten leveres?", "date"),
        ("Kva tid er fristen?", "date"),
        ("Kven leiar arbeidsgruppa?", "person"),
        ("Who chairs the working group?", "person"),
        ("Hvilke organisasjoner sitter i rådet?", "organisation"),
        ("Hvor holdes møtet?", "place"),
        ("Hvorfor ble saken utsatt?", "reason"),
        ("Hva mener rådet om kunstig intelligens?", "opinion"),
        ("Hvilke saker sto på sakslisten?", "list"),
        ("Har rådet uttalt seg om helsedata?", "yes_no"),
        ("Hva er HelseOmsorg21?", None),
        ("Hvor lenge varer ordningen?", "duration"),
        ("Kor lang er fristen for å svare?", "duration"),
        ("How long does the review take?", "duration"),
        ("Hva er behandlingstiden for en søknad?", "duration"),
        ("Hva er fremtiden for helseregistrene?", None),  # "-tid" of no process
        # "når"/"when" inside a clause is a conjunction; opening the question or a part, it asks for a date.
        ("What does the council think the state should do when it buys technology?", "opinion"),
        ("Hva skjer når en søknad er levert?", None),
        ("Hvem leder utvalget, og når skal det levere?", "date"),
        ("When did the council meet?", "date"),
    ],
)
def test_expected_answer_type(question, expected):
    assert expected_answer_type(question) == expected


def test_analysis_carries_the_answer_type_of_the_question_itself():
    # A follow-up's answer type is its own, never the earlier turn's.
    history = [{"role": "user", "content": "Hvem leder rådet?"}, {"role": "assistant", "content": "…"}]
    assert analyse("Og når ble hun valgt?", history).answer_type == "date"


@pytest.mark.parametrize(
    "answer_type, sentence, holds",
    [
        ("duration", "De lovmessige 30 og 60 dagene er ikke tilpasset komplekse saker.", True),
        ("duration", "Behandlingen tar flere måneder.", True),
        ("duration", "I 2021 ble Helsedataservice etablert.", False),  # a year is not a duration
        ("duration", "Saksbehandlingstiden er betydelig forbedret.", False),
        ("count", "Rådet har 16 medlemmer.", True),
        ("count", "Rådet har tre arbeidsgrupper.", True),
        ("count", "Møtet ble holdt 4. mars 2026.", False),  # a date is not a count
        ("date", "Rapporten leveres innen 1. mars 2027.", True),
        ("date", "Rapporten leveres snart.", False),
        ("amount", "Gevinsten er om lag 1,8 milliarder kroner.", True),
        ("person", "Ingen navn her.", True),  # a type that asks for no value
    ],
)
def test_a_sentence_holds_a_value_of_the_kind_asked_for(answer_type, sentence, holds):
    assert holds_value(answer_type, sentence) is holds
