"""Bounded fuzz run of the readers and parsers: `python -m evals.fuzz --seconds 120`.

Inputs are random bytes, byte-level mutations of real files (the corpus article, slices of the
Markdown bundle, a page range of the PDF bundle, small generated PDFs and a generated .docx) and
text-level mutations of real corpus text. Each goes the way an ingested file goes:
read_document → parse_document → chunk_document (with the real embedder's token counter, whose
C tokenizer is part of the ingest path) → the sentences the index stores.

A ReaderError is the expected outcome for a broken file. Anything else is a crash: another
exception, a hang (per-case time limit) or the worker process dying (a C-level crash). Cases
run in a worker process so a hang or an abort cannot take the run with it. Every distinct crash
keeps its first input under evals/results/fuzz-crashes/ as a reproducer, and the summary goes
to evals/results/fuzz.json.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import multiprocessing as mp
import platform
import random
import re
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import ingest  # noqa: F401  (offline switches first)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
RESULTS = REPO / "evals" / "results"
CASE_TIMEOUT_S = 30.0

# Strings that mean something to one of the parsers; mutations splice them in.
TEXT_TOKENS = [
    "Sak 12/2/2026", "sak 7/1/2026", "Sak 14/1/2026 ", "# ", "## ", "### ", "**", "****", "<b>", "</b>", "<sup>1</sup>",
    "\t", "\n", "\n\n", "\f", "---", "Vedtak", "Vedtak:", "Forslag til vedtak", "Saksliste", "Saksfremlegg",
    "Referat fra møte 1/2026", "møte 2/2026", "Møtedato: 4. mars 2026", "**Til**", "**Saksbehandler**", "**Vedlegg**",
    "**Fra**", "1. ", "- ", "• ", "bl.a.", "f.eks.", "jf.", "nr.", "\u00ad", "\u200b", "\u202e", "\ufeff", "\ufdfa",
    "\x00", "\r", "«", "»", "[", "](", ")", "|", "0/0/00", "999/99/9999", "Sak", " ", "Tas til orientering.",
    "\ufdfa" * 20,  # explodes under Unicode normalization: the embedding tokenizer must survive it
]
BYTE_TOKENS = [
    b"%PDF-1.7\n", b"%%EOF", b"obj", b"endobj", b"stream\n", b"endstream", b"<<", b">>", b"/Kids [", b"/Pages",
    b"/Length 999999999", b"/Filter /FlateDecode", b"xref", b"trailer", b"startxref", b"BT", b"ET", b"Tj", b"TJ",
    b"Tf", b"Tm", b"(", b")", b"\\", b"<div>" * 50, b"</div>", b"<table><tr><td>", b"<ol start=\"-5\"><li>",
    b"<!--", b"<script>", b"\x00", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"PK\x03\x04", b"&#0;", b"&#x110000;",
    b"<w:p>", b"<w:t>", b"</w:t>", b"\xc3", b"\xef\xb7\xba" * 20,
]
SUFFIXES = [".pdf", ".md", ".txt", ".html", ".docx"]


# ---------------------------------------------------------------------------- seeds


def _generated_pdf(text: str, compress: bool) -> bytes:
    import fpdf

    pdf = fpdf.FPDF()
    pdf.set_compression(compress)
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for paragraph in text.split("\n\n"):
        pdf.multi_cell(0, 6, paragraph.encode("latin-1", "replace").decode("latin-1"))
        pdf.ln(3)
    return bytes(pdf.output())


def _pdf_pages(first: int, last: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(CORPUS / "ho21-mote-2-2026-motepapirer.pdf").pages[first:last]:
        writer.add_page(page)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _generated_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Sak 19/2/2026 Rapport om tilgang til helsedata", level=1)
    for paragraph in text.split("\n\n")[:12]:
        if paragraph.startswith("#"):
            document.add_heading(paragraph.lstrip("# "), level=2)
        else:
            document.add_paragraph(paragraph)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Sak", "Vedtak"
    table.cell(1, 0).text, table.cell(1, 1).text = "19/2/2026", "Rapporten publiseres"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def load_seeds() -> tuple[dict[str, list[bytes]], list[str]]:
    """Seed files per suffix, and seed texts for text-level mutation."""
    bundle = (CORPUS / "ho21-mote-2-2026-motepapirer.md").read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^# Sak \d+/2/2026", bundle, re.MULTILINE)]
    texts = [bundle[:6000]] + [bundle[s : s + 5000] for s in starts[:6]]
    article = (CORPUS / "2026-06-24-rundebordsserie-om-helsedata.html").read_bytes()
    seeds = {
        ".md": [t.encode("utf-8") for t in texts[:4]],
        ".txt": [texts[1].encode("latin-1", "replace"), texts[2].encode("utf-16"), texts[3].encode("cp1252", "replace")],
        ".html": [article, b"<html><body><article><h1>Sak 7/1/2026</h1><ol start=\"3\"><li>en</li><li>to</li></ol>"
                           b"<table><tr><td>Sak</td><td>Vedtak</td></tr><tr><td>7/1/2026</td><td>Tas til orientering</td></tr></table>"
                           b"</article></body></html>"],
        ".pdf": [_generated_pdf(texts[1][:2500], compress=False), _generated_pdf(texts[2][:2500], compress=True), _pdf_pages(0, 2)],
        ".docx": [_generated_docx(texts[1])],
    }
    return seeds, texts


# ---------------------------------------------------------------------------- mutation


def mutate_bytes(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 4, 16])):
        choice = rng.randrange(8)
        at = rng.randrange(len(buffer) + 1)
        if choice == 0 and buffer:  # flip bits
            index = rng.randrange(len(buffer))
            buffer[index] ^= 1 << rng.randrange(8)
        elif choice == 1 and buffer:  # random byte
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
        elif choice == 2:  # insert a meaningful token
            buffer[at:at] = rng.choice(BYTE_TOKENS)
        elif choice == 3 and buffer:  # delete a range
            buffer[at : at + rng.randrange(1, 512)] = b""
        elif choice == 4 and buffer:  # duplicate a range
            start = rng.randrange(len(buffer))
            buffer[at:at] = buffer[start : start + rng.randrange(1, 2048)]
        elif choice == 5:  # splice from another seed
            other = rng.choice(pool)
            start = rng.randrange(len(other) + 1)
            buffer[at:at] = other[start : start + rng.randrange(1, 4096)]
        elif choice == 6 and buffer:  # truncate
            del buffer[rng.randrange(len(buffer)) :]
        else:  # random bytes
            buffer[at:at] = rng.randbytes(rng.randrange(1, 64))
    return bytes(buffer)


def mutate_text(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.choice([1, 2, 4, 8, 32])):
        choice = rng.randrange(7)
        if choice == 0:
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(TEXT_TOKENS) + text[at:]
        elif choice == 1 and text:
            at = rng.randrange(len(text))
            text = text[:at] + text[at + rng.randrange(1, 200) :]
        elif choice == 2 and lines:  # duplicate, drop or move lines
            lines = text.split("\n")
            index = rng.randrange(len(lines))
            operation = rng.randrange(3)
            if operation == 0:
                lines.insert(rng.randrange(len(lines) + 1), lines[index])
            elif operation == 1:
                del lines[index]
            else:
                lines.insert(rng.randrange(len(lines) + 1), lines.pop(index))
            text = "\n".join(lines)
        elif choice == 3:  # a random code point, including rare planes
            at = rng.randrange(len(text) + 1)
            text = text[:at] + chr(rng.choice([rng.randrange(32, 0x250), rng.randrange(0x250, 0x3000), rng.randrange(0xfb00, 0xfffe),
                                               rng.randrange(0x10000, 0x1fbff)])) * rng.choice([1, 1, 3, 50]) + text[at:]
        elif choice == 4:  # repeat a heading-like token many times
            text = text + ("\n\n" + rng.choice(TEXT_TOKENS)) * rng.randrange(1, 300)
        elif choice == 5:  # swap the case number in a heading
            text = re.sub(r"\d+/\d+/\d{4}", lambda m: f"{rng.randrange(0, 1000)}/{rng.randrange(0, 100)}/{rng.choice(['2026', '26', '0026', '99999'])}", text, count=rng.randrange(1, 5))
        else:  # whitespace noise
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice([" " * 100, "\t" * 20, "\n" * 50, "\r\n", "\u00a0" * 5]) + text[at:]
    return text


def mutate_docx(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    """Mutate the XML inside a .docx and zip it again (byte flips would only break the CRC)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml" or (info.filename.endswith(".xml") and rng.random() < 0.1):
                content = mutate_bytes(content, rng, pool)
            target.writestr(info.filename, content)
    return buffer.getvalue()


