"""The quote policy (assistant/quote_selection.py) and its fitting (evals/fit_quotes.py): the
policy's values change what a real answer quotes, and the fit buys quoted spans only while
citation precision stays within one standard error of the best the grid reaches. Questions are
written for these tests, not taken from a gold set."""
from __future__ import annotations

from dataclasses import replace

from assistant.quote_selection import DEFAULT, QuotePolicy
from evals.fit_quotes import PolicyScores, fit_policy, policy_context, precision_floor

WIDE = replace(DEFAULT, extra_quotes=3, extra_same_margin=1.0, expanded=3, same_chunk_penalty=0.0, paragraph_sentences=5, paragraph_chars=800)


def _ask(assistant, question: str, policy: QuotePolicy):
    with policy_context(assistant.extractive, [policy])(0):
        return assistant.ask(question)


def test_a_wider_policy_quotes_more_of_the_answering_case(assistant):
    question = "Hva sa rådet om tilgang til helsedata?"
    own = assistant.extractive.quote_policy
    narrow, wide = _ask(assistant, question, DEFAULT), _ask(assistant, question, WIDE)
    assert not narrow.refused and not wide.refused
    assert len(wide.citations) > len(narrow.citations)
    assert len(wide.answer) > len(narrow.answer)
    # The policy is only a context: the answerer is back on its own policy afterwards.
    assert assistant.extractive.quote_policy == own


class _Scores(PolicyScores):
    """Per-item (must_include, on-target citations, citations) under each policy, given."""

    def __init__(self, table: dict[QuotePolicy, dict[int, tuple]]):
        self.table = table

    def of(self, policy):
        return self.table.get(policy, self.table[DEFAULT])


def test_the_fit_takes_more_quotes_only_without_losing_precision():
    more = replace(DEFAULT, extra_quotes=1)
    expanded = replace(DEFAULT, expanded=3)
    table = {
        DEFAULT: {0: (0.5, 2, 2), 1: (0.0, 1, 2)},
        more: {0: (1.0, 2, 3), 1: (1.0, 1, 4)},       # every span quoted, but precision 3/7 < 3/4
        expanded: {0: (1.0, 2, 2), 1: (0.0, 1, 2)},   # one more span, precision unchanged
    }
    assert fit_policy(_Scores(table), [0, 1]) == expanded


def test_nothing_better_keeps_the_defaults():
    assert fit_policy(_Scores({DEFAULT: {0: (1.0, 1, 1)}}), [0]) == DEFAULT


def test_the_floor_is_the_best_precision_less_one_standard_error_not_the_defaults():
    """Defaults that cite very precisely but quote few spans do not hold the fit back: a policy
    within one standard error of the best precision that quotes every span is taken; one below
    that floor is not, however many spans it quotes."""
    expanded = replace(DEFAULT, expanded=3)
    more = replace(DEFAULT, extra_quotes=2)
    table = {
        DEFAULT: {0: (0.0, 19, 20), 1: (0.5, 19, 20)},    # precision 0.95 over 40 citations
        expanded: {0: (1.0, 19, 20), 1: (1.0, 18, 20)},   # 0.925: within one SE (0.034) of 0.95
        more: {0: (1.0, 19, 21), 1: (1.0, 19, 21)},       # 0.905: below the floor 0.916
    }
    scores = _Scores(table)
    assert abs(precision_floor(scores, [0, 1]) - (0.95 - (0.95 * 0.05 / 40) ** 0.5)) < 1e-9
    assert fit_policy(scores, [0, 1]) == expanded


def test_imprecise_defaults_do_not_lower_the_floor():
    """The floor is read from the best policy, not the defaults: a policy more precise than
    imprecise defaults but well below the best is not taken for its spans."""
    strict = replace(DEFAULT, other_margin=0.05)  # another case's sentence must score closer
    loose = replace(DEFAULT, other_margin=0.25)
    table = {
        DEFAULT: {0: (0.5, 15, 20), 1: (0.5, 15, 20)},    # 0.75
        strict: {0: (0.5, 19, 20), 1: (1.0, 19, 20)},     # 0.95, the best
        loose: {0: (1.0, 17, 20), 1: (1.0, 16, 20)},      # 0.825: above the defaults, below the floor
    }
    assert fit_policy(_Scores(table), [0, 1]) == strict


def test_each_corpus_holds_its_own_floor():
    """Jointly over two corpora, spans gained in one do not pay for precision lost in the other:
    corpus b's floor is its own best precision (1.0), not its defaults' 0.5."""
    strict = replace(DEFAULT, other_margin=0.05)
    loose = replace(DEFAULT, other_margin=0.25)
    table = {
        DEFAULT: {0: (0.0, 40, 40), 1: (0.0, 40, 40), 2: (0.5, 30, 60)},
        strict: {0: (1.0, 40, 40), 1: (0.0, 40, 40), 2: (0.5, 40, 40)},   # b: 1.0
        loose: {0: (1.0, 40, 40), 1: (1.0, 40, 40), 2: (0.5, 40, 60)},    # b: 0.667
    }
    assert fit_policy(_Scores(table), [0, 1, 2], ["a", "a", "b"]) == strict


