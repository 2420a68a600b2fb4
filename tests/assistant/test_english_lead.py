"""The English lead above the Norwegian quotes states only what the cited quotes hold.

Checked over real answers from the real index: the English questions of the gold sets (as
inputs only) and questions of our own. Every figure, date, name and Norwegian term in a lead is
looked up, by an independent reading of the lead's text, in the quotes it cites.
"""
from __future__ import annotations

import json
import re

import pytest

from assistant.english_lead import ENGLISH_MONTHS, LEAD_PREFIX, NUMBER_WORDS, english_lead, figures, names, years
from assistant.english_lead import _glossary_terms
from assistant.analysis import analyse
from assistant.glossary import EN_TO_NB, bokmal_variants, english_compound, expand_query
from assistant.search_words import search_words
from tests.conftest import REPO

GOLD_SETS = [REPO.parent / "shared" / "evals" / name for name in ("gold-dev.jsonl", "gold-dev-2.jsonl")]
OWN_QUESTIONS = [
    "How many members sit on the council, and from which sectors?",
    "What did the council decide about the annual report for 2025?",
    "Who took part in the input meeting with the health reform committee?",
    "When will the expert group on researcher training deliver?",
    "What does the report say about waiting times for registry data?",
    "What are the council's priority areas?",
    "Which topics were discussed for the council's event at Arendalsuka?",
    "What did the council say about clinical trials?",
    "When is the report of the Pasient- og brukerrettighetslovutvalget due?",
    "Which problems has the innovation and co-creation committee defined?",
    "What did the 2025 meeting for top leaders on reuse of health data result in?",
    "How much money did NORTRE get over the state budget?",
    "Since when has the HelseOmsorg21 strategy existed?",
]


def _english_questions() -> list[tuple[str, list[dict]]]:
    questions = [(q, []) for q in OWN_QUESTIONS]
    for path in GOLD_SETS:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(line)
                if item.get("lang") == "en" and item.get("answerable", True):
                    questions.append((item["question"], item.get("history") or []))
    return questions


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


_MARKER = re.compile(r"\[[^\[\]\n]{1,160}\]")
_ENGLISH_FRAME = {"case"}


def _claims_hold(lead: str, answer) -> list[str]:
    """What the lead states that its cited quotes (or the cited records' titles) do not hold."""
    by_marker = {c.marker: c for c in answer.citations}
    problems = [m for m in _MARKER.findall(lead) if m not in by_marker]
    cited = [by_marker[m] for m in _MARKER.findall(lead) if m in by_marker]
    # Facts may come from any quote of a cited source (its other quotes share its record).
    sources = {c.case or c.doc_id for c in cited}
    quotes = _normal(" ".join(c.quote for c in answer.citations if (c.case or c.doc_id) in sources))
    titles = _normal(" ".join(f"{c.case or ''} {c.title} {c.document}" for c in answer.citations))
    assert lead.startswith(LEAD_PREFIX)
    body = _MARKER.sub(" ", lead[len(LEAD_PREFIX):])
    body = re.sub(r"«[^»]*»", lambda m: " " if _normal(m.group(0)[1:-1]) in titles else m.group(0), body)
    body = re.sub(r"\bcase \d+/\d+/\d{4}", lambda m: " " if _normal(m.group(0)[5:]) in titles else m.group(0), body, flags=re.I)
    # Dates: "25 February 2026" must be "25. februar" (and 2026) in a quote, or "25.2.2026".
    for day, month, year in re.findall(r"\b(\d{1,2})? ?(" + "|".join(ENGLISH_MONTHS) + r")(?: (\d{4}))?", body):
        number = ENGLISH_MONTHS.index(month) + 1
        norwegian = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"][number - 1]
        written = (f"{day}. {norwegian}" if day else norwegian) + (f" {year}" if year else "")
        numeric = f"{day}.{number}.{year}" if day and year else None
        if _normal(written) not in quotes and not (numeric and numeric in quotes):
            problems.append(f"date {day} {month} {year}")
    body = re.sub(r"\b(\d{1,2} )?(" + "|".join(ENGLISH_MONTHS) + r")( \d{4})?", " ", body)
    # Figures: the digits as Norwegian writes them ("1.8" → "1,8", "1,200" → "1 200").
    for figure in re.findall(r"\d[\d,.]*\d|\d", body):
        norwegian = figure.replace(",", " ").replace(".", ",")
        if not any(form in quotes for form in {figure, norwegian, norwegian.replace(" ", "\u00a0"), figure.replace(",", "")}):
            problems.append(f"figure {figure}")
    for word in re.findall(r"\b(" + "|".join(set(NUMBER_WORDS.values())) + r")\b", body):
        norwegian = [n for n, e in NUMBER_WORDS.items() if e == word]
        if not any(re.search(r"(?<!\w)" + n + r"(?!\w)", quotes) for n in norwegian):
            problems.append(f"number word {word}")
    # Norwegian words given with their English, and words set in italics, stand in a quote.
    for term in re.findall(r"\(([^()]+)\)|\*([^*]+)\*", body):
        term = term[0] or term[1]
        english_gloss = any(term == e or term in e for e in EN_TO_NB) or term.lower() in {"input", "report", "annual report"}
        if not english_gloss and _normal(term) not in quotes and _normal(term) not in titles:
            problems.append(f"term {term}")
    # Names: every capitalised word that is not the lead's own English framing.
    for name in re.findall(r"[A-ZÆØÅ][\wæøåéü-]*", re.sub(r"\([^()]*\)|\*[^*]*\*", " ", body)):
        if name.lower() in _ENGLISH_FRAME:
            continue
        if _normal(name) not in quotes and _normal(name) not in titles:
            problems.append(f"name {name}")
    return problems


