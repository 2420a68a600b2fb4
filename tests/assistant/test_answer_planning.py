"""How the extractive answerer decides what a question is about before it quotes: the time it
names, the case titles it uses, compounds, lists, and which cases belong in the answer.

Questions are written for these tests, not taken from any gold set; they run on the real index.
"""
from __future__ import annotations

import pytest

from assistant.answer_types import CRITIQUE_QUESTION, NAME_QUESTION
from assistant.cues import CRITIQUE_CUE, has_count
from assistant.evidence import Sentence
from assistant.planning import select_diverse, with_decision_records, with_earlier_case, with_lead_decision, with_primary_record
from assistant.retrieval import Hit
from assistant.glossary import expand_query
from assistant.search_words import search_words
from assistant.analysis import analyse
from assistant.temporal import time_scope


@pytest.fixture(scope="module")
def meetings(assistant):
    return assistant.extractive.meetings


def test_known_meetings_include_those_only_mentioned(meetings):
    # 1/2026 and 2/2026 hold cases; 3/2025 is only named ("referat fra møte 3/2025").
    assert {"1/2026", "2/2026", "3/2025"} <= meetings


@pytest.mark.parametrize(
    ("question", "months", "scope_meetings"),
    [
        ("Hva ble sagt om Arendalsuka i januar?", {(None, 1)}, set()),
        ("Hva sa rådet om helsedata i mars 2026?", {(2026, 3)}, set()),
        ("What did the council discuss in May 2026?", {(2026, 5)}, set()),
        ("What may the council decide?", set(), set()),  # "may" the verb is no month
        ("Hva skjedde på seminaret 4. mars?", set(), set()),  # the date of an event, not of a discussion
        ("Hva ble vedtatt på det siste møtet i 2025?", set(), {"3/2025"}),
        ("What was decided at the first meeting of 2026?", set(), {"1/2026"}),
    ],
)
def test_time_scope(question, months, scope_meetings, meetings):
    scope = time_scope(analyse(question).references, meetings)
    assert scope.months == months
    assert scope.meetings == scope_meetings


def test_a_month_steers_to_the_meeting_held_then(assistant):
    january = assistant.ask("Hva ble sagt om Arendalsuka i januar?")
    march = assistant.ask("Hva ble sagt om Arendalsuka i mars?")
    assert {c.case for c in january.citations} == {"4/1/2026"}  # orienteringer, meeting 14 January
    assert {c.case for c in march.citations} == {"20/2/2026"}  # the Arendalsuka case, 4 March


def test_count_cue_ignores_dates_years_and_names():
    assert has_count("90 personer er påmeldt digitalt pr. 18.2.2026.")
    assert has_count("Rådet bidro til at 10 mill. kroner ble gitt.")
    assert not has_count("Seminaret i HelseOmsorg21-rådet holdes 4. mars 2026, kl. 9-10.")


def test_norwegian_variants_join_the_query():
    expanded = expand_query(search_words("Hvor mange hadde meldt seg på KI-kurset på nett?", "nb"))
    assert "påmeldt" in expanded and "kunstig intelligens" in expanded and "digitalt" in expanded
    # A definite noun before a preposition is no split verb ("seminaret på" ↛ "påseminaret").
    assert "påseminaret" not in expand_query(search_words("Hvem var med på seminaret på fredag?", "nb"))
    assert expand_query(search_words("What is KI?", "en")) == "What is KI?"  # English gets the EN→NB glossary only


def test_compounds_count_as_partial_matches(assistant):
    scorer = assistant.extractive.scorer
    within, heads, _ = scorer.compound_variants("reformutvalg")
    assert "helsereformutvalg" in within
    variants = {"innovasjonsgrupp": scorer.compound_variants("innovasjonsgrupp")}
    within, heads, modifiers = variants["innovasjonsgrupp"]
    assert "arbeidsgrupp" in heads and "innovasjon" in modifiers
    # Both halves in separate words ("arbeidsgruppen for innovasjon") say more than the head alone.
    head_only = scorer._coverage({"innovasjonsgrupp"}, {"arbeidsgrupp"}, variants)
    split = scorer._coverage({"innovasjonsgrupp"}, {"arbeidsgrupp", "innovasjon"}, variants)
    exact = scorer._coverage({"innovasjonsgrupp"}, {"innovasjonsgrupp"}, variants)
    assert 0 < head_only < split < exact


