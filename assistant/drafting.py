"""A draft a secretariat can work from: heading and recipient, the council's role, its earlier
positions and decisions, proposed points tied to a cited precedent — marked as a draft.

The extractive answerer writes no new claims, so every position and point is a quoted sentence
of the council's own record. What counts as the council's own is decided per sentence:
- a decision (the Vedtak section of the minutes);
- a sentence whose subject is the council ("Rådet mener …", "Flere av rådets medlemmer var
  opptatt av …");
- for proposed points also a normative sentence of an input the council itself sent
  ("Innspill til …", "Høringssvar …").
Never a question, a placeholder ("NN, NN, NN deltar …"), a table row, a news article or another
speaker's view ("Han understreket …", "ifølge FHI …", "informantene mener …").
"""
from __future__ import annotations

import re
from typing import Any

from assistant.answer import Answer
from assistant.compose import CitationBook, join_paragraphs, plain_text, quote_line
from assistant.evidence import Sentence
from assistant.passages import strip_bullet
from assistant.planning import source_key, spread_over_sources
from assistant.prompts import phrase

# How long a draft is (earlier positions, proposed points): a layout choice, hand-set, not fitted.
MAX_POSITIONS = 5
MAX_POINTS = 4
# The cases that hold the best evidence on the subject are shown as background even when none
# of their sentences is a council position: a draft on "scaling up health technology" must point
# to the working group's proposals on it. Not fitted: how many sources a draft's background
# lists, a length, not a relevance weight; the sources are those among the best-scoring few.
MAX_BACKGROUND = 2
BACKGROUND_SOURCES = 3

