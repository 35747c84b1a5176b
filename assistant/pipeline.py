"""Wire the stages: open the models and index once, then answer questions with timings."""
from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from .answer import Candidate, compose_answer, verified, verify_answer
from .config import Settings
from .embed import Embedder, load_embedder, optional_embedder
from .errors import InvalidQuestionError
from .index import IndexStore, check_compatible, load_index
from .language import detect_language
from .eligibility.facts import eligibility_answer, named, profile_from_text
from .eligibility.match import MATCH_ORDER, match
from .eligibility.vocabulary import ProfileError, Vocabulary, countries_named, load_vocabulary
from .question import Asks, Cues, Question, analyse_question, load_cues
from .retrieve import retrieve
from .selector import Selector, default_path, load_selector, untrained_selector
from .text import Analyzer, load_analyzer
from .types import Answer, Hit, Language


@dataclass
class Engine:
    """What answering needs, loaded once per process and shared (read-only) by every request."""

    settings: Settings
    store: IndexStore
    embedder: Embedder
    second: Embedder | None
    analyzer: Analyzer
    cues: dict[Language, Cues] = field(default_factory=load_cues)
    selector: Selector = field(default_factory=load_selector)
    vocabulary: Vocabulary = field(default_factory=load_vocabulary)
    idf: dict[str, float] = field(default_factory=dict)
    sentence_model: Embedder | None = None  # embeds the question for the sentence vectors' second opinion

    def __post_init__(self) -> None:
        self.idf = self.store.idf

    @property
    def threshold(self) -> float:
        """The confidence under which answers are refused: the setting's, else the selector's."""
        configured = self.settings.answer.threshold
        return self.selector.threshold if configured is None else configured


def open_engine(settings: Settings, index_dir: Path | None = None, selector: bool = True) -> Engine:
    """Load the index and the models the settings name; fail early when they do not match. Without `selector`
    (for `calibrate`, which trains one) the answer selector is an untrained placeholder."""
    from concurrent.futures import ThreadPoolExecutor

    index_dir = index_dir or settings.index
    with ThreadPoolExecutor(1) as loader:  # the model loads (in C++, GIL released) while the index does
        pending = loader.submit(load_embedder, settings.embed.model, settings.embed.threads)
        store = load_index(index_dir, settings.vectors.ef_search)
        embedder = pending.result()
    embed = settings.embed
    check_compatible(store, embed.model, embed.rerank_model, settings.keyword.korean, index_dir, embed.sentence_model)
    second = optional_embedder(embed.rerank_model, embed.threads)
    sentence_model = optional_embedder(embed.sentence_model, embed.threads)
    if selector:
        chosen = load_selector(Path(settings.answer.selector) if settings.answer.selector
                               else default_path(embed.sentence_model))
    else:
        chosen = untrained_selector()
    return Engine(settings, store, embedder, second, load_analyzer(settings.keyword.korean), selector=chosen,
                  sentence_model=sentence_model)


def clean_question(question: str, max_chars: int) -> str:
    """The question without control characters; rejects empty and over-long ones."""
    text = "".join(ch for ch in unicodedata.normalize("NFC", question) if unicodedata.category(ch)[0] != "C" or ch in " \t")
    text = " ".join(text.split())
    if not text:
        raise InvalidQuestionError("the question is empty. Ask something, e.g.: policy-assistant ask \"Who can apply?\"")
    if len(text) > max_chars:
        raise InvalidQuestionError(
            f"the question is {len(text)} characters long; the limit is {max_chars}. Shorten it to the part you want answered."
        )
    return text


def ask(engine: Engine, question: str, language: Language | None = None, k: int | None = None,
        doc_ids: set[str] | None = None) -> Answer:
    """Answer one question; `language` None means detect it; `doc_ids` restricts the search."""
    return ask_with_hits(engine, question, language, k, doc_ids)[0]


def understand(engine: Engine, text: str, language: Language, for_answers: bool = True) -> Question:
    """The question's record, embedded once per model (by the sentence model only `for_answers`: retrieval does
    not read it)."""
    question = analyse_question(text, language, engine.analyzer, engine.cues)
    question = replace(
        question,
        countries=countries_named(text, engine.vocabulary, regions=False),  # a region is more often the asker's
        vector=engine.embedder.embed_queries([text])[0],
        second_vector=None if engine.second is None else engine.second.embed_queries([text])[0],
    )
    return for_answering(engine, question) if for_answers else question


def for_answering(engine: Engine, question: Question) -> Question:
    """The question with its sentence-model vector (what the answer chooser compares candidate sentences with)."""
    if engine.sentence_model is None or question.sentence_vector is not None:
        return question
    return replace(question, sentence_vector=engine.sentence_model.embed_queries([question.text])[0])


@dataclass(frozen=True)
class Trace:
    """What one ask went through: the question record, the ranked passages and the scored candidates."""

    question: Question
    hits: list[Hit]
    candidates: list[Candidate]