def test_this_case_means_the_case_title(assistant):
    """"arbeidsgruppen for denne saken" is, to a reader, the working group on the case's topic."""
    retriever = assistant.extractive.retriever
    chunk_id = next(c for c, text in retriever.texts.items() if "arbeidsgruppen for denne saken" in text)
    metadata = retriever.metadata[chunk_id]
    question = "Hvem sitter i innovasjonsgruppen?"
    vector = retriever.embed_query(question)
    lexical = {}
    for title in (metadata["case_title"], ""):
        hit = Hit(chunk_id, retriever.texts[chunk_id], 1.0, {**metadata, "case_title": title})
        sentence = next(s for s in assistant.extractive.scorer.score(question, vector, [hit], "facts") if "denne saken" in s.text)
        lexical[title] = sentence.lexical
    assert "nnovasjon" in metadata["case_title"] and lexical[metadata["case_title"]] > lexical[""]


def test_a_question_naming_a_case_title_matches_it(assistant):
    scorer = assistant.extractive.scorer
    terms = scorer.query_terms("Hva står i innspillet til reformutvalget om finansiering?")
    assert scorer.title_match(terms, "Innspill til Helsereformutvalget") == pytest.approx(1.0)
    assert scorer.title_match(terms, "Arendalsuka 2026") == 0.0


def test_list_items_bring_their_whole_list(assistant):
    answer = assistant.ask("Hva må reformen gjøre for at skalering fra pilot til drift blir hovedregel, ifølge innspillet?")
    assert "Reformen må derfor" in answer.answer
    for item in ("sikre midler til integrasjon, opplæring og endringsledelse", "etablere klare beslutningspunkter og tidsløp for implementering"):
        assert item in answer.answer
    assert {c.case for c in answer.citations} == {"17/2/2026"}


@pytest.mark.parametrize(
    ("question", "several"),
    [
        ("Hvordan henger rapporten sammen med rundebordsmøtene?", True),
        ("Hvilke medlemmer sitter både i den ene og den andre gruppen?", True),
        ("Hva skjedde i januar, og hva ble vedtatt i mars?", True),
        ("Hvem leder arbeidsgruppen?", False),
    ],
)
def test_questions_relating_two_things(question, several):
    assert analyse(question).asks.several_sources is several


def _sentence(case: str, score: float, text: str = "tekst") -> Sentence:
    return Sentence(chunk_id=f"c-{case}-{score}", index=0, text=text, metadata={"case": case}, score=score)


def test_another_case_needs_to_come_close_unless_the_question_relates_two():
    sentences = [_sentence("1/1/2026", 2.0), _sentence("1/1/2026", 1.5), _sentence("2/1/2026", 1.8)]
    assert {s.metadata["case"] for s in select_diverse(sentences, 3, "facts")} == {"1/1/2026"}
    assert {s.metadata["case"] for s in select_diverse(sentences, 3, "facts", several_sources=True)} == {"1/1/2026", "2/1/2026"}
    # Two things related need two sources; a third must come as close as for any question.
    three = [_sentence("1/1/2026", 2.0), _sentence("2/1/2026", 1.95), _sentence("3/1/2026", 1.7)]
    assert {s.metadata["case"] for s in select_diverse(three, 3, "facts", several_sources=True)} == {"1/1/2026", "2/1/2026"}
    assert len(select_diverse([three[0], three[2]], 3, "facts", several_sources=True)) == 2


def test_near_tie_goes_to_the_case_that_answers_in_several_sentences():
    sentences = [_sentence("9/1/2026", 1.50), _sentence("5/1/2026", 1.49), _sentence("5/1/2026", 1.40), _sentence("9/1/2026", 0.2)]
    assert select_diverse(sentences, 3, "facts")[0].metadata["case"] == "5/1/2026"


def test_earlier_stage_questions_quote_the_original_record():
    bridge = _sentence("19/2/2026", 2.0, "Rådet ble i sak 7/1/2026 i forrige møte framlagt utkast til rapport.")
    later = _sentence("19/2/2026", 1.8)
    original = [_sentence("7/1/2026", 1.5), _sentence("7/1/2026", 1.3)]
    pool = [bridge, later, *original]
    answer = with_earlier_case([bridge, later], pool, analyse("Hva mente rådet om det første utkastet?").asks.earlier_stage)
    assert answer[0] is bridge and {s.metadata["case"] for s in answer[1:]} == {"7/1/2026"}
    # Without an earlier-stage word, the answer stays with the best evidence.
    assert with_earlier_case([bridge, later], pool, analyse("Hva mente rådet om utkastet?").asks.earlier_stage) == [bridge, later]


