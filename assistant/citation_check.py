"""Checking a model's citations against the sources it was given.

A model's citations are not trusted: every marker is checked against the sources and against what
the cited source actually says, and what is left uncited is dropped. When the sources are
passages with marked sentences, a citation of a whole passage (or of a sentence that does not
carry the claim while its passage does) is narrowed to the passage's sentence that supports the
claim best, so every citation ends up on one verbatim sentence.
"""
from __future__ import annotations

import re

from assistant.llm_sources import SENTENCE_ID, Source, sentence_id
from assistant.prompts import LANGUAGES, PHRASES, Language, phrase

# --- citation validation ------------------------------------------------------------------
# The check is lexical on purpose: no model runs here to judge entailment, and what matters is
# catching gross misattribution — a figure, date or claim that the cited passage does not contain.

_MARKER = re.compile(r"\[[^\[\]\n]{1,160}\]")
_LIST_PREFIX = re.compile(r"^(\s*(?:[-*•]|\d{1,2}[.)]|#{1,6})\s+)")
_BOUNDARY = re.compile(r"[.!?]+[\"»”')]*\s+(?=[\[«\"(A-ZÆØÅ0-9–-])")
_ABBREVIATIONS = frozenset(
    "s nr kl ca jf jfr bl f eks dvs mv osv pkt st meld prop e g i etc vs p pp dr prof ref mill mrd".split()
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0.](?=\d{3}\b)")
_WORDS = re.compile(r"[^\W\d_]+")
_ACCENTS = str.maketrans("éèêóòôàáâüöäí", "eeeoooaaauoai")
_MONTHS = {
    name: str(number)
    for number, names in enumerate(
        """januar|january|jan februar|february|feb mars|march|mar april|apr mai|may
        juni|june|jun juli|july|jul august|aug september|sep|sept oktober|october|okt|oct
        november|nov desember|december|des|dec""".split(),
        start=1,
    )
    for name in names.split("|")
}
_STOPWORDS = frozenset(
    """
    og eller men som det den de dei dette denne disse desse er var vart ble blir blei har hadde
    med for til fra frå av på i om at å en ein et eit ei seg sin sitt sine sitt kan skal vil
    ikke ikkje også òg ble bli blitt vore vært være vere ut inn opp etter før under over mot
    hos ved når så nå no jo bare berre alle andre noe noko noen nokon hvor kor hva kva hvilke
    kva slik slike sier seier sa sagt mer meir mest mange flere fleire enn både samt
    the a an and or but of to in on at by for from with as is are was were be been has have
    had this that these those it its which who what when where how than then also not into
    about such there their they them will would can could should may might
    rådet rådets råd council councils sak saken saka case cases
    """.split()
)  # the last line: words every source and answer share, which support nothing
# Spelled-out numbers count as numbers ("fem møter" supports "five meetings"). Words that are
# also ordinary words elsewhere ("to", "en", "fire") only count on the source side.
_NUMBER_WORDS = {
    w: str(n)
    for n, words in enumerate(
        [(), (), ("two",), ("three", "tre"), ("four",), ("five", "fem"), ("six", "seks"),
         ("seven", "sju", "syv"), ("eight", "åtte"), ("nine", "ni"), ("ten", "ti"),
         ("eleven", "elleve"), ("twelve", "tolv")]
    )
    for w in words
}
_SOURCE_NUMBER_WORDS = {**_NUMBER_WORDS, "ett": "1", "eitt": "1", "to": "2", "fire": "4"}
# English words an answer uses for what the Norwegian sources say (answers follow the question's
# language, sources stay Norwegian); each maps to stems searched for inside source words.
_GLOSSARY = {
    english: tuple(stems.split("|"))
    for english, stems in (entry.split(":") for entry in """
    council:råd decid:vedt decis:vedt case:sak meeting:møt meet:møt propos:forsl|framl
    report:rapport annual:års health:helse research:forsk industr:næring data:data
    hospital:sykehus|sjukehus municipal:kommun access:tilgang government:regjer
    ministr:departement member:medlem input:innspill|innspel statement:uttal letter:brev
    committee:utvalg|utval round:rundebord tabl:rundebord shar:del cooperat:samarbeid
    collaborat:samarbeid preparedness:beredskap budget:budsjett approv:godkj agenda:saksliste
    minut:referat attachment:vedlegg background:bakgrunn recommend:anbefal|tilrå work:arbeid
    year:år chair:leder|leiar artificial:kunstig intelligenc:intelligens priorit:priorit
    secur:sikker use:bruk send:send postpon:utsett|utsatt discuss:drøft
    secretariat:sekretariat follow:følg endors:slutt|tilslut agree:enig|slutt deadline:frist
    held:hadde digital:digital national:nasjonal strateg:strategi innovat:innovasjon
    patient:pasient servic:tjenest|tenest nordic:nordisk privacy:personvern law:lov
    """.split())
}


