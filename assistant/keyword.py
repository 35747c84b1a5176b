"""Keyword search: BM25 over analyzer terms, stored as postings (one array per field, memory-mapped).

Each term's postings hold the passages it occurs in and its precomputed BM25 weight there (the Lucene variant
as bm25s computes it: idf = ln(1 + (N - df + 0.5) / (df + 0.5)), tf part tf / (tf + k1·(1 - b + b·len/avglen))),
so a query adds up the postings of its own terms only: the work grows with the matches, not with the corpus,
and nothing is read into memory but the vocabulary. Scores equal bm25s's, which this replaced (its import and
scipy's cost ~0.4 s at every start)."""
from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

K1 = 1.5
B = 0.75


class KeywordIndex:
    """BM25 over pre-cut terms; `search` returns (position, score) pairs with score > 0."""

    def __init__(self, vocabulary: dict[str, int], starts: np.ndarray, rows: np.ndarray, weights: np.ndarray,
                 passages: int) -> None:
        self.vocabulary, self.passages = vocabulary, passages
        self._starts, self._rows, self._weights = starts, rows, weights

    @classmethod
    def build(cls, corpus_terms: Sequence[Sequence[str]]) -> "KeywordIndex":
        counts = [Counter(terms) for terms in corpus_terms]
        lengths = np.array([max(1, sum(c.values())) for c in counts], dtype=np.float64)  # bm25s: empty = 1
        average = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for row, count in enumerate(counts):
            for term, tf in count.items():
                postings.setdefault(term, []).append((row, tf))
        vocabulary = {term: i for i, term in enumerate(sorted(postings))}
        starts = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        rows, weights = [], []
        n = len(counts)
        for term, i in vocabulary.items():
            entries = postings[term]
            idf = math.log(1 + (n - len(entries) + 0.5) / (len(entries) + 0.5))
            for row, tf in entries:
                norm = K1 * (1 - B + B * lengths[row] / average)
                rows.append(row)
                weights.append(idf * tf / (tf + norm))
            starts[i + 1] = len(rows)
        return cls(vocabulary, starts, np.array(rows, dtype=np.int32), np.array(weights, dtype=np.float32), n)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "starts.npy", self._starts)
        np.save(folder / "rows.npy", self._rows)
        np.save(folder / "weights.npy", self._weights)
        (folder / "vocabulary.json").write_text(
            json.dumps({"passages": self.passages, "terms": list(self.vocabulary)}, ensure_ascii=False),
            encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "KeywordIndex":
        meta = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        arrays = [np.load(folder / f"{name}.npy", mmap_mode="r") for name in ("starts", "rows", "weights")]
        return cls({term: i for i, term in enumerate(meta["terms"])}, *arrays, meta["passages"])

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query terms (terms unknown to the index are ignored; a term
        repeated in the query counts each time, as in bm25s)."""
        scores = np.zeros(self.passages, dtype=np.float32)
        for term in terms:
            i = self.vocabulary.get(term)
            if i is not None:
                a, b = int(self._starts[i]), int(self._starts[i + 1])
                scores[self._rows[a:b]] += self._weights[a:b]  # a passage occurs once per term
        return scores

    def search(self, terms: Sequence[str], top: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The best `top` passages with a positive score, best first; `allowed` restricts them to those rows."""
        from .vectors import top_k

        scores = self.scores(terms)
        if allowed is not None:
            rows = np.asarray(allowed, dtype=np.int64)
            best = top_k(scores[rows], top)
            return [(int(rows[i]), float(scores[rows[i]])) for i in best if scores[rows[i]] > 0]
        return [(int(i), float(scores[i])) for i in top_k(scores, top) if scores[i] > 0]