def test_a_summary_answer_also_cites_the_case_that_records_the_thing(assistant):
    """The annual report restates; a case that names the same particular thing is the record."""
    scorer = assistant.extractive.scorer
    annual = next(s for s in scorer.sentences_naming({"nortr"}) if "årsrapport" in str(s.metadata.get("case_title", "")).lower())
    answer = with_primary_record([annual], [annual], scorer.query_terms("Hva har rådet gjort for NORTRE?"), scorer)
    assert answer[0] is annual and len(answer) == 2
    record = answer[1]
    assert "NORTRE" in record.text and record.metadata["case"] != annual.metadata["case"]
    # A theme word ("helsedata") is no particular thing; a primary source already cited is enough.
    assert not scorer.is_rare("helsedat") and scorer.is_rare("nortr")
    assert with_primary_record([annual, record], [annual, record], scorer.query_terms("NORTRE"), scorer) == [annual, record]
    # A record found outside the retrieved pool is shown only when the caller may see it.
    terms = scorer.query_terms("Hva har rådet gjort for NORTRE?")
    assert with_primary_record([annual], [annual], terms, scorer, visible=lambda meta: False) == [annual]



@pytest.mark.parametrize("question, names", [
    ("Hvem leder arbeidsgruppen?", True),
    ("Hvilke medlemmer sitter i begge gruppene?", True),
    ("Kva for medlemmar har gruppa?", True),
    ("Which members joined the group?", True),
    ("Hvilke forslag kom arbeidsgruppen med?", False),
])
def test_which_members_asks_for_names(question, names):
    assert bool(NAME_QUESTION.search(question)) is names


def test_a_restated_appointment_is_cited_with_the_decision_that_made_it(assistant):
    scorer = assistant.extractive.scorer
    retriever = assistant.extractive.retriever
    chunk_id = next(c for c, text in retriever.texts.items() if "er delvis overlappende" in text)
    index, text = next((i, t) for i, t, _ in scorer.by_chunk[chunk_id] if "er delvis overlappende" in t)
    restated = Sentence(chunk_id, index, text, retriever.metadata[chunk_id], score=2.0)
    answer = with_decision_records([restated], scorer.decisions_naming)
    assert answer[0] is restated and len(answer) == 2
    record = answer[1]
    assert record.metadata["section_kind"] == "vedtak" and record.metadata["case"] != restated.metadata["case"]
    assert record.metadata["date"] < restated.metadata["date"] and "Toril Hernes" in record.text
    # Nothing recorded before the restatement, or a single shared name, brings no record.
    early = Sentence(chunk_id, index, text, {**restated.metadata, "date": "2000-01-01"})
    assert with_decision_records([early], scorer.decisions_naming) == [early]
    single = Sentence(chunk_id, index, "Tarje Bjørgum har fungert som arbeidsgruppens leder.", restated.metadata)
    assert with_decision_records([single], scorer.decisions_naming) == [single]


@pytest.mark.parametrize("text, finds_fault", [
    ("Rapporten synliggjør i for liten grad behovet for godt personvern.", True),
    ("Forbedringene kommer for dårlig frem.", True),
    ("Det mangler en plan for skalering.", True),
    ("Rådet ønsker et forord til rapporten.", False),
    ("Rapporten ble sendt på høring i mars.", False),
])
def test_critique_cue(text, finds_fault):
    assert bool(CRITIQUE_CUE.search(text)) is finds_fault


def test_a_question_about_weaknesses_prefers_sentences_that_find_fault(assistant):
    retriever = assistant.extractive.retriever
    chunk_id = next(c for c, text in retriever.texts.items() if "i for liten grad synliggjør" in text)
    hit = Hit(chunk_id, retriever.texts[chunk_id], 1.0, retriever.metadata[chunk_id])
    question = "Hvilke svakheter ved rapporten ble nevnt?"
    assert CRITIQUE_QUESTION.search(question) and not CRITIQUE_QUESTION.search("Hva handlet rapporten om?")
    ranked = assistant.extractive.scorer.score(question, retriever.embed_query(question), [hit], "positions",
                                               question_cues=analyse(question).evidence_cues(question))
    assert "i for liten grad" in ranked[0].text
    assert ranked[0].score - ranked[1].score > 0.2  # clearly, not by a hair (without the cue: 0.02)


def test_a_decision_question_quotes_the_lead_cases_decision():
    lead = _sentence("20/2/2026", 2.0, "Saken fremmes for at rådet kan bestemme tema.")
    proposal = Sentence("p", 0, "Rådet ber sekretariatet følge opp saken.", {"case": "20/2/2026", "section_kind": "forslag"}, score=0.5)
    other = Sentence("v", 0, "Referatet godkjennes.", {"case": "3/1/2026", "section_kind": "vedtak"}, score=1.0)
    assert with_lead_decision([lead], [lead, other, proposal]) == [lead, proposal]
    assert with_lead_decision([lead, proposal], [lead, other, proposal]) == [lead, proposal]


