"""Council structure: the shipped bundle (Markdown, and its PDF rendition parsed on its own), the
news article, and bundles written here for meetings that do not exist yet.

The PDF-only parse is the genericity check for the seed: it has no Markdown at all (headings are
plain lines, labels run into their paragraph, tables are tab rows, bullets are "• "). The
synthetic bundles use other meetings, other heading styles and their own typos, so nothing in
the parser can lean on the seed's numbers or wording.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

import ingest  # noqa: F401  (offline switches first)
from ingest.blocks import Block, blocks_from_pages
from ingest.council import is_field_line, parse_fields, split_attachments
from ingest.dates import parse_norwegian_date
from ingest.models import DocumentMeta, Page, ParsedDocument
from ingest.pipeline import discover, load_meta
from ingest.readers import read_document
from ingest.structure import parse_document
from tests.conftest import unicode_pdf

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
BUNDLE = "ho21-mote-2-2026-motepapirer"
ARTICLE = CORPUS / "2026-06-24-rundebordsserie-om-helsedata.html"


def norm(text: str | None) -> str | None:
    """Whitespace-insensitive: the PDF wraps lines where the Markdown does not."""
    return " ".join(text.split()) if text is not None else None


def parse(path: Path, meta: DocumentMeta | None = None) -> ParsedDocument:
    return parse_document(read_document(path), meta or DocumentMeta(), path.stem)


@lru_cache(maxsize=None)
def corpus_bundle(suffix: str) -> ParsedDocument:
    """The bundle parsed from one rendition alone, with no sidecar: everything comes from the text."""
    return parse(CORPUS / f"{BUNDLE}.{suffix}")


@pytest.fixture(scope="module", params=["md", "pdf"])
def bundle(request) -> ParsedDocument:
    return corpus_bundle(request.param)


@pytest.fixture(scope="module")
def markdown() -> str:
    return (CORPUS / f"{BUNDLE}.md").read_text(encoding="utf-8")


def cases_of(document: ParsedDocument) -> dict[str, object]:
    return {case.number: case for case in document.cases}


# ------------------------------------------------------------------------------ the shipped bundle

MINUTES_TITLES = {
    "1/1/2026": "Godkjenning av innkalling og saksliste",
    "2/1/2026": "Spørsmål om habilitet",
    "3/1/2026": "Godkjenning av referat fra møte 3/2025",
    "4/1/2026": "Orienteringer",
    "5/1/2026": "Oversikt meldinger og strategier",
    "6/1/2026": "Helsereformutvalget",
    "7/1/2026": "Tilgang til helsedata",
    "8/1/2026": "Innovasjon i helsetjenesten",
    "9/1/2026": "Kommunenes samarbeidsarena for forskning (KSF)",
    "10/1/2026": "EUs nye konkurranseevnefond og kommende rammeprogram",
    "11/1/2026": "Eventuelt",
    "12/1/2026": "Evaluering av møtet",
}
PAPER_TITLES = {  # the agenda's titles: the agenda is the authority
    "13/2/2026": "Godkjenning av innkalling og saksliste",
    "14/2/2026": "Spørsmål om habilitet",
    "15/2/2026": "Godkjenning av referat møte 1/2026, 14. januar 2026",
    "16/2/2026": "Oversikt meldinger og strategier",
    "17/2/2026": "Innspill til Helsereformutvalget",
    "18/2/2026": "Innovasjon i helsetjenesten",
    "19/2/2026": "Rapport om tilgang til helsedata",
    "20/2/2026": "Arendalsuka 2026",
    "21/2/2026": "HO21-rådets årsrapport for 2025",
    "22/2/2026": "Orienteringer",
    "23/2/2026": "Eventuelt",
    "24/2/2026": "Evaluering av møtet",
}
DECISIONS = {
    "1/1/2026": "Innkalling og saksliste godkjennes.",
    "2/1/2026": "Det er ikke knyttet inhabilitet til sakene på rådsmøtet.",
    "3/1/2026": "Referatet oppdateres med Ebbings navn og godkjennes.",
    "4/1/2026": "Tas til orientering.",
    "5/1/2026": "Rådet bes sekretariatet om å følge opp saken med innspillene som kom i møtet.",
    "6/1/2026": "Det settes ned en arbeidsgruppe bestående av Tarje Bjørgum, Toril Hernes, Per Olav Østbyhaug og "
                "Leif Rune Skymoen for å utarbeide et første innspill knyttet til digitalisering, teknologi og "
                "privat-offentlig samarbeid.",
    "7/1/2026": "Rådet ber sekretariatet oppdatere utkast til rapport etter innspillene i møtet og følge opp saken, "
                "inkludert rundebordsmøtet. Rådsleder og Ingrid Stenstadvold Ross bidrar til forordet, og "
                "arbeidsgruppen sikrer helheten.",
    "8/1/2026": "Intet",
    "9/1/2026": "Rådet ber KS ta med seg innspillene videre i prosessen.",
    "10/1/2026": "Tas til orientering",
    "11/1/2026": "Intet.",
    "12/1/2026": "Intet.",
}
PROPOSALS = {
    "13/2/2026": "Innkalling og saksliste godkjennes.",
    "14/2/2026": "Utformes på møtet.",
    "15/2/2026": "Referatet godkjennes.",
    "16/2/2026": "Rådet ber sekretariatet om å følge opp saken med de innspill som kommer i møtet.",
    "17/2/2026": "Sekretariatet vil i samarbeid med arbeidsgruppens leder oppdatere innspillet i tråd med "
                 "diskusjonen i møtet. Rådsleder godkjenner det endelige innspillet.",
    "18/2/2026": "Rådet ber arbeidsgruppen og sekretariatet om å følge opp de konkrete tiltakspunktene i tråd med "
                 "diskusjonene på møtet. Ny arbeidsgruppe vil bestå av NN, NN, NN.",
    "19/2/2026": "Rådet ber sekretariatet følge opp arbeidet med helsedata i tråd med diskusjonen på møtet.",
    "20/2/2026": "Rådet ber sekretariatet følge opp saken i tråd med diskusjonene på møtet. NN, NN, NN deltar i "
                 "arbeidsgruppen(e) for planlegging av arrangementet.",
    "21/2/2026": "Rådet slutter seg til årsrapporten med de kommentarene som kommer frem i møtet.",
    "22/2/2026": "Tas til orientering",
    "23/2/2026": "Intet",
    "24/2/2026": "Intet",
}
TYPOS = {"14/2/2026": "14/1/2026", "21/2/2026": "21/2/2025", "12/1/2026": "41/3/25"}


def test_all_24_cases_with_meeting_and_iso_date(bundle):
    numbers = [case.number for case in bundle.cases]
    assert sorted(numbers, key=lambda n: (int(n.split("/")[1]), int(n.split("/")[0]))) == \
        list(MINUTES_TITLES) + list(PAPER_TITLES)
    assert len(numbers) == len(set(numbers)) == 24
    for case in bundle.cases:
        if case.number in MINUTES_TITLES:
            assert (case.meeting, case.date, case.source) == ("1/2026", "2026-01-14", "referat"), case.number
        else:
            assert (case.meeting, case.date, case.source) == ("2/2026", "2026-03-04", "saksfremlegg"), case.number
    assert bundle.meeting == "2/2026" and bundle.date == "2026-03-04" and bundle.doc_type == "motepapirer"


def test_titles(bundle):
    cases = cases_of(bundle)
    for number, title in {**MINUTES_TITLES, **PAPER_TITLES}.items():
        assert norm(cases[number].title) == title, number


def test_decisions_for_the_minutes_cases_and_proposals_for_the_papers(bundle):
    cases = cases_of(bundle)
    for number, decision in DECISIONS.items():
        assert norm(cases[number].decision) == decision, number
        assert cases[number].proposal is None
    for number, proposal in PROPOSALS.items():
        assert norm(cases[number].proposal) == proposal, number
        assert cases[number].decision is None


def test_the_three_typo_headings_are_resolved_flagged_and_keep_their_literal(bundle):
    cases = cases_of(bundle)
    for number, literal in TYPOS.items():
        case = cases[number]
        assert case.literal_number == literal and case.flagged, number
        assert f"Sak {literal}" in case.literal_heading
        assert literal in case.resolution_note and case.meeting in case.resolution_note
    assert "sakslisten" in cases["14/2/2026"].resolution_note  # the agenda is the evidence
    assert "11/1/2026" in cases["12/1/2026"].resolution_note  # minutes number in sequence
    assert [c.number for c in bundle.cases if c.flagged] == ["14/2/2026", "12/1/2026", "21/2/2026"]
    for case in bundle.cases:
        if case.number not in TYPOS:
            assert case.literal_number == case.number and case.resolution_note is None, case.number


def test_two_digit_year_heading(bundle):
    evaluation = cases_of(bundle)["12/1/2026"]
    assert evaluation.literal_number == "41/3/25"
    assert evaluation.title == "Evaluering av møtet" and evaluation.date == "2026-01-14"


def test_decision_of_7_1_is_joined_across_the_page_break(bundle, markdown):
    # In the source the decision is cut by a page break in mid-sentence.
    assert re.search(r"Rådsleder og\*\s*\n+---\s*\n+\*Ingrid Stenstadvold Ross", markdown)
    case = cases_of(bundle)["7/1/2026"]
    assert norm(case.decision).endswith(
        "Rådsleder og Ingrid Stenstadvold Ross bidrar til forordet, og arbeidsgruppen sikrer helheten.")
    vedtak = [s for s in case.sections if s.kind == "vedtak"]
    assert len(vedtak) == 1 and norm(vedtak[0].text) == DECISIONS["7/1/2026"]
    if bundle.format == "pdf":
        assert (vedtak[0].page_start, vedtak[0].page_end) == (31, 32)


def test_decision_of_2_1_is_found_although_it_precedes_its_label(bundle, markdown):
    text_at = markdown.index("*Det er ikke knyttet inhabilitet")
    label_at = markdown.index("Vedtak", text_at)
    assert markdown[text_at:label_at].count("\n\n") == 1  # the text comes first, then the label
    case = cases_of(bundle)["2/1/2026"]
    assert case.decision == "Det er ikke knyttet inhabilitet til sakene på rådsmøtet."
    discussion = " ".join(s.text for s in case.sections if s.kind != "vedtak")
    assert "Inhabilitet ble vurdert" in discussion and "Det er ikke knyttet" not in discussion


def test_agenda_title_and_paper_title_are_both_kept_when_they_differ(bundle):
    cases = cases_of(bundle)
    assert (cases["16/2/2026"].agenda_title, cases["16/2/2026"].paper_title) == (
        "Oversikt meldinger og strategier", "Oppfølging av meldinger og strategier")
    assert (cases["18/2/2026"].agenda_title, cases["18/2/2026"].paper_title) == (
        "Innovasjon i helsetjenesten", "Innovasjon i helsetjenestene og utvikling av helsenæring")
    assert cases["19/2/2026"].agenda_title == cases["19/2/2026"].paper_title == "Rapport om tilgang til helsedata"


def test_fields_in_all_three_layouts(bundle, markdown):
    cases = cases_of(bundle)
    # label line / value line
    assert "**Saksbehandler**\nHenrietta Blankson og Karianne\nSolaas" in markdown
    assert (cases["19/2/2026"].saksbehandler, cases["19/2/2026"].fra) == (
        "Henrietta Blankson og Karianne Solaas", "Ole Johan Borge")
    assert cases["19/2/2026"].vedlegg == [
        "Oppdatert utkast til rapport om flaskehals for tilgang til norske helseregisterdata"]
    assert cases["15/2/2026"].vedlegg == ["Utkast referat fra møte 1/2026"]
    assert cases["20/2/2026"].vedlegg == []  # "1." with nothing after it
    assert (cases["13/2/2026"].saksbehandler, cases["13/2/2026"].vedlegg) == ("Henrietta Blankson", [])
    # <b> cells separated by tabs
    assert "<b>Til</b> HelseOmsorg21-rådet\t<b>Saksbehandler</b> Tine" in markdown
    assert cases["18/2/2026"].saksbehandler == "Tine Thorbjørnsen og Henrietta Blankson"
    assert cases["18/2/2026"].vedlegg == ["Notat til strategisk dialogarena for veikart for Helsenæring"]
    assert (cases["16/2/2026"].fra, cases["16/2/2026"].vedlegg) == ("Ole Johan Borge", ["Oversikt meldinger og strategier"])
    # a header row of labels, the values in the row below
    assert "<b>Til</b>\t<b>Saksbehandler</b>\t<b>Vedlegg</b>\nHelseOmsorg21-rådet\tTine" in markdown
    assert (cases["17/2/2026"].til, cases["17/2/2026"].saksbehandler, cases["17/2/2026"].vedlegg,
            cases["17/2/2026"].fra) == (
        "HelseOmsorg21-rådet", "Tine Thorbjørnsen og Henrietta Blankson", ["Utkast innspill"], "Ole Johan Borge")
    for number in PAPER_TITLES:
        assert cases[number].til == "HelseOmsorg21-rådet" and cases[number].fra == "Ole Johan Borge", number
        assert cases[number].saksbehandler, number


def test_attachments_are_linked_to_their_parent_case(bundle):
    attachments = {part.title: part for part in bundle.parts if part.kind == "attachment"}
    assert attachments["Flaskehalsar for tilgang til norske helseregisterdata"].case == "19/2/2026"
    assert attachments["Årsrapport 2025"].case == "21/2/2026"
    assert attachments["Innspill til Helsereformutvalget"].case == "17/2/2026"
    assert attachments["Innovasjonsløype i helsetjenestene og utvikling av helsenæring"].case == "18/2/2026"
    for part in attachments.values():
        assert part.meeting == "2/2026" and part.date == "2026-03-04"
    report = attachments["Flaskehalsar for tilgang til norske helseregisterdata"]
    report_text = " ".join(f"{s.heading} {s.text}" for s in report.sections)
    assert "Kjære leser!" in report_text and "Spørsmålsliste brukt til" in report_text
    # The report is not part of the paper, and the paper's proposal stops where the report starts.
    paper = next(p for p in bundle.parts if p.kind == "case_paper" and p.case == "19/2/2026")
    assert "Kjære leser" not in " ".join(s.text for s in paper.sections)
    assert "Årsrapport" not in cases_of(bundle)["21/2/2026"].proposal


def test_parts_in_document_order(bundle):
    kinds = [part.kind for part in bundle.parts]
    assert kinds[:2] == ["front_matter", "agenda"]
    minutes_header = next(p for p in bundle.parts if p.kind == "minutes" and p.case == "15/2/2026")
    assert minutes_header.meeting == "1/2026" and minutes_header.date == "2026-01-14"  # attached to 15/2
    agenda = bundle.parts[1].sections[0].text
    assert all(f"Sak {n}" in agenda for n in PAPER_TITLES)


def test_heading_styles_of_the_markdown(markdown):
    document = corpus_bundle("md")
    cases = cases_of(document)
    styles = {
        "1/1/2026": "**Sak 1/1/2026****Godkjenning av innkalling og saksliste**",  # glued bold runs
        "6/1/2026": "## Sak 6/1/2026\n\n### Helsereformutvalget",  # heading, title as sub-heading
        "19/2/2026": "# Sak 19/2/2026\n\n## Rapport om tilgang til helsedata",  # level-1 heading
        "11/1/2026": "**Sak 11/1/2026**\n\n**Eventuelt**",  # bold on its own line, bold title below
    }
    for number, source in styles.items():
        assert source in markdown, number
    assert cases["1/1/2026"].literal_heading == "Sak 1/1/2026 Godkjenning av innkalling og saksliste"
    assert cases["6/1/2026"].title == "Helsereformutvalget" and cases["6/1/2026"].decision.startswith("Det settes ned")
    assert cases["19/2/2026"].paper_title == "Rapport om tilgang til helsedata"
    assert (cases["11/1/2026"].literal_heading, cases["11/1/2026"].title) == ("Sak 11/1/2026", "Eventuelt")


def test_pdf_pages_on_cases():
    document = corpus_bundle("pdf")
    cases = cases_of(document)
    assert all(case.page_start and case.page_end and case.page_start <= case.page_end for case in document.cases)
    starts = [case.page_start for case in document.cases]
    assert starts == sorted(starts)  # document order
    assert cases["7/1/2026"].page_start == 31 and cases["13/2/2026"].page_start == 13


def test_pdf_plain_headings_become_sections():
    """Without markup, short stand-alone lines before a paragraph are headings (PDF papers)."""
    document = corpus_bundle("pdf")
    headings = {s.heading for c in document.cases for s in c.sections}
    assert {"Rapportens kontekst", "Oppfølging av rapporten", "Nytt folkehelsepolitisk råd"} <= headings
    report = next(p for p in document.parts if p.kind == "attachment" and p.case == "19/2/2026")
    assert "Metodikk og intervjuobjekter" in {s.heading for s in report.sections}


def test_sidecar_meta_is_used_by_the_pipeline():
    groups, _, _ = discover([CORPUS])
    group = next(g for g in groups if g.doc_id == BUNDLE)
    assert group.primary.suffix == ".md" and group.pdf is not None
    meta = load_meta(group)
    document = parse_document(read_document(group.primary), meta, group.doc_id)
    assert document.title == "HelseOmsorg21-rådet – møtepapirer møte 2/2026"
    assert (document.doc_type, document.date, document.access) == ("motepapirer", "2026-03-04", "public")


# ------------------------------------------------------------------------------ documents without cases


@pytest.mark.parametrize("with_sidecar", [False, True])
def test_news_article_gets_document_level_metadata(with_sidecar):
    meta = DocumentMeta()
    if with_sidecar:
        groups, _, _ = discover([ARTICLE])
        meta = load_meta(groups[0])
    document = parse(ARTICLE, meta)
    assert document.cases == [] and document.meeting is None
    assert (document.title, document.date, document.doc_type) == ("Rundesbordsserie om helsedata", "2026-06-24", "nyhet")
    assert [part.kind for part in document.parts] == ["article"]
    text = " ".join(s.text for s in document.parts[0].sections)
    assert "Oslo Science City" in text and "Hopp til hovedinnhold" not in text  # page chrome stays out


def test_standalone_report_is_a_report(tmp_path):
    path = tmp_path / "notat-helsedata.md"
    path.write_text(
        "# Notat om helsedata\n\nPublisert 3. mai 2027\n\n## Sammendrag\n\nRegistrene er gode, men tilgangen tar tid. "
        "Notatet foreslår tre tiltak.\n\n## Tiltak\n\n- Felles veileder\n- Kortere frister\n", encoding="utf-8")
    document = parse(path)
    assert (document.title, document.doc_type, document.date, document.cases) == (
        "Notat om helsedata", "dokument", "2027-05-03", [])
    assert [s.heading for s in document.parts[0].sections][-2:] == ["Sammendrag", "Tiltak"]


# ------------------------------------------------------------------------------ bundles written here

# Meeting 3/2027 in Markdown, styled differently from the seed: a compact agenda (one line per case,
# no blank lines), a one-line bold heading with its title, "###"/"####" headings, fields as
# "**Label** value", a header row + value row, <b> cells and label/value lines; minutes of
# meeting 2/2027 with a decision cut by a page break, a two-digit year, a decision printed before
# its label and a closing case with a wrong number; an attachment after a proposal.
BUNDLE_3_2027 = """\
# HelseOmsorg21-rådet

