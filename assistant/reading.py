"""How analyse() reads a question's intent, references and focus (assistant/analysis.py).

Only assistant/analysis.py calls these; every other module reads the QuestionAnalysis they fill
in (`analysis.intent`, `analysis.asks`, `analysis.references`, `analysis.focus`). The word lists
are in assistant/vocabulary.py. Every rule is a class of words in a position of the question,
the same in nb, nn and en, not a fix for one question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.vocabulary import (
    DECIDED, DECISION_WORDS, MEETING, MONTH_NAMES, MONTHS, NORWEGIAN_MONTHS, STOP_WORDS, WH_WORDS,
)
from ingest.case_numbers import find_case_references, find_meeting_references
from ingest.dates import parse_norwegian_date
from ingest.numbering import CaseId, find_case_ids

# ---- intent -------------------------------------------------------------------------------------
# An instruction to write something, not a question about who wrote what.
_POLITE = r"^\s*(?:(?:kan|kunne) (?:du|dere) |vær så snill å |please |could you |can you )?"
_WRITE = r"(?:lag|skriv|utarbeid|formuler|sett opp|lage|skrive|gjer|gjør|draft|write|prepare|compose)"
_WRITTEN = (
    r"(?:utkast|brev|notat|innspill|innspel|høringssvar|høringsinnspill|tekst|svar|letter|draft|response|memo|"
    r"input|statement|oppfølgingsbrev|uttalelse|uttale|stikkord|stikkordsliste|talepunkt|talepunkter|talking points)"
)
_DRAFTING = re.compile(_POLITE + _WRITE + r"\b.{0,60}\b" + _WRITTEN, re.IGNORECASE)
_TOPIC_DECISIONS = re.compile(
    r"\b(hva|kva|what|hvilke|kva for)\b.{0,30}\b(har|has|have)\b.{0,25}\b(vedtatt|vedteke|bestemt|besluttet|decided)\b.{0,10}\b(om|on|about|i|angående)\b"
    r"|\bhvilke vedtak\b|\bkva for vedtak\b|\bwhich decisions\b|\btidslinje\b|\btimeline\b",
    re.IGNORECASE,
)
_POSITIONS = re.compile(
    r"\b(mener|meiner|mente|meinte|syn|standpunkt|holdning|sagt|uttalt|uttrykt|view|views|position|stance|think|thinks|said|"
    r"pekte|peika|vektlagt|vektlegg|understreket|ønsket|anbefalt|anbefaler|svakheter|kritikk|opptatt av|legge mer vekt|etterlyst)\b",
    re.IGNORECASE,
)
_COUNCIL = re.compile(r"\b(råd\w*|council|medlem\w*|members?)\b", re.IGNORECASE)
_ONBOARDING = re.compile(
    r"\b(ny i rådet|nytt medlem|ny medlem|new member|mandat|mandate|oppdrag(et)?|hvordan fungerer|korleis fungerer|"
    # "how do/does/are" asks how the council works only with the council or its workings as the
    # subject ("How does the council work?"), not of anyone's view ("how do the caseworkers see it?").
    r"how (?:do|does|are) (?:the |its |our )?(?:council|meetings?|members?|secretariat|cases?|items?)|"
    r"habilitet\w*|inhabil\w*|eventuelt|saksliste|rådsmøte\w*|møta|møtene|sekretariat\w*|medlemmer|members|secretariat|handlingsplan\w*)\b",
    re.IGNORECASE,
)
_ONBOARDING_QUESTION = re.compile(r"\b(hvordan|korleis|how|hva er|kva er|what is|hvem er|kven er|who are|jeg er ny|eg er ny|i am new)\b", re.IGNORECASE)
_ABOUT_A_CASE = re.compile(r"\b(handlet|handla|about|om)\b", re.IGNORECASE)


def intent(question: str, cases: list[str], follow_up: bool = False) -> str:
    """drafting, case_lookup, decisions, positions, onboarding or facts, from the question's words
    and the cases it (or, for a follow-up, the conversation) names."""
    if _DRAFTING.search(question):
        return "drafting"
    if cases and (not follow_up or DECISION_WORDS.search(question) or _ABOUT_A_CASE.search(question)):
        if not _TOPIC_DECISIONS.search(question) or find_case_references(question):
            return "case_lookup"
    if _TOPIC_DECISIONS.search(question):
        return "decisions"
    if _POSITIONS.search(question) and _COUNCIL.search(question):
        return "positions"
    if _ONBOARDING.search(question) and _ONBOARDING_QUESTION.search(question):
        return "onboarding"
    return "facts"


_AGENDA_QUESTION = re.compile(
    r"\b(saksliste\w*|sakslista|agenda\w*|hvilke saker|kva for saker|kva saker|which cases|what cases|which items|"
    r"hva (sto|stod|står|var) på|kva (sto|stod|står|var) på|hva ble (behandlet|diskutert|tatt opp)|kva vart (behandla|diskutert|teke opp)|"
    r"what was (discussed|on the agenda|dealt with)|what did the council (discuss|deal with))\b",
    re.IGNORECASE,
)
# "Hva ble vedtatt på møtet i januar?" asks for a meeting's decisions; "… vedtatt om referatet
# fra møtet" and "… diskutert om helsedata" ask about one topic.
_DECIDED_AT_MEETING = re.compile(r"\b" + DECIDED + r"\s+(på|i|at|in)\s+(det\s+|the\s+)?(\w+\s+)?" + MEETING + r"\b", re.IGNORECASE)
_ABOUT = re.compile(r"\b(om|angående|angåande|about|regarding|concerning)\b", re.IGNORECASE)


def asks_agenda(question: str) -> bool:
    """Whether it asks which cases a meeting dealt with (or decided), not about one topic."""
    if _ABOUT.search(question):
        return False
    return bool(_AGENDA_QUESTION.search(question) or _DECIDED_AT_MEETING.search(question))


_ATTENDANCE = re.compile(
    r"\b(til\s+stede|tilstede|møtte|forfall|fravær\w*|fråvær\w*|deltok|deltakere|observatør\w*|varamedlem\w*|"
    r"attend\w*|present|absent|apologies)\b",
    re.IGNORECASE,
)
_ATTENDANCE_ASKED = re.compile(r"\b(hvem|kven|who|hvor mange|kor mange|how many|hadde|var|was|were)\b", re.IGNORECASE)
_A_MEETING = re.compile(r"møte|meeting", re.IGNORECASE)  # also "kommunestyremøtet"
_PROPOSER = re.compile(r"\b(hvem|kven|who)\b.{0,30}\b(fremmet|fremma|foreslo|la\s+fram|la\s+frem|proposed|moved|tabled)\b", re.IGNORECASE)
_VOTE = re.compile(r"\b(stemt|stemte|stemmer|stemmetall|votering\w*|avstemning\w*|røysting\w*|voted?|votes|voting)\b", re.IGNORECASE)


def records_form(question: str) -> str | None:
    """Which meeting record answers it: attendance, proposer, vote, or a case in a municipal or
    per-year numbering ("PS 6/26", "sak 10/2026 i formannskapet"); None for none of these."""
    if _ATTENDANCE.search(question) and _ATTENDANCE_ASKED.search(question) and _A_MEETING.search(question):
        return "attendance"
    if _PROPOSER.search(question):
        return "proposer"
    if _VOTE.search(question):
        return "vote"
    named = [c for c in find_case_ids(question) if c.meeting is None or c.series != "SAK"]
    if named and not find_case_references(question):
        return "case"  # not a council N/M/YYYY number
    return None


def follow_up_records(question: str, referent_questions: list[str]) -> str | None:
    """A follow-up's meeting record form: attendance words ("And was anyone absent?", "Og hvem
    hadde forfall?") ask about the meeting its conversation is about, when one of the questions
    it continues named a meeting; None otherwise."""
    if not (_ATTENDANCE.search(question) and _ATTENDANCE_ASKED.search(question)):
        return None
    return "attendance" if any(_A_MEETING.search(text) for text in referent_questions) else None


_ABSENCE = re.compile(r"\b(forfall|fravær\w*|fråvær\w*|absent|apologies|ikke\s+møtt)\b", re.IGNORECASE)
_ATTENDANCE_GROUPS = (
    ("absent", r"forfall|fravær|fråvær|absent|apologies|ikke\s+møtt"),
    ("observer", r"observatør|observer"),
    ("substitute", r"\bvara|substitute"),
    ("secretariat", r"sekretariat|administrasjon|secretariat"),
)
_AMENDMENT_KINDS = {
    "tilleggsforslag": ("tilleggsforslag",), "endringsforslag": ("endringsforslag",),
    "alternativ": ("alternative forslag",), "amendment": ("tilleggsforslag", "endringsforslag", "alternative forslag"),
}


def asks_absence(question: str) -> bool:
    return bool(_ABSENCE.search(question))


def attendance_groups(question: str) -> tuple[str, ...]:
    """The attendance groups the question asks about ("forfall", "vara"), in a fixed order."""
    return tuple(group for group, pattern in _ATTENDANCE_GROUPS if re.search(pattern, question, re.IGNORECASE))


def amendment_kinds(question: str) -> tuple[str, ...]:
    """The kinds of proposal the question names ("tilleggsforslaget"), () for any."""
    lowered = question.lower()
    return next((kinds for word, kinds in _AMENDMENT_KINDS.items() if word in lowered), ())


_EARLIER_STAGE = re.compile(
    r"\b(første|fyrste|først|opprinnelig\w*|forrige|tidlegare|tidligere|original\w*|first|earlier|previous)\b", re.IGNORECASE
)
_ASKS_WHAT = re.compile(r"\s*(hva|hvilke|kva|kva for|what|which)\b", re.IGNORECASE)


def asks_earlier_stage(question: str) -> bool:
    """"det første utkastet", "the original proposal": an earlier stage of something."""
    return bool(_EARLIER_STAGE.search(question))


def asks_what(question: str) -> bool:
    """It opens with what/which: a list can answer it."""
    return bool(_ASKS_WHAT.match(question))


# ---- references: time, people, bodies ---------------------------------------------------------
# "may" is an English verb far more often than a month: only "in/of May" or "May 2026" count.
_MONTH_RE = re.compile(
    r"\b(" + MONTH_NAMES + r")\b(?:\s+(\d{4}))?"
    r"|\b(?:in|of)\s+(may)\b(?:\s+(\d{4}))?|\b(may)\s+(\d{4})\b",
    re.IGNORECASE,
)
# A day before the month ("4. mars") dates an event the passage talks about, not the discussion.
_DAY_BEFORE = re.compile(r"\d{1,2}\.\s*$")
_ORDINAL_MEETING = re.compile(
    r"\b(?P<which>første|fyrste|first|siste|last|final|andre|second|tredje|third)\s+" + MEETING + r"\s+(?:i|in|of|for|av)\s+(?P<year>\d{4})\b",
    re.IGNORECASE,
)
_ORDINALS = {"første": 1, "fyrste": 1, "first": 1, "andre": 2, "second": 2, "tredje": 3, "third": 3, "siste": -1, "last": -1, "final": -1}
_LATEST = re.compile(r"\b(forrige|siste|førre|seinaste|last|latest|most recent)\s+" + MEETING + r"\b(?!\s+(i|in|of|for)\s+\d{4})", re.IGNORECASE)
_FULL_DATE = re.compile(r"\b\d{1,2}\.\s*(" + NORWEGIAN_MONTHS + r")(\s+\d{4})?\b|\b\d{1,2}\.\d{1,2}\.\d{2,4}\b", re.IGNORECASE)


def months(question: str) -> frozenset[tuple[int | None, int]]:
    """(year or None, month) for each month it names as the time of a discussion."""
    found = set()
    for match in _MONTH_RE.finditer(question):
        name = match.group(1) or match.group(3) or match.group(5)
        year = match.group(2) or match.group(4) or match.group(6)
        if match.group(1) and _DAY_BEFORE.search(question[: match.start(1)]):
            continue
        found.add((int(year) if year else None, MONTHS.get(name.lower(), 5)))
    return frozenset(found)


def ordinal_meetings(question: str) -> tuple[tuple[int, str], ...]:
    """("det siste møtet i 2025") → ((-1, "2025"),): the n-th (-1: last) meeting of a year."""
    return tuple((_ORDINALS[m.group("which").lower()], m.group("year")) for m in _ORDINAL_MEETING.finditer(question))


def dates(question: str) -> tuple[str, ...]:
    """Each day it names, ISO; year 0001 when it gives none ("4. mars")."""
    return tuple(day for m in _FULL_DATE.finditer(question) if (day := parse_norwegian_date(m.group(0), default_year=1)))


def first_date(question: str) -> str | None:
    """The first full date with a year ("18.2.2026", "4. mars 2026")."""
    return parse_norwegian_date(question)


def latest_meeting(question: str) -> bool:
    """"forrige møte", "the last meeting" with no year: the most recent meeting."""
    return bool(_LATEST.search(question))


def meeting_references(question: str) -> tuple[str, ...]:
    return tuple(find_meeting_references(question))


_NAME = re.compile(r"\b[A-ZÆØÅ][a-zæøåé]+(?:\s+[A-ZÆØÅ][a-zæøåé]+)+\b")
_BODY = re.compile(
    r"\b[\wæøå]*(?:styre|utvalg|utval|skap|råd|rådet|komit[eé]|departement|direktorat)(?:et|t|en|ets|s)?\b"
    r"|\b(?:council|committee|board|ministry|directorate)\b",
    re.IGNORECASE,
)


def people(question: str) -> tuple[str, ...]:
    """Names of two or more capitalised words ("Guri Rørtveit"); the first word of the question
    is a name only when a second capitalised word follows it."""
    return tuple(dict.fromkeys(_NAME.findall(question)))


def bodies(question: str) -> tuple[str, ...]:
    """Words for a body ("formannskapet", "Helse- og omsorgsdepartementet", "the council")."""
    return tuple(dict.fromkeys(m.group(0).lower() for m in _BODY.finditer(question)))


# ---- focus: the topic and the question's own words ---------------------------------------------
_TOPIC_PREFIX = re.compile(
    r"^.*?\b(om|on|about|angående|knyttet til|i forbindelse med|syn på|synet på|standpunkt til|view on|views on|position on)\s+", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def topic_phrase(question: str) -> str | None:
    """What the question is about when it says so ("… om fiskeoppdrett" → "fiskeoppdrett"), else None."""
    text = question.strip().rstrip("?.! ")
    match = _TOPIC_PREFIX.match(text)
    return text[match.end():] if match and match.end() < len(text) else None


def topic(question: str) -> str:
    """The topic for a heading: the named topic, or the question itself; at most 80 characters."""
    text = question.strip().rstrip("?.! ")
    return (topic_phrase(question) or text)[:80] or text[:80]


def focus_terms(question: str) -> tuple[str, ...]:
    """The question's content words, lowercased, in order: no question words, auxiliaries or
    pronouns (assistant/vocabulary.py STOP_WORDS)."""
    return tuple(dict.fromkeys(w for w in (m.lower() for m in _WORD.findall(question)) if w not in STOP_WORDS))


_INSTRUCTION = re.compile(
    _POLITE + _WRITE + r"\s+(?:(?:et|en|ei|eit|a|an|the)\s+)?(?:(?:kort|kortfattet|kortfatta|short|brief|nytt|new)\s+)*"
    r"(?:\w+\s+){0,1}?" + _WRITTEN + r"\w*"
    r"(?:\s+til\s+(?:et\s+|en\s+)?(?:høringsinnspill|høringssvar|innspill|brev|uttalelse))?\s*(?:om|til|about|on|for)?\s*",
    re.IGNORECASE,
)
# "…, bygget på det rådet tidligere har ment" says where a draft comes from, not what it is about.
_SOURCE_CLAUSE = re.compile(
    r",?\s+(?:bygget|bygd|basert|bygde|som bygger|med utgangspunkt|based|building|drawing)\s+(?:på|i|on|upon|from)\b.*$",
    re.IGNORECASE,
)


def drafting_topic(request: str) -> str:
    """What a drafting request is about, without the instruction ("Lag et utkast til … om X" → "X")."""
    found = _INSTRUCTION.sub("", request, count=1).strip(" .?!")
    found = _SOURCE_CLAUSE.sub("", found).strip(" ,.?!")
    return found or request


def draft_heading(request: str) -> str:
    """The draft's subject as its heading names it: no "til en ny høring" after it, no
    "innspill til" before it; at most 100 characters."""
    found = drafting_topic(request).strip(" .?!")
    found = re.sub(r"\s+til\s+(en|ei|et)\s+(ny|nye|nytt)\s+(høring|høyring)$", "", found, flags=re.IGNORECASE)
    found = re.sub(r"^(innspill|innspel|høringssvar|høringsinnspill)\s+(til|om)\s+", "", found, flags=re.IGNORECASE)
    return found[:100] or request[:100]


_PART_SPLIT = re.compile(r"(?:,\s*|\s+)(?:og|samt|and)\s+(?=" + WH_WORDS + r"\b)", re.IGNORECASE)


def question_parts(question: str) -> tuple[str, ...]:
    """A question that asks two things ("…, og hvor mange …?") as its separate parts (plus the whole)."""
    pieces = [p.strip(" ,?") for p in _PART_SPLIT.split(question) if p and p.strip(" ,?")]
    return (question, *pieces) if len(pieces) > 1 else (question,)


_RELATING = re.compile(
    r"\b(både|begge|sammen med|henger\b.{0,80}\bsammen|går igjen|gjenfinnes|forskjell\w*|sammenlign\w*|i forhold til|"
    r"tilsvarande|samanlikn\w*|skilnad\w*|both|compare\w*|differ\w*|relate[sd]?|in common|overlap\w*|og hva kom fram|og hva ble)\b",
    re.IGNORECASE,
)


def relates_several(question: str) -> bool:
    """Whether the question relates two things, so that its answer spans two cases or documents."""
    return bool(_RELATING.search(question)) or len(question_parts(question)) > 1


# ---- what analyse() stores ---------------------------------------------------------------------
@dataclass(frozen=True)
class Asks:
    """What the question asks for beyond its answer type: a meeting's agenda, a decision, a
    meeting record (attendance, proposer, vote, a municipal case), an earlier stage, a list."""

    agenda: bool = False
    decision: bool = False
    records: str | None = None  # records_form()
    absence: bool = False
    attendance_groups: tuple[str, ...] = ()
    amendment_kinds: tuple[str, ...] = ()
    earlier_stage: bool = False
    what: bool = False
    several_sources: bool = False


@dataclass(frozen=True)
class References:
    """What the question names besides council case numbers: other case numberings, meetings,
    months, days, ordinal or latest meetings, people and bodies."""

    case_ids: tuple[CaseId, ...] = ()  # every printed case number (municipal, per-year, council)
    meetings: tuple[str, ...] = ()  # every "N/YYYY" meeting reference, also inside a case number's
    months: frozenset = frozenset()  # (year or None, month)
    dates: tuple[str, ...] = ()  # ISO days, year 0001 when unnamed
    first_date: str | None = None
    ordinal_meetings: tuple[tuple[int, str], ...] = ()  # (n, year), n = -1 for the last
    latest_meeting: bool = False
    people: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()

    @property
    def names_a_time(self) -> bool:
        """Whether it names a meeting, a month, a day or an ordinal or latest meeting."""
        return bool(self.meetings or self.months or self.dates or self.ordinal_meetings or self.latest_meeting)


@dataclass(frozen=True)
class Focus:
    """What the question is about: the topic it names, its content words, its parts, and for a
    drafting request the subject of the draft."""

    topic: str = ""  # for headings: the named topic or the question
    topic_phrase: str | None = None  # only what follows "om/about/…"
    terms: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # every word, lowercased, for modules with their own stop words
    parts: tuple[str, ...] = ()
    draft_subject: str = ""  # what a drafting request is about, for the search
    draft_heading: str = ""  # the same as a draft's heading names it


def read_asks(question: str) -> Asks:
    return Asks(
        agenda=asks_agenda(question), decision=bool(DECISION_WORDS.search(question)), records=records_form(question),
        absence=asks_absence(question), attendance_groups=attendance_groups(question), amendment_kinds=amendment_kinds(question),
        earlier_stage=asks_earlier_stage(question), what=asks_what(question), several_sources=relates_several(question),
    )


def read_references(question: str) -> References:
    return References(
        case_ids=tuple(find_case_ids(question)), meetings=meeting_references(question), months=months(question),
        dates=dates(question), first_date=first_date(question), ordinal_meetings=ordinal_meetings(question),
        latest_meeting=latest_meeting(question), people=people(question), bodies=bodies(question),
    )


def read_focus(question: str) -> Focus:
    return Focus(
        topic=topic(question), topic_phrase=topic_phrase(question), terms=focus_terms(question),
        words=tuple(m.lower() for m in _WORD.findall(question)), parts=question_parts(question),
        draft_subject=drafting_topic(question), draft_heading=draft_heading(question),
    )