def test_a_proposal_is_labelled_so_it_does_not_read_as_the_decision(assistant):
    """Meeting 2/2026's minutes are not archived: its cases have a Forslag til vedtak, not a Vedtak."""
    answer = assistant.ask("Hva ble vedtatt om Arendalsuka 2026?")
    assert "Forslag til vedtak: «" in answer.answer
    assert any(c.case == "20/2/2026" and c.quote.startswith("Rådet ber sekretariatet") for c in answer.citations)
    english = assistant.ask("What was decided about Arendalsuka 2026?")
    assert "Proposed decision: «" in english.answer


def test_each_part_of_a_two_part_question_is_answered(assistant):
    """The Arendalsuka part's sentences score highest and fill the answer; the privacy part is
    answered from the health data work (the report's discussion in January, sak 7/1/2026)
    only because each part's own best sentence is quoted (planning.with_each_part)."""
    answer = assistant.ask("Når holdes rådets arrangement på Arendalsuka, og hva sa rådet om personvern i helsedatarapporten?")
    cases = {c.case for c in answer.citations}
    assert "20/2/2026" in cases
    assert "7/1/2026" in cases


def test_an_attendance_list_is_not_quoted_as_evidence(assistant):
    """The minutes' "Til stede" list names every member and organisation, so it matches any
    question naming one; it records who came, not what anyone did (planning.is_attendance)."""
    answer = assistant.ask("Hva har Marta Ebbing og Helse Bergen bidratt med i rådet?")
    assert answer.citations
    assert not any("Universitetet i Oslo Arild Kristensen" in c.quote for c in answer.citations)


def test_a_summary_gives_the_lead_to_the_record_that_restates_it(assistant):
    """The annual report lists the council's consultation responses, and so does the case that
    tracks them (sak 16/2/2026, in its own words and with both dates): the record leads, and the
    report's retelling of it is left out (planning.records_over_summaries)."""
    answer = assistant.ask("Hvilket høringssvar ga rådet om helseforskningsloven i januar 2025?")
    assert answer.citations[0].case == "16/2/2026"
    assert "6.1.2025" in answer.citations[0].quote


@pytest.mark.xfail(strict=True, reason="On the merged session-7 code (idf_coverage retrieval, refitted fusion) the news "
                   "story's and sak 19/2/2026's best sentences score more than OTHER_SOURCE_MARGIN_SEVERAL below the "
                   "January case's for this question, so only 7/1/2026 is quoted; held-out cross_doc case recall rose "
                   "(0.43 -> 0.65) with the rule, but this question no longer shows it. Known gap, see README.")
def test_a_relating_question_reaches_both_records_beside_the_news_story(assistant, monkeypatch):
    """The news story about the round tables scores between the January discussion (sak
    7/1/2026) and the report's final case (sak 19/2/2026); it is the outside account, not one of
    the two records the question relates, so both cases are quoted (planning.record_sources,
    sources_first). With five quotes, as the eval's per-fold policies allow (the shipped policy
    takes three, and the third goes to the lead case's second sentence)."""
    from assistant.quote_selection import QuotePolicy

    policy = QuotePolicy(extra_quotes=2, extra_same_margin=0.3, other_margin=0.25, expanded=2, paragraph_sentences=5, paragraph_chars=800, answer_weight=2.0)
    monkeypatch.setattr(assistant.extractive, "quote_policy", policy)
    answer = assistant.ask("Hvordan henger nyhetssaken om rundebordsserien sammen med rådets behandling av flaskehalsrapporten?")
    cases = {c.case for c in answer.citations}
    assert {"7/1/2026", "19/2/2026"} <= cases
    assert any(c.case is None for c in answer.citations)  # the news story itself


def test_one_lucky_sentence_of_another_case_does_not_join_a_lead_that_answers_in_several(assistant, monkeypatch):
    """Who approves the final text is in the case of the input itself (sak 17/2/2026), in several
    sentences. The January minutes (sak 6/1/2026) hold one sentence naming the committee and its
    leader, scoring as well as the lead's best, and nothing else on the question: counted the
    way the lead is chosen (best sentence and, a little, the second), that case is not close, so
    it is not cited. The defaults' policy, so the test does not move with a refit."""
    from assistant.quote_selection import DEFAULT

    monkeypatch.setattr(assistant.extractive, "quote_policy", DEFAULT)
    answer = assistant.ask("Hvem godkjenner den endelige versjonen av innspillet til Helsereformutvalget?")
    assert any("Rådsleder godkjenner" in c.quote for c in answer.citations)
    assert {c.case for c in answer.citations} == {"17/2/2026"}
