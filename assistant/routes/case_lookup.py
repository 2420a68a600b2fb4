"""A case the question names (or a follow-up continues): its card from the case register. A
case is named by its number in any numbering, or — for a question about a decision at a meeting
it names by number, day or month — by its subject among that meeting's cases ("Ble det fattet
vedtak om innovasjonssaken på møtet 14. januar?")."""
from __future__ import annotations

NAME = "case_lookup"
STAGE = "register"
GENERATE = False


def applies(analysis) -> bool:
    # A council case by its per-year number ("Sak 01/17") is looked up too, whatever the intent.
    return analysis.intent == "case_lookup" or (not analysis.cases and bool(analysis.references.case_ids)) or _decision_at_meeting(analysis)


def _decision_at_meeting(analysis) -> bool:
    """A decision about a subject at a named meeting, not the meeting's agenda or a follow-up."""
    return analysis.references.names_a_time and analysis.asks.decision and not analysis.asks.agenda and not analysis.cases and not analysis.history


def answer(ctx):
    from assistant.meeting_records import council_cases_named

    numbers = ctx.interpretation.cases if ctx.interpretation.route == "case_lookup" else []
    numbers = numbers or council_cases_named(ctx.analysis, ctx.answerer.retriever)
    if not numbers and _decision_at_meeting(ctx.analysis):
        from assistant.agenda import case_named_at_meeting

        found = case_named_at_meeting(ctx.analysis, ctx.scope, ctx.cases)
        numbers = [found] if found else []
        # As for a case named by number (Retriever.search), its passages come first in the context.
        ctx.context = [p for p in ctx.context if p.metadata.get("case") == found] + [p for p in ctx.context if p.metadata.get("case") != found]
    if not numbers:
        return None
    ctx.interpretation.cases = numbers
    card = ctx.answerer._case_card(numbers, ctx.interpretation, ctx.lang, ctx.role, ctx.context)
    return card.model_copy(update={"context": quoted_first(card, ctx.answerer.retriever, ctx.role)})


def quoted_first(card, retriever, role) -> list:
    """The card's context with the passages it quotes first, in the order it quotes them.

    A card is read from the register (the case's own passages, its proposal and decision), not
    from the search: the search on "Hva tas opp under sak N?" ranks the case's passages by words
    the question shares with them (its number, "sak"), so its first passages are headers and the
    proposal line. The passages the card's sentence scoring chose are the ones it was built from;
    they lead, as a search's best hits lead any other answer's context. A quoted passage the
    search did not reach is read from the case (as the card itself read it)."""
    from assistant.answer import RetrievedPassage

    context = list(card.context)
    extra: dict[str, list] = {}
    lead: list = []
    for citation in card.citations:
        quote = " ".join(citation.quote.split())
        if not quote:
            continue
        pool = context
        if citation.case and not any(_holds(p, citation, quote) for p in context):
            if citation.case not in extra:
                extra[citation.case] = [RetrievedPassage(chunk_id=h.chunk_id, text=h.text, score=0.0, metadata=h.metadata)
                                        for h in retriever.case_chunks(citation.case, role)]
            pool = extra[citation.case]
        found = next((p for p in pool if _holds(p, citation, quote)), None)
        if found is not None and all(p.chunk_id != found.chunk_id for p in lead):
            lead.append(found)
    chosen = {p.chunk_id for p in lead}
    return lead + [p for p in context if p.chunk_id not in chosen]


def _holds(passage, citation, quote: str) -> bool:
    """The passage is the cited one: same document and case, and it holds the quote (a short
    decision such as "Intet." recurs in other cases of the same minutes)."""
    meta = passage.metadata
    return meta.get("doc_id") == citation.doc_id and meta.get("case") == citation.case and quote in " ".join(passage.text.split())
