"""What kind of meeting document a text is, from its content alone (no file name, no corpus).

agenda          møteinnkalling / saksliste: a list of numbered cases, no treatments
saksframlegg    a case paper: an administration's proposal ("Kommunedirektørens forslag til vedtak",
                "Innstilling", "Forslag til vedtak") and the case's facts and assessment
saksprotokoll   one body's treatment of one case ("Formannskaps behandling av sak 10/2026 …")
møteprotokoll   minutes of a whole meeting: attendance, saksliste, a treatment per case
None            no case structure (news, letters, høringssvar, reports)
"""
from __future__ import annotations

import re

from ingest.numbering import TREATMENT_HEADING, find_case_ids

_MINUTES_TITLE = re.compile(r"^\s*(?:møteprotokoll|møtebok|protokoll\s+fra|protokoll\b|referat\s+fra\s+møte)", re.I)
_AGENDA_TITLE = re.compile(r"^\s*(?:møteinnkalling|innkalling\s+til|saksliste|sakliste)\b", re.I)
_PAPER_TITLE = re.compile(r"^\s*(?:saksframlegg|saksfremlegg|saksutredning)\s*$", re.I)
PROPOSAL_LABEL = re.compile(
    r"^\s*(?:(?:[\wæøåÆØÅ\-]+s)\s+)?(?:forslag\s+til\s+(?:vedtak|innstilling)|innstilling)\b[^:\n]{0,60}:\s*$", re.I
)
FACTS_LABEL = re.compile(r"^\s*(?:saksopplysninger|saksopplysning|bakgrunn(?:\s+for\s+saken)?|fakta(?:\s+i\s+saken)?)\s*:?\s*$", re.I)
ASSESSMENT_LABEL = re.compile(
    r"^\s*(?:saksvurderinger|sakvurderinger|saksvurdering|vurdering(?:er)?|(?:kommunedirektørens|rådmannens|administrasjonens)\s+vurdering)\s*:?\s*$",
    re.I,
)
ATTENDANCE_LABEL = re.compile(r"^\s*\**\s*(?:til\s+stede|forfall|møtende\s+medlemmer)\b", re.I | re.M)


def detect_kind(text: str) -> str | None:
    lines = [line for line in text.splitlines() if line.strip()]
    head = lines[:12]
    if any(TREATMENT_HEADING.match(line) for line in lines[:3]) and not any(_MINUTES_TITLE.match(line) for line in head):
        return "saksprotokoll"
    treatments = sum(1 for line in lines if TREATMENT_HEADING.match(line))
    if any(_MINUTES_TITLE.match(line) for line in head) and (treatments or ATTENDANCE_LABEL.search(text)):
        return "møteprotokoll"
    if treatments >= 2 and ATTENDANCE_LABEL.search(text):
        return "møteprotokoll"
    labels = sum(1 for line in lines if PROPOSAL_LABEL.match(line))
    facts = any(FACTS_LABEL.match(line) or ASSESSMENT_LABEL.match(line) for line in lines)
    if labels and (any(_PAPER_TITLE.match(line) for line in head) or facts):
        return "saksframlegg"
    if any(_AGENDA_TITLE.match(line) for line in head):
        numbered = sum(1 for line in lines if (ids := find_case_ids(line[:20])) and line.lstrip()[:1].isalpha())
        if numbered >= 2 or (numbered and any(re.match(r"^\s*saks?liste\b", line, re.I) for line in lines)):
            return "agenda"
    return None
