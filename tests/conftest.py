"""Shared fixtures: one real index of the shipped corpus per test session.

Building it embeds the whole corpus with the real embedder (a couple of minutes on 2 cores), so
every test that needs the real archive shares it. Tests that change an index build their own
small one in tmp_path.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import ingest  # noqa: F401  (offline switches before anything else loads)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
GOLD_DEV = REPO.parent / "shared" / "evals" / "gold-dev.jsonl"


def make_settings(data_dir: Path, **overrides):
    from ingest.settings import Settings

    return Settings(data_dir=data_dir, corpus_dir=CORPUS, **overrides)


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory):
    """Settings pointing at a fresh index of corpus/ (ingested once per session)."""
    from ingest.pipeline import ingest_paths

    # Developers may point RADSARKIV_TEST_INDEX at an index of corpus/ they already built, to skip
    # the ingest while iterating; it is brought up to date (incrementally) either way.
    existing = os.environ.get("RADSARKIV_TEST_INDEX")
    data_dir = Path(existing) if existing else tmp_path_factory.mktemp("index")
    settings = make_settings(data_dir)
    summary = ingest_paths([CORPUS], settings, progress=False)
    assert not summary.errors, summary.errors
    return settings


@pytest.fixture(scope="session")
def retriever(corpus_settings):
    from assistant.retrieval import Retriever

    return Retriever(corpus_settings)


@pytest.fixture(scope="session")
def assistant(corpus_settings, retriever):
    from assistant.service import Assistant

    return Assistant(corpus_settings, retriever=retriever)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private copy of corpus/ that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns("tools"))
    return target
