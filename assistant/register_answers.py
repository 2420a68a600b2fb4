"""Answers laid out from the case register: a case's card and a topic's decision timeline.

They are the ExtractiveAnswerer's (assistant/extractive.py) register-shaped answers, split from its
search-and-evidence pipeline: what they show is the register's record of each case (title, meeting,
Forslag til vedtak, Vedtak, attachments), cited to the passage that holds it, with the best
evidence sentence beside it. `RegisterAnswers` needs the answerer's `retriever`, `scorer`,
`scorer_for` and `_quotes` (a timeline with no case about the topic falls back to quotes).
"""
from __future__ import annotations

from assistant.answer import Answer, RetrievedPassage
from assistant.case_terms import case_terms_for
from assistant.compose import CitationBook, case_heading_line, gloss, join_paragraphs, quote_line
from assistant.evidence import EvidenceScorer, Sentence
from assistant.prompts import phrase
from assistant.records import part_source
from assistant.retrieval import Hit
from ingest.case_numbers import case_sort_key


class RegisterAnswers:
    """The case card and the decision timeline (see the module docstring)."""

    # ---- case card -----------------------------------------------------------------------------
    def _case_card(self, numbers: list[str], interpretation, lang, role, context) -> Answer:
        book = CitationBook()
        paragraphs = []
        scorer = self.scorer
        query_vector = self.retriever.embed_query(interpretation.retrieval_query)
        cues = interpretation.analysis.evidence_cues(interpretation.retrieval_query)
        for number in numbers[:3]:
            case = self.retriever.cases_for(role)[number]
            chunks = self.retriever.case_chunks(number, role)
            main = [h for h in chunks if h.metadata.get("part") in ("case_paper", "minutes") and h.metadata.get("section_kind") not in ("felter", "forslag", "vedtak")]
            paragraphs.append(case_heading_line(case, lang))
            if case.get("flagged"):
                paragraphs.append(phrase("case_number_note", lang, literal=f"«Sak {case['literal_number']}»"))
            sentences = scorer.score(interpretation.retrieval_query, query_vector, main, "positions", question_cues=cues)
            chosen = _case_background(sentences, main, scorer)
            if chosen:
                lines = [quote_line(s.text, book.cite(s.text, s.metadata)) for s in chosen]
                paragraphs.append(f"**{phrase('heading_background', lang)}:**\n" + "\n".join(lines))
            for key in ("proposal", "decision"):
                text = case.get(key)
                meta = part_source(case, key, chunks, self.retriever.documents)
                if not text or meta is None:
                    continue
                label = phrase("heading_proposal" if key == "proposal" else "heading_decision", lang)
                paragraphs.append(f"**{label}:** {quote_line(text, book.cite(text, meta))}{gloss(text, lang)}")
            if not case.get("decision"):
                # A decision in a document above the caller's level is not "not registered".
                paragraphs.append(phrase("case_decision_not_visible" if case.get("decision_restricted") else "case_no_decision", lang))
            if case.get("vedlegg"):
                paragraphs.append(f"**{phrase('heading_attachments', lang)}:** " + "; ".join(case["vedlegg"]))
            context = context + [RetrievedPassage(chunk_id=h.chunk_id, text=h.text, score=0.0, metadata=h.metadata) for h in chunks[:4]]
        return Answer(answer=join_paragraphs(paragraphs), citations=book.citations, language=lang, route="case_lookup", context=_unique(context))

    # ---- decisions timeline ----------------------------------------------------------------------
    def _timeline(self, interpretation, lang, hits: list[Hit], sentences: list[Sentence], context, visible, role) -> Answer:
        book = CitationBook()
        entries = self._timeline_cases(interpretation, sentences, visible, role)
        entries.sort(key=lambda c: (c.get("date") or "", case_sort_key(c["number"])))
        if not entries:
            return self._quotes(interpretation, lang, "facts", sentences, context, visible)
        topic = interpretation.analysis.focus.topic
        paragraphs = [phrase("timeline_intro", lang, topic=topic)]
        for case in entries:
            key = "decision" if case.get("decision") else "proposal"
            label = phrase("heading_decision" if key == "decision" else "heading_proposal", lang)
            meta = part_source(case, key, self.retriever.case_chunks(case["number"], role), self.retriever.documents)
            text = case[key]
            if meta is None:
                continue
            best = next((s for s in sentences if s.metadata.get("case") == case["number"] and s.text not in text), None)
            lines = [case_heading_line(case, lang)]
            if best:
                lines.append(quote_line(best.text, book.cite(best.text, best.metadata)))
            lines.append(f"{label}: {quote_line(text, book.cite(text, meta))}{gloss(text, lang)}")
            paragraphs.append("\n".join(lines))
        return Answer(answer=join_paragraphs(paragraphs), citations=book.citations, language=lang, route="decisions", context=context)

    def _timeline_cases(self, interpretation, sentences: list[Sentence], visible, role, limit: int = 6) -> list[dict]:
        """Cases about the topic: named in their title or decision, or where the best evidence is.
        Only the cases that use a topic term, or hold the best evidence, are scored (CaseTermIndex),
        not every case of the archive."""
        topic_terms = self.scorer.query_terms(interpretation.analysis.focus.topic)
        evidence_rank: dict[str, int] = {}
        for sentence in sentences[:15]:
            case = sentence.metadata.get("case")
            if case and case not in evidence_rank:
                evidence_rank[case] = len(evidence_rank)
        index = case_terms_for(self.scorer_for(role), self.retriever.cases_for(role))
        found, in_title, in_text = index.shares(topic_terms)
        size = max(len(topic_terms), 1)
        # Hand-set, not fitted: the topic in a case's title (1.2) or decision (0.6), its rank in the
        # evidence (0.8 / (1 + rank)) and the 0.3 floor. No gold item is answered by the decisions
        # timeline (0 of the 90), so there is nothing to fit them on yet.
        scores = {int(p): 1.2 * (int(t) / size) + 0.6 * (int(x) / size) for p, t, x in zip(found, in_title, in_text)}
        for number, rank in evidence_rank.items():
            position = index.position.get(number)
            if position is not None:
                scores[position] = scores.get(position, 0.0) + 0.8 / (1 + rank)
        # Best first; ties in the register's case order, as the scan over every case kept them.
        ranked = sorted((p for p, score in scores.items() if score >= 0.3), key=lambda p: (-scores[p], p))
        cases = self.retriever.cases_for(role)
        chosen = []
        for position in ranked:
            number = index.numbers[position]["number"]
            # Visibility last: it reads the case's passages from the register, so only for the
            # best cases about the topic, until `limit` are found.
            if any(visible(h.metadata) for h in self.retriever.case_chunks(number, role)):
                chosen.append(cases[number])
                if len(chosen) >= limit:
                    break
        return chosen


def _case_background(sentences: list[Sentence], chunks: list[Hit], scorer: EvidenceScorer) -> list[Sentence]:
    """The case's opening sentence plus the two most relevant others, in document order."""
    if not chunks:
        return []
    first_rows = scorer.by_chunk.get(chunks[0].chunk_id, [])
    opening = Sentence(chunks[0].chunk_id, first_rows[0][0], first_rows[0][1], chunks[0].metadata) if first_rows else None
    picked = [opening] if opening else []
    for sentence in sentences:
        if len(picked) >= 3:
            break
        if opening and sentence.text == opening.text:
            continue
        picked.append(sentence)
    order = {cid: i for i, cid in enumerate(h.chunk_id for h in chunks)}
    return sorted(picked, key=lambda s: (order.get(s.chunk_id, 0), s.index))


def _unique(passages: list[RetrievedPassage]) -> list[RetrievedPassage]:
    seen: set[str] = set()
    result = []
    for passage in passages:
        if passage.chunk_id not in seen:
            seen.add(passage.chunk_id)
            result.append(passage)
    return result
