"""What a question is searched with, and what a follow-up borrows from the conversation.

The question is read once, in assistant/analysis.py (its intent, references and focus); which
route answers it is decided in one place, assistant/routes/. Only a referential question ("Og hva
ble vedtatt?", "And how do the caseworkers see it?") borrows the cases and topic of the turns it
continues; any other question is searched and routed as if asked fresh.

A follow-up is searched with the turns it continues (the latest answer's opening helps find the
referent's passages), but its evidence is scored on its own words and its referent only: the
questions it continues, the person a personal pronoun stands for, and — only when a pronoun
stands for a thing ("endre det?") — the latest answer's own words, where that thing was said.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from assistant.analysis import QuestionAnalysis, analyse


@dataclass
class Interpretation:
    question: str
    route: str  # the question's intent (analysis.intent); the route that answers is chosen in assistant/routes/
    cases: list[str] = field(default_factory=list)  # case numbers the question is about
    meetings: list[str] = field(default_factory=list)
    retrieval_query: str = ""
    # What evidence sentences are scored against. For a follow-up: its own words and the turns it
    # continues, without the archive sentences the last answer quoted. Those quotes help retrieval
    # find the referent's passages, but scored against, they rank the sentences already shown
    # above the one that answers the new question. When the referent is a case, the answerer
    # scores on own_query and the case's title instead (assistant/extractive.py).
    evidence_query: str = ""
    own_query: str = ""  # the search text without anything from the conversation
    follow_up: bool = False
    history_terms: str = ""
    analysis: QuestionAnalysis | None = None


def interpret(question: str, history: list[dict] | None = None, analysis: QuestionAnalysis | None = None) -> Interpretation:
    analysis = analysis or analyse(question, history)
    follow_up = analysis.uses_history
    history_text = analysis.referent_text if follow_up else ""
    route = analysis.intent
    # A drafting request is searched by its subject, not by the instruction to write.
    own = analysis.focus.draft_subject if route == "drafting" else question
    query = evidence_query = own
    if follow_up:
        # The evidence is scored on the question and its referent — the questions it continues
        # and the person a pronoun stands for — not on the latest answer's prose, whose words are
        # about what was asked before ("Hvorfor ikke helsenæring?" after a proposal: the sentence
        # giving the reason uses "helsenæring", not the proposal's words the answer repeated).
        # A pronoun for a thing ("endre det?", "see it?") stands for what the latest answer said:
        # then its own words (not the archive sentences it quoted) are part of the referent.
        referent = analysis.referent_own_words if analysis.points_at_thing else analysis.referent_questions
        evidence_query = " ".join(p for p in (own, analysis.referent_person, referent) if p).strip()
        query = f"{own} {history_text}".strip()
    history_cases = list(analysis.referent_cases) if follow_up else []
    return Interpretation(
        question=question,
        route=route,
        cases=list(analysis.cases) or (history_cases[:1] if route == "case_lookup" else []),
        meetings=list(analysis.meetings),
        retrieval_query=query,
        evidence_query=evidence_query,
        own_query=own,
        follow_up=follow_up,
        history_terms=history_text,
        analysis=analysis,
    )
