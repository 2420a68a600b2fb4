"""The optional LLM answerer, for any OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server,
OpenAI, Azure OpenAI).

It talks the wire protocol directly with httpx (POST {base_url}/chat/completions, stream=True,
server-sent events), so no vendor SDK is needed. Whatever goes wrong on the wire — refused
connection, HTTP error, timeout, malformed stream, empty answer — becomes GenerationFailed, and the
caller falls back to the extractive answer.

A model's citations are not trusted: `validate_citations` checks every marker against the sources
it was given and against what the cited source actually says, and drops what is left uncited.
The API key is sent only in the Authorization header and never logged or put in an error message.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from assistant.prompts import LANGUAGES, PHRASES, SOURCE_TAGS, Language, phrase
from ingest.settings import LLMSettings

log = logging.getLogger(__name__)

HISTORY_TURNS = 6  # earlier chat messages passed on (three exchanges)
HISTORY_CHARS = 2000  # per message: old answers should not crowd out the sources


class GenerationFailed(RuntimeError):
    """The model could not produce a usable answer; fall back to the extractive answerer."""

    def __init__(self, reason: str, notes: list[str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.notes = notes or []


@dataclass(frozen=True)
class Source:
    """One passage offered to the model, with the marker it must cite it by."""

    marker: str  # e.g. "[Sak 19/2/2026]", "[Årsrapport 2025, s. 4]" or "[3]"
    text: str  # the literal archive passage
    case: str | None = None
    document: str | None = None
    page: int | None = None


@dataclass
class GenerationResult:
    text: str  # the validated answer
    used_markers: list[str]  # valid markers left in text, in order of first use
    removed: list[str] = field(default_factory=list)  # notes on what validation removed
    raw_text: str = ""  # what the model produced
    refused: bool = False  # the model said the archive does not contain the answer


def is_configured(settings: LLMSettings) -> bool:
    return bool(settings.base_url and settings.model)


# --- messages ------------------------------------------------------------------------------

_TAG_OPENING = re.compile(
    r"<(\s*/?\s*)(" + "|".join(map(re.escape, SOURCE_TAGS.values())) + r")\b", re.IGNORECASE
)


def _quoted(text: str) -> str:
    """Source text with our wrapper tags defused, so a document cannot end its own quotation."""
    return _TAG_OPENING.sub(lambda m: "‹" + m.group(1) + m.group(2), text)


def _attribute(value: str) -> str:
    return _quoted(value).replace('"', "'").replace("\n", " ")


def build_messages(
    question: str, lang: Language, sources: list[Source], history: list[dict] | None = None
) -> list[dict]:
    """Chat messages: the rules (system), recent conversation, then the numbered sources + question."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    blocks = [
        phrase(
            "llm_source",
            lang,
            number=number,
            marker=_attribute(source.marker),
            document=_attribute(source.document or "–"),
            case=_attribute(source.case or "–"),
            page=source.page if source.page is not None else "–",
            text=_quoted(source.text.strip()),
        )
        for number, source in enumerate(sources, start=1)
    ]
    rendered = "\n\n".join(blocks) if blocks else phrase("llm_no_sources", lang)
    messages = [
        {"role": "system", "content": phrase("llm_system", lang, refusal=phrase("refusal", lang))}
    ]
    for turn in (history or [])[-HISTORY_TURNS:]:
        role, content = turn.get("role"), turn.get("content")
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            messages.append({"role": role, "content": content[:HISTORY_CHARS]})
    messages.append(
        {"role": "user", "content": phrase("llm_user", lang, sources=rendered, question=question)}
    )
    return messages


# --- the endpoint --------------------------------------------------------------------------


