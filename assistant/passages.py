"""Reading around a chosen sentence in its passage: the rest of its paragraph, the list it leads
into or belongs to. A quote that stops at the lead-in of a list, or quotes one item without the
others, answers half the question.
"""
from __future__ import annotations

import re

from assistant.compose import plain_text
from assistant.evidence import EvidenceScorer, Sentence

# A sentence opening with a pronoun or demonstrative that points back (nb, nn, en). "Det" and "De"
# are left out: they open as many sentences that point nowhere ("Det er viktig at …").
ANAPHORIC_OPENER = re.compile(
    r"^\s*(?:Han|Hun|Ho|Hans|Hennes|Dens|Dette|Denne|Disse|Desse|Den|Dei|He|She|His|Her|Its|They|Their|This|These)\b"
)


# A sentence that ends by announcing what follows ("Sekretariatet har bestått av følgende
# medlemmer.") leads into a list as a colon does: the list is what it says. Only at its end: "har
# følgende kommentar om …" announces a quote, "som følger kampen" is the verb.
_ANNOUNCES = re.compile(r"\b(?:(?:følgende|følgjande|the following)(?:\s+[^\W\d_]+)?|as follows)\s*[.:]?\s*$", re.IGNORECASE)


def is_list_lead(text: str) -> bool:
    """Whether a sentence introduces a list: it ends with a colon or announces what follows."""
    return text.rstrip().endswith(":") or bool(_ANNOUNCES.search(text))


def strip_bullet(text: str) -> str:
    return re.sub(r"^\s*[-•▪–]\s+", "", text).strip()


def _stands_apart(text: str) -> bool:
    """A sentence a quote is not joined with: a list item or a list's lead-in (quoted as a list),
    or one holding markup the shown quote would lose ("</context>"), so the joined quote would not
    be verbatim archive text."""
    return bool(re.match(r"^\s*[-•▪–]", text)) or text.rstrip().endswith(":") or plain_text(text) != text


class PassageReader:
    def __init__(self, retriever, scorer: EvidenceScorer):
        self.retriever = retriever
        self.scorer = scorer

    def paragraph_from(self, sentence: Sentence, text: str, max_sentences: int = 3, max_chars: int = 480) -> str:
        """The sentence and those that follow it in its paragraph: the context that completes it
        ("… NORTRE." → "Rådet har vært en pådriver … 10 mill. kroner …")."""
        chunk_text = self.retriever.texts.get(sentence.chunk_id, "")
        quote = text
        for following in self.scorer.following(sentence, limit=max_sentences - 1):
            candidate = f"{quote} {following.text}"
            if following.chunk_id != sentence.chunk_id or candidate not in chunk_text or len(candidate) > max_chars:
                break
            if _stands_apart(following.text):
                break
            if re.match(r"^\s*[;:,.)]", following.text):
                break  # a fragment the splitter cut at an abbreviation ("e.Kr. ; og …"): no sentence to join with a space
            quote = candidate
        return quote

    def with_antecedent(self, sentence: Sentence, text: str, quoted: set[str] = frozenset(), max_chars: int = 800) -> str:
        """A sentence that opens by pointing back ("Han …", "Dette …", "Den siste er …") is read
        from the sentence before it in its paragraph: quoted alone, it does not say what it is
        about, and the sentence before is often the one that names it. `max_chars` bounds the
        quote (not fitted: the longest paragraph reading evals/fit_quotes.py tries)."""
        if not ANAPHORIC_OPENER.match(text):
            return text
        previous = next((t for i, t, _ in self.scorer.by_chunk.get(sentence.chunk_id, []) if i == sentence.index - 1), None)
        if previous is None or previous in quoted or _stands_apart(previous):
            return text
        candidate = f"{previous} {text}"
        if candidate not in self.retriever.texts.get(sentence.chunk_id, "") or len(candidate) > max_chars:
            return text  # another paragraph, or a heading line: not what the sentence points back to
        return candidate

    def list_after(self, lead: Sentence, limit: int = 12) -> list[tuple[str, dict]]:
        """The list lines that follow a lead-in sentence, continuing into the next passage of the
        same section when the list is cut by a chunk boundary."""
        items: list[tuple[str, dict]] = []
        chunk_id = lead.chunk_id
        text = self.retriever.texts.get(chunk_id, "")
        position = text.find(lead.text)
        lines = text[position + len(lead.text):].split("\n")[1:] if position >= 0 else []
        seen: set[str] = set()
        while True:
            for line in lines:
                if not line.strip():
                    continue
                if not re.match(r"^\s*(?:[-•▪–]|\d{1,2}[.)])\s+", line):
                    return items if len(items) >= 2 else []
                item = strip_bullet(line)
                if item not in seen:
                    seen.add(item)
                    items.append((item, self.retriever.metadata[chunk_id]))
                if len(items) >= limit:
                    return items
            next_id = self.retriever.next_in_section(chunk_id)
            if next_id is None:
                return items if len(items) >= 2 else []
            chunk_id = next_id
            meta = self.retriever.metadata[next_id]
            heads = {meta.get("part_title"), meta.get("section"), meta.get("case_title")}
            lines = self.retriever.texts[next_id].split("\n")
            while lines and (lines[0] in heads or re.match(r"^(Sak|Case)\s+\d", lines[0])):
                lines = lines[1:]

    def whole_lists(self, chosen: list[Sentence], asks_what: bool) -> tuple[list[Sentence], set[int]]:
        """Items of one list ("Reformen må derfor / - utvikle … / - bruke anskaffelser …") answer
        a "what is proposed" question together: two chosen items, or a top item for a
        what/which question (analysis.asks.what), bring their lead and the whole list instead."""
        leads: dict[tuple[str, str], Sentence] = {}
        counts: dict[tuple[str, str], int] = {}
        for sentence in chosen:
            lead = self.scorer.list_lead.get((sentence.chunk_id, sentence.index))
            if lead:
                counts[(sentence.chunk_id, lead)] = counts.get((sentence.chunk_id, lead), 0) + 1
        result: list[Sentence] = []
        for rank, sentence in enumerate(chosen):
            lead = self.scorer.list_lead.get((sentence.chunk_id, sentence.index))
            key = (sentence.chunk_id, lead or "")
            if lead and (counts[key] >= 2 or (rank == 0 and asks_what)):
                if key not in leads:
                    index = next((i for i, t, _ in self.scorer.by_chunk.get(sentence.chunk_id, []) if t == lead), sentence.index)
                    leads[key] = Sentence(sentence.chunk_id, index, lead, sentence.metadata, sentence.score)
                    result.append(leads[key])
                continue
            result.append(sentence)
        return result, {id(lead) for lead in leads.values()}

    def with_list_leads(self, chosen: list[Sentence]) -> list[Sentence]:
        """When the sentence right after a chosen one introduces a list ("… fire hovedområder:"),
        the list is the answer: take the lead-in too (its items follow it)."""
        result: list[Sentence] = []
        for sentence in chosen:
            result.append(sentence)
            if is_list_lead(sentence.text):
                continue
            following = self.scorer.following(sentence, limit=1)
            if following and is_list_lead(following[0].text) and all(f.text != following[0].text for f in chosen):
                result.append(following[0])
        return result
