"""The answerer reads only what a question needs: no pass over every chunk, sentence or text.

The stores are the real corpus index; the register reader is wrapped so that any whole-archive
iteration (every chunk's text or metadata, every sentence) fails the test. Questions that go
through scoring, a refusal for a word the archive never uses, a refusal for an unknown case
number, a decision record and a meeting named by number must all be answered without one.
"""
from __future__ import annotations

import pytest


class Scanned(AssertionError):
    pass


@pytest.fixture
def guarded(assistant, monkeypatch):
    """The session assistant with a fresh scorer, and every whole-archive read turned into an error."""
    from ingest.store.chunk_reader import ChunkReader, _Field, _Sentences

    def refuse(*args, **kwargs):
        raise Scanned("a whole-archive scan on the path of an answer")

    for cls, name in ((_Field, "__iter__"), (_Field, "items"), (_Field, "values"), (_Sentences, "__iter__")):
        monkeypatch.setattr(cls, name, refuse)
    original = ChunkReader.ids_where

    def ids_where(self, doc_id=None):
        if doc_id is None:
            refuse()
        return original(self, doc_id)

    monkeypatch.setattr(ChunkReader, "ids_where", ids_where)
    monkeypatch.setattr(assistant.extractive, "_scorers", {})  # built anew under the guard
    return assistant


QUESTIONS = [
    ("Hvor mange personer ble intervjuet om tilgang til registerdata?", False),
    ("Hva har rådet vedtatt om innovasjon i helsetjenesten?", False),
    ("Hvem er med i arbeidsgruppen?", False),
    ("Hva mener rådet om fiskeoppdrett?", True),        # a topic the archive never uses
    ("Hva ble vedtatt i sak 41/9/2031?", True),        # a case number the register lacks
    ("Hva ble diskutert på møte 2/2026?", False),
]


@pytest.mark.parametrize("question, refused", QUESTIONS)
@pytest.mark.parametrize("role", [None, "member"])
def test_an_answer_reads_no_whole_archive(guarded, question, refused, role):
    answer = guarded.ask(question, role=role)
    assert answer.refused is refused, answer.answer
    assert answer.answer


def test_the_guard_catches_a_scan(guarded):
    """The guard itself: iterating the register's texts fails (so the test above can fail)."""
    with pytest.raises(Scanned):
        next(iter(guarded.extractive.retriever.texts.items()))
