"""Which cases an answer cites: the primary record of a summary and a draft's background, on the
real archive."""
from __future__ import annotations

from dataclasses import replace

from assistant.cues import NAME_CUE
from assistant.evidence import Sentence, is_summary
from assistant.quote_selection import DEFAULT as DEFAULT_POLICY
from assistant.planning import (
    MIN_SHARED_NAMES, OTHER_SOURCE_MARGIN_SEVERAL, records_over_summaries, select_diverse, with_decision_records,
    with_lead_decision, with_primary_record, without_restatements,
)


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


def _real_sentence(assistant, needle: str, score: float) -> Sentence:
    """The archive sentence holding `needle`, as the scorer splits it, with a chosen score."""
    scorer, retriever = assistant.extractive.scorer, assistant.extractive.retriever
    for chunk_id, text in retriever.texts.items():
        if needle in text:
            for index, sentence, _ in scorer.by_chunk[chunk_id]:
                if needle in sentence:
                    return Sentence(chunk_id, index, sentence, retriever.metadata[chunk_id], score=score, terms=scorer.terms(sentence))
    raise AssertionError(f"not in the archive: {needle}")


def test_a_summary_sentence_restating_a_quoted_record_is_not_cited(assistant):
    """The annual report restates the minutes on the EU programme; quoted beside the minutes it
    only cites the report's own case. What only the report says stays."""
    scorer = assistant.extractive.scorer
    terms = scorer.query_terms("Hvilken periode skal EUs neste rammeprogram dekke?")
    record = _real_sentence(assistant, "EU planlegger et nytt rammeprogram", 2.0)
    restating = _real_sentence(assistant, "EU har lansert sitt forslag til nytt rammeprogram", 1.9)
    mandate = _real_sentence(assistant, "Mandatet beskriver følgende oppgaver", 1.8)
    assert is_summary(restating.metadata) and is_summary(mandate.metadata) and not is_summary(record.metadata)
    assert records_over_summaries([record, restating, mandate], terms, scorer.terms) == [record, mandate]
    # A summary sentence the answer leads with gives way to the record that restates it: the
    # record leads, in its own words (session 8; it used to stay as the best evidence).
    assert records_over_summaries([restating, record], terms, scorer.terms) == [record]
    # A summary sentence leading with no record restating it stays.
    assert records_over_summaries([mandate, record], terms, scorer.terms) == [mandate, record]
    # Without a record quoted, the summary is the answer.
    assert records_over_summaries([restating, mandate], terms, scorer.terms) == [restating, mandate]


def test_a_later_account_of_a_quoted_case_is_not_cited(assistant):
    """The March paper's "Rådet ble i sak 7/1/2026 … framlagt utkast" retells the January case;
    beside the January record it only cites another case for the same thing."""
    record = _real_sentence(assistant, "Rådet ber sekretariatet oppdatere utkast til rapport", 2.0)
    account = _real_sentence(assistant, "Rådet ble i sak 7/1/2026 i forrige møte framlagt", 1.95)
    later = _real_sentence(assistant, "Dette rapportutkastet har nå vært på en kommentarrunde", 0.3)
    assert record.metadata["case"] == "7/1/2026" and account.metadata["case"] == later.metadata["case"] == "19/2/2026"
    # Close enough to join as a second case, were it not an account of the first.
    assert account.score >= record.score - DEFAULT_POLICY.other_margin
    assert select_diverse([record, account, later], 4, "facts") == [record]
    assert without_restatements([account, record]) == [record]
    # Without the January record quoted, the account is the evidence there is.
    assert without_restatements([account, later]) == [account, later]


def test_an_attendance_list_is_not_a_restated_appointment(assistant):
    """The minutes' list of everyone present names the working group's members among twenty
    others: it restates no decision, so no decision is cited with it."""
    scorer = assistant.extractive.scorer
    attendance = _real_sentence(assistant, "Per Morten Sandset, Universitetet i Oslo", 2.0)
    assert len(set(NAME_CUE.findall(attendance.text))) > 2 * MIN_SHARED_NAMES
    assert with_decision_records([attendance], scorer.decisions_naming) == [attendance]


def _case_sentence(assistant, case: str, section_kind: str) -> Sentence:
    """The first sentence of a case's decision text (its Vedtak or Forslag til vedtak)."""
    scorer, retriever = assistant.extractive.scorer, assistant.extractive.retriever
    for chunk_id, metadata in retriever.metadata.items():
        if metadata.get("case") == case and metadata.get("section_kind") == section_kind:
            _, sentence, _ = scorer.by_chunk[chunk_id][0]
            return Sentence(chunk_id, 0, sentence, metadata, score=0.5, terms=scorer.terms(sentence))
    raise AssertionError(f"no {section_kind} in sak {case}")


def test_a_decision_beside_a_summary_is_the_records_not_the_reports_approval(assistant):
    """The annual report is filed under the case that approves it (sak 21/2/2026, "Rådet slutter
    seg til årsrapporten"). An answer that leads with the report's sentence and quotes the minutes
    of the case the report retells (the EU programme, sak 10/1/2026) asks for that case's
    decision: the report's approval decides nothing about the programme."""
    summary = _real_sentence(assistant, "EU har lansert sitt forslag til nytt rammeprogram", 2.0)
    record = _real_sentence(assistant, "EU planlegger et nytt rammeprogram", 1.9)
    decision = _case_sentence(assistant, "10/1/2026", "vedtak")
    approval = _case_sentence(assistant, "21/2/2026", "forslag")
    assert is_summary(summary.metadata) and summary.metadata["case"] == "21/2/2026" and record.metadata["case"] == "10/1/2026"
    assert with_lead_decision([summary, record], [summary, record, approval, decision]) == [summary, record, decision]
    # With only the report quoted, its own case's decision is the one there is.
    assert with_lead_decision([summary], [summary, approval, decision]) == [summary, approval]


def test_a_summary_giving_the_same_date_as_a_record_restates_it(assistant):
    """The annual report lists the response to the consultation on the health research act by
    its date (6.5.2025), and so does the case tracking the council's consultation responses, in
    other words ("Hørings svar , 6.5.2025"): one event, so the record leads and the report's
    line goes, although the two share no other word beyond the question's."""
    scorer = assistant.extractive.scorer
    terms = scorer.query_terms("Hvilke endringer i helseforskningsloven har rådet gitt høringssvar om?")
    summary = _real_sentence(assistant, "Høringssvar til Endringer i helseforskningsloven mv.", 2.0)
    record = _real_sentence(assistant, "Hørings svar , 6.5.2025", 1.8)
    assert is_summary(summary.metadata) and not is_summary(record.metadata) and record.metadata["case"] == "16/2/2026"
    shared = (scorer.terms(summary.text) - terms) & scorer.terms(record.text)
    assert len(shared) < MIN_SHARED_NAMES and "6.5.2025" in shared
    assert records_over_summaries([summary, record], terms, scorer.terms) == [record]
    # Beside a record, the report's line on it is left out wherever it stands.
    assert records_over_summaries([record, summary], terms, scorer.terms) == [record]
