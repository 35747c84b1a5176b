"""Write an eval report: report.json, report.md and PNG plots."""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from .evaluation import (INTERVAL_DRAWS, INTERVAL_LEVEL, INTERVAL_METRICS, LOSS_STAGES, SWEEP, best_threshold,
                         comparison_lines, threshold_sweep)
from .types import ItemResult

METRICS = ("answer_accuracy", "fact_recall", "refusal_precision", "refusal_recall", "citation_validity",
           "language_match", "hit@1", "hit@5", "mrr", "see_also@1", "see_also_sentence@1")


def format_value(value, interval_digits: int = 3) -> str:
    """A metric as a table shows it: a share to 3 decimals, a figure above 1 to one, an interval as "low–high"."""
    if value is None:
        return "–"
    if isinstance(value, (tuple, list)):  # an interval
        return "–".join(f"{bound:.{interval_digits}f}" for bound in value)
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def failure_reason(result: ItemResult) -> str:
    """Why an item counts as failed, in a few words."""
    if result.error:
        return f"error: {result.error}"
    if result.item.answerable and not result.grounded:
        return "refused an answerable question"
    if not result.item.answerable and result.grounded:
        return "answered an unanswerable question"
    if result.item.answerable and result.facts_found < result.facts_total:
        return f"{result.facts_found}/{result.facts_total} expected facts present"
    if not result.citations_valid:
        return "invalid citation: " + "; ".join(result.citation_problems)
    if result.answer_language != result.item.lang.value:
        return f"answered in {result.answer_language}"
    return ""


def _wrong_answer(result: ItemResult) -> bool:
    """An answer given that is wrong: an expected fact missing, or an unanswerable question answered."""
    return result.grounded and not result.correct and not result.error


def worst_misses(results: list[ItemResult], n: int = 10) -> list[ItemResult]:
    """The wrong answers the selector was surest of (an unanswerable question answered, or an expected fact
    missing), the most confident first: where a wrong answer costs most, and where to look first."""
    wrong = [r for r in results if _wrong_answer(r)]
    return sorted(wrong, key=lambda r: (-(r.confidence if r.confidence is not None else -1.0), r.item.id))[:n]


def describe_miss(result: ItemResult, width: int = 0) -> str:
    """One line on a wrong answer: its confidence, the item, the question, the answer and what was expected."""
    expected = ", ".join(json.dumps(f, ensure_ascii=False) for f in result.item.expected_facts) or "a refusal"
    confidence = "–" if result.confidence is None else f"{result.confidence:.2f}"
    cut = (lambda text: text if not width or len(text) <= width else text[: width - 1] + "…")
    return (f"{confidence} {result.item.id} ({result.item.lang.value}, {result.item.kind or 'no kind'}, "
            f"{result.item.doc or 'no document'}): {cut(result.item.question)} → {cut(result.answer)} "
            f"(expected: {expected})")


INTERVALS = tuple(f"{metric}_interval" for metric in INTERVAL_METRICS)
INTERVALS_NOTE = (f"Intervals: {INTERVAL_LEVEL:.0%} percentile bootstrap, {INTERVAL_DRAWS:,} draws of the test set a whole "
                  "document's questions at a time (a question with no document on its own). They say how far the figures "
                  "could move on another set of documents like these, not the selector's refit noise.")

BREAKDOWN = ("items", "answerable", "unanswerable", "answer_accuracy", "refusal_precision", "refusal_recall",
             "citation_validity", "language_match", "latency_p50_ms")


def write_report(out: Path, testset: Path, metrics: dict[str, dict], results: list[ItemResult], context: dict,
                 breakdowns: dict[str, dict[str, dict]] | None = None, sweep: list[dict] | None = None) -> list[Path]:
    """Write the report files into `out`; returns their paths. `breakdowns` adds tables by kind, document…"""
    out.mkdir(parents=True, exist_ok=True)
    items = []
    for r in results:
        record = asdict(r)
        record["item"]["lang"] = r.item.lang.value
        record["correct"] = r.correct
        record["failure"] = failure_reason(r)
        items.append(record)
    worst = worst_misses(results)
    used = used_thresholds(context)
    wrong_cost = context.get("wrong_cost", 1.5)
    sweep = threshold_sweep(results, (*SWEEP, *used), wrong_cost) if sweep is None else sweep
    payload = {"testset": str(testset), "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **context,
               "metrics": metrics, "breakdowns": breakdowns or {}, "lost_at": losses(results),
               "threshold_sweep": sweep, "worst_misses": [r.item.id for r in worst], "items": items}
    paths = [out / "report.json", out / "report.md", out / "metrics.png", out / "latency.png", out / "losses.png",
             out / "thresholds.png"]
    paths[0].write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    paths[1].write_text(_markdown(testset, metrics, results, context, breakdowns or {}, worst, sweep), encoding="utf-8")
    _plot_metrics(metrics, paths[2])
    _plot_latency(results, paths[3])
    _plot_losses(results, paths[4])
    _plot_thresholds(sweep, used, paths[5])
    return paths


