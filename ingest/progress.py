"""Ingest progress measured in embedding work, with an estimate of the time left.

Embedding is nearly all of an ingest's time, and one document can hold most of it (a meeting
bundle of 100 pages beside a one-page news item), so counting documents says little. The work
is counted in embedder tokens of the texts the cache lacks (chunks and sentences), known once
every changed document is parsed. In a terminal a rich bar shows it; otherwise (a log file, a
service) a plain line is printed every few seconds.
"""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO

# How often a line is written when the output is not a terminal: often enough to show a run is
# alive in a log, rarely enough that a long run does not flood it. A choice, not a measurement
# (RADSARKIV_INGEST__PROGRESS_INTERVAL_S).
LINE_INTERVAL_S = 5.0


class CountingEmbedder:
    """Wraps the writer's embedder and reports each batch's tokens as it is embedded."""

    def __init__(self, inner: Any, on_batch) -> None:
        self._inner = inner
        self._on_batch = on_batch

    def get_text_embedding_batch(self, texts, **kwargs):
        result = self._inner.get_text_embedding_batch(texts, **kwargs)
        self._on_batch(sum(self._inner.count_tokens(text) for text in texts), len(texts))
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} t {minutes:02d} min"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


class IngestProgress:
    """Progress over the planned embedding work of one ingest run."""

    def __init__(self, total_tokens: int, total_texts: int, documents: int, enabled: bool = True,
                 stream: TextIO | None = None, interval_s: float = LINE_INTERVAL_S, terminal: bool | None = None) -> None:
        self.total_tokens, self.total_texts, self.documents = total_tokens, total_texts, documents
        self.tokens = self.texts = self.document_index = 0
        self.document_name = ""
        self.enabled = enabled
        self.stream = stream or sys.stdout
        self.interval_s = interval_s
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.started = time.monotonic()
        self._last_line = 0.0
        self._bar = None
        self._task = None
        if enabled and self.terminal:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f} %"),
                MofNCompleteColumn(), TextColumn("tokens"), TextColumn("·"), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("Bygger inn", total=max(total_tokens, 1))
        elif enabled:
            self._write(
                f"Innlesing: {documents} dokumenter å lese inn; {_number(total_texts)} tekster "
                f"({_number(total_tokens)} tokens) mangler innbygging."
            )

    def document(self, index: int, name: str) -> None:
        self.document_index, self.document_name = index, name
        if self._bar is not None:
            self._bar.update(self._task, description=f"Bygger inn ({index}/{self.documents}) {name[:40]}")
        else:
            self._maybe_line()

    def advance(self, tokens: int, texts: int) -> None:
        self.tokens += tokens
        self.texts += texts
        if self._bar is not None:
            self._bar.update(self._task, completed=min(self.tokens, self.total_tokens))
        else:
            self._maybe_line()

    def eta_s(self) -> float | None:
        """Seconds left at the rate so far; None until some work is done."""
        elapsed = time.monotonic() - self.started
        if self.tokens <= 0 or elapsed <= 0:
            return None
        return max(0.0, (self.total_tokens - self.tokens) * elapsed / self.tokens)

    def line(self) -> str:
        share = 100.0 * self.tokens / self.total_tokens if self.total_tokens else 100.0
        eta = self.eta_s()
        left = f"ca. {duration(eta)} igjen" if eta is not None else "beregner tid igjen …"
        return (
            f"Innlesing: {share:.0f} % av innbyggingen ({_number(self.tokens)} av {_number(self.total_tokens)} tokens, "
            f"{_number(self.texts)} av {_number(self.total_texts)} tekster), dokument {self.document_index} av {self.documents}, {left}"
        )

    def _maybe_line(self) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_line >= self.interval_s:
            self._last_line = now
            self._write(self.line())

    def _write(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=max(self.total_tokens, 1))
            self._bar.stop()
        elif self.enabled and self.total_tokens:
            self._write(self.line().split(", ca.")[0].split(", beregner")[0] + f", ferdig etter {duration(time.monotonic() - self.started)}")
