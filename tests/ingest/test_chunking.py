"""Chunks of the real index (the session's ingest of corpus/) and of a bundle written here.

A chunk never crosses a case boundary, carries the council metadata, and holds nothing but
archive text.
"""
from __future__ import annotations

import bisect
import re
from pathlib import Path

import pytest

import ingest  # noqa: F401  (offline switches first)
from ingest.chunking import approximate_tokens, chunk_document
from ingest.models import DocumentMeta
from ingest.pages import squeeze
from ingest.readers import read_document
from ingest.store.register import Register
from ingest.structure import parse_document

BUNDLE = "ho21-mote-2-2026-motepapirer"
ARTICLE = "2026-06-24-rundebordsserie-om-helsedata"
KEYS = ("case", "meeting", "date", "year", "document", "doc_type", "section", "section_kind", "part", "page_start",
        "page_end", "access", "content_hash")


@pytest.fixture(scope="module")
def index(corpus_settings):
    register = Register.open_readonly(corpus_settings.register_path)
    try:
        chunks = register.chunks()
        texts = register.document_texts()
        cases = register.list_cases()
    finally:
        register.close()
    return chunks, texts, cases


def of(chunks, doc_id):
    return [(cid, text, meta) for cid, text, meta in chunks if meta["doc_id"] == doc_id]


def enclosing_cases(document_text: str, cases: list, chunk_list: list) -> list[tuple[str | None, str | None]]:
    """(chunk's case, case whose heading precedes the chunk in the archive text) for every chunk.

    Case headings are located in document order after the agenda; each chunk is located by its
    last line (chunks overlap by a sentence, so last lines advance monotonically).
    """
    text = squeeze(document_text)
    cursor = text.find(squeeze("Saksfremlegg"))
    heads: list[tuple[int, str]] = []
    for case in cases:
        position = text.find(squeeze(case["literal_heading"]), cursor)
        assert position >= 0, case["number"]
        heads.append((position, case["number"]))
        cursor = position + 1
    heads.sort()
    positions = [p for p, _ in heads]
    result = []
    cursor = 0
    for _, chunk_text, meta in chunk_list:
        last = squeeze(chunk_text.split("\n")[-1])[-80:]
        position = text.find(last, cursor)
        assert position >= 0, chunk_text[:80]
        cursor = position + 1
        index = bisect.bisect_right(positions, position) - 1
        result.append((meta["case"], heads[index][1] if index >= 0 else None))
    return result


def test_no_chunk_crosses_a_case_boundary(index):
    chunks, texts, cases = index
    bundle = of(chunks, BUNDLE)
    first_chunk = {}
    for position, (_, _, meta) in enumerate(bundle):
        first_chunk.setdefault(meta["case"], position)
    in_order = sorted((c for c in cases if c["document"] == BUNDLE), key=lambda c: first_chunk[c["number"]])
    pairs = enclosing_cases(texts[BUNDLE], in_order, bundle)
    assert all(own == enclosing for own, enclosing in pairs), [p for p in pairs if p[0] != p[1]][:5]
    # ... and no chunk holds the heading of a case other than its own.
    headings = {c["number"]: c["literal_heading"] for c in cases}
    for _, text, meta in bundle:
        for line in text.split("\n"):
            if re.match(r"^Sak \d+/\d+/\d+\s*", line) and line in headings.values():
                assert line == headings[meta["case"]], (meta["case"], line)


def test_every_case_has_chunks_and_chunks_belong_to_known_cases(index):
    chunks, _, cases = index
    numbers = {c["number"] for c in cases}
    with_chunks = {meta["case"] for _, _, meta in chunks if meta["case"]}
    assert with_chunks == numbers and len(numbers) == 24


def test_every_chunk_carries_the_council_metadata(index):
    chunks, _, _ = index
    bundle = of(chunks, BUNDLE)
    assert len(bundle) > 150
    for _, _, meta in chunks:
        assert set(KEYS) <= set(meta)
        assert meta["document"] and meta["doc_type"] and meta["date"] and meta["year"] == int(meta["date"][:4])
        assert isinstance(meta["section"], str)
    for _, _, meta in bundle:
        assert meta["document"] == "HelseOmsorg21-rådet – møtepapirer møte 2/2026" and meta["doc_type"] == "motepapirer"
        if meta["part"] in ("front_matter", "agenda"):
            assert meta["case"] is None and meta["meeting"] == "2/2026"
        else:
            assert meta["case"], meta
            # The minutes of meeting 1/2026 (their own header too, attached to case 15/2/2026) carry
            # that meeting; the papers of meeting 2/2026 and their attachments carry meeting 2.
            minutes = meta["part"] == "minutes"
            expected = ("1/2026", "2026-01-14") if minutes else ("2/2026", "2026-03-04")
            assert (meta["meeting"], meta["date"]) == expected, meta
            assert minutes == meta["case"].endswith("/1/2026") or meta["case"] == "15/2/2026"
    with_page = [meta for _, _, meta in bundle if meta["page_start"]]
    assert len(with_page) >= 0.95 * len(bundle)
    assert all(1 <= m["page_start"] <= m["page_end"] <= 97 for m in with_page)
    sections = {meta["section"] for _, _, meta in bundle}
    assert {"Bakgrunn", "Hovedpunkter", "Forslag til vedtak", "Vedtak"} <= sections


