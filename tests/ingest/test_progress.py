"""Ingest progress counts embedding work (tokens the cache lacks) and estimates the time left; in a
log (no terminal) it prints a line every few seconds, and `--json` prints only the summary."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, REPO

ETA_LINE = re.compile(r"^Innlesing: \d+ % av innbyggingen \([\d ]+ av [\d ]+ tokens, [\d ]+ av [\d ]+ tekster\), dokument \d+ av \d+, ca\. \d+ (s|min \d+ s|t \d+ min) igjen$")


def test_progress_lines_count_tokens_and_estimate_time_left():
    from ingest.progress import CountingEmbedder, IngestProgress

    class Embedder:
        model_id = "m"

        def count_tokens(self, text: str) -> int:
            return len(text.split())

        def get_text_embedding_batch(self, texts):
            return [[0.0] for _ in texts]

    out = io.StringIO()
    progress = IngestProgress(total_tokens=12, total_texts=4, documents=2, stream=out, interval_s=0, terminal=False)
    embedder = CountingEmbedder(Embedder(), progress.advance)
    progress.document(1, "a")
    assert embedder.get_text_embedding_batch(["en to tre", "fire fem six"]) == [[0.0], [0.0]]
    assert embedder.model_id == "m"
    progress.document(2, "b")
    embedder.get_text_embedding_batch(["sju åtte ni ti elleve tolv"])
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Innlesing: 2 dokumenter") and "4 tekster (12 tokens)" in lines[0]
    assert "beregner tid igjen" in lines[1]  # nothing embedded yet: no estimate to give
    assert any(ETA_LINE.match(line) and "50 % av innbyggingen (6 av 12 tokens, 2 av 4 tekster)" in line for line in lines), lines
    assert lines[-1].startswith("Innlesing: 100 % av innbyggingen (12 av 12 tokens, 3 av 4 tekster)") and "ferdig etter" in lines[-1]


def _radsarkiv(args: list[str], data_dir: Path, out: Path, **env) -> int:
    environment = {**os.environ, "PYTHONPATH": str(REPO), "RADSARKIV_DATA_DIR": str(data_dir), **env}
    with out.open("wb") as handle:  # a file, not a terminal
        return subprocess.run([sys.executable, "-m", "ui.cli", *args], stdout=handle, stderr=subprocess.STDOUT, env=environment, cwd=REPO, timeout=3600).returncode


@pytest.mark.slow  # embeds the whole shipped corpus into a fresh data dir (minutes on 2 cores)
def test_ingest_of_the_corpus_to_a_file_prints_progress_with_an_eta(tmp_path):
    log = tmp_path / "ingest.log"
    assert _radsarkiv(["ingest", str(CORPUS)], tmp_path / "data", log, RADSARKIV_INGEST__PROGRESS_INTERVAL_S="2") == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    eta = [line for line in lines if ETA_LINE.match(line)]
    assert len(eta) >= 3, lines
    shares = [int(re.search(r"(\d+) %", line).group(1)) for line in eta]
    assert shares == sorted(shares) and shares[-1] > shares[0]
    assert any("ferdig etter" in line for line in lines) and any(line.startswith("Ferdig:") for line in lines[-3:])


@pytest.mark.slow  # the real embedder, one small document
def test_ingest_json_prints_only_the_summary(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for source in CORPUS.glob("*.html*"):
        shutil.copy(source, folder / source.name)
    out = tmp_path / "out.json"
    assert _radsarkiv(["ingest", str(folder), "--json"], tmp_path / "data", out, RADSARKIV_INGEST__PROGRESS_INTERVAL_S="0") == 0
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["embedded"] > 0 and summary["documents"] == 1
