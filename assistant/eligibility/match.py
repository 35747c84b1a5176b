"""The matcher: for a profile, each programme is eligible, not eligible or unknown (with the facts still
missing), each condition met, not met or unknown, with its citation. Deterministic; no model involved."""
from __future__ import annotations

from dataclasses import dataclass

from .records import Condition, Programme
from .vocabulary import FIELDS, FieldType, ProfileError, Vocabulary


@dataclass(frozen=True)
class ConditionResult:
    condition: Condition
    met: bool | None  # None: the profile does not say


@dataclass(frozen=True)
class ProgrammeResult:
    programme: Programme
    verdict: str  # eligible | not_eligible | unknown
    missing: tuple[str, ...]
    conditions: tuple[ConditionResult, ...]


def canonical_profile(profile: dict, vocabulary: Vocabulary) -> dict:
    """The profile with every value in canonical form (ids, numbers, yes/no); a region implies its country.
    ProfileError names an unknown field or value and lists the accepted ones."""
    out = {}
    for field, value in profile.items():
        if value is None or value == "":
            continue
        if field not in FIELDS:
            raise ProfileError(f"unknown field {field!r}. Accepted fields: {', '.join(FIELDS)}.")
        out[field] = vocabulary.canonical(field, value)
    if "region" in out and "country" not in out:
        out["country"] = str(out["region"]).split("-", 1)[0]
    if "applicant_kind" not in out and {"employees", "annual_revenue", "company_age"} & set(out):
        out["applicant_kind"] = vocabulary.canonical("applicant_kind", "company")  # only an employer has staff
    return out


def _countries(value: str, vocabulary: Vocabulary) -> set[str]:
    return set(vocabulary.eu_members) | {"EU"} if value == "EU" else {value}


def evaluate(condition: Condition, profile: dict, vocabulary: Vocabulary) -> bool | None:
    """Whether a canonical profile meets a condition; None when the profile lacks the field."""
    if condition.field not in profile:
        return None
    have = profile[condition.field]
    want = condition.value
    kind = FIELDS[condition.field]
    if kind is FieldType.COUNTRY:
        targets = set().union(*(_countries(v, vocabulary) for v in (want if isinstance(want, list) else [want])))
        inside = have in targets
        return inside if condition.op in ("in", "==") else not inside
    if condition.op in ("in", "not in"):
        inside = have in want
        return inside if condition.op == "in" else not inside
    if condition.op in ("==", "!="):
        same = str(have) == str(want) if kind not in (FieldType.NUMBER, FieldType.FLAG) else have == want
        return same if condition.op == "==" else not same
    if not isinstance(have, (int, float)) or isinstance(have, bool):
        raise ProfileError(f"{condition.field} must be a number to compare with {condition.rule!r}.")
    return {"<": have < want, "<=": have <= want, ">": have > want, ">=": have >= want}[condition.op]


def match_programme(programme: Programme, profile: dict, vocabulary: Vocabulary) -> ProgrammeResult:
    """One programme against a canonical profile."""
    results = tuple(ConditionResult(c, evaluate(c, profile, vocabulary)) for c in programme.conditions)
    missing = tuple(dict.fromkeys(r.condition.field for r in results if r.met is None))
    if any(r.met is False for r in results):
        verdict = "not_eligible"
    elif missing:
        verdict = "unknown"  # never a yes while a condition is unknown
    else:
        verdict = "eligible"
    return ProgrammeResult(programme, verdict, missing, results)


MATCH_ORDER = {"eligible": 0, "unknown": 1, "not_eligible": 2}


def match(profile: dict, programmes: list[Programme], vocabulary: Vocabulary) -> list[ProgrammeResult]:
    """Every programme against a profile (raw values accepted), eligible first, then unknown, then not eligible."""
    canonical = canonical_profile(profile, vocabulary)
    results = [match_programme(p, canonical, vocabulary) for p in programmes]
    return sorted(results, key=lambda r: (MATCH_ORDER[r.verdict], len(r.missing), r.programme.id))


def to_json(profile: dict, language: str, results: list[ProgrammeResult], vocabulary: Vocabulary) -> dict:
    """The object `eligible --json` prints and POST /api/eligibility returns."""
    numbering: dict[str, int] = {}
    programmes = []
    for result in results:
        conditions = []
        for item in result.conditions:
            citation = item.condition.citation
            n = numbering.setdefault(citation.chunk_id, len(numbering) + 1) if citation else None
            conditions.append({
                "field": item.condition.field,
                "label": vocabulary.label(language, "fields", item.condition.field),
                "rule": item.condition.rule,
                "met": item.met,
                "text": item.condition.quote,
                "citation": None if citation is None else {
                    "n": n, "doc_id": citation.doc_id, "locator": citation.locator, "heading": citation.heading,
                    "quote": citation.quote, "chunk_id": citation.chunk_id},
            })
        programmes.append({
            "id": result.programme.id, "title": result.programme.title, "doc_id": result.programme.doc_id,
            "verdict": result.verdict, "verdict_label": vocabulary.label(language, "verdicts", result.verdict),
            "missing": list(result.missing),
            "missing_labels": [vocabulary.label(language, "fields", f) for f in result.missing],
            "gives": result.programme.gives, "amounts": list(result.programme.amounts),
            "dates": list(result.programme.dates), "conditions": conditions,
        })
    canonical = {k: (v.value if hasattr(v, "value") else v) for k, v in canonical_profile(profile, vocabulary).items()}
    return {"profile": canonical, "language": language, "programmes": programmes}
