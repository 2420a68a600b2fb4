"""Shared fixtures: one real index of the shipped corpus per test session.

Building it embeds the whole corpus with the real embedder (a couple of minutes on 2 cores), so
every test that needs the real archive shares it. Tests that change an index build their own
small one in tmp_path.
"""
from __future__ import annotations

import contextlib
import io
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


@contextlib.contextmanager
def running_chroma_server(folder: Path, startup_timeout_s: float = 60.0):
    """A real `chroma run` on a free loopback port with its data in folder/db; yields the URL."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(binary).exists():
        pytest.skip("the `chroma` CLI (from the chromadb package) is not installed; server mode untested")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(folder / "server.log", "wb")
    process = subprocess.Popen(
        [binary, "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout_s
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not come up: {(folder / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def unicode_pdf(**options):
    """An fpdf2 document with the DejaVu font registered as "DejaVu", so test PDFs can hold æøå
    (the system font where there is one, else the copy matplotlib ships)."""
    fpdf = pytest.importorskip("fpdf")
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        import matplotlib

        font = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
    pdf = fpdf.FPDF(**options)
    pdf.add_font("DejaVu", "", str(font))
    return pdf


def small_pdf(owner_password: str | None = None, user_password: str | None = None) -> bytes:
    """The first two pages of the shipped meeting PDF; encrypted when an owner password is given
    (the user password defaults to the same; "" opens without one)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(CORPUS / "ho21-mote-2-2026-motepapirer.pdf"))
    while len(writer.pages) > 2:
        writer.remove_page(len(writer.pages) - 1)
    if owner_password is not None:
        writer.encrypt(user_password=owner_password if user_password is None else user_password, owner_password=owner_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