def used_thresholds(context: dict) -> tuple[float, ...]:
    """The refusal threshold(s) the eval answered with (`context["threshold"]`: one, or one per held-out fit)."""
    value = context.get("threshold")
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def best_line(sweep: list[dict], used, wrong_cost: float = 1.5) -> str:
    """Where right − cost × wrong peaks in the sweep, against the threshold used: a pointer for choosing
    `answer.threshold`, with the caveat that it is chosen on the questions it is scored on."""
    best = best_threshold(sweep)
    if best is None:
        return ""
    at_used = [row for row in sweep if row["threshold"] in used]
    measure = f"right − {wrong_cost:g} × wrong"
    if len(at_used) == 1 and at_used[0]["utility"] == best["utility"]:
        return f"{measure} is highest at the threshold used, {at_used[0]['threshold']:.2f}: {best['utility']:g}."
    against = (f" ({at_used[0]['utility']:g} at {at_used[0]['threshold']:.2f}, the threshold used)"
               if len(at_used) == 1 else "")
    return (f"{measure} is highest at {best['threshold']:.2f}: {best['utility']:g}{against}. Chosen on these same "
            "questions, that figure is optimistic: check a threshold on other questions before setting it.")


def sweep_lines(sweep: list[dict], used: tuple[float, ...], wrong_cost: float) -> list[str]:
    """The threshold sweep as a markdown table, the threshold used marked."""
    lines = ["| threshold | answered | right | wrong | answer accuracy | answers right | refusal precision | "
             f"refusal recall | right − {wrong_cost:g} × wrong |", "|---|" + "---|" * 8]
    for row in sweep:
        mark = " (used)" if row["threshold"] in used else ""
        lines.append(f"| {row['threshold']:.2f}{mark} | {row['answered']} | {row['right']} | {row['wrong']} | "
                     + " | ".join(format_value(row[k]) for k in ("answer_accuracy", "answers_right", "refusal_precision",
                                                          "refusal_recall")) + f" | {row['utility']:g} |")
    return lines


def losses(results: list[ItemResult]) -> dict[str, dict[str, int]]:
    """How many answerable questions each stage lost (`LOSS_STAGES`), overall and per language."""
    languages = sorted({r.item.lang.value for r in results})
    return {stage: {group: sum(r.lost_at == stage and group in ("overall", r.item.lang.value) for r in results)
                    for group in ("overall", *languages)} for stage in LOSS_STAGES}


def loss_lines(table: dict[str, dict[str, int]]) -> list[str]:
    """The losses as a markdown table, a row per stage with what it means."""
    groups = list(next(iter(table.values()), {}))
    lines = ["| lost at | " + " | ".join(groups) + " | meaning |", "|---|" + "---|" * (len(groups) + 1)]
    return lines + [f"| {stage} | " + " | ".join(str(counts[g]) for g in groups) + f" | {LOSS_STAGES[stage]} |"
                    for stage, counts in table.items()]


def breakdown_table(title: str, groups: dict[str, dict]) -> list[str]:
    """A markdown table: one row per group (a kind, a document), one column per headline metric."""
    lines = ["", f"## By {title}", "", f"| {title} | " + " | ".join(BREAKDOWN) + " |", "|---|" + "---|" * len(BREAKDOWN)]
    lines += [f"| {name} | " + " | ".join(format_value(m.get(k)) for k in BREAKDOWN) + " |" for name, m in groups.items()]
    return lines


def right_and_wrong(results: list[ItemResult]) -> tuple[int, int]:
    """Right answers, and wrong ones (`_wrong_answer`)."""
    return sum(r.correct and r.grounded for r in results), sum(_wrong_answer(r) for r in results)


def spread_line(spread: dict, right: int, wrong: int, wrong_cost: float = 1.5, before: dict | None = None) -> str:
    """The refit spread (`calibrate.refit_spread`) beside this run's right and wrong answers, and beside the spread
    of the report compared with (`before`), when it has one."""
    def span(values) -> str:
        low, high = min(values), max(values)
        return f"{low:g}" if low == high else f"{low:g}–{high:g}"

    def mean(values) -> str:
        return f"{sum(values) / len(values):.1f}"

    line = (f"Refit spread ({spread['runs']} refits, each training fold without a random {spread['leave_out']:.0%} of "
            f"its questions): right {span(spread['right'])}, wrong {span(spread['wrong'])}, right − {wrong_cost:g} × "
            f"wrong {span(spread['utility'])} (mean {mean(spread['utility'])}); this run {right} / {wrong} "
            f"({right - wrong_cost * wrong:g}).")
    if before:
        line += (f" The compared report's: right {span(before['right'])}, wrong {span(before['wrong'])}, "
                 f"{span(before['utility'])} (mean {mean(before['utility'])}).")
    return line + " A change that moves the answers less than this cannot be told from the refit noise."


