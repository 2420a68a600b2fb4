"""The archive is Norwegian (Bokmål); questions come in Bokmål, Nynorsk and English.

- English: the dense embedder is multilingual, but BM25 and the evidence scorer match words, so
  an English question gets the Norwegian words for the council vocabulary it uses appended
  (`expand_query`), and the English lead above Norwegian quotes gives a Norwegian council word
  in English (`english_terms`). The vocabulary (assistant/glossary_terms.py) is the field's
  general vocabulary, not a dictionary and not the words of particular questions.
- Nynorsk: a Nynorsk word is found in its Bokmål spelling by the two standards' regular
  correspondences (`bokmal_variants`): stems, endings, vowels.
- Bokmål: one thing said two ways (an abbreviation and its words, a split verb and its compound).

Which of these a search text uses is read by the analysis (assistant/search_words.py, through
QuestionAnalysis.search_words); this module only consumes that reading.
"""
from __future__ import annotations

import re

from assistant.glossary_terms import EN_TO_NB, NN_STEMS
from assistant.search_words import SearchWords, english_phrases  # noqa: F401  (english_phrases: english_lead reads it here)


def _stem_applies(nynorsk: str, word: str) -> bool:
    """A long stem anywhere in a compound; a short one only where the word starts, since inside
    a longer word it is mostly a different word ("leie" in "tilleie")."""
    return word.startswith(nynorsk) if len(nynorsk) < 5 else nynorsk in word
_NN_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("arane", ("erne", "ene")), ("arar", ("ere",)), ("ingane", ("ingene",)), ("inga", ("ingen", "ing")),
    ("legare", ("ligere",)), ("lege", ("lige",)), ("leg", ("lig",)), ("heiter", ("heter",)), ("heita", ("heten",)), ("heit", ("het",)),
    ("ande", ("ende",)), ("ast", ("es",)), ("ane", ("ene",)), ("ar", ("er",)), ("a", ("et", "en", "ene", "e")),
)


def bokmal_variants(word: str) -> set[str]:
    """The Bokmål spellings a Nynorsk word may have (empty when no correspondence applies)."""
    word = word.lower()
    stems = {word}
    for nynorsk, bokmal in NN_STEMS.items():
        if _stem_applies(nynorsk, word):
            stems.add(word.replace(nynorsk, bokmal, 1))
    variants = set(stems)
    for stem in stems:
        for ending, replacements in _NN_ENDINGS:
            if stem.endswith(ending) and len(stem) - len(ending) >= 3:
                variants.update(stem[: -len(ending)] + r for r in replacements)
                break
    variants.discard(word)
    return variants


def english_terms(word: str) -> str:
    """The English for a Norwegian council word the glossary knows ("personvern" → "privacy";
    inflected forms too: "arbeidsgruppen"), or "" when it knows none."""
    word = word.lower().strip(".,;:!?«»()\"'")
    if word in NB_TO_EN:
        return NB_TO_EN[word]
    for ending in ("ene", "en", "et", "er", "a", "e", "s"):
        if word.endswith(ending) and word[: -len(ending)] in NB_TO_EN:
            return NB_TO_EN[word[: -len(ending)]]
    return ""


# Norwegian joins a compound's parts directly or with a linking "s" or "e" ("utvikling-s-partner",
# "rundebord-s-møte"). The parts' length floor keeps a split from reading a short word into a
# compound's letters (not fitted: below four letters most "parts" are chance strings).
_LINKS = ("s", "e", "")
_MIN_PART = 4
_DERIVATIONS = ("else", "ing", "het", "skap", "lig", "sjon", "ering", "isk", "itet", "iser")
# Where a Norwegian word starts: a vowel, or a consonant before a vowel or in a cluster the
# language opens words with. A remainder that starts otherwise ("sflyt" of "arbeid|sflyt") has a
# linking letter or a piece of the first part at its front.
_ONSET = re.compile(r"(?:[aeiouyæøå]|skj|skr|spr|str|[bcdfghjklmnpqrstvwxz][aeiouyæøå]|"
                    r"(?:bl|br|dr|fl|fr|gl|gr|kl|kn|kr|kv|pl|pr|sk|sl|sm|sn|sp|st|sv|tr|tv|vr|hv|dv|gn|[bfgkpstdhm]j))")


def _plausible_head(head: str) -> bool:
    """Whether a half-known compound's remainder can be a Norwegian word as split: not a stray
    linking letter in front ("arbeid|sflyt"), not one or two letters before a derivational ending
    ("deltak|else" split as "delta|kelse")."""
    if not _ONSET.match(head):
        return False
    return not any(0 < head.find(ending) <= 2 for ending in _DERIVATIONS)


