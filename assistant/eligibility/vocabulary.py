"""The closed vocabulary of eligibility: fields, operators, and the place, sector and label tables they read."""
from __future__ import annotations

import functools
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources

from ..errors import AssistantError


class ProfileError(AssistantError):
    """A profile or a programme record names a field or a value the vocabulary does not know."""

    exit_code = 2


class ApplicantKind(StrEnum):
    PERSON = "person"
    HOUSEHOLD = "household"
    COMPANY = "company"
    PUBLIC_BODY = "public_body"


class FieldType(StrEnum):
    NUMBER = "number"
    FLAG = "flag"  # yes / no
    KIND = "kind"  # an applicant kind
    COUNTRY = "country"
    REGION = "region"
    SECTOR = "sector"


# Every field a condition or a profile may use, with its type.
FIELDS: dict[str, FieldType] = {
    "applicant_kind": FieldType.KIND,
    "country": FieldType.COUNTRY,
    "region": FieldType.REGION,
    "age": FieldType.NUMBER,
    "employees": FieldType.NUMBER,
    "annual_revenue": FieldType.NUMBER,
    "sector": FieldType.SECTOR,
    "company_age": FieldType.NUMBER,
    "income_share": FieldType.NUMBER,  # percent of the threshold the condition names
    "household_size": FieldType.NUMBER,
    "disability": FieldType.FLAG,
    "farmer": FieldType.FLAG,
    "registered_business": FieldType.FLAG,
    "civil_servant": FieldType.FLAG,
    "student": FieldType.FLAG,
    "citizen": FieldType.FLAG,
}
# Which fields a form asks of each kind of applicant (the rest do not apply).
FIELDS_BY_KIND: dict[ApplicantKind, tuple[str, ...]] = {
    ApplicantKind.PERSON: ("country", "region", "age", "income_share", "household_size", "disability", "farmer",
                           "civil_servant", "student", "citizen", "sector"),
    ApplicantKind.HOUSEHOLD: ("country", "region", "income_share", "household_size", "disability", "farmer"),
    ApplicantKind.COMPANY: ("country", "region", "sector", "employees", "annual_revenue", "company_age",
                            "registered_business", "farmer"),
    ApplicantKind.PUBLIC_BODY: ("country", "region", "sector"),
}
OPERATORS = ("<", "<=", ">", ">=", "==", "!=", "in", "not in")
_YES = {"true", "yes", "y", "1", "sì", "si", "예", "네", "true"}
_NO = {"false", "no", "n", "0", "아니오", "아니요"}


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().replace("’", "'").split())


@dataclass(frozen=True)
class NameFinder:
    """Which of a table's names occur in a normalised text where a word starts, longest first (ties: in the
    table's order); a shorter name at the same place counts too. Built once per table: with hundreds of place
    names, one search per name overflowed `re`'s cache of compiled patterns, and each question recompiled them
    all (~40 ms); and a pattern of every name as alternatives, tried at each place of a document, took 100 ms for
    165 kB. The pattern is now a trie (each place fails at its first letter that starts no name), and the names
    that begin with a place's first two characters are checked there (every name has two)."""

    names: tuple[str, ...]
    starts: re.Pattern  # where a word starts some name
    by_start: dict[str, tuple[str, ...]]  # the names (longest first) by their first two characters

    @classmethod
    def of(cls, names) -> "NameFinder":
        ordered = tuple(sorted(names, key=len, reverse=True))
        by_start: dict[str, list[str]] = {}
        for name in ordered:
            by_start.setdefault(name[:2], []).append(name)
        return cls(ordered, re.compile(rf"(?<![\w])(?={_trie_pattern(ordered)})"),
                   {start: tuple(group) for start, group in by_start.items()})

    def find(self, low: str) -> list[str]:
        found = {name for m in self.starts.finditer(low) for name in self.by_start.get(low[m.start():m.start() + 2], ())
                 if low.startswith(name, m.start()) and _ends_word(low, name, m.start() + len(name))
                 and not negated(low, m.start(), m.start() + len(name))}
        return [name for name in self.names if name in found]


