"""Why an answer came out as it did: the question as read, the passages found, the candidate sentences the chooser
weighed, and the gate that refused (`policy-assistant ask --explain`)."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .answer import answer_from, best_candidate, refusal_reasons, source_of, verify_answer
from .features import EVIDENCE_AT
from .types import Answer

if TYPE_CHECKING:  # the pipeline imports this module
    from .pipeline import Engine, Trace

_TEXT_CHARS = 160


def explain(engine: Engine, answer: Answer, trace: Trace, threshold: float | None = None, top: int = 5) -> dict:
    """What one ask went through (`answer` and `trace` from `pipeline.ask_traced`), as plain data: the question's
    record, the passages, the chooser's `top` candidates with their share of its probability, the pick's
    confidence against the threshold, and the reasons for a refusal."""
    question = trace.question
    threshold = engine.threshold if threshold is None else threshold
    report = {
        "question": {"language": question.language.value, "asks": str(question.asks),
                     "figures": sorted(question.figures), "names": sorted(question.names)},
        "passages": [{"rank": n, "doc_id": hit.chunk.doc_id, "language": hit.chunk.language.value,
                      "score": round(float(hit.score), 3)} for n, hit in enumerate(trace.hits, 1)],
        "candidates": [], "pick": None, "threshold": round(float(threshold), 3),
        "decision": "answered" if answer.grounded else "refused", "reasons": [],
    }
    if not trace.candidates:
        report["reasons"] = ([] if answer.grounded else ["no sentence of the passages found could be a candidate"])
        if answer.grounded:
            report["decision"] = "answered from the programme records (eligibility)"
        return report
    candidates = trace.candidates
    features = np.stack([c.features for c in candidates])
    scores = engine.selector.chooser.score(features)
    odds = np.exp(scores - scores.max())
    share = odds / odds.sum()
    index, confidence = best_candidate(candidates, engine.selector, question.figures)
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i].rank, candidates[i].sentence.position))
    report["candidates"] = [{
        "text": _short(candidates[i].sentence.text), "doc_id": candidates[i].chunk.doc_id,
        "language": candidates[i].sentence.language.value, "passage_rank": candidates[i].rank,
        "share": round(float(share[i]), 3), "holds_kind_asked": bool(features[i, EVIDENCE_AT] > 0),
        "picked": i == index} for i in order[:top]]
    report["pick"] = {"confidence": round(confidence, 3), "doc_id": candidates[index].chunk.doc_id}
    if answer.grounded:
        return report
    best = replace(candidates[index], probability=confidence)
    reasons = refusal_reasons(question, best, confidence, threshold, engine.cues, source_of(best.chunk, engine.store))
    if not reasons:  # the gates let it through: the verifier refused the draft
        draft = answer_from(question, trace.hits, candidates, engine.store, engine.selector, engine.cues, threshold)
        reasons = [f"the verifier rejected the draft: {problem}"
                   for problem in verify_answer(draft.answer, draft.citations)]
    report["reasons"] = reasons
    return report


def _short(text: str) -> str:
    return text if len(text) <= _TEXT_CHARS else text[:_TEXT_CHARS - 1].rsplit(" ", 1)[0] + "…"


def explanation_lines(report: dict) -> list[str]:
    """The report as lines for a terminal."""
    q = report["question"]
    lines = [f"question: {q['language']} · asks for {q['asks']}"
             + (f" · figures {', '.join(q['figures'])}" if q["figures"] else "")
             + (f" · names {', '.join(q['names'])}" if q["names"] else "")]
    lines.append("passages: " + ", ".join(f"{p['rank']}. {p['doc_id']} ({p['language']}, {p['score']:.2f})"
                                          for p in report["passages"]))
    if report["candidates"]:
        lines.append("candidates (share of the chooser's probability; ✓ holds the kind of fact asked for):")
        for c in report["candidates"]:
            mark = "→" if c["picked"] else " "
            lines.append(f" {mark} {c['share']:.2f} {'✓' if c['holds_kind_asked'] else '·'} "
                         f"[passage {c['passage_rank']}, {c['doc_id']}, {c['language']}] {c['text']}")
    if report["pick"]:
        lines.append(f"pick: confidence {report['pick']['confidence']:.2f}, threshold {report['threshold']:.2f}")
    lines.append(f"decision: {report['decision']}" + (": " + "; ".join(report["reasons"]) if report["reasons"] else ""))
    return lines
