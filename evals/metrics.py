"""Gold-set scoring: pure functions from (gold item, Answer) to a per-item result, then aggregates.

Nothing here touches the index, the assistant or the disk; run.py feeds it, report.py shows it.
Every metric is None when it has no denominator (e.g. refusal_accuracy on a set without
unanswerable items), so an unmeasured metric never reads as a perfect or a zero score.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from assistant.answer import Answer, Citation

HIT_KS = (1, 3, 5)
RETRIEVAL_KEYS = tuple(f"evidence_hit@{k}" for k in HIT_KS)
ANSWER_KEYS = (
    "case_recall",
    "citation_precision",
    "must_include",
    "quote_fidelity",
    "refusal_accuracy",
    "false_refusal_rate",
    "top_quote",
)
LATENCY_KEYS = ("p50", "p95")
# Drafting answers legitimately lean on background cases beyond the expected ones.
PRECISION_EXCLUDED_TYPES = frozenset({"drafting"})


class GoldItem(BaseModel):
    id: str
    question: str
    lang: str
    type: str
    expected_cases: list[str] = []
    expected_docs: list[str] = []
    answer: str = ""
    must_include: list[str] = []
    evidence: str = ""
    history: list[dict[str, Any]] = []
    # Not in the gold files: the set an item was loaded from (evals.run.load_items sets it).
    source: str = ""

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def normalise(text: str | None) -> str:
    """Matching form: lowercase, no `*`, every whitespace run (incl. no-break spaces) one space."""
    # str.split() with no argument splits on all Unicode whitespace, U+00A0 and U+202F included.
    return " ".join((text or "").replace("*", "").lower().split())


def _case_key(case: str | None) -> str:
    key = normalise(case)
    return key[4:].strip() if key.startswith("sak ") else key


def evidence_rank(evidence: str, passages: Sequence[str]) -> int | None:
    """1-based rank of the first passage containing the evidence quote, None when none does."""
    needle = normalise(evidence)
    if not needle:
        return None
    for rank, passage in enumerate(passages, 1):
        if needle in normalise(passage):
            return rank
    return None


class Archive:
    """All indexed documents' text in matching form, for checking that quotes are verbatim."""

    def __init__(self, texts: Iterable[str]):
        from assistant.compose import plain_text  # quotes are shown without source markup (CO<sub>2</sub> → CO₂)

        self._texts = [normalise(plain_text(text)) for text in texts]

    def contains(self, quote: str) -> bool:
        # An empty quote would match anywhere; a citation without a quote proves nothing.
        needle = normalise(quote)
        return bool(needle) and any(needle in text for text in self._texts)


def citation_on_target(item: GoldItem, citation: Citation, doc_seed_ids: Mapping[str, str]) -> bool:
    """Whether a citation points where the gold item says the answer lives. A cited document
    outside the case register (a news article has no case number) is on target when the item
    names that document among its expected documents: it cannot match an expected case, and the
    item says the answer lives in it ("… som det ble skrevet om i juni")."""
    if item.expected_cases:
        if not citation.case and item.expected_docs:
            return doc_seed_ids.get(citation.doc_id) in set(item.expected_docs)
        return _case_key(citation.case) in {_case_key(case) for case in item.expected_cases}
    if doc_seed_ids.get(citation.doc_id) in set(item.expected_docs):
        return True
    evidence = normalise(item.evidence)
    return bool(evidence) and evidence in normalise(citation.quote)


