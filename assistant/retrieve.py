"""Retrieval: a pool of passages from four searches (passage vectors, sentence vectors, BM25 keywords, and the
question's names and foreign-script words), fused with RRF, then ranked by the learned ranker."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .config import RetrieveSettings
from .features import names_share, share, versions_text, weighted_coverage
from .index import IndexStore
from .question import Asks, Cues, Question
from .sentences import mask_kinds
from .types import Hit, Language

# What the ranker sees of a passage in the pool, in the order its weights follow.
PASSAGE_FEATURES: tuple[str, ...] = (
    "vector",  # cosine of the question and the passage (with its heading path)
    "sentence",  # best cosine of the question and one of the passage's sentences
    "keyword",  # BM25 over the pool's best
    "coverage",  # IDF-weighted share of the question's topic terms in the passage
    "heading_coverage",
    "title_coverage",  # … in its document's title
    "figures",  # share of the question's figures in the passage
    "names",  # share of the question's codes and names in the passage (any language version) or its heading
    "title_names",  # … in its document's title
    "same_language",
    "vector_rank",  # 1 / (1 + rank) in each of the four searches
    "keyword_rank",
    "sentence_rank",
    "anchor_rank",
    "fused",  # reciprocal rank fusion of the four, times k
    "document_votes",  # share of the pool's top 20 from the same document
    "evidence",  # one of its sentences holds the kind of fact asked for (a date for "when"…)
    "evidence_coverage",  # the best topic coverage of such a sentence (same language)
    "form_held",  # it holds a form of answer the question asks for (an e-mail address, a phone number…); 1 when
                  # the question asks for none
)


def rrf(rankings: list[list[int]], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings a passage appears in (Cormack et al. 2009)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, position in enumerate(ranking, 1):
            fused[position] = fused.get(position, 0.0) + 1.0 / (k + rank)
    return fused


@dataclass(frozen=True)
class Pool:
    """One question's candidate passages with their features, before the ranker orders them."""

    positions: list[int]
    features: np.ndarray
    vector_scores: list[float]
    keyword_scores: list[float]
    sentence_scores: list[float]
    second_scores: list[float]


def gather_pool(question: Question, store: IndexStore, settings: RetrieveSettings, allowed: np.ndarray | None = None,
                idf: dict[str, float] | None = None, cues: dict[Language, Cues] | None = None) -> Pool:
    """The passages the four searches find (up to `settings.pool`), each with PASSAGE_FEATURES."""
    idf = idf or {}
    rows = None if allowed is None else np.asarray(allowed, dtype=np.int64)
    scores, ids = store.vectors.search(question.vector, settings.pool, rows)
    vector_scores = {int(i): float(s) for i, s in zip(ids, scores)}
    vector_ranking = list(vector_scores)
    keyword_results = store.keyword.search(question.terms, settings.pool, rows)
    keyword_scores = dict(keyword_results)
    keyword_ranking = [i for i, _ in keyword_results]
    sentence_results = store.sentences.search(question.vector, settings.sentence_depth, allowed)
    sentence_scores = dict(sentence_results)
    sentence_ranking = [i for i, _ in sentence_results][: settings.pool]
    anchor_ranking = [i for i, _ in store.keyword.search(question.anchors, settings.pool, rows)] if question.anchors else []
    fused = rrf([vector_ranking, keyword_ranking, sentence_ranking, anchor_ranking], settings.rrf_k)
    positions = sorted(fused, key=lambda i: (-fused[i], i))[: settings.pool]
    if not positions:
        return Pool([], np.zeros((0, len(PASSAGE_FEATURES)), np.float32), [], [], [], [])

    ranks = [{p: r for r, p in enumerate(ranking)} for ranking in (vector_ranking, keyword_ranking, sentence_ranking,
                                                                   anchor_ranking)]
    votes = Counter(store.chunks[i].doc_id for i in positions[:20])
    records = store.sentences.records(positions) if question.asks is not Asks.OTHER else {}
    best_keyword = max((keyword_scores.get(i, 0.0) for i in positions), default=0.0) or 1.0
    rows, vectors, keywords, sentences, seconds = [], [], [], [], []
    for i in positions:
        chunk = store.chunks[i]
        vector = vector_scores.get(i)
        if vector is None:
            vector = float(store.vectors.reconstruct(i) @ question.vector)
        sentence = sentence_scores.get(i)
        if sentence is None:
            first, last = store.sentences.range(i)
            block = np.asarray(store.sentences.vectors[first:last], dtype=np.float32)
            sentence = float(np.max(block @ question.vector)) if last > first else 0.0
        second = 0.0
        if question.second_vector is not None and store.second_vectors is not None:
            second = float(store.second_vectors[i] @ question.second_vector)
        versions = store.aligned(chunk).values()
        passage_text = versions_text(versions).casefold()
        title = store.documents[chunk.doc_id].title if chunk.doc_id in store.documents else ""
        held = passage_evidence(question, store, i, idf, records.get(i))
        forms = frozenset().union(*(cues[v.language].held_forms(v.text) for v in versions)) if question.forms and cues \
            else frozenset()
        rows.append([
            vector,
            sentence,
            keyword_scores.get(i, 0.0) / best_keyword,
            weighted_coverage(question.focus, store.chunk_terms[i], idf),
            weighted_coverage(question.focus, store.heading_terms[i], idf),
            weighted_coverage(question.focus, store.title_terms.get(chunk.doc_id, frozenset()), idf),
            share(question.figures, store.chunk_figures[i]),
            names_share(question.names, passage_text),
            names_share(question.names, title.casefold()) if question.names else 0.0,
            float(chunk.language is question.language),
            *(1.0 / (2 + rank[i]) if i in rank else 0.0 for rank in ranks),
            fused[i] * settings.rrf_k,
            votes[chunk.doc_id] / min(20, len(positions)),
            *held,
            float(not question.forms or bool(question.forms & forms)),
        ])
        vectors.append(vector)
        keywords.append(keyword_scores.get(i, 0.0))
        sentences.append(sentence)
        seconds.append(second)
    return Pool(positions, np.asarray(rows, dtype=np.float32), vectors, keywords, sentences, seconds)


