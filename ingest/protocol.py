"""One body's treatment of a case, read from a protocol the way a council secretary writes it.

    <Body>s behandling av sak N/YYYY i møte den DD.MM.YYYY:
    Behandling
    [1)] Innstilling: | Kommunedirektørens forslag til vedtak: | Forslag fremmet i møtet:   (proposals)
    [Dette ble satt opp mot:] [2)] Name (Party) fremmet følgende tilleggsforslag: …          (amendments)
    For forslaget stemte N: Name (P), … / Imot forslaget stemte M: … / For forslag 1 stemte …  (votes)
    Dermed ble forslaget [ikke] vedtatt[, med leders dobbeltstemme].  |  Enstemmig vedtatt.
    Vedtak | VEDTAK | Formannskapets vedtak: | Innstilling til kommunestyret:                  (decision)

Each vote is one "For … stemte" block (alternatives "For forslag 1 / For forslag 2" are one
vote between them) or one unanimous adoption; it concerns the proposals put forward since the
previous vote. The output uses the keys of the Kommunelys fasit (`voteringer`, `vedtak`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ingest.blocks import squash

_PROPOSER = re.compile(
    r"^(?P<name>[A-ZÆØÅ][\w.\-' ]{1,60}?)\s*(?:\((?P<party>[^)]{1,40})\))?\s+fremmet\s+(?:følgende|et|sitt|slikt)?\s*"
    r"(?P<type>tilleggsforslag|endringsforslag|alternative?\s+forslag|alternativt\s+forslag|oversendelsesforslag|utsettelsesforslag|forslag)\b[^:]*:?\s*(?P<rest>.*)$"
)
# Labels that open the administration's or the preparing body's proposal.
_RECOMMENDATION = re.compile(
    r"^(?:(?P<who>[\wæøåÆØÅ\-]+s)\s+)?(?P<label>innstilling|forslag\s+til\s+vedtak|forslag\s+til\s+innstilling)"
    r"(?:\s+(?:i|til)\s+[\wæøå\- ]{2,40})?\s*(?::\s*(?P<rest>.*)|$)$",
    re.IGNORECASE,
)
_MEETING_PROPOSAL = re.compile(r"^(?:forslag\s+(?:fremmet\s+)?i\s+møte[t]?|forslag\s+i\s+møtet)\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
_ALT_MARK = re.compile(r"^\s*(?P<n>\d)\)\s*$")
_SET_AGAINST = re.compile(r"^\s*dette\s+ble\s+satt\s+opp\s+mot\s*:?\s*$", re.IGNORECASE)
_VOTE_FOR = re.compile(r"^\s*for\s+(?:forslag(?:et)?|innstillingen)(?:\s+(?P<alt>\d+))?(?:\s*\([^)]{0,60}\))?\s+stemte\s+(?P<count>\d+)\s*:?\s*(?P<names>.*)$", re.IGNORECASE)
_VOTE_AGAINST = re.compile(r"^\s*(?:imot|mot)\s+(?:forslag(?:et)?|innstillingen)(?:\s+\d+)?(?:\s*\([^)]{0,60}\))?\s+stemte\s+(?P<count>\d+)\s*:?\s*(?P<names>.*)$", re.IGNORECASE)
_ABSENT = re.compile(r"^\s*ikke\s+til\s+stede\s*(?:\((?P<count>\d+)\))?\s*:?\s*(?P<names>.*)$", re.IGNORECASE)
_RESULT = re.compile(r"^\s*dermed\s+ble\s+(?P<what>.+?)\s+(?P<neg>ikke\s+)?vedtatt(?P<double>,?\s+med\s+(?P<who>\w+)s\s+dobbeltstemme)?\s*\.?\s*$", re.IGNORECASE)
_UNANIMOUS = re.compile(r"^(?P<what>.*?)\b(?:ble\s+)?enstemmig\s+vedtatt\b|^\s*vedtatt\s+enstemmig\b", re.IGNORECASE)
_AGAINST_VOTES = re.compile(r"\bvedtatt\s+(?:mot|med)\s+(?P<count>\d+)\s+(?:stemmer|mot\s*stemmer)", re.IGNORECASE)
DECISION_HEADING = re.compile(
    r"^\s*(?:(?:[\wæøåÆØÅ\-]+\s+){0,6}[\wæøåÆØÅ\-]+s\s+)?(?:vedtak|innstilling\s+til\s+[\wæøå ]{3,40})\s*:?\s*$", re.IGNORECASE
)
_NAME_PARTY = re.compile(r"(?P<name>[^,():;]+?)\s*\((?P<party>[^()]{1,30})\)")
_SECTION_WORDS = re.compile(r"^\s*(?:behandling|avstemning|votering|habilitetsvurdering)\s*:?\s*$", re.IGNORECASE)
# Party names proposers write in full, as the vote lists abbreviate them.
PARTY_CODES = {
    "arbeiderpartiet": "AP", "høyre": "H", "senterpartiet": "SP", "fremskrittspartiet": "FRP",
    "sosialistisk venstreparti": "SV", "kristelig folkeparti": "KRF", "venstre": "V", "rødt": "R",
    "miljøpartiet de grønne": "MDG", "pensjonistpartiet": "PP", "uavhengig": "UAVH", "industri- og næringspartiet": "INP",
    "pensj": "PP",
}


def party_code(party: str | None) -> str | None:
    if not party:
        return None
    text = squash(party)
    return PARTY_CODES.get(text.lower(), text.upper())


@dataclass
class Proposal:
    type: str  # innstilling, forslag, tilleggsforslag, endringsforslag, alternative forslag
    proposer: str | None = None
    party: str | None = None
    lines: list[str] = field(default_factory=list)
    alternative: int | None = None

    @property
    def text(self) -> str:
        return squash(" ".join(self.lines))


@dataclass
class Vote:
    case: str
    proposal: Proposal | None
    unanimous: bool = False
    count_for: int | None = None
    count_against: int = 0
    names_for: list[tuple[str, str]] = field(default_factory=list)
    names_against: list[tuple[str, str]] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    result: str | None = None  # vedtatt / falt
    result_text: str | None = None
    casting_vote: str | None = None
    kind: str | None = None  # type when no proposal text preceded the vote

    def as_fasit(self) -> dict[str, Any]:
        proposal = self.proposal
        names = self.names_for + self.names_against
        return {
            "saksnr": self.case,
            "forslagsstiller": proposal.proposer if proposal else None,
            "parti": proposal.party if proposal else None,
            "type": (proposal.type if proposal else self.kind) or "forslag",
            "tekst": proposal.text if proposal else "",
            "enstemmig": self.unanimous,
            "antall_for": self.count_for,
            "antall_mot": self.count_against,
            "for": [n for n, _ in self.names_for],
            "mot": [n for n, _ in self.names_against],
            "alternativer": [{k: v for k, v in alt.items() if not k.startswith("_")} for alt in self.alternatives],
            "ikke_til_stede": self.absent,
            "partier": {n: party_code(p) for n, p in names},
            "resultat": self.result or "vedtatt",
            "resultat_tekst": self.result_text,
            "dobbeltstemme": self.casting_vote,
            "tall_stemmer": self.count_for is None or len(self.names_for) in (0, self.count_for),
        }


@dataclass
class Treatment:
    case: str  # the case as the protocol names it, e.g. "PS 13/26" or "-"
    body: str | None = None
    date: str | None = None
    heading: str | None = None
    proposals: list[Proposal] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    decision: str | None = None
    decision_heading: str | None = None
    discussion: str = ""


def names_with_parties(text: str) -> list[tuple[str, str]]:
    return [(squash(m.group("name")).lstrip(". "), squash(m.group("party"))) for m in _NAME_PARTY.finditer(text)]


def parse_treatment(lines: list[str], case: str = "-", body: str | None = None, date: str | None = None) -> Treatment:
    """Read one treatment's lines (after its heading) into proposals, votes and the decision."""
    treatment = Treatment(case=case, body=body, date=date)
    decision_at = _decision_index(lines)
    body_lines = lines[:decision_at] if decision_at is not None else lines
    if decision_at is not None:
        treatment.decision_heading = lines[decision_at].strip()
        text = "\n".join(line.rstrip() for line in lines[decision_at + 1:])
        treatment.decision = squash(text) or None
    pending: list[Proposal] = []
    current: Proposal | None = None
    vote: Vote | None = None
    collecting: tuple[str, Vote] | None = None  # names of a vote list that wraps over lines
    alternative_mark: int | None = None
    discussion: list[str] = []

    def close_vote() -> None:
        nonlocal vote, pending, current
        if vote is not None:
            treatment.votes.append(vote)
            vote = None
            pending, current = [], None

    for raw in body_lines:
        line = raw.strip()
        if not line:
            collecting = None if collecting and collecting[0] != "open" else collecting
            continue
        if collecting and not _is_marker(line):
            target, owner = collecting
            _extend_names(owner, target, line)
            if line.endswith("."):
                collecting = None
            continue
        collecting = None
        if match := _VOTE_FOR.match(line):
            if vote is not None and (match.group("alt") is None or not vote.alternatives):
                close_vote()
            if vote is None:
                vote = Vote(case, _voted_proposal(pending, match.group("alt")))
            count = int(match.group("count"))
            if match.group("alt"):
                vote.count_for, vote.count_against = 0, 0
                vote.alternatives.append({"forslag": int(match.group("alt")), "antall": count, "navn": [], "partier": {}})
                _extend_names(vote, "alt", match.group("names"))
            else:
                vote.count_for = count
                _extend_names(vote, "for", match.group("names"))
            collecting = (("alt" if match.group("alt") else "for"), vote) if not match.group("names").rstrip().endswith(".") else None
            continue
        if (match := _VOTE_AGAINST.match(line)) and vote is not None:
            vote.count_against = int(match.group("count"))
            _extend_names(vote, "against", match.group("names"))
            collecting = ("against", vote) if not match.group("names").rstrip().endswith(".") else None
            continue
        if (match := _ABSENT.match(line)) and vote is not None:
            _extend_names(vote, "absent", match.group("names"))
            collecting = ("absent", vote) if not match.group("names").rstrip().endswith(".") else None
            continue
        if match := _RESULT.match(line):
            if vote is None:
                vote = Vote(case, pending[-1] if pending else None)
            vote.result = "falt" if match.group("neg") else "vedtatt"
            vote.result_text = squash(f"{match.group('what')} {'ikke ' if match.group('neg') else ''}vedtatt")
            vote.casting_vote = match.group("who").lower() if match.group("double") else None
            if vote.proposal is None:
                vote.kind = "innstilling" if "innstilling" in match.group("what").lower() else ("tilleggsforslag" if "tillegg" in match.group("what").lower() else "forslag")
            close_vote()
            continue
        if (match := _UNANIMOUS.match(line)) and not re.search(r"\berklært\b|\binhabil\b", line):
            close_vote()
            what = (match.group("what") or "").lower() if match.groupdict().get("what") else ""
            kind = "tilleggsforslag" if "tillegg" in what else ("innstilling" if "forslag til vedtak" in what or "innstilling" in what else "enstemmig")
            treatment.votes.append(Vote(case, None, unanimous=True, count_for=None, count_against=0, result="vedtatt", result_text="enstemmig vedtatt", kind=kind))
            pending, current = [], None
            if line.rstrip().endswith(":"):
                current = Proposal(kind)  # "Følgende omforente tilleggsforslag ble enstemmig vedtatt:" introduces its text
                treatment.proposals.append(current)
            continue
        if vote is not None:
            close_vote()
        if _ALT_MARK.match(line):
            alternative_mark = int(_ALT_MARK.match(line).group("n"))
            current = None
            continue
        if _SET_AGAINST.match(line) or _SECTION_WORDS.match(line):
            current = None if _SET_AGAINST.match(line) else current
            continue
        if match := _PROPOSER.match(line):
            kind = re.sub(r"\s+", " ", match.group("type").lower())
            kind = "alternative forslag" if kind.startswith("alternativ") else kind
            current = Proposal(kind, squash(match.group("name")), party_code(match.group("party")), [match.group("rest")] if match.group("rest") else [], alternative_mark)
            alternative_mark = None
            pending.append(current)
            treatment.proposals.append(current)
            continue
        if (match := _MEETING_PROPOSAL.match(line)) or (match := _RECOMMENDATION.match(line)):
            if current is not None and current.type == "innstilling" and not current.lines:
                current.lines.append(line)  # "Innstilling:" then "Kommunedirektørens forslag til vedtak:"
                continue
            kind = "forslag" if _MEETING_PROPOSAL.match(line) else "innstilling"
            current = Proposal(kind, None, None, [match.group("rest")] if match.group("rest") else [], alternative_mark)
            alternative_mark = None
            pending.append(current)
            treatment.proposals.append(current)
            continue
        if current is not None:
            current.lines.append(line)
        else:
            discussion.append(line)
    close_vote()
    treatment.discussion = "\n".join(discussion)
    return treatment