Innkalling til møte 3/2027

**Dato** 9. september, kl. 10.00–15.00

**Sted** Radisson Blu, Bergen

Saksliste

Sak 30/3/2027 Godkjenning av innkalling og saksliste
Sak 31/3/2027 Godkjenning av referat fra møte 2/2027
Sak 32/3/2027 Kunstig intelligens i primærhelsetjenesten
Sak 33/3/2027 Evaluering av møtet

Saksfremlegg

**Sak 30/3/2027 Godkjenning av innkalling og saksliste**

**Til** HelseOmsorg21-rådet
**Saksbehandler** Kari Nordmann
**Vedlegg**
**Fra** Ola Nordmann

**Hvorfor saken fremmes til dette møtet** Innkalling og saksliste legges frem for godkjenning.

**Forslag til vedtak** *Innkalling og saksliste godkjennes.*

Saksfremlegg

### Sak 31/2/2027

#### Godkjenning av referat fra rådsmøte 2/2027

<b>Til</b>\t<b>Saksbehandler</b>\t<b>Vedlegg</b>
HelseOmsorg21-rådet\tPer Hansen\t1. Utkast referat fra møte 2/2027
<b>Fra</b>
Ola Nordmann

### Bakgrunn

Utkast til referat ble sendt ut 20. juni med merknadsfrist 27. juni, jf. rutinene for referater.

