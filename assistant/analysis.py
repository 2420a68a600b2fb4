"""One reading of the question, computed once per question; the rest of the assistant reads it.

`analyse(question, history)` returns a QuestionAnalysis: the language to answer in, the cases and
meetings the question names, and whether it refers back to the conversation. Only a question that
refers back uses the history at all — for its language, its referents and its search — so a
self-contained question gets exactly the answer it would get asked fresh, whatever came before.

A question refers back (is *referential*) when it
- opens with a connective that continues an earlier turn: "og", "men", "så", "hva med", "and",
  "but", "what about", "why not", "hvorfor ikke" ("Og hva ble vedtatt?", "Hvorfor ikke helsenæring?");
- uses a pronoun or demonstrative whose referent is not in the question itself: "han/hun/ho",
  "he/she", "they/them" with no name or person before it; "denne saken", "dette", "these"; "det",
  "den", "it" where they stand for a thing ("Hvor mange følger den?", "Hvordan ble det håndtert …?");
- is elliptic: it has no content word of its own ("Hvorfor?", "Og når?", "Who?").

Referents are resolved from the most recent turn backwards: the conversation is read back to the
latest user question that was itself self-contained (the topic the follow-ups continue), and
cases are taken from the most recent of those turns that names any.

Every rule above is general (a class of words, a position in the sentence), not a fix for one
question; tests/assistant/test_session.py exercises them in a scripted session.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.answer_types import EvidenceCues, evidence_cues, expected_answer_type
from assistant.holding_refs import asks_about_meeting, asks_after, asks_outcome, named_document
from assistant.language import LanguageCode, detect_language
from assistant.reading import (
    Asks, Focus, References, follow_up_records, intent, people, read_asks, read_focus, read_references,
)
from assistant.search_words import SearchWords, search_words
from ingest.case_numbers import CASE_IN_MEETING, CASE_REFERENCE, DASHED_CASE, find_case_references, find_meeting_references

# Openers that continue the previous turn rather than start a topic. "hvorfor ikke/why not"
# question something the previous answer said.
_CONTINUING_OPENER = re.compile(
    r"^\s*(?:og|men|så|samt|enn|hva med|kva med|hva så med|hvorfor ikke|kvifor ikkje|kvifor ikke|"
    r"and|but|also|so|what about|how about|why not)\b",
    re.IGNORECASE,
)
# Personal pronouns: their referent is a person, so a name or a word for a person before them in
# the same question resolves them.
_PERSON_PRONOUN = re.compile(r"\b(?:han|hun|ho|hen|henne|hennes|he|she|him|his|hers)\b", re.IGNORECASE)
# English "her" is also Norwegian "here"; it counts only in English questions.
_ENGLISH_HER = re.compile(r"\bher\b", re.IGNORECASE)
_PLURAL_PRONOUN = re.compile(
    r"\b(?:dem|deres|deira|they|them|their|theirs)\b"
    # Nynorsk "dei" is "they" and the plural article ("dei arrangementa"); it is the pronoun where
    # no noun follows it: at the end, or before a preposition, an adverb or a verb.
    r"|\bdei\b(?=\s*(?:[?.!,]|$)|\s+(?:om|på|i|til|med|for|no|då|etterpå|seinare|ikkje|også|òg|har|hadde|"
    r"skal|vil|kan|gjer|gjorde|gjort|meiner|meinte|meint|sa|sagt|seier|vart|blei)\b)",
    re.IGNORECASE,
)
# A demonstrative points at something already said — unless it names a time ("dette året",
# "this year") or opens a relative clause ("those who").
_DEMONSTRATIVE = re.compile(
    r"\b(?:dette|denne|disse|desse|this|these|those|that)\b(?!\s+(?:år|året|uke|uka|veka|måned|månaden|"
    r"måneden|halvåret|year|week|month|time|who|which|that|som)\b)",
    re.IGNORECASE,
)
# English "that" is mostly a conjunction ("Is it true that …"); as a demonstrative it stands last
# or before a word for a thing the conversation has named.
_THAT = re.compile(r"\bthat\b", re.IGNORECASE)
_THAT_AS_DEMONSTRATIVE = re.compile(
    r"\bthat(?:\s*[?.!,]|\s*$|\s+(?:case|decision|report|proposal|meeting|document|group|issue|matter|"
    r"point|plan|one|paper|input|submission|item)\b)",
    re.IGNORECASE,
)
# "i den saka?", "på det møtet?", "dei sakene no?": a demonstrative before a definite noun that
# closes the clause points at a record already named. Not with an adjective between ("den nye
# saka": an article), nor before a relative clause ("dei arrangementa rådet har halde": an
# article), and only nouns for the council's records ("det rådet mener" opens a cleft).
_DEMONSTRATIVE_DEFINITE = re.compile(
    r"\b(?:den|det|dei|de)\s+(?:sak|møt|vedtak|rapport|forslag|dokument|innspel|innspill|grupp|utval|arrangement)"
    r"\w*(?:en|et|a|ene|ane|na)\b(?=\s*(?:[?.!,]|$)|\s+(?:no|nå|då|da)\b)",
    re.IGNORECASE,
)
# "det", "den", "it" stand for a thing when they close the clause ("endre det?", "følger den?",
# "see it?"), or as the subject of a passive whose manner, time or reason is asked
# ("Hvordan ble det håndtert …", "Når ble den vedtatt?", "How was it received?"). Elsewhere
# "det" and "it" are mostly expletive ("Hvor mange var det …", "Is it true that …").
_THING_PRONOUN_LAST = re.compile(r"\b(?:det|den|it)\s*(?:[?.!,]|$)", re.IGNORECASE)
_THING_PRONOUN_PASSIVE = re.compile(
    r"^\s*(?:hvordan|korleis|hvorfor|kvifor|når|how|why|when)\b.{0,20}?\b(?:ble|blei|vart|blir|er|var|was|is|were)\s+"
    # Participles: Bokmål -t/-et/-dd/-d, English -ed/-en, Nynorsk -a/-e ("handsama", "vedteke");
    # "that" as the subject of a passive is a demonstrative ("How was that handled?").
    r"(?:det|den|it|that)\s+\w+(?:t|et|dd|d|ed|en|a|e)\b(?!\s+(?:at|om|that|whether|to)\b)",
    re.IGNORECASE,
)
# Words for a person: a pronoun after one of them has its referent in the question.
_PERSON_NOUN = re.compile(
    r"\b(?:leder\w*|leiar\w*|medlem\w*|saksbehandler\w*|sakshandsamar\w*|sekretær\w*|direktør\w*|"
    r"forsker\w*|forskar\w*|statsråd\w*|minister\w*|chair\w*|leader\w*|member\w*|director\w*|"
    r"caseworker\w*|researcher\w*|person\w*|who)\b",
    re.IGNORECASE,
)
_PERSON_WORDS = frozenset("han hun ho hen henne hennes he she him his hers her".split())
_CAPITALISED = re.compile(r"\b[A-ZÆØÅ][a-zæøåéü]+")


def _names_a_person(text: str) -> bool:
    """A capitalised word that does not open a sentence (a name), or a word for a person."""
    for match in _CAPITALISED.finditer(text):
        before = text[: match.start()].rstrip()
        if before and before[-1] not in ".!?:«\"":
            return True
    return bool(_PERSON_NOUN.search(text))

# Function words: a question made only of these (and numbers) has no content of its own.
_FUNCTION_WORDS = frozenset(
    """
    og men så samt enn da nå også hva kva hvem kven hvor kor hvordan korleis hvorfor kvifor når
    hvilke hvilken hvilket kva for mange mye mykje lenge ofte er var ble blei vart blir har hadde
    kan skal vil ville det den de dei dette denne disse desse han hun ho hen seg sin sitt sine
    i på av om til for med fra frå mer meir noe noko noen nokon annet anna andre ellers ikke ikkje
    ja nei vel jo bare berre the a an and but so also what who whom whose where when why how which
    many much long often is are was were be been did do does has have had can could will would
    gjorde gjør gjer gjort
    it its this that these those he she they them his her their of in on at to for with from
    more else other another anything something any some not no yes just then there
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# How much of the last answer a follow-up's search may borrow: its opening, which names what was
# found; the rest is quotes that would drown the follow-up's own words. Not fitted: a length.
_ANSWER_CHARS = 400


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str
    language: LanguageCode
    cases: tuple[str, ...] = ()  # case numbers the question itself names
    meetings: tuple[str, ...] = ()  # meetings it names without a case
    referential: bool = False
    # What kind of answer the question words ask for (assistant/answer_types.py), or None.
    answer_type: str | None = None
    reason: str = ""  # why it refers back ("opener 'og'", "pronoun 'hun'", "ellipsis"); "" when not
    # Only for a referential question: the turns it continues (from the latest self-contained
    # user question on), the cases they name (most recent first) and their text for the search.
    history: tuple[dict, ...] = field(default=(), repr=False)
    referent_cases: tuple[str, ...] = ()
    referent_text: str = ""
    # The same without the sentences the latest answer quoted and without case numbers: what a
    # follow-up about a topic (not a case) has its evidence scored on (assistant/routing.py).
    referent_own_words: str = ""
    # The referent without the latest answer: the continued user questions, and for a personal
    # pronoun the person the latest answer names first. What a follow-up's evidence is scored on
    # (assistant/routing.py): the answer's own prose (a paraphrase, a list of what was found) is
    # about what was asked before, and its words outrank the new question's in the scoring.
    referent_questions: str = ""
    referent_person: str = ""
    # Whether a pronoun or demonstrative in it stands for a thing the conversation said ("endre
    # det?", "see it?", "denne saken"): that thing is in the latest answer, whose own words then
    # belong to the referent.
    points_at_thing: bool = False
    # For a follow-up naming no time or meeting: the meeting, month or day the question it
    # continues named (its References), else None.
    referent_references: References | None = None
    # What it needs the archive to hold (assistant/holding_refs.py): a time after this ISO date,
    # how a matter turned out, a council document (kind, what it was written to or about).
    after: str | None = None
    outcome: bool = False
    document: tuple[str, str] | None = None
    about_meeting: bool = False
    # The question's intent, read from its words and the cases it (or, for a follow-up, the
    # conversation) names: drafting, case_lookup, decisions, positions, onboarding or facts.
    # Which route answers is decided from it in assistant/routes/ (the archive decides too).
    intent: str = "facts"
    asks: Asks = field(default_factory=Asks)
    references: References = field(default_factory=References)
    focus: Focus = field(default_factory=Focus)

    @property
    def uses_history(self) -> bool:
        return self.referential and bool(self.history)

    def evidence_cues(self, search_text: str, parts: tuple[str, ...] = ()) -> EvidenceCues:
        """What kind of sentence answers, read from the text the evidence is scored against and its
        parts. That text is built from this analysis (the question or a draft's subject, a
        follow-up's referent) plus the words the search adds (the glossary's Norwegian words, a
        referent case's title), so the cues are read from it, not from the question alone."""
        return evidence_cues(search_text, parts)

    def search_words(self, search_text: str, lang: str) -> SearchWords:
        """What the glossary adds to a search text built from this analysis (the question or a
        draft's subject, a follow-up's referent), read once per text (assistant/search_words.py)."""
        return search_words(search_text, lang)

    def mentions(self, name: str) -> bool:
        """Whether the question names `name` (a body or title from the archive), ignoring case:
        modules that look an archive name up in the question ask here rather than read it."""
        return bool(name) and name.lower() in self.question.lower()


