"""Clearly synthetic Norwegian meeting bundles, for load testing only.

Every bundle is one Markdown file shaped like the council's real bundles (front matter, agenda,
case papers with Til/Saksbehandler/Vedlegg/Fra and Bakgrunn/Hovedpunkter/Forslag til vedtak,
minutes of the previous meeting with Vedtak), filled from templates and word lists. Nothing in
them is true: the council is the fictitious "Testrådet for helse og omsorg", the years are 2041
and later, and every bundle opens and closes with the marker below.

Deterministic: bundle i of seed s is the same text whatever N is, so the N=5 archive is the
first five bundles of the N=50 one. A bundle's minutes decide the cases of the bundle before it
(same numbers and titles), as real minutes do, so the case register merges paper and decision.

    paths = write_archive(Path("/tmp/arkiv"), n=20, seed=7)
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

MARKER = "SYNTETISK TESTDOKUMENT – kun for lasttesting"
COUNCIL = "Testrådet for helse og omsorg"
FIRST_YEAR = 2041
MEETINGS_PER_YEAR = 6
DEFAULT_SEED = 2041
DEFAULT_CASES = 3  # per bundle: one standard case plus two topical ones (~900 content tokens)

MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"]
MEETING_MONTHS = [1, 3, 4, 6, 9, 11]
WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag"]

FIRST_NAMES = [
    "Kari", "Ola", "Ingrid", "Per", "Marit", "Knut", "Siri", "Lars", "Hilde", "Tor", "Anne", "Jon",
    "Solveig", "Geir", "Liv", "Bjørn", "Ragnhild", "Eirik", "Tone", "Arne", "Nina", "Odd", "Astrid", "Rune",
]
SURNAMES = [
    "Nordmann", "Testesen", "Prøvestad", "Eksempelvik", "Fiktivsen", "Modellund", "Utkastberg", "Skissebakken",
    "Mønsterud", "Plassholder", "Dummyrud", "Syntesen", "Malvik-Test", "Øvingsdal", "Simulansen", "Prototun",
]
ORGANISATIONS = [
    "Testkommune Nord", "Øvingssykehuset Vest", "Fiktivt helseforetak Sør", "Syntetisk pasientforbund",
    "Prøveuniversitetet i Midt", "Modellforeningen for fastleger", "Testdirektoratet for e-helse",
    "Eksempelbyen legevakt", "Simuleringsinstituttet", "Øvelsesnettverket for sykepleie",
]
ACTORS = [
    "kommunene", "sykehusene", "fastlegene", "pasientorganisasjonene", "forskningsmiljøene", "sekretariatet",
    "arbeidsgruppen", "departementet", "helseforetakene", "næringslivet", "brukerrådet", "tannhelsetjenesten",
    "legemiddelindustrien", "universitetene", "de regionale sentrene", "helsestasjonene",
]
TOPICS = [
    "helsedata", "legemiddelforsyning", "kunstig intelligens i diagnostikk", "kliniske studier", "rekruttering av helsepersonell",
    "digital hjemmeoppfølging", "persontilpasset medisin", "folkehelse blant unge", "beredskap for pandemier",
    "samhandling mellom nivåene", "innovasjon i omsorgstjenesten", "pasientsikkerhet", "psykisk helse i skolen",
    "helseregistre", "velferdsteknologi", "antibiotikaresistens", "rusomsorg", "eldreomsorg i distriktene",
    "tannhelse", "e-resepter", "screeningprogrammer", "forebygging av livsstilssykdommer",
]
MEASURES = [
    "en nasjonal handlingsplan", "et pilotprosjekt", "en felles veileder", "et kompetanseprogram", "en ny tilskuddsordning",
    "et kunnskapsgrunnlag", "en samarbeidsavtale", "en evaluering", "et høringsinnspill", "en statusrapport",
    "et innspill til budsjettet", "en felles datainfrastruktur", "en digital plattform", "et forskningsprogram",
]
PREFIXES = [
    "helse", "data", "pasient", "omsorg", "forsknings", "kvalitets", "tjeneste", "kompetanse", "innovasjons",
    "samhandlings", "beredskaps", "register", "legemiddel", "behandlings", "rehabiliterings", "bemannings",
    "finansierings", "personvern", "tilgangs", "oppfølgings",
]
SUFFIXES = [
    "plan", "strategi", "analyse", "modell", "portal", "løsning", "ordning", "utvalg", "rapport", "forum",
    "nettverk", "kartlegging", "satsing", "standard", "register", "program", "tiltak", "vurdering", "system", "prosjekt",
]
VERBS_PAST = ["pekte på", "understreket", "etterlyste", "vektla", "stilte spørsmål ved", "fremhevet", "drøftet", "anbefalte"]
QUALITIES = ["bedre", "raskere", "tryggere", "mer helhetlig", "mer forutsigbar", "billigere", "mer rettferdig", "mer treffsikker"]

BACKGROUND = [
    "{Actor} har over tid meldt om utfordringer knyttet til {topic}, særlig når det gjelder {compound}.",
    "I {year} ble det satt av {amount} millioner kroner til {measure} om {topic}.",
    "Rådet behandlet {topic} første gang i sak {ref}, og ba da sekretariatet følge opp {compound}.",
    "Erfaringer fra {org} viser at {compound} kan gjøre tjenestene {quality} for brukerne.",
    "{Actor} og {actor} har ulike syn på hvordan {compound} bør organiseres.",
    "Saken bygger på en kartlegging blant {number} virksomheter, utført av {org}.",
    "Tallene viser at andelen som venter mer enn {number} dager, har økt med {percent} prosent siden {year}.",
    "{Person} fra {org} har ledet arbeidet med {measure} om {topic}.",
]
MAIN_POINTS = [
    "Sekretariatet foreslår at rådet prioriterer {compound} i arbeidet med {topic}.",
    "Et viktig spørsmål er om {actor} skal få et tydeligere ansvar for {compound}.",
    "Arbeidsgruppen anbefaler {measure} med frist {date}.",
    "Det bør vurderes om {compound} kan kobles til eksisterende {compound2}.",
    "Rådet bes drøfte hvilke krav som bør stilles til {actor} når det gjelder {topic}.",
    "Kostnaden er anslått til {amount} millioner kroner over {years} år.",
    "Flere høringsinstanser mener at {topic} krever {measure} før {future}.",
    "Forslaget vil gjøre {compound} {quality} og redusere behovet for dobbeltarbeid.",
]
PROPOSALS = [
    "Rådet slutter seg til {measure} om {topic} og ber sekretariatet følge opp.",
    "Rådet tar statusrapporten om {topic} til orientering.",
    "Rådet ber arbeidsgruppen utarbeide {measure} om {compound} til neste møte.",
    "Rådet gir innspill om {topic} i tråd med drøftingene i møtet.",
]
DISCUSSION = [
    "Rådet {verb} behovet for {compound} og mente {actor} må involveres tidlig.",
    "{Person} orienterte om arbeidet med {topic}, og rådet diskuterte særlig {compound}.",
    "Flere av rådets medlemmer {verb} at {topic} må sees i sammenheng med {compound2}.",
    "Det ble stilt spørsmål ved om {measure} er tilstrekkelig for å gjøre {compound} {quality}.",
    "Rådet var opptatt av at {actor} får tilgang til {compound} innen {date}.",
]
DECISIONS = [
    "Rådet slutter seg til forslaget om {measure} og ber sekretariatet følge opp {compound}.",
    "Tas til orientering.",
    "Rådet ber sekretariatet utarbeide et utkast til innspill om {topic} innen {date}.",
    "Saken utsettes til neste møte, der {actor} inviteres til å orientere.",
    "Rådet gir sin tilslutning til {measure}, med de endringene som kom frem i møtet.",
]
ATTACHMENTS = ["Notat om {compound}", "Utkast til {measure}", "Presentasjon fra {org}", "Statistikk om {topic}"]
STANDARD_CASES = [
    ("Godkjenning av innkalling og saksliste", "Innkalling og saksliste legges frem for godkjenning.", "Innkalling og saksliste godkjennes."),
    ("Spørsmål om habilitet", "Rådet bes om å vurdere sin habilitet for sakene i møtet.", "Det er ikke knyttet inhabilitet til sakene på rådsmøtet."),
]
TOPICAL_TITLES = ["{Measure} om {topic}", "Status for {topic}", "Innspill om {compound}", "{Compound} – veien videre", "Oppfølging av {topic}"]


@dataclass
class CasePlan:
    number: int
    meeting: int
    year: int
    title: str
    topic: str
    standard: int | None = None  # index into STANDARD_CASES

    @property
    def id(self) -> str:
        return f"{self.number}/{self.meeting}/{self.year}"


def meeting_of(index: int) -> tuple[int, int]:
    """(meeting number, year) of bundle `index`; bundle -1 is the meeting before the first."""
    year = FIRST_YEAR + index // MEETINGS_PER_YEAR
    return index % MEETINGS_PER_YEAR + 1, year


def meeting_date(index: int) -> tuple[int, int, int]:
    meeting, year = meeting_of(index)
    rng = random.Random(f"date-{index}")
    return year, MEETING_MONTHS[meeting - 1], rng.randint(3, 26)


class _Filler:
    """Fills templates with words from the lists above, from one seeded random stream."""

    def __init__(self, rng: random.Random, year: int):
        self.rng = rng
        self.year = year

    def pick(self, items):
        return self.rng.choice(items)

    def person(self) -> str:
        return f"{self.pick(FIRST_NAMES)} {self.pick(SURNAMES)}"

    def compound(self) -> str:
        return self.pick(PREFIXES) + self.pick(SUFFIXES)

    def date(self) -> str:
        return f"{self.rng.randint(1, 28)}. {self.pick(MONTHS)} {self.year + self.rng.randint(0, 1)}"

    def fill(self, template: str, topic: str | None = None) -> str:
        actor, actor2 = self.rng.sample(ACTORS, 2)
        values = {
            "actor": actor, "Actor": actor[0].upper() + actor[1:], "topic": topic or self.pick(TOPICS),
            "compound": self.compound(), "compound2": self.compound(), "measure": self.pick(MEASURES),
            "org": self.pick(ORGANISATIONS), "quality": self.pick(QUALITIES), "verb": self.pick(VERBS_PAST),
            "person": self.person(), "Person": self.person(), "year": str(self.year - self.rng.randint(1, 4)),
            "amount": str(self.rng.randint(2, 480)), "number": str(self.rng.randint(3, 90)),
            "percent": str(self.rng.randint(2, 45)), "date": self.date(),
            "years": str(self.rng.randint(2, 10)), "future": str(self.year + self.rng.randint(1, 6)),
            "ref": f"{self.rng.randint(3, 30)}/{self.rng.randint(1, MEETINGS_PER_YEAR)}/{self.year - 1}",
        }
        values["Measure"] = values["measure"][0].upper() + values["measure"][1:]
        values["Compound"] = values["compound"][0].upper() + values["compound"][1:]
        if template.count("{actor}") and "{Actor}" in template:
            values["actor"] = actor2
        return template.format(**values)

    def sentences(self, templates: list[str], count: int, topic: str) -> list[str]:
        return [self.fill(t, topic) for t in self.rng.sample(templates, count)]


def case_plan(index: int, seed: int = DEFAULT_SEED, cases: int = DEFAULT_CASES) -> list[CasePlan]:
    """The agenda of bundle `index`: one standard case, then topical ones, numbered within the year."""
    meeting, year = meeting_of(index)
    rng = random.Random(f"{seed}-plan-{index}")
    filler = _Filler(rng, year)
    first = (meeting - 1) * cases + 1
    standard = rng.randrange(len(STANDARD_CASES))
    plans = [CasePlan(first, meeting, year, STANDARD_CASES[standard][0], "", standard)]
    for offset, topic in enumerate(rng.sample(TOPICS, cases - 1), start=1):
        title = filler.fill(rng.choice(TOPICAL_TITLES), topic)
        plans.append(CasePlan(first + offset, meeting, year, title, topic))
    return plans


def bundle_markdown(index: int, seed: int = DEFAULT_SEED, cases: int = DEFAULT_CASES) -> str:
    """Bundle `index` as Markdown: front matter, agenda, case papers, previous meeting's minutes."""
    meeting, year = meeting_of(index)
    _, month, day = meeting_date(index)
    rng = random.Random(f"{seed}-text-{index}")
    filler = _Filler(rng, year)
    plans = case_plan(index, seed, cases)
    lines: list[str] = [f"{MARKER}. Alt innhold er oppdiktet.", "", f"## {COUNCIL} (syntetisk)", ""]
    lines += [f"Dato {day}. {MONTHS[month - 1]} {year}, kl. 10.00 – 15.00", "", f"Sted {filler.pick(ORGANISATIONS)}, møterom {filler.pick(SURNAMES)}", "", "---", ""]
    for plan in plans:
        lines += [f"Sak {plan.id} {plan.title}", ""]
    for plan in plans:
        lines += _case_paper(plan, filler)
    lines += _minutes(index - 1, seed, cases, filler)
    lines += ["---", "", f"*{MARKER}. Alle navn, tall og saker er oppdiktet.*", ""]
    return "\n".join(lines)