### Forslag til vedtak

*Referatet godkjennes.*

---

Referat fra møte 2/2027

**Dato**

tirsdag 8. juni 2027

**Sak 20/2/2027****Godkjenning av innkalling og saksliste**

Ingen saker ble meldt til eventuelt.

Vedtak

*Innkalling og saksliste godkjennes.*

**Sak 21/2/2027**

**Tilgang til helsedata**

Rådet diskuterte bl.a. ventetidene for dataforespørsler og behovet for felles veiledning.

**Vedtak**

*Rådet ber sekretariatet utarbeide et notat om ventetidene og*

---

*legge det frem for rådet på neste møte.*

---

## Sak 22/2/27

### Eventuelt

Vedtak

*Intet.*

**Sak 9/4/26**

**Evaluering av møtet**

Møtet ble evaluert muntlig.

*Rådet var fornøyd med møteformen.*

Vedtak

---

# Sak 32/3/2027

## KI i primærhelsetjenesten

<b>Til</b> HelseOmsorg21-rådet\t<b>Saksbehandler</b> Per Hansen\t<b>Vedlegg</b> 1. Notat om KI i allmennpraksis
<b>Fra</b> Ola Nordmann\t\t

**Bakgrunn** Kunstig intelligens tas i bruk i allmennpraksis, f.eks. til journalføring.