@dataclass(frozen=True)
class Referral:
    """Why a question refers back: its kind ("opener", "ellipsis", "pronoun", "demonstrative",
    "thing" for a pronoun standing for a thing) and the word that does it ("og", "hun", "denne");
    false when the question stands on its own."""

    kind: str = ""
    word: str = ""

    def __bool__(self) -> bool:
        return bool(self.kind)

    @property
    def text(self) -> str:
        """As QuestionAnalysis.reason gives it: "opener 'og'", "pronoun 'hun'", "ellipsis"."""
        if self.kind in ("", "ellipsis"):
            return self.kind
        return "pronoun for a thing" if self.kind == "thing" else f"{self.kind} '{self.word}'"


def referential_reason(question: str, names_a_case: bool = False, language: str | None = None) -> str:
    """Why the question refers back to the conversation, or "" when it stands on its own."""
    return referral(question, names_a_case, language).text


def referral(question: str, names_a_case: bool = False, language: str | None = None) -> Referral:
    """Why the question refers back to the conversation, as data; Referral() when it stands on its own."""
    text = question.strip()
    opener = _CONTINUING_OPENER.match(text)
    if opener:
        return Referral("opener", opener.group(0).strip().lower())
    words = [w.lower() for w in _WORD.findall(text)]
    if words and all(w in _FUNCTION_WORDS for w in words):
        return Referral("ellipsis")
    if names_a_case:
        return Referral()  # a pronoun or demonstrative beside a case number refers to that case
    for match in _PERSON_PRONOUN.finditer(text):
        if not _names_a_person(text[: match.start()]):
            return Referral("pronoun", match.group(0).lower())
    if language == "en":
        for match in _ENGLISH_HER.finditer(text):
            if not _names_a_person(text[: match.start()]):
                return Referral("pronoun", "her")
    # A pronoun in a later clause ("…, and who co-hosted it?") refers to what the first clause
    # named: the question holds its own referent.
    joined = _SECOND_CLAUSE.search(text)
    if joined and _content_words(text[: joined.start()]) >= 2:
        return Referral()
    for match in _PLURAL_PRONOUN.finditer(text):
        if not _content_words(text[: match.start()]):
            return Referral("pronoun", match.group(0).lower())
    definite = _DEMONSTRATIVE_DEFINITE.search(text)
    if definite:
        return Referral("demonstrative", definite.group(0).split()[0].lower())
    for match in _DEMONSTRATIVE.finditer(text):
        if match.group(0).lower() == "that" and not _THAT_AS_DEMONSTRATIVE.match(text, match.start()):
            continue
        return Referral("demonstrative", match.group(0).lower())
    thing = _THING_PRONOUN_LAST.search(text) or _THING_PRONOUN_PASSIVE.search(text)
    if thing:
        return Referral("thing")
    return Referral()