def _case_paper(plan: CasePlan, filler: _Filler) -> list[str]:
    attachment = filler.fill(filler.pick(ATTACHMENTS), plan.topic or None) if plan.standard is None else ""
    lines = ["Saksfremlegg", "", f"## Sak {plan.id}", "", f"# {plan.title}", ""]
    lines += ["**Til**", COUNCIL, "", "**Saksbehandler**", filler.person(), "", "**Vedlegg**"]
    lines += ([f"1. {attachment}"] if attachment else []) + ["", "**Fra**", filler.person(), "", "---", ""]
    if plan.standard is not None:
        _, why, proposal = STANDARD_CASES[plan.standard]
        lines += ["### Hvorfor saken fremmes til dette møtet", "", why, "", "### Forslag til vedtak", "", f"*{proposal}*", ""]
        return lines
    lines += ["### Bakgrunn", "", " ".join(filler.sentences(BACKGROUND, 3, plan.topic)), ""]
    lines += ["### Hovedpunkter", ""]
    points = filler.sentences(MAIN_POINTS, 3, plan.topic)
    lines += ([f"- {point}" for point in points] if filler.rng.random() < 0.4 else [" ".join(points)]) + [""]
    lines += ["### Forslag til vedtak", "", f"*{filler.fill(filler.pick(PROPOSALS), plan.topic)}*", ""]
    return lines


