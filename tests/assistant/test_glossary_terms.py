"""The English glossary is the archive's own frequent vocabulary, not the words of questions.

Every Norwegian word the glossary gives an English question must be one of corpus/'s frequent
words (evals/glossary_source.py): a word chosen because some question used it, and the archive
barely does, fails here.
"""
from __future__ import annotations

from assistant.glossary import NB_TO_EN, english_terms, expand_query
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
    assert "flaskehalser" in expand_query("Which bottlenecks delay access?", "en")
    assert expand_query("Hva er flaskehalsene?", "nb") == "Hva er flaskehalsene?"


def test_an_english_word_is_the_same_council_term_in_its_regular_forms():
    # The glossary writes a word once ("regulations", "council members", "suggests"); a question
    # says it in another regular form, and still means the archive's word.
    assert "regelverk" in expand_query("Which regulation applies to registry data?", "en")
    assert "rådsmedlemmer" in expand_query("Which council member raised the issue?", "en")
    assert "foreslår" in expand_query("What did the working group suggest?", "en")
    assert "anbefalinger" in expand_query("What is the report's main recommendation?", "en")
    # A form that is another entry's own word stays that entry's: "study" is undersøkelse, not a
    # singular of "studies" (studier) …
    study = expand_query("Which study did the secretariat carry out?", "en")
    assert "undersøkelse" in study and "studier" not in study
    # … and a stop word's form adds nothing: "case" is not "cases" (saker).
    assert "saker" not in expand_query("What was decided in case 20/2/2026?", "en")


def test_hearing_about_something_is_not_a_consultation():
    # "hearing" in an English question is the -ing of "hear", not the council's høring.
    assert "høring" not in expand_query("What did the council decide after hearing about Arendalsuka?", "en")
    assert "høring" in expand_query("Which consultation did the council answer?", "en")