def _markdown(testset: Path, metrics: dict[str, dict], results: list[ItemResult], context: dict,
              breakdowns: dict[str, dict[str, dict]], worst: list[ItemResult], sweep: list[dict]) -> str:
    groups = list(metrics)
    lines = [f"# Eval report: `{testset}`", "", f"Index: {context.get('index', {})}", "",
             f"Selector: {context.get('selector', '')}", "",
             "| metric | " + " | ".join(groups) + " |", "|---|" + "---|" * len(groups)]
    for name in ("items", "answerable", "unanswerable", "accuracy", *METRICS, "crosslingual_items",
                 "crosslingual_accuracy", "latency_p50_ms", "latency_p95_ms", "errors", *INTERVALS):
        lines.append(f"| {name} | " + " | ".join(format_value(metrics[g].get(name)) for g in groups) + " |")
    lines += ["", INTERVALS_NOTE]
    for title, table in breakdowns.items():
        lines += breakdown_table(title, table)
    if comparison := context.get("comparison"):
        lines += ["", f"## Compared with `{comparison['against']}`", "", "```",
                  *comparison_lines(comparison), "```"]
    lines += ["", "## Where the answerable questions not answered right were lost", ""] + loss_lines(losses(results))
    if any(r.open_outcome for r in results):
        lines += ["", "## Answers at each refusal threshold", "",
                  "What each threshold (`answer.threshold` in policy-assistant.toml) would have given these questions: "
                  "an answer is given when its confidence reaches the threshold and no hard gate or the verifier "
                  "refuses it.", ""]
        lines += sweep_lines(sweep, used_thresholds(context), context.get("wrong_cost", 1.5))
        lines += ["", best_line(sweep, used_thresholds(context), context.get("wrong_cost", 1.5))]
    if spread := context.get("refit_spread"):
        lines += ["", spread_line(spread, *right_and_wrong(results), context.get("wrong_cost", 1.5),
                                  context.get("compared_spread"))]
    lines += ["", f"## Worst misses: the {len(worst)} wrong answers given with the highest confidence", ""]
    lines += [f"{n}. {describe_miss(r)}" for n, r in enumerate(worst, 1)] or ["None: no answer was wrong."]
    failed = [r for r in results if failure_reason(r)]
    lines += ["", f"## Failed items ({len(failed)})", ""]
    if not failed:
        lines.append("None.")
    for r in failed:
        expected = ", ".join(json.dumps(f, ensure_ascii=False) for f in r.item.expected_facts) or "a refusal"
        lines += [
            f"### {r.item.id} ({r.item.lang.value}, {r.item.kind or 'no kind'}, {r.item.doc or 'no document'}) — "
            f"{failure_reason(r)}",
            f"- question: {r.item.question}",
            f"- answer: {r.answer or '(none)'}",
            f"- expected: {expected}",
            f"- gold rank: {r.gold_rank if r.item.gold else '–'}",
            "",
        ]
    return "\n".join(lines) + "\n"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display here
    import matplotlib.pyplot as plt

    return plt


def _plot_metrics(metrics: dict[str, dict], path: Path) -> None:
    plt = _pyplot()
    shown = ("answer_accuracy", "refusal_precision", "refusal_recall", "citation_validity", "language_match", "hit@1")
    groups = [g for g in metrics if g != "overall"] + ["overall"]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(groups)
    for i, group in enumerate(groups):
        values = [metrics[group].get(m) or 0.0 for m in shown]
        bars = ax.bar([x + i * width for x in range(len(shown))], values, width, label=group)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([x + width * (len(groups) - 1) / 2 for x in range(len(shown))], shown, fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title("Answer quality per language")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_losses(results: list[ItemResult], path: Path) -> None:
    """Per language, the answerable questions answered right and, stacked on them, those each stage lost."""
    plt = _pyplot()
    table = losses(results)
    groups = [g for g in next(iter(table.values())) if g != "overall"] + ["overall"]
    right = [sum(r.item.answerable and r.correct and g in ("overall", r.item.lang.value) for r in results)
             for g in groups]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    bottom = [0] * len(groups)
    for name, values in [("answered right", right), *((f"lost at {s}", [table[s][g] for g in groups]) for s in table)]:
        if any(values):
            ax.bar(groups, values, 0.6, bottom=bottom, label=name)
            bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("answerable questions")
    ax.set_title("Where the answerable questions went")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_thresholds(sweep: list[dict], used: tuple[float, ...], path: Path) -> None:
    """Right and wrong answers at each refusal threshold, the threshold used marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = [row["threshold"] for row in sweep]
    ax.plot(xs, [row["right"] for row in sweep], marker="o", label="right answers")
    ax.plot(xs, [row["wrong"] for row in sweep], marker="o", label="wrong answers")
    for t in used:
        ax.axvline(t, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("refusal threshold (confidence needed to answer)" + ("; dashed: the threshold used" if used else ""))
    ax.set_ylabel("questions")
    ax.set_title("Answers at each refusal threshold")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_latency(results: list[ItemResult], path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    for language in sorted({r.item.lang.value for r in results}):
        ax.hist([r.latency_ms for r in results if r.item.lang.value == language], bins=20, alpha=0.6, label=language)
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency distribution")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
