"""Crash safety: an ingest killed at any point leaves the previous index queryable, and the
next ingest completes with no duplicates and no orphans. Queries keep working during an ingest.

The baseline index (the news article and two small notes) is built once; every test works on
its own copy of it. Kills are real SIGKILLs of a subprocess: of `radsarkiv ingest` at a random
moment after its first commit, and at the exact points between the writes of one document.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from trust_support import ARTICLE_ID, REPO, copy_article, index_state, settings_for

pytestmark = pytest.mark.slow  # real embedder, subprocesses: about three minutes in all

NOTES_V1 = {
    "notat-a": "# Brøyting av gang- og sykkelveier\n\nKommunen brøyter gang- og sykkelveiene før klokken sju på hverdager. "
               "Strøing med grus skjer når temperaturen faller under null. Innbyggere kan melde fra om glatte veier i appen.",
    "notat-b": "# Bibliotekets åpningstider\n\nHovedbiblioteket har meråpent fra sju om morgenen til ti om kvelden. "
               "Filialen på Nordsletta holder stengt i juli. Lånekortet fornyes automatisk hvert femte år.",
}
NOTES_V2 = {
    "notat-a": "# Brøyting av gang- og sykkelveier\n\nFra neste vinter brøytes gang- og sykkelveiene før klokken seks. "
               "Strøing med sand erstatter grus nær skolene. Meldinger om glatte veier behandles innen to timer.",
    "notat-c": "# Svømmehallen\n\nSvømmehallen stenger for oppgradering av ventilasjonsanlegget i tre måneder. "
               "Skolesvømmingen flyttes til nabokommunens basseng. Ny åpning er planlagt til skolestart.",
    "notat-d": "# Kulturmidler\n\nKulturutvalget fordelte tolv tilskudd til lag og foreninger. Korpset fikk støtte til nye "
               "uniformer. Søknadsfristen for neste runde er første mars.",
    "notat-e": "# Parkering i sentrum\n\nAvgiftsparkering innføres i sentrumsgatene fra mai. Beboere kan søke om "
               "beboerkort. Inntektene går til vedlikehold av gatelys og fortau.",
    "notat-f": "# Vannverket\n\nDet nye vannverket ved Storvatnet tas i bruk til høsten. Kokevarselet for Vestbygda "
               "oppheves da. Ledningsnettet skiftes ut i etapper over fem år.",
}
QUERIES = ["brøyting av sykkelveier", "bibliotekets åpningstider", "tilgang til helsedata"]
# A word each v2 document alone holds: keyword search must find it once the index is complete.
ONLY_IN = {"notat-c": "ventilasjonsanlegget", "notat-d": "uniformer",
           "notat-e": "beboerkort", "notat-f": "Storvatnet"}


def write_notes(corpus: Path, notes: dict[str, str]) -> None:
    for name, text in notes.items():
        (corpus / f"{name}.md").write_text(text, encoding="utf-8")


def expected_chunks(corpus: Path, settings) -> dict[str, set[str]]:
    """The chunk ids each document of corpus must end up with (parsing only, no embedding)."""
    from ingest.embedders import make_embedder
    from ingest.index_writer import engine_safe
    from ingest.pipeline import build_document, discover

    embedder = make_embedder(settings.embedding)
    groups, _, _ = discover([corpus])
    result = {}
    for group in groups:
        _, chunks, _ = build_document(group, settings, lambda text: embedder.count_tokens(engine_safe(text)))
        result[group.doc_id] = {chunk.chunk_id for chunk in chunks}
    return result


def committed(settings) -> dict[str, str]:
    """doc_id -> source hash, read the way a second process would (read-only, WAL)."""
    connection = sqlite3.connect(f"file:{settings.register_path}?mode=ro", uri=True, timeout=5)
    try:
        return dict(connection.execute("SELECT doc_id, source_hash FROM documents"))
    finally:
        connection.close()


def cli(settings, *args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "RADSARKIV_DATA_DIR": str(settings.data_dir), "RADSARKIV_CORPUS_DIR": str(settings.corpus_dir)}
    return subprocess.Popen([sys.executable, "-m", "ui.cli", *args], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def assert_consistent_after_crash(settings, baseline: dict, old: dict[str, set[str]], new: dict[str, set[str]]) -> dict:
    """What must hold right after a kill, before anything repairs the index."""
    from assistant.retrieval import Retriever
    from assistant.service import Assistant

    connection = sqlite3.connect(f"file:{settings.register_path}?mode=ro", uri=True)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    state = index_state(settings)
    assert state["duplicate_chunk_ids"] == 0
    register_ids = set(state["chunks"])
    assert register_ids <= state["vector_ids"], "a committed chunk has no vector"
    for doc_id in state["documents"]:
        ids = {cid for cid, (doc, _, _) in state["chunks"].items() if doc == doc_id}
        assert ids in (old.get(doc_id), new.get(doc_id)), f"{doc_id} is half old, half new"
    retriever = Retriever(settings)  # the first open of this index in this process
    for query in QUERIES:
        hits = retriever.search(query, k=5)
        assert hits and {h.chunk_id for h in hits} <= register_ids
    answer = Assistant(settings, retriever=retriever).ask("Når brøytes gang- og sykkelveiene?")
    assert not answer.refused and answer.citations
    assert retriever.search("rundebordsmøter om norske helsedata", k=3)[0].chunk_id in chunk_ids(baseline, ARTICLE_ID)
    return state


def chunk_ids(state: dict, doc_id: str) -> set[str]:
    return {cid for cid, (doc, _, _) in state["chunks"].items() if doc == doc_id}


def assert_complete(settings, expected: dict[str, set[str]]) -> None:
    from ingest.store.lexical import LexicalIndex

    state = index_state(settings)
    all_ids = set().union(*expected.values())
    assert state["duplicate_chunk_ids"] == 0
    assert set(state["documents"]) == set(expected)
    assert set(state["chunks"]) == all_ids, "register chunks differ from a clean ingest"
    assert state["vector_ids"] == all_ids and state["vector_count"] == len(all_ids), "orphan or missing vectors"
    for doc_id, ids in expected.items():
        assert chunk_ids(state, doc_id) == ids
    lexical = LexicalIndex.load(settings.lexical_path)
    assert sorted(lexical.ids) == sorted(all_ids), "BM25 holds other ids than the register"
    assert not list(settings.data_dir.glob(".bm25.*")), "temporary BM25 directories left behind"
    for doc_id, word in ONLY_IN.items():
        if doc_id in expected:
            hits = lexical.search(word, k=3)
            assert hits and hits[0][0] in expected[doc_id], f"BM25 does not find «{word}» in {doc_id}: {hits}"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    from ingest.pipeline import ingest_paths

    root = tmp_path_factory.mktemp("krasj")
    corpus = root / "korpus"
    copy_article(corpus)
    write_notes(corpus, NOTES_V1)
    settings = settings_for(root / "data", corpus)
    summary = ingest_paths([corpus], settings, progress=False)
    assert not summary.errors and summary.documents == 3
    old = expected_chunks(corpus, settings)
    return {"root": root, "corpus": corpus, "settings": settings, "state": index_state(settings), "old": old}


@pytest.fixture
def world(baseline, tmp_path):
    """A private copy of the baseline index and corpus, with the corpus already changed to v2."""
    corpus = tmp_path / "korpus"
    shutil.copytree(baseline["corpus"], corpus)
    shutil.copytree(baseline["settings"].data_dir, tmp_path / "data")
    settings = settings_for(tmp_path / "data", corpus)
    write_notes(corpus, NOTES_V2)  # notat-a changes, notat-b stays, c-f are new
    return {"corpus": corpus, "settings": settings, "new": expected_chunks(corpus, settings)}


def test_sigkill_of_the_cli_after_its_first_commit(baseline, world):
    settings = world["settings"]
    before = committed(settings)
    process = cli(settings, "ingest", str(world["corpus"]), "--json")
    deadline = time.monotonic() + 240
    changed: dict[str, str] = {}
    while time.monotonic() < deadline and process.poll() is None:
        changed = {doc: digest for doc, digest in committed(settings).items() if before.get(doc) != digest}
        if changed:
            break
        time.sleep(0.02)
    assert process.poll() is None, f"the ingest finished before it could be killed: {process.communicate()}"
    assert changed, "no document was committed in time"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    after = assert_consistent_after_crash(settings, baseline["state"], baseline["old"], world["new"])
    assert len(after["documents"]) < len(world["new"]), "the kill came too late to prove anything"

    finished = cli(settings, "ingest", str(world["corpus"]), "--json")
    out, err = finished.communicate(timeout=600)
    assert finished.returncode == 0, err[-2000:]
    summary = json.loads(out)
    assert summary["errors"] == [] and summary["documents"] == len(world["new"])
    assert summary["skipped_unchanged"] >= 2  # the article, notat-b and what the killed run committed
    assert_complete(settings, world["new"])
    # A fresh process finds the new documents through every retrieval path.
    search = cli(settings, "search", "svømmehallen stenger for oppgradering", "--json")
    out, err = search.communicate(timeout=300)
    assert search.returncode == 0, err[-2000:]
    assert json.loads(out)[0]["doc_id"] == "notat-c"


# The exact points between the writes of one document, after the last one, and around the final
# BM25 save. "after_last_register_commit" and "before_bm25_save" leave a register ahead of BM25
# with nothing left for the next run to write: only the stores-agree check repairs that.
KILL_POINTS = {
    "after_vector_upsert": """
