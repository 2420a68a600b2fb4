"""Which archive passage holds a part of a case record, so a quote of it is cited to the
document and page it stands in.

A case record joins parts read from several documents (the paper's Forslag til vedtak, the
minutes' Vedtak). Each part keeps its provenance (see ingest.store.register.merge_cases); a quote
of a part is cited to a passage of that document whose text contains it, never to whichever
passage of the case comes first.
"""
from __future__ import annotations

from typing import Any

from ingest.pages import squeeze

KIND = {"proposal": "forslag", "decision": "vedtak"}


def part_source(case: dict[str, Any], key: str, chunks: list, documents: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """Citation metadata for case[key] ("proposal" or "decision"): the passage of the part's own
    document that contains it, preferring its own section; else that document's section of the
    right kind; else the document itself at the part's page. None when the part has no text or
    no provenance (then it must not be quoted)."""
    text = case.get(key)
    origin = (case.get("provenance") or {}).get(key)
    if not text or not origin:
        return None
    own = [h for h in chunks if h.metadata.get("doc_id") == origin["document"]]
    wanted = squeeze(text)
    containing = [h for h in own if wanted and wanted in squeeze(h.text)]
    of_kind = lambda h: h.metadata.get("section_kind") == KIND[key]
    found = next((h for h in containing if of_kind(h)), None) or next(iter(containing), None) or next((h for h in own if of_kind(h)), None)
    if found is not None:
        return found.metadata
    document = documents.get(origin["document"], {})
    return {
        "case": case["number"], "case_title": case.get("title"), "doc_id": origin["document"],
        "document": document.get("title") or origin["document"], "doc_type": document.get("doc_type"),
        "access": origin["access"], "meeting": case.get("meeting"), "date": case.get("date"),
        "part": "minutes" if origin["source"] == "referat" else "case_paper", "section_kind": KIND[key],
        "page_start": origin.get("page"),
    }
