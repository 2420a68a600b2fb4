"""The expected answer type comes from the question words alike in nb, nn and en."""
import pytest

from assistant.analysis import analyse
from assistant.answer_types import expected_answer_type


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
    ],
)
def test_expected_answer_type(question, expected):
    assert expected_answer_type(question) == expected


def test_analysis_carries_the_answer_type_of_the_question_itself():
    # A follow-up's answer type is its own, never the earlier turn's.
    history = [{"role": "user", "content": "Hvem leder rådet?"}, {"role": "assistant", "content": "…"}]
    assert analyse("Og når ble hun valgt?", history).answer_type == "date"