@dataclass
class ItemResult:
    id: str
    lang: str
    type: str
    answerable: bool
    refused: bool
    latency_ms: float
    evidence_rank: int | None = None
    retrieval_scored: bool = False
    expected_cases: list[str] = field(default_factory=list)
    cited_cases: list[str] = field(default_factory=list)
    case_recall: float | None = None
    missing_cases: list[str] = field(default_factory=list)
    precision_citations: int = 0
    precision_on_target: int = 0
    off_target_citations: list[str] = field(default_factory=list)
    must_include: float | None = None
    missing_must_include: list[str] = field(default_factory=list)
    quotes: int = 0
    verbatim_quotes: int = 0
    unverified_quotes: list[str] = field(default_factory=list)
    error: str | None = None
    # Share of must_include spans inside the first quote (the sentence the answer leads with).
    top_quote: float | None = None
    # "follow_up" when the item carries conversation history, else "fresh".
    context_kind: str = "fresh"
    # The gold file the item came from (its name without suffix), for per-set figures.
    set_name: str = ""
    # Filled by the baseline run: variant -> rank of the evidence / retrieval latency.
    baseline_ranks: dict[str, int | None] = field(default_factory=dict)
    baseline_latency_ms: dict[str, float] = field(default_factory=dict)
    # variant -> share of must_include spans in the baseline's top sentence (None: not measured).
    baseline_top_sentence: dict[str, float | None] = field(default_factory=dict)

    def failures(self) -> list[str]:
        """What this item got wrong, in words, for the failing-items list."""
        out: list[str] = []
        if self.error:
            out.append(f"error: {self.error}")
        if self.retrieval_scored and (self.evidence_rank is None or self.evidence_rank > max(HIT_KS)):
            out.append(f"evidence not in top {max(HIT_KS)} passages")
        if self.missing_cases:
            out.append(f"missing cases: {', '.join(self.missing_cases)}")
        if self.off_target_citations:
            out.append(f"off-target citations: {'; '.join(self.off_target_citations)}")
        if self.missing_must_include:
            out.append(f"must_include missing: {', '.join(repr(s) for s in self.missing_must_include)}")
        if self.unverified_quotes:
            out.append(f"quotes not in archive: {len(self.unverified_quotes)}")
        if self.answerable and self.refused:
            out.append("refused an answerable question")
        if not self.answerable and not self.refused:
            out.append("answered an unanswerable question")
        return out

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"failures": self.failures()}


def score_item(
    item: GoldItem,
    answer: Answer,
    latency_ms: float,
    archive: Archive,
    doc_seed_ids: Mapping[str, str],
    error: str | None = None,
) -> ItemResult:
    result = ItemResult(
        id=item.id,
        lang=item.lang,
        type=item.type,
        answerable=item.answerable,
        refused=answer.refused,
        latency_ms=latency_ms,
        expected_cases=list(item.expected_cases),
        cited_cases=[c.case for c in answer.citations if c.case],
        error=error,
    )
    if item.answerable and normalise(item.evidence):
        result.retrieval_scored = True
        result.evidence_rank = evidence_rank(item.evidence, [p.text for p in answer.context])
    if item.answerable and item.expected_cases:
        cited = {_case_key(case) for case in result.cited_cases}
        expected = list(dict.fromkeys(item.expected_cases))
        result.missing_cases = [case for case in expected if _case_key(case) not in cited]
        result.case_recall = (len(expected) - len(result.missing_cases)) / len(expected)
    if item.answerable and item.type not in PRECISION_EXCLUDED_TYPES:
        for citation in answer.citations:
            result.precision_citations += 1
            if citation_on_target(item, citation, doc_seed_ids):
                result.precision_on_target += 1
            else:
                where = f"sak {citation.case}" if citation.case else citation.doc_id
                result.off_target_citations.append(f"{citation.marker} ({where})")
    if item.must_include:
        text = normalise(answer.answer)
        result.missing_must_include = [s for s in item.must_include if normalise(s) not in text]
        found = len(item.must_include) - len(result.missing_must_include)
        result.must_include = found / len(item.must_include)
    for citation in answer.citations:
        result.quotes += 1
        if archive.contains(citation.quote):
            result.verbatim_quotes += 1
        else:
            result.unverified_quotes.append(citation.quote)
    return result


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def hit_rates(ranks: Iterable[int | None]) -> dict[str, float | None]:
    """evidence_hit@k from evidence ranks (None = not retrieved), one rank per scored item."""
    ranks = list(ranks)
    return {
        f"evidence_hit@{k}": _mean(float(r is not None and r <= k) for r in ranks) for k in HIT_KS
    }