_SECOND_CLAUSE = re.compile(r"(?:,\s*|\s+)(?:og|and|men|but)\s+", re.IGNORECASE)


def _points_at_thing(text: str) -> bool:
    """A pronoun or demonstrative for a thing anywhere in the question, whatever else makes it
    referential ("And how do the caseworkers see it?" opens with "and" and points with "it")."""
    if _THING_PRONOUN_LAST.search(text) or _THING_PRONOUN_PASSIVE.search(text) or _DEMONSTRATIVE_DEFINITE.search(text):
        return True
    return any(m.group(0).lower() != "that" or _THAT_AS_DEMONSTRATIVE.match(text, m.start()) for m in _DEMONSTRATIVE.finditer(text))


def _content_words(text: str) -> int:
    return sum(1 for w in _WORD.findall(text) if w.lower() not in _FUNCTION_WORDS)


def _turn_text(turn: dict) -> str:
    content = turn.get("content", "")
    return content if isinstance(content, str) else ""


def _continued_turns(history: list[dict]) -> list[dict]:
    """The turns a follow-up continues: from the latest self-contained user question to the end."""
    turns = [t for t in history if isinstance(t, dict)]
    for index in range(len(turns) - 1, -1, -1):
        turn = turns[index]
        if turn.get("role") == "user":
            text = _turn_text(turn)
            if not referential_reason(text, bool(find_case_references(text))):
                return turns[index:]
    return turns