**Hovedpunkter** Rådet bes diskutere behovet for en nasjonal veileder.

**Forslag til vedtak** Rådet ber sekretariatet følge opp saken.

# Notat om KI i allmennpraksis

## Sammendrag

Fastleger bruker i økende grad språkmodeller til journalføring. Notatet drøfter nytte og risiko.

Saksfremlegg

# Sak 33/3/2027

## Evaluering av møtet

**Til**
HelseOmsorg21-rådet

**Saksbehandler**
Kari Nordmann

**Vedlegg**

**Fra**
Ola Nordmann

**Bakgrunn** Det foretas en evaluering av møtet.

**Forslag til vedtak** *Intet*
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_synthetic_markdown_bundle_for_meeting_3_2027(tmp_path):
    document = parse(write(tmp_path, "motepapirer-3-2027.md", BUNDLE_3_2027))
    cases = cases_of(document)
    assert [c.number for c in document.cases] == [
        "30/3/2027", "31/3/2027", "20/2/2027", "21/2/2027", "22/2/2027", "23/2/2027", "32/3/2027", "33/3/2027"]
    assert (document.meeting, document.date, document.doc_type) == ("3/2027", "2027-09-09", "motepapirer")
    for number in ("30/3/2027", "31/3/2027", "32/3/2027", "33/3/2027"):
        assert (cases[number].meeting, cases[number].date, cases[number].source) == ("3/2027", "2027-09-09", "saksfremlegg")
        assert cases[number].agenda_title and cases[number].fra == "Ola Nordmann", number
    for number in ("20/2/2027", "21/2/2027", "22/2/2027", "23/2/2027"):
        assert (cases[number].meeting, cases[number].date, cases[number].source) == ("2/2027", "2027-06-08", "referat")

    # typo in a paper heading, resolved through the compact agenda
    assert (cases["31/3/2027"].literal_number, cases["31/3/2027"].flagged) == ("31/2/2027", True)
    assert "sakslisten for møte 3/2027" in cases["31/3/2027"].resolution_note
    assert (cases["31/3/2027"].agenda_title, cases["31/3/2027"].paper_title) == (
        "Godkjenning av referat fra møte 2/2027", "Godkjenning av referat fra rådsmøte 2/2027")
    assert (cases["32/3/2027"].title, cases["32/3/2027"].paper_title) == (
        "Kunstig intelligens i primærhelsetjenesten", "KI i primærhelsetjenesten")
    # closing minutes case with a wrong number, numbered in sequence; a two-digit year
    assert (cases["23/2/2027"].literal_number, cases["23/2/2027"].flagged, cases["23/2/2027"].title) == (
        "9/4/26", True, "Evaluering av møtet")
    assert (cases["22/2/2027"].literal_number, cases["22/2/2027"].flagged, cases["22/2/2027"].title) == (
        "22/2/27", False, "Eventuelt")
    assert not any(cases[n].flagged for n in ("30/3/2027", "32/3/2027", "33/3/2027", "20/2/2027", "21/2/2027"))

    # decisions: across a page break; before the label; plain
    assert cases["21/2/2027"].decision == (
        "Rådet ber sekretariatet utarbeide et notat om ventetidene og legge det frem for rådet på neste møte.")
    assert cases["23/2/2027"].decision == "Rådet var fornøyd med møteformen."
    assert cases["20/2/2027"].decision == "Innkalling og saksliste godkjennes."
    assert cases["22/2/2027"].decision == "Intet."
    assert [cases[n].proposal for n in ("30/3/2027", "31/3/2027", "32/3/2027", "33/3/2027")] == [
        "Innkalling og saksliste godkjennes.", "Referatet godkjennes.", "Rådet ber sekretariatet følge opp saken.", "Intet"]

    # fields: "**Label** value" lines, header row + values, <b> cells, label/value lines
    assert (cases["30/3/2027"].saksbehandler, cases["30/3/2027"].vedlegg) == ("Kari Nordmann", [])
    assert (cases["31/3/2027"].saksbehandler, cases["31/3/2027"].vedlegg) == ("Per Hansen", ["Utkast referat fra møte 2/2027"])
    assert (cases["32/3/2027"].saksbehandler, cases["32/3/2027"].vedlegg) == ("Per Hansen", ["Notat om KI i allmennpraksis"])
    assert (cases["33/3/2027"].saksbehandler, cases["33/3/2027"].til) == ("Kari Nordmann", "HelseOmsorg21-rådet")

    attachment = next(p for p in document.parts if p.kind == "attachment")
    assert (attachment.title, attachment.case, attachment.meeting) == ("Notat om KI i allmennpraksis", "32/3/2027", "3/2027")
    minutes = next(p for p in document.parts if p.kind == "minutes" and p.case == "31/3/2027")
    assert minutes.meeting == "2/2027"  # the minutes' own header, attached to the approving case


