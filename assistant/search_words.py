"""How the analysis reads the words a search text shares with the archive (QuestionAnalysis.search_words).

The glossary (assistant/glossary.py) adds the archive's words to a search text: the Norwegian
words for an English question's council terms, the other way Norwegian says a thing, the Bokmål
spelling of a Nynorsk word. What it adds is read here, once per search text and language, and
the glossary only consumes the reading (`SearchWords`). The search text is the question or a
draft's subject, for a follow-up with its referent, or with a referent case's title
(assistant/extractive.py), so it is read as given, not as the question alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.glossary_terms import EN_TO_NB

_PATTERNS = sorted(EN_TO_NB, key=len, reverse=True)

# Norwegian says one thing two ways: an abbreviation and its words, "på nett" and "digitalt".
NB_VARIANTS: dict[str, str] = {
    "ki": "kunstig intelligens",
    "kunstig intelligens": "KI",
    "på nett": "digitalt digital",
    "digitalt": "på nett",
    "hds": "Helsedataservice",
    "fhi": "Folkehelseinstituttet",
    "hod": "Helse- og omsorgsdepartementet",
    "ks": "kommunesektorens organisasjon",
}
_NB_PATTERNS = sorted(NB_VARIANTS, key=len, reverse=True)
# A split verb and its compound are the same word to a reader: "meldt seg på" = "påmeldt",
# "satt ned" = "nedsatt", "tatt opp" = "opptatt".
_PARTICLE_VERB = re.compile(
    r"\b(?:har|hadde|ble|blitt|blir|er|var|vart|vore|vært|være)\s+([a-zæøå]{3,})\s+(?:seg\s+|meg\s+|dei\s+|de\s+)?(på|av|inn|ut|opp|med|til|fra|frå|ned|over|fram|frem)\b", re.IGNORECASE
)
# "meldt", "tatt", "lagt", "vurdert" – not the definite nouns "seminaret", "møtet".
_PARTICIPLE = re.compile(r"(?:[^e]t|dd)$")
# Names and figures an English text shares with the Norwegian archive: a capitalised word that
# does not open a sentence, a word with a digit or a Norwegian letter.
_SHARED_WORD = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-ZÆØÅ][\w-]*|[\w-]*\d[\w-]*|[\w-]*[æøåÆØÅ][\w-]*)")
# The words of a Nynorsk text the glossary looks up in their Bokmål spellings.
_NYNORSK_WORD = re.compile(r"[a-zæøå]{4,}")


@dataclass(frozen=True)
class SearchWords:
    """A search text and, for its language, what the glossary adds to it."""

    text: str
    lang: str
    # English: the archive's Norwegian words for the council terms it uses, and its names and figures.
    norwegian: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    # Bokmål and Nynorsk: the other way Norwegian says what it says (NB_VARIANTS, particle verbs).
    variants: tuple[str, ...] = ()
    # Nynorsk: the words (of the text with its variants) of four letters or more, lowercased.
    nynorsk: tuple[str, ...] = ()


# expand_query and archive_words read the same search text for each search: it is read once (a
# size, not a weight).
@lru_cache(maxsize=256)
def search_words(text: str, lang: str) -> SearchWords:
    if lang == "en":
        norwegian = tuple(word for phrase in english_phrases(text) for word in EN_TO_NB[phrase])
        return SearchWords(text, lang, norwegian=norwegian, shared=tuple(_SHARED_WORD.findall(text.strip())))
    variants = _norwegian_variants(text)
    nynorsk = ()
    if lang == "nn":
        expanded = f"{text} {' '.join(variants)}" if variants else text
        nynorsk = tuple(_NYNORSK_WORD.findall(expanded.lower()))
    return SearchWords(text, lang, variants=variants, nynorsk=nynorsk)


def english_phrases(text: str) -> list[str]:
    """The glossary's English phrases in the text, longest first, each word counted once."""
    lowered = text.lower().replace("-", " ")  # "operating-theatre" is "operating theatre"
    found: list[str] = []
    for phrase in _PATTERNS:
        # An English plural ("roundtables", "sectors") is the same council term.
        pattern = r"\b" + re.escape(phrase) + r"(?:s|es)?\b"
        if re.search(pattern, lowered):
            found.append(phrase)
            lowered = re.sub(pattern, " ", lowered)
    return found


def _norwegian_variants(text: str) -> tuple[str, ...]:
    lowered = text.lower()
    added: list[str] = []
    for phrase in _NB_PATTERNS:
        if re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?!\w)", lowered):
            added.append(NB_VARIANTS[phrase])
    for match in _PARTICLE_VERB.finditer(text):
        verb, particle = match.group(1).lower(), match.group(2).lower()
        if _PARTICIPLE.search(verb):  # participles compound ("påmeldt"); finite verbs rarely do
            added.append(particle + verb)
    return tuple(added)
