"""Answers from the meeting records: who attended or was absent, who proposed an amendment, how
a vote went, what a body decided, and case lookups in every numbering ("PS 6/26", "sak 10/2026 i
formannskapet", "Sak 01/17").

These read the register's treatments, votes and attendance (ingest.store.records), which the
role's access levels already filter, and quote the archive's own lines. A question none of
these forms fits, or a meeting or case the records do not hold, returns None and goes on to the
ordinary answerer.
"""
from __future__ import annotations

import re
from typing import Any

from assistant.answer import Answer, Citation, RetrievedPassage
from assistant.compose import CitationBook
from assistant.temporal import meeting_dates, names_date
from assistant.prompts import phrase
from assistant.analysis import QuestionAnalysis
from ingest.numbering import normalize_body
from ingest.store.records import find_municipal_case
from ingest.store.register import IndexMissing, Register

_VOTE_WORDS = {
    "nb": {"unanimous": "enstemmig", "alternative": "forslag {n}: {count} stemmer", "tally": "{yes} for, {no} mot",
           "casting": ", med leders dobbeltstemme", "vedtatt": "vedtatt", "falt": "falt"},
    "en": {"unanimous": "unanimous", "alternative": "proposal {n}: {count} votes", "tally": "{yes} for, {no} against",
           "casting": ", with the chair's casting vote", "vedtatt": "adopted", "falt": "rejected"},
}
_ROLE_LABELS = {
    "nb": {"present": "Til stede", "substitute": "Varamedlemmer", "absent": "Forfall", "observer": "Observatører", "secretariat": "Fra sekretariatet/administrasjonen"},
    "en": {"present": "Present", "substitute": "Substitutes", "absent": "Absent (apologies)", "observer": "Observers", "secretariat": "Secretariat/administration"},
}


def records_answer(analysis: QuestionAnalysis, lang: str, role: str | None, register_path, retriever=None) -> Answer | None:
    """An answer from the meeting records, or None when the question is not one of their forms
    (`analysis.asks.records`: attendance, proposer, vote or a municipal case number)."""
    wants = analysis.asks.records
    if wants is None:
        return None
    try:
        register = Register.open_readonly(register_path)
    except IndexMissing:
        return None
    try:
        if wants == "attendance":
            return _attendance(analysis, lang, role, register, retriever)
        cases = register.municipal_cases(role)  # the council register need not be merged here
        named = list(analysis.references.case_ids) if not analysis.cases else []
        case = find_municipal_case(cases, analysis.references.case_ids)
        if case is None and not named and wants != "case":
            case = _case_by_topic(analysis, cases, role, retriever)  # no number named: the topic decides
        if case is None and wants == "case":
            return _unknown_case(analysis, lang, register, role)
        if case is None:
            return None
        texts = register.document_texts(role, (step["document"] for step in case.get("treatments", [])))
        if wants == "proposer":
            return _proposers(analysis, case, lang, texts)
        if wants == "vote":
            return _votes(case, lang, texts)
        return _case_card(case, lang, texts, register.attendance(role))
    finally:
        register.close()