# Meeting 1/2028 as a plain paginated text without any markup, the way PDF text comes out:
# headings as plain lines, inline labels, one-line fields, bullets, a proposal followed by an
# attachment, and minutes of meeting 4/2027 whose decision is cut by a page break, with a
# two-digit year and a wrong closing number. It is rendered both as .txt (form feeds) and as PDF.
PAGES_1_2028 = [
    [
        "HelseOmsorg21-rådet",
        "Møtepapirer møte 1/2028",
        "Dato 2. februar, kl. 09.00 - 12.00\nSted Forskningsrådets lokaler, Lysaker",
        "Saksliste",
        "Sak 1/1/2028 Godkjenning av innkalling og saksliste\nSak 2/1/2028 Helsedata og kunstig intelligens\n"
        "Sak 3/1/2028 Godkjenning av referat fra møte 4/2027\nSak 4/1/2028 Eventuelt",
    ],
    [
        "Saksfremlegg",
        "Sak 1/1/2028",
        "Godkjenning av innkalling og saksliste",
        "Til\nHelseOmsorg21-rådet",
        "Saksbehandler\nKari Nordmann",
        "Vedlegg",
        "Fra\nOla Nordmann",
        "Bakgrunn Innkalling og saksliste ble sendt ut til rådets medlemmer 20. januar, to uker før møtet, slik "
        "rutinene for rådsmøter krever. Medlemmene kan melde inn saker til eventuelt ved møtestart, og "
        "sekretariatet fører dem opp på sakslisten.",
        "Forslag til vedtak Innkalling og saksliste godkjennes.",
    ],
    [
        "Saksfremlegg",
        "Sak 2/1/2027",
        "Helsedata og KI",
        "Til HelseOmsorg21-rådet Saksbehandler Per Hansen Vedlegg 1. Rapport om KI-modeller Fra Ola Nordmann",
        "Bakgrunn",
        "Rådet har bl.a. bedt om en oversikt over bruken av KI-modeller i helsetjenesten, jf. sak 12/3/2027. "
        "Oversikten er laget av sekretariatet i samarbeid med Helsedirektoratet. Den bygger på offentlige kilder "
        "og på intervjuer med klinikere, forskere og leverandører i hele landet.",
        "Hovedpunkter",
        "• Modellene trenes i økende grad på norske helsedata fra registrene.\n"
        "• Tilgangen til data tar fortsatt for lang tid for mange forskere.",
        "Forslag til vedtak",
        "Rådet tar rapporten til orientering.",
    ],
    [
        "Rapport om KI-modeller i helsetjenesten",
        "Sammendrag",
        "Rapporten gir en oversikt over KI-modeller i norske sykehus. Det finnes nå over førti modeller i klinisk "
        "bruk, de fleste innen bildediagnostikk. Bare et fåtall av modellene er evaluert i norske pasientgrupper, "
        "og rapporten anbefaler en nasjonal ordning for slik evaluering.",
        "Funn",
        "Sykehusene bruker KI-modeller mest i radiologi, der modellene markerer funn som radiologen vurderer. I "
        "patologi og kardiologi er bruken økende, men fortsatt liten. Flere helseforetak har egne team som vurderer "
        "modellene før de tas i bruk, mens andre følger leverandørens dokumentasjon.",
        "Klinikerne vi intervjuet, beskriver at modellene sparer tid i enkle undersøkelser, men at de krever ekstra "
        "kontroll når pasientgruppen avviker fra dataene modellen er trent på. Flere etterlyser felles nasjonale "
        "krav til lokal validering før modellene tas i bruk i klinikken.",
        "Leverandørene peker på at tilgangen til norske helsedata for trening og validering tar lang tid, og at det "
        "gjør det vanskelig å tilpasse modellene til norske forhold. De ønsker en forutsigbar søknadsprosess og "
        "tydelige frister for behandlingen av søknadene.",
        "Metode",
        "Sekretariatet har gått gjennom offentlige oversikter og intervjuet ti klinikere ved fire helseforetak om "
        "erfaringene deres. Intervjuene ble gjennomført digitalt høsten 2027 og tok omtrent en time hver.",
    ],
    [
        "Saksfremlegg",
        "Sak 3/1/2028",
        "Godkjenning av referat fra møte 4/2027",
        "Til\nHelseOmsorg21-rådet",
        "Saksbehandler\nKari Nordmann",
        "Vedlegg\n1. Utkast referat fra møte 4/2027",
        "Fra\nOla Nordmann",
        "Bakgrunn Utkast til referat ble sendt ut 10. desember med merknadsfrist 17. desember. Det kom ingen "
        "merknader innen fristen, og referatet legges derfor frem uendret for godkjenning.",
        "Forslag til vedtak Referatet godkjennes.",
    ],
    [
        "HelseOmsorg21-rådet, referat møte 4/2027",
        "Dato\ntirsdag 1. desember 2027",
        "Sak 40/4/2027 Godkjenning av innkalling og saksliste",
        "Innkallingen ble godkjent uten merknader fra rådets medlemmer. Det ble ikke meldt inn noen saker til "
        "eventuelt ved møtestart, og møtet fulgte sakslisten.",
        "Vedtak",
        "Innkalling og saksliste godkjennes.",
        "Sak 41/4/2027 Helsedata",
        "Fra FHI orienterte Kari Nordmann om ventetidene for tilgang til helsedata og om arbeidet med nye "
        "søknadsskjemaer. Rådet pekte på behovet for bedre veiledning av søkerne og for kortere svarfrister hos "
        "Helsedataservice.",
        "Vedtak",
        "Rådet ber sekretariatet følge opp saken og",
    ],
    [
        "komme tilbake til den på neste møte.",
        "Sak 42/4/27 Eventuelt",
        "Ingen saker ble meldt inn til eventuelt.",
        "Vedtak",
        "Intet.",
        "Sak 9/3/26 Evaluering av møtet",
        "Rådet evaluerte møtet muntlig og var fornøyd med formen. Flere medlemmer ønsket mer tid til diskusjon av "
        "de store sakene på neste møte.",
        "Vedtak",
        "Intet.",
    ],
    [
        "Saksfremlegg",
        "Sak 4/1/2028",
        "Eventuelt",
        "Til\nHelseOmsorg21-rådet",
        "Saksbehandler\nKari Nordmann",
        "Vedlegg",
        "Fra\nOla Nordmann",
        "Bakgrunn Saker til eventuelt meldes ved møtestart. Sekretariatet fører sakene opp i referatet sammen med "
        "rådets eventuelle vedtak.",
        "Forslag til vedtak Intet",
    ],
]