def test_article_chunks_have_document_metadata(index):
    chunks, _, _ = index
    article = of(chunks, ARTICLE)
    assert article
    for _, text, meta in article:
        assert (meta["document"], meta["doc_type"], meta["date"], meta["case"], meta["meeting"]) == (
            "Rundesbordsserie om helsedata", "nyhet", "2026-06-24", None, None)
        assert meta["page_start"] is None  # a web page has no pages


def test_chunk_lines_are_archive_text(index):
    chunks, texts, _ = index
    for doc_id, text in texts.items():
        archive = squeeze(text)
        for _, chunk_text, _ in of(chunks, doc_id):
            for line in chunk_text.split("\n"):
                assert squeeze(line) in archive, (doc_id, line)


def test_chunks_open_with_their_case_heading_and_section(index):
    chunks, _, _ = index
    decision = [(t, m) for _, t, m in chunks if m["case"] == "7/1/2026" and m["section_kind"] == "vedtak"]
    assert len(decision) == 1
    text, meta = decision[0]
    assert text.split("\n")[:3] == ["Sak 7/1/2026 Tilgang til helsedata", "Vedtak", text.split("\n")[2]]
    assert "Rådsleder og Ingrid Stenstadvold Ross bidrar til forordet" in text
    assert (meta["page_start"], meta["page_end"]) == (31, 32)  # the decision runs over the page break
    report = [m for _, t, m in chunks if m["case"] == "19/2/2026" and m["part"] == "attachment"]
    assert report and all(m["part_title"] == "Flaskehalsar for tilgang til norske helseregisterdata" for m in report)
    assert min(m["page_start"] for m in report) == 64


def test_chunks_respect_the_size_limit(index, corpus_settings):
    from ingest.embedders import make_embedder

    chunks, _, _ = index
    count = make_embedder(corpus_settings.embedding).count_tokens
    limit = corpus_settings.chunking.chunk_tokens
    oversized = [t for _, t, _ in chunks if count(t) > limit * 1.5]
    assert len(oversized) <= 0.05 * len(chunks)  # only single long sentences or tables may overflow


# ------------------------------------------------------------------------------ a bundle written here


def test_synthetic_bundle_chunks(tmp_path):
    from test_council import BUNDLE_3_2027

    path = tmp_path / "motepapirer-3-2027.md"
    path.write_text(BUNDLE_3_2027, encoding="utf-8")
    read = read_document(path)
    document = parse_document(read, DocumentMeta(doc_type="motepapirer"), "motepapirer-3-2027")
    chunks = chunk_document(document, chunk_tokens=60, overlap_sentences=1, count_tokens=approximate_tokens)
    assert {c.metadata["case"] for c in chunks} - {None} == {c.number for c in document.cases}
    by_case: dict[str, list[str]] = {}
    for chunk in chunks:
        if chunk.metadata["case"]:
            by_case.setdefault(chunk.metadata["case"], []).append(chunk.text)
    # the split decision is one passage, under its case heading
    decision = [t for t in by_case["21/2/2027"] if "Vedtak" in t.split("\n")]
    assert decision == ["Sak 21/2/2027\nTilgang til helsedata\nVedtak\n"
                        "Rådet ber sekretariatet utarbeide et notat om ventetidene og legge det frem for rådet på neste møte."]
    # the attachment's passages belong to its parent case and say so
    attachment = [c for c in chunks if c.metadata["part"] == "attachment"]
    assert attachment and all(c.metadata["case"] == "32/3/2027" and c.text.startswith("Notat om KI i allmennpraksis")
                              for c in attachment)
    for chunk in chunks:
        assert chunk.metadata["meeting"] in ("3/2027", "2/2027")
        own = chunk.metadata["case"]
        for line in chunk.text.split("\n"):
            match = re.match(r"^Sak (\d+/\d+/\d+)", line)
            if match and own:
                case = next(c for c in document.cases if c.number == own)
                assert line.startswith(case.literal_heading), (own, line)
    # small chunks overlap by one sentence and never leave a sentence out
    background = [c.text for c in chunks if c.metadata["case"] == "31/3/2027" and c.metadata["section_kind"] == "bakgrunn"]
    assert background and "jf. rutinene for referater." in background[-1]