# ---- attendance ---------------------------------------------------------------------------------
def _attendance(analysis: QuestionAnalysis, lang: str, role: str | None, register: Register, retriever) -> Answer | None:
    rows = register.attendance(role)
    if not rows:
        return None
    meetings: dict[tuple, list[dict]] = {}
    for row in rows:
        meetings.setdefault((row["doc_id"], row["meeting"] or "", row["body"] or "", row["date"] or ""), []).append(row)
    chosen = _named_meeting(analysis, meetings, meeting_dates(retriever.cases_for(role).listing()) if retriever is not None else {})
    references = analysis.references
    if chosen is None and (references.meetings or references.dates or references.months):
        # A meeting named by number, day or month whose attendance the records do not hold: the
        # best passage's meeting would be another meeting's attendance, so the records say nothing.
        return None
    if chosen is None and retriever is not None:
        for hit in retriever.search(analysis.question, k=5, role=role):
            chosen = next((key for key in meetings if key[0] == hit.metadata.get("doc_id")), None)
            if chosen:
                break
    if chosen is None:
        return None
    people = meetings[chosen]
    labels = _ROLE_LABELS["en" if lang == "en" else "nb"]
    doc_id, meeting, body, date = chosen
    where = " ".join(x for x in (body, date) if x)
    if lang == "en":
        heading = f"Attendance at the meeting {where}:" if where else f"Attendance at meeting {meeting}:"
    else:
        heading = f"Oppmøte på møtet i {where}:" if where else f"Oppmøte på møte {meeting}:"
    where = where or meeting
    # The group the question asks about comes first; the others follow for completeness.
    asked = list(analysis.asks.attendance_groups)
    order = asked + [g for g in ("present", "substitute", "absent", "observer", "secretariat") if g not in asked]
    lines = [heading]
    for group in order:
        members = [p for p in people if p["role"] == group]
        if members:
            lines.append(f"- {labels[group]} ({len(members)}): " + "; ".join(_person(p, lang) for p in members))
    if analysis.asks.absence and not any(p["role"] == "absent" for p in people):
        lines.insert(1, "Protokollen nevner ingen forfall." if lang != "en" else "The minutes list no apologies.")
    text = register.document_texts(role, [doc_id]).get(doc_id, "")
    # The line quoted is the one naming the group asked about ("forfall"), where the answer stands.
    named = next((p for group in order for p in people if p["role"] == group), people[0])
    quote = _verbatim_line(text, named["name"]) or named["name"]
    passage = _passage_of(quote, doc_id, role, retriever)
    if passage is None:
        citation = Citation(marker="[1]", case=None, document=doc_id, doc_id=doc_id, title=where, meeting=meeting or None, date=date or None, page=None, quote=quote)
        return Answer(answer="\n".join(lines) + " [1]", citations=[citation], language=lang, route="meeting_records")
    # Cited like any quote, to the passage the line stands in (its case and page), which is also
    # what the answer was read from (the source panel's context).
    book = CitationBook()
    marker = book.cite(quote, passage.metadata)
    return Answer(answer="\n".join(lines) + f" {marker}", citations=book.citations, language=lang, route="meeting_records", context=[passage])


def _passage_of(quote: str, doc_id: str, role: str | None, retriever) -> RetrievedPassage | None:
    """The passage that prints the quoted attendance line: minutes bound into a later meeting's
    papers belong to the case that approves them, and the citation says so (None when no passage
    of the document holds the line). Looked up in the lexical index by the line's opening (a
    passage may end inside a long line); its first 200 characters name the first people listed,
    enough to find it, and its first 60 must stand in the passage."""
    if retriever is None or getattr(retriever, "lexical", None) is None:
        return None
    opening = " ".join(quote.split())[:200]
    found = retriever.lexical.search(opening, 5, levels=retriever.where(None, role).get("access"))
    rows = retriever.reader.rows([cid for cid, _ in found])
    for cid, score in found:
        if cid not in rows:
            continue
        text, metadata = rows[cid]
        if metadata.get("doc_id") == doc_id and opening[:60] in " ".join(text.split()):
            return RetrievedPassage(chunk_id=cid, text=text, score=float(score), metadata=dict(metadata))
    return None


def _named_meeting(analysis: QuestionAnalysis, meetings: dict[tuple, list[dict]], dated: dict[str, str] | None = None) -> tuple | None:
    named = analysis.references.meetings
    for key in meetings:
        if key[1] and key[1] in named:
            return key
    date = analysis.references.first_date
    candidates = [key for key in meetings if date and key[3] == date]
    if not candidates:
        # A meeting named by its day without a year ("møtet 14. januar") or by its month ("the
        # January 2026 meeting") is the meeting held then, by the records' meeting dates.
        dated = dated or {}
        candidates = [key for key in meetings if (day := key[3] or dated.get(key[1], "")) and names_date(day, analysis.references)]
    bodies = [key for key in (candidates or list(meetings)) if key[2] and _body_named(key[2], analysis)]
    if candidates and len(candidates) == 1:
        return candidates[0]
    if bodies:
        return max(bodies, key=lambda key: key[3])
    return candidates[0] if candidates else None


