"""Refusals that point somewhere: an unknown case of a held meeting lists that meeting's cases;
an unknown meeting lists the meetings the archive holds nearest to it."""
from __future__ import annotations

from ingest.case_numbers import case_sort_key


def _meetings(retriever) -> dict[str, list[dict]]:
    held: dict[str, list[dict]] = {}
    for case in retriever.cases.values():
        if case.get("meeting") and case.get("access", "public") == "public":
            held.setdefault(case["meeting"], []).append(case)
    return held


def test_unknown_case_in_a_held_meeting_lists_that_meetings_cases(assistant, retriever):
    for meeting, cases in _meetings(retriever).items():
        last = max(cases, key=lambda c: case_sort_key(c["number"]))
        unknown = f"{int(last['number'].split('/')[0]) + 30}/{meeting}"
        for question, lang_word in ((f"Hva ble vedtatt i sak {unknown}?", "Møte"), (f"What was decided in case {unknown}?", "Meeting")):
            answer = assistant.ask(question)
            assert answer.refused, answer.answer
            assert f"{lang_word} {meeting}" in answer.answer and f"{len(cases)} " in answer.answer
            for case in cases:
                assert f"{case['number']}: {case['title']}" in answer.answer


def test_unknown_meeting_lists_the_nearest_held_meetings(assistant, retriever):
    held = _meetings(retriever)
    year = max(int(m.split("/")[1]) for m in held)
    latest = max((m for m in held if m.endswith(f"/{year}")), key=lambda m: int(m.split("/")[0]))
    unknown = f"{int(latest.split('/')[0]) + 3}/{year}"
    answer = assistant.ask(f"Hva skjedde på møte {unknown}?")
    assert answer.refused and f"møte {unknown}" in answer.answer
    assert f"Møte {latest}" in answer.answer, answer.answer
    assert f"{len(held[latest])} saker" in answer.answer
