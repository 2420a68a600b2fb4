"""Which cases use a term in their title or their decision (or proposal), for the decision timeline.

A timeline ("hva er vedtatt om …") scores cases by the share of the topic's terms their title and
decision use. Scoring every case of the register on every such question cost 1.4 s at 100k
synthetic chunks and grows with the archive. This index is built once per role and index version
(in one streamed pass over the register, ingest/store/case_view.py) and keeps, per term, the
positions of the cases that use it, as int32 arrays: a question then counts the topic's terms over
the few cases that use any of them. Terms are the evidence scorer's (`scorer.terms`), so the counts
are the ones the full scan computed.
"""
from __future__ import annotations

from array import array
from typing import Callable

import numpy as np

from ingest.store.case_view import CaseView


class CaseTermIndex:
    def __init__(self, view: CaseView, terms: Callable[[str], set[str]]):
        title: dict[str, array] = {}
        text: dict[str, array] = {}
        self.position: dict[str, int] = {}
        for position, number, case_title, case_text in view.texts():
            if not case_text:
                continue  # a case with neither decision nor proposal has no place on a timeline
            self.position[number] = position
            for term in terms(case_title):
                title.setdefault(term, array("i")).append(position)
            for term in terms(case_text):
                text.setdefault(term, array("i")).append(position)
        self.size = len(view.listing())
        self.title = {t: np.frombuffer(a, dtype=np.int32) for t, a in title.items()}
        self.text = {t: np.frombuffer(a, dtype=np.int32) for t, a in text.items()}
        self.numbers = view.listing()

    def shares(self, topic_terms: set[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions of the cases using any topic term, how many topic terms each one's title uses,
        how many its decision or proposal uses)."""
        in_title = np.zeros(self.size, dtype=np.int32)
        in_text = np.zeros(self.size, dtype=np.int32)
        for term in topic_terms:
            # Each term's positions are distinct (one entry per case), so a fancy-index add counts.
            if term in self.title:
                in_title[self.title[term]] += 1
            if term in self.text:
                in_text[self.text[term]] += 1
        found = np.nonzero(in_title + in_text)[0]
        return found, in_title[found], in_text[found]


def case_terms_for(scorer, view: CaseView) -> CaseTermIndex:
    """The role's index (`scorer` and `view` are the role's), built once per index version: cached
    on the role's evidence scorer, which is rebuilt with the index."""
    if getattr(scorer, "case_terms", None) is None:
        scorer.case_terms = CaseTermIndex(view, scorer.terms)
    return scorer.case_terms