def _normal(text: str) -> str:
    return _THOUSANDS.sub("", text.lower().translate(_ACCENTS))


def _numbers(text: str, words: dict[str, str] = _NUMBER_WORDS) -> set[str]:
    found = {n.replace(",", ".").lstrip("0") or "0" for n in _NUMBER.findall(_normal(text))}
    spelled = {_MONTHS.get(w) or words.get(w) for w in _WORDS.findall(text.lower())}
    return found | (spelled - {None})


def _content_words(text: str) -> list[str]:
    return [
        w for w in _WORDS.findall(_normal(text))
        if len(w) >= 3 and w not in _STOPWORDS and w not in _MONTHS and w not in _NUMBER_WORDS
    ]


class _Evidence:
    """What one or more sources say, indexed for the support check."""

    def __init__(self, sources: list[Source]) -> None:
        # A sentence id ("[2.3]") is our numbering, not archive text: its digits support nothing.
        text = "\n".join(
            f"{'' if SENTENCE_ID.fullmatch(s.marker) else s.marker} {s.case or ''} "
            f"{s.document or ''} {s.page or ''} {chr(10).join(s.sentences) or s.text}"
            for s in sources
        )
        self.numbers = _numbers(text, _SOURCE_NUMBER_WORDS)
        self.words = set(_content_words(text)) | set(_WORDS.findall(_normal(text)))
        self.joined = " ".join(sorted(self.words))
        self.by_prefix: dict[str, list[str]] = {}
        for word in self.words:
            self.by_prefix.setdefault(word[:4], []).append(word)

    def has(self, word: str) -> bool:
        if word in self.words:
            return True
        for candidate in self.by_prefix.get(word[:4], ()):
            shared = len(_shared_prefix(word, candidate))
            if shared >= max(4, min(len(word), len(candidate)) - 3):
                return True  # inflections: vedtok/vedtak, rapporten/rapport, decided/decision
        stems = next((v for k, v in _GLOSSARY.items() if word.startswith(k)), ())
        return any(stem in self.joined for stem in stems)

    def support(self, sentence: str) -> tuple[bool, int, int]:
        """(numbers all present, content words found, content words in sentence)."""
        words = _content_words(sentence)
        return _numbers(sentence) <= self.numbers, sum(map(self.has, words)), len(words)


def _shared_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _supports(evidence: _Evidence, sentence: str, lang: Language) -> bool:
    numbers_ok, found, total = evidence.support(sentence)
    # Cross-language answers (English over Norwegian sources) share fewer words. Hand-set, not
    # fitted: it judges an LLM's sentences, and the eval scores the extractive answers, so no
    # labelled LLM sentences exist to fit it on.
    needed = 0.34 if lang == "en" else 0.5
    return numbers_ok and (total == 0 or (found >= 1 and found / total >= needed))


def _needed_jointly(
    marker: str, valid: list[str], known: dict[str, list[Source]], sentence: str, lang: Language
) -> bool:
    """A sentence drawing on several cited sources keeps a marker its claim cannot do without."""
    group = lambda markers: _Evidence([s for m in markers for s in known[_marker_key(m)]])  # noqa: E731
    others = [m for m in valid if m != marker]
    return bool(others) and _supports(group(valid), sentence, lang) and not _supports(
        group(others), sentence, lang
    )


