"""The words the assistant reads questions with, in one place: month names, decision words, question
words in their Bokmål, Nynorsk and English spellings, and stop words.

Only the question reading (assistant/analysis.py and its helpers in assistant/reading.py) and
the answer framing use these; a module that needs to know whether a question asks about a
decision reads `QuestionAnalysis.asks.decision`, it does not match DECISION_WORDS itself.
Month names extend ingest's (ingest/dates.py), which read dates in the documents.
"""
from __future__ import annotations

import re

from ingest.dates import MONTHS as _DOCUMENT_MONTHS

# Month names a question uses, Norwegian (as the documents write them) and English. Abbreviations
# ("okt", "des") are left to the documents: in a question "mar", "jan" or "des" are names or words.
_FULL_NAMES = {
    name: number for name, number in _DOCUMENT_MONTHS.items()
    if not any(other != name and other.startswith(name) for other in _DOCUMENT_MONTHS)  # not "okt"
}
MONTHS: dict[str, int] = {
    **_FULL_NAMES,
    "january": 1, "february": 2, "march": 3, "june": 6, "july": 7, "october": 10, "december": 12,
}
NORWEGIAN_MONTHS = "|".join(_FULL_NAMES)
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

# A decision was taken: the verbs and nouns in nb, nn and en.
DECISION_WORDS = re.compile(
    # Every tense of the verbs and their nouns (bestemme/bestemte/bestemde, beslutning, konklusjon,
    # avgjørelse/avgjerd): "Hva bestemte rådet …" asks for a decision as "Hva vedtok rådet …" does.
    r"\b(vedtatt|vedteke|vedtok|vedtak(ene)?|bestem(me|te|de|t)|beslutt(e|et|a|ar)|beslutning(en|er|ene)?|"
    r"konklu(der\w*|sjon(en|er|ar|ane|ene)?)|avgj(ort|orde|ørelse(n|r)?|erd(a|er)?)|"
    r"decided|decisions?|resolved?|resolutions?|concluded|conclusions?)\b",
    re.IGNORECASE,
)
DECIDED = r"(?:vedtatt|vedteke|vedtok|bestemt|besluttet|decided|resolved)"

# Question words, each with its Nynorsk spelling(s) beside the Bokmål one, then English.
WHO = r"(?:hvem|kven|who)"
WHAT = r"(?:hva|kva|what)"
WHICH = r"(?:hvilke|hvilken|hvilket|kva for|which)"
HOW = r"(?:hvordan|korleis|how)"
WHY = r"(?:hvorfor|kvifor|why)"
WHEN = r"(?:når|kva tid|kor tid|when)"
HOW_MANY = r"(?:hvor mange|kor mange|how many)"
WH_WORDS = r"(?:hva|hvor|hvem|hvilke|hvilken|når|hvordan|hvorfor|kva|kor|kven|korleis|kvifor|what|how|who|when|which|why)"

# Words for a meeting, including the council's compound ("rådsmøtet").
MEETING = r"(?:råds)?(?:møte\w*|meeting)"

# Words that carry no topic: question words, auxiliaries, pronouns, prepositions and the
# council's own name. A question's focus terms are its other words.
STOP_WORDS = frozenset(
    """
    og men så samt enn da nå også hva kva hvem kven hvor kor hvordan korleis hvorfor kvifor når
    hvilke hvilken hvilket mange mye mykje lenge ofte er var ble blei vart blir har hadde kan skal
    vil ville det den de dei dette denne disse desse han hun ho hen seg sin sitt sine i på av om til
    for med fra frå mer meir noe noko noen nokon annet anna andre ellers ikke ikkje ja nei vel jo
    bare berre som et en ei eit at sak saken saka møte møtet rådet rådets the a an and but so also
    what who whom whose where when why how which many much long often is are was were be been did
    do does has have had can could will would it its this that these those he she they them his
    her their of in on at to for with from more else other another anything something any some
    not no yes just then there council case meeting
    """.split()
)
