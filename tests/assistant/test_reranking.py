"""CrossEncoderReranker plumbing, on a tiny cross-encoder built offline in the test.

No multilingual reranker ships on PyPI, so the model here is a 2-layer BERT with random
weights: its scores mean nothing, but loading, scoring, ordering and determinism are real.
"""
from __future__ import annotations

import sys

import pytest

import assistant  # noqa: F401  (offline switches first)
from assistant.reranking import CrossEncoderReranker, make_reranker
from ingest.embedders import BackendUnavailable, EmbedderModelNotFound

pytest.importorskip("sentence_transformers")

WORDS = ("rådet ber sekretariatet følge opp arbeidet med helse ##data arendal ##suka "
         "arrangeres i august sak møte vedtak hva skal gjøre").split()
PASSAGES = [
    ("p1", "Rådet ber sekretariatet følge opp arbeidet med helsedata"),
    ("p2", "Arendalsuka arrangeres i august"),
    ("p3", "Sak møte vedtak"),
    ("p4", "helsedata helsedata"),
]


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory) -> str:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    model_dir = tmp_path_factory.mktemp("tiny-cross-encoder")
    vocab = model_dir / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=5 + len(WORDS), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128, num_labels=1, initializer_range=0.5,
    )
    BertForSequenceClassification(config).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    return str(model_dir)


def test_scores_every_passage_best_first_and_deterministically(tiny_cross_encoder):
    reranker = make_reranker(tiny_cross_encoder)
    assert isinstance(reranker, CrossEncoderReranker)
    ranked = reranker.rerank("Hva skal sekretariatet gjøre med helsedata?", PASSAGES)
    assert sorted(pid for pid, _ in ranked) == ["p1", "p2", "p3", "p4"]
    scores = [score for _, score in ranked]
    assert all(isinstance(s, float) for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) > 1  # the model really looked at the pairs
    assert reranker.rerank("Hva skal sekretariatet gjøre med helsedata?", PASSAGES) == ranked
    # A second, independently loaded instance agrees: nothing random at inference time.
    fresh = CrossEncoderReranker(tiny_cross_encoder)
    assert [pid for pid, _ in fresh.rerank("Hva skal sekretariatet gjøre med helsedata?", PASSAGES)] == [
        pid for pid, _ in ranked]
    assert reranker.rerank("helsedata", []) == []


def test_make_reranker_is_off_by_default_and_cached(tiny_cross_encoder):
    assert make_reranker(None) is None and make_reranker("") is None
    assert make_reranker(tiny_cross_encoder) is make_reranker(tiny_cross_encoder)


def test_missing_directory_gives_a_clear_error(tmp_path):
    with pytest.raises(EmbedderModelNotFound, match="reranker model directory .* does not exist"):
        make_reranker(str(tmp_path / "no-such-reranker"))


def test_missing_st_extra_names_the_extra(tiny_cross_encoder, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    with pytest.raises(BackendUnavailable, match=r"pip install 'radsarkiv\[st\]'"):
        CrossEncoderReranker(tiny_cross_encoder)