def _marker_key(marker: str) -> str:
    inner = re.sub(r"\s+", " ", marker.strip()[1:-1]).strip().lower()
    inner = re.sub(r"^(?:case|saken)\b", "sak", inner)
    return re.sub(r",\s*(?:p|page|side|s)\.?\s*(\d+)$", r", s. \1", inner)


def _resolve(marker: str, known: dict[str, list[Source]], ordered: list[Source]) -> list[str] | None:
    """Canonical markers named by one bracket ("[1, 2]" names two; "[2]" names the second source
    when no source is literally "[2]"); None if any part is unknown."""

    def one(part: str) -> str | None:
        key = _marker_key(f"[{part}]")
        if key in known:
            return known[key][0].marker
        if key.isdigit() and 1 <= int(key) <= len(ordered):
            return ordered[int(key) - 1].marker  # cited by its number in the prompt
        return None

    inner = marker.strip()[1:-1]
    if (whole := one(inner)) is not None:
        return [whole]
    for separator in (";", ","):
        parts = [one(p.strip()) for p in inner.split(separator)]
        if len(parts) > 1 and all(parts):
            return parts  # type: ignore[return-value]
    return None


def _common_prefix(texts: list[str]) -> str:
    prefix = texts[0]
    for text in texts[1:]:
        while not text.startswith(prefix):
            prefix = prefix[:-1]
    return prefix.rsplit(" ", 1)[0]


def _split_sentences(line: str) -> list[str]:
    sentences, start = [], 0
    inside_markers = [m.span() for m in _MARKER.finditer(line)]
    for match in _BOUNDARY.finditer(line):
        if any(a <= match.start() < b for a, b in inside_markers):
            continue
        before = line[start : match.start()].split()
        tail = before[-1].lower().rstrip(".").split(".")[-1] if before else ""
        if tail in _ABBREVIATIONS or (len(tail) == 1 and tail.isalpha()):
            continue
        sentences.append(line[start : match.end()].strip())
        start = match.end()
    sentences.append(line[start:].strip())
    # Markers written after the full stop belong to the sentence before them.
    merged: list[str] = []
    for sentence in filter(None, sentences):
        leading = re.match(r"^((?:\[[^\[\]\n]{1,160}\]\s*)+)(.*)$", sentence)
        if leading and merged:
            merged[-1] += " " + leading.group(1).strip()
            sentence = leading.group(2).strip()
        if sentence:
            merged.append(sentence)
    return merged


_NON_CLAIM = re.compile(
    "|".join(
        [re.escape(_common_prefix([PHRASES[k][l] for k in PHRASES if k.startswith("refusal")]))
         for l in LANGUAGES]
        + [r"(kildene|kjeldene|the sources)\b.{0,40}\b(ikke|ikkje|not|no)\b"]
    ),
    re.IGNORECASE,
)
_HEADINGS = frozenset(
    t.lower().rstrip(":") for k, v in PHRASES.items() for t in v.values()
    if not k.startswith("llm_") and "{" not in t and len(t) < 80
)


def _is_claim(sentence: str) -> bool:
    bare = sentence.strip().strip("*_#").strip()
    if not bare or bare.endswith(("?", ":")) or bare.lower().rstrip(".:") in _HEADINGS:
        return False
    if _NON_CLAIM.match(bare):
        return False
    return len(_content_words(bare)) >= 3 or bool(_NUMBER.search(bare))


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]{2,}", " ", text)
    return re.sub(r"\s+([.,;:!?)])", r"\1", text).strip()


