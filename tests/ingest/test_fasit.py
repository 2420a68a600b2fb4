"""`radsarkiv parse --json` against the Kommunelys expected results ("fasit"), written by that
repository's authors for their own parser: every text field, every vote's tally and the
attendance names. The input of a fasit JSON is the .txt beside it, or documents/<id>.txt when the
repository has no .txt for it (its README says so for vedtak-7740).

Run with `-s` to see the per-document table (the README shows it).
"""
from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

KOMMUNELYS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "kommunelys"
FASIT = sorted((KOMMUNELYS / "fasit").glob("*/*.json"))
RADSARKIV = str(Path(sys.executable).with_name("radsarkiv"))
TEXT_FIELDS = ("innledning", "forslag", "saksopplysninger", "saksvurderinger", "vedtak")
VOTE_KEYS = ("saksnr", "antall_for", "antall_mot", "enstemmig")

pytestmark = pytest.mark.skipif(not FASIT, reason=f"the Kommunelys corpus is not at {KOMMUNELYS}")


def input_for(fasit: Path) -> Path:
    beside = fasit.with_suffix(".txt")
    if beside.exists():
        return beside
    document_id = re.search(r"(\d+)$", fasit.stem).group(1)
    return KOMMUNELYS / "documents" / f"{document_id}.txt"


def squash(text: str) -> str:
    return " ".join((text or "").split())


def parse_json(path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADSARKIV_")}
    result = subprocess.run([RADSARKIV, "parse", str(path), "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def compare(expected: dict, got: dict) -> dict:
    """Per-document scores: the lowest text ratio, votes that agree, attendance F1."""
    ratios = {
        key: difflib.SequenceMatcher(None, squash(expected[key]), squash(got.get(key, "")), autojunk=False).ratio()
        for key in TEXT_FIELDS if key in expected
    }
    want = [tuple(v[k] for k in VOTE_KEYS) for v in expected.get("voteringer", [])]
    have = [tuple(v[k] for k in VOTE_KEYS) for v in got.get("voteringer", [])]
    agreeing = sum(1 for a, b in zip(want, have) if a == b) if len(want) == len(have) else 0
    f1 = None
    if "oppmote" in expected:
        wanted = {p["navn"] for p in expected["oppmote"]}
        found = {p["navn"] for p in got.get("oppmote", [])}
        hits = len(wanted & found)
        precision = hits / len(found) if found else 0.0
        recall = hits / len(wanted) if wanted else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"ratios": ratios, "votes": (agreeing, len(want), len(have)), "f1": f1, "mismatches": [
        (i, a, b) for i, (a, b) in enumerate(zip(want, have)) if a != b
    ]}


def table(rows: list[tuple[str, str, dict]]) -> str:
    lines = ["| fasit | kind | lowest text ratio | votes agreeing | attendance F1 |", "|---|---|---|---|---|"]
    for name, kind, score in rows:
        ratio = f"{min(score['ratios'].values()):.3f} ({min(score['ratios'], key=score['ratios'].get)})" if score["ratios"] else "–"
        agreeing, want, have = score["votes"]
        votes = f"{agreeing}/{want}" + ("" if want == have else f" (parsed {have})") if want or have else "–"
        f1 = f"{score['f1']:.3f}" if score["f1"] is not None else "–"
        lines.append(f"| {name} | {kind} | {ratio} | {votes} | {f1} |")
    return "\n".join(lines)


def test_parse_matches_every_fasit():
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(lambda f: parse_json(input_for(f)), FASIT))
    rows = []
    for fasit, got in zip(FASIT, outputs):
        expected = json.loads(fasit.read_text(encoding="utf-8"))
        rows.append((f"{fasit.parent.name}/{fasit.stem}", got.get("kind") or "–", compare(expected, got)))
    print("\n" + table(rows))
    for name, _, score in rows:
        for key, ratio in score["ratios"].items():
            assert ratio >= 0.9, f"{name}: {key} is only {ratio:.3f} similar"
        agreeing, want, have = score["votes"]
        assert want == have, f"{name}: {have} votes parsed, the fasit has {want}"
        assert agreeing == want, f"{name}: votes differ (index, fasit, parsed): {score['mismatches']}"
        if score["f1"] is not None:
            assert score["f1"] >= 0.95, f"{name}: attendance F1 {score['f1']:.3f}"
    assert len(rows) == len(FASIT) >= 8  # every fasit file the corpus ships is compared


def test_parse_gives_a_clear_error_for_bad_input(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADSARKIV_")}
    other = tmp_path / "resultat.json"
    other.write_text('{"voteringer": []}', encoding="utf-8")
    result = subprocess.run([RADSARKIV, "parse", str(other), "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "ikke en møtepost" in result.stderr and result.stdout == ""
    missing = subprocess.run([RADSARKIV, "parse", str(tmp_path / "borte.txt")], env=env, capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "Filen finnes ikke" in missing.stderr


def test_parse_reads_a_meeting_record_and_prints_a_summary():
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADSARKIV_")}
    record = KOMMUNELYS / "meetings" / "1240.json"
    payload = json.loads(subprocess.run([RADSARKIV, "parse", str(record), "--json"], env=env, capture_output=True, text=True, timeout=300).stdout)
    assert payload["kind"] == "agenda" and payload["body"] == "Kommunestyre" and payload["date"] == "2026-02-04"
    item = next(i for i in payload["agenda"] if i["case"] == "PS 1/2026")
    assert item["papers"] == ["725437"] and [e["protocol_id"] for e in item["earlier"]] == ["7585", "7586", "7587", "7588", "7589"]
    text = subprocess.run([RADSARKIV, "parse", str(KOMMUNELYS / "documents" / "7525.txt")], env=env, capture_output=True, text=True, timeout=300).stdout
    assert "Type: saksprotokoll" in text and "votering: tilleggsforslag (Tor Borgan, SP): 8 for, 4 mot, vedtatt" in text
