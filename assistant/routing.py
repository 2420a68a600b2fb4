"""Which kind of question this is, and what a follow-up borrows from the conversation.

Routes: case_lookup, decisions, positions, onboarding, drafting, facts (and meeting_agenda, which
the answerer takes when a question names a meeting it holds; see assistant/agenda.py). Whether a
question refers back, and to what, is decided once in assistant/analysis.py: only a referential
question ("Og hva ble vedtatt?", "And how do the caseworkers see it?") borrows the cases and
topic of the turns it continues; any other question is routed as if asked fresh.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.analysis import QuestionAnalysis, analyse
from ingest.case_numbers import find_case_references

# An instruction to write something, not a question about who wrote what.
_POLITE = r"^\s*(?:(?:kan|kunne) (?:du|dere) |vær så snill å |please |could you |can you )?"
_WRITE = r"(?:lag|skriv|utarbeid|formuler|sett opp|lage|skrive|gjer|gjør|draft|write|prepare|compose)"
_WRITTEN = (
    r"(?:utkast|brev|notat|innspill|innspel|høringssvar|høringsinnspill|tekst|svar|letter|draft|response|memo|"
    r"input|statement|oppfølgingsbrev|uttalelse|uttale|stikkord|stikkordsliste|talepunkt|talepunkter|talking points)"
)
_DRAFTING = re.compile(_POLITE + _WRITE + r"\b.{0,60}\b" + _WRITTEN, re.IGNORECASE)
DECISION_WORDS = re.compile(
    r"\b(vedtatt|vedteke|vedtok|vedtak(ene)?|bestemt|besluttet|konkluder\w*|decided|decisions?|resolved?|resolutions?|concluded)\b",
    re.IGNORECASE,
)
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
_ONBOARDING = re.compile(
    r"\b(ny i rådet|nytt medlem|ny medlem|new member|mandat|mandate|oppdrag(et)?|hvordan fungerer|korleis fungerer|how do(es)?|how are|"
    r"habilitet\w*|inhabil\w*|eventuelt|saksliste|rådsmøte\w*|møta|møtene|sekretariat\w*|medlemmer|members|secretariat|handlingsplan\w*)\b",
    re.IGNORECASE,
)
_ONBOARDING_QUESTION = re.compile(r"\b(hvordan|korleis|how|hva er|kva er|what is|hvem er|kven er|who are|jeg er ny|eg er ny|i am new)\b", re.IGNORECASE)
@dataclass
class Interpretation:
    question: str
    route: str
    cases: list[str] = field(default_factory=list)  # case numbers the question is about
    meetings: list[str] = field(default_factory=list)
    retrieval_query: str = ""
    follow_up: bool = False
    history_terms: str = ""
    analysis: QuestionAnalysis | None = None


def interpret(question: str, history: list[dict] | None = None, analysis: QuestionAnalysis | None = None) -> Interpretation:
    analysis = analysis or analyse(question, history)
    cases = list(analysis.cases)
    meetings = list(analysis.meetings)
    follow_up = analysis.uses_history
    history_cases = list(analysis.referent_cases) if follow_up else []
    history_text = analysis.referent_text if follow_up else ""
    route = classify(question, cases or (history_cases if follow_up else []), follow_up)
    query = question if not follow_up else f"{question} {history_text}".strip()
    if route == "drafting":
        query = drafting_topic(query)
    return Interpretation(
        question=question,
        route=route,
        cases=cases or (history_cases[:1] if follow_up and route == "case_lookup" else []),
        meetings=meetings,
        retrieval_query=query,
        follow_up=follow_up,
        history_terms=history_text,
        analysis=analysis,
    )


def classify(question: str, cases: list[str], follow_up: bool = False) -> str:
    if _DRAFTING.search(question):
        return "drafting"
    if cases and (not follow_up or DECISION_WORDS.search(question) or re.search(r"\b(handlet|handla|about|om)\b", question, re.I)):
        if not _TOPIC_DECISIONS.search(question) or find_case_references(question):
            return "case_lookup"
    if _TOPIC_DECISIONS.search(question):
        return "decisions"
    if _POSITIONS.search(question) and re.search(r"\b(råd\w*|council|medlem\w*|members?)\b", question, re.I):
        return "positions"
    if _ONBOARDING.search(question) and _ONBOARDING_QUESTION.search(question):
        return "onboarding"
    return "facts"


_PART_SPLIT = re.compile(
    r"(?:,\s*|\s+)(?:og|samt|and)\s+(?=(?:hva|hvor|hvem|hvilke|hvilken|når|hvordan|hvorfor|kva|kor|kven|korleis|kvifor|what|how|who|when|which|why)\b)",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """A question that asks two things ("…, og hvor mange …?") as its separate parts (plus the whole)."""
    pieces = [p.strip(" ,?") for p in _PART_SPLIT.split(question) if p and p.strip(" ,?")]
    return [question] + pieces if len(pieces) > 1 else [question]


_INSTRUCTION = re.compile(
    _POLITE + _WRITE + r"\s+(?:(?:et|en|ei|eit|a|an|the)\s+)?(?:(?:kort|kortfattet|kortfatta|short|brief|nytt|new)\s+)*"
    r"(?:\w+\s+){0,1}?" + _WRITTEN + r"\w*"
    r"(?:\s+til\s+(?:et\s+|en\s+)?(?:høringsinnspill|høringssvar|innspill|brev|uttalelse))?\s*(?:om|til|about|on|for)?\s*",
    re.IGNORECASE,
)


def drafting_topic(request: str) -> str:
    """What a drafting request is about, without the instruction ("Lag et utkast til … om X" → "X")."""
    topic = _INSTRUCTION.sub("", request, count=1).strip(" .?!")
    topic = _SOURCE_CLAUSE.sub("", topic).strip(" ,.?!")
    return topic or request


# "…, bygget på det rådet tidligere har ment" says where a draft comes from, not what it is about.
_SOURCE_CLAUSE = re.compile(
    r",?\s+(?:bygget|bygd|basert|bygde|som bygger|med utgangspunkt|based|building|drawing)\s+(?:på|i|on|upon|from)\b.*$",
    re.IGNORECASE,
)


_RELATING = re.compile(
    r"\b(både|begge|sammen med|henger\b.{0,80}\bsammen|går igjen|gjenfinnes|forskjell\w*|sammenlign\w*|i forhold til|"
    r"tilsvarande|samanlikn\w*|skilnad\w*|both|compare\w*|differ\w*|relate[sd]?|in common|overlap\w*|og hva kom fram|og hva ble)\b",
    re.IGNORECASE,
)


def wants_several_sources(question: str) -> bool:
    """Whether the question relates two things, so that its answer spans two cases or documents."""
    return bool(_RELATING.search(question)) or len(question_parts(question)) > 1
