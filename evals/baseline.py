"""The yardstick: the plain llama-index pipeline a user would build over the same corpus.

One llama-index Document per corpus file, SentenceSplitter() with its defaults, an in-memory
VectorStoreIndex with our embedder, top-5 retrieval ("dense"); and the same plus BM25 with the
Norwegian stemmer, fused by reciprocal rank ("hybrid"). It is scored with the same
evidence_hit@k as the assistant, on the same questions, in the same run.

The defaults are the point: the splitter is tuned for English and knows nothing of cases,
meetings or renditions. Nothing here may reach the network: llama-index ships NLTK's punkt and
tiktoken's vocabulary inside its wheel, and configure_llama_index pins the embedder, the
tokenizer and a MockLLM so no "default" OpenAI model is ever resolved.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import ingest  # noqa: F401  (offline switches before llama-index is imported)
from evals.metrics import GoldItem, evidence_rank

TOP_K = 5
VARIANTS = ("dense", "hybrid")
# Asked once, unmeasured, before the items (run.py does the same for the assistant), so one-time
# loading is not charged to whichever question happens to come first.
WARM_UP_QUESTION = "Hva handler arkivet om?"


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every file our own ingest would consider, every rendition kept.

    The corpus holds one meeting bundle as both .md and .pdf. Our pipeline merges renditions;
    a naive user points llama-index at the folder and gets both, duplicates and all, so the
    baseline ingests every file. The file filter (supported formats, no sidecars, no README)
    is the pipeline's own, so both sides read the same corpus.
    """
    from ingest.pipeline import discover

    groups, _folders, errors = discover([Path(corpus_dir)])
    if errors:
        raise FileNotFoundError("; ".join(f"{e['path']}: {e['error']}" for e in errors))
    return sorted(path for group in groups for path in group.files)


def load_documents(corpus_dir: Path) -> list:
    from llama_index.core import Document

    from ingest.readers import read_document

    documents = []
    for path in corpus_files(corpus_dir):
        read = read_document(path)
        text = "\n\n".join(page.text for page in read.pages)
        # file_name is what SimpleDirectoryReader would attach too (and embed with the text).
        documents.append(Document(text=text, metadata={"file_name": path.name}))
    if not documents:
        raise FileNotFoundError(f"Ingen støttede filer i {corpus_dir}.")
    return documents


class LlamaIndexBaseline:
    """The two baseline retrievers ("dense", "hybrid") over one set of documents; "bm25" is the
    hybrid's lexical half, kept for inspection."""

    def __init__(self, documents: Sequence, embedding_settings) -> None:
        import Stemmer
        from llama_index.core import VectorStoreIndex
        from llama_index.core.llms import MockLLM
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.retrievers.bm25 import BM25Retriever

        from ingest.embedders import configure_llama_index, make_embedder

        configure_llama_index(make_embedder(embedding_settings))
        self.nodes = SentenceSplitter().get_nodes_from_documents(list(documents))
        index = VectorStoreIndex(self.nodes)
        dense = index.as_retriever(similarity_top_k=TOP_K)
        bm25 = BM25Retriever.from_defaults(
            nodes=self.nodes,
            similarity_top_k=TOP_K,
            stemmer=Stemmer.Stemmer("norwegian"),
            language="norwegian",
        )
        hybrid = QueryFusionRetriever(
            [dense, bm25],
            mode="reciprocal_rerank",
            num_queries=1,  # the question as asked: no LLM query rewriting
            similarity_top_k=TOP_K,
            llm=MockLLM(),  # never called with num_queries=1; explicit so no global LLM is consulted
        )
        self.retrievers = {"dense": dense, "hybrid": hybrid, "bm25": bm25}

    @classmethod
    def from_corpus(cls, corpus_dir: Path, embedding_settings) -> "LlamaIndexBaseline":
        return cls(load_documents(corpus_dir), embedding_settings)

    def retrieve(self, variant: str, query: str) -> list:
        """The top-5 nodes (NodeWithScore), best first."""
        return self.retrievers[variant].retrieve(query)

    def passages(self, variant: str, query: str) -> list[str]:
        return [hit.node.get_content() for hit in self.retrieve(variant, query)]


def measure(baseline: LlamaIndexBaseline, variant: str, item: GoldItem) -> tuple[int | None, float]:
    """(rank of the evidence among the top 5, or None; retrieval latency in ms).

    The query is the question alone: a plain retriever keeps no conversation, so follow-ups
    are asked as they stand.
    """
    started = time.perf_counter()
    passages = baseline.passages(variant, item.question)
    latency = (time.perf_counter() - started) * 1000
    return evidence_rank(item.evidence, passages), latency


def run_baseline(
    items: Sequence[GoldItem], settings, progress: bool = True
) -> dict[str, dict[str, tuple[int | None, float]]]:
    """variant → item id → (evidence rank, latency ms), over settings.corpus_dir."""
    from rich.console import Console
    from rich.progress import track

    baseline = LlamaIndexBaseline.from_corpus(settings.corpus_dir, settings.embedding)
    for variant in VARIANTS:
        baseline.retrieve(variant, WARM_UP_QUESTION)
    measured: dict[str, dict[str, tuple[int | None, float]]] = {v: {} for v in VARIANTS}
    steps = [(variant, item) for variant in VARIANTS for item in items]
    for variant, item in track(
        steps, description="llama-index-baseline", disable=not progress,
        console=Console(stderr=True), transient=True,
    ):
        measured[variant][item.id] = measure(baseline, variant, item)
    return measured