def _minutes(previous: int, seed: int, cases: int, filler: _Filler) -> list[str]:
    """Minutes of bundle `previous`'s meeting, deciding the cases on its agenda."""
    meeting, year = meeting_of(previous)  # bundle -1 is meeting 6 of the year before the first
    _, month, day = meeting_date(previous)
    plans = case_plan(previous, seed, cases)
    weekday = filler.pick(WEEKDAYS)
    lines = [f"# {COUNCIL}, referat møte {meeting}/{year}", "", "**Dato**", "", f"{weekday} {day}. {MONTHS[month - 1]} {year}", ""]
    lines += ["**Til stede**", ""] + [f"{filler.person()}, {filler.pick(ORGANISATIONS)}" for _ in range(4)] + ["", "---", ""]
    for plan in plans:
        lines += [f"**Sak {plan.id}****{plan.title}**", ""]
        if plan.standard is not None:
            lines += ["Ingen merknader.", "", "Vedtak", "", f"*{STANDARD_CASES[plan.standard][2]}*", "", "---", ""]
            continue
        lines += [" ".join(filler.sentences(DISCUSSION, 2, plan.topic)), ""]
        lines += ["Vedtak", "", f"*{filler.fill(filler.pick(DECISIONS), plan.topic)}*", "", "---", ""]
    return lines


