"""Score answers against a test set: facts, refusals, citations, language, retrieval and latency."""
from __future__ import annotations

import json
import re
import statistics
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .answer import verify_answer
from .errors import AssistantError, InvalidQuestionError
from .language import detect_language
from .question import load_cues
from .text import calendar_dates, normalize, strip_separators
from .types import Answer, Hit, ItemResult, Language, TestItem

_QUOTED = re.compile(r"«[^»]*»|\[\d+\]")


def load_testset(path: Path) -> list[TestItem]:
    """Read a JSON Lines test set, with the line number in any error."""
    if not path.is_file():
        raise InvalidQuestionError(f"no test set at '{path}'. Give a .jsonl file such as evals/seed-qa.jsonl.")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            items.append(
                TestItem(
                    id=str(record["id"]),
                    lang=Language(record["lang"]),
                    question=record["question"],
                    answerable=bool(record.get("answerable", True)),
                    expected_facts=tuple(
                        tuple(f) if isinstance(f, list) else f for f in record.get("expected_facts", [])
                    ),
                    gold=tuple(record.get("gold", [])),
                    source=record.get("source", ""),
                    doc=record.get("doc"),
                    kind=record.get("kind", ""),
                )
            )
        except (json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
            raise InvalidQuestionError(f"'{path}' line {number} is not a valid test item ({exc!r}); the format is "
                                       'in README.md, "Answer quality".') from exc
    return items


def _comparable(text: str) -> str:
    return strip_separators(normalize(text))


@lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    """Every cue table's month names, to their number."""
    return {name.casefold(): number for cues in load_cues().values() for number, name in enumerate(cues.months, 1)}


# What a date is written with besides its month name: digits, separators, ordinal endings ("1st", "1°") and the
# Korean year, month and day.
_DATE_WORDS = re.compile(r"[\d\s.,/°-]|(?<=\d)(?:st|nd|rd|th)\b|[년월일]")


def date_alone(fact: str) -> set[tuple[int, int, int]]:
    """The date a fact is, when it is nothing but a date ("14 gennaio 2025", "2025. 12. 12."): its readings
    (two for "03/06/2025"); empty when the fact says more than a date or none."""
    months = _months()
    dates = calendar_dates(fact, months)
    if not dates:
        return set()
    rest = _DATE_WORDS.sub(" ", normalize(fact))
    return dates if all(word in months for word in rest.split()) else set()


def fact_present(fact: str | tuple[str, ...] | list[str], answer: str) -> bool:
    """A fact (or any of its alternatives) appears in the answer after NFKC, case folding and separator removal;
    a fact that is a date also appears when the answer writes that date in another form ("14/01/2025" for
    "14 gennaio 2025")."""
    alternatives = [fact] if isinstance(fact, str) else list(fact)
    text = _comparable(answer)
    if any(_comparable(str(alt)) in text for alt in alternatives):
        return True
    wanted = set().union(*(date_alone(str(alt)) for alt in alternatives))
    return bool(wanted) and bool(wanted & calendar_dates(answer, _months()))


def answer_language(answer: Answer) -> str:
    """The language of the answer's own words (quotations and [n] markers left out)."""
    own = _QUOTED.sub(" ", answer.answer)
    try:
        return str(detect_language(own))
    except AssistantError:
        return "unknown"


def gold_rank(hits: list[Hit], gold: Iterable[str]) -> int | None:
    """1-based rank of the first hit that is a gold passage or a translation of one."""
    wanted = set(gold)
    if not wanted:
        return None
    for rank, hit in enumerate(hits, 1):
        suffix = hit.chunk.chunk_id.split("#", 1)[-1]
        if hit.chunk.chunk_id in wanted or f"{hit.chunk.group_id}#{suffix}" in wanted:
            return rank
    return None


def evidence_rank(hits: list[Hit], item: TestItem) -> int | None:
    """1-based rank of the first passage that answers the item: a gold passage when the item names them, else a
    passage of the item's document (or a translation of it) holding every expected fact."""
    if item.gold:
        return gold_rank(hits, item.gold)
    if not (item.doc and item.expected_facts):
        return None
    for rank, hit in enumerate(hits, 1):
        text = hit.chunk.embed_text
        if item.doc in (hit.chunk.doc_id, hit.chunk.group_id) and all(fact_present(f, text)
                                                                        for f in item.expected_facts):
            return rank
    return None


# Where an answerable question's answer was lost, in the order an answer is made.
LOSS_STAGES = {
    "retrieval": "no passage found holds the facts",
    "candidates": "a passage found holds them, no candidate sentence's answer does",
    "chooser": "a candidate holds them, the chooser picked another",
    "confidence": "the pick holds them, its confidence is under the threshold",
    "gate": "the pick holds them, a hard gate or the verifier refused it",
    "elsewhere": "answered from the programme records, without them",
}


def score_item(item: TestItem, answer: Answer | None, hits: list[Hit], latency_ms: float, error: str = "",
               crosslingual: bool = False, held_out: str = "", lost_at: str = "", open_outcome: str = "") -> ItemResult:
    """Score one answer (None when asking failed with `error`)."""
    if answer is None:
        return ItemResult(item, "", "unknown", False, 0, len(item.expected_facts), False, (error,), None, latency_ms, error,
                          crosslingual, held_out)
    problems = tuple(verify_answer(answer.answer, answer.citations)) if answer.grounded else ()
    return ItemResult(
        item=item,
        answer=answer.answer,
        answer_language=answer_language(answer),
        grounded=answer.grounded,
        facts_found=sum(fact_present(f, answer.answer) for f in item.expected_facts) if answer.grounded else 0,
        facts_total=len(item.expected_facts),
        citations_valid=not problems,
        citation_problems=problems,
        gold_rank=gold_rank(hits, item.gold),
        latency_ms=latency_ms,
        crosslingual=crosslingual,
        held_out=held_out,
        see_also_holds=see_also_holds(item, answer),
        see_also_sentence_holds=see_also_holds(item, answer, sentence=True),
        confidence=answer.confidence,
        lost_at=lost_at,
        open_outcome=open_outcome,
    )


def outcome(item: TestItem, answer: Answer | None) -> str:
    """"right", "wrong" or "refused": how an answer scores ("" when asking failed)."""
    if answer is None:
        return ""
    if not answer.grounded:
        return "refused"
    return "right" if score_item(item, answer, [], 0.0).correct else "wrong"


def see_also_holds(item: TestItem, answer: Answer, sentence: bool = False) -> bool | None:
    """For an answerable question that was refused: does the first passage offered to read (with `sentence`: the
    sentence of it shown first) hold every expected fact? None for an answer or an unanswerable question."""
    if answer.grounded or not (item.answerable and item.expected_facts):
        return None
    first = answer.citations[0] if answer.citations else None
    text = (first.sentence if sentence else first.quote) if first else ""
    return bool(text) and all(fact_present(f, text) for f in item.expected_facts)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarize(results: list[ItemResult]) -> dict:
    """Flat metrics for a list of results (see DESIGN.md, 'Metrics eval reports')."""
    answerable = [r for r in results if r.item.answerable]
    unanswerable = [r for r in results if not r.item.answerable]
    refused = [r for r in results if not r.grounded]
    grounded = [r for r in results if r.grounded]
    with_gold = [r for r in answerable if r.item.gold]
    latencies = [r.latency_ms for r in results]
    return {
        "items": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "accuracy": _ratio(sum(r.correct for r in results), len(results)),
        "answer_accuracy": _ratio(sum(r.correct for r in answerable), len(answerable)),
        "fact_recall": _ratio(sum(r.facts_found for r in answerable), sum(r.facts_total for r in answerable)),
        "refusal_precision": _ratio(sum(not r.item.answerable for r in refused), len(refused)),
        "refusal_recall": _ratio(sum(not r.grounded for r in unanswerable), len(unanswerable)),
        "citation_validity": _ratio(sum(r.citations_valid for r in grounded), len(grounded)),
        "language_match": _ratio(sum(r.answer_language == r.item.lang.value for r in results), len(results)),
        "hit@1": _ratio(sum(r.gold_rank == 1 for r in with_gold), len(with_gold)),
        "hit@5": _ratio(sum(r.gold_rank is not None and r.gold_rank <= 5 for r in with_gold), len(with_gold)),
        "mrr": _ratio(sum(1.0 / r.gold_rank for r in with_gold if r.gold_rank), len(with_gold)),
        # Of the answerable questions refused: how often the first "see also" passage holds the answer.
        "see_also@1": _ratio(sum(bool(r.see_also_holds) for r in results if r.see_also_holds is not None),
                             sum(r.see_also_holds is not None for r in results)),
        # … and how often the sentence of it shown first (the one the chooser ranks closest) holds it.
        "see_also_sentence@1": _ratio(sum(bool(r.see_also_sentence_holds) for r in results
                                          if r.see_also_sentence_holds is not None),
                                      sum(r.see_also_sentence_holds is not None for r in results)),
        "latency_p50_ms": _percentile(latencies, 50),
        "latency_p95_ms": _percentile(latencies, 95),
        "errors": sum(bool(r.error) for r in results),
    }


INTERVAL_DRAWS = 2000
INTERVAL_LEVEL = 0.95
INTERVAL_METRICS = ("answer_accuracy", "refusal_precision", "refusal_recall", "crosslingual_accuracy")


def _draw_documents(results: list[ItemResult], draws: int, seed: int) -> np.ndarray:
    """How many times each result is drawn in each of `draws` draws of the test set, a whole document's questions
    at a time (a result with no document alone): a draws × results matrix of counts."""
    keys = [r.item.doc or f"\0{i}" for i, r in enumerate(results)]
    groups = {key: j for j, key in enumerate(dict.fromkeys(keys))}
    member = np.array([groups[key] for key in keys])
    counts = np.random.default_rng(seed).multinomial(len(groups), np.full(len(groups), 1.0 / len(groups)), size=draws)
    return counts[:, member].astype(float)


def _central(draws: np.ndarray, level: float) -> tuple[float, float]:
    """The percentile interval holding the central `level` of the bootstrap `draws`."""
    low, high = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def intervals(results: list[ItemResult], draws: int = INTERVAL_DRAWS, level: float = INTERVAL_LEVEL, seed: int = 0
              ) -> dict[str, tuple[float, float] | None]:
    """Percentile bootstrap intervals of the headline metrics (`INTERVAL_METRICS`): the test set drawn again
    `draws` times, a whole document's questions at a time, since they are not independent (one misread table, one
    long document the retrieval misses, one refit of the selector moves several of them together); a question
    with no document is drawn on its own. The same results give the same intervals (`seed`). None where a
    metric has nothing to count."""
    if not results:
        return dict.fromkeys(INTERVAL_METRICS)
    weights = _draw_documents(results, draws, seed)
    answerable = np.array([r.item.answerable for r in results])
    right = np.array([r.correct for r in results]) & answerable
    refused = np.array([not r.grounded for r in results])
    crossing = np.array([r.crosslingual for r in results]) & answerable

    def interval(counted: np.ndarray, among: np.ndarray) -> tuple[float, float] | None:
        numerator, denominator = weights @ counted.astype(float), weights @ among.astype(float)
        kept = denominator > 0
        if not kept.any():
            return None
        return _central(numerator[kept] / denominator[kept], level)

    return {"answer_accuracy": interval(right, answerable),
            "refusal_precision": interval(refused & ~answerable, refused),
            "refusal_recall": interval(refused & ~answerable, ~answerable),
            "crosslingual_accuracy": interval(right & crossing, crossing)}


def load_previous(path: Path, ids: Iterable[str] = ()) -> dict:
    """An earlier eval's report.json, read once: its `items` are what `compare` reads (checked here), its
    `refit_spread` what a new spread is set beside; or a clear error, also when it shares none of `ids` (the
    questions about to be asked), as a run of another test set would."""
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
        items = report["items"]
        if not all({"id", "lang"} <= set(record["item"]) and {"correct", "grounded"} <= set(record) for record in items):
            raise ValueError("an item lacks its id, language, correctness or grounding")
    except FileNotFoundError:
        raise AssistantError(f"no report to compare with at '{path}': give the report.json an earlier eval wrote "
                             "(reports/NAME/report.json).") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AssistantError(f"'{path}' is not the report.json of an eval ({type(error).__name__}: {error}): give "
                             "the report.json an earlier eval wrote.") from None
    wanted = set(ids)
    if wanted and not wanted & {record["item"]["id"] for record in items}:
        raise AssistantError(f"'{path}' holds none of the {len(wanted)} questions of this test set (matched by id): "
                             "compare with a report of the same test set.")
    return report


def _state(correct: bool, grounded: bool) -> str:
    return "right" if correct else ("wrong" if grounded else "refused")


def compare(previous: list[dict], results: list[ItemResult], against: str = "", draws: int = INTERVAL_DRAWS,
            level: float = INTERVAL_LEVEL, seed: int = 0) -> dict:
    """How `results` differ from an earlier run of the same questions (`previous`, its report's items, read from
    `against`), matched by id: per language, answer accuracy before and now, the change, and a 95 % interval of the change (a paired
    bootstrap drawing a whole document's questions at a time, as `intervals`); and every question whose outcome
    moved (right, wrong, refused), with its confidence before and after."""
    before = {record["item"]["id"]: record for record in previous}
    shared = [r for r in results if r.item.id in before]
    report: dict = {"against": against, "shared": len(shared), "only_now": len(results) - len(shared),
                    "only_before": len(set(before) - {r.item.id for r in results}), "by_language": {}, "moved": []}
    languages = ["overall", *dict.fromkeys(r.item.lang.value for r in shared)]
    for name in languages:
        group = [r for r in shared if name == "overall" or r.item.lang.value == name]
        answerable = [r for r in group if r.item.answerable]
        if not answerable:
            continue
        was = np.array([bool(before[r.item.id]["correct"]) for r in answerable], dtype=float)
        now = np.array([r.correct for r in answerable], dtype=float)
        weights = _draw_documents(answerable, draws, seed)
        totals = weights.sum(axis=1)
        changes = (weights @ (now - was))[totals > 0] / totals[totals > 0]
        low, high = _central(changes, level)
        report["by_language"][name] = {"answerable": len(answerable), "before": float(was.mean()),
                                       "now": float(now.mean()), "change": float(now.mean() - was.mean()),
                                       "change_interval": (low, high),
                                       "gained": int(np.sum(now > was)), "lost": int(np.sum(now < was))}
    for r in shared:
        old = before[r.item.id]
        then, state = _state(bool(old["correct"]), bool(old["grounded"])), _state(r.correct, r.grounded)
        if then != state:
            report["moved"].append({"id": r.item.id, "before": then, "now": state,
                                    "confidence_before": old.get("confidence"), "confidence_now": r.confidence})
    return report


def comparison_lines(comparison: dict) -> list[str]:
    """The comparison as text: a row per language, then the questions that moved."""
    def signed(value: float) -> str:
        return f"{value:+.3f}"

    def confidence(value) -> str:
        return "–" if value is None else f"{value:.2f}"

    lines = [f"compared with {comparison['against']} ({comparison['shared']} questions in both"
             + (f"; {comparison['only_now']} new, {comparison['only_before']} gone" if comparison["only_now"]
                or comparison["only_before"] else "") + "): answer accuracy",
             f"{'':10}{'before':>9}{'now':>9}{'change':>9}   95 % interval of the change   gained / lost"]
    for name, row in comparison["by_language"].items():
        low, high = row["change_interval"]
        lines.append(f"{name:10}{row['before']:9.3f}{row['now']:9.3f}{signed(row['change']):>9}   "
                     f"{signed(low)} … {signed(high):<16}  {row['gained']} / {row['lost']}")
    moved = comparison["moved"]
    counts: dict[str, int] = {}
    for record in moved:
        key = f"{record['before']} → {record['now']}"
        counts[key] = counts.get(key, 0) + 1
    lines.append(f"moved: {len(moved)}" + (" (" + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ")"
                                            if moved else ""))
    lines += [f"  {m['id']}: {m['before']} ({confidence(m['confidence_before'])}) → {m['now']} "
              f"({confidence(m['confidence_now'])})" for m in moved]
    return lines


def summarize_by_language(results: list[ItemResult]) -> dict[str, dict]:
    """`summarize` overall and for each language present, with cross-lingual answer accuracy."""
    report = {"overall": summarize(results)}
    for language in Language:
        subset = [r for r in results if r.item.lang is language]
        if subset:
            report[language.value] = summarize(subset)
    for name, subset in report.items():
        group = results if name == "overall" else [r for r in results if r.item.lang.value == name]
        crossing = [r for r in group if r.crosslingual and r.item.answerable]
        subset["crosslingual_items"] = len(crossing)
        subset["crosslingual_accuracy"] = _ratio(sum(r.correct for r in crossing), len(crossing))
        subset.update({f"{metric}_interval": bounds for metric, bounds in intervals(group).items()})
    return report


def summarize_by(results: list[ItemResult], key: Callable[[ItemResult], str]) -> dict[str, dict]:
    """`summarize` for each value of `key` (a document, a kind of question)."""
    groups: dict[str, list[ItemResult]] = {}
    for result in results:
        groups.setdefault(key(result), []).append(result)
    return {name: summarize(subset) for name, subset in sorted(groups.items())}


SWEEP = tuple(round(0.05 * n, 2) for n in range(20))  # the thresholds a sweep tries: 0, 0.05 … 0.95


def threshold_sweep(results: list[ItemResult], thresholds: Iterable[float] = SWEEP, wrong_cost: float = 1.5
                    ) -> list[dict]:
    """What each refusal threshold would have given, from each item's confidence and its outcome with no threshold
    (`ItemResult.open_outcome`): an item is answered at threshold t when nothing else refuses it and its
    confidence reaches t (an answer with no confidence, from the programme records, at every t). One row per
    threshold: answers given, right and wrong, answer accuracy, the share of answers that are right, refusal
    precision and recall, and right − `wrong_cost` × wrong (what the threshold is chosen for). Items whose asking
    failed, or whose outcome is unknown, are left out."""
    known = [r for r in results if r.open_outcome and not r.error]
    answerable = sum(r.item.answerable for r in known)
    unanswerable = len(known) - answerable
    rows = []
    for t in sorted(set(thresholds)):
        given = [r for r in known if r.open_outcome != "refused" and (r.confidence is None or r.confidence >= t)]
        right = sum(r.open_outcome == "right" for r in given)
        wrong = len(given) - right
        refused = len(known) - len(given)
        refused_unanswerable = unanswerable - sum(not r.item.answerable for r in given)
        rows.append({"threshold": t, "answered": len(given), "right": right, "wrong": wrong,
                     "answer_accuracy": _ratio(right, answerable), "answers_right": _ratio(right, len(given)),
                     "refusal_precision": _ratio(refused_unanswerable, refused),
                     "refusal_recall": _ratio(refused_unanswerable, unanswerable),
                     "utility": right - wrong_cost * wrong})
    return rows


def best_threshold(sweep: list[dict]) -> dict | None:
    """The sweep's row where right − cost × wrong is highest (of two equal, the higher threshold: fewer answers
    risked); None for an empty sweep. Chosen on the questions it is scored on, its figure is optimistic."""
    return max(sweep, key=lambda row: (row["utility"], row["threshold"]), default=None)


def run_testset(items: list[TestItem], answer_fn: Callable[[TestItem], tuple[Answer, list[Hit], dict]],
                progress: Callable[[str, int, int], None] | None = None) -> list[ItemResult]:
    """Ask every item through `answer_fn` (its answer, the passages found, and what else is known of it: where a
    miss was lost, `lost_at`, and the outcome with no threshold, `open_outcome`) and score it; a failing item is
    recorded, not fatal."""
    import time

    results = []
    for done, item in enumerate(items, 1):
        started = time.perf_counter()
        try:
            answer, hits, info = answer_fn(item)
            results.append(score_item(item, answer, hits, answer.timings_ms.get("total", (time.perf_counter() - started) * 1000),
                                      lost_at=info.get("lost_at", ""), open_outcome=info.get("open_outcome", "")))
        except AssistantError as exc:
            results.append(score_item(item, None, [], (time.perf_counter() - started) * 1000, error=str(exc)))
        if progress:
            progress("evaluating", done, len(items))
    return results
