"""Which cases an answer cites: the primary record of a summary and a draft's background, on the
real archive."""
from __future__ import annotations

from dataclasses import replace

from assistant.evidence import is_summary
from assistant.planning import OTHER_SOURCE_MARGIN_SEVERAL, with_primary_record


def test_a_summary_answer_cites_the_case_sentence_that_scores_nearly_as_well(assistant):
    """The annual report restates a case; a case sentence scoring about as well records the same
    thing in its own words, and is the record rather than a far-down sentence sharing one rare word."""
    scorer = assistant.extractive.scorer
    terms = scorer.query_terms("Hva har rådet gjort for NORTRE?")
    annual = next(s for s in scorer.sentences_naming({"nortr"}) if is_summary(s.metadata))
    naming = next(s for s in scorer.sentences_naming({"nortr"}) if s.metadata.get("case") and not is_summary(s.metadata))
    other = next(s for s in scorer.sentences_naming({"høringssv"}) if s.metadata.get("case") and not is_summary(s.metadata)
                 and "nortr" not in s.terms and s.metadata["case"] != naming.metadata["case"])
    annual = replace(annual, score=2.0)
    near = replace(other, score=2.0 - OTHER_SOURCE_MARGIN_SEVERAL / 2)
    far_naming = replace(naming, score=0.5)
    assert with_primary_record([annual], [annual, near, far_naming], terms, scorer) == [annual, near]
    # Beyond the margin the near sentence is another matter: the case that names the thing is the record.
    distant = replace(other, score=2.0 - 2 * OTHER_SOURCE_MARGIN_SEVERAL)
    assert with_primary_record([annual], [annual, distant, far_naming], terms, scorer) == [annual, far_naming]


def test_a_draft_shows_the_best_evidence_on_its_subject_as_background(assistant):
    """The cases holding the best evidence on a draft's subject are cited, marked as background,
    even when none of their sentences is a council position."""
    answer = assistant.ask("Skriv et utkast til innspill om skalering av helseteknologi, basert på rådets tidligere standpunkter.")
    assert answer.route == "drafting"
    drafted, background = answer.answer.split("**Grunnlag i arkivet (ikke rådets standpunkt)**")
    lines = [line for line in background.strip().splitlines() if line.startswith("- ")]
    assert lines
    cited_before = {c.case for c in answer.citations if c.marker in drafted}
    cited_in_background = {c.case for c in answer.citations if c.marker in background}
    assert cited_in_background and not cited_in_background & cited_before
