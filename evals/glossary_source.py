"""Where the English glossary's Norwegian words come from: the archive's own frequent words.

The glossary (assistant/glossary_terms.py) gives an English question the Norwegian words the
archive uses. Which Norwegian words it covers is decided here, from corpus/ alone, never from
questions: every content word (Bokmål stop words, numbers and words under four letters left out)
is grouped by its BM25 stem, and a stem is a candidate when it occurs in at least
`MIN_PARAGRAPHS` paragraphs of the archive's documents. Two-word phrases (neither word a stop
word) are candidates by the same count. The English beside each candidate is its ordinary
dictionary translation, written by hand; a candidate without a stable English equivalent
(a name, a word used in many senses) is left out.

    python -m evals.glossary_source [--min N]     # the candidates, most frequent first

tests/assistant/test_glossary_terms.py checks that every Norwegian word in the glossary is a
candidate, so the glossary cannot grow words that the archive does not use often.
"""
from __future__ import annotations

import argparse
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from ingest.readers import read_document
from ingest.store.lexical import STOPWORDS, _stem

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# A word a reader of the archive meets again and again: in 5 or more of its ~720 paragraphs.
# Not fitted (nothing to fit it on without the questions it must stay independent of); chosen so
# the candidate list is the five hundred words a translator can go through by hand.
MIN_PARAGRAPHS = 5
_WORD = re.compile(r"[a-zæøåé]+")


def paragraphs(corpus: Path = CORPUS) -> list[str]:
    """The archive's paragraphs: its text documents (the PDF is the same text as the Markdown)."""
    found: list[str] = []
    for path in sorted(corpus.iterdir()):
        if path.suffix.lower() not in (".md", ".html") or path.name == "README.md":
            continue
        for page in read_document(path).pages:
            found += [p for p in re.split(r"\n\s*\n", page.text) if p.strip()]
    return found


def _content(word: str) -> bool:
    return len(word) >= 4 and word not in STOPWORDS


@lru_cache(maxsize=4)
def candidates(min_paragraphs: int = MIN_PARAGRAPHS, corpus: Path = CORPUS) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Stem (or "stem stem" phrase) → (paragraphs it occurs in, its surface forms, most used first)."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for paragraph in paragraphs(corpus):
        words = _WORD.findall(paragraph.lower())
        seen: set[str] = set()
        for position, word in enumerate(words):
            if not _content(word):
                continue
            keys = [(_stem(word), word)]
            following = words[position + 1] if position + 1 < len(words) else ""
            if _content(following):
                keys.append((f"{_stem(word)} {_stem(following)}", f"{word} {following}"))
            for key, form in keys:
                forms.setdefault(key, Counter())[form] += 1
                seen.add(key)
        counts.update(seen)
    return {
        key: (count, tuple(f for f, _ in forms[key].most_common()))
        for key, count in counts.most_common()
        if count >= min_paragraphs
    }


def is_candidate(norwegian: str) -> bool:
    """Whether a Norwegian word or two-word phrase is one of the archive's frequent words."""
    words = norwegian.lower().split()
    key = " ".join(_stem(w) for w in words)
    return len(words) <= 2 and key in candidates()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min", type=int, default=MIN_PARAGRAPHS, help="paragraphs a word must occur in")
    args = parser.parse_args()
    found = candidates(args.min)
    for key, (count, surface) in found.items():
        print(f"{count:4d}  {key:30s}  {', '.join(surface[:4])}")
    print(f"{len(found)} candidates in {len(paragraphs())} paragraphs")


if __name__ == "__main__":
    main()
