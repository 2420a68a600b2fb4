"""What a member is told never depends on words only restricted documents use.

The index is the real corpus plus one confidential note with made-up words. A member who asks
about such a word, a prefix of it or a misspelling of it must get the answer a word that exists
nowhere gets (the same refusal, only the echoed word differs) and exactly the answer the same
question gets from the corpus without the note. Admin, who may read the note, is answered from it.
"""
from __future__ import annotations

import re
import shutil

import pytest

from assistant.analysis import analyse

CONFIDENTIAL = """# Styrenotat om Kobolthauk-avtalen

Rådet forhandler i fortrolighet om avtalen kobolthauk med Helsedataservice. Tindrevikmodellen for
deling av registerdata skal prøves ut i tre regioner før avtalen signeres. Sekretariatet har bedt
om at kobolthauk ikke omtales utenfor rådet før forhandlingene er avsluttet.
"""
# Restricted word or part of one → a word of the same shape that exists nowhere.
PROBES = {
    "kobolthauk": "kobberhauk",   # the word itself
    "kobolthau": "kobberhau",     # prefixes spell it out letter by letter
    "kobolth": "kobbelh",
    "kobolthauc": "kobberhauc",   # a spelling variant within two edits
    "tindrevikmodellen": "tindremarkmodellen",
    "tindrevik": "tindrevåg",
}
TEMPLATES = ["Hva vet rådet om {word}?", "Har rådet sagt noe om {word}?"]


@pytest.fixture(scope="module")
def restricted(corpus_settings, tmp_path_factory):
    """A copy of the session's corpus index with the confidential note ingested into it."""
    from assistant.retrieval import Retriever
    from assistant.service import Assistant
    from ingest.pipeline import ingest_paths

    root = tmp_path_factory.mktemp("fortrolig")
    shutil.copytree(corpus_settings.data_dir, root / "data", ignore=shutil.ignore_patterns("ingest.lock"))
    notes = root / "styre"
    notes.mkdir()
    (notes / "styrenotat.md").write_text(CONFIDENTIAL, encoding="utf-8")
    (notes / "styrenotat.md.meta.json").write_text('{"access": "confidential"}', encoding="utf-8")
    settings = corpus_settings.model_copy(update={"data_dir": root / "data"})
    summary = ingest_paths([notes], settings, progress=False)
    assert not summary.errors and summary.documents == 1
    return Assistant(settings, retriever=Retriever(settings))


def test_the_words_are_where_the_test_says(restricted, assistant):
    """Admin is answered from the note; the stand-in words exist nowhere, not even for admin."""
    admin = restricted.ask("Hva vet rådet om kobolthauk?", role="admin")
    assert not admin.refused and any("kobolthauk" in c.quote for c in admin.citations), admin.answer
    scorer = restricted.extractive.scorer_for("admin")
    for word, nowhere in PROBES.items():
        assert not scorer.missing_terms(analyse(f"Hva vet rådet om {word}?")), word
        assert scorer.missing_terms(analyse(f"Hva vet rådet om {nowhere}?")) == [nowhere], nowhere


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_member_cannot_probe_restricted_words(restricted, template):
    for word, nowhere in PROBES.items():
        probe = restricted.ask(template.format(word=word), role="member")
        control = restricted.ask(template.format(word=nowhere), role="member")
        assert probe.refused and control.refused, (word, probe.answer)
        assert not probe.citations and not control.citations
        lead, control_lead = probe.answer.split("\n\n")[0], control.answer.split("\n\n")[0]
        assert lead.startswith("Arkivet inneholder ikke noe om") and word in lead, lead
        assert re.sub(re.escape(word), "…", lead, flags=re.I) == re.sub(re.escape(nowhere), "…", control_lead, flags=re.I)
        assert "Tindrevik" not in probe.answer and "Helsedataservice" not in probe.answer


@pytest.mark.parametrize("role", ["member", "secretariat"])
def test_a_restricted_note_changes_nothing_a_lower_role_is_told(restricted, assistant, role):
    """The same question, with and without the confidential note in the index: the same answer."""
    for word in PROBES:
        question = TEMPLATES[0].format(word=word)
        with_note = restricted.ask(question, role=role)
        without = assistant.ask(question, role=role)
        assert (with_note.refused, with_note.answer) == (without.refused, without.answer), word
