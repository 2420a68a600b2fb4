"""The English glossary is the archive's own frequent vocabulary, not the words of questions.

Every Norwegian word the glossary gives an English question must be one of corpus/'s frequent
words (evals/glossary_source.py): a word chosen because some question used it, and the archive
barely does, fails here.
"""
from __future__ import annotations

from assistant.glossary import NB_TO_EN, english_terms, expand_query
from assistant.search_words import search_words
from assistant.glossary_terms import EN_TO_NB
from evals.glossary_source import candidates, is_candidate


def test_every_norwegian_glossary_word_is_one_of_the_archives_frequent_words():
    assert len(candidates()) > 300
    words = {word for forms in EN_TO_NB.values() for word in forms}
    assert len(words) > 250
    assert sorted(w for w in words if not is_candidate(w)) == []


def test_a_word_the_archive_barely_uses_is_not_a_candidate():
    # "operasjonsstue" and "forfall" occur in one paragraph or none; "personvern" in several.
    assert not is_candidate("operasjonsstue") and not is_candidate("forfall")
    assert is_candidate("personvern") and is_candidate("kunstig intelligens")


def test_the_glossary_reads_both_ways():
    assert english_terms("personvernet") == "privacy"
    assert english_terms("arbeidsgruppen") == "working group"
    assert NB_TO_EN["saksliste"] == "agenda"
    assert "flaskehalser" in expand_query(search_words("Which bottlenecks delay access?", "en"))
    assert expand_query(search_words("Hva er flaskehalsene?", "nb")) == "Hva er flaskehalsene?"