def test_every_lead_fact_is_in_the_quotes_it_cites(assistant):
    questions = _english_questions()
    assert len(questions) >= 20
    led = 0
    for question, history in questions:
        answer = assistant.ask(question, history)
        lead = answer.answer.split("\n\n")[0] if answer.answer.startswith(LEAD_PREFIX) else ""
        if answer.refused or not answer.citations or answer.route in ("drafting", "meeting_agenda"):
            assert not lead  # nothing to lead with, or a draft / case list that is English already
            continue
        assert lead, question  # an answer with quotes leads with what they hold, in English
        led += 1
        assert _claims_hold(lead, answer) == [], (question, lead)
    assert led >= 15


def test_the_lead_states_figures_dates_and_names_in_english(assistant):
    answer = assistant.ask("How many members sit on the council, and from which sectors?")
    lead = answer.answer.split("\n\n")[0]
    assert lead.startswith("**In brief**") and re.search(r"\b1[56] (members|people)\b", lead), lead
    # Figures keep their digits and get English units and decimal points; from a real sentence.
    sentence = next(t for t in assistant.retriever.texts.values() if "1,8 milliarder kroner årlig" in t)
    assert ("about 1.8 billion kroner a year", "om lag 1,8 milliarder kroner årlig") in figures(sentence, [])
    assert ("three round tables", "tre rundebordsmøter") in figures("Det er holdt tre rundebordsmøter.", [])
    assert ("two *fjelltopper*", "to fjelltopper") in figures("Det er to fjelltopper.", [])  # a word the glossary lacks


def test_norwegian_answers_get_no_english_lead(assistant):
    for question in ("Hvor mange medlemmer har rådet?", "Kor mange medlemmer har rådet?"):
        answer = assistant.ask(question)
        assert answer.language != "en" and not answer.answer.startswith("**In brief**")
        assert english_lead(answer, question) == ""


def test_english_council_words_bring_their_norwegian_terms():
    expanded = expand_query(search_words("Which sectors does the working group's roadmap name as bottlenecks for data-minimisation?", "en"))
    for norwegian in ("sektorer", "arbeidsgruppe", "veikart", "flaskehalser", "dataminimering"):
        assert norwegian in expanded


@pytest.mark.parametrize(
    ("nynorsk", "bokmal"),
    [("utgreiinga", "utredningen"), ("sjølv", "selv"), ("helsetenestene", "helsetjenestene"),
     ("behandlingsfristar", "behandlingsfrister"), ("høyringssvaret", "høringssvaret"), ("praktiserast", "praktiseres"),
     ("moglegheiter", "muligheter")],
)
def test_nynorsk_words_have_their_bokmal_spelling(nynorsk, bokmal):
    assert bokmal in bokmal_variants(nynorsk)