def _body_named(body: str, analysis: QuestionAnalysis) -> bool:
    base = normalize_body(body) or ""
    stem = base.split()[0] if base else ""
    return bool(stem) and analysis.mentions(stem[:-1])


def _person(person: dict[str, Any], lang: str) -> str:
    details = [x for x in (person.get("function"), person.get("representation")) if x]
    text = person["name"] + (f" ({', '.join(details)})" if details else "")
    if person.get("substitute_for"):
        text += f", vara for {person['substitute_for']}" if lang != "en" else f", substituting for {person['substitute_for']}"
    if person.get("from_case"):
        text += f", fra og med sak {person['from_case']}" if lang != "en" else f", from case {person['from_case']}"
    if person.get("to_case"):
        text += f", til og med sak {person['to_case']}" if lang != "en" else f", until case {person['to_case']}"
    if person.get("note"):
        text += f", {person['note']}"
    return text


def _verbatim_line(text: str, needle: str) -> str | None:
    for line in text.splitlines():
        if needle in line:
            return " ".join(line.split())
    return None


# ---- cases --------------------------------------------------------------------------------------
_STOP = set("hvem hvordan hva hvilke fremmet foreslo stemt stemte over det ble den denne saken sak møtet møte om til for med fra som har var og i på av en et til".split())


def _stems(text: str) -> set[str]:
    """Content words cut to six letters: "søknaden" and "søknad" meet; no stemmer needed for titles."""
    return _word_stems([text.lower()])


def _word_stems(words) -> set[str]:
    """The same for the question's words as the analysis read them (`analysis.focus.words`)."""
    return {w[:6] for word in words for w in re.findall(r"[a-zæøåé]{4,}", word) if w not in _STOP}


def _case_words(case: dict) -> set[str]:
    texts = [case.get("title") or "", case.get("decision") or ""]
    texts += [p["text"] for step in case.get("treatments", []) for p in step["proposals"]]
    return _stems(" ".join(texts))


def _case_by_topic(analysis: QuestionAnalysis, cases: list[dict], role: str | None, retriever) -> dict | None:
    """The case the question describes: by its title's words when one title shares clearly more
    of them than any other, else the case of the question's best passages."""
    if not cases:
        return None
    # A body the question names ("i Hovedutvalg plan næring og miljø") narrows the cases to its own.
    named = [c for c in cases if any(step["body"] and analysis.mentions(normalize_body(step["body"])) for step in c.get("treatments", []))]
    cases = named or cases
    wanted = _word_stems(analysis.focus.words)
    scored = sorted(((len(wanted & _stems(c.get("title") or "")), i) for i, c in enumerate(cases)), reverse=True)
    # Two shared content words and a clear lead: a title named, not a word in common.
    if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return cases[scored[0][1]]
    # No title decides: the words of each case's decisions and proposals, the bodies' names aside
    # (they name where, not what), with a clear lead.
    bodies = _stems(" ".join(step["body"] or "" for c in cases for step in c.get("treatments", [])))
    wanted -= bodies
    scored = sorted(((len(wanted & _case_words(c)), i) for i, c in enumerate(cases)), reverse=True)
    if scored and scored[0][0] >= 1 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return cases[scored[0][1]]
    if retriever is None:
        return None
    by_number = {alias: case for case in cases for alias in case.get("aliases", [])}
    by_doc: dict[str, list[dict]] = {}
    for case in cases:
        for source in case.get("sources", []):
            by_doc.setdefault(source["document"], []).append(case)
    for hit in retriever.search(analysis.question, k=5, role=role):
        case = by_number.get(hit.metadata.get("case") or "")
        if case is None and len(by_doc.get(hit.metadata.get("doc_id"), [])) == 1:
            case = by_doc[hit.metadata.get("doc_id")][0]
        if case is not None:
            return case
    return None


