"""Programme records: what a programme gives and its conditions, each cited to the passage that states it.

Records live in the corpus (`corpus/programmes/*.toml`). At index time every reviewed record is checked: its
document is indexed, each condition's quote is found in one of the document's passages, and the condition's
figures (and place or sector names) are in that quote. A record that fails is reported and left out.
"""
from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

from ..text import numbers
from ..types import Chunk, Document
from .vocabulary import FIELDS, OPERATORS, FieldType, ProfileError, Vocabulary

PROGRAMMES = "programmes"  # the corpus subfolder


@dataclass(frozen=True)
class Citation:
    """Where a condition is stated."""

    doc_id: str
    chunk_id: str
    locator: str
    heading: str
    quote: str  # the words of the document that state the condition


# A condition no field of the vocabulary can hold ("sono escluse le imprese dei codici elencati …", "a trainee must be
# a citizen or a permanent resident"): its quote is shown with the others and never checked,
# so a programme that has one is never "eligible" — the asker is told to read it.
OTHER = "other"


@dataclass(frozen=True)
class Condition:
    """One condition: a field, an operator and a value, with the words of the document that state it."""

    field: str
    op: str
    value: object
    quote: str
    citation: Citation | None = None

    @property
    def rule(self) -> str:
        """A readable form: "employees < 10", "region in [IT-25]"; "other (not checked)" for a condition in words."""
        if self.field == OTHER:
            return f"{OTHER} (not checked)"
        value = self.value
        if isinstance(value, list):
            shown = "[" + ", ".join(_show(v) for v in value) + "]"
        else:
            shown = _show(value)
        return f"{self.field} {self.op} {shown}"


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Programme:
    """A programme one document offers: what it gives, its amounts and dates, and its conditions."""

    id: str
    title: str
    doc_id: str
    gives: str = ""
    amounts: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    reviewed: bool = False
    reviewed_by: str = ""
    review: str = ""
    file: str = ""
    aliases: tuple[str, ...] = ()  # other names askers use for it: short forms, its name in other languages


@dataclass(frozen=True)
class Rejected:
    """A record that is not served, and why."""

    id: str
    file: str
    reasons: tuple[str, ...]


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).replace("’", "'").split())


def parse_programme(data: dict, file: str, vocabulary: Vocabulary) -> Programme:
    """A record from its TOML table (values in canonical form); ProfileError for unknown fields or values."""
    missing = [key for key in ("id", "title", "doc") if not data.get(key)]
    if missing:
        raise ProfileError(f"{file}: lacks {', '.join(missing)}")
    conditions = []
    for number, raw in enumerate(data.get("conditions", []), 1):
        where = f"{file}: condition {number}"
        if raw.get("field") == OTHER:  # stated in words no field can hold: quoted, never checked
            if not str(raw.get("quote", "")).strip():
                raise ProfileError(f"{where}: no quote; copy the words of the document that state the condition.")
            conditions.append(Condition(OTHER, "", None, str(raw["quote"]).strip()))
            continue
        if raw.get("field") not in FIELDS:
            raise ProfileError(f"{where}: unknown field {raw.get('field')!r}. Accepted fields: "
                               f"{', '.join(FIELDS)}, or {OTHER} (a condition in words, quoted and never checked).")
        if raw.get("op") not in OPERATORS:
            raise ProfileError(f"{where}: unknown operator {raw.get('op')!r}. Accepted: {', '.join(OPERATORS)}.")
        if not str(raw.get("quote", "")).strip():
            raise ProfileError(f"{where}: no quote; copy the words of the document that state the condition.")
        value = vocabulary.canonical(raw["field"], raw["value"])
        if raw["op"] in ("in", "not in") and not isinstance(value, list):
            value = [value]
        conditions.append(Condition(raw["field"], raw["op"], value, str(raw["quote"]).strip()))
    return Programme(
        id=str(data["id"]), title=str(data["title"]), doc_id=str(data["doc"]), gives=str(data.get("gives", "")),
        amounts=tuple(map(str, data.get("amounts", []))), dates=tuple(map(str, data.get("dates", []))),
        conditions=tuple(conditions), reviewed=bool(data.get("reviewed", False)),
        reviewed_by=str(data.get("reviewed_by", "")), review=str(data.get("review", "")), file=file,
        aliases=tuple(str(a).strip() for a in data.get("aliases", []) if str(a).strip()),
    )