def test_nynorsk_question_words_are_known_in_the_bokmal_archive(assistant):
    scorer = assistant.extractive.scorer
    # Nynorsk spellings of words the (Bokmål) archive uses are not missing from it …
    assert scorer.missing_terms(analyse("Kva står det i utgreiinga om alternativkostnaden som rådet sjølv har lese?")) == []
    assert scorer.missing_terms(analyse("Kva seier høyringssvaret om helsetenestene i kommunane?")) == []
    # … while a topic the archive never treats stays missing in either standard.
    assert scorer.missing_terms(analyse("Kva meiner rådet om fiskeoppdrett?")) == ["fiskeoppdrett"]


def test_a_nynorsk_question_is_answered_not_refused(assistant):
    answer = assistant.ask("Kva vart bestemt om utgreiinga om alternativkostnaden?")
    assert answer.language == "nn" and not answer.refused
    assert any(c.case == "5/1/2026" for c in answer.citations)


def test_the_check_catches_a_claim_no_quote_holds(assistant):
    answer = assistant.ask("How many members sit on the council, and from which sectors?")
    lead = answer.answer.split("\n\n")[0]
    assert _claims_hold(lead, answer) == []
    assert _claims_hold(lead.replace("16 members", "17 members"), answer)
    assert _claims_hold(lead.replace("16 members", "16 members; Jens Stoltenberg"), answer)
    assert _claims_hold(lead.replace("16 members", "16 members; 3 May 2024"), answer)


def _lead(answer) -> str:
    return answer.answer.split("\n\n")[0] if answer.answer.startswith(LEAD_PREFIX) else ""


def test_the_lead_states_a_may_date_counts_and_amounts_as_the_quotes_give_them(assistant):
    # "14. mai 2027" in the overview of white papers: "mai" is a month name, though as short as
    # the abbreviations ("mar", "des") that are left out.
    answer = assistant.ask("When is the report of the Pasient- og brukerrettighetslovutvalget due?")
    assert "14 May 2027" in _lead(answer) and _claims_hold(_lead(answer), answer) == []
    # "fire sentrale problemstillinger": a number word counts its noun across a plural adjective,
    # and the noun the figure names is not listed again as a term.
    answer = assistant.ask("Which problems has the innovation and co-creation committee defined?")
    lead = _lead(answer)
    assert "four central issues" in lead and "(problemstillinger)" not in lead, lead
    assert _claims_hold(lead, answer) == []
    # "ti konkrete oppfølgingspunkter": a compound the glossary lacks is given from its parts,
    # the unknown head as the quote writes it; the unknown adjective is left out, not guessed.
    answer = assistant.ask("What did the 2025 meeting for top leaders on reuse of health data result in?")
    assert "ten follow up *punkter*" in _lead(answer) and _claims_hold(_lead(answer), answer) == []
    # "10 mill. kroner … over Statsbudsjettet": the amount in English, a compound term glossed.
    answer = assistant.ask("How much money did NORTRE get over the state budget?")
    lead = _lead(answer)
    assert "10 million kroner" in lead and "structure (styringsstruktur)" in lead, lead
    # "oppfølging av HelseOmsorg21-strategien fra 2014": to a question that asks when, a year its
    # preposition introduces is a date.
    answer = assistant.ask("Since when has the HelseOmsorg21 strategy existed?")
    assert "from 2014" in _lead(answer) and _claims_hold(_lead(answer), answer) == []
    assert years("Møtet i 2025 ga innspill til 2026-budsjettet; fristene er i 2029 og 2031.", []) == [
        ("in 2025", "i 2025"), ("in 2029 and 2031", "i 2029 og 2031")]


def test_a_sentences_first_word_the_glossary_knows_is_not_a_name():
    assert names("Invitere Helsedirektoratet til møte for å diskutere lovtekst.") == ["Helsedirektoratet"]
    assert names("Tarje Bjørgum deltok fra rådet.") == ["Tarje Bjørgum"]