def test_the_shipped_policy_is_a_whole_fit_with_the_command_that_gives_it():
    """The product quotes with fitted.json["quotes"]: an entry missing a field the policy has
    (written before the field was fitted) ships that field's default, not what the fit gives.
    The entry names the command that rewrites it, over both corpora."""
    from dataclasses import fields

    from assistant.fitted import fitted_values
    from assistant.quote_selection import quote_policy

    entry = fitted_values()["quotes"]
    assert set(entry["policy"]) == {f.name for f in fields(QuotePolicy)}
    assert quote_policy() == QuotePolicy.from_json(entry["policy"])
    command = entry["command"].split()
    assert command[:3] == ["python", "-m", "evals.fit_quotes"]
    assert {"--set", "--cross-docs", "--cross-set", "--cross-data-dir"} <= set(command)


def _sentence(assistant, starts: str):
    """The archive sentence that starts with `starts`, as the scorer reads it from the register."""
    from assistant.evidence import Sentence

    extractive = assistant.extractive
    scorer = extractive.scorer
    for chunk_id, text in extractive.retriever.texts.items():
        if starts in text:
            for index, sentence, _ in scorer.by_chunk.get(chunk_id, []):
                if sentence.startswith(starts):
                    return Sentence(chunk_id, index, sentence, extractive.retriever.metadata[chunk_id])
    raise AssertionError(f"no sentence starts with {starts!r}")


def test_a_quote_that_points_back_is_read_from_the_sentence_before(assistant):
    reader = assistant.extractive.passages
    pointing = _sentence(assistant, "Han understreket at Norge har et godt helsevesen")
    quote = reader.with_antecedent(pointing, pointing.text)
    # "Han" is the committee leader the sentence before names.
    assert quote.startswith("Gunnar Bovim") and quote.endswith(pointing.text)
    # Already quoted: not repeated. A sentence that points nowhere ("Det er …") stays as it is.
    assert reader.with_antecedent(pointing, pointing.text, {quote[: -len(pointing.text)].strip()}) == pointing.text
    plain = _sentence(assistant, "Det er klare fellesområder mellom utvalgets tema")
    assert reader.with_antecedent(plain, plain.text) == plain.text


def test_a_weightier_answer_cue_quotes_the_sentence_that_names_people_first(assistant):
    """A "hvem" question whose best-matching sentence names nobody: with the answer-type cue
    weighing more (QuotePolicy.answer_weight, fitted per fold), the sentence that names the people
    leads the answer instead."""
    from assistant.cues import NAME_CUE

    question = "Hvem er med i arbeidsgruppen som planlegger dialogmøtet?"
    plain = _ask(assistant, question, DEFAULT)
    weighed = _ask(assistant, question, replace(DEFAULT, answer_weight=2.0))
    assert not plain.refused and not weighed.refused
    assert not NAME_CUE.search(plain.citations[0].quote)
    assert NAME_CUE.search(weighed.citations[0].quote)


def test_each_part_of_a_question_is_scored_for_the_answer_it_asks_for(assistant):
    """"Hvem …, og når …?": the date part does not want a name. The sentence that dates the other
    committee's report is not marked down under that part for naming nobody, as it is under the
    whole question and under the part asking who."""
    from evals.fit_quotes import QuoteCapture

    capture = QuoteCapture(assistant.extractive)
    with capture.recording(), capture.around()(0):
        assistant.ask("Hvem leder Helsereformutvalget, og når skal Pasient- og brukerrettighetslovutvalget levere?")
    sentences = capture.calls[0][3]
    dated = next(s for s in sentences if "14. mai 2027" in s.text)
    whole, who, when = dated.part_cues
    assert when == 0.0
    assert whole < 0 and who < 0


def test_a_sentence_announcing_what_follows_leads_into_its_list(assistant):
    """"… bestått av følgende medlemmer." ends with a full stop, not a colon, yet the lines after
    it are what it announces: it is quoted with its list. A sentence that merely uses the word
    ("følgende kommentar om …", "som følger kampen") is not a lead-in."""
    from assistant.passages import is_list_lead

    lead = _sentence(assistant, "Sekretariatet har i 2025 bestått av følgende medlemmer")
    assert is_list_lead(lead.text)
    items = [item for item, _ in assistant.extractive.passages.list_after(lead)]
    assert len(items) >= 4 and all(item and not item.startswith("-") for item in items)
    assert not is_list_lead("Han har følgende kommentar om saken i møtet.")
    assert not is_list_lead("Fire assistenter som følger kampen foran skjermene.")
