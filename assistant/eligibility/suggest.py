"""Draft programme records from a document: its sentences that state who may apply, with the figures, units,
places and sectors they name, each quoted as written. Drafts are `reviewed = false` until a person checks them."""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from ..question import Asks
from .vocabulary import Vocabulary, find_places, find_sectors

_NUM = r"(\d[\d.,]*)"


@dataclass(frozen=True)
class Draft:
    """A condition found in a sentence: field, operator, value, and the sentence as written."""

    field: str
    op: str
    value: object
    quote: str
    locator: str


def _cues() -> dict:
    folder = resources.files("assistant") / "eligibility" / "data"
    return tomllib.loads((folder / "cues.toml").read_text(encoding="utf-8"))


def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern.replace("NUM", _NUM), re.IGNORECASE)


def _figure(text: str) -> float | int:
    value = float(re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", text).replace(",", "."))
    return int(value) if value.is_integer() else value


def _operator(sentence: str, figure_start: int, comparators: list[tuple[re.Pattern, str]]) -> str:
    for pattern, op in comparators:
        for match in pattern.finditer(sentence):
            numbers = [i for i in range(1, (match.lastindex or 0) + 1)
                       if match.group(i) and re.fullmatch(_NUM, match.group(i))]
            if numbers and match.start(numbers[-1]) == figure_start:
                return op
    return "=="


def conditions_in(sentence: str, locator: str, language: str, vocabulary: Vocabulary, cues: dict) -> list[Draft]:
    """The conditions a sentence states, as far as the cue tables can read them."""
    table = cues[language]
    comparators = [(_compile(p), op) for p, op in table["comparators"]]
    excluded = any(re.search(p, sentence, re.IGNORECASE) for p in table["exclusion"])
    drafts: list[Draft] = []
    for field in ("age", "employees", "company_age"):
        for pattern in map(_compile, table[field]):
            for match in pattern.finditer(sentence):
                number = next((i for i in range(1, (match.lastindex or 0) + 1)
                               if match.group(i) and re.fullmatch(_NUM, match.group(i))), None)
                if number is None:
                    continue
                op = _operator(sentence, match.start(number), comparators)
                drafts.append(Draft(field, op, _figure(match.group(number)), sentence, locator))
    places = find_places(sentence, vocabulary)
    for field in ("region", "country"):
        values = [v for f, v in places if f == field]
        if values:
            drafts.append(Draft(field, "not in" if excluded else "in", values, sentence, locator))
    sectors = find_sectors(sentence, vocabulary)
    if sectors:
        drafts.append(Draft("sector", "not in" if excluded else "in", sectors, sentence, locator))
    kinds = [kind for pattern, kind in table["kinds"] if re.search(pattern, sentence, re.IGNORECASE)]
    if kinds and not excluded:
        drafts.append(Draft("applicant_kind", "in", list(dict.fromkeys(kinds)), sentence, locator))
    if excluded and re.search(r"공무원|civil servant|dipendent\w* pubblic", sentence, re.IGNORECASE):
        drafts.append(Draft("civil_servant", "==", False, sentence, locator))
    return drafts


def suggest(doc_id: str, store, vocabulary: Vocabulary) -> list[Draft]:
    """Draft conditions from every sentence of a document that states eligibility (by the cue tables)."""
    cues = _cues()
    document = store.documents[doc_id]
    language = document.language.value
    eligibility = [re.compile(p, re.IGNORECASE) for p in cues[language]["eligibility"]]
    drafts: list[Draft] = []
    for position, chunk in enumerate(store.chunks):
        if chunk.doc_id != doc_id:
            continue
        for sentence in store.sentences.of(position):
            if Asks.ELIGIBILITY in sentence.kinds or any(p.search(sentence.text) for p in eligibility):
                drafts.extend(conditions_in(sentence.text, chunk.locator, language, vocabulary, cues))
    unique = {}
    for draft in drafts:
        unique.setdefault((draft.field, draft.op, json.dumps(draft.value, ensure_ascii=False)), draft)
    return list(unique.values())


def draft_record(doc_id: str, title: str, drafts: list[Draft]) -> str:
    """A programme record (TOML) to be reviewed by a person before it is served."""
    lines = [
        f"# Drafted by `policy-assistant programmes suggest {doc_id}`: every condition below was read from a sentence",
        "# of the document by the cue tables, and may be wrong or redundant. Keep the ones the document really sets,",
        "# correct field, operator and value, cut each quote to the words that state it, then set reviewed = true.",
        "# A condition no field can hold is kept as field = \"other\" with its quote alone (shown, never checked).",
        f"id = {json.dumps(doc_id + '-programme')}",
        f"title = {json.dumps(title, ensure_ascii=False)}",
        "aliases = []  # other names askers use for it (short forms, its name in other languages), never topic words",
        f"doc = {json.dumps(doc_id)}",
        'gives = ""',
        "amounts = []",
        "dates = []",
        "reviewed = false",
        'reviewed_by = ""',
        'review = ""',
    ]
    for draft in drafts:
        lines += ["", f"# found at {draft.locator}", "[[conditions]]", f"field = {json.dumps(draft.field)}",
                  f"op = {json.dumps(draft.op)}", f"value = {json.dumps(draft.value, ensure_ascii=False)}",
                  f"quote = {json.dumps(draft.quote, ensure_ascii=False)}"]
    return "\n".join(lines) + "\n"