def _referent_cases(turns: list[dict]) -> tuple[str, ...]:
    """Cases the continued turns name, the most recent turn's first."""
    found: list[str] = []
    for turn in reversed(turns):
        for number in find_case_references(_turn_text(turn)):
            if number not in found:
                found.append(number)
    return tuple(found)


def _referent_text(turns: list[dict], own_words: bool = False) -> str:
    """The continued user questions and the opening of the latest answer; with own_words, the
    answer's own words only (its heading, lead or paraphrase), without the archive sentences it
    quoted («…») and without case numbers (the referent case is resolved already; as a search
    word its number matches the other cases' passages that cite it, not its own)."""
    questions = [_turn_text(t) for t in turns if t.get("role") == "user"]
    answer = next((_turn_text(t) for t in reversed(turns) if t.get("role") == "assistant"), "")
    answer = re.sub(r"\[[^\]]{1,80}\]", "", answer)
    if own_words:
        answer = re.sub(r"«[^«»]*»", " ", answer)
    answer = answer[:_ANSWER_CHARS]
    text = " ".join(part for part in [*questions, answer] if part.strip()).strip()
    if own_words:
        for pattern in (CASE_IN_MEETING, DASHED_CASE, CASE_REFERENCE):
            text = pattern.sub(" ", text)
        text = " ".join(text.split())
    return text