COUNCIL_STANCE = re.compile(
    r"\b(rådet|rådets medlemmer|rådsmedlemmene|flere av rådets medlemmer|medlemmene|helseomsorg21-rådet|ho21-rådet)\b.{0,60}?\b"
    r"(mener|mente|meinte|understrek\w*|ønsker|ønsket|anbefal\w*|er opptatt av|var opptatt av|påpek\w*|etterlys\w*|"
    r"uttrykte|vektlegg\w*|har lagt vekt|har fremmet|fremmet|peker på|pekte på|vil |vedtok|besluttet|bestemte|støtter|støttet|"
    r"har vedtatt|har levert|har gitt|ber |bør )|\bdet var enighet om\b",
    re.IGNORECASE,
)
# The council's own letters: what they say they say on the council's behalf.
OWN_INPUT_TITLE = re.compile(r"^(innspill|innspel|høringssvar|høringsinnspill|høyringsfråsegn|uttalelse|brev)\b", re.IGNORECASE)
NORMATIVE = re.compile(r"\b(bør|må|anbefal\w*|foreslå\w*|viktig|nødvendig|skal)\b", re.IGNORECASE)
# A prompt to the council to discuss something states no position.
DISCUSSION_PROMPT = re.compile(r"\brådet\s+(bes|inviteres|blir bedt)\b", re.IGNORECASE)
# "Rådet ber sekretariatet følge opp saken" is a decision, but says nothing a letter could use:
# such housekeeping decisions come last.
HOUSEKEEPING = re.compile(r"\b(ber|bes)\b.{0,30}\b(sekretariatet|arbeidsgruppen)\b.{0,30}\b(følge opp|oppdatere)\b", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\bNN\b|\bXX+\b|\.\.\.|…|\[\s*\]|_{3,}|\(\s*\)")
OTHERS_VIEW = re.compile(
    r"^(han|hun|hen|de|dei|ho)\b|\b(ifølge|i følge|etter\s+\w+s\s+syn|according to|informant\w*|intervjuobjekt\w*|søkerne|"
    r"presenterte|orienterte om|fortalte|uttalte|sa at|innledet|foreleste)\b|"
    r"^(?!(rådet|rådets|helseomsorg21-rådet|ho21-rådet|flere|medlemmene|rådsmedlemmene|vi)\b)([A-ZÆØÅ][\wæøåÆØÅ-]*|[A-ZÆØÅ]{2,})(\s+[\wæøåÆØÅ-]+){0,3}\s+(mener|mente|sier|sa|understreket|påpekte|foreslår|foreslo|anbefaler|ønsker)\b",
    re.IGNORECASE,
)


def draft_answer(interpretation, lang: str, sentences: list[Sentence], context) -> Answer:
    book = CitationBook()
    topic = interpretation.analysis.focus.draft_heading
    usable = [s for s in sentences if usable_sentence(s)]
    stated = [s for s in usable if is_position(s)]
    stated = [s for s in stated if not HOUSEKEEPING.search(s.text)] + [s for s in stated if HOUSEKEEPING.search(s.text)]
    positions = spread_over_sources(stated, MAX_POSITIONS)
    taken = {s.text for s in positions}
    points = spread_over_sources([s for s in usable if s.text not in taken and is_point(s)], MAX_POINTS)
    paragraphs = [
        f"**{phrase('draft_banner', lang)}**",
        f"**{phrase('draft_heading', lang, topic=topic)}**\n{phrase('draft_recipient', lang)}",
        f"**{phrase('draft_introduction', lang)}**\n" + phrase("draft_role_text", lang, topic=topic),
    ]
    lines = [f"- {_where(s.metadata, lang)}: {quote_line(_clean(s.text), book.cite(_clean(s.text), s.metadata))}" for s in positions]
    paragraphs.append(f"**{phrase('draft_prior_positions', lang)}**\n" + ("\n".join(lines) or phrase("draft_none_found", lang)))
    if points:
        lines = [
            f"{n}. {quote_line(_clean(s.text), book.cite(_clean(s.text), s.metadata))} {phrase('draft_precedent', lang, where=_where(s.metadata, lang))}"
            for n, s in enumerate(points, 1)
        ]
        paragraphs.append(f"**{phrase('draft_points', lang)}**\n" + "\n".join(lines))
    background = _background(usable, {source_key(s) for s in positions + points})
    if background:
        lines = [f"- {_where(s.metadata, lang)}: {quote_line(_clean(s.text), book.cite(_clean(s.text), s.metadata))}" for s in background]
        paragraphs.append(f"**{phrase('draft_background', lang)}**\n" + "\n".join(lines))
    # One source list: the renderers (UI, Markdown, Word footnotes) list the citations once.
    return Answer(answer=join_paragraphs(paragraphs), citations=book.citations, language=lang, route="drafting", context=context)


def _background(usable: list[Sentence], cited: set[str]) -> list[Sentence]:
    """The best sentence of each of the best-scoring sources (BACKGROUND_SOURCES of them) that the
    positions and points do not cite, at most MAX_BACKGROUND: the evidence the draft rests on."""
    best: dict[str, Sentence] = {}
    for sentence in usable:  # scored best first
        best.setdefault(source_key(sentence), sentence)
    leading = list(best)[:BACKGROUND_SOURCES]
    return [best[key] for key in leading if key not in cited][:MAX_BACKGROUND]


def _clean(text: str) -> str:
    return plain_text(strip_bullet(text)).strip()


def usable_sentence(sentence: Sentence) -> bool:
    meta = sentence.metadata
    text = _clean(sentence.text)
    if meta.get("part") in ("front_matter", "agenda", "article") or meta.get("section_kind") == "felter":
        return False
    return len(text) > 40 and "\t" not in text and not own_view_excluded(text)


def own_view_excluded(text: str) -> bool:
    """A question, a placeholder, a discussion prompt or someone else's view: never the council's position."""
    return "?" in text or bool(PLACEHOLDER.search(text) or DISCUSSION_PROMPT.search(text) or OTHERS_VIEW.search(text))


def is_position(sentence: Sentence) -> bool:
    meta = sentence.metadata
    return meta.get("section_kind") == "vedtak" or bool(COUNCIL_STANCE.search(sentence.text))


def is_point(sentence: Sentence) -> bool:
    """A recommendation the council made: in an input it sent, or as a stated position. (A
    report's attachment also carries informants' and presenters' views, so it does not count.)"""
    meta = sentence.metadata
    own_input = meta.get("part") == "attachment" and OWN_INPUT_TITLE.match(meta.get("part_title") or "")
    return bool(NORMATIVE.search(sentence.text)) and bool(own_input or is_position(sentence))


def _where(meta: dict[str, Any], lang: str) -> str:
    """Where a sentence stands: the case and its title, or the document."""
    title = meta.get("part_title") if meta.get("part") == "attachment" else meta.get("case_title")
    if meta.get("case"):
        label = f"{phrase('heading_case', lang)} {meta['case']}"
        return f"{label} ({title}, {meta['date']})" if title and meta.get("date") else f"{label} ({title})" if title else label
    return meta.get("document") or meta.get("doc_id", "")
