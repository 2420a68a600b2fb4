"""The default answerer: grounded quotes with citations, no language model.

Its quality comes from the council structure built at ingest: case cards come from the case
register, decision timelines from the cases' Vedtak texts in date order, positions from the
council's own stated views, and everything else from the best-scoring archive sentences.
The case card and the decision timeline are laid out in assistant/register_answers.py.
"""
from __future__ import annotations

from dataclasses import replace

import contextvars
import re

from assistant.answer import Answer, RetrievedPassage
from assistant.case_terms import case_terms_for
from assistant.compose import CitationBook, gloss, join_paragraphs, quote_line
from assistant.pointers import meeting_cases_pointer
from assistant.evidence import EvidenceScorer, Sentence
from assistant.fitted import refusal_model
from assistant.quote_selection import quote_policy, reweighed
from assistant.register_answers import RegisterAnswers
from assistant.holdings import evidence_refusal, holdings_refusal, title_terms, value_note, view_for
from assistant.glossary import archive_words, expand_query
from assistant.passages import PassageReader, is_list_lead, strip_bullet
from assistant.prompts import phrase
from assistant.reranking import RankHints
from assistant.retrieval import Hit, Retriever, SearchFilters
from assistant import routes
from assistant.routing import Interpretation
from assistant.planning import (
    records_over_summaries, select_diverse, without_restatements, with_decision_records, with_each_part, with_earlier_case,
    with_lead_decision, with_primary_record,
)
from assistant.temporal import known_meetings, time_scope
from ingest.sentences import split_sentences

# Sizes of the candidate pool (and, below, the search depth 2k, 4k for a draft), hand-set, not
# fitted: they bound what the fitted fusion ranks and the fitted quote policy chooses from; a
# larger pool changes answers only through those fitted models and the sentence score.
CONTEXT_K = 8
DRAFT_K = 16  # a draft gathers the council's positions across many cases
# Beyond the top passages, the best passage of a few more cases is scored too: one case's many
# passages must not crowd out the case that holds the answer ("who was given the task").
EXTRA_CASES = 4
DRAFT_PER_SOURCE = 6
# Quotes per route before the fitted policy (assistant/quote_selection.py) adds to them: a fact
# is answered in a few sentences, a position or guide in a few more. The levels are fitted (the
# policy's extra_quotes), the differences between routes are not (too few items per route).
MAX_QUOTES = {"facts": 3, "onboarding": 4, "positions": 4, "drafting": 8}

# The role of the question being answered. Everything the answer reads through `self.scorer`
# (vocabulary, term statistics, meetings the archive knows) is that role's view of the archive.
# Outside answer() it is None, the local operator, who sees everything.
_CALLER_ROLE: contextvars.ContextVar[str | None] = contextvars.ContextVar("caller_role", default=None)


