"""The words the glossary (assistant/glossary.py) works with: English council and health vocabulary
with the Norwegian words the archive uses for it, and Nynorsk stems with their Bokmål spelling.

The English vocabulary is the archive's own frequent words with their ordinary English
translations, chosen from corpus/ alone and never from questions (evals/glossary_source.py says
how; assistant/glossary_en.tsv holds the list). A question's words decide nothing here.
"""
from __future__ import annotations

from pathlib import Path

GLOSSARY_FILE = Path(__file__).with_name("glossary_en.tsv")


def _read_glossary(path: Path = GLOSSARY_FILE) -> dict[str, tuple[str, ...]]:
    """English phrase → the Norwegian forms it stands for. In file order, so the first English
    phrase of a line is the one english_terms() gives for that line's Norwegian words."""
    glossary: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        norwegian, english = line.split("\t")
        forms = tuple(f.strip() for f in norwegian.split(",") if f.strip())
        # Hyphens read as spaces, as glossary.english_phrases reads the question ("long-term").
        for phrase in (e.strip().lower().replace("-", " ") for e in english.split(";")):
            if phrase:
                glossary[phrase] = tuple(dict.fromkeys(glossary.get(phrase, ()) + forms))
    return glossary


EN_TO_NB: dict[str, tuple[str, ...]] = _read_glossary()


# Nynorsk and Bokmål spell one word two ways; the archive is (almost all) Bokmål. A Nynorsk
# question's words are looked for in their Bokmål spelling too, by the two standards' regular
# correspondences, not by a list of questions' words:
# - stems that differ by a sound change (nn "teneste" / nb "tjeneste", "sjuk"/"syk", "høyr"/"hør",
#   "løys"/"løs", "handsam"/"behandl") or by the word itself ("sjølv"/"selv", "innspel"/"innspill");
# - inflection endings (nn -ar/-ane plural, -inga definite, -a past participle and definite
#   plural, -leg/-heit/-ande/-ast derivations) → their Bokmål endings.
NN_STEMS: dict[str, str] = {
    "sjølv": "selv", "innspel": "innspill", "utgreiing": "utredning", "utgrei": "utred", "meint": "ment",
    "tidleg": "tidlig", "seinare": "senere", "mogleg": "mulig", "halde": "holde", "heldt": "holdt",
    "kome": "komme", "kjem": "kommer", "fekk": "fikk", "leiar": "leder", "leie": "lede", "leier": "leder",
    "høyr": "hør", "forsking": "forskning", "forskar": "forsker", "teneste": "tjeneste", "tenest": "tjenest",
    "verksemd": "virksomhet", "sjuk": "syk", "løys": "løs", "føretak": "foretak", "handsam": "behandl",
    "sakshandsam": "saksbehandl", "tilråding": "anbefaling", "framlegg": "forslag", "styresmakt": "myndighet",
    "fylgj": "følg", "følgj": "følg", "ifølgje": "ifølge", "utval": "utvalg", "noko": "noe", "nokon": "noen",
    "berre": "bare", "eigen": "egen", "eigne": "egne", "vere": "være", "vore": "vært", "byrj": "begynn",
    "ynskj": "ønsk", "ønskj": "ønsk", "gjev": "gir", "seier": "sier", "skreiv": "skrev", "lese": "lest",
}