def load_programme_files(corpus: Path, vocabulary: Vocabulary) -> tuple[list[Programme], list[Rejected]]:
    """Every record in `corpus/programmes/*.toml` (a file may hold one record, or several as [[programme]])."""
    folder = corpus / PROGRAMMES
    programmes, rejected = [], []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            rejected.append(Rejected(path.stem, str(path), (f"cannot parse the file: {exc}",)))
            continue
        for table in data.get("programme", [data]):
            try:
                programmes.append(parse_programme(table, str(path), vocabulary))
            except ProfileError as exc:
                rejected.append(Rejected(str(table.get("id", path.stem)), str(path), (str(exc),)))
    return programmes, rejected


def _stated(condition: Condition, quote: str, vocabulary: Vocabulary) -> str:
    """Why the quote does not bear the condition out ("" when it does): its figures and names must be in it."""
    if condition.field == OTHER:
        return ""  # the quote is the condition
    kind = FIELDS[condition.field]
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    if kind is FieldType.NUMBER:
        missing = [_show(v) for v in values if _show(v) not in numbers(quote)]
        return f"the figure {', '.join(missing)} is not in the quote" if missing else ""
    if kind in (FieldType.REGION, FieldType.COUNTRY, FieldType.SECTOR):
        low = _normal(quote).casefold()
        for value in values:
            names = vocabulary.names_of(condition.field, value)
            if not any(_normal(name).casefold() in low for name in names if len(name) > 2 or not name.isascii()):
                return f"no name of {value} ({'/'.join(names[:3])}) is in the quote"
    return ""


def resolve(programme: Programme, chunks: list[Chunk], documents: dict[str, Document],
            vocabulary: Vocabulary) -> Programme | Rejected:
    """The record with each condition cited to the passage that holds its quote, or why it cannot be served."""
    if programme.doc_id not in documents:
        return Rejected(programme.id, programme.file, (f"document {programme.doc_id!r} is not in the index",))
    passages = [c for c in chunks if c.doc_id == programme.doc_id]
    reasons, resolved = [], []
    for number, condition in enumerate(programme.conditions, 1):
        quote = _normal(condition.quote)
        holder = next((c for c in passages if quote in _normal(c.text)), None)
        if holder is None:
            reasons.append(f"condition {number} ({condition.rule}): its quote is in no passage of {programme.doc_id}")
            continue
        problem = _stated(condition, condition.quote, vocabulary)
        if problem:
            reasons.append(f"condition {number} ({condition.rule}): {problem}")
            continue
        resolved.append(Condition(condition.field, condition.op, condition.value, condition.quote,
                                  Citation(holder.doc_id, holder.chunk_id, holder.locator, holder.heading, condition.quote)))
    if reasons:
        return Rejected(programme.id, programme.file, tuple(reasons))
    return Programme(**{**asdict(programme), "conditions": tuple(resolved)})


def to_record(programme: Programme) -> dict:
    """A resolved record as stored in the index (programmes.json)."""
    return asdict(programme)


def from_record(record: dict) -> Programme:
    """A resolved record read back from the index."""
    conditions = tuple(Condition(c["field"], c["op"], c["value"], c["quote"],
                                 Citation(**c["citation"]) if c.get("citation") else None) for c in record["conditions"])
    return Programme(**{**record, "amounts": tuple(record["amounts"]), "dates": tuple(record["dates"]),
                        "aliases": tuple(record.get("aliases", ())),
                        "conditions": conditions})


def load_programmes(index_dir: Path) -> list[Programme]:
    """The programmes an index serves (without loading its vectors or models)."""
    import json

    from ..errors import IndexMissingError

    path = index_dir / "current" / "programmes.json"
    if not (index_dir / "current" / "manifest.json").is_file():
        raise IndexMissingError(f"no index at '{index_dir}'. Build it with: policy-assistant index --index {index_dir}")
    return [from_record(r) for r in json.loads(path.read_text(encoding="utf-8"))] if path.is_file() else []