def bundle_name(index: int) -> str:
    meeting, year = meeting_of(index)
    return f"syntetisk-testrad-mote-{meeting}-{year}"


def write_archive(target: Path, n: int, seed: int = DEFAULT_SEED, cases: int = DEFAULT_CASES) -> list[Path]:
    """Write bundles 0..n-1 (with .meta.json sidecars and a README saying what they are)."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    (target / "README.md").write_text(
        f"# {MARKER}\n\nDette arkivet er generert av `evals/bench/synthetic.py` (seed {seed}) for å måle "
        "innlesing og søk. Alt innhold er oppdiktet og skal aldri leses inn i et ekte arkiv.\n",
        encoding="utf-8",
    )
    paths = []
    for index in range(n):
        year, month, day = meeting_date(index)
        meeting, _ = meeting_of(index)
        path = target / f"{bundle_name(index)}.md"
        path.write_text(bundle_markdown(index, seed, cases), encoding="utf-8")
        meta = {
            "title": f"{MARKER} – {COUNCIL}, møte {meeting}/{year}",
            "date": f"{year:04d}-{month:02d}-{day:02d}",
            "doc_type": "motepapirer",
            "access": "public",
        }
        Path(f"{path}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        paths.append(path)
    return paths


# ---- words for synthetic query text ------------------------------------------------------------

QUESTION_TEMPLATES = [
    "Hva har rådet vedtatt om {topic}?",
    "Hva mener rådet om {compound}?",
    "Hvem har ansvar for {compound} i arbeidet med {topic}?",
    "Hva sa {actor} om {topic}?",
    "Hvilke tiltak foreslås for {topic}?",
    "Hva koster {measure} om {topic}?",
    "Når skal {measure} om {compound} være ferdig?",
    "Hva er status for {topic} og {compound}?",
]


def questions(count: int, seed: int = DEFAULT_SEED) -> list[str]:
    """`count` distinct questions in the archive's vocabulary (distinct, so no cache answers them)."""
    rng = random.Random(f"{seed}-questions")
    filler = _Filler(rng, FIRST_YEAR + 2)
    seen: list[str] = []
    for _ in range(count * 50):
        question = filler.fill(rng.choice(QUESTION_TEMPLATES))
        if question not in seen:
            seen.append(question)
        if len(seen) == count:
            break
    return seen


def filler_sentences(rng: random.Random, count: int, year: int = FIRST_YEAR) -> list[str]:
    """Loose sentences from the paper and minutes templates (for synthetic chunk text)."""
    filler = _Filler(rng, year)
    pool = BACKGROUND + MAIN_POINTS + DISCUSSION
    return [filler.fill(rng.choice(pool)) for _ in range(count)]