def latency_summary(latencies_ms: Iterable[float]) -> dict[str, float | None]:
    values = list(latencies_ms)
    if not values:
        return {key: None for key in LATENCY_KEYS}
    # Linear interpolation between closest ranks (numpy's default), stable for small sets.
    p50, p95 = np.percentile(values, [50, 95])
    return {"p50": float(p50), "p95": float(p95)}


def answer_metrics(results: Sequence[ItemResult]) -> dict[str, float | None]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    return {
        "case_recall": _mean(r.case_recall for r in results if r.case_recall is not None),
        # Pooled over citations: an item with many citations weighs more, as it should.
        "citation_precision": _ratio(
            sum(r.precision_on_target for r in results), sum(r.precision_citations for r in results)
        ),
        "must_include": _mean(r.must_include for r in results if r.must_include is not None),
        "quote_fidelity": _ratio(sum(r.verbatim_quotes for r in results), sum(r.quotes for r in results)),
        "refusal_accuracy": _mean(float(r.refused) for r in unanswerable),
        "false_refusal_rate": _mean(float(r.refused) for r in answerable),
        "top_quote": _mean(r.top_quote for r in results if r.top_quote is not None),
    }


def aggregate(results: Sequence[ItemResult]) -> dict[str, Any]:
    """One group's metrics: {"n", "retrieval", "answers", "latency_ms"}."""
    return {
        "n": len(results),
        "retrieval": hit_rates(r.evidence_rank for r in results if r.retrieval_scored),
        "answers": answer_metrics(results),
        "latency_ms": latency_summary(r.latency_ms for r in results),
    }


def aggregate_by(results: Sequence[ItemResult], attribute: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[ItemResult]] = {}
    for result in results:
        groups.setdefault(getattr(result, attribute), []).append(result)
    return {key: aggregate(group) for key, group in groups.items()}


def baseline_metrics(results: Sequence[ItemResult], variant: str) -> dict[str, Any]:
    """The baseline variant's retrieval metrics over the same items, and its query latency."""
    return {
        "retrieval": hit_rates(
            r.baseline_ranks.get(variant) for r in results if r.retrieval_scored
        ),
        "latency_ms": latency_summary(
            r.baseline_latency_ms[variant] for r in results if variant in r.baseline_latency_ms
        ),
        # The baseline's answer is its top sentence: the sentence of its top passages closest to
        # the question, scored like our top_quote.
        "top_sentence": _mean(
            v for r in results if (v := r.baseline_top_sentence.get(variant)) is not None
        ),
    }


def retrieval_ratio(
    ours: Mapping[str, float | None], baselines: Sequence[Mapping[str, float | None]]
) -> dict[str, float | None]:
    """ours / the strongest baseline, per retrieval metric (None when undefined)."""
    ratios: dict[str, float | None] = {}
    for key in RETRIEVAL_KEYS:
        best = max((b[key] for b in baselines if b.get(key) is not None), default=None)
        mine = ours.get(key)
        ratios[key] = mine / best if mine is not None and best else None
    return ratios


def check_thresholds(report_json: Mapping[str, Any], thresholds: Mapping[str, Any]) -> list[str]:
    """Failures of the CI gate as readable strings; an empty list means the gate passes.

    thresholds: {group: {metric: {"min": x} | {"max": y}}}, groups as in report_json
    ("retrieval", "answers", ...). A metric the report could not measure (None) fails: a gate
    that passes on nothing would hide a broken run.
    """
    failures: list[str] = []
    tolerance = 1e-9
    for group, metrics in thresholds.items():
        if group.startswith("_"):
            continue  # comments
        for metric, bound in metrics.items():
            value = (report_json.get(group) or {}).get(metric)
            name = f"{group}.{metric}"
            if value is None:
                failures.append(f"{name} was not measured")
                continue
            if "min" in bound and value < bound["min"] - tolerance:
                failures.append(f"{name} = {value:.3f}, below the minimum {bound['min']:.3f}")
            if "max" in bound and value > bound["max"] + tolerance:
                failures.append(f"{name} = {value:.3f}, above the maximum {bound['max']:.3f}")
    return failures
