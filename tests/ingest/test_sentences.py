"""Norwegian sentence splitting: abbreviations do not end sentences, list items are sentences."""
from __future__ import annotations

import pytest

import ingest  # noqa: F401  (offline switches first)
from ingest.sentences import sentence_spans, split_sentences


@pytest.mark.parametrize("text, first", [
    ("Rådet diskuterte bl.a. tilgangen til data. Neste sak ble utsatt.", "Rådet diskuterte bl.a. tilgangen til data."),
    ("Det gjelder f.eks. Helsedataservice og registrene. Saken er ferdig.",
     "Det gjelder f.eks. Helsedataservice og registrene."),
    ("Saken følges opp, jf. Sak 7/1/2026 om tilgang. Rådet var enig.", "Saken følges opp, jf. Sak 7/1/2026 om tilgang."),
    ("Dette gjelder sak nr. 7 i møtet. Rådet var enig.", "Dette gjelder sak nr. 7 i møtet."),
    ("Søkerkompetansen er lav, spesielt mht. Det juridiske. Rådet ba om mer.",
     "Søkerkompetansen er lav, spesielt mht. Det juridiske."),
    ("Innspill sendes ev. Sekretariatet innen fristen. Så går det videre.",
     "Innspill sendes ev. Sekretariatet innen fristen."),
    ("Se pkt. 3 i rapporten. Rådet vedtok dette.", "Se pkt. 3 i rapporten."),
    ("Møtet starter kl. 10.00 i Oslo. Lunsj serveres.", "Møtet starter kl. 10.00 i Oslo."),
    ("Hun deltok t.o.m. Sak 10/1/2026 på møtet. Han deltok hele dagen.", "Hun deltok t.o.m. Sak 10/1/2026 på møtet."),
    ("Han deltok f.o.m. sak 6/1/2026. Hun deltok hele dagen.", "Han deltok f.o.m. sak 6/1/2026."),
    ("Møtet er 4. mars 2026. Det starter tidlig.", "Møtet er 4. mars 2026."),
    ("Kostnaden er ca. 40 mill. kroner. Det er mye.", "Kostnaden er ca. 40 mill. kroner."),
])
def test_abbreviations_do_not_end_sentences(text, first):
    sentences = split_sentences(text)
    assert sentences[0] == first
    assert len(sentences) == 2


def test_list_items_are_sentences_with_their_markers():
    text = ("Rådet mener:\n- Første punkt her\n- andre punkt starter med liten bokstav\n• Tredje punkt. Med to setninger.\n"
            "1. Nummerert punkt\n2) Et punkt til")
    assert split_sentences(text) == [
        "Rådet mener:", "- Første punkt her", "- andre punkt starter med liten bokstav", "• Tredje punkt.",
        "Med to setninger.", "1. Nummerert punkt", "2) Et punkt til",
    ]


def test_table_rows_are_kept_whole():
    assert split_sentences("Melding\tInnspill\tLansering\nDemensplan 2030\t\tLegges frem våren 2026") == [
        "Melding\tInnspill\tLansering", "Demensplan 2030\t\tLegges frem våren 2026"]


def test_a_paragraph_continued_on_the_next_page_is_one_sentence():
    # A page break in mid-sentence leaves a line that starts in lower case (or with the year).
    assert split_sentences("EU planlegger et nytt rammeprogram for perioden 2028-\n2034. En forandring er fondet.") == [
        "EU planlegger et nytt rammeprogram for perioden 2028- 2034.", "En forandring er fondet."]
    assert split_sentences("Rådet ønsker å gi innspill. Det er klare fellesområder mellom rådets pågående\n"
                           "arbeid innen innovasjon og utvalgets tema.") == [
        "Rådet ønsker å gi innspill.",
        "Det er klare fellesområder mellom rådets pågående arbeid innen innovasjon og utvalgets tema."]


def test_real_sentences_from_the_archive():
    text = ("Det er samtidig behov for å håndtere flere av flaskehalsene som det blir pekt på i rapporten. Nye "
            "analysemetoder (bl.a. maskinlæring) gjør at man kan besvare nye forskningsspørsmål. Toril Hernes, NTNU, "
            "digitalt (t.o.m. sak 10/1/2026) deltok.")
    assert split_sentences(text) == [
        "Det er samtidig behov for å håndtere flere av flaskehalsene som det blir pekt på i rapporten.",
        "Nye analysemetoder (bl.a. maskinlæring) gjør at man kan besvare nye forskningsspørsmål.",
        "Toril Hernes, NTNU, digitalt (t.o.m. sak 10/1/2026) deltok.",
    ]


def test_sentence_spans_point_into_the_text():
    text = "Rådet diskuterte bl.a. tilgang. Neste sak ble utsatt.\n- Et punkt"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["Rådet diskuterte bl.a. tilgang.", "Neste sak ble utsatt.", "- Et punkt"]


def test_empty_text():
    assert split_sentences("") == [] and split_sentences("\n\n  \n") == []