def validate_citations(
    text: str, sources: list[Source], lang: Language
) -> tuple[str, list[str], list[str]]:
    """(cleaned text, valid markers used, notes). Unknown markers go; a marker whose source does
    not support its sentence goes; a factual sentence left without any valid marker goes."""
    known: dict[str, list[Source]] = {}
    in_group: dict[str, list[str]] = {}  # passage marker key -> ids of its passages' sentences
    siblings: dict[str, tuple[str, _Evidence]] = {}  # sentence id key -> (its passage's ids, evidence)
    for number, source in enumerate(sources, start=1):
        key = _marker_key(source.marker)
        known.setdefault(key, []).append(source)
        ids = [sentence_id(number, index) for index in range(1, len(source.sentences) + 1)]
        passage = _Evidence([source]) if ids else None
        for sid, sentence in zip(ids, source.sentences):
            known[_marker_key(sid)] = [
                Source(sid, sentence, case=source.case, document=source.document, page=source.page)
            ]
            siblings[_marker_key(sid)] = (ids, passage)  # type: ignore[assignment]
        in_group.setdefault(key, []).extend(ids)
    evidence = {key: _Evidence(group) for key, group in known.items()}

    def narrowed(ids: list[str], claim: str) -> list[str]:
        """The sentence of a passage that carries the claim best, and the runner-up when the best
        carries it only together with it (a claim joining two sentences)."""
        ranked = sorted(ids, key=lambda i: evidence[_marker_key(i)].support(claim)[:2], reverse=True)
        if not ranked:
            return []
        if _supports(evidence[_marker_key(ranked[0])], claim, lang) or len(ranked) == 1:
            return ranked[:1]
        return sorted(ranked[:2], key=lambda i: [int(n) for n in SENTENCE_ID.fullmatch(i).groups()])

    notes: list[str] = []
    used: list[str] = []
    lines_out: list[str] = []
    for line in text.splitlines():
        prefix_match = _LIST_PREFIX.match(line)
        prefix = prefix_match.group(1) if prefix_match else ""
        kept: list[str] = []
        for sentence in _split_sentences(line[len(prefix):]):
            bare = _tidy(_MARKER.sub(" ", sentence))
            cited = [_resolve(m.group(0), known, sources) for m in _MARKER.finditer(sentence)]
            for match, resolved in zip(_MARKER.finditer(sentence), cited):
                if resolved is None:
                    notes.append(phrase("note_unknown_marker", lang, marker=match.group(0)))
            valid = list(dict.fromkeys(m for group in cited if group for m in group))
            supported: list[str] = []
            for marker in valid:
                key = _marker_key(marker)
                if _supports(evidence[key], bare, lang) or _needed_jointly(
                    marker, valid, known, bare, lang
                ):
                    # A whole passage cited: point at its sentence that says it.
                    supported.extend(narrowed(in_group[key], bare) if in_group.get(key) else [marker])
                elif key in siblings and _supports(siblings[key][1], bare, lang):
                    # The wrong sentence of the right passage: point at the right one.
                    supported.extend(narrowed(siblings[key][0], bare))
                else:
                    notes.append(
                        phrase("note_unsupported_marker", lang, marker=marker, sentence=bare)
                    )
            supported = list(dict.fromkeys(supported))
            # A sentence the model itself cited was meant as a claim, whatever its length;
            # a heading never is.
            heading = prefix.lstrip().startswith("#")
            if not supported and not heading and (cited or _is_claim(bare)):
                notes.append(phrase("note_dropped_sentence", lang, sentence=bare))
                continue
            markers = " ".join(supported)
            used.extend(m for m in supported if m not in used)
            ending = re.search(r"[.!?:]+[\"»”')]*$", bare)
            if markers and ending:
                kept.append(f"{bare[: ending.start()]} {markers}{bare[ending.start():]}")
            else:
                kept.append(f"{bare} {markers}".strip())
        if kept or not line.strip():
            lines_out.append(prefix + " ".join(kept) if kept else "")
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(lines_out)).strip()
    return cleaned, used, notes


def is_refusal(text: str) -> bool:
    start = text.strip().lower()
    return any(start.startswith(prefix) for prefix in _REFUSAL_PREFIXES)


_REFUSAL_PREFIXES = tuple(
    _common_prefix([PHRASES[key][lang] for key in PHRASES if key.startswith("refusal")]).lower()
    for lang in LANGUAGES
)
