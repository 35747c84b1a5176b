"""Hybrid retrieval: FAISS vectors + BM25 keywords fused with RRF, then reranked with offline evidence."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import RetrieveSettings
from .embed import Embedder
from .index import IndexStore
from .text import Analyzer, numbers
from .types import Hit, Language


@dataclass(frozen=True)
class Query:
    """A question prepared once for retrieval and answering."""

    text: str
    language: Language
    terms: tuple[str, ...]
    vector: np.ndarray
    second_vector: np.ndarray | None


def prepare_query(text: str, language: Language, embedder: Embedder, second: Embedder | None, analyzer: Analyzer) -> Query:
    """Embed and cut the question once."""
    return Query(
        text=text,
        language=language,
        terms=tuple(analyzer.terms(text, language)),
        vector=embedder.embed_queries([text])[0],
        second_vector=None if second is None else second.embed_queries([text])[0],
    )


def rrf(rankings: list[list[int]], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings a passage appears in."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, position in enumerate(ranking, 1):
            fused[position] = fused.get(position, 0.0) + 1.0 / (k + rank)
    return fused


def term_coverage(query_terms: tuple[str, ...] | list[str], passage_terms: list[str] | set[str], idf: dict[str, float] | None = None) -> float:
    """Share of the query's terms (IDF-weighted when given) that the passage contains."""
    unique = set(query_terms)
    if not unique:
        return 0.0
    present = set(passage_terms)
    # A term the corpus never uses weighs more than any it does: the question is about something else.
    unknown = max(idf.values(), default=1.0) + 1.0 if idf else 1.0
    weight = (lambda t: idf.get(t, unknown)) if idf else (lambda t: 1.0)
    total = sum(weight(t) for t in unique)
    return sum(weight(t) for t in unique if t in present) / total


def retrieve(
    query: Query,
    store: IndexStore,
    settings: RetrieveSettings,
    k: int | None = None,
    allowed: set[int] | None = None,
) -> list[Hit]:
    """The `k` best passages for the query; `allowed` restricts the search to those positions (filters)."""
    k = k or settings.k
    total = len(store.chunks)
    if total == 0:
        return []
    depth = min(total, max(settings.candidates, k) if allowed is None else total)
    scores, ids = store.faiss_index.search(query.vector[None, :].astype(np.float32), depth)
    vector_scores = {int(i): float(s) for i, s in zip(ids[0], scores[0]) if i >= 0}
    vector_ranking = [i for i in vector_scores if allowed is None or i in allowed][: settings.candidates]
    keyword_results = store.keyword.search(query.terms, depth)
    keyword_ranking = [i for i, _ in keyword_results if allowed is None or i in allowed][: settings.candidates]
    keyword_scores = dict(keyword_results)
    fused = rrf([vector_ranking, keyword_ranking], settings.rrf_k)

    positions = sorted(fused, key=lambda i: -fused[i])[: settings.candidates]
    query_numbers = numbers(query.text)
    hits = []
    for i in positions:
        chunk = store.chunks[i]
        vector = vector_scores.get(i)
        if vector is None:
            vector = float(store.faiss_index.reconstruct(i) @ query.vector)
        second = 0.0
        if query.second_vector is not None and store.second_vectors is not None:
            second = float(store.second_vectors[i] @ query.second_vector)
        lexical = term_coverage(query.terms, store.chunk_terms[i])
        if query_numbers:
            lexical = 0.5 * lexical + 0.5 * len(query_numbers & numbers(chunk.text)) / len(query_numbers)
        rerank = settings.w_vector * vector + settings.w_second * second + settings.w_lexical * lexical
        if chunk.language is query.language:
            rerank += settings.w_same_language
        hits.append(
            Hit(
                chunk=chunk,
                score=rerank + settings.w_rrf * fused[i],
                vector_score=vector,
                keyword_score=keyword_scores.get(i, 0.0),
                rerank_score=rerank,
            )
        )
    hits.sort(key=lambda h: (-h.score, h.chunk.chunk_id))
    return hits[:k]
