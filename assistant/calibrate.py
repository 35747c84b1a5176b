"""Train the passage ranker and the answer chooser on a question set, and score them held out by document.

Every question is understood and searched once; its pool of passages is kept with labels (does the passage hold
every expected fact?). A fit is two conditional logits, one for the ranker on the pool's passages, then one for the
chooser on the sentences of the passages the ranker puts first: a softmax over each question's passages or
candidates, so that each learns which of a question's rows is right, not how right rows look across questions;
then a logistic regression (scikit-learn, fixed seed) for the confidence that the chosen answer is right. The
assistant answers when that probability is at least the break-even point of `WRONG_COST`: a wrong answer costs
more than a refusal. `cross_validate` fits on every document but one and answers the held-out document's
questions with that fit, for each document in turn.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

import numpy as np

from .answer import Candidate, answer_from, answer_text, best_candidate, chooser_pick, gather_candidates, verified
from .errors import AssistantError
from .evaluation import evidence_rank, fact_present, outcome
from .features import FEATURES
from .pipeline import Engine, ask_traced, clean_question, understand
from .question import Cues, Question
from .retrieve import PASSAGE_FEATURES, Pool, gather_pool, rank_pool
from .selector import LinearModel, Selector
from .types import Answer, Hit, Language, TestItem

WRONG_COST = 1.5  # a wrong answer costs one and a half right ones; a refusal costs nothing
# The chooser's L2 penalty (on standardised features, summed over questions). Held out by document on the
# development set, 1 / 10 / 100 / 300 / 1000 gave right-minus-1.5×wrong answers of 4.5 / 12 / 23 / 30 / 18.
CHOOSER_L2 = 300.0
# The ranker's, chosen the same way (3 / 30 / 100 / 300 gave 29 / 32 / 30 / 29, a logistic regression 22). Measured
# again on 2026-11-28 with today's features and selector: 10 / 30 / 100 gave 93.5 / 91 / 88.5, and five refits
# (`--refit-spread 5`) 93.1 against 91.6 on average for 10 against 30; the seed set 98 / 5 against 95 / 5.
RANKER_L2 = 10.0
# The confidence model's inverse L2 strength (scikit-learn's C). Held out by document, C = 0.03 / 0.1 / 0.3 / 1 / 3
# answered 65 / 81 / 87 / 93 / 94 right and 19 / 23 / 23 / 29 / 29 wrong at 0.6 (right − 1.5 × wrong: 36.5 / 46.5 /
# 52.5 / 49.5 / 50.5).
CONFIDENCE_C = 0.3
# The inner folds (by document) whose choosers' picks the confidence model learns from. Fewer folds leave each inner
# chooser further from the one that answers, and the confidence bolder. Held out by document, five refits each
# (`eval --by-document --refit-spread 5`), 3 / 4 / 5 folds gave right − 1.5 × wrong of 90.9 / 91.6 / 88.1 on average;
# single runs at 2 / 11 / 22 folds, 85.5 / 87 / 85.5.
CONFIDENCE_INNER_FOLDS = 4
SEED = 0
REFIT_LEAVE_OUT = 0.01  # the share of each training fold's questions a spread refit leaves out
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Example:
    """One question understood and searched: its pool of passages, and which of them hold the expected facts."""

    item: TestItem
    question: Question | None  # None: the question was rejected (empty, unsupported language…)
    pool: Pool | None
    pool_labels: np.ndarray
    latency_ms: float
    engine: Engine = field(compare=False, repr=False)  # the index it was asked against
    error: str = ""
    testset: str = ""

    @property
    def group(self) -> str:
        return group_of(self.item, self.testset)


def group_of(item: TestItem, testset: str = "") -> str:
    """The document a question is about (held out together); questions of a set that names no document are held
    out as one group per set, and off-topic questions are one more group."""
    return item.doc or (f"({testset})" if item.answerable and testset else "(off-topic)")


@dataclass(frozen=True)
class Choice:
    """An example's candidates under a given ranker: hits, candidate sentences, their answer texts and labels."""

    hits: list[Hit]
    candidates: list[Candidate]
    texts: list[str]
    labels: np.ndarray


def holds_facts(item: TestItem, text: str) -> bool:
    """Does a text hold every expected fact of an answerable item?"""
    return item.answerable and bool(item.expected_facts) and all(fact_present(f, text) for f in item.expected_facts)