class ExtractiveAnswerer(RegisterAnswers):
    def __init__(self, retriever: Retriever):
        self.retriever = retriever
        self._scorers: dict[tuple[str, ...], EvidenceScorer] = {}
        self._scorer_version = None
        # Refuse when the evidence does not answer, by a model fitted on held-out data, not
        # hand-set: `python -m evals.fit` writes it to assistant/fitted.json; the eval's
        # cross-validation sets it per fold (fitted on the training folds, applied to the held-out
        # fold). None never refuses on evidence (the eval's fitting pass).
        self.refusal_model = refusal_model()
        # How many quotes and how much of their paragraphs: fitted the same way (evals/fit_quotes.py).
        self.quote_policy = quote_policy()

    def scorer_for(self, role: str | None) -> EvidenceScorer:
        """The evidence scorer over what `role` may read: built once per role and index version."""
        from ingest.models import allowed_access

        levels = allowed_access(role)
        if self._scorer_version != self.retriever._version:
            self._scorers = {}
            self._scorer_version = self.retriever._version
        scorer = self._scorers.get(levels)
        if scorer is None:
            scorer = self._scorers[levels] = EvidenceScorer(self.retriever, levels)
        return scorer

    @property
    def scorer(self) -> EvidenceScorer:
        return self.scorer_for(_CALLER_ROLE.get())

    @property
    def passages(self) -> PassageReader:
        return PassageReader(self.retriever, self.scorer)

    # ---- entry -------------------------------------------------------------------------------------
    def answer(self, interpretation: Interpretation, lang: str, filters: SearchFilters | None, role: str | None) -> Answer:
        token = _CALLER_ROLE.set(role)
        try:
            return self._answer(interpretation, lang, filters, role)
        finally:
            _CALLER_ROLE.reset(token)

    def _answer(self, interpretation: Interpretation, lang: str, filters: SearchFilters | None, role: str | None) -> Answer:
        # Which routes fit the question is decided once (assistant/routes/); each answers at its
        # stage, the refusals for what the archive does not hold standing between the stages.
        candidates = routes.applicable(interpretation.analysis)
        ctx = routes.RouteContext(self, interpretation, lang, role, filters)
        if (answer := routes.answer("records", candidates, ctx)) is not None:
            return answer
        self.retriever.refresh()
        # Only the parts of case records from documents the caller may read (see merge_cases).
        cases = self.retriever.cases_for(role)
        route = interpretation.route
        named = interpretation.cases
        searched, evidence = interpretation.retrieval_query, interpretation.evidence_query
        analysis = interpretation.analysis
        interpretation.retrieval_query = expand_query(analysis.search_words(searched, lang), self.scorer.vocabulary)
        # Evidence is scored on what the question says (routing.Interpretation.evidence_query). A
        # follow-up whose referent is a case is scored on its own words and that case's title (the
        # words the case's passages use; its number would match other cases' passages citing it):
        # the earlier turns' words are about what was asked before, and outrank the new question's.
        referent = interpretation.analysis.referent_cases[:1] if interpretation.follow_up else ()
        if referent and referent[0] in cases:
            evidence = f"{interpretation.own_query} {cases[referent[0]].get('title') or ''}".strip()
        same = evidence in ("", searched)
        interpretation.evidence_query = interpretation.retrieval_query if same else expand_query(analysis.search_words(evidence, lang), self.scorer.vocabulary)
        k = DRAFT_K if route == "drafting" else CONTEXT_K
        ranked = self.retriever.search(interpretation.retrieval_query, k=(4 if route == "drafting" else 2) * k, filters=filters, role=role,
                                       hints=replace(RankHints.from_analysis(interpretation.analysis),
                                                     coverage_query=archive_words(analysis.search_words(searched, lang))))
        hits = ranked[:k]
        context = [RetrievedPassage(chunk_id=h.chunk_id, text=h.text, score=h.score, metadata=h.metadata) for h in hits]
        scope = time_scope(interpretation.analysis.references, self.meetings_for(role))
        # A case, meeting, time, outcome, document or topic the archive does not hold is refused
        # before any evidence is read, from the register and the lexical index (assistant/holdings.py).
        refusal = holdings_refusal(interpretation, self._archive_view(role), scope, lang, hits)
        if refusal is not None:
            if refusal.case:
                return self._refuse_case(refusal.case, interpretation, lang, role, context)
            return self._refuse(refusal.text, interpretation, lang, hits, context, role)
        ctx.cases, ctx.context, ctx.hits, ctx.scope = cases, context, hits, scope
        if (answer := routes.answer("register", candidates, ctx)) is not None:
            return answer
        query_vector = self.retriever.embed_query(interpretation.evidence_query)
        parts = [(p, self.retriever.embed_query(p)) for p in _search_parts(interpretation)]
        pool = self._candidate_pool(ranked, k, scope, filters, role)
        cues = interpretation.analysis.evidence_cues(interpretation.evidence_query, tuple(p for p, _ in parts[1:]))
        sentences = self.scorer.score(interpretation.evidence_query, query_vector, pool, route, part_vectors=parts, scope=scope, lang=lang, question_cues=cues)
        # The evidence answers or not, by the fitted model; its features travel with the answer
        # (not in its public JSON) so the eval can fit the model on them.
        refusal, features = evidence_refusal(interpretation, sentences, self.scorer, lang, self.refusal_model)
        measured = {"evidence_similarity": features["dense"] if sentences else None, "evidence_features": features}
        if refusal is not None:
            return self._refuse(refusal.text, interpretation, lang, hits, context, role).model_copy(update=measured)
        # What a caller may be shown beyond the pool: the records and decisions planning adds.
        ctx.sentences, ctx.visible = sentences, self.retriever.visibility(filters, role)
        answer = routes.answer("evidence", candidates, ctx)
        note = value_note(interpretation.analysis, answer, lang)  # "none of the quotes states it"
        if note:
            measured["answer"] = join_paragraphs([note, answer.answer])
        return answer.model_copy(update=measured)

    @property
    def meetings(self) -> set[str]:
        """Meetings the caller's part of the archive holds or mentions (cached on its scorer)."""
        return self.meetings_for(_CALLER_ROLE.get())

    def meetings_for(self, role: str | None) -> set[str]:
        """Meetings the archive holds or mentions, in what the caller may read (cached on the
        role's scorer, which is rebuilt with the index)."""
        scorer = self.scorer_for(role)
        if getattr(scorer, "meetings", None) is None:
            held = {c.get("meeting") for c in self.retriever.cases_for(role).listing()}
            scorer.meetings = known_meetings(held, ()) | scorer.mentioned_meetings()  # counted at ingest
        return scorer.meetings

    def _archive_view(self, role: str | None):
        """What the refusal rules read of the caller's archive, built once per role and index
        version (cached on the role's scorer, which is rebuilt with the index)."""
        scorer = self.scorer_for(role)
        if getattr(scorer, "archive_view", None) is None:
            scorer.archive_view = view_for(self.retriever, scorer, role)
            # The timeline's index and the titles' terms are built with the view, on the role's
            # first question, so no later question waits for them (at 1M synthetic chunks a
            # first document question waited 3.7 s for the titles).
            case_terms_for(scorer, self.retriever.cases_for(role))
            title_terms(scorer.archive_view)
        return scorer.archive_view

    def _candidate_pool(self, ranked: list[Hit], k: int, scope, filters, role) -> list[Hit]:
        """The top passages, the best passage of further cases, and the cases of a meeting the
        question names only by when it was ("the last meeting of 2025" → "referat fra møte 3/2025")."""
        if k == DRAFT_K:
            # A draft builds on the council's positions across cases, not on one report's pages.
            per_source: dict[str, int] = {}
            pool = []
            for hit in ranked:
                key = hit.metadata.get("case") or hit.metadata.get("doc_id", "")
                if per_source.get(key, 0) < DRAFT_PER_SOURCE and len(pool) < k:
                    pool.append(hit)
                    per_source[key] = per_source.get(key, 0) + 1
        else:
            pool = list(ranked[:k])
        seen_cases = {h.metadata.get("case") for h in pool}
        for hit in ranked[k:]:
            case = hit.metadata.get("case")
            if len(pool) >= k + EXTRA_CASES:
                break
            if case and case not in seen_cases:
                pool.append(hit)
                seen_cases.add(case)
        in_pool = {h.chunk_id for h in pool}
        # A case's decision is its most quotable sentence: every case in the pool brings its Vedtak,
        # or its Forslag til vedtak while the minutes that record the decision are not archived.
        for case in [c for c in dict.fromkeys(h.metadata.get("case") for h in pool) if c]:
            chunks = self.retriever.case_chunks(case, role, filters)
            kind = "vedtak" if any(h.metadata.get("section_kind") == "vedtak" for h in chunks) else "forslag"
            for hit in chunks:
                if hit.metadata.get("section_kind") == kind and hit.chunk_id not in in_pool:
                    pool.append(hit)
                    in_pool.add(hit.chunk_id)
        if scope.meetings:
            for case in self.retriever.cases_for(role).listing():
                number = case["number"]
                if scope.mentions_meeting(case.get("title", "")) and number not in seen_cases:
                    pool.extend(h for h in self.retriever.case_chunks(number, role, filters) if h.chunk_id not in in_pool)
        return pool

    # ---- refusals ------------------------------------------------------------------------------
    def _refuse_case(self, number: str, interpretation, lang, role, context) -> Answer:
        # The caller's passages that use the number (its postings in the lexical store), checked
        # as a literal: which cases mention it.
        pattern = re.compile(r"(?<![\d/])" + re.escape(number) + r"(?!\d)")
        related = []
        for _, text, meta in self.scorer_for(role).passages_mentioning(number):
            if pattern.search(text) and meta.get("case") and meta["case"] not in related:
                related.append(meta["case"])
        text = phrase("refusal_case_not_found", lang, case=number)
        pointer = meeting_cases_pointer(number, self.retriever.cases_for(role).listing(), lang)
        return Answer(answer=join_paragraphs([text, pointer, self._nearest(related, lang, role)]), refused=True, language=lang, route=interpretation.route, context=context)

    def _refuse(self, text: str, interpretation, lang, hits: list[Hit], context, role) -> Answer:
        related = []
        for hit in hits:
            case = hit.metadata.get("case")
            if case and case not in related:
                related.append(case)
        return Answer(answer=join_paragraphs([text, self._nearest(related[:3], lang, role)]), refused=True, language=lang, route=interpretation.route, context=context)

    def _nearest(self, numbers: list[str], lang: str, role) -> str:
        cases = self.retriever.cases_for(role)
        lines = [f"- Sak {n}: {cases[n]['title']} ({cases[n].get('date') or cases[n].get('meeting')})" for n in numbers if n in cases]
        return (phrase("nearest_cases_intro", lang) + "\n" + "\n".join(lines)) if lines else ""

    # ---- quotes (facts, positions, onboarding) ----------------------------------------------------
    def _quotes(self, interpretation, lang, route, sentences: list[Sentence], context, visible) -> Answer:
        asks = interpretation.analysis.asks
        policy = self.quote_policy
        sentences = reweighed(sentences, policy.answer_weight)
        chosen = select_diverse(sentences, MAX_QUOTES.get(route, 4) + policy.extra_quotes, route, asks.several_sources, policy)
        chosen = with_each_part(chosen, sentences)
        chosen = without_restatements(with_earlier_case(chosen, sentences, asks.earlier_stage))
        question_terms = self.scorer.query_terms(interpretation.retrieval_query)
        chosen = with_primary_record(chosen, sentences, question_terms, self.scorer, visible)
        chosen = records_over_summaries(chosen, question_terms, self.scorer.terms)
        chosen = with_decision_records(chosen, lambda names, shared: [d for d in self.scorer.decisions_naming(names, shared) if visible(d.metadata)])
        if asks.decision:
            chosen = with_lead_decision(chosen, sentences)
        chosen = self.passages.with_list_leads(chosen)
        chosen, list_leads = self.passages.whole_lists(chosen, asks.what)
        book = CitationBook()
        intro = {
            "positions": phrase("positions_intro", lang, topic=interpretation.analysis.focus.topic),
            "onboarding": phrase("onboarding_intro", lang),
        }.get(route, phrase("facts_intro", lang))
        lines = []
        # A guide explains (every quote read on), a fact answers (the fitted number of quotes).
        expand = MAX_QUOTES["onboarding"] if route == "onboarding" else policy.expanded
        shown: set[str] = set()
        for rank, sentence in enumerate(chosen):
            text = strip_bullet(sentence.text)
            if text in shown:
                continue
            if is_list_lead(text) or id(sentence) in list_leads:
                items = self.passages.list_after(sentence)
                if items:
                    lines.append(f"{text} {book.cite(text, sentence.metadata)}")
                    lines.extend(f"- {item} {book.cite(item, meta)}" for item, meta in items)
                    shown.update(item for item, _ in items)
                    continue
            text = self.passages.with_antecedent(sentence, text, shown)
            if rank < expand:
                text = self.passages.paragraph_from(sentence, text, policy.paragraph_sentences, policy.paragraph_chars)
            shown.update(strip_bullet(part) for part in split_sentences(text))
            label = {"vedtak": "heading_decision", "forslag": "heading_proposal"}.get(sentence.metadata.get("section_kind"))
            prefix = f"{phrase(label, lang)}: " if label else ""  # a proposal must not read as the decision
            lines.append(prefix + quote_line(text, book.cite(text, sentence.metadata)) + gloss(text, lang))
        return Answer(answer=join_paragraphs([intro, "\n".join(lines)]), citations=book.citations, language=lang, route=route, context=context)

    # ---- drafting (assistant/drafting.py) --------------------------------------------------------


def _search_parts(interpretation: Interpretation) -> list[str]:
    """The search text, then each part of a question that asks two things (analysis.focus.parts),
    the last part carrying what the search adds to the question (glossary words, the turns a
    follow-up continues)."""
    query, question = interpretation.evidence_query or interpretation.retrieval_query, interpretation.question
    if not query.startswith(question):  # a draft is searched by its subject, not by the request
        return [query]
    pieces = list(interpretation.analysis.focus.parts[1:])
    if pieces:  # the last part runs to the end of the search text
        pieces[-1] = query[question.rfind(pieces[-1]):].strip(" ,?")
    return [query, *pieces]


def _levels(role):
    from ingest.models import allowed_access

    return allowed_access(role)
