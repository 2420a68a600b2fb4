"""The UI's filter choices are read inside the register (ChunkReader.filter_values), not by
parsing every chunk's metadata in Python on each page load: the same meetings, years and
document types as that scan, per access level."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("role", [None, "member"])
def test_filter_values_are_the_scan_over_every_chunk(assistant, role):
    from ingest.models import allowed_access

    reader = assistant.extractive.retriever.reader
    levels = allowed_access(role)
    visible = [meta for _, meta in reader.ids_where() if meta.get("access", "public") in levels]
    values = reader.filter_values(levels)
    assert {m for m, _, _ in values if m} == {m["meeting"] for m in visible if m.get("meeting")}
    assert {str(y) for _, y, _ in values if y} == {str(m["year"]) for m in visible if m.get("year")}
    assert {d for _, _, d in values if d} == {m["doc_type"] for m in visible if m.get("doc_type")}
    assert {m for m, _, _ in values if m}  # the corpus has meetings, so the comparison says something