def render_pdf(pages: list[list[str]], path: Path) -> Path:
    """A plain paginated PDF: one paragraph per entry, a line per "\\n", space between paragraphs."""
    pdf = unicode_pdf(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    for paragraphs in pages:
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        for paragraph in paragraphs:
            for line in paragraph.split("\n"):
                pdf.multi_cell(100, 5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    pdf.output(str(path))
    return path


def text_pages(pages: list[list[str]]) -> str:
    return "\n\f\n".join("\n\n".join(paragraphs) for paragraphs in pages)


@pytest.fixture(scope="module", params=["txt", "pdf"])
def bundle_2028(request, tmp_path_factory) -> ParsedDocument:
    folder = tmp_path_factory.mktemp("b2028")
    if request.param == "pdf":
        path = render_pdf(PAGES_1_2028, folder / "motepapirer-1-2028.pdf")
    else:
        path = write(folder, "motepapirer-1-2028.txt", text_pages(PAGES_1_2028))
    return parse(path)


def test_synthetic_plain_bundle_for_meeting_1_2028(bundle_2028):
    document = bundle_2028
    cases = cases_of(document)
    assert [c.number for c in document.cases] == [
        "1/1/2028", "2/1/2028", "3/1/2028", "40/4/2027", "41/4/2027", "42/4/2027", "43/4/2027", "4/1/2028"]
    assert (document.meeting, document.date) == ("1/2028", "2028-02-02")
    assert [cases[n].title for n in ("1/1/2028", "2/1/2028", "3/1/2028", "4/1/2028")] == [
        "Godkjenning av innkalling og saksliste", "Helsedata og kunstig intelligens",
        "Godkjenning av referat fra møte 4/2027", "Eventuelt"]
    for number in ("40/4/2027", "41/4/2027", "42/4/2027", "43/4/2027"):
        assert (cases[number].meeting, cases[number].date, cases[number].source) == ("4/2027", "2027-12-01", "referat")
    # "Fra FHI orienterte ..." is prose in the minutes, not a paper's Fra field
    assert cases["41/4/2027"].source == "referat" and cases["41/4/2027"].title == "Helsedata"

    assert (cases["2/1/2028"].literal_number, cases["2/1/2028"].flagged) == ("2/1/2027", True)
    assert cases["2/1/2028"].paper_title == "Helsedata og KI"
    assert (cases["43/4/2027"].literal_number, cases["43/4/2027"].flagged) == ("9/3/26", True)
    assert (cases["42/4/2027"].literal_number, cases["42/4/2027"].flagged) == ("42/4/27", False)

    assert norm(cases["41/4/2027"].decision) == "Rådet ber sekretariatet følge opp saken og komme tilbake til den på neste møte."
    assert [cases[n].decision for n in ("40/4/2027", "42/4/2027", "43/4/2027")] == [
        "Innkalling og saksliste godkjennes.", "Intet.", "Intet."]
    assert [cases[n].proposal for n in ("1/1/2028", "2/1/2028", "3/1/2028", "4/1/2028")] == [
        "Innkalling og saksliste godkjennes.", "Rådet tar rapporten til orientering.", "Referatet godkjennes.", "Intet"]

    assert (cases["2/1/2028"].saksbehandler, cases["2/1/2028"].vedlegg, cases["2/1/2028"].fra) == (
        "Per Hansen", ["Rapport om KI-modeller"], "Ola Nordmann")  # all four fields on one line
    assert (cases["3/1/2028"].saksbehandler, cases["3/1/2028"].vedlegg) == ("Kari Nordmann", ["Utkast referat fra møte 4/2027"])
    kinds = [s.kind for s in cases["2/1/2028"].sections]
    assert kinds == ["bakgrunn", "hovedpunkter", "forslag"]
    bullets = next(s for s in cases["2/1/2028"].sections if s.kind == "hovedpunkter").text.split("\n")
    assert bullets[0].startswith("• Modellene") and bullets[1].startswith("• Tilgangen")

    attachment = next(p for p in document.parts if p.kind == "attachment")
    assert (attachment.title, attachment.case) == ("Rapport om KI-modeller i helsetjenesten", "2/1/2028")
    assert {"Sammendrag", "Funn", "Metode"} <= {s.heading for s in attachment.sections}
    if document.format == "pdf":
        assert [cases[n].page_start for n in ("1/1/2028", "2/1/2028", "41/4/2027", "4/1/2028")] == [2, 3, 6, 8]
        vedtak = next(s for s in cases["41/4/2027"].sections if s.kind == "vedtak")
        assert (vedtak.page_start, vedtak.page_end) == (6, 7)


def test_standalone_minutes_without_agenda(tmp_path):
    minutes = """\
Referat fra møte 4/2027

Dato

1. desember 2027

Sak 40/4/2027 Godkjenning av innkalling og saksliste

Innkallingen ble godkjent uten merknader.

Vedtak

Innkalling og saksliste godkjennes.

Sak 41/4/2027 Helsedata

Fra FHI orienterte Kari Nordmann om ventetidene for tilgang til helsedata.

Vedtak: Rådet ber sekretariatet følge opp saken og
\f
komme tilbake til den på neste møte.

Sak 7/2/26 Evaluering av møtet

Rådet evaluerte møtet muntlig.

Vedtak

Intet.
"""
    document = parse(write(tmp_path, "referat-4-2027.txt", minutes))
    assert (document.doc_type, document.meeting, document.date) == ("referat", "4/2027", "2027-12-01")
    assert [(c.number, c.literal_number, c.flagged) for c in document.cases] == [
        ("40/4/2027", "40/4/2027", False), ("41/4/2027", "41/4/2027", False), ("42/4/2027", "7/2/26", True)]
    assert document.cases[1].decision == "Rådet ber sekretariatet følge opp saken og komme tilbake til den på neste møte."
    assert [c.page_start for c in document.cases] == [1, 1, 2]


# ------------------------------------------------------------------------------ the pieces


def blocks(text: str) -> list[Block]:
    return blocks_from_pages([Page(None, text)])


def test_field_lines_are_not_prose():
    assert is_field_line("**Til**") and is_field_line("<b>Fra</b>\t\t") and is_field_line("Fra Ole Johan Borge")
    assert is_field_line("Til HelseOmsorg21-rådet Saksbehandler Per Hansen Vedlegg 1. X Fra Ola Nordmann")
    assert is_field_line("Saksbehandler: Kari Nordmann") and is_field_line("Vedlegg")
    assert not is_field_line("Fra FHI orienterte Kari Nordmann om ventetidene for tilgang til helsedata.")
    assert not is_field_line("Til stede") and not is_field_line("Til slutt ble det enighet om at saken skal følges opp.")


def test_parse_fields_layouts():
    assert parse_fields(blocks("**Til**\nRådet\n\n**Saksbehandler**\nKari\nNordmann\n\n**Vedlegg**\n\n**Fra**\nOla")) == {
        "til": "Rådet", "saksbehandler": "Kari Nordmann", "vedlegg": "", "fra": "Ola"}
    assert parse_fields(blocks("<b>Til</b> Rådet\t<b>Saksbehandler</b> Kari\t<b>Vedlegg</b> 1. Notat\n<b>Fra</b> Ola\t\t")) == {
        "til": "Rådet", "saksbehandler": "Kari", "vedlegg": "1. Notat", "fra": "Ola"}
    assert parse_fields(blocks("Til\tSaksbehandler\tVedlegg\nRådet\tKari\t1. Notat 2. Program\nFra\nOla")) == {
        "til": "Rådet", "saksbehandler": "Kari", "vedlegg": "1. Notat 2. Program", "fra": "Ola"}
    assert split_attachments("1. Utkast innspill 2. Program for dagen") == ["Utkast innspill", "Program for dagen"]
    assert split_attachments("1.") == [] and split_attachments("") == []


@pytest.mark.parametrize("text, expected", [
    ("4. mars", "2026-03-04"),
    ("mandag 14. januar 2026", "2026-01-14"),
    ("Dato 4. mars, kl. 10.00 – 16.00", "2026-03-04"),
    ("PUBLISERT 24. JUN. 2026", "2026-06-24"),
    ("rundebordsmøtet 15.12.2025", "2025-12-15"),
    ("2027-09-09", "2027-09-09"),
    ("ingen dato her", None),
])
def test_norwegian_dates(text, expected):
    assert parse_norwegian_date(text, default_year=2026) == expected


def test_a_date_without_year_needs_a_default():
    assert parse_norwegian_date("4. mars") is None