def english_compound(word: str) -> tuple[str, bool]:
    """A compound's English from its parts, Norwegian head last as English has it:
    "utviklingspartnerskap" → ("development partnership", True). When only the first part is
    known, the head stays Norwegian in italics ("utviklingspartner" → ("development *partner*",
    False)): the reader gets what is known and sees the rest as the quote writes it.
    ("", False) when no split has a known first part."""
    word = word.lower().strip(".,;:!?«»()\"'")
    known = english_terms(word)
    if known:
        return known, True
    partial = ""
    # The longest head first: "helsedatautfordringene" is "helsedata" + "utfordringene".
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        left, head = word[:cut], word[cut:]
        head_english = english_terms(head) or english_compound_head(head)
        for link in _LINKS:
            if link and not left.endswith(link):
                continue
            # A first part is a bare stem (compounds do not inflect it), so it is looked up as is.
            modifier = NB_TO_EN.get(left[: len(left) - len(link)], "") if len(left) - len(link) >= _MIN_PART else ""
            if not modifier:
                continue
            if head_english:
                return f"{modifier} {head_english}", True
            # Kept half-known only when both parts have five letters or more: a shorter word turns
            # up inside longer ones by chance ("land" in "landsdekkende"), and a short remainder is
            # mostly a linking letter and a piece of a word ("forskning" + "sråd", "innlegge" + "lses").
            # A remainder that opens with a derivational ending is no head: the word is a
            # derivation of the first part ("innlegg" + "elses" is "innleggelse", not a talk).
            if (len(left) - len(link) > _MIN_PART and len(head) > _MIN_PART and re.fullmatch(r"[a-zæøå]+", head)
                    and not head.startswith(_DERIVATIONS) and _plausible_head(head)):
                partial = f"{modifier} *{head}*"
    return partial, False


def english_compound_head(head: str) -> str:
    """A head that is itself a compound of two known words ("helsedata" + "forvaltning")."""
    for cut in range(_MIN_PART, len(head) - _MIN_PART + 1):
        for link in _LINKS:
            left = head[:cut]
            if link and not left.endswith(link):
                continue
            stem = left[: len(left) - len(link)]
            if len(stem) >= _MIN_PART and stem in NB_TO_EN and english_terms(head[cut:]):
                return f"{NB_TO_EN[stem]} {english_terms(head[cut:])}"
    return ""


def _inverse() -> dict[str, str]:
    inverse: dict[str, str] = {}
    for english, norwegian in EN_TO_NB.items():
        for word in norwegian:
            # Single words only: a phrase's words ("kunstig" in "kunstig intelligens") are not it.
            if len(word) >= 4 and " " not in word:
                inverse.setdefault(word.lower(), english)
    return inverse


NB_TO_EN = _inverse()


def expand_query(words: SearchWords, vocabulary: set[str] | None = None) -> str:
    """The search text (as the analysis read it, QuestionAnalysis.search_words) plus the
    archive's Norwegian words for the English council terms it uses; for Bokmål and Nynorsk, the
    other way Norwegian says what it says, and for Nynorsk the Bokmål spellings of its words
    (those the archive uses, given its `vocabulary` of lower-case words)."""
    if words.lang != "en":
        expanded = _joined(words.text, words.variants)
        if words.lang == "nn":
            expanded = _with_bokmal_stems(expanded, words.nynorsk, vocabulary)
        return expanded
    return _joined(words.text, words.norwegian)


def _joined(text: str, added) -> str:
    return f"{text} {' '.join(added)}" if added else text


def archive_words(words: SearchWords) -> str | None:
    """The words of a question that the Norwegian archive can share with it, for weighing how
    much of a question a passage covers (reranking.idf_coverage). None for Bokmål and Nynorsk:
    every word. For English: the glossary's Norwegian words for its council terms, and the names
    and figures it writes (a capitalised word not opening a sentence, a word with a digit or a
    Norwegian letter). Its ordinary English words are left out: the archive uses them only in
    reference lists and English titles, where they are rare and would weigh the most ("health
    data leader digital" in a report's footnote outweighed the passage that answers)."""
    if words.lang != "en":
        return None
    return " ".join(words.shared + words.norwegian)


def _with_bokmal_stems(text: str, nynorsk_words: tuple[str, ...], vocabulary: set[str] | None) -> str:
    """A Nynorsk word the archive never uses, in the Bokmål spellings it does use; without the
    archive's vocabulary, only the stem correspondences (endings alone are for the stemmer, which
    already folds most Nynorsk endings)."""
    added: list[str] = []
    for word in nynorsk_words:
        if vocabulary is not None:
            if word not in vocabulary:
                added.extend(sorted(v for v in _loose_variants(word) if v in vocabulary))
            continue
        for nynorsk, bokmal in NN_STEMS.items():
            if _stem_applies(nynorsk, word):
                added.append(word.replace(nynorsk, bokmal, 1))
                break
    return f"{text} {' '.join(dict.fromkeys(added))}" if added else text


# Vowel correspondences (nn "verkar"/nb "virker", "meint"/"ment", "høyre"/"høre", "auke"/"øke")
# and the Bokmål plural a Nynorsk neuter noun does without ("prosjekt" → "prosjekter"). Too
# loose to trust alone: they count only where the archive uses the word they produce.
_NN_SOUNDS = (("verk", "virk"), ("ei", "e"), ("øy", "ø"), ("au", "ø"))
_BOKMAL_ENDINGS = ("er", "ene", "et", "en")


def _loose_variants(word: str) -> set[str]:
    forms = {word} | bokmal_variants(word)
    for nynorsk, bokmal in _NN_SOUNDS:
        forms |= {f.replace(nynorsk, bokmal, 1) for f in forms if nynorsk in f}
    forms |= {f + ending for f in list(forms) for ending in _BOKMAL_ENDINGS}
    forms |= {v for f in list(forms) for v in bokmal_variants(f)}
    forms.discard(word)
    return forms