def collect(engine: Engine, items: Sequence[TestItem], progress: Progress | None = None, testset: str = "") -> list[Example]:
    """Understand and search every question once, keeping the pool of passages and its labels."""
    store = engine.store
    examples = []
    for done, item in enumerate(items, 1):
        started = time.perf_counter()
        try:
            question = understand(engine, clean_question(item.question, engine.settings.answer.max_question_chars),
                                  item.lang)
        except AssistantError as exc:
            examples.append(Example(item, None, None, np.zeros(0, np.int8), (time.perf_counter() - started) * 1000,
                                    engine, str(exc), testset))
            continue
        pool = gather_pool(question, store, engine.settings.retrieve, None, engine.idf, engine.cues)
        labels = np.array([holds_facts(item, " ".join(v.text for v in store.aligned(store.chunks[p]).values()))
                           for p in pool.positions], dtype=np.int8)
        examples.append(Example(item, question, pool, labels, (time.perf_counter() - started) * 1000, engine, "", testset))
        if progress:
            progress("asking", done, len(items))
    return examples


def labelled(item: TestItem, question: Question, hits: list[Hit], candidates: list[Candidate], engine: Engine) -> Choice:
    """The candidates with their answer texts and labels (does the answer text hold every expected fact?)."""
    texts = [answer_text(question, c, engine.store.documents, engine.cues) for c in candidates]
    return Choice(hits, candidates, texts, np.array([holds_facts(item, t) for t in texts], dtype=np.int8))


def missed(item: TestItem, answer: Answer | None) -> bool:
    """An answerable question (with expected facts) that was asked and not answered right."""
    return (answer is not None and item.answerable and bool(item.expected_facts)
            and not (answer.grounded and holds_facts(item, answer.answer)))


def lost_at(item: TestItem, question: Question | None, answer: Answer | None, choice: Choice, selector: Selector,
            cues: dict[Language, Cues], threshold: float) -> str:
    """The stage of `LOSS_STAGES` where an answerable question's answer was lost; "" when it was answered right,
    is not answerable, or was never asked (an error)."""
    if question is None or not missed(item, answer):
        return ""
    if not choice.labels.any():
        return "retrieval" if evidence_rank(choice.hits, item) is None else "candidates"
    index, confidence = best_candidate(choice.candidates, selector, question.figures)
    if not choice.labels[index]:
        return "chooser"
    if answer.grounded:  # not the pick's text: the eligibility matcher answered
        return "elsewhere"
    return "confidence" if confidence < threshold else "gate"


def open_answer(engine: Engine, question: Question, answer: Answer, hits: list[Hit], candidates: list[Candidate],
                selector: Selector) -> Answer:
    """The answer a question gets with no confidence threshold: `answer` when it was given (or there was no
    candidate), else the selector's pick as the hard gates and the verifier leave it."""
    if answer.grounded or not candidates:
        return answer
    return verified(answer_from(question, hits, candidates, engine.store, selector, engine.cues, threshold=0.0),
                    question.text, question.language, hits, engine.store)


def asked_and_traced(engine: Engine, item: TestItem) -> tuple[Answer, list[Hit], dict]:
    """An item asked as `ask` asks it (the engine's selector): the answer, the passages found, and where a miss
    was lost (`lost_at`) and the outcome with no threshold (`open_outcome`)."""
    answer, trace = ask_traced(engine, item.question, item.lang)
    info = {"lost_at": "", "open_outcome": outcome(item, open_answer(engine, trace.question, answer, trace.hits,
                                                                      trace.candidates, engine.selector))}
    if missed(item, answer):  # else nothing lost: the candidates' answer texts need not be made
        choice = labelled(item, trace.question, trace.hits, trace.candidates, engine)
        info["lost_at"] = lost_at(item, trace.question, answer, choice, engine.selector, engine.cues, engine.threshold)
    return answer, trace.hits, info


def choices(example: Example, ranker: LinearModel) -> Choice:
    """The example's candidate sentences when `ranker` orders its pool."""
    engine = example.engine
    if example.question is None or example.pool is None:
        return Choice([], [], [], np.zeros(0, np.int8))
    settings = engine.settings
    hits = rank_pool(example.pool, engine.store, ranker, settings.retrieve.k, settings.retrieve.w_second)
    candidates = gather_candidates(example.question, hits, engine.store, engine.idf, settings.answer.passages, engine.cues)
    return labelled(example.item, example.question, hits, candidates, engine)


