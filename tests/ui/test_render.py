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
