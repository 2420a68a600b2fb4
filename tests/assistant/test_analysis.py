"""The one reading of a question: when it refers back to the conversation, and what to."""
from __future__ import annotations

import pytest

from assistant.analysis import Referral, analyse, referential_reason, referral


@pytest.mark.parametrize("question", [
    "Og hvem satt i styringsgruppen?",          # continuing opener
    "Men hva mente sekretariatet?",
    "What about the budget?",
    "Hvorfor ikke kommunene?",                  # questions what was just said
    "Hvor mye koster den?",                     # a pronoun for a thing, closing the clause
    "Når ble det bestemt?",                     # the subject of a passive whose time is asked
    "Hva svarte hun?",                          # a person pronoun with no one named before it
    "What did they recommend?",
    "Hva betyr dette for kommunene?",           # a demonstrative
    "Was that proposal adopted?",
    "Hvorfor?",                                 # ellipsis: no word of its own
])
def test_questions_that_refer_back(question):
    assert referential_reason(question, language="en" if question[0] in "WT" else "nb")


@pytest.mark.parametrize("question", [
    "Hva mener rådet om legemiddelforskning?",
    "Hvor mange møter holdt rådet i 2025?",
    "Er det behov for flere kliniske studier?",             # expletive "det"
    "Is it true that the council supports open data?",    # expletive "it"
    "Hva sa Kari Nordmann, og hva mente hun om budsjettet?",  # the name is in the question
    "Which members met the ministry, and who chaired it?",  # the first clause names the referent
    "Hva har skjedd dette året?",                          # a demonstrative of time
    "Hva ble vedtatt i sak 8/1/2026, og hvem fulgte den opp?",  # the case is in the question
])
def test_self_contained_questions(question):
    from ingest.case_numbers import find_case_references

    assert referential_reason(question, bool(find_case_references(question))) == ""


@pytest.mark.parametrize("question, language, expected, reason", [
    ("Hva svarte hun?", "nb", Referral("pronoun", "hun"), "pronoun 'hun'"),
    ("What did her report say?", "en", Referral("pronoun", "her"), "pronoun 'her'"),
    ("Og hva ble vedtatt?", "nb", Referral("opener", "og"), "opener 'og'"),
    ("Hva betyr dette for kommunene?", "nb", Referral("demonstrative", "dette"), "demonstrative 'dette'"),
    ("Hvor mye koster den?", "nb", Referral("thing"), "pronoun for a thing"),
    ("Hvorfor?", "nb", Referral("ellipsis"), "ellipsis"),
    ("Hva mener rådet om legemiddelforskning?", "nb", Referral(), ""),
])
def test_the_referral_gives_its_word_as_data(question, language, expected, reason):
    """The pronoun (or opener, demonstrative) is data, not a piece of the reason's text."""
    found = referral(question, language=language)
    assert found == expected and bool(found) is bool(reason)
    assert found.text == referential_reason(question, language=language) == reason


def test_history_is_read_only_for_a_referential_question():
    history = [
        {"role": "user", "content": "What did the council decide in case 8/1/2026?"},
        {"role": "assistant", "content": "The council decided nothing [Sak 8/1/2026]."},
    ]
    fresh = analyse("Hva mener rådet om legemiddelforskning?", history)
    assert not fresh.referential and fresh.history == () and fresh.referent_cases == ()
    assert fresh.language == "nb"
    follow = analyse("And why?", history)
    assert follow.referential and follow.referent_cases == ("8/1/2026",) and follow.language == "en"


def test_referents_come_from_the_latest_self_contained_question_on():
    history = [
        {"role": "user", "content": "Hva handlet sak 3/1/2026 om?"},
        {"role": "assistant", "content": "Sak 3/1/2026 gjaldt referatet."},
        {"role": "user", "content": "Hva handlet sak 5/1/2026 om?"},
        {"role": "assistant", "content": "Sak 5/1/2026 gjaldt meldinger og strategier."},
        {"role": "user", "content": "Og hvem la den fram?"},
        {"role": "assistant", "content": "Sekretariatet la den fram."},
    ]
    analysis = analyse("Og hva ble vedtatt?", history)
    # 3/1/2026 is an older topic: the follow-ups continue the question about 5/1/2026.
    assert analysis.referent_cases == ("5/1/2026",)
    assert analysis.referent_text.startswith("Hva handlet sak 5/1/2026 om? Og hvem la den fram?")
