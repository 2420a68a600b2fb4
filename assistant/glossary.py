"""English council vocabulary → the Norwegian words the archive uses.

English questions meet a Norwegian archive: the dense embedder is multilingual, but BM25 and the
evidence scorer match words. Appending the Norwegian terms for the council's own vocabulary
lets them match too. Only domain words belong here, not general translation.
"""
from __future__ import annotations

import re

# Grouped by subject. Within the dict, the first English phrase that lists a Norwegian word is
# the one english_terms() gives for it, so nouns come before the verbs that share their words.
EN_TO_NB: dict[str, tuple[str, ...]] = {
    # the council's documents and records
    "minutes": ("referat", "referatet", "protokoll"),
    "decision": ("vedtak", "vedtaket"),
    "decisions": ("vedtak", "vedtakene"),
    "decided": ("vedtatt", "vedtak", "besluttet"),
    "resolve": ("vedtak", "vedtatt"),
    "resolved": ("vedtak", "vedtatt"),
    "approved": ("godkjennes", "godkjent"),
    "approve": ("godkjenne", "godkjennes"),
    "proposal": ("forslag",),
    "proposed decision": ("forslag til vedtak",),
    "proposed": ("forslag", "foreslått"),
    "recommendation": ("anbefaling", "anbefalinger"),
    "annual report": ("årsrapport", "årsrapporten", "årsmelding"),
    "report": ("rapport", "rapporten"),
    "draft": ("utkast", "utkastet"),
    "case paper": ("saksfremlegg", "saksframlegg"),
    "input": ("innspill", "innspillet"),
    "consultation response": ("høringssvar",),
    "consultation": ("høring", "høringssvar", "høringsinnspill"),
    "submission": ("innspill", "høringssvar"),
    "mandate": ("mandat", "mandatet"),
    "terms of reference": ("mandat",),
    "action plan": ("handlingsplan", "handlingsplanen"),
    "strategy": ("strategi", "strategien"),
    "white paper": ("stortingsmelding", "melding"),
    "regulation": ("forordning", "forordningen", "forskrift"),
    "act": ("lov", "loven"),
    "amendment": ("endring", "endringer", "lovendring"),
    "guidance": ("veileder", "veiledning"),
    "guidelines": ("retningslinjer",),
    "overview": ("oversikt",),
    "summary": ("oppsummering", "sammendrag"),
    "foreword": ("forord",),
    "preface": ("forord",),
    "letter": ("brev",),
    "programme": ("program", "programmet"),
    "survey": ("kartlegging", "undersøkelse", "spørreundersøkelse"),
    "mapping": ("kartlegging",),
    "analysis": ("analyse",),
    "evaluation": ("evaluering",),
    "attachment": ("vedlegg",),
    "agenda": ("saksliste",),
    "any other business": ("eventuelt",),
    "taken for information": ("tas til orientering",),
    "briefing": ("orientering",),
    "title": ("tittel", "titler"),
    "topic": ("tema", "temaet"),
    "theme": ("tema",),
    # bodies and people
    "council": ("rådet",),
    "secretariat": ("sekretariatet",),
    "members": ("medlemmer", "rådsmedlemmer"),
    "member": ("medlem", "rådsmedlem"),
    "chair": ("rådsleder", "leder"),
    "deputy chair": ("nestleder",),
    "leader": ("leder",),
    "working group": ("arbeidsgruppe", "arbeidsgruppen"),
    "expert group": ("ekspertgruppe", "ekspertgruppen"),
    "reform committee": ("helsereformutvalget",),
    "committee": ("utvalg", "utvalget"),
    "board": ("styre", "styret"),
    "ministry": ("departement", "departementet"),
    "ministries": ("departementene",),
    "directorate": ("direktorat", "direktoratet"),
    "government": ("regjeringen",),
    "parliament": ("Stortinget",),
    "municipalities": ("kommuner", "kommunene"),
    "municipality": ("kommune", "kommunen"),
    "municipal": ("kommunal", "kommunesektoren"),
    "hospital": ("sykehus", "sykehuset"),
    "hospitals": ("sykehus", "sykehusene"),
    "health trust": ("helseforetak",),
    "health trusts": ("helseforetak", "helseforetakene"),
    "university": ("universitet",),
    "universities": ("universiteter", "universitetene"),
    "observers": ("observatører",),
    "observer": ("observatør",),
    "caseworkers": ("saksbehandlere",),
    "caseworker": ("saksbehandler",),
    "applicants": ("søkere",),
    "applicant": ("søker",),
    "patients": ("pasienter", "pasientene"),
    "patient": ("pasient",),
    "researchers": ("forskere",),
    "participants": ("deltakere",),
    "employees": ("ansatte",),
    "industry": ("næringsliv", "næringen"),
    "sector": ("sektor",),
    "sectors": ("sektorer",),
    "public sector": ("offentlig sektor",),
    "private sector": ("privat sektor",),
    # meetings and procedure
    "meeting": ("møte", "rådsmøte"),
    "meetings": ("møter", "rådsmøter"),
    "last meeting": ("forrige møte",),
    "next meeting": ("neste møte",),
    "case": ("sak", "saken"),
    "cases": ("saker",),
    "round table": ("rundebordsmøte",),
    "roundtable": ("rundebordsmøte",),
    "seminar": ("seminar",),
    "conference": ("konferanse",),
    "event": ("arrangement",),
    "deadline": ("frist",),
    "processing time": ("saksbehandlingstid",),
    "application": ("søknad",),
    "applications": ("søknader",),
    "follow-up": ("oppfølging",),
    "follow up": ("følge opp", "oppfølging"),
    "absent": ("forfall",),
    "absence": ("forfall",),
    "vote": ("avstemning",),
    "impartiality": ("habilitet", "inhabilitet"),
    "conflict of interest": ("habilitet", "inhabilitet"),
    "conflicts of interest": ("habilitet", "inhabilitet"),
    "responsibility": ("ansvar",),
    "task": ("oppgave",),
    "role": ("rolle",),
    "goal": ("mål",),
    "priority areas": ("satsingsområder",),
    "focus areas": ("satsingsområder",),
    "priorities": ("prioriteringer",),
    "prioritisation": ("prioritering",),
    "represented": ("representert",),
    "suggest": ("foreslår", "foreslått", "forslag"),
    "suggested": ("foreslått", "foreslo", "forslag"),
    "discussion": ("diskusjon", "diskutert", "drøfting"),
    "debate": ("debatt", "diskusjon", "diskutert"),
    "concerns": ("bekymringer", "bekymring", "motforestillinger"),
    "objections": ("motforestillinger", "innvendinger"),
    "director": ("direktør",),
    "chief executive": ("administrerende direktør",),
    "people": ("personer",),
    "persons": ("personer",),
    "data protection authority": ("Datatilsynet",),
    "tested": ("testet", "prøvd", "utprøvd"),
    "tried out": ("prøvd", "utprøvd", "testet"),
    "trial": ("utprøving",),
    # health, research and data
    "health data": ("helsedata",),
    "health registry": ("helseregister",),
    "health registries": ("helseregistre",),
    "registry data": ("registerdata", "helseregisterdata"),
    "registry": ("register",),
    "registries": ("registre",),
    "data sharing": ("datadeling",),
    "access": ("tilgang",),
    "disclosure": ("utlevering",),
    "privacy": ("personvern",),
    "data protection": ("personvern",),
    "consent": ("samtykke",),
    "microdata": ("mikrodata",),
    "infrastructure": ("infrastruktur",),
    "data minimisation": ("dataminimering",),
    "data minimization": ("dataminimering",),
    "research": ("forskning",),
    "researcher training": ("forskerutdanning",),
    "doctoral education": ("forskerutdanning",),
    "clinical trials": ("kliniske studier",),
    "clinical studies": ("kliniske studier",),
    "innovation": ("innovasjon",),
    "co-creation": ("samskaping",),
    "collaboration": ("samarbeid",),
    "cooperation": ("samarbeid",),
    "network": ("nettverk",),
    "health reform": ("helsereform", "helsereformutvalget"),
    "health industry": ("helsenæring", "helsenæringen"),
    "health technology": ("helseteknologi",),
    "technology": ("teknologi",),
    "artificial intelligence": ("kunstig intelligens", "KI"),
    "ai": ("KI", "kunstig intelligens"),
    "digitalisation": ("digitalisering",),
    "digitalization": ("digitalisering",),
    "public health": ("folkehelse",),
    "prevention": ("forebygging",),
    "primary health care": ("primærhelsetjenesten",),
    "primary care": ("primærhelsetjenesten",),
    "specialist health service": ("spesialisthelsetjenesten",),
    "health services": ("helsetjenesten", "helsetjenestene"),
    "care services": ("omsorgstjenestene",),
    "dementia": ("demens",),
    "preparedness": ("beredskap",),
    "nordic": ("nordisk",),
    "sustainability": ("bærekraft",),
    "inequality": ("ulikhet",),
    "climate": ("klima",),
    "quality": ("kvalitet",),
    "patient safety": ("pasientsikkerhet",),
    "waiting time": ("ventetid",),
    "bottlenecks": ("flaskehals", "flaskehalser"),
    "bottleneck": ("flaskehals",),
    "obstacles": ("hindringer", "barrierer", "flaskehalser"),
    "barriers": ("barrierer", "hindringer"),
    "measures": ("tiltak",),
    "improvement measures": ("forbedringstiltak",),
    "pilot": ("pilot", "piloter"),
    "planning": ("planlegging",),
    "surgery": ("kirurgi", "operasjon"),
    "operating theatre": ("operasjonsstue", "operasjon"),
    "competitiveness": ("konkurranseevne", "konkurranseevnefond"),
    "framework programme": ("rammeprogram",),
    "framework program": ("rammeprogram",),
    "eu": ("EU",),
    # money and markets
    "funding": ("finansiering",),
    "financing": ("finansiering",),
    "budget": ("budsjett",),
    "savings": ("besparelse", "besparelser", "innsparing"),
    "benefits": ("gevinster", "gevinst", "nytte"),
    "costs": ("kostnader",),
    "cost": ("kostnad",),
    "opportunity cost": ("alternativkostnad", "alternativkostnaden"),
    "investment": ("investering",),
    "investments": ("investeringer",),
    "procurement": ("anskaffelser", "anskaffelse"),
    "purchasing": ("innkjøp", "anskaffelser"),
    "buy": ("kjøpe", "kjøper", "innkjøp", "anskaffelser"),
    "framework agreement": ("rammeavtale",),
    "contract": ("kontrakt",),
    "market": ("marked",),
    "scaling": ("skalering", "oppskalering"),
    "scale up": ("skalere", "oppskalering"),
    "savings potential": ("gevinstpotensial", "besparelsespotensial"),
    "potential": ("potensial",),
    "yearly": ("årlig",),
    "annually": ("årlig",),
    "per year": ("årlig", "per år"),
    "fee": ("honorar", "godtgjørelse"),
    "grant": ("tilskudd",),
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


# Nynorsk and Bokmål spell one word two ways; the archive is (almost all) Bokmål. A Nynorsk
# question's words are looked for in their Bokmål spelling too, by the two standards' regular
# correspondences, not by a list of questions' words:
# - stems that differ by a sound change (nn "teneste" / nb "tjeneste", "sjuk"/"syk", "høyr"/"hør",
#   "løys"/"løs", "handsam"/"behandl") or by the word itself ("sjølv"/"selv", "innspel"/"innspill");
# - inflection endings (nn -ar/-ane plural, -inga definite, -a past participle and definite
#   plural, -leg/-heit/-ande/-ast derivations) → their Bokmål endings.
NN_STEMS: dict[str, str] = {
    "sjølv": "selv", "innspel": "innspill", "utgreiing": "utredning", "utgrei": "utred", "meint": "ment",
    "tidleg": "tidlig", "seinare": "senere", "mogleg": "mulig", "halde": "holde", "heldt": "holdt",
    "kome": "komme", "kjem": "kommer", "fekk": "fikk", "leiar": "leder", "leie": "lede", "leier": "leder",
    "høyr": "hør", "forsking": "forskning", "forskar": "forsker", "teneste": "tjeneste", "tenest": "tjenest",
    "verksemd": "virksomhet", "sjuk": "syk", "løys": "løs", "føretak": "foretak", "handsam": "behandl",
    "sakshandsam": "saksbehandl", "tilråding": "anbefaling", "framlegg": "forslag", "styresmakt": "myndighet",
    "fylgj": "følg", "følgj": "følg", "ifølgje": "ifølge", "utval": "utvalg", "noko": "noe", "nokon": "noen",
    "berre": "bare", "eigen": "egen", "eigne": "egne", "vere": "være", "vore": "vært", "byrj": "begynn",
    "ynskj": "ønsk", "ønskj": "ønsk", "gjev": "gir", "seier": "sier", "skreiv": "skrev", "lese": "lest",
}


def _stem_applies(nynorsk: str, word: str) -> bool:
    """A long stem anywhere in a compound; a short one only where the word starts, since inside
    a longer word it is mostly a different word ("leie" in "tilleie")."""
    return word.startswith(nynorsk) if len(nynorsk) < 5 else nynorsk in word
_NN_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("arane", ("erne", "ene")), ("arar", ("ere",)), ("ingane", ("ingene",)), ("inga", ("ingen", "ing")),
    ("legare", ("ligere",)), ("lege", ("lige",)), ("leg", ("lig",)), ("heiter", ("heter",)), ("heita", ("heten",)), ("heit", ("het",)),
    ("ande", ("ende",)), ("ast", ("es",)), ("ane", ("ene",)), ("ar", ("er",)), ("a", ("et", "en", "ene", "e")),
)