def ask_traced(engine: Engine, text: str, language: Language | None = None, k: int | None = None,
               doc_ids: set[str] | None = None, threshold: float | None = None) -> tuple[Answer, Trace]:
    """`ask`, also returning what it went through (for eval and calibration)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    engine.store.require_documents(doc_ids)
    text = clean_question(text, engine.settings.answer.max_question_chars)
    language = language or detect_language(text)
    timings["detect"] = (time.perf_counter() - started) * 1000

    mark = time.perf_counter()
    question = understand(engine, text, language, for_answers=False)
    hits: list[Hit] = retrieve(question, engine.store, engine.settings.retrieve, engine.selector.ranker, k=k,
                               allowed=engine.store.positions(doc_ids), idf=engine.idf, cues=engine.cues)
    timings["retrieve"] = (time.perf_counter() - mark) * 1000

    # After retrieval, not before: the sentence model's OpenMP threads keep spinning on both cores for a while
    # after a call, and retrieval run meanwhile took several times longer.
    mark = time.perf_counter()
    question = for_answering(engine, question)
    threshold = engine.threshold if threshold is None else threshold
    answer, candidates = None, []
    if question.asks is Asks.ELIGIBILITY and engine.store.programmes:
        answer = answer_eligibility(engine, question, hits, doc_ids)
    if answer is None:
        answer, candidates = compose_answer(question, hits, engine.store, engine.selector, engine.cues, engine.idf,
                                            engine.settings.answer.passages, threshold)
    answer = verified(answer, text, language, hits, engine.store)
    timings["answer"] = (time.perf_counter() - mark) * 1000
    timings["total"] = (time.perf_counter() - started) * 1000
    return replace(answer, timings_ms=timings), Trace(question, hits, candidates)


def answer_eligibility(engine: Engine, question: Question, hits: list[Hit], doc_ids: set[str] | None = None
                       ) -> Answer | None:
    """An eligibility question that states facts ("직원 30명인 대구 제조업체인데 …"), answered by the matcher: the
    programmes it names (`facts.named`: a code, or the most words of a title), else those of the documents found;
    of these, those on which a stated fact bears (all of them when it bears on none), in the
    order found within each verdict; when not one of them may fit, the
    first of them and then the programmes of the other documents (of `doc_ids` only, when given) that may, and
    whose conditions a stated fact other than the kind of applicant meets (a region, an age…). Verdicts,
    cited conditions, facts still missing; None when no programme is left, or the question states no facts."""
    profile = profile_from_text(question.text, engine.vocabulary, question.language)
    if not set(profile) - {"applicant_kind"}:
        return None  # no facts: the passages answer with the criterion itself
    rank: dict[str, int] = {}
    for i, hit in enumerate(hits):
        rank.setdefault(hit.chunk.doc_id, i)
        rank.setdefault(hit.chunk.group_id, i)
    programmes = [p for p in engine.store.programmes if doc_ids is None or p.doc_id in doc_ids]
    try:
        results = match(profile, programmes, engine.vocabulary)
    except ProfileError:
        return None
    if asked := named(question.names, results, engine.store.documents, question.text):
        # The question names its programmes: those are the answer, found by the search or not (then last).
        for result in asked:
            rank.setdefault(result.programme.doc_id, len(hits))
        found = asked
    else:
        found = [r for r in results if r.programme.doc_id in rank]
    found = sorted(found, key=lambda r: (MATCH_ORDER[r.verdict], rank[r.programme.doc_id]))
    # A programme on which no stated fact bears ("to be checked", every condition open) says nothing about the
    # asker: it is left out when a stated fact decides a condition of another programme found.
    if decided := [r for r in found if any(c.met is not None for c in r.conditions)]:
        found = decided
    others_from = None
    if all(r.verdict == "not_eligible" for r in found):
        found, others_from = found[:1], min(1, len(found))
        found += [r for r in results if r.programme.doc_id not in rank and r.verdict != "not_eligible" and any(
            c.met and c.condition.field != "applicant_kind" for c in r.conditions)]  # a fact stated meets one
    if not found:
        return None
    answer = eligibility_answer(question.text, question.language, found, engine.store, engine.vocabulary,
                                others_from=others_from)
    return None if verify_answer(answer.answer, answer.citations) else answer


def ask_explained(engine: Engine, question: str, language: Language | None = None, k: int | None = None,
                  doc_ids: set[str] | None = None) -> tuple[Answer, dict]:
    """`ask`, also returning why it answered or refused (`explain.explain`: `ask --explain`, `/api/ask` with
    "explain": true)."""
    from .explain import explain

    answer, trace = ask_traced(engine, question, language, k, doc_ids)
    return answer, explain(engine, answer, trace)


def ask_with_hits(engine: Engine, question: str, language: Language | None = None, k: int | None = None,
                  doc_ids: set[str] | None = None) -> tuple[Answer, list[Hit]]:
    """`ask`, also returning the ranked passages it answered from."""
    answer, trace = ask_traced(engine, question, language, k, doc_ids)
    return answer, trace.hits


def search(engine: Engine, query: str, k: int = 10, doc_ids: set[str] | None = None,
           languages: set[Language] | None = None) -> list[Hit]:
    """Passages only (no answer), for staff: the top `k`, optionally only from some documents or languages."""
    engine.store.require_documents(doc_ids)
    query = clean_question(query, engine.settings.answer.max_question_chars)
    prepared = understand(engine, query, detect_language(query), for_answers=False)
    return retrieve(prepared, engine.store, engine.settings.retrieve, engine.selector.ranker, k=k,
                    allowed=engine.store.positions(doc_ids, languages), idf=engine.idf, cues=engine.cues)