def passage_evidence(question: Question, store: IndexStore, position: int, idf: dict[str, float],
                     record: dict | None) -> tuple[float, float]:
    """Whether one of the passage's sentences holds the kind of fact asked for, and the best topic coverage of
    such a sentence (0 across languages: the terms are another language's); `record` is the passage's sentence
    record (`SentenceStore.records`, read for the whole pool at once; None when the question asks for no kind)."""
    if question.asks is Asks.OTHER:
        return 1.0, 0.0
    same = store.chunks[position].language is question.language
    best, found = 0.0, 0.0
    for terms, kinds in zip(record["terms"], record["kinds"]):
        if question.asks in mask_kinds(kinds):
            found = 1.0
            if same:
                best = max(best, weighted_coverage(question.focus, frozenset(terms), idf))
    return found, best


def rank_pool(pool: Pool, store: IndexStore, ranker, k: int, w_second: float = 0.0) -> list[Hit]:
    """The pool ordered by the ranker's score (plus the second model's cosine, weighted, when there is one)."""
    if not pool.positions:
        return []
    scores = ranker.score(pool.features) + w_second * np.asarray(pool.second_scores, dtype=np.float32)
    order = sorted(range(len(pool.positions)), key=lambda j: (-scores[j], pool.positions[j]))[:k]
    return [
        Hit(chunk=store.chunks[pool.positions[j]], score=float(scores[j]), vector_score=pool.vector_scores[j],
            keyword_score=pool.keyword_scores[j], rerank_score=float(scores[j]), sentence_score=pool.sentence_scores[j])
        for j in order
    ]


def retrieve(question: Question, store: IndexStore, settings: RetrieveSettings, ranker, k: int | None = None,
             allowed: np.ndarray | None = None, idf: dict[str, float] | None = None,
             cues: dict[Language, Cues] | None = None) -> list[Hit]:
    """The `k` best passages for the question; `allowed` (sorted positions) restricts the search to them (filters)."""
    if not store.chunks:
        return []
    pool = gather_pool(question, store, settings, allowed, idf, cues)
    return rank_pool(pool, store, ranker, k or settings.k, settings.w_second)
