"""Readers on the committed corpus and on small files built here, including broken ones."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.readers import SUPPORTED_SUFFIXES, ReaderError, read_document
from tests.conftest import small_pdf, unicode_pdf

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
BUNDLE_PDF = CORPUS / "ho21-mote-2-2026-motepapirer.pdf"
BUNDLE_MD = CORPUS / "ho21-mote-2-2026-motepapirer.md"
ARTICLE_HTML = CORPUS / "2026-06-24-rundebordsserie-om-helsedata.html"


@pytest.fixture(scope="module")
def bundle_pdf():
    return read_document(BUNDLE_PDF)


@pytest.fixture(scope="module")
def pdf_lines(bundle_pdf) -> list[str]:
    return [line for page in bundle_pdf.pages for line in page.text.split("\n")]


def strip_markdown(markdown: str) -> str:
    """The words of the Markdown bundle without its markup, whitespace squashed."""
    text = re.sub(r"\[((?:\\.|[^\]\\])*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"<a\b[^>]*>(.*?)</a>", r"\1", text)
    text = re.sub(r"</?(?:b|sup|sub)>", "", text)
    text = re.sub(r"\\([()\[\]])", r"\1", text).replace("****", " ")
    text = re.sub(r"^\s*(?:#{1,6}\s+|[-*+]\s+|---\s*$)", "", text, flags=re.M).replace("*", "")
    return " ".join(text.split())


def squash(text: str) -> str:
    return " ".join(text.replace("•", " ").split())


# ---------------------------------------------------------------------------- PDF: the corpus bundle


def test_pdf_pages_are_numbered_and_title_comes_from_metadata(bundle_pdf):
    assert bundle_pdf.format == "pdf"
    assert len(bundle_pdf.pages) > 20
    assert [page.number for page in bundle_pdf.pages] == list(range(1, len(bundle_pdf.pages) + 1))
    assert bundle_pdf.title == "HelseOmsorg21-rådet – møtepapirer møte 2/2026"
    assert bundle_pdf.date == "2026-03-04"
    assert all(page.text.strip() for page in bundle_pdf.pages)


def test_pdf_case_headings_and_decision_labels_are_own_lines(pdf_lines):
    assert "Sak 7/1/2026 Tilgang til helsedata" in pdf_lines
    assert "Sak 16/2/2026" in pdf_lines
    assert "Sak 14/1/2026" in pdf_lines  # the misnumbered case heading comes out as printed
    seed_vedtak = BUNDLE_MD.read_text(encoding="utf-8").split("\n").count("Vedtak")
    assert seed_vedtak >= 10
    assert pdf_lines.count("Vedtak") == seed_vedtak


def test_pdf_keeps_the_page_break_inside_a_decision(bundle_pdf):
    pages = [page.text for page in bundle_pdf.pages]
    index = next(i for i, text in enumerate(pages) if "Sak 7/1/2026 Tilgang til helsedata" in text.split("\n"))
    assert pages[index].rstrip().endswith("Vedtak\n\nRådet ber sekretariatet oppdatere utkast til rapport etter innspillene "
                                          "i møtet og følge opp saken, inkludert rundebordsmøtet. Rådsleder og")
    assert pages[index + 1].startswith("Ingrid Stenstadvold Ross bidrar til forordet")


def test_pdf_paragraphs_are_single_lines_separated_by_blank_lines(bundle_pdf, pdf_lines):
    # Long one-line prose paragraphs of the Markdown must come out as one line each.
    markdown = BUNDLE_MD.read_text(encoding="utf-8")
    paragraphs = [p for p in markdown.split("\n\n") if "\n" not in p.strip() and len(p) > 300
                  and not re.search(r"[*#<\[\t]", p) and not p.startswith("- ")]
    assert len(paragraphs) > 40
    whole = set(pdf_lines)
    found = sum(p.strip() in whole for p in paragraphs)
    assert found / len(paragraphs) >= 0.9, f"{found}/{len(paragraphs)}"
    text = "\n".join(page.text for page in bundle_pdf.pages)
    assert "\n\n" in text and "\n\n\n" not in text


def test_pdf_does_not_glue_suspended_compounds(bundle_pdf):
    text = squash(" ".join(page.text for page in bundle_pdf.pages))
    seed = strip_markdown(BUNDLE_MD.read_text(encoding="utf-8"))
    for phrase in ("helse- og omsorg", "data- og kunnskapsgrunnlag", "Blankson/HO21- sekretariatet"):
        assert text.count(phrase) == seed.count(phrase) > 0, phrase
    assert "helseog" not in text and "HO21sekretariatet" not in text


def test_pdf_tables_come_out_as_tab_separated_rows(pdf_lines):
    assert ("Til HelseOmsorg21-rådet\tSaksbehandler Henrietta Blankson/HO21- sekretariatet\t"
            "Vedlegg 1. Oversikt meldinger og strategier") in pdf_lines
    assert "Melding/strategi/NOU\tInnspill\tLansering\tHøring\tForslag videre oppfølging fra HO21-rådet" in pdf_lines
    assert "2025\t12\t11\t4\t2" in pdf_lines
    assert any(line.startswith("• ") for line in pdf_lines)


def test_pdf_sentence_survival(bundle_pdf):
    seed = strip_markdown(BUNDLE_MD.read_text(encoding="utf-8"))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"“(0-9])", seed) if len(s.split()) >= 6]
    assert len(sentences) > 400
    sample = [sentences[round(i * (len(sentences) - 1) / 199)] for i in range(200)]
    extracted = squash(" ".join(page.text for page in bundle_pdf.pages))
    survived = sum(sentence in extracted for sentence in sample)
    assert survived / len(sample) >= 0.97, f"{survived}/{len(sample)} setninger funnet"


def test_pdf_dehyphenation_is_conservative(tmp_path):
    pdf = unicode_pdf(unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 11)
    # right-aligned, so every line but the last looks full, as wrapped lines do
    lines = ["Rapporten om tilgang til data for forsk-", "ning ble lagt fram for helse-",
             "og omsorgstjenestene ved HO21-", "sekretariatet."]
    for k, line in enumerate(lines):
        pdf.set_xy(20, 30 + 6 * k)
        pdf.cell(w=170, h=6, text=line, align="R" if k < 3 else "L")
    path = tmp_path / "bindestrek.pdf"
    pdf.output(str(path))
    text = read_document(path).pages[0].text
    assert text == ("Rapporten om tilgang til data for forskning ble lagt fram for helse- og omsorgstjenestene "
                    "ved HO21- sekretariatet.")


# ---------------------------------------------------------------------------- Markdown and plain text


def test_markdown_bundle_is_kept_literally():
    doc = read_document(BUNDLE_MD)
    assert doc.format == "md"
    assert [page.number for page in doc.pages] == [None]
    text = doc.pages[0].text
    assert text == BUNDLE_MD.read_text(encoding="utf-8")
    for quirk in ("**Sak 7/1/2026****Tilgang til helsedata**", "# Sak 14/1/2026", "<b>Til</b> HelseOmsorg21-rådet\t",
                  "\n---\n", "## ***Når kapasitet ikke lenger bestemmes av antall hender***", "# Sak 21/2/2025"):
        assert quirk in text, quirk


def test_text_encodings_and_normalisation(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Rådsmøte på Tynset: æøå ÆØÅ\r\nneste linje".encode("latin-1"))
    assert read_document(latin).pages[0].text == "Rådsmøte på Tynset: æøå ÆØÅ\nneste linje"

    windows = tmp_path / "cp1252.md"
    windows.write_bytes("Helse – «omsorg» €".encode("cp1252"))
    assert read_document(windows).pages[0].text == "Helse – «omsorg» €"

    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Helse- og omsorg\r\n«sitat»\u00a0her og forsk\u00adning".encode("utf-16"))
    doc = read_document(utf16)
    assert doc.format == "txt" and doc.pages[0].text == "Helse- og omsorg\n«sitat» her og forskning"

    bom = tmp_path / "bom.md"
    bom.write_bytes("\ufeff# Overskrift\n\nRa\u030adet".encode("utf-8"))
    assert read_document(bom).pages[0].text == "# Overskrift\n\nRådet"


def test_form_feeds_split_text_into_numbered_pages(tmp_path):
    path = tmp_path / "sider.txt"
    path.write_text("side én\fside to\fside tre", encoding="utf-8")
    pages = read_document(path).pages
    assert [(p.number, p.text) for p in pages] == [(1, "side én"), (2, "side to"), (3, "side tre")]


# ---------------------------------------------------------------------------- HTML


def test_html_article_drops_chrome_and_finds_title_and_date():
    doc = read_document(ARTICLE_HTML)
    assert doc.format == "html"
    assert doc.title == "Rundesbordsserie om helsedata"
    assert doc.date == "2026-06-24"
    text = doc.pages[0].text
    assert text.startswith("# Rundesbordsserie om helsedata\n\nNorske helsedata er verdifulle bare når de blir brukt.")
    assert "Regelverk og personvern er også sentrale temaer i rundebordsmøtene." in text
    for chrome in ("Om rådet", "Møter og saksdokumenter", "Informasjonskapsler", "Forside", "dataLayer", "globale meldinger",
                   "font-family", "Søk"):
        assert chrome not in text, chrome
    assert "\n\n" in text


def test_html_structure_lists_tables_and_meta_date(tmp_path):
    path = tmp_path / "side.htm"
    path.write_text(
        "<html><head><title>Fra tittel</title><meta property='article:published_time' content='2025-12-15T10:00:00Z'>"
        "<style>p{}</style></head><body><nav>Meny</nav><main><h2>Del <em>én</em></h2><p>Første\n avsnitt.</p>"
        "<ul><li>punkt a</li><li>punkt b</li></ul><ol><li>først</li></ol><table><tr><th>Sak</th><th>Vedtak</th></tr>"
        "<tr><td>7/1/2026</td><td>Tas til orientering</td></tr></table><p>linje<br>brudd</p>"
        "<script>var x = 1;</script></main><footer>Bunn</footer></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.title == "Fra tittel" and doc.date == "2025-12-15"
    assert doc.pages[0].text == ("## Del én\n\nFørste avsnitt.\n\n- punkt a\n\n- punkt b\n\n1. først\n\n"
                                 "Sak\tVedtak\n7/1/2026\tTas til orientering\n\nlinje\nbrudd")


def test_html_deep_nesting_does_not_crash(tmp_path):
    path = tmp_path / "dyp.html"
    path.write_text("<html><body>" + "<div>" * 10_000 + "dypt inne" + "</div>" * 10_000 + "</body></html>",
                    encoding="utf-8")
    try:
        doc = read_document(path)
    except ReaderError as error:
        assert error.message
    else:
        assert "dypt inne" in doc.pages[0].text


# ---------------------------------------------------------------------------- DOCX


def test_docx_headings_paragraphs_and_tables(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.core_properties.title = "Notat om helsedata"
    document.add_heading("Bakgrunn", level=1)
    document.add_paragraph("Rådet ble i sak 7/1/2026 framlagt et utkast.")
    document.add_heading("Hovedpunkter", level=2)
    document.add_paragraph("Første punkt", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Sak", "Vedtak"
    table.cell(1, 0).text, table.cell(1, 1).text = "19/2/2026", "Rapporten publiseres"
    document.add_paragraph("Etter tabellen.")
    path = tmp_path / "notat.docx"
    document.save(path)

    doc = read_document(path)
    assert doc.format == "docx" and doc.title == "Notat om helsedata"
    assert [page.number for page in doc.pages] == [None]
    assert doc.pages[0].text == ("# Bakgrunn\n\nRådet ble i sak 7/1/2026 framlagt et utkast.\n\n## Hovedpunkter\n\n"
                                 "- Første punkt\n\nSak\tVedtak\n19/2/2026\tRapporten publiseres\n\nEtter tabellen.")


# ---------------------------------------------------------------------------- broken files


@pytest.mark.parametrize("name", ["tom.pdf", "tom.md", "tom.html", "tom.docx"])
def test_zero_byte_files_are_rejected(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(ReaderError, match=r"tom \(0 byte\)") as caught:
        read_document(path)
    assert caught.value.path == str(path)


def test_truncated_pdf_is_rejected(tmp_path):
    data = BUNDLE_PDF.read_bytes()
    path = tmp_path / "avkortet.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReaderError, match="ikke en gyldig PDF"):
        read_document(path)


def test_random_bytes_named_pdf_are_rejected(tmp_path):
    import random

    noise = bytes(random.Random(7).getrandbits(8) for _ in range(20_000))
    path = tmp_path / "tilfeldig.pdf"
    path.write_bytes(noise)
    with pytest.raises(ReaderError, match="ikke en gyldig PDF"):
        read_document(path)
    # a plausible header and trailer around garbage still fails cleanly
    path.write_bytes(b"%PDF-1.7\n" + noise + b"\n%%EOF\n")
    with pytest.raises(ReaderError, match="PDF"):
        read_document(path)


def test_encrypted_pdf_is_rejected(tmp_path):
    path = tmp_path / "kryptert.pdf"
    path.write_bytes(small_pdf("secret"))
    with pytest.raises(ReaderError, match="kryptert") as caught:
        read_document(path)
    assert caught.value.path == str(path)


def test_pdf_with_empty_user_password_opens(tmp_path):
    path = tmp_path / "eierpassord.pdf"
    path.write_bytes(small_pdf("eier", user_password=""))
    doc = read_document(path)
    assert doc.pages[0].text.startswith("HelseOmsorg21-rådet")


def test_unsupported_missing_and_fake_files(tmp_path):
    odd = tmp_path / "data.xyz"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(ReaderError, match=r"Filtypen \.xyz støttes ikke"):
        read_document(odd)
    with pytest.raises(ReaderError, match="finnes ikke"):
        read_document(tmp_path / "borte.pdf")
    fake = tmp_path / "falsk.docx"
    fake.write_text("ikke et Word-dokument", encoding="utf-8")
    with pytest.raises(ReaderError, match="Word-dokument"):
        read_document(fake)
    binary = tmp_path / "binær.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ReaderError, match="binær"):
        read_document(binary)
    assert set(SUPPORTED_SUFFIXES) >= {".pdf", ".md", ".markdown", ".txt", ".html", ".htm", ".docx"}
