"""Follow-ups are recognised in Nynorsk and English as in Bokmål (own questions, no index needed)."""
from __future__ import annotations

import pytest

from assistant.analysis import referential_reason


@pytest.mark.parametrize(
    "question",
    [
        "Korleis vart det handsama?",  # a Nynorsk participle in -a
        "Når vart det vedteke?",  # … and in -e
        "How was that handled?",  # "that" as the subject of a passive
        "Kva vart bestemt i den saka?",  # demonstrative + definite noun closing the clause
        "Hva skjedde på det møtet?",
        "Kva skjer med dei sakene no?",
        "Kva har dei gjort etterpå?",  # Nynorsk "dei" = they
        "Kva gjorde dei?",
    ],
)
def test_refers_back(question):
    assert referential_reason(question, False, None)


@pytest.mark.parametrize(
    "question",
    [
        "Kva meiner dei tilsette i sekretariatet om arbeidsmengda?",  # "dei" as the article
        "Kva tema har dei arrangementa rådet har halde hatt?",  # article before a relative clause
        "Hva står i den nye handlingsplanen for kliniske studier?",  # adjective: the article
        "Hva er det rådet mener om kunstig intelligens?",  # a cleft, not a demonstrative
        "Korleis er det å vere medlem i rådet?",
        "Hvem leder det nye utvalget for helsereformen?",
        "Who leads the working group on health data?",
    ],
)
def test_stands_on_its_own(question):
    assert referential_reason(question, False, None) == ""
