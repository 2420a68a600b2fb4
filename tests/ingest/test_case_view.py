"""The case register read by key (ingest/store/case_view.py) is the register merged whole: for each
role, the same cases in the same order, the same merged records, and the same titles and
decision texts for the timeline's index, from the real corpus index."""
from __future__ import annotations

import pytest


@pytest.fixture
def register_path(assistant):
    return assistant.extractive.retriever.settings.register_path


@pytest.mark.parametrize("role", [None, "secretariat", "member"])
def test_case_view_is_the_whole_merge(register_path, role):
    from ingest.store.case_view import CaseView
    from ingest.store.register import Register

    register = Register.open_readonly(register_path)
    try:
        whole = register.list_cases(role)
    finally:
        register.close()
    view = CaseView(register_path, role)
    assert len(whole) > 10
    assert [(c["number"], c["title"], c["meeting"], c["date"]) for c in whole] == [
        (c["number"], c["title"], c["meeting"], c["date"]) for c in view.listing()]
    for case in whole:
        assert view[case["number"]] == case
    assert list(view.values()) == whole
    texts = {number: (title, text) for _, number, title, text in view.texts()}
    assert texts == {c["number"]: (c["title"] or "", c.get("decision") or c.get("proposal")) for c in whole}