def standardisation(rows: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows with each missing value (NaN) replaced by its feature's mean (0 for a feature missing everywhere),
    and the features' means and scales (a constant feature's scale is 1)."""
    missing = np.isnan(rows)
    with np.errstate(all="ignore"):
        mean = np.nan_to_num(np.nanmean(np.where(missing.all(axis=0), 0.0, rows), axis=0)) if len(rows) else np.zeros(width)
    rows = np.where(missing, mean, rows)
    scale = rows.std(axis=0) if len(rows) else np.ones(width)
    scale[scale < 1e-6] = 1.0
    return rows, mean, scale


def fit_linear(rows: np.ndarray, labels: np.ndarray, names: tuple[str, ...], seed: int = SEED, c: float = 1.0) -> LinearModel:
    """A logistic regression over standardised features (constant when the labels are); a missing value (NaN)
    counts as its feature's mean, and a feature missing everywhere weighs nothing."""
    from sklearn.linear_model import LogisticRegression

    rows, mean, scale = standardisation(rows, len(names))
    if len(rows) == 0 or labels.min() == labels.max():
        coef, intercept = np.zeros(len(names)), (5.0 if len(rows) and labels.max() else -5.0)
    else:
        model = LogisticRegression(C=c, max_iter=5000, random_state=seed).fit((rows - mean) / scale, labels)
        coef, intercept = model.coef_[0], float(model.intercept_[0])
    return LinearModel(names, mean.astype(np.float32), scale.astype(np.float32), coef.astype(np.float32), intercept)


def fit(examples: Sequence[Example], seed: int = SEED, wrong_cost: float = WRONG_COST) -> tuple[Selector, list[Choice]]:
    """Ranker, chooser and threshold fitted on the examples; also each example's choices under that ranker."""
    ranker = fit_conditional_logit([(e.pool.features, e.pool_labels) for e in examples if e.pool is not None
                                    and e.pool.positions], PASSAGE_FEATURES, RANKER_L2)
    made = [choices(e, ranker) for e in examples]
    chooser = fit_chooser(made)
    return Selector(ranker, chooser, fit_confidence(list(examples), made, seed), break_even(wrong_cost)), made


def learnable(made: Sequence[Choice]) -> bool:
    """Some question has a candidate answer that holds its expected facts and one that does not: without one, the
    chooser weighs nothing and the confidence refuses everything."""
    return any(c.labels.any() and not c.labels.all() for c in made)


def fit_chooser(made: Sequence[Choice], l2: float = CHOOSER_L2) -> LinearModel:
    """The answer chooser: which of a question's candidate sentences is the right answer built from?"""
    return fit_conditional_logit([(np.stack([k.features for k in c.candidates]), c.labels) for c in made if c.candidates],
                                 FEATURES, l2)


def fit_conditional_logit(lists: Sequence[tuple[np.ndarray, np.ndarray]], names: tuple[str, ...], l2: float
                          ) -> LinearModel:
    """A conditional logit over lists of (rows, labels), one list per question: the probability that a right
    row is picked is a softmax of the rows' scores within the list, so the model learns which row of a question
    is right, and nothing from what all of a question's rows share. Fitted (L-BFGS from zero weights,
    deterministic) on the lists that hold a right and a wrong row, with an L2 penalty on standardised features."""
    from scipy.optimize import minimize

    every_row = np.concatenate([rows for rows, _ in lists]).astype(np.float64) if lists else np.zeros((0, len(names)))
    _, mean, scale = standardisation(every_row, len(names))
    mixed = [(rows, labels) for rows, labels in lists if labels.any() and not labels.all()]
    if not mixed:  # nothing to tell apart
        return LinearModel(names, mean.astype(np.float32), scale.astype(np.float32), np.zeros(len(names), np.float32), 0.0)
    z = np.concatenate([rows for rows, _ in mixed]).astype(np.float64)
    z = (np.where(np.isnan(z), mean, z) - mean) / scale
    right = np.concatenate([labels for _, labels in mixed]).astype(bool)
    sizes = np.array([len(rows) for rows, _ in mixed])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])

    def loss(weights: np.ndarray) -> tuple[float, np.ndarray]:
        scores = z @ weights
        odds = np.exp(scores - np.repeat(np.maximum.reduceat(scores, starts), sizes))
        every = np.add.reduceat(odds, starts)
        good = np.maximum(np.add.reduceat(np.where(right, odds, 0.0), starts), 1e-300)  # no log(0) far from the optimum
        # −log P(a right row) per list = log Σ all − log Σ right; its gradient, E_all[z] − E_right[z]
        share = odds / np.repeat(every, sizes) - np.where(right, odds, 0.0) / np.repeat(good, sizes)
        return (float(np.sum(np.log(every) - np.log(good)) + 0.5 * l2 * weights @ weights),
                z.T @ share + l2 * weights)

    fitted = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 1000})
    return LinearModel(names, mean.astype(np.float32), scale.astype(np.float32), fitted.x.astype(np.float32), 0.0)


