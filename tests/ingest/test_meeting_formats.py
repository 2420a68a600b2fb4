"""Meeting formats beyond the 2026 papers: a 2017-style council bundle ("Møte i
HelseOmsorg21-rådet (01/17)", "Sak 01/17 …"), municipal protocols and case papers, the
case-number grammar and attendance. The bundles are written here for the tests; none is taken
from a corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.attendance import parse_attendance
from ingest.kinds import detect_kind
from ingest.models import DocumentMeta
from ingest.municipal import parse_text
from ingest.numbering import find_archive_references, find_case_ids, parse_case_id
from ingest.readers import read_document
from ingest.structure import parse_document

BUNDLE_2017 = """# Møte i HelseOmsorg21-rådet (01/17)

**Dato** 8. februar 2017

**Saksliste**

Sak 01/17 Godkjenning av innkalling og saksliste

Sak 02/17 Referat fra møte 04/16

Sak 03/17 Handlingsplan for helsedata

---

**Sak 01/17 Godkjenning av innkalling og saksliste**

**Til** Rådet **Fra** Sekretariatet

**Forslag til vedtak**

Innkalling og saksliste godkjennes.

---

**Sak 02/17 Referat fra møte 04/16**

**Til** Rådet **Fra** Sekretariatet

**Forslag til vedtak**

Referatet godkjennes.

---

**Sak 03/17 Handlingsplan for helsedata**

**Til** Rådet **Fra** Sekretariatet

**Bakgrunn**

Rådet har bedt sekretariatet om et utkast til handlingsplan for deling av helsedata mellom sektorene.

**Forslag til vedtak**

Rådet slutter seg til utkastet til handlingsplan for helsedata.

---

# Referat fra møte i HelseOmsorg21-rådet (04/16)

**Til stede**

Kari Nordmann, Universitetet i Tromsø
Ola Hansen, Helse Nord (t.o.m. sak 27/16)

**Forfall**

Per Olsen, KS

**Sak 26/16 Godkjenning av innkalling**

Vedtak

Innkallingen godkjennes.

**Sak 27/16 Strategi for kliniske studier**

Rådet diskuterte strategien.

Vedtak

Rådet støtter strategien med de endringer som kom fram i møtet.
"""

MUNICIPAL_PROTOCOL = """Møteprotokoll

Utvalg:     Bystyret
Møtested:   Rådhuset
Dato:       14.04.2027

Til stede:
Navn                            Funksjon        Parti   Møtte for
Anne Aas                        ordfører        AP
Bjørn Berg                      medlem          H
Cecilie Dahl                    varamedlem      SV      Dag Evensen

Forfall:
Dag Evensen (SV)

Saksliste

Saksnr.     Tittel
PS 21/27    Budsjettjustering 2027
PS 22/27    Ny barnehage i Nordbyen

PS 21/27 Budsjettjustering 2027
Bystyrets behandling av sak 21/2027 i møte den 14.04.2027:

Behandling
Innstilling:
Budsjettet justeres som foreslått av kommunedirektøren.

Bjørn Berg (Høyre) fremmet følgende tilleggsforslag:
Eiendomsskatten skal ikke økes.

For forslaget stemte 1: Bjørn Berg (H).
Imot forslaget stemte 2: Anne Aas (AP), Cecilie Dahl (SV).
Dermed ble tilleggsforslag ikke vedtatt.

Innstillingen ble enstemmig vedtatt.

VEDTAK
Budsjettet justeres som foreslått av kommunedirektøren.

PS 22/27 Ny barnehage i Nordbyen
Bystyrets behandling av sak 22/2027 i møte den 14.04.2027:

Behandling
Innstilling:
Bystyret vedtar å bygge ny barnehage i Nordbyen.

For forslaget stemte 2: Anne Aas (AP), Cecilie Dahl (SV).
Imot forslaget stemte 1: Bjørn Berg (H).
Dermed ble innstillingen vedtatt.

