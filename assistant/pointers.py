"""Where to look instead, when a refusal names a case or meeting the archive does not hold.

An unknown case number in a meeting the archive holds: that meeting's cases. An unknown meeting:
the meetings the archive holds nearest to it. Only cases the caller may see are listed.
"""
from __future__ import annotations

import re
from typing import Any

from assistant.prompts import phrase
from ingest.case_numbers import case_sort_key

NEAREST_MEETINGS = 2  # on each side: enough to orient, few enough to read


def _meeting_key(meeting: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d+)/(\d{4})", meeting or "")
    return (int(match.group(2)), int(match.group(1))) if match else None


def meeting_cases_pointer(case_number: str, cases: list[dict[str, Any]], lang: str) -> str:
    """«Møte 2/2026 (2026-03-04) har disse 12 sakene i arkivet: …» for sak N/2/2026, or ""."""
    match = re.fullmatch(r"\d+/(\d+/\d{4})", case_number or "")
    if not match:
        return ""
    meeting = match.group(1)
    held = sorted((c for c in cases if c.get("meeting") == meeting), key=lambda c: case_sort_key(c["number"]))
    if not held:
        return ""
    date = next((c.get("date") for c in held if c.get("date")), None)
    lines = [f"- {phrase('heading_case', lang)} {c['number']}: {c.get('title') or ''}".rstrip(": ") for c in held]
    intro = phrase("pointer_meeting_cases", lang, meeting=meeting + (f" ({date})" if date else ""), count=len(held))
    return intro + "\n" + "\n".join(lines)


def nearest_meetings_pointer(meeting: str, cases: list[dict[str, Any]], lang: str) -> str:
    """The meetings the archive holds closest before and after the one asked for, or ""."""
    wanted = _meeting_key(meeting)
    held: dict[str, dict[str, Any]] = {}
    for case in cases:
        key = _meeting_key(case.get("meeting") or "")
        if key is None:
            continue
        entry = held.setdefault(case["meeting"], {"key": key, "date": case.get("date"), "count": 0})
        entry["count"] += 1
    if wanted is None or not held:
        return ""
    ordered = sorted(held.items(), key=lambda item: item[1]["key"])
    before = [m for m in ordered if m[1]["key"] < wanted][-NEAREST_MEETINGS:]
    after = [m for m in ordered if m[1]["key"] > wanted][:NEAREST_MEETINGS]
    lines = [
        f"- {phrase('heading_meeting', lang)} {name}" + (f" ({info['date']})" if info.get("date") else "")
        + f": {phrase('pointer_case_count', lang, count=info['count'])}"
        for name, info in before + after
    ]
    return phrase("pointer_nearest_meetings", lang, meeting=meeting) + "\n" + "\n".join(lines) if lines else ""
