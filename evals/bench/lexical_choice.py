"""Which on-disk lexical index: SQLite FTS5 with bm25() or bm25s memory-mapped, on the same chunks.

`python -m evals.bench.lexical_choice --data DIR [--chunks 100000] [--out FILE]`

Takes the analysed text (Norwegian Snowball stems, as `ingest.store.lexical.analyze` makes them)
of an ingested index's chunks, repeats it to `--chunks` rows (each copy drops a fifth of its
terms at random and gains a copy marker and one random word, so rows differ), builds both
indexes and times 30 questions' top 40 under an access filter (one row in ten is internal).
Recorded once for the choice in ingest/store/lexical_store.py; not part of `make bench`.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import ingest  # noqa: F401  (offline switches first)


def main(argv: list[str] | None = None) -> int:
    import bm25s

    from ingest.store.lexical import analyze

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    db = sqlite3.connect(f"file:{args.data / 'register.sqlite'}?mode=ro", uri=True)
    texts = [row[0] for row in db.execute("SELECT text FROM chunks")]
    base = [analyze(text) for text in texts]
    rng = random.Random(1)
    vocabulary = sorted({term for terms in base for term in terms})
    docs = []
    for i in range(args.chunks):
        terms = [t for t in base[i % len(base)] if rng.random() > 0.2]
        docs.append(terms + [f"kopi{i // len(base)}", rng.choice(vocabulary)])
    queries = [analyze(texts[rng.randrange(len(texts))])[:8] for _ in range(30)]
    work = Path(tempfile.mkdtemp(prefix="radsarkiv-lexical-choice-"))
    result = {"chunks": args.chunks, "source_chunks": len(texts), "queries": len(queries)}

    start = time.perf_counter()
    fts = sqlite3.connect(str(work / "fts.sqlite"))
    fts.execute("""CREATE VIRTUAL TABLE p USING fts5(terms, access UNINDEXED, tokenize="unicode61 remove_diacritics 0 tokenchars './-'")""")
    fts.executemany("INSERT INTO p(rowid, terms, access) VALUES (?,?,?)", ((i, " ".join(d), "public" if i % 10 else "internal") for i, d in enumerate(docs)))
    fts.commit()
    result["fts5_build_s"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(docs, show_progress=False)
    retriever.save(str(work / "bm25"))
    retriever = bm25s.BM25.load(str(work / "bm25"), mmap=True)
    result["bm25s_build_s"] = round(time.perf_counter() - start, 1)
    access = np.array([0 if i % 10 else 1 for i in range(args.chunks)], dtype=np.uint8)

    fts_ms, bm25s_ms = [], []
    for terms in queries:
        expression = " OR ".join(f'"{t}"' for t in dict.fromkeys(terms))
        start = time.perf_counter()
        fts.execute("SELECT rowid, bm25(p) FROM p WHERE p MATCH ? AND access IN ('public') ORDER BY bm25(p) LIMIT 40", (expression,)).fetchall()
        fts_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        ids = [retriever.vocab_dict[t] for t in dict.fromkeys(terms) if t in retriever.vocab_dict]
        scores = retriever.get_scores_from_ids(ids)
        scores = np.where(access == 0, scores, 0)
        top = np.argpartition(-scores, 40)[:40]
        top[np.argsort(-scores[top])]
        bm25s_ms.append((time.perf_counter() - start) * 1000)
    for name, values in (("fts5_ms", fts_ms), ("bm25s_mmap_ms", bm25s_ms)):
        result[name] = {"p50": round(float(np.percentile(values, 50)), 1), "p95": round(float(np.percentile(values, 95)), 1)}
    result["disk_mb"] = {"fts5": round(os.path.getsize(work / "fts.sqlite") / 2**20, 1),
                         "bm25s": round(sum(f.stat().st_size for f in (work / "bm25").iterdir()) / 2**20, 1)}
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
