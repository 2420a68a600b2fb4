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
# Abbreviations that introduce what follows and so never end a sentence, even before a capital
# ("jf. Sak 7/1/2026", "t.o.m. Sak 10/1/2026"); punkt alone splits there when the next word is a
# common sentence starter. ("osv.", "mv.", "m.fl." often do end a sentence and are not here.)
NON_FINAL_ABBREVIATIONS = {
    "bl.a", "f.eks", "jf", "jfr", "nr", "mht", "ev", "evt", "pkt", "kl", "t.o.m", "f.o.m", "iht",
    "i.h.t", "inkl", "ekskl", "ca", "dvs", "ref", "pga", "p.g.a", "vedr", "kap", "ifm", "i.f.m",
    "mtp", "hhv", "tlf", "prof", "dr", "ila", "bl.annet", "gj.sn",
}


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
        bullet = _BULLET.match(line)
        marker = bullet.group(0) if bullet else ""
        pieces = _rejoin_abbreviations([piece.strip() for piece in _tokenizer().tokenize(line[len(marker):]) if piece.strip()])
        pieces = _merge_fragments(pieces)
        if not pieces:
            sentences.append(line)
            continue
        if marker:
            # The item's marker ("1.", "-", "•") stays with its text; an item never joins the line before.
            sentences.append(marker + pieces[0])
        elif sentences and _is_fragment(pieces[0]):
            sentences[-1] = f"{sentences[-1]} {pieces[0]}"  # a line that continues the one before
        else:
            sentences.append(pieces[0])
        sentences.extend(pieces[1:])
    return sentences


def _ends_with_non_final_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(None, 1)[-1]
    return last.endswith(".") and last.rstrip(".").lstrip("(«\"").lower() in NON_FINAL_ABBREVIATIONS


def _rejoin_abbreviations(pieces: list[str]) -> list[str]:
    joined: list[str] = []
    for piece in pieces:
        if joined and _ends_with_non_final_abbreviation(joined[-1]):
            joined[-1] = f"{joined[-1]} {piece}"
        else:
            joined.append(piece)
    return joined


def _is_fragment(sentence: str) -> bool:
    return len(sentence) <= 3 or bool(re.fullmatch(r"\d{1,4}[.)]?", sentence)) or sentence[0].islower()


def _merge_fragments(sentences: list[str]) -> list[str]:
    """Re-attach pieces punkt cut off wrongly, such as a lone "1." or a date's trailing year."""
    merged: list[str] = []
    for sentence in sentences:
        if merged and _is_fragment(sentence):
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