def _quote(texts: dict[str, str], doc_id: str, wanted: str) -> str:
    """A verbatim piece of the document: the wanted text if it is there (whitespace folded)."""
    text = " ".join(texts.get(doc_id, "").split())
    wanted = " ".join((wanted or "").split())
    if wanted and wanted[:200] in text:
        return wanted[:300]
    start = text.find(wanted[:60]) if wanted else -1
    return text[start:start + 300] if start >= 0 else text[:300]


def _citation(marker: str, case: dict, step: dict, quote: str) -> Citation:
    return Citation(marker=marker, case=step["case"], document=step["document"], doc_id=step["document"], title=case.get("title") or step["case"],
                    meeting=None, date=step.get("date"), page=None, quote=quote)


def _proposers(analysis: QuestionAnalysis, case: dict, lang: str, texts: dict[str, str]) -> Answer:
    kinds = analysis.asks.amendment_kinds
    lines, citations = [], []
    candidates = [(step, p) for step in case["treatments"] for p in step["proposals"] if p.get("proposer") and (not kinds or p["type"] in kinds)]
    # "tilleggsforslaget om tungmetaller": the proposals whose text has the question's own words.
    bodies = " ".join(step["body"] or "" for step in case["treatments"])
    own_words = _word_stems(analysis.focus.words) - _stems(case.get("title") or "") - _stems(bodies) - _stems("tilleggsforslag endringsforslag alternative forslag")
    topical = [(step, p) for step, p in candidates if own_words & _stems(p["text"])]
    for step, proposal in topical or candidates:
        marker = f"[{len(citations) + 1}]"
        party = f" ({proposal['party']})" if proposal.get("party") else ""
        where = f"{step['body']} {step['date'] or ''}".strip()
        verb = "fremmet" if lang != "en" else "proposed a"
        lines.append(f"- {proposal['proposer']}{party} {verb} {proposal['type']} {'i' if lang != 'en' else 'in'} {where}: «{proposal['text'][:300]}» {marker}")
        citations.append(_citation(marker, case, step, _quote(texts, step["document"], proposal["text"])))
    if not lines:
        none = "Protokollene for saken viser ingen slike forslag fra enkeltrepresentanter." if lang != "en" else "The minutes of this case record no such proposals."
        return Answer(answer=f"{_title(case)}: {none}", citations=[], language=lang, route="meeting_records")
    return Answer(answer=f"{_title(case)}:\n" + "\n".join(lines), citations=citations, language=lang, route="meeting_records")


def _votes(case: dict, lang: str, texts: dict[str, str]) -> Answer:
    lines, citations = [_title(case) + ":"], []
    for step in case["treatments"]:
        if not step["votes"]:
            continue
        marker = f"[{len(citations) + 1}]"
        lines.append(f"{step['body']} {step['date'] or ''} ({_named(step['case'])}): {marker}".replace("  ", " "))
        for vote in step["votes"]:
            who = f" {'fra' if lang != 'en' else 'by'} {vote['forslagsstiller']} ({vote['parti']})" if vote.get("forslagsstiller") else ""
            words = _VOTE_WORDS["en" if lang == "en" else "nb"]
            if vote["enstemmig"]:
                tally = words["unanimous"]
            elif vote["alternativer"]:
                tally = ", ".join(words["alternative"].format(n=a["forslag"], count=a["antall"]) for a in vote["alternativer"])
            else:
                tally = words["tally"].format(yes=vote["antall_for"], no=vote["antall_mot"])
            casting = words["casting"] if vote.get("dobbeltstemme") else ""
            lines.append(f"- {vote['type']}{who}: {tally}{casting} – {words.get(vote['resultat'], vote['resultat'])}")
        first = next((v for v in step["votes"] if v.get("for")), None)
        needle = f"stemte {first['antall_for']}" if first else "enstemmig"
        citations.append(_citation(marker, case, step, _vote_line(texts.get(step["document"], ""), needle)))
    if not citations:
        lines.append("Protokollene for saken viser ingen votering." if lang != "en" else "The minutes of this case record no vote.")
    return Answer(answer="\n".join(lines), citations=citations, language=lang, route="meeting_records")


