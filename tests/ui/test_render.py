"""How answers become Markdown (OpenAI, export) and HTML with chips (web UI); the UI's modes."""
from __future__ import annotations

import re

from assistant.answer import Answer, Citation, RetrievedPassage
from ui.api.render import answer_with_sources, highlight, source_card_html, strip_sources, turn_html
from ui.web import steer

EVIL = "<script>alert('x')</script>"


def make_answer(lang: str = "nb") -> Answer:
    first = Citation(marker="[Sak 7/1/2026]", case="7/1/2026", document="Møtepapirer", doc_id="moter/papirer", title="Tilgang til helsedata",
                     meeting="1/2026", date="2026-01-14", page=31, quote="Rådet ber sekretariatet  følge opp saken.")
    second = Citation(marker="[Sak 7/1/2026, s. 32]", case="7/1/2026", document="Møtepapirer", doc_id="moter/papirer", title=EVIL,
                      meeting="1/2026", date=None, page=32, quote=f"Teksten {EVIL} står i arkivet.")
    passage = RetrievedPassage(chunk_id="c1", text="Vedtak\nRådet ber sekretariatet\nfølge opp saken. Mer tekst.", score=1.0, metadata={"doc_id": "moter/papirer"})
    text = f"**Vedtak:** «{first.quote}» [Sak 7/1/2026]\n«{second.quote}» [Sak 7/1/2026, s. 32]\nIgjen [Sak 7/1/2026]."
    return Answer(answer=text, citations=[first, second], language=lang, route="case_lookup", context=[passage])


def test_markdown_sources_list_and_history_stripping():
    answer = make_answer()
    text = answer_with_sources(answer)
    body, sources = text.split("\n\n**Kilder:**\n")
    assert body == answer.answer
    lines = sources.splitlines()
    assert lines[0] == "- [Sak 7/1/2026] Sak 7/1/2026 – Tilgang til helsedata (2026-01-14), s. 31: «Rådet ber sekretariatet følge opp saken.»"
    assert lines[1].startswith("- [Sak 7/1/2026, s. 32] Sak 7/1/2026 – ")
    assert strip_sources(text) == answer.answer
    english = answer_with_sources(make_answer("en"))
    assert "**Sources:**" in english and ", p. 31:" in english


def test_chips_replace_every_marker_and_html_is_escaped():
    html = turn_html(3, f"Spørsmål {EVIL}", make_answer())
    assert "<script>" not in html and "&lt;script&gt;" in html
    answer_part = html.split('<div class="answer-sources">')[0]
    assert answer_part.count('data-src="src-3-1"') == 2 and answer_part.count('data-src="src-3-2"') == 1
    visible = re.sub(r'(title|aria-label)="[^"]*"', "", answer_part.split('<div class="text answer">')[1])
    assert "[Sak" not in visible
    assert 'id="src-3-1" hidden' in html and 'id="src-3-2" hidden' in html


def test_source_card_highlights_the_quote_across_line_breaks():
    answer = make_answer()
    card = source_card_html(answer.citations[0], "nb", answer.context[0].text)
    assert "<mark>Rådet ber sekretariatet\nfølge opp saken.</mark>" in card
    assert 'href="/api/documents/moter/papirer#page=31"' in card
    assert "Side" in card and "1/2026 · 2026-01-14" in card
    missing = source_card_html(answer.citations[1], "en", None)
    assert "<mark>Teksten &lt;script&gt;" in missing and "Open the original document at page 32" in missing
    assert highlight("abc", "   ") is None and highlight("abc def", "def") == "abc <mark>def</mark>"


def test_modes_steer_the_question():
    assert steer("Hva er rådets mandat?", "ask") == "Hva er rådets mandat?"
    assert steer("helsedata", "decisions") == "Hva har rådet vedtatt om helsedata?"
    assert steer("Hva ble vedtatt i sak 7/1/2026?", "decisions") == "Hva ble vedtatt i sak 7/1/2026?"
    assert steer("Hva mener rådet om tilgang til helsedata?", "draft") == "Skriv et utkast til høringsinnspill om tilgang til helsedata."
    assert steer("What about access to health data?", "draft") == "Write a draft consultation response about access to health data."
    assert steer("Lag et utkast om helsedata", "draft") == "Lag et utkast om helsedata"


