"""Norwegian sentence splitting: NLTK's Norwegian punkt (shipped inside llama-index) plus the
abbreviations council papers use, so "bl.a.", "f.eks." and "jf." never end a sentence."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# Lower-case, without the final period, as punkt stores them.
NORWEGIAN_ABBREVIATIONS = {
    "bl.a", "f.eks", "jf", "nr", "mht", "ev", "evt", "pkt", "kl", "ca", "dvs", "mv", "m.v", "osv",
    "iht", "i.h.t", "inkl", "ekskl", "t.o.m", "f.o.m", "ref", "pga", "p.g.a", "mill", "mrd", "kr",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "des", "ila",
    "etc", "vs", "prof", "dr", "st", "ifm", "i.f.m", "mtp", "m.m", "o.l", "e.l", "p.t", "bl.annet",
    "s", "ff", "tlf", "adm", "dir", "avd", "red", "vedr", "ant", "div", "forts", "gj.sn", "hhv",
    "jfr", "kap", "mnd", "pr", "sek", "spm", "stk", "utg", "vol", "årg", "o.a", "m.fl", "bl.a.",
}


def _punkt_dir() -> Path:
    import llama_index.core

    return Path(llama_index.core.__file__).parent / "_static" / "nltk_cache" / "tokenizers" / "punkt_tab" / "norwegian"


@lru_cache(maxsize=1)
def _tokenizer():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    folder = _punkt_dir()
    params = PunktParameters()
    # punkt_tab's plain-text parameter files, read directly so nothing consults NLTK's data path.
    params.abbrev_types = set(_read_lines(folder / "abbrev_types.txt"))
    params.collocations = {tuple(line.split(" ", 1)) for line in _read_lines(folder / "collocations.tab") if " " in line}
    params.sent_starters = set(_read_lines(folder / "sent_starters.txt"))
    for line in _read_lines(folder / "ortho_context.tab"):
        word, _, value = line.partition("\t")
        if value.isdigit():
            params.ortho_context[word] = int(value)
    params.abbrev_types |= NORWEGIAN_ABBREVIATIONS
    return PunktSentenceTokenizer(params)


def _read_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


_BULLET = re.compile(r"^\s*(?:[-•*▪–]\s+|\d{1,2}[.)]\s+)")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph text; list items and table rows are sentences of their own."""
    sentences: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if "\t" in line:
            sentences.append(line)
            continue
        for sentence in _tokenizer().tokenize(line):
            sentence = sentence.strip()
            if sentence:
                sentences.append(sentence)
    return _merge_fragments(sentences)


def _merge_fragments(sentences: list[str]) -> list[str]:
    """Re-attach pieces punkt cut off wrongly, such as a lone "1." or a date's trailing year."""
    merged: list[str] = []
    for sentence in sentences:
        if merged and (len(sentence) <= 3 or re.fullmatch(r"\d{1,4}[.)]?", sentence) or sentence[0].islower() and not _BULLET.match(sentence)):
            merged[-1] = f"{merged[-1]} {sentence}"
        else:
            merged.append(sentence)
    return merged


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in text, for highlighting quotes."""
    spans = []
    cursor = 0
    for sentence in split_sentences(text):
        head = sentence[: min(len(sentence), 30)]
        start = text.find(head, cursor)
        if start < 0:
            continue
        spans.append((start, start + len(sentence)))
        cursor = start + len(sentence)
    return spans
