"""English council vocabulary → the Norwegian words the archive uses.

English questions meet a Norwegian archive: the dense embedder is multilingual, but BM25 and the
evidence scorer match words. Appending the Norwegian terms for the council's own vocabulary
lets them match too. Only domain words belong here, not general translation.
"""
from __future__ import annotations

import re

EN_TO_NB: dict[str, str] = {
    "minutes": "referat referatet",
    "decided": "vedtatt vedtak",
    "decision": "vedtak",
    "decisions": "vedtak",
    "resolve": "vedtak vedtatt",
    "resolved": "vedtak vedtatt",
    "approved": "godkjennes godkjent",
    "approve": "godkjenne godkjennes",
    "meeting": "møte rådsmøte",
    "meetings": "møter rådsmøter",
    "council": "rådet",
    "case": "sak saken",
    "cases": "saker",
    "proposal": "forslag",
    "proposed": "forslag",
    "report": "rapport",
    "annual report": "årsrapport",
    "secretariat": "sekretariatet",
    "members": "medlemmer rådsmedlemmer",
    "member": "medlem rådsmedlem",
    "working group": "arbeidsgruppe arbeidsgruppen",
    "health data": "helsedata",
    "health registry": "helseregister",
    "registry data": "registerdata helseregisterdata",
    "research": "forskning",
    "innovation": "innovasjon",
    "health reform": "helsereform helsereformutvalget",
    "reform committee": "helsereformutvalget",
    "committee": "utvalg utvalget",
    "consultation": "høring høringssvar høringsinnspill",
    "consultation response": "høringssvar",
    "input": "innspill",
    "framework programme": "rammeprogram",
    "framework program": "rammeprogram",
    "competitiveness": "konkurranseevne konkurranseevnefond",
    "eu": "EU",
    "taken for information": "tas til orientering",
    "briefing": "orientering",
    "briefings": "orienteringer",
    "impartiality": "habilitet inhabilitet",
    "conflict of interest": "habilitet inhabilitet",
    "conflicts of interest": "habilitet inhabilitet",
    "mandate": "mandat mandatet",
    "action plan": "handlingsplan",
    "strategy": "strategi",
    "white paper": "melding stortingsmelding",
    "caseworkers": "saksbehandlere",
    "caseworker": "saksbehandler",
    "applicants": "søkere",
    "applicant": "søker",
    "privacy": "personvern",
    "data minimisation": "dataminimering",
    "data minimization": "dataminimering",
    "primary health care": "primærhelsetjenesten",
    "primary care": "primærhelsetjenesten",
    "municipalities": "kommuner kommunene",
    "municipal": "kommunal kommunesektoren",
    "round table": "rundebordsmøte",
    "roundtable": "rundebordsmøte",
    "seminar": "seminar",
    "artificial intelligence": "kunstig intelligens KI",
    "ai": "KI kunstig intelligens",
    "observers": "observatører",
    "observer": "observatør",
    "chair": "rådsleder leder",
    "deadline": "frist",
    "bottlenecks": "flaskehals flaskehalser",
    "bottleneck": "flaskehals",
    "foreword": "forord",
    "preface": "forord",
    "pilot": "pilot piloter",
    "procurement": "anskaffelser",
    "funding": "finansiering",
    "financing": "finansiering",
    "health industry": "helsenæring helsenæringen",
    "clinical trials": "kliniske studier",
    "attachment": "vedlegg",
    "attachments": "vedlegg",
    "agenda": "saksliste",
    "any other business": "eventuelt",
    "last meeting": "forrige møte",
}
_PATTERNS = sorted(EN_TO_NB, key=len, reverse=True)


def expand_query(question: str, lang: str) -> str:
    """The question plus the archive's Norwegian words for the English council terms it uses."""
    if lang != "en":
        return question
    lowered = question.lower()
    added: list[str] = []
    for phrase in _PATTERNS:
        if re.search(r"\b" + re.escape(phrase) + r"\b", lowered):
            added.append(EN_TO_NB[phrase])
            lowered = lowered.replace(phrase, " ")
    return f"{question} {' '.join(added)}" if added else question