def _vote_line(text: str, needle: str) -> str:
    folded = " ".join(text.split())
    start = folded.lower().find(needle.lower())
    if start < 0:
        return folded[:300]
    begin = folded.rfind(".", 0, start) + 1
    return folded[begin:start + 300].strip()


def _case_card(case: dict, lang: str, texts: dict[str, str], attendance: list[dict] | None = None) -> Answer:
    """Title, proposal, and each body's treatment: its vote tallies, decision and attendance."""
    lines, citations = [_title(case)], []
    words = _VOTE_WORDS["en" if lang == "en" else "nb"]
    if case.get("proposal"):
        lines.append(f"Forslag til vedtak: «{case['proposal'][:400]}»")
    for step in case["treatments"]:
        marker = f"[{len(citations) + 1}]"
        decision = step.get("decision")
        said = f"{step.get('decision_heading') or 'Vedtak'}: «{decision[:500]}»" if decision else ("ingen vedtak i protokollen" if lang != "en" else "no decision recorded")
        tallies = [
            words["unanimous"] if v["enstemmig"] else words["tally"].format(yes=v["antall_for"], no=v["antall_mot"])
            for v in step["votes"] if not v["alternativer"]
        ]
        voted = f" ({'voteringer' if lang != 'en' else 'votes'}: {'; '.join(tallies)})" if tallies else ""
        present = [p for p in attendance or [] if p["doc_id"] == step["document"]]
        met = ""
        if present:
            counts = {role: sum(1 for p in present if p["role"] == role) for role in ("present", "substitute", "absent")}
            met = f" – til stede {counts['present']}, vara {counts['substitute']}, forfall {counts['absent']}" if lang != "en" else f" – present {counts['present']}, substitutes {counts['substitute']}, absent {counts['absent']}"
        lines.append(f"- {step['body']} {step['date'] or ''} ({_named(step['case'])}){voted}{met}: {said} {marker}".replace("  ", " "))
        citations.append(_citation(marker, case, step, _quote(texts, step["document"], decision or "")))
    return Answer(answer="\n".join(lines), citations=citations, language=lang, route="case_lookup")


def _unknown_case(analysis: QuestionAnalysis, lang: str, register: Register, role: str | None) -> Answer | None:
    """A case named in a municipal or per-year numbering that the records do not hold is refused,
    unless it is a council case by its per-year number ("Sak 01/17"), which the council path answers."""
    # Only the council numbers each short number could be, read by pattern (not the whole register).
    council = sorted({n for c in analysis.references.case_ids if c.meeting is None and c.series == "SAK"
                      for n in register.council_numbers(c.number, c.year, role)})
    if council_short_numbers(analysis.references.case_ids, council):
        return None
    literal = analysis.references.case_ids[0].literal
    return Answer(answer=phrase("refusal_topic", lang, topic=literal), citations=[], refused=True, language=lang, route="case_lookup")


def _title(case: dict) -> str:
    return f"{_named(case['number'])} {case.get('title') or ''}".strip()


def _named(number: str) -> str:
    """"10/2026 (Formannskap)" → "Sak 10/2026 (Formannskap)"; "PS 6/2026 (…)" stays."""
    return f"Sak {number}" if number[:1].isdigit() else number


def council_short_numbers(case_ids, numbers: list[str]) -> list[str]:
    """"sak 01/17" → the council case numbered 1 in 2017 ("1/1/2017") when exactly one matches."""
    found = []
    for case_id in case_ids:
        if case_id.meeting is not None or case_id.series != "SAK":
            continue
        matches = [n for n in numbers if re.fullmatch(r"\d+/\d+/\d{4}", n) and int(n.split("/")[0]) == case_id.number and int(n.split("/")[2]) == case_id.year]
        if len(matches) == 1:
            found.append(matches[0])
    return found


def council_cases_named(analysis: QuestionAnalysis, retriever) -> list[str]:
    """The council cases a question names by their per-year number ("Sak 01/17"), when it names
    no council case in the N/M/YYYY form."""
    if analysis.cases or not analysis.references.case_ids:
        return []
    retriever.refresh()
    return council_short_numbers(analysis.references.case_ids, list(retriever.cases))