def _is_marker(line: str) -> bool:
    return bool(_VOTE_FOR.match(line) or _VOTE_AGAINST.match(line) or _ABSENT.match(line) or _RESULT.match(line) or _PROPOSER.match(line) or DECISION_HEADING.match(line))


def _voted_proposal(pending: list[Proposal], alternative: str | None) -> Proposal | None:
    if not pending:
        return None
    if alternative:
        marked = [p for p in pending if p.alternative == 1]
        return marked[0] if marked else pending[0]
    return pending[-1]


def _extend_names(vote: Vote, target: str, text: str) -> None:
    if target == "alt":
        entry = vote.alternatives[-1]
        found = names_with_parties(_carry(entry, text))
        entry["navn"].extend(n for n, _ in found)
        entry["partier"].update({n: party_code(p) for n, p in found})
        return
    if target == "absent":
        vote.absent.extend(n for n, _ in names_with_parties(text))
        return
    bucket = vote.names_for if target == "for" else vote.names_against
    bucket.extend(names_with_parties(_carry(vote, text, target)))


def _carry(owner: Any, text: str, target: str = "alt") -> str:
    """A name cut by a line end ("Randi" / "Haugskott (SP)") is rejoined with the next line."""
    key = f"_tail_{target}"
    tail = owner.get(key, "") if isinstance(owner, dict) else getattr(owner, key, "")
    joined = f"{tail} {text}".strip()
    last = joined.rfind(")")
    rest = joined[last + 1:].strip(" ,.") if last >= 0 else joined.strip(" ,.")
    if isinstance(owner, dict):
        owner[key] = rest
    else:
        object.__setattr__(owner, key, rest)
    return joined[: last + 1] if last >= 0 else ""


def _decision_index(lines: list[str]) -> int | None:
    """The last decision heading ("Vedtak", "VEDTAK", "Formannskapets vedtak:") of the treatment."""
    found = None
    for index, line in enumerate(lines):
        if DECISION_HEADING.match(line) and not _RESULT.match(line) and len(line.split()) <= 8:
            found = index
    return found
