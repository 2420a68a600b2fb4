"""The LLM path against a real OpenAI-compatible server: llama.cpp (llama-cpp-python's server)
with a small packaged model, on the real index. Opt-in: `make test-llm` (marked `llm`, deselected
by default). The model is small: these tests check what must hold whatever it writes — the wire
protocol, streaming, citation checks, refusals and fallbacks — not how good its prose is.
"""
from __future__ import annotations

import re

import pytest

from assistant.generation import GenerationFailed, LLMGenerator
from assistant.llm_sources import passage_sources
from assistant.routing import interpret

pytestmark = pytest.mark.llm

# Questions written for these tests; each has a short answer the archive states once.
QUESTION = "Hvor mange følger rådet på LinkedIn?"
FACT = "600"
REFUSED = "Hva har rådet sagt om vindkraft til havs?"


def assert_checked(answer, retriever) -> None:
    """What every answer must satisfy, model-written or not: each citation quotes the archive
    verbatim and appears in the text, and our sentence numbering never reaches the user."""
    archive = " ".join(retriever.texts.values())
    assert answer.answer.strip()
    assert not re.search(r"\[\d+\.\d+\]", answer.answer)
    for citation in answer.citations:
        assert citation.marker in answer.answer
        assert citation.quote in archive


def test_plain_answer(llm_assistant_for, retriever, llama_server) -> None:
    assistant = llm_assistant_for(llama_server)
    answer = assistant.ask(QUESTION)
    info = answer.generation
    assert info["model"] == llama_server.model
    # The request went through: the model wrote something, and we measured it.
    assert info.get("raw_text") and info["completion_tokens"] > 0
    assert 0 < info["first_token_s"] <= info["elapsed_s"]
    assert info["sources"] >= 2  # passages, not only the extractive pick
    assert_checked(answer, retriever)
    assert FACT in answer.answer  # the model's answer, or the extractive one it fell back to
    if "fallback" not in info:
        assert answer.citations and any(FACT in c.quote for c in answer.citations)


def test_streamed_answer(llm_assistant_for, retriever, llama_server) -> None:
    assistant = llm_assistant_for(llama_server)
    events = list(assistant.stream(QUESTION))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and kinds.count("answer") == 1
    tokens = [value for kind, value in events if kind == "draft"]
    assert len(tokens) >= 5  # the model's deltas arrived one by one, before the answer
    final = events[-1][1]
    # The live drafts are exactly what the model wrote; the final answer is the checked one.
    assert "".join(tokens).strip() == final.generation["raw_text"]
    assert_checked(final, retriever)


def test_refusal_is_left_to_the_archive(llm_assistant_for, retriever, llama_server) -> None:
    assistant = llm_assistant_for(llama_server)
    before = llama_server.completions_requested()
    answer = assistant.ask(REFUSED)
    assert answer.refused and answer.answer.startswith("Arkivet inneholder ikke")
    assert llama_server.completions_requested() == before  # the model was never asked
    assert not answer.generation


def test_bogus_citation_is_stripped(llm_assistant_for, retriever, llama_server) -> None:
    assistant = llm_assistant_for(llama_server)
    extractive = assistant.extractive.answer(interpret(QUESTION), "nb", None, None)
    sources = passage_sources(extractive.context)[:2]
    offered = {f"[{n}.{k}]" for n, s in enumerate(sources, 1) for k in range(1, len(s.sentences) + 1)}
    offered |= {s.marker for s in sources}
    bogus = "[Sak 99/9/2099]"
    # The model is asked to repeat a sentence with a citation no source has. Whatever it makes
    # of that, no marker it was not offered may survive, and each one it wrote is reported.
    question = f"Gjenta denne setningen ordrett: «Rådet har 5000 følgere på TikTok {bogus}.»"
    generator = LLMGenerator(assistant.settings.llm)
    try:
        result = generator.generate(question, "nb", sources, None)
        raw, text, notes = result.raw_text, result.text, result.removed
    except GenerationFailed as failure:  # nothing survived the checks: a right outcome too
        assert failure.reason.startswith("no sentence")
        raw, text, notes = failure.details["raw_text"], "", failure.notes
    written = set(re.findall(r"\[[^\[\]\n]{1,160}\]", raw))
    unknown = {m for m in written if m not in offered and not re.fullmatch(r"\[\d+(?:\s*[,;]\s*\d+)*\]", m)}
    for marker in unknown:
        assert marker not in text and any(marker in note for note in notes), marker
    assert bogus not in text and "TikTok" not in text
    assert set(re.findall(r"\[[^\[\]\n]{1,160}\]", text)) <= offered  # only offered ids are left


def test_server_dying_mid_stream_falls_back(llm_assistant_for, retriever, start_llama_server) -> None:
    server = start_llama_server()
    assistant = llm_assistant_for(server)
    events = []
    for kind, value in assistant.stream(QUESTION):
        events.append((kind, value))
        if kind == "draft" and sum(k == "draft" for k, _ in events) == 1:
            server.kill()  # mid-answer, as a crash or an OOM kill would
    final = events[-1][1]
    assert events[-1][0] == "answer"
    assert final.generation["fallback"]  # the broken stream was noticed ...
    assert any("Språkmodellen" in note for note in final.notes)
    assert FACT in final.answer and final.citations  # ... and the archive's answer given instead
    assert_checked(final, retriever)
    assert server.process.poll() is not None


def test_slow_server_hits_the_timeout(llm_assistant_for, retriever, start_llama_server) -> None:
    server = start_llama_server()
    # Reading a prompt of a thousand tokens takes this server many seconds; allow one.
    assistant = llm_assistant_for(server, timeout_s=1.0)
    answer = assistant.ask(QUESTION)
    assert "timed out" in answer.generation["fallback"]
    assert any("Språkmodellen" in note for note in answer.notes)
    assert FACT in answer.answer and answer.citations
    assert_checked(answer, retriever)