def bokmal_variants(word: str) -> set[str]:
    """The Bokmål spellings a Nynorsk word may have (empty when no correspondence applies)."""
    word = word.lower()
    stems = {word}
    for nynorsk, bokmal in NN_STEMS.items():
        if _stem_applies(nynorsk, word):
            stems.add(word.replace(nynorsk, bokmal, 1))
    variants = set(stems)
    for stem in stems:
        for ending, replacements in _NN_ENDINGS:
            if stem.endswith(ending) and len(stem) - len(ending) >= 3:
                variants.update(stem[: -len(ending)] + r for r in replacements)
                break
    variants.discard(word)
    return variants


def english_terms(word: str) -> str:
    """The English for a Norwegian council word the glossary knows ("personvern" → "privacy";
    inflected forms too: "arbeidsgruppen"), or "" when it knows none."""
    word = word.lower().strip(".,;:!?«»()\"'")
    if word in NB_TO_EN:
        return NB_TO_EN[word]
    for ending in ("ene", "en", "et", "er", "a", "e", "s"):
        if word.endswith(ending) and word[: -len(ending)] in NB_TO_EN:
            return NB_TO_EN[word[: -len(ending)]]
    return ""


def _inverse() -> dict[str, str]:
    inverse: dict[str, str] = {}
    for english, norwegian in EN_TO_NB.items():
        for word in norwegian:
            # Single words only: a phrase's words ("kunstig" in "kunstig intelligens") are not it.
            if len(word) >= 4 and " " not in word:
                inverse.setdefault(word.lower(), english)
    return inverse