def _redacted(url: str) -> str:
    """scheme://host[:port]/path without any user:password@ part."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class LLMGenerator:
    def __init__(self, settings: LLMSettings) -> None:
        if not is_configured(settings):
            raise GenerationFailed("LLM not configured: base_url and model are both required")
        self.settings = settings
        # Azure-style base URLs carry ?api-version=...: the path goes before the query.
        parts = urlsplit(settings.base_url)  # type: ignore[arg-type]
        self.url = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/chat/completions"))

    def __repr__(self) -> str:  # LLMSettings' own repr would show the key
        return f"LLMGenerator(url={_redacted(self.url)!r}, model={self.settings.model!r})"

    def _payload(self, messages: list[dict]) -> dict:
        return {
            "model": self.settings.model,
            "messages": messages,
            "stream": True,
            "temperature": self.settings.temperature,
        }

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream", "Content-Type": "application/json"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
            headers["api-key"] = self.settings.api_key  # Azure OpenAI reads this one instead
        return headers

    def stream(
        self,
        question: str,
        lang: Language,
        sources: list[Source],
        history: list[dict] | None = None,
    ) -> Iterator[str]:
        """Yield the model's text deltas as they arrive; the generator's return value is the
        validated GenerationResult. The deltas are raw model output: a streaming client should
        replace what it showed with the final result's text."""
        messages = build_messages(question, lang, sources, history)
        timeout = self.settings.timeout_s
        deadline = time.monotonic() + timeout
        pieces: list[str] = []
        log.info(
            "LLM request to %s (model %s, %d sources)",
            _redacted(self.url), self.settings.model, len(sources),
        )
        try:
            with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False) as client:
                with client.stream(
                    "POST", self.url, json=self._payload(messages), headers=self._headers()
                ) as response:
                    if response.status_code >= 400:
                        raise GenerationFailed(f"HTTP {response.status_code} from the LLM endpoint")
                    content_type = response.headers.get("content-type", "")
                    if "json" in content_type and "event-stream" not in content_type:
                        # A server that ignores stream=true answers with one JSON body.
                        text = _content_of_completion(response.read())
                        pieces.append(text)
                        yield text
                    else:
                        for delta in _sse_deltas(response.iter_lines(), deadline, timeout):
                            pieces.append(delta)
                            yield delta
        except GenerationFailed:
            raise
        except httpx.TimeoutException:
            raise GenerationFailed(f"LLM endpoint timed out after {timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise GenerationFailed(
                f"LLM request to {_redacted(self.url)} failed: {type(exc).__name__}"
            ) from None

        raw = "".join(pieces).strip()
        if not raw:
            raise GenerationFailed("the LLM returned an empty answer")
        text, used, notes = validate_citations(raw, sources, lang)
        if not text.strip():
            raise GenerationFailed("no sentence of the LLM answer survived citation checks", notes)
        return GenerationResult(text, used, notes, raw_text=raw, refused=_is_refusal(text))

    def generate(
        self,
        question: str,
        lang: Language,
        sources: list[Source],
        history: list[dict] | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> GenerationResult:
        """The validated answer; on_token receives each raw delta as it arrives."""
        deltas = self.stream(question, lang, sources, history)
        while True:
            try:
                delta = next(deltas)
            except StopIteration as finished:
                return finished.value
            if on_token is not None:
                on_token(delta)


def _content_of_completion(body: bytes) -> str:
    try:
        return json.loads(body)["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError):
        raise GenerationFailed("malformed JSON completion from the LLM endpoint") from None


def _sse_deltas(lines: Iterator[str], deadline: float, timeout: float) -> Iterator[str]:
    finished = False
    for line in lines:
        if time.monotonic() > deadline:
            raise GenerationFailed(f"LLM endpoint timed out after {timeout:g}s")
        if not line.strip() or line.startswith(":"):
            continue  # event separator or keep-alive comment
        if line.startswith(("event:", "id:", "retry:")):
            continue
        if not line.startswith("data:"):
            raise GenerationFailed("malformed event stream from the LLM endpoint")
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            chunk = json.loads(data)
        except ValueError:
            raise GenerationFailed("malformed event stream from the LLM endpoint") from None
        if not isinstance(chunk, dict):
            raise GenerationFailed("malformed event stream from the LLM endpoint")
        if "error" in chunk:
            raise GenerationFailed("the LLM endpoint reported an error mid-stream")
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            raise GenerationFailed("malformed event stream from the LLM endpoint")
        if not choices:
            continue  # e.g. a final usage-only chunk
        choice = choices[0] if isinstance(choices[0], dict) else {}
        content = (choice.get("delta") or {}).get("content")
        if content:
            yield content
        finished = finished or bool(choice.get("finish_reason"))
    if not finished:
        raise GenerationFailed("the LLM event stream ended before the answer was complete")


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
        text = "\n".join(
            f"{s.marker} {s.case or ''} {s.document or ''} {s.page or ''} {s.text}" for s in sources
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
    # Cross-language answers (English over Norwegian sources) share fewer words.
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
    for source in sources:
        known.setdefault(_marker_key(source.marker), []).append(source)
    evidence = {key: _Evidence(group) for key, group in known.items()}
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
            supported = []
            for marker in valid:
                if _supports(evidence[_marker_key(marker)], bare, lang) or _needed_jointly(
                    marker, valid, known, bare, lang
                ):
                    supported.append(marker)
                else:
                    notes.append(
                        phrase("note_unsupported_marker", lang, marker=marker, sentence=bare)
                    )
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


def _is_refusal(text: str) -> bool:
    start = text.strip().lower()
    return any(start.startswith(prefix) for prefix in _REFUSAL_PREFIXES)


_REFUSAL_PREFIXES = tuple(
    _common_prefix([PHRASES[key][lang] for key in PHRASES if key.startswith("refusal")]).lower()
    for lang in LANGUAGES
)