def test_no_figure_in_a_lead_is_missing_from_the_quotes_it_cites(assistant):
    """Independently of _claims_hold: every number the lead states (less its citation markers and
    the case numbers of its labels) stands, in digits or as its Norwegian number word, in a
    quote of the answer."""
    number_words = {english: norwegian for norwegian, english in NUMBER_WORDS.items()}
    for question in OWN_QUESTIONS:
        answer = assistant.ask(question)
        lead = _lead(answer)
        if not lead:
            continue
        quotes = " ".join(c.quote for c in answer.citations).lower()
        body = re.sub(r"\bcase \d+/\d+/\d{4}|«[^»]*»", " ", _MARKER.sub(" ", lead[len(LEAD_PREFIX):]), flags=re.I)
        for figure in re.findall(r"\d+(?:[.,]\d+)*", body):
            assert figure.replace(",", " ").replace(".", ",") in quotes or figure in quotes, (question, figure, lead)
        for word in re.findall(r"\b(" + "|".join(number_words) + r")\b", body):
            norwegian = [n for n, e in NUMBER_WORDS.items() if e == word]
            assert any(re.search(rf"(?<!\w){n}(?!\w)", quotes) for n in norwegian), (question, word, lead)


def test_compounds_are_glossed_from_their_parts():
    # Both parts known: English order, head last.
    assert english_compound("helsedatautfordringene") == ("health data challenges", True)
    assert english_compound("styringsstrukturen")[0].endswith("structure")
    # Only the first part known: the head stays Norwegian, in italics; the linking "s" is the
    # compound's, not the head's.
    assert english_compound("utviklingspartner") == ("development *partner*", False)
    assert english_compound("forskningsstøttepersonell") == ("research *støttepersonell*", False)
    # A short word inside a longer one is not a first part ("land" in "landsdekkende").
    assert english_compound("landsdekkende") == ("", False)
    # A derivation is not a compound, and a linking letter is not a head's first letter:
    # "innleggelses" is not "talk *elses*", "forskningsråd" not "research *sråd*".
    assert english_compound("innleggelses") == ("", False) and english_compound("forskningsråd") == ("", False)
    # A remainder that cannot start a Norwegian word is a split in the wrong place, not a head:
    # "deltakelse" is no "take part *kelse*", "arbeidsflyt" no "work *sflyt*".
    assert english_compound("deltakelse") == ("", False) and english_compound("arbeidsflyt") == ("", False)
    assert english_compound("teknologiselskaper") == ("technology *selskaper*", False)
    # A name is not half-translated; an ordinary compound of the same sentence is glossed.
    terms = dict(_glossary_terms("Helsedirektoratet er en utviklingspartner."))
    assert "helsedirektoratet" not in terms and terms["utviklingspartner"] == "development *partner*"


def test_an_english_question_is_weighed_on_the_words_the_archive_shares_with_it():
    from assistant.glossary import archive_words

    words = archive_words(search_words("Which projects did Rørtveit and NORTRE report to HelseOmsorg21 in 2025?", "en")).split()
    # names, figures and Norwegian spellings stay; ordinary English words ("projects", "report")
    # go: the archive has them only in reference lists, where they are rare and would weigh most
    assert {"Rørtveit", "NORTRE", "HelseOmsorg21", "2025"} <= set(words)
    assert not {"Which", "projects", "report", "did"} & set(words)
    assert archive_words(search_words("Hva mener rådet om helsedata?", "nb")) is None  # Norwegian: every word


def test_english_function_words_do_not_weigh_as_rare_archive_terms(assistant):
    # The archive holds "and", "of", "in" only in English titles of reference lists, where they are
    # rare: counted as question terms they made a reference line the best lexical match of an
    # English question whose one archive word is a name.
    import numpy as np
    from assistant.evidence import EvidenceScorer

    scorer = EvidenceScorer(assistant.retriever)
    hits = assistant.retriever.search("Rørtveit health research report of the and in", k=8)
    scored = scorer.score("What did Rørtveit say about the report, and what was the outcome of it in the end?",
                          np.zeros(384, dtype=np.float32), hits, lang="en")
    best = max(scored, key=lambda s: s.lexical)
    assert "Rørtveit" in best.text, best.text
