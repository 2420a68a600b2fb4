"""The bench's synthetic bundles are valid council bundles: the real pipeline finds their cases.

One tiny bundle through the real ingest (real embedder) into tmp_path; nothing is timed here.
"""
from __future__ import annotations

from tests.conftest import make_settings


def test_synthetic_bundle_ingests_as_a_council_bundle(tmp_path):
    from evals.bench.synthetic import MARKER, case_plan, write_archive
    from ingest.pipeline import ingest_paths
    from ingest.store.register import Register

    archive = tmp_path / "arkiv"
    paths = write_archive(archive, 1)
    assert len(paths) == 1 and MARKER in paths[0].read_text(encoding="utf-8")
    assert paths[0].read_text(encoding="utf-8") == write_archive(tmp_path / "again", 1)[0].read_text(encoding="utf-8")

    settings = make_settings(tmp_path / "data")
    summary = ingest_paths([archive], settings, progress=False)
    assert not summary.errors and summary.documents == 1 and summary.chunks > 0

    register = Register.open_readonly(settings.register_path)
    try:
        cases = {case["number"]: case for case in register.list_cases()}
        documents = register.documents()
    finally:
        register.close()
    assert MARKER in documents[0]["title"]

    # The agenda's cases come back as case papers with their fields and proposal ...
    for plan in case_plan(0):
        case = cases[plan.id]
        assert case["title"] == plan.title
        assert case["saksbehandler"] and case["fra"] and case["proposal"]
        assert not case["flagged"]
    # ... and the minutes decide the previous meeting's cases, under their own numbers.
    for plan in case_plan(-1):
        assert cases[plan.id]["decision"], plan.id
    assert len(cases) == len(case_plan(0)) + len(case_plan(-1))
