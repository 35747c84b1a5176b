"""Keyword search: BM25 (bm25s) over analyzer terms, saved beside the vectors."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np


class KeywordIndex:
    """BM25 over pre-cut terms; `search` returns (position, score) pairs with score > 0."""

    def __init__(self, bm25) -> None:
        self._bm25 = bm25

    @classmethod
    def build(cls, corpus_terms: Sequence[Sequence[str]]) -> "KeywordIndex":
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        bm25 = bm25s.BM25()
        # bm25s cannot index an empty vocabulary: a placeholder term keeps an all-empty corpus valid.
        bm25.index([list(terms) or ["\u2400"] for terms in corpus_terms], show_progress=False)
        return cls(bm25)

    @classmethod
    def load(cls, folder: Path) -> "KeywordIndex":
        import bm25s

        return cls(bm25s.BM25.load(str(folder)))

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder))

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query terms (terms unknown to the index are ignored)."""
        known = [t for t in terms if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def search(self, terms: Sequence[str], top: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The best `top` passages with a positive score, best first; `allowed` restricts them to those rows.
        bm25s sums the postings of the query's terms only (sparse); picking the best is a partial sort."""
        from .vectors import top_k

        scores = self.scores(terms)
        if allowed is not None:
            rows = np.asarray(allowed, dtype=np.int64)
            best = top_k(scores[rows], top)
            return [(int(rows[i]), float(scores[rows[i]])) for i in best if scores[rows[i]] > 0]
        return [(int(i), float(scores[i])) for i in top_k(scores, top) if scores[i] > 0]