def fit_confidence(examples: list[Example], made: list[Choice], seed: int = SEED, inner: int = CONFIDENCE_INNER_FOLDS
                   ) -> LinearModel:
    """The confidence model, fitted on how the chooser's best candidate fared out of fold (inner folds by
    document, so that it learns how often an unseen document's best candidate is right)."""
    groups = sorted({e.group for e in examples})
    rows, labels = [], []
    for k in range(inner):
        held = set(groups[k::inner])
        train = [c for e, c in zip(examples, made) if e.group not in held and c.candidates]
        if not train:
            continue
        chooser = fit_chooser(train)
        for e, c in zip(examples, made):
            if e.group in held and c.candidates:
                best, row = chooser_pick(c.candidates, chooser, e.question.figures)
                rows.append(row)
                labels.append(int(c.labels[best]))
    from .features import CONFIDENCE_FEATURES

    matrix = np.stack(rows) if rows else np.zeros((0, len(CONFIDENCE_FEATURES)))
    return fit_linear(matrix, np.asarray(labels), CONFIDENCE_FEATURES, seed, c=CONFIDENCE_C)


def break_even(wrong_cost: float = WRONG_COST) -> float:
    """The refusal threshold: the probability of being right at which answering gains as much as it risks (a
    right answer gains one, a wrong one loses `wrong_cost`, a refusal neither), wrong_cost / (1 + wrong_cost).

    It is not fitted. The threshold that maximised right − wrong_cost × wrong answers on the training questions
    was tried first; held out by document it moved with every refit, because the utility curve is flat near its
    top and a few answers decide where its peak lies. The answers it added under the break-even point were right
    30 times and wrong 26 times over two label sets (54 %, where 60 % is needed to pay): docs/answer-quality-log.md."""
    return wrong_cost / (1.0 + wrong_cost)


def answer_with(example: Example, choice: Choice, selector: Selector) -> Answer | None:
    """The answer a selector gives to an example's question (refusal under the threshold; verified), as `ask`
    gives it."""
    engine = example.engine
    if example.question is None:
        return None
    answer = verified(answer_from(example.question, choice.hits, choice.candidates, engine.store, selector, engine.cues),
                      example.question.text, example.item.lang, choice.hits, engine.store)
    return replace(answer, question=example.item.question, timings_ms={"total": example.latency_ms})


def folds(examples: Sequence[Example]) -> list[tuple[str, list[int], list[int]]]:
    """Grouped folds: (held-out group, training positions, held-out positions), one per document."""
    groups = sorted({e.group for e in examples})
    return [(g, [i for i, e in enumerate(examples) if e.group != g], [i for i, e in enumerate(examples) if e.group == g])
            for g in groups]


def refit_spread(examples: Sequence[Example], runs: int, leave_out: float = REFIT_LEAVE_OUT,
                 wrong_cost: float = WRONG_COST, progress: Progress | None = None) -> dict:
    """The held-out answers at the threshold, right and wrong, over `runs` refits whose training folds each leave
    out a random `leave_out` share of their questions: the noise a refit alone brings (a change to the answer step
    that moves the counts less than this cannot be told from it)."""
    right, wrong = [], []
    for run in range(1, runs + 1):
        outcomes = [outcome(e.item, answer) for e, answer, *_ in cross_validate(examples, wrong_cost=wrong_cost,
                                                                                leave_out=leave_out, draw=run)]
        right.append(outcomes.count("right"))
        wrong.append(outcomes.count("wrong"))
        if progress:
            progress("refits for the spread", run, runs)
    utility = [r - wrong_cost * w for r, w in zip(right, wrong)]
    return {"runs": runs, "leave_out": leave_out, "right": right, "wrong": wrong, "utility": utility}


def cross_validate(examples: Sequence[Example], seed: int = SEED, progress: Progress | None = None,
                   wrong_cost: float = WRONG_COST, leave_out: float = 0.0, draw: int = 0
                   ) -> list[tuple[Example, Answer | None, list[Hit], dict]]:
    """Each example answered by a ranker and chooser fitted on the other documents' questions only; with
    `leave_out`, each fold's training also without that share of its questions, drawn at random (`draw` seeds the
    draw): how much a refit alone moves the answers (`refit_spread`)."""
    results: list = [None] * len(examples)
    splits = folds(examples)
    for done, (group, train, held) in enumerate(splits, 1):
        if leave_out:
            keep = np.random.default_rng([draw, done]).random(len(train)) >= leave_out
            train = [i for i, kept in zip(train, keep) if kept]
        selector, _ = fit([examples[i] for i in train], seed, wrong_cost)
        for i in held:
            choice = choices(examples[i], selector.ranker)
            answer = answer_with(examples[i], choice, selector)
            opened = None if answer is None else open_answer(examples[i].engine, examples[i].question, answer,
                                                              choice.hits, choice.candidates, selector)
            results[i] = (examples[i], answer, choice.hits, {
                "held_out": group, "threshold": selector.threshold, "open_outcome": outcome(examples[i].item, opened),
                "lost_at": lost_at(examples[i].item, examples[i].question, answer, choice, selector,
                                   examples[i].engine.cues, selector.threshold)})
        if progress:
            progress("held out by document", done, len(splits))
    return results