def _trie_pattern(names) -> str:
    """A pattern that matches where any of the names starts: their shortest prefixes that end a name, as a trie."""
    trie: dict = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        if "" in node:  # a name ends here: enough to say one starts
            return ""
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return pattern(trie)


def _ends_word(low: str, name: str, end: int) -> bool:
    """A name in Latin letters ends where a word ends ("usa" is not named by "usare"); a Korean one may take a
    particle ("서울에", "한국의")."""
    return end == len(low) or not low[end].isalnum() or _HANGUL.match(name[-1]) is not None


_HANGUL = re.compile(r"[\uac00-\ud7a3]")


# A name the asker denies: "nessuna unità locale in Lombardia", "not in Daegu", "non siamo un'impresa agricola"
# (a negation up to three words before it), "서울이 아닌", "대구에는 사업장이 없어요" (after it, in Korean: a
# word at most between).
_DENIED_BEFORE = re.compile(r"(?<!\w)(non|nessun[oa]?|senza|fuori|tranne|not|no|without|outside|except|neither|nor)"
                            r"(\s+\S+){0,3}\s+$")
_DENIED_AFTER = re.compile(r"^\S*\s+(\S+\s+)?\S*?(아닌|아니|없|제외|말고)")


def negated(low: str, start: int, end: int) -> bool:
    """Whether the name at low[start:end] is denied by the words around it (`_DENIED_BEFORE`, `_DENIED_AFTER`)."""
    before = low[max(0, start - 40):start]
    after = low[end:end + 30]
    return bool(_DENIED_BEFORE.search(before) or _DENIED_AFTER.match(after))


@dataclass(frozen=True)
class Vocabulary:
    """The tables, loaded once: names of countries, regions and sectors to their ids, and labels by language."""

    countries: dict[str, str]  # alias (normalised) → code
    regions: dict[str, str]  # alias → ISO 3166-2 id
    sectors: dict[str, str]  # alias → sector id
    region_names: dict[str, list[str]]  # id → its names
    country_names: dict[str, list[str]]
    sector_names: dict[str, list[str]]
    eu_members: frozenset[str]
    labels: dict[str, dict]
    demonyms: dict[str, str] = field(default_factory=dict)  # "coreano", "Korean" → KR: a question naming a country

    @functools.cached_property
    def finders(self) -> dict[str, NameFinder]:
        """The name finders of the region, country and sector tables (made at the first question that states
        facts). Two-letter codes ("CA", "IT") are too ambiguous inside a sentence; sector names need three letters."""
        def places(table: dict[str, str]) -> NameFinder:
            return NameFinder.of(a for a in table if len(a) >= 2 and not (len(a) <= 2 and a.isascii()))

        return {"region": places(self.regions), "country": places(self.countries),
                "sector": NameFinder.of(a for a in self.sectors if len(a) >= 3), "demonym": places(self.demonyms)}

    def canonical(self, field: str, value) -> object:
        """A profile or condition value in canonical form; ProfileError lists the accepted values."""
        if field not in FIELDS:
            raise ProfileError(f"unknown field {field!r}. Accepted fields: {', '.join(FIELDS)}.")
        kind = FIELDS[field]
        if isinstance(value, (list, tuple)):
            return [self.canonical(field, v) for v in value]
        if kind is FieldType.NUMBER:
            try:
                number = float(str(value).replace(",", "").replace("%", ""))
            except ValueError:
                raise ProfileError(f"{field} must be a number, not {value!r}.") from None
            if not math.isfinite(number) or number < 0:  # every number field is an age, a count, an amount or a share
                raise ProfileError(f"{field} must be a number of at least 0, not {value!r}.")
            return number
        if kind is FieldType.FLAG:
            if isinstance(value, bool):
                return value
            text = _normal(value)
            if text in _YES or text in _NO:
                return text in _YES
            raise ProfileError(f"{field} must be yes or no (true/false), not {value!r}.")
        if kind is FieldType.KIND:
            try:
                return ApplicantKind(_normal(value).replace(" ", "_"))
            except ValueError:
                raise ProfileError(f"unknown applicant kind {value!r}. Accepted: "
                                   f"{', '.join(k.value for k in ApplicantKind)}.") from None
        table, names, what = {
            FieldType.COUNTRY: (self.countries, self.country_names, "country"),
            FieldType.REGION: (self.regions, self.region_names, "region"),
            FieldType.SECTOR: (self.sectors, self.sector_names, "sector"),
        }[kind]
        text = _normal(value)
        if text in table:
            return table[text]
        if str(value) in names:  # already an id
            return str(value)
        shown = ", ".join(f"{key} ({'/'.join(v[:2])})" for key, v in list(names.items())[:40])
        raise ProfileError(f"unknown {what} {value!r}. Accepted {what}s (id and names; any of their names in Italian, "
                           f"Korean or English works): {shown}{' …' if len(names) > 40 else ''}")

    def names_of(self, field: str, value) -> list[str]:
        """Every name a canonical value is known by (to find it in a document's text)."""
        kind = FIELDS.get(field)
        table = {FieldType.COUNTRY: self.country_names, FieldType.REGION: self.region_names,
                 FieldType.SECTOR: self.sector_names}.get(kind, {})
        return table.get(str(value), [str(value)])

    def label(self, language: str, group: str, key: str) -> str:
        """A field, verdict or word in the asker's language."""
        return self.labels.get(language, self.labels["en"])[group].get(key, key)


