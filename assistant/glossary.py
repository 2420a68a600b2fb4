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

# Norwegian says one thing two ways: an abbreviation and its words, "på nett" and "digitalt".
NB_VARIANTS: dict[str, str] = {
    "ki": "kunstig intelligens",
    "kunstig intelligens": "KI",
    "på nett": "digitalt digital",
    "digitalt": "på nett",
    "hds": "Helsedataservice",
    "fhi": "Folkehelseinstituttet",
    "hod": "Helse- og omsorgsdepartementet",
    "ks": "kommunesektorens organisasjon",
}
_NB_PATTERNS = sorted(NB_VARIANTS, key=len, reverse=True)
# A split verb and its compound are the same word to a reader: "meldt seg på" = "påmeldt",
# "satt ned" = "nedsatt", "tatt opp" = "opptatt".
_PARTICLE_VERB = re.compile(
    r"\b(?:har|hadde|ble|blitt|blir|er|var|vart|vore|vært|være)\s+([a-zæøå]{3,})\s+(?:seg\s+|meg\s+|dei\s+|de\s+)?(på|av|inn|ut|opp|med|til|fra|frå|ned|over|fram|frem)\b", re.IGNORECASE
)
# "meldt", "tatt", "lagt", "vurdert" – not the definite nouns "seminaret", "møtet".
_PARTICIPLE = re.compile(r"(?:[^e]t|dd)$")


def expand_query(question: str, lang: str) -> str:
    """The question plus the archive's Norwegian words for the English council terms it uses."""
    if lang != "en":
        return _with_norwegian_variants(question)
    lowered = question.lower()
    added: list[str] = []
    for phrase in _PATTERNS:
        if re.search(r"\b" + re.escape(phrase) + r"\b", lowered):
            added.append(EN_TO_NB[phrase])
            lowered = lowered.replace(phrase, " ")
    return f"{question} {' '.join(added)}" if added else question


def _with_norwegian_variants(question: str) -> str:
    lowered = question.lower()
    added: list[str] = []
    for phrase in _NB_PATTERNS:
        if re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?!\w)", lowered):
            added.append(NB_VARIANTS[phrase])
    for match in _PARTICLE_VERB.finditer(question):
        verb, particle = match.group(1).lower(), match.group(2).lower()
        if _PARTICIPLE.search(verb):  # participles compound ("påmeldt"); finite verbs rarely do
            added.append(particle + verb)
    return f"{question} {' '.join(added)}" if added else question