VEDTAK
Bystyret vedtar å bygge ny barnehage i Nordbyen.
"""


def _parse_markdown(tmp_path: Path, text: str, name: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_document(read_document(path), DocumentMeta(), path.stem)


def test_2017_bundle_parses_into_its_cases(tmp_path):
    parsed = _parse_markdown(tmp_path, BUNDLE_2017, "ho21-mote-1-2017.md")
    papers = {c.number: c for c in parsed.cases if c.source == "saksfremlegg"}
    assert set(papers) == {"1/1/2017", "2/1/2017", "3/1/2017"}
    assert papers["3/1/2017"].literal_number == "03/17"
    assert papers["3/1/2017"].title == "Handlingsplan for helsedata"
    assert papers["3/1/2017"].proposal == "Rådet slutter seg til utkastet til handlingsplan for helsedata."
    assert papers["1/1/2017"].resolution_note is None
    minutes = {c.number: c for c in parsed.cases if c.source == "referat"}
    assert set(minutes) == {"26/4/2016", "27/4/2016"}
    assert minutes["27/4/2016"].decision == "Rådet støtter strategien med de endringer som kom fram i møtet."
    people = {(a["name"], a["role"], a["meeting"]) for a in parsed.attendance}
    assert ("Kari Nordmann", "present", "4/2016") in people and ("Per Olsen", "absent", "4/2016") in people
    ola = next(a for a in parsed.attendance if a["name"] == "Ola Hansen")
    assert ola["to_case"] == "27/16"


def test_municipal_protocol_parses_cases_votes_and_attendance(tmp_path):
    path = tmp_path / "bystyret-2027-04-14.txt"
    path.write_text(MUNICIPAL_PROTOCOL, encoding="utf-8")
    parsed = parse_document(read_document(path), DocumentMeta(), path.stem)
    assert parsed.kind == "møteprotokoll"
    assert [c.number for c in parsed.cases] == ["PS 21/2027 (Bystyret)", "PS 22/2027 (Bystyret)"]
    first, second = parsed.treatments
    assert [p["type"] for p in first["proposals"]] == ["innstilling", "tilleggsforslag"]
    amendment = first["proposals"][1]
    assert (amendment["proposer"], amendment["party"]) == ("Bjørn Berg", "H")
    assert [(v["antall_for"], v["antall_mot"], v["enstemmig"], v["resultat"]) for v in first["votes"]] == [(1, 2, False, "falt"), (None, 0, True, "vedtatt")]
    assert second["votes"][0]["mot"] == ["Bjørn Berg"]
    assert first["decision"] == "Budsjettet justeres som foreslått av kommunedirektøren."
    roles = {(a["name"], a["role"], a["substitute_for"]) for a in parsed.attendance}
    assert roles == {("Anne Aas", "present", None), ("Bjørn Berg", "present", None),
                     ("Cecilie Dahl", "substitute", "Dag Evensen"), ("Dag Evensen", "absent", None)}


@pytest.mark.parametrize(("text", "expected"), [
    ("Sak 01/17 Godkjenning", [("SAK", 1, 2017, None)]),
    ("sak 7/1-2026", [("SAK", 7, 2026, 1)]),
    ("SAK 001/15", [("SAK", 1, 2015, None)]),
    ("Sak 02/2015", [("SAK", 2, 2015, None)]),
    ("PS 6/26 Referatsaker", [("PS", 6, 2026, None)]),
    ("RS 4/26     Møteprotokoll", [("RS", 4, 2026, None)]),
    ("FO 2/26 Interpellasjon", [("FO", 2, 2026, None)]),
    ("Oversendelsesforslag FO 2-2025 i Plan- og utviklingsutvalget", [("FO", 2, 2025, None)]),
    ("Utvalgssak 26/26", [("SAK", 26, 2026, None)]),
    ("Styresak nr: 72/01", [("SAK", 72, 2001, None)]),
    ("Sak 19/2/2026", [("SAK", 19, 2026, 2)]),
    ("Arkivsaksnr: 2025/6820", []),
    ("Arkivreferanse: 2026/1477-1", []),
])
def test_case_number_grammar(text, expected):
    assert [(c.series, c.number, c.year, c.meeting) for c in find_case_ids(text)] == expected


def test_archive_references_are_not_case_numbers():
    assert find_archive_references("Arkivsaksnr: 2025/6820 Saksbehandler: X") == ["2025/6820"]
    assert parse_case_id("Arkivsaksnr: 2025/6820") is None


def test_body_named_after_a_case_number():
    case = parse_case_id("hva ble vedtatt i sak 10/2026 i formannskapet?")
    assert (case.number, case.year, case.body) == (10, 2026, "formannskapet")
    assert case.same_case(parse_case_id("Formannskaps behandling av sak 10/2026").with_body("Formannskap"))


def test_kinds_from_content_alone():
    assert detect_kind(MUNICIPAL_PROTOCOL) == "møteprotokoll"
    assert detect_kind("Bystyrets behandling av sak 3/2027 i møte den 01.02.2027:\n\nBehandling\nEnstemmig vedtatt.\n\nVedtak\nOk.") == "saksprotokoll"
    paper = "SAKSFRAMLEGG\n\nArkivsaksnr: 2027/12\n\nNy skole\n\nKommunedirektørens forslag til vedtak:\nSkolen bygges.\n\nSaksopplysninger:\nFakta.\n"
    assert detect_kind(paper) == "saksframlegg"
    assert detect_kind("Kommunen åpner ny skole\n\nPublisert 3. mars 2027. Skolen åpner i august.") is None
    document = parse_text(paper)
    assert document.paper.title == "Ny skole" and document.paper.sections["forslag"] == "Skolen bygges."


def test_attendance_part_time_and_secretariat():
    lines = ["Til stede", "", "Kari Nordmann, NTNU (f.o.m. sak 6/1/2026)", "Ola Hansen, UiO, digitalt (t.o.m. sak 10/1/2026)",
             "", "Til stede fra sekretariatet", "", "Lise Lund", "Siv Moe, sak 9/1/2026"]
    people = {a.name: a for a in parse_attendance(lines)}
    assert people["Kari Nordmann"].from_case == "6/1/2026" and people["Ola Hansen"].to_case == "10/1/2026"
    assert people["Ola Hansen"].note == "digitalt"
    assert people["Lise Lund"].role == "secretariat" and people["Siv Moe"].note == "sak 9/1/2026"


def test_unreadable_case_heading_keeps_the_document_as_text(tmp_path):
    parsed = _parse_markdown(tmp_path, "# Notat\n\n**Sak 1O/2O26 Budsjett**\n\nRådet drøftet budsjettet for neste år i stor detalj.\n", "notat.md")
    assert parsed.cases == [] and parsed.parts and "budsjettet" in parsed.parts[0].sections[-1].text
    assert parsed.notes and "1O/2O26" in parsed.notes[0]


def test_records_keep_their_document_access_level(tmp_path):
    """Treatments, votes and attendance of an internal protocol are the secretariat's, not a member's."""
    from ingest.store.register import Register

    path = tmp_path / "bystyret-internt.txt"
    path.write_text(MUNICIPAL_PROTOCOL, encoding="utf-8")
    parsed = parse_document(read_document(path), DocumentMeta(access="internal"), path.stem)
    register = Register.open(tmp_path / "register.sqlite")
    try:
        register.replace_document(parsed, [], {}, "hash", [str(path)], MUNICIPAL_PROTOCOL)
        assert register.attendance(role="member") == [] and register.treatments(role="member") == []
        assert len(register.attendance(role="secretariat")) == 4
        steps = register.treatments(role="secretariat")
        assert [len(s["votes"]) for s in steps] == [2, 1]
        assert [c for c in register.list_cases(role="member") if c.get("municipal")] == []
        cases = [c for c in register.list_cases(role="secretariat") if c.get("municipal")]
        assert sorted(c["number"] for c in cases) == ["PS 21/2027 (Bystyret)", "PS 22/2027 (Bystyret)"]
        register.remove_document(parsed.doc_id)
        assert register.attendance() == [] and register.treatments() == []  # nothing left behind
    finally:
        register.close()


_FRAGMENTS = [
    "Møteprotokoll", "Til stede:", "Forfall:", "Saksliste", "PS 1/26 Tittel", "FO 2-2025", "Sak 01/17", "Vedtak", "VEDTAK",
    "Innstilling:", "Dette ble satt opp mot:", "1)", "2)", "For forslaget stemte 3: A B (AP), C D (H).", "For forslag 1 stemte 2:",
    "Imot forslaget stemte 1: E F (SP).", "Dermed ble forslaget vedtatt.", "Enstemmig vedtatt.", "Kari Nordmann (AP) fremmet følgende tilleggsforslag:",
    "Formannskaps behandling av sak 3/2026 i møte den 01.02.2026:", "SAKSFRAMLEGG", "Kommunedirektørens forslag til vedtak:",
    "Saksopplysninger:", "Vurdering:", "Arkivsaksnr: 2025/1234", "Anne Aas    medlem    AP", "", "Tekst som fortsetter.",
]


def test_any_mix_of_meeting_lines_parses_without_error():
    """Protocol fragments in any order and any number never crash the parser (a crash would cost
    the document its ingest)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ingest.models import Page, ReadDocument

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40))
    def check(lines):
        text = "\n".join(lines)
        parse_text(text)
        parse_document(ReadDocument("x.txt", "txt", [Page(None, text)]), DocumentMeta(), "x")

    check()


def test_ingest_summary_notes_an_unreadable_case_heading(tmp_path):
    """The document is ingested and searchable as text; the summary says which heading was not read."""
    from ingest.pipeline import ingest_paths
    from ingest.settings import Settings
    from ingest.store.register import Register

    folder = tmp_path / "arkiv"
    folder.mkdir()
    (folder / "notat.md").write_text("# Notat\n\n**Sak 1O/2O26 Budsjett**\n\nRådet drøftet budsjettet for neste år i stor detalj.\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=folder)
    summary = ingest_paths([folder], settings, progress=False)
    assert summary.errors == [] and summary.documents == 1
    assert len(summary.notes) == 1 and "1O/2O26" in summary.notes[0]["note"] and summary.notes[0]["path"].endswith("notat.md")
    register = Register.open_readonly(settings.register_path)
    try:
        assert any("budsjettet" in text for _, text, _ in register.chunks())
    finally:
        register.close()
