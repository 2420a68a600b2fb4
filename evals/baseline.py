"""The yardstick: the plain llama-index pipeline a user would build over the same corpus.

One llama-index Document per corpus file, SentenceSplitter() with its defaults, an in-memory
VectorStoreIndex with our embedder, top-5 retrieval ("dense"); and the same plus BM25 with the
Norwegian stemmer, fused by reciprocal rank ("hybrid"). It indexes exactly the files the product
indexed (every rendition of every document in the register), so it is measured on the same
archive whatever that is: corpus/, a NorQuAD folder, another council's papers. It is scored with
the same evidence_hit@k as the assistant, on the same questions, in the same run, and its answer,
for answer-selection sets, is its top sentence: the sentence of its top passages closest to the
question by the same embedder.

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
from evals.metrics import GoldItem, evidence_rank, normalise

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


def indexed_files(settings) -> list[Path]:
    """Every rendition of every document the product's register holds, as files on disk.

    The register stores paths as they were given to ingest (often relative to where it ran); a
    path that no longer resolves from here is looked up in the corpus folder by name.
    """
    from ingest.store.register import Register

    register = Register.open_readonly(settings.register_path)
    try:
        rows = register.documents()
    finally:
        register.close()
    root = Path(__file__).resolve().parents[1]
    files: list[Path] = []
    for row in rows:
        for name in row["renditions"] or [row["path"]]:
            path = Path(name)
            candidates = [path] if path.is_absolute() else [Path.cwd() / path, root / path]
            candidates.append(Path(settings.corpus_dir) / path.name)
            found = next((c for c in candidates if c.is_file()), None)
            if found is None:
                raise FileNotFoundError(f"{name}: indexed, but not found on disk for the baseline")
            files.append(found.resolve())
    return sorted(dict.fromkeys(files))


def load_documents(corpus_dir: Path | None = None, files: Sequence[Path] | None = None) -> list:
    from llama_index.core import Document

    from ingest.readers import read_document

    documents = []
    for path in files if files is not None else corpus_files(corpus_dir):
        read = read_document(path)
        text = "\n\n".join(page.text for page in read.pages)
        # file_name is what SimpleDirectoryReader would attach too (and embed with the text).
        documents.append(Document(text=text, metadata={"file_name": path.name}))
    if not documents:
        raise FileNotFoundError(f"Ingen støttede filer i {corpus_dir or 'indeksen'}.")
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

        self.embed_model = make_embedder(embedding_settings)
        configure_llama_index(self.embed_model)
        self._sentence_vectors: dict[str, object] = {}
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

    @classmethod
    def from_index(cls, settings) -> "LlamaIndexBaseline":
        """Over the files the product indexed (see indexed_files)."""
        return cls(load_documents(files=indexed_files(settings)), settings.embedding)

    def passages(self, variant: str, query: str) -> list[str]:
        return [hit.node.get_content() for hit in self.retrieve(variant, query)]

    def top_sentence(self, query: str, passages: Sequence[str]) -> str:
        """The sentence of the passages closest to the query: llama-index's own sentence
        tokenizer, the same embedder (sentence vectors cached across questions)."""
        import numpy as np
        from llama_index.core.node_parser.text.utils import split_by_sentence_tokenizer

        split = split_by_sentence_tokenizer()
        sentences = list(dict.fromkeys(s.strip() for p in passages for s in split(p) if s.strip()))
        if not sentences:
            return ""
        new = [s for s in sentences if s not in self._sentence_vectors]
        if new:
            for sentence, vector in zip(new, self.embed_model.get_text_embedding_batch(new)):
                self._sentence_vectors[sentence] = np.asarray(vector)
        question = np.asarray(self.embed_model.get_query_embedding(query))
        return max(sentences, key=lambda s: float(self._sentence_vectors[s] @ question))


def measure(
    baseline: LlamaIndexBaseline, variant: str, item: GoldItem, top_sentence: bool = False
) -> tuple[int | None, float, float | None]:
    """(rank of the evidence among the top 5, or None; retrieval latency in ms; share of the
    item's must_include spans in the top sentence, when asked for and the item has spans).

    The query is the question alone: a plain retriever keeps no conversation, so follow-ups
    are asked as they stand.
    """
    started = time.perf_counter()
    passages = baseline.passages(variant, item.question)
    latency = (time.perf_counter() - started) * 1000
    top = None
    if top_sentence and item.must_include and item.answerable:
        sentence = normalise(baseline.top_sentence(item.question, passages))
        top = sum(normalise(span) in sentence for span in item.must_include) / len(item.must_include)
    return evidence_rank(item.evidence, passages), latency, top


# The top sentence is measured for the stronger variant only: it embeds every sentence of the
# passages retrieved, which is the slow part of the baseline.
TOP_SENTENCE_VARIANTS = ("hybrid",)


def run_baseline(
    items: Sequence[GoldItem], settings, progress: bool = True
) -> dict[str, dict[str, tuple[int | None, float, float | None]]]:
    """variant → item id → (evidence rank, latency ms, top-sentence share), over the documents
    the product indexed under settings."""
    from rich.console import Console
    from rich.progress import track

    baseline = LlamaIndexBaseline.from_index(settings)
    for variant in VARIANTS:
        baseline.retrieve(variant, WARM_UP_QUESTION)
    measured: dict[str, dict[str, tuple[int | None, float, float | None]]] = {v: {} for v in VARIANTS}
    steps = [(variant, item) for variant in VARIANTS for item in items]
    for variant, item in track(
        steps, description="llama-index-baseline", disable=not progress,
        console=Console(stderr=True), transient=True,
    ):
        measured[variant][item.id] = measure(baseline, variant, item, variant in TOP_SENTENCE_VARIANTS)
    return measured