from ingest.store.register import Register
def replace_document(self, *args, **kwargs):
    die()
Register.replace_document = replace_document
""",
    "after_register_commit": """
from ingest.store.register import Register
original = Register.replace_document
def replace_document(self, *args, **kwargs):
    original(self, *args, **kwargs)
    die()
Register.replace_document = replace_document
""",
    "during_bm25_swap": """
import types
import ingest.store.lexical as lexical
calls = []
def replace(src, dst):
    calls.append(src)
    if len(calls) == 2:  # the old index moved aside, the new one not yet in place
        die()
    os.replace(src, dst)
lexical.os = types.SimpleNamespace(**{**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")}, "replace": replace})
""",
    "after_stale_vector_delete": """
from ingest.store.vectors import VectorIndex
original = VectorIndex.delete
def delete(self, ids):
    original(self, ids)
    die()
VectorIndex.delete = delete
""",
    "after_last_register_commit": """
from ingest.store.register import Register
original = Register.replace_document
def replace_document(self, document, *args, **kwargs):
    original(self, document, *args, **kwargs)
    if document.doc_id == "notat-f":  # the last document of the run, and a new one
        die()
Register.replace_document = replace_document
""",
    "before_bm25_save": """
from ingest.store.lexical_store import LexicalStore
def build(*args, **kwargs):  # the keyword store is about to be written: nothing of it is saved
    die()
LexicalStore.build = staticmethod(build)
""",
    "during_embedding": """
from ingest.index_writer import IndexWriter
original = IndexWriter.embed
def embed(self, texts):
    vectors = original(self, texts[: len(texts) // 2])
    die()
IndexWriter.embed = embed
""",
}

CHILD = """
import os, signal, sys
from pathlib import Path
import ingest
def die():
    os.kill(os.getpid(), signal.SIGKILL)
{patch}
from ingest.pipeline import ingest_paths
from ingest.settings import Settings
settings = Settings(data_dir=Path(sys.argv[1]), corpus_dir=Path(sys.argv[2]))
ingest_paths([Path(sys.argv[2])], settings, progress=False)
print("not killed")
"""


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_at_each_write_step(baseline, world, point):
    from ingest.pipeline import ingest_paths

    settings = world["settings"]
    script = CHILD.format(patch=KILL_POINTS[point])
    result = subprocess.run([sys.executable, "-c", script, str(settings.data_dir), str(world["corpus"])],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == -signal.SIGKILL, (result.stdout, result.stderr[-2000:])
    state = assert_consistent_after_crash(settings, baseline["state"], baseline["old"], world["new"])
    if point == "after_vector_upsert":  # the new vectors are there, the register does not know them
        assert state["vector_ids"] - set(state["chunks"]) and state["documents"] == baseline["state"]["documents"]
    if point == "after_register_commit":  # the old version's vectors are orphans until the next run
        assert chunk_ids(state, "notat-a") == world["new"]["notat-a"]
        assert baseline["old"]["notat-a"] & state["vector_ids"]
    if point in ("during_bm25_swap", "after_last_register_commit", "before_bm25_save"):
        # every document committed, BM25 still the old one (or moved aside): still searchable
        assert state["documents"].keys() == world["new"].keys()
    summary = ingest_paths([world["corpus"]], settings, progress=False)
    assert summary.errors == [] and summary.documents == len(world["new"])
    if point in ("after_last_register_commit", "before_bm25_save"):
        assert summary.embedded == 0 and summary.skipped_unchanged == len(world["new"])  # nothing to write …
    assert_complete(settings, world["new"])  # … and still the stores agree with the register
    if point == "after_last_register_commit":
        again = ingest_paths([world["corpus"]], settings, progress=False)  # a repaired index stays put
        assert again.embedded == 0 and again.errors == []
        assert_complete(settings, world["new"])


def test_an_ingest_with_nothing_to_do_repairs_stores_that_disagree(baseline, tmp_path):
    """The register is the source of truth: whatever BM25 or Chroma lost, gained or kept from an
    older run is put right by the next ingest, even one that scans a single unchanged file."""
    from ingest.pipeline import ingest_paths
    from ingest.store.lexical import LexicalIndex
    from ingest.store.register import Register
    from trust_support import vector_index

    corpus = tmp_path / "korpus"
    shutil.copytree(baseline["corpus"], corpus)
    shutil.copytree(baseline["settings"].data_dir, tmp_path / "data")
    settings = settings_for(tmp_path / "data", corpus)
    old = baseline["old"]
    # BM25 from another state of the archive: one document missing, the ids otherwise right.
    rows = [(cid, text) for cid, (doc, text, _) in baseline["state"]["chunks"].items() if doc != "notat-b"]
    LexicalIndex.build([r[0] for r in rows], [r[1] for r in rows]).save(settings.lexical_path)
    # Chroma lost notat-b's vectors, and the embedding cache one of notat-a's sentences.
    vector_index(settings).delete(sorted(old["notat-b"]))
    register = Register.open(settings.register_path)
    with register.db:
        (digest,) = register.db.execute("SELECT content_hash FROM sentences WHERE chunk_id IN (SELECT chunk_id FROM chunks WHERE doc_id = 'notat-a') LIMIT 1").fetchone()
        register.db.execute("DELETE FROM embeddings WHERE content_hash = ?", (digest,))
    register.close()

    summary = ingest_paths([corpus / "notat-a.md"], settings, progress=False)
    assert summary.errors == [] and summary.skipped_unchanged == 1
    assert_complete(settings, old)
    assert LexicalIndex.load(settings.lexical_path).search("Nordsletta", k=1)[0][0] in old["notat-b"]
    register = Register.open_readonly(settings.register_path)
    assert register.db.execute("SELECT COUNT(*) FROM embeddings WHERE content_hash = ?", (digest,)).fetchone()[0] == 1
    register.close()
    # Same ids, stale text: BM25 built from an older version of a chunk is rebuilt too.
    rows = [(cid, text if doc != "notat-a" else "utdatert tekst") for cid, (doc, text, _) in baseline["state"]["chunks"].items()]
    LexicalIndex.build([r[0] for r in rows], [r[1] for r in rows]).save(settings.lexical_path)
    ingest_paths([corpus / "notat-b.md"], settings, progress=False)
    assert LexicalIndex.load(settings.lexical_path).search("grus", k=1)[0][0] in old["notat-a"]
    # An index in an older format, even one built from exactly the register's rows (its fingerprint
    # matches), is rebuilt in the format the Retriever reads: an upgrade must not lose keyword search.
    from ingest.store.lexical_store import LexicalStore

    fingerprint = LexicalIndex.saved_fingerprint(settings.lexical_path)
    rows = [(cid, text) for cid, (doc, text, _) in baseline["state"]["chunks"].items()]
    shutil.rmtree(settings.lexical_path)
    LexicalIndex.build([r[0] for r in rows], [r[1] for r in rows]).save(settings.lexical_path, fingerprint)
    assert LexicalStore.open(settings.lexical_path) is None
    ingest_paths([corpus / "notat-b.md"], settings, progress=False)
    assert LexicalStore.open(settings.lexical_path) is not None


# ---------------------------------------------------------------------------- queries during an ingest


def _search_loop(retriever, stop: threading.Event, errors: list, counts: list) -> None:
    round_ = 0
    while not stop.is_set():
        try:
            hits = retriever.search(QUERIES[round_ % len(QUERIES)], k=5)
            if not hits:
                errors.append(f"no hits for {QUERIES[round_ % len(QUERIES)]!r}")
            if not {h.chunk_id for h in hits} <= set(retriever.texts):
                errors.append("a hit outside the loaded register")
        except Exception as error:  # noqa: BLE001 - every failure counts
            errors.append(f"{type(error).__name__}: {error}")
        counts.append(time.monotonic())
        round_ += 1


def test_queries_keep_working_during_an_ingest_in_the_same_process(world):
    """The server's situation when an upload is ingested: its retriever is already open (opening
    chroma's client for one path from two threads at once is itself racy; see the report)."""
    from assistant.retrieval import Retriever
    from ingest.pipeline import ingest_paths

    settings = world["settings"]
    stop, errors, counts = threading.Event(), [], []
    thread = threading.Thread(target=_search_loop, args=(Retriever(settings), stop, errors, counts), daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        summary = ingest_paths([world["corpus"]], settings, progress=False)
    finally:
        stop.set()
        thread.join(timeout=120)
    assert summary.errors == []
    assert errors == [], errors[:5]
    assert len([t for t in counts if t > started]) >= 10, "the search thread barely ran"
    assert_complete(settings, world["new"])


def test_queries_keep_working_while_the_cli_ingests(world):
    """The server and `radsarkiv ingest` are different processes sharing the index files."""
    from assistant.retrieval import Retriever

    settings = world["settings"]
    stop, errors, counts = threading.Event(), [], []
    thread = threading.Thread(target=_search_loop, args=(Retriever(settings), stop, errors, counts), daemon=True)
    thread.start()
    try:
        process = cli(settings, "ingest", str(world["corpus"]), "--json")
        out, err = process.communicate(timeout=600)
        time.sleep(1.0)  # and a few rounds after it swapped in the new BM25
    finally:
        stop.set()
        thread.join(timeout=120)
    assert process.returncode == 0, err[-2000:]
    assert errors == [], errors[:5]
    assert len(counts) >= 10
    assert_complete(settings, world["new"])


def test_a_second_ingest_waits_for_the_first(world):
    """Two writers would delete each other's fresh vectors as orphans; the lock serialises them."""
    from ingest.index_writer import IndexBusy, IndexWriter

    settings = settings_for(world["settings"].data_dir, world["corpus"], ingest={"lock_timeout_s": 0.5})
    with IndexWriter(settings):
        started = time.monotonic()
        with pytest.raises(IndexBusy, match="En annen innlesing"):
            IndexWriter(settings)
        assert 0.4 < time.monotonic() - started < 5
        from ingest.pipeline import ingest_paths

        summary = ingest_paths([world["corpus"]], settings, progress=False)  # a clear error, not a traceback
        assert [e["error"] for e in summary.errors] == [f"En annen innlesing skriver til indeksen ({settings.data_dir}); prøv igjen når den er ferdig."]
    with IndexWriter(settings):  # released on exit
        pass


def test_a_running_server_sees_vectors_another_process_ingested(world):
    from assistant.retrieval import Retriever

    settings = world["settings"]
    retriever = Retriever(settings)  # the server, started before the ingest
    retriever.search("bibliotekets åpningstider", k=3)
    process = cli(settings, "ingest", str(world["corpus"]), "--json")
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-2000:]
    retriever.refresh()
    dense = [cid for cid, _ in retriever.vectors.query(retriever.embed_query("Svømmehallen stenger for oppgradering"), 5)]
    assert set(dense) <= set(retriever.texts), "dense search returned vectors the register no longer has"
    assert dense[0].startswith("notat-c#")