NB_TO_EN = _inverse()


def expand_query(question: str, lang: str, vocabulary: set[str] | None = None) -> str:
    """The question plus the archive's Norwegian words for the English council terms it uses;
    for Nynorsk, the Bokmål spellings of its words (those the archive uses, given its
    `vocabulary` of lower-case words)."""
    if lang != "en":
        expanded = _with_norwegian_variants(question)
        if lang == "nn":
            expanded = _with_bokmal_stems(expanded, vocabulary)
        return expanded
    added = [word for phrase in english_phrases(question) for word in EN_TO_NB[phrase]]
    return f"{question} {' '.join(added)}" if added else question


def english_phrases(text: str) -> list[str]:
    """The glossary's English phrases in the text, longest first, each word counted once."""
    lowered = text.lower().replace("-", " ")  # "operating-theatre" is "operating theatre"
    found: list[str] = []
    for phrase in _PATTERNS:
        # An English plural ("roundtables", "sectors") is the same council term.
        pattern = r"\b" + re.escape(phrase) + r"(?:s|es)?\b"
        if re.search(pattern, lowered):
            found.append(phrase)
            lowered = re.sub(pattern, " ", lowered)
    return found


def _with_bokmal_stems(question: str, vocabulary: set[str] | None) -> str:
    """A Nynorsk word the archive never uses, in the Bokmål spellings it does use; without the
    archive's vocabulary, only the stem correspondences (endings alone are for the stemmer, which
    already folds most Nynorsk endings)."""
    added: list[str] = []
    for word in re.findall(r"[a-zæøå]{4,}", question.lower()):
        if vocabulary is not None:
            if word not in vocabulary:
                added.extend(sorted(v for v in _loose_variants(word) if v in vocabulary))
            continue
        for nynorsk, bokmal in NN_STEMS.items():
            if _stem_applies(nynorsk, word):
                added.append(word.replace(nynorsk, bokmal, 1))
                break
    return f"{question} {' '.join(dict.fromkeys(added))}" if added else question


# Vowel correspondences (nn "verkar"/nb "virker", "meint"/"ment", "høyre"/"høre", "auke"/"øke")
# and the Bokmål plural a Nynorsk neuter noun does without ("prosjekt" → "prosjekter"). Too
# loose to trust alone: they count only where the archive uses the word they produce.
_NN_SOUNDS = (("verk", "virk"), ("ei", "e"), ("øy", "ø"), ("au", "ø"))
_BOKMAL_ENDINGS = ("er", "ene", "et", "en")


def _loose_variants(word: str) -> set[str]:
    forms = {word} | bokmal_variants(word)
    for nynorsk, bokmal in _NN_SOUNDS:
        forms |= {f.replace(nynorsk, bokmal, 1) for f in forms if nynorsk in f}
    forms |= {f + ending for f in list(forms) for ending in _BOKMAL_ENDINGS}
    forms |= {v for f in list(forms) for v in bokmal_variants(f)}
    forms.discard(word)
    return forms


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
