"""The question is read once (assistant/analysis.py) and the route is chosen in one place
(assistant/routes/): what the analysis holds, which route each kind of question gets, that a new
route is one module and one registry line, and that no other module reads the question's text.

Questions are written for these tests, not taken from any gold set.
"""
from __future__ import annotations

import ast
import pathlib
import types

import pytest

from assistant import routes
from assistant.analysis import analyse
from assistant.answer import Answer


def test_the_analysis_holds_references_and_focus():
    analysis = analyse("Hva ble vedtatt på det siste møtet i 2025 om Guri Rørtveit i formannskapet?")
    assert analysis.asks.decision and not analysis.asks.agenda  # "om …": a topic, not the agenda
    assert analysis.references.ordinal_meetings == ((-1, "2025"),)
    assert analysis.references.people == ("Guri Rørtveit",)
    assert "formannskapet" in analysis.references.bodies
    assert analysis.focus.topic_phrase == "Guri Rørtveit i formannskapet"
    assert {"guri", "rørtveit"} <= set(analysis.focus.terms) and "hva" not in analysis.focus.terms
    dated = analyse("Hvilke saker ble behandlet på møtet 4. mars 2026, og hvem var til stede?")
    assert dated.asks.agenda and dated.references.dates == ("2026-03-04",)
    assert dated.focus.parts[1:] == ("Hvilke saker ble behandlet på møtet 4. mars 2026", "hvem var til stede")
    assert analyse("Hva sa rådet om helsedata i mars?").references.months == frozenset({(None, 3)})
    assert analyse("What was on the agenda at the last meeting?").references.latest_meeting


@pytest.mark.parametrize("question", [
    "Hva bestemte rådet om forskningsetikk?",        # the past tense, not only "bestemt"
    "Hva ble konklusjonen på saken om legemidler?",   # the noun
    "Kva avgjerd tok rådet om klinisk forsking?",     # Nynorsk
    "Hvilken beslutning tok rådet om biobanker?",
    "What was the council's conclusion on biobanks?",
])
def test_every_form_of_a_decision_word_asks_for_a_decision(question):
    assert analyse(question).asks.decision


@pytest.mark.parametrize("question, route", [
    ("Kan du skrive et kort notat om rådets syn på pasientnær forskning?", "drafting"),
    ("Hva handlet sak 3/1/2026 om?", "case_lookup"),
    ("Hvilke saker ble behandlet på møte 2/2026?", "meeting_agenda"),
    ("Hvilke vedtak har rådet fattet om helsedata?", "decisions"),
    ("Hva mener rådet om forskning i kommunene?", "positions"),
    ("Jeg er nytt medlem – hvordan fungerer møtene?", "onboarding"),
    ("Hvem stemte mot forslaget i formannskapet?", "meeting_records"),
    ("Hvor mange deltok på seminaret?", "facts"),
])
def test_the_registry_chooses_the_route_from_the_analysis(question, route):
    chosen = routes.applicable(analyse(question))
    assert chosen[0].NAME == route
    assert chosen[-1] is routes.facts  # every question can fall back to quoted evidence


def test_every_route_is_a_module_with_the_same_small_interface():
    names = [route.NAME for route in routes.REGISTRY]
    assert len(names) == len(set(names)) and routes.REGISTRY[-1] is routes.facts
    for route in routes.REGISTRY:
        assert route.STAGE in routes.STAGES and isinstance(route.GENERATE, bool)
        assert callable(route.applies) and callable(route.answer)
    # The register's own texts (a case card, an agenda, the meeting records) are never rewritten.
    assert not routes.generates("case_lookup") and not routes.generates("meeting_agenda") and routes.generates("facts")


def test_a_new_route_is_one_module_and_one_registry_line(assistant, monkeypatch):
    """A route added to REGISTRY answers the questions it applies to, through the real answerer;
    the others keep theirs."""
    question = "Jeg er nytt medlem – hvordan fungerer møtene?"
    route = types.ModuleType("welcome")
    route.NAME, route.STAGE, route.GENERATE = "welcome", "register", False
    route.applies = lambda analysis: analysis.intent == "onboarding"
    route.answer = lambda ctx: Answer(answer=f"Velkommen ({len(ctx.context)} passasjer)", language=ctx.lang, route="welcome")
    monkeypatch.setattr(routes, "REGISTRY", (route, *routes.REGISTRY))
    answer = assistant.ask(question)
    assert answer.route == "welcome" and answer.answer.startswith("Velkommen (")
    assert assistant.ask("Hvilke vedtak har rådet fattet om helsedata?").route == "decisions"


# Modules that still read the question's text, each with the reason; every other module in
# assistant/ reads the QuestionAnalysis. These are owned by parallel work in this session.
_STILL_READING = {
    "analysis.py": "the analysis itself (its referential reading)",
    "reading.py": "the analysis's reading of intent, references and focus",
    "answer_types.py": "the analysis's reading of the expected answer type",
    "language.py": "the analysis's language detection",
    "service.py": "validates the input (empty, too long), does not read it",
    "search_words.py": "the analysis's reading of the glossary words a search text uses (QuestionAnalysis.search_words)",
    "holding_refs.py": "the analysis's reading of what the question needs the archive to hold (only analysis.py calls it)",
    "holdings.py": "quotes the question's own words for a missing term in the refusal text (wording, not reading)",
}
_PATTERN_CALLS = {"search", "match", "fullmatch", "findall", "finditer", "sub", "split"}


def _reads_question(tree: ast.AST) -> list[int]:
    """Lines where a regular expression is applied to something named question/query."""
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PATTERN_CALLS):
            continue
        owner = node.func.value
        # re.search(…, question) or a compiled pattern (a CONSTANT) applied to it; not retriever.search.
        if isinstance(owner, ast.Name) and (owner.id == "re" or owner.id.lstrip("_").isupper()):
            names = {n.id for arg in node.args for n in ast.walk(arg) if isinstance(n, ast.Name)}
            names |= {n.attr for arg in node.args for n in ast.walk(arg) if isinstance(n, ast.Attribute)}
            if names & {"question", "query", "retrieval_query", "request"}:
                lines.append(node.lineno)
    return lines


def test_no_module_but_the_analysis_reads_the_question():
    root = pathlib.Path(__file__).resolve().parents[2] / "assistant"
    readers = {}
    for path in sorted(root.rglob("*.py")):
        lines = _reads_question(ast.parse(path.read_text(encoding="utf-8")))
        if lines and path.name not in _STILL_READING:
            readers[str(path.relative_to(root))] = lines
    assert readers == {}
    # The question-reading helpers are the analysis's own: no other module calls them.
    importers = [p.name for p in root.rglob("*.py") if "from assistant.reading import" in p.read_text(encoding="utf-8")
                 and "import References" not in p.read_text(encoding="utf-8")]
    assert importers == ["analysis.py"]