def analyse(question: str, history: list[dict] | None = None) -> QuestionAnalysis:
    """Read the question once. The history matters only if the question refers back."""
    history = list(history or [])
    cases = tuple(find_case_references(question))
    meetings = tuple(m for m in find_meeting_references(question) if not any(c.endswith("/" + m) for c in cases))
    fresh_language = detect_language(question, None)
    referred = referral(question, bool(cases or meetings), fresh_language)
    reason = referred.text
    answer_type = expected_answer_type(question)
    holds = {"after": asks_after(question), "outcome": asks_outcome(question), "document": named_document(question),
             "about_meeting": asks_about_meeting(question)}
    read = {"asks": read_asks(question), "references": read_references(question), "focus": read_focus(question)}
    if not reason or not history:
        return QuestionAnalysis(
            question, fresh_language, cases, meetings, bool(reason), answer_type, reason,
            intent=intent(question, list(cases)), **holds, **read,
        )
    turns = _continued_turns(history)
    referent_cases = _referent_cases(turns)
    # A follow-up that names no time or meeting of its own is about the ones its referent named
    # ("Who attended the January meeting?" → "And was anyone absent?"), and an attendance question
    # asked of a meeting conversation is one ("And who was absent?"). The references stay the
    # question's own (they steer the search, see reranking.RankHints); the meeting records route
    # reads the referent's (assistant/routes/meeting_records.py).
    referent_references = None
    if not (cases or meetings or read["references"].names_a_time):
        referent_reads = [read_references(_turn_text(t)) for t in reversed(turns) if t.get("role") == "user"]
        inherited = next((r for r in referent_reads if r.names_a_time), None)
        if inherited is not None:
            referent_references = replace(inherited, bodies=read["references"].bodies or inherited.bodies)
    asks = read["asks"]
    if asks.records is None:
        asks = replace(asks, records=follow_up_records(question, [_turn_text(t) for t in turns if t.get("role") == "user"]))
    read = {**read, "asks": asks}
    latest_answer = next((_turn_text(t) for t in reversed(turns) if t.get("role") == "assistant"), "")
    person = ""
    if referred.kind == "pronoun" and referred.word in _PERSON_WORDS:
        person = next(iter(people(latest_answer)), "")
    return QuestionAnalysis(
        question=question,
        language=detect_language(question, history),
        cases=cases,
        meetings=meetings,
        referential=True,
        answer_type=answer_type,
        **holds,
        reason=reason,
        history=tuple(history),
        referent_cases=referent_cases,
        referent_text=_referent_text(turns),
        referent_own_words=_referent_text(turns, own_words=True),
        referent_questions=" ".join(_turn_text(t) for t in turns if t.get("role") == "user").strip(),
        referent_person=person,
        points_at_thing=_points_at_thing(question),
        referent_references=referent_references,
        intent=intent(question, list(cases or referent_cases), follow_up=True),
        **read,
    )
