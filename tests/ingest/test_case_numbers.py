"""Case and meeting numbers as the papers print them and as people type them."""
from __future__ import annotations

import pytest

import ingest  # noqa: F401  (offline switches first)
from ingest.blocks import Block
from ingest.case_numbers import (
    HEADING_NUMBER,
    CaseNumber,
    find_case_references,
    find_meeting_references,
    full_year,
    normalize_case_number,
)
from ingest.council import minutes_meeting, parse_case_heading


@pytest.mark.parametrize("text, expected", [
    ("19/2/2026", "19/2/2026"),
    ("Sak 19/2/2026", "19/2/2026"),
    ("19/2-2026", "19/2/2026"),
    ("7/1-2026", "7/1/2026"),
    ("19-2-2026", "19/2/2026"),
    ("19/2/26", "19/2/2026"),
    ("41/3/25", "41/3/2025"),
    ("sak 7 / 1 / 2026", "7/1/2026"),
    ("2021-2025", None),
    ("helsedata", None),
])
def test_normalize_case_number(text, expected):
    assert normalize_case_number(text) == expected


def test_two_digit_years_are_this_century():
    assert full_year("25") == 2025 and full_year("27") == 2027 and full_year(2026) == 2026
    assert str(CaseNumber.parse("Sak 22/2/27")) == "22/2/2027"
    assert CaseNumber.parse("Sak 41/3/25").meeting_id == "3/2025"


@pytest.mark.parametrize("query, expected", [
    ("sak 7/1/2026", ["7/1/2026"]),
    ("Hva ble vedtatt i 7/1-2026?", ["7/1/2026"]),
    ("sak 7 i møte 1/2026", ["7/1/2026"]),
    ("Sak 7 på møtet 1/2026", ["7/1/2026"]),
    ("case 20/2/2026", ["20/2/2026"]),
    ("case 7 of meeting 1/2026", ["7/1/2026"]),
    ("sak 19/2/26 og sak 7/1/2026", ["19/2/2026", "7/1/2026"]),
    ("Hva sa rådet om helsedata i møte 1/2026?", []),
    ("Helsedatastrategi 2025-2027", []),
])
def test_case_references_in_queries(query, expected):
    assert find_case_references(query) == expected


def test_meeting_references():
    assert find_meeting_references("Hva skjedde i møte 1/2026 og rådsmøte 2/26?") == ["1/2026", "2/2026"]
    assert find_meeting_references("sak 7/1/2026") == []


@pytest.mark.parametrize("line, number, literal, title", [
    ("**Sak 1/1/2026****Godkjenning av innkalling og saksliste**", "1/1/2026", "1/1/2026",
     "Godkjenning av innkalling og saksliste"),
    ("## Sak 6/1/2026", "6/1/2026", "6/1/2026", ""),
    ("# Sak 14/1/2026", "14/1/2026", "14/1/2026", ""),
    ("**Sak 41/3/25**", "41/3/2025", "41/3/25", ""),
    ("Sak 13/2/2026 Godkjenning av innkalling og saksliste", "13/2/2026", "13/2/2026",
     "Godkjenning av innkalling og saksliste"),
    ("Sak 3/1/2028 – Eventuelt", "3/1/2028", "3/1/2028", "Eventuelt"),
    ("Case 5/2/2027 Evaluation", "5/2/2027", "5/2/2027", "Evaluation"),
])
def test_case_headings(line, number, literal, title):
    heading = parse_case_heading(Block(lines=[line], page=None))
    assert heading is not None
    assert (str(heading.number), heading.literal_number, heading.title) == (number, literal, title)


@pytest.mark.parametrize("line", [
    "Sak 19/2/2026 om helsedata er nært knyttet opp til roller og ansvar hos Folkehelseinstituttet, der rådsmedlem Guri "
    "Rørtveit er administrerende direktør.",
    "Saken er en oppfølging av sak 7/1/2026.",
    "Endringsforslag ble meldt inn til sak 2/1/2026, 6/1/2026 og 7/1/2026.",
    "Sakene 1/1/2026 og 2/1/2026 ble behandlet.",
])
def test_sentences_that_mention_a_case_are_not_headings(line):
    assert parse_case_heading(Block(lines=[line], page=None)) is None


def test_heading_pattern_needs_the_word_sak():
    assert HEADING_NUMBER.match("Sak 7/1/2026") and HEADING_NUMBER.match("case 7/1/2026")
    assert not HEADING_NUMBER.match("7/1/2026 Tilgang til helsedata")


@pytest.mark.parametrize("text, meeting", [
    ("HelseOmsorg21-rådet, referat møte 1/2026", "1/2026"),
    ("Referat fra møte 4/2027", "4/2027"),
    ("Utkast til referat fra rådsmøte 2/27", "2/2027"),
    ("Godkjenning av referat fra møte 1/2026", None),  # an agenda title, not the minutes' own header
    ("Referatet legges frem for godkjenning.", None),
])
def test_minutes_headers(text, meeting):
    assert minutes_meeting(Block(lines=[text], page=None)) == meeting