def make_case(number: int, rng: random.Random, seeds: dict[str, list[bytes]], texts: list[str]) -> tuple[str, str, bytes]:
    """(target, suffix, payload) for case number; targets take turns."""
    kind = ("mutated", "mutated", "text", "random")[number % 4]
    suffix = SUFFIXES[(number // 4) % len(SUFFIXES)]
    pool = [s for items in seeds.values() for s in items]
    if kind == "random":
        return f"random{suffix}", suffix, rng.randbytes(rng.choice([0, 1, 16, 512, 8192]))
    if kind == "text":
        fmt = rng.choice([".md", ".txt", ".html"])
        text = mutate_text(rng.choice(texts), rng)
        if fmt == ".html":
            text = "<html><body><article>" + text.replace("\n\n", "</p><p>") + "</article></body></html>"
        encoding = rng.choice(["utf-8", "utf-8", "utf-16", "latin-1", "cp1252"])
        return f"text{fmt}", fmt, text.encode(encoding, "replace")
    if suffix == ".docx" and rng.random() < 0.8:
        return "mutated-xml.docx", suffix, mutate_docx(rng.choice(seeds[suffix]), rng, pool)
    return f"mutated{suffix}", suffix, mutate_bytes(rng.choice(seeds[suffix]), rng, pool)


# ---------------------------------------------------------------------------- one case


def run_case(suffix: str, payload: bytes, workdir: Path) -> dict[str, Any]:
    """The ingest path for one file, without the index writes."""
    from ingest.chunking import chunk_document
    from ingest.embedders import make_embedder
    from ingest.index_writer import engine_safe
    from ingest.models import DocumentMeta
    from ingest.pipeline import chunk_sentences
    from ingest.readers import ReaderError, read_document
    from ingest.settings import Settings
    from ingest.structure import parse_document

    settings = Settings()
    embedder = make_embedder(settings.embedding)
    path = workdir / f"fuzz{suffix}"
    path.write_bytes(payload)
    stage = "read"
    try:
        read = read_document(path)
        stage = "parse"
        parsed = parse_document(read, DocumentMeta(), "fuzz")
        stage = "chunk"
        chunks = chunk_document(parsed, settings.chunking.chunk_tokens, settings.chunking.overlap_sentences,
                                lambda text: embedder.count_tokens(engine_safe(text)))
        stage = "sentences"
        sentences = sum(len(chunk_sentences(chunk)) for chunk in chunks)
        return {"status": "ok", "chunks": len(chunks), "sentences": sentences, "cases": len(parsed.cases)}
    except ReaderError as error:
        result = {"status": "reader_error", "message": error.message}
        cause = error.__cause__
        generic = error.message.startswith(("Kunne ikke lese filen", "Kunne ikke hente ut teksten"))
        if generic and cause is not None and _raised_in_our_code(cause):
            # A reader turned an exception of our own code into a user message: a hidden bug.
            result.update(hidden=True, exception=type(cause).__name__, where=_where(cause), stage=stage,
                          traceback="".join(traceback.format_exception(cause))[-3000:])
        return result
    except Exception as error:  # noqa: BLE001 - this is what the fuzzer looks for
        return {"status": "crash", "stage": stage, "exception": type(error).__name__, "message": str(error)[:300], "where": _where(error),
                "traceback": "".join(traceback.format_exception(error))[-3000:]}


def _ours(filename: str) -> bool:
    return str(REPO) in filename and "/.venv/" not in filename and "/site-packages/" not in filename


def _raised_in_our_code(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and _ours(frames[-1].filename)


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    frame = [f for f in frames if _ours(f.filename)][-1:] or frames[-1:]
    name = frame[0].filename
    return f"{Path(name).relative_to(REPO) if _ours(name) else name}:{frame[0].lineno}"


def _worker(connection) -> None:
    import logging

    logging.disable(logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="radsarkiv-fuzz-") as folder:
        workdir = Path(folder)
        while True:
            job = connection.recv()
            if job is None:
                return
            suffix, payload = job
            started = time.monotonic()
            result = run_case(suffix, payload, workdir)
            result["seconds"] = round(time.monotonic() - started, 3)
            connection.send(result)


class Worker:
    def __init__(self) -> None:
        context = mp.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child,), daemon=True)
        self.process.start()

    def run(self, suffix: str, payload: bytes, timeout: float) -> dict[str, Any]:
        self.connection.send((suffix, payload))
        if self.connection.poll(timeout):
            try:
                return self.connection.recv()
            except EOFError:
                pass
        else:
            self.process.kill()
            self.process.join()
            return {"status": "hang", "seconds": timeout}
        self.process.join(timeout=5)
        return {"status": "died", "exitcode": self.process.exitcode}

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        if self.process.is_alive():
            self.connection.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


# ---------------------------------------------------------------------------- the run


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def signature(target: str, result: dict[str, Any]) -> str:
    if result["status"] == "crash":
        return f"{result['exception']} at {result['where']} ({result['stage']})"
    if result.get("hidden"):
        return f"{result['exception']} at {result['where']} (inside a ReaderError)"
    return f"{result['status']} {target}"


def fuzz(seconds: float, seed: int, out: Path, crash_dir: Path, case_timeout: float = CASE_TIMEOUT_S, progress: bool = True) -> dict[str, Any]:
    # Warm the embedder before forking, so each worker shares the loaded engine.
    from ingest.embedders import make_embedder
    from ingest.settings import Settings

    make_embedder(Settings().embedding).count_tokens("oppvarming")
    rng = random.Random(seed)
    seeds, texts = load_seeds()
    by_target: dict[str, Counter] = {}
    reader_errors: Counter = Counter()
    crashes: dict[str, dict[str, Any]] = {}
    slowest: list[dict[str, Any]] = []
    worker = Worker()
    for suffix, items in seeds.items():  # warm-up (lazy imports, tokenizer tables): not timed
        worker.run(suffix, items[0], case_timeout)
        if not worker.alive():
            worker = Worker()
    started = time.monotonic()
    number = 0
    try:
        while time.monotonic() - started < seconds:
            target, suffix, payload = make_case(number, rng, seeds, texts)
            number += 1
            result = worker.run(suffix, payload, case_timeout)
            if not worker.alive():
                worker = Worker()
            counts = by_target.setdefault(target, Counter())
            counts["cases"] += 1
            counts[result["status"]] += 1
            if result["status"] == "reader_error":
                reader_errors[re.sub(r"\(.*", "(…)", result["message"], flags=re.DOTALL)[:90]] += 1
            digest = hashlib.sha256(payload).hexdigest()[:12]
            if result["status"] in ("crash", "hang", "died") or result.get("hidden"):
                key = signature(target, result)
                if key not in crashes:
                    crash_dir.mkdir(parents=True, exist_ok=True)
                    reproducer = crash_dir / f"{target.replace('.', '-')}-{digest}{suffix}"
                    reproducer.write_bytes(payload)
                    crashes[key] = {"signature": key, "target": target, "count": 0, "reproducer": _shown(reproducer),
                                    **{k: v for k, v in result.items() if k not in ("status", "seconds")}, "status": result["status"]}
                    if progress:
                        print(f"[fuzz] {key} -> {reproducer.name}", flush=True)
                crashes[key]["count"] += 1
            slowest.append({"target": target, "seconds": result.get("seconds", 0.0), "bytes": len(payload), "sha256_12": digest})
            slowest = sorted(slowest, key=lambda s: -s["seconds"])[:5]
            if progress and number % 200 == 0:
                print(f"[fuzz] {number} cases, {len(crashes)} distinct crashes, {time.monotonic() - started:.0f} s", flush=True)
    finally:
        worker.stop()
    elapsed = time.monotonic() - started
    totals = Counter()
    for counts in by_target.values():
        totals.update(counts)
    report = {
        "seconds": round(elapsed, 1),
        "seed": seed,
        "case_timeout_s": case_timeout,
        "python": platform.python_version(),
        "cases": number,
        "cases_per_second": round(number / elapsed, 2) if elapsed else 0.0,
        "totals": {**{k: totals[k] for k in ("ok", "reader_error", "crash", "hang", "died")},
                   "reader_error_hiding_our_bug": sum(c["count"] for c in crashes.values() if c.get("hidden"))},
        "by_target": {target: dict(sorted(counts.items())) for target, counts in sorted(by_target.items())},
        "reader_errors": dict(reader_errors.most_common(15)),
        "crashes": sorted(crashes.values(), key=lambda c: -c["count"]),
        "slowest": slowest,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bounded fuzz run of Rådsarkiv's readers and parsers.")
    parser.add_argument("--seconds", type=float, default=120.0, help="how long to run (default 120)")
    parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same cases")
    parser.add_argument("--out", type=Path, default=RESULTS / "fuzz.json")
    parser.add_argument("--crash-dir", type=Path, default=RESULTS / "fuzz-crashes")
    parser.add_argument("--case-timeout", type=float, default=CASE_TIMEOUT_S, help="seconds before a case counts as a hang")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    report = fuzz(args.seconds, args.seed, args.out, args.crash_dir, args.case_timeout, progress=not args.quiet)
    print(json.dumps({k: report[k] for k in ("seconds", "cases", "totals")}, ensure_ascii=False))
    for crash in report["crashes"]:
        print(f"  {crash['count']:>4} × {crash['signature']}: {crash.get('message', '')[:120]} [{crash['reproducer']}]")
    return 1 if report["crashes"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