def test_quotes_and_titles_are_plain_text():
    from assistant.compose import CitationBook, plain_text

    assert plain_text("klima og CO<sub>2</sub> slipp") == "klima og CO₂ slipp"
    assert plain_text("Microdata.no<sup>3</sup> er") == "Microdata.no³ er"
    assert plain_text("<b>Til</b> rådet, **viktig** og *uthevet* [lenke](http://x.no) &amp; mer") == "Til rådet, viktig og uthevet lenke & mer"
    assert plain_text("5 < 7 og 8 > 3") == "5 < 7 og 8 > 3"
    book = CitationBook()
    meta = {"case": "7/1/2026", "part": "case_paper", "doc_id": "d", "document": "D", "case_title": "<b>Tittel</b>", "page_start": 31}
    first = book.cite("Første <sup>1</sup> sitat.", meta)
    second = book.cite("Andre sitat.", meta)
    third = book.cite("Tredje sitat.", {**meta, "page_start": 32})
    assert (first, second, third) == ("[Sak 7/1/2026, s. 31]", "[Sak 7/1/2026, s. 31 (2)]", "[Sak 7/1/2026, s. 32]")
    assert book.citations[0].quote == "Første ¹ sitat." and book.citations[0].title == "Tittel"
    pageless = {"part": "article", "doc_id": "nyhet", "document": "Rundebordsserie om helsedata og mye mer tekst i en lang tittel her"}
    assert book.cite("Et sitat.", pageless) == "[Rundebordsserie om helsedata og mye mer tekst …]"
    assert book.cite("Et annet sitat.", pageless) == "[Rundebordsserie om helsedata og mye mer tekst … (2)]"


def test_case_cards_show_full_text_or_a_clean_ellipsis_and_label_proposals():
    from ui.api.render import case_cards_html

    long = "Rådet ber sekretariatet " + "følge opp saken grundig og " * 15 + "slutt."
    html = case_cards_html([
        {"number": "7/1/2026", "title": "Tilgang", "meeting": "1/2026", "date": "2026-01-14", "decision": long, "proposal": "Forslag"},
        {"number": "19/2/2026", "title": f"Rapport {EVIL}", "meeting": "2/2026", "date": "2026-03-04", "decision": None, "proposal": "Rådet tar saken til orientering."},
    ])
    assert "<script>" not in html
    first, second = html.split('<li class="case-card"')[1:]
    summary = re.search(r"<summary>(.*?)</summary>", first).group(1)
    assert summary.endswith(" …") and long.startswith(summary[:-2]) and long in first  # cut at a word, full text on open
    assert "Vedtak:" in first and "Forslag til vedtak" not in first
    assert "Forslag til vedtak:" in second and "<details>" not in second and "Rådet tar saken til orientering." in second


def test_sources_without_pages_link_to_the_quoted_passage():
    from ui.api.render import document_url

    assert document_url("moter/papirer", 31, "Sitat") == "/api/documents/moter/papirer#page=31"
    url = document_url("nyhet", None, "Bedre og raskere tilgang til data er avgjørende dersom Norge skal være blant de mest attraktive landene")
    assert url == "/api/documents/nyhet#:~:text=Bedre%20og%20raskere%20tilgang%20til,de%20mest%20attraktive%20landene"
    assert document_url("nyhet", None, "Kort, sitat - med tegn & mer") == "/api/documents/nyhet#:~:text=Kort%2C%20sitat%20%2D%20med%20tegn%20%26%20mer"


def test_source_labels_beside_chips_are_record_and_page():
    from ui.api.render import display_label, sources_html

    assert display_label("[Sak 7/1/2026, s. 31 (2)]") == "Sak 7/1/2026, s. 31"
    assert display_label("[Årsrapport 2025, s. 84]") == "Årsrapport 2025, s. 84"
    html = sources_html(make_answer(), 1)
    assert "Sak 7/1/2026 – Tilgang til helsedata" in html and "Sak 7/1/2026, s. 32 – " in html
