"""The llama-index baseline over a small Norwegian corpus written here, with the real embedder."""
from __future__ import annotations

import socket

import pytest

import ingest  # noqa: F401  (offline switches first)
from evals.baseline import TOP_K, LlamaIndexBaseline, corpus_files, measure
from evals.metrics import GoldItem
from ingest.settings import EmbeddingSettings

FILES = {
    "brannvern.md": (
        "# Ny brannstasjon\n\nKommunestyret vedtok å bygge en ny brannstasjon på Nordsletta. "
        "Byggingen skal koste 48 millioner kroner og stå ferdig høsten 2028. "
        "Brannsjefen mener utrykningstiden til boligfeltene i nord blir halvert."
    ),
    "skole.txt": (
        "Oppvekstutvalget behandlet skolebruksplanen. Elevtallet ved Vestbygda skole har falt i ti år, "
        "og utvalget ba rådmannen utrede sammenslåing med Sentrum skole fra skoleåret 2027/28. "
        "Foreldrerådet protesterte mot lengre skolevei."
    ),
    "havn.md": (
        "Havnestyret drøftet vedlikehold av moloen og kaifronten. Tilskuddet fra Kystverket dekker "
        "halvparten av kostnaden, og arbeidet starter når fisket er over i april."
    ),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("korpus")
    for name, text in FILES.items():
        (root / name).write_text(text, encoding="utf-8")
    # Not corpus documents: a sidecar and a README, which our own ingest skips too.
    (root / "brannvern.md.meta.json").write_text('{"doc_type": "referat"}', encoding="utf-8")
    (root / "README.md").write_text("Om denne mappen.", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def baseline(corpus):
    def refuse(*args, **kwargs):
        raise AssertionError(f"the baseline tried the network: {args}")

    # Building and querying must not download anything (punkt, tiktoken, a model, an LLM).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        built = LlamaIndexBaseline.from_corpus(corpus, EmbeddingSettings())
        built.retrieve("hybrid", "warm-up")
        yield built


def test_every_supported_file_is_read_but_not_sidecars_or_readme(corpus, tmp_path):
    assert [p.name for p in corpus_files(corpus)] == sorted(FILES)
    # Two renditions of one document both land in the baseline, as they would for a plain user.
    (tmp_path / "sak.md").write_text("Sak 1", encoding="utf-8")
    (tmp_path / "sak.txt").write_text("Sak 1", encoding="utf-8")
    assert [p.name for p in corpus_files(tmp_path)] == ["sak.md", "sak.txt"]


def test_one_document_per_file_with_default_splitting(baseline):
    assert sorted(node.metadata["file_name"] for node in baseline.nodes) == sorted(FILES)


@pytest.mark.parametrize("variant", ["dense", "hybrid"])
def test_a_question_retrieves_the_right_files_chunk(baseline, variant):
    hits = baseline.retrieve(variant, "Hva skal den nye brannstasjonen koste?")
    assert 1 <= len(hits) <= TOP_K
    assert hits[0].node.metadata["file_name"] == "brannvern.md"
    hits = baseline.retrieve(variant, "Skal Vestbygda skole slås sammen med en annen skole?")
    assert hits[0].node.metadata["file_name"] == "skole.txt"


def test_hybrid_uses_the_norwegian_stemmer(baseline):
    import Stemmer
    from llama_index.retrievers.bm25 import BM25Retriever

    # "brannstasjonene" (definite plural) appears nowhere; only the base form "brannstasjon" does.
    query = "brannstasjonene"
    assert query not in " ".join(FILES.values())
    lexical = baseline.retrievers["bm25"]
    assert lexical in baseline.retrievers["hybrid"]._retrievers
    top = lexical.retrieve(query)[0]
    assert top.node.metadata["file_name"] == "brannvern.md" and top.score > 0
    # The default English stemmer leaves "-ene" and so finds nothing: the Norwegian one matters.
    english = BM25Retriever.from_defaults(nodes=baseline.nodes, similarity_top_k=TOP_K, stemmer=Stemmer.Stemmer("english"))
    assert all(hit.score == 0 for hit in english.retrieve(query))
    assert baseline.retrieve("hybrid", query)[0].node.metadata["file_name"] == "brannvern.md"


def test_measure_gives_the_evidence_rank_and_a_latency(baseline):
    item = GoldItem(
        id="b1",
        question="Når åpner den nye brannstasjonen?",
        lang="nb",
        type="when",
        evidence="Byggingen skal koste 48 millioner kroner og stå **ferdig  høsten** 2028.",
    )
    rank, latency, top = measure(baseline, "hybrid", item)
    assert rank == 1 and latency > 0 and top is None  # no must_include: no top sentence measured
    missing = item.model_copy(update={"evidence": "Denne setningen står ikke i korpuset."})
    assert measure(baseline, "dense", missing)[0] is None


def test_the_top_sentence_is_the_retrieved_sentence_closest_to_the_question(baseline):
    item = GoldItem(
        id="b2", question="Hva skal den nye brannstasjonen koste?", lang="nb", type="fact",
        must_include=["48 millioner kroner"],
    )
    assert measure(baseline, "hybrid", item, top_sentence=True)[2] == 1.0
    wrong = item.model_copy(update={"must_include": ["utrykningstiden"]})
    assert measure(baseline, "hybrid", wrong, top_sentence=True)[2] == 0.0


def test_the_baseline_indexes_the_files_the_product_indexed(corpus, tmp_path):
    from evals.baseline import indexed_files
    from ingest.pipeline import ingest_paths
    from ingest.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "elsewhere")
    ingest_paths([corpus / "skole.txt", corpus / "havn.md"], settings, progress=False)
    assert [p.name for p in indexed_files(settings)] == ["havn.md", "skole.txt"]
