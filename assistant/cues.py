"""What kind of sentence answers what kind of question: the surface cues of a number, a date, a
name, a stated view or a criticism (the question words that ask for each are read by the analysis,
assistant/answer_types.py).
"""
from __future__ import annotations

import re

POSITION_CUES = re.compile(
    r"\b(rådet|rådets medlemmer|rådsmedlemmer|flere av rådets|medlemmene)\b.{0,60}\b(mener|meinte|mente|understrek\w*|ønsker|ønsket|anbefal\w*|"
    r"er opptatt av|var opptatt av|påpek\w*|etterlys\w*|uttryk\w*|vektlegg\w*|lagt vekt|fremme\w*|peker|pekte|ber |bes |vil |velger|valgte|vedtok|besluttet|bestemte)|"
    r"\b(det ble (også )?(diskutert|etterlyst|pekt på|fremhevet|stilt spørsmål))|\bbør\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d")
_MONTH = r"(januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)"
# A full date ("12. august", "1.3.2027", "mars 2027", "innen …") answers "når"; a bare year hardly does.
DATE_CUE = re.compile(r"\b(\d{1,2}\.\s*" + _MONTH + r"|\d{1,2}\.\d{1,2}\.\d{2,4}|" + _MONTH + r"\s+\d{4}|innen|frist|kl\.\s*\d)", re.IGNORECASE)
YEAR_CUE = re.compile(r"\b(19|20)\d{2}\b")
# A sentence that finds fault answers a question about weaknesses (answer_types.CRITIQUE_QUESTION).
CRITIQUE_CUE = re.compile(
    r"\b(i for liten grad|for (lite|liten|dårlig|svak\w*|sein\w*|sen\w*|smal\w*|uklar\w*)|mangl\w*|svak\w*|ikke godt? nok|ikkje godt? nok|"
    r"utilstrekkel\w*|kritis\w*|bekymr\w*|uheldig\w*)\b", re.IGNORECASE)
NAME_CUE = re.compile(r"\b[A-ZÆØÅ][a-zæøåé]+(?:\s+[A-ZÆØÅ][a-zæøåé]+)+\b")
# Summaries of a period (annual reports) restate what the cases themselves record: a question
# asks for one by these words (answer_types.evidence_cues), a passage is one by its title.
SUMMARY_SOURCE = re.compile(r"\b(årsrapport\w*|årsmelding\w*|annual report)", re.IGNORECASE)
BULLET = re.compile(r"^\s*(?:[-•▪–]|\d{1,2}[.)])\s+")


def has_count(text: str) -> bool:
    """A number that counts something ("90 personer", "10 mill."), not a date, year or clock time."""
    stripped = re.sub(r"\bkl\.?\s*[\d.:–-]+", " ", text)  # clock times first: DATE_CUE knows "kl. 9" only
    stripped = DATE_CUE.sub(" ", stripped)
    stripped = re.sub(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b|\b(19|20)\d{2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{4}\b", " ", stripped)
    return bool(re.search(r"(?<!\w)\d", stripped))  # "HelseOmsorg21" names, not counts
