"""The `radsarkiv` command. Each subcommand is a thin shell around a service in another package."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Rådsarkiv: HelseOmsorg21-rådets arkiv.")
console = Console(stderr=True)


def _print_json(payload) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders (default: corpus/)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Ingest documents into the index (incremental: unchanged files are skipped)."""
    from ingest.pipeline import ingest_paths
    from ingest.settings import get_settings

    settings = get_settings()
    summary = ingest_paths(paths or [settings.corpus_dir], settings, progress=not as_json)
    if as_json:
        _print_json(summary.as_json())
    else:
        summary.print(console)
    if summary.errors:
        raise typer.Exit(code=2)


@app.command()
def search(
    query: str,
    k: int = typer.Option(5, "--k"),
    meeting: Optional[str] = typer.Option(None, help="Møte, e.g. 1/2026"),
    year: Optional[int] = typer.Option(None),
    case: Optional[str] = typer.Option(None, help="Sak, e.g. 7/1/2026"),
    doc_type: Optional[str] = typer.Option(None, "--type"),
    role: str = typer.Option("admin", "--role", help="member | secretariat | admin"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Ranked passages for a query (hybrid dense + BM25, case numbers resolved first)."""
    from assistant.retrieval import SearchFilters, get_retriever

    filters = SearchFilters(meeting=meeting, year=year, case=case, doc_type=doc_type)
    hits = get_retriever().search(query, k=k, filters=filters, role=role)
    if as_json:
        _print_json([hit.as_json() for hit in hits])
        return
    for rank, hit in enumerate(hits, 1):
        meta = hit.metadata
        where = f"Sak {meta['case']}" if meta.get("case") else meta.get("title", "")
        console.print(f"[bold]{rank}.[/bold] {where} · {meta.get('document')} s. {meta.get('page_start')} ({hit.score:.3f})")
        console.print(f"   {hit.text[:300]}")


@app.command()
def cases(
    as_json: bool = typer.Option(False, "--json"),
    role: str = typer.Option("admin", "--role"),
) -> None:
    """The case register: every case with its meeting, proposal and decision."""
    from ingest.settings import get_settings
    from ingest.store.register import Register

    register = Register.open_readonly(get_settings().register_path)
    rows = register.list_cases(role=role)
    if as_json:
        # The register summary only; sections and sources are for the API and `ask`.
        keys = ("number", "literal_number", "title", "meeting", "date", "proposal", "decision", "document",
                "flagged", "resolution_note", "agenda_title", "paper_title")
        _print_json([{key: row.get(key) for key in keys} for row in rows])
        return
    from rich.table import Table

    table = Table("Sak", "Tittel", "Møte", "Dato", "Vedtak")
    for row in rows:
        table.add_row(row["number"], row["title"], row["meeting"] or "", row["date"] or "", (row["decision"] or "")[:60])
    Console().print(table)


@app.command(name="parse")
def parse_file(
    path: Path = typer.Argument(..., help="One file: a case paper, a protocol, minutes, an agenda or a meeting record (JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print everything as JSON (the fasit keys and the general structure)."),
) -> None:
    """What the parser finds in one file: kind, cases, proposals, votes, decisions and attendance."""
    from ingest.inspect import inspect_file, summary_lines
    from ingest.meeting_file import MeetingFileError
    from ingest.readers import ReaderError

    try:
        payload = inspect_file(path)
    except (ReaderError, MeetingFileError) as error:
        console.print(f"[red]Feil[/red] {path}: {error}")
        raise typer.Exit(code=2)
    if as_json:
        _print_json(payload)
        return
    for line in summary_lines(payload):
        typer.echo(line)


@app.command()
def ask(
    question: str,
    history: Optional[Path] = typer.Option(None, "--history", help="JSON file: [{role, content}, ...]"),
    role: str = typer.Option("admin", "--role"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Ask the archive a question; the answer cites its cases and quotes."""
    from assistant.service import get_assistant

    turns = json.loads(history.read_text(encoding="utf-8")) if history else []
    answer = get_assistant().ask(question, history=turns, role=role)
    if as_json:
        _print_json(answer.public_json())
        return
    Console().print(answer.answer)


@app.command(name="eval")
def evaluate(
    set_paths: list[Path] = typer.Option(..., "--set", help="Gold JSONL file (repeat for several sets)"),
    folds: int = typer.Option(1, "--folds", min=1, help="K-fold cross-validation: fit on K−1 folds, report held-out folds only"),
    docs: Optional[Path] = typer.Option(None, "--docs", help="Index this documents folder (own data dir) and evaluate on it"),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Data dir for --docs (default: <data>/eval/<folder>)"),
    negatives: Optional[list[Path]] = typer.Option(None, "--negatives", help="Gold set from another corpus, asked here as unanswerable (repeatable)"),
    negatives_sample: Optional[int] = typer.Option(None, "--negatives-sample", min=1),
    sample: Optional[int] = typer.Option(None, "--sample", min=1, help="A random subset of this many items (for iteration)"),
    seed: int = typer.Option(0, "--seed", help="Seeds --sample and --negatives-sample"),
    fold_seed: Optional[int] = typer.Option(None, "--fold-seed", help="Seeds the fold assignment (default: evals.fit.FOLD_SEED); results swing with it, so confirm a change on a second one"),
    topic_shift: bool = typer.Option(False, "--topic-shift", help="Ask self-contained items again after an unrelated turn"),
    as_json: bool = typer.Option(False, "--json"),
    out: Optional[Path] = typer.Option(None, "--out", help="Write JSON, Markdown and charts here"),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline"),
) -> None:
    """Score the assistant on gold sets, beside the plain llama-index baseline over the same documents."""
    from evals.run import run_eval

    try:
        report = run_eval(
            set_paths, out_dir=out, with_baseline=baseline, progress=not as_json, folds=folds, docs=docs,
            data_dir=data_dir, negatives=negatives, negatives_sample=negatives_sample, sample=sample, seed=seed,
            topic_shift=topic_shift, fold_seed=fold_seed,
        )
    except (FileNotFoundError, RuntimeError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2)
    if as_json:
        _print_json(report.as_json())
    else:
        report.print(Console())


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(7860),
) -> None:
    """Serve the API and the web UI."""
    from ui.server import run_server

    run_server(host=host, port=port)


if __name__ == "__main__":
    app()