@functools.cache
def load_vocabulary() -> Vocabulary:
    """Read the place, sector and label tables from the package, once per process: the engine, the index build and
    the store's country lookup share the tables and their name finders (built at first use, ~35 ms)."""
    folder = resources.files("assistant") / "eligibility" / "data"
    places = tomllib.loads((folder / "places.toml").read_text(encoding="utf-8"))
    sectors = tomllib.loads((folder / "sectors.toml").read_text(encoding="utf-8"))["sectors"]
    labels = tomllib.loads((folder / "labels.toml").read_text(encoding="utf-8"))

    def aliases(table: dict[str, list[str]]) -> dict[str, str]:
        out = {}
        for key, names in table.items():
            for name in [key, *names]:
                out.setdefault(_normal(name), key)
        return out

    regions = aliases(places["regions"])
    for region, cities in places.get("cities", {}).items():
        for city in cities:  # a region's own names win; a city is not one of its names in documents (names_of)
            regions.setdefault(_normal(city), region)
    return Vocabulary(aliases(places["countries"]), regions, aliases(sectors),
                      dict(places["regions"]), dict(places["countries"]), dict(sectors),
                      frozenset(places["eu_members"]["codes"]), labels,
                      {_normal(name): code for code, names in places.get("demonyms", {}).items() for name in names})


def find_places(text: str, vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """(field, id) of every country and region named in a text (a city names its region), longest names first."""
    low = _normal(text)
    found = [(field, table[alias]) for field, table in (("region", vocabulary.regions), ("country", vocabulary.countries))
             for alias in vocabulary.finders[field].find(low)]
    return list(dict.fromkeys(found))


def countries_named(text: str, vocabulary: Vocabulary, regions: bool = True) -> frozenset[str]:
    """The countries a text names: by name, by an adjective ("coreano", "Korean"), or (`regions`) by one of their
    regions or cities ("Lombardia" names Italy). The European Union and its members stand for each other: an EU
    regulation speaks of Italy, and an Italian call of the Union."""
    low = _normal(text)
    found = {vocabulary.countries[a] for a in vocabulary.finders["country"].find(low)}
    found |= {vocabulary.demonyms[a] for a in vocabulary.finders["demonym"].find(low)}
    if regions:
        found |= {vocabulary.regions[a].split("-")[0] for a in vocabulary.finders["region"].find(low)}
    if "EU" in found or found & vocabulary.eu_members:
        found |= vocabulary.eu_members | {"EU"}
    return frozenset(found)


def find_sectors(text: str, vocabulary: Vocabulary) -> list[str]:
    """The sectors a text names."""
    low = _normal(text)
    return list(dict.fromkeys(vocabulary.sectors[a] for a in vocabulary.finders["sector"].find(low)))
