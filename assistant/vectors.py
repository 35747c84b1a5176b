"""Inner-product search over L2-normalised vectors: exact over a memory-mapped matrix (shared by every process
that serves the index), or a FAISS HNSW graph past a size set in the settings. Filters are applied inside the
search: the exact search scores only the allowed rows; HNSW takes a FAISS ID selector."""
from __future__ import annotations

from pathlib import Path

import numpy as np

# Below this many allowed rows a filtered search is exact even on an HNSW index: cheaper than walking a graph
# whose neighbours are mostly filtered out.
EXACT_SUBSET = 20_000


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k largest scores, best first (ties: the lower position)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]


class VectorSearch:
    """A matrix of vectors (float32, memory-mapped) and, for large ones, an HNSW graph over them."""

    def __init__(self, vectors: np.ndarray, hnsw=None, ef_search: int = 64) -> None:
        self.vectors = vectors
        self.hnsw = hnsw
        self.ef_search = ef_search

    def __len__(self) -> int:
        return len(self.vectors)

    @property
    def kind(self) -> str:
        return "hnsw" if self.hnsw is not None else "exact"

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row ids) of the k best rows, best first; `allowed` restricts the search to those rows."""
        query = np.ascontiguousarray(query, dtype=np.float32)
        if self.hnsw is not None and (allowed is None or len(allowed) > EXACT_SUBSET):
            import faiss

            selector = None if allowed is None else faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k), sel=selector)
            scores, ids = self.hnsw.search(query[None, :], min(k, len(self)), params=params)
            keep = ids[0] >= 0
            return scores[0][keep], ids[0][keep].astype(np.int64)
        if allowed is None:
            scores = self.vectors @ query
            best = top_k(scores, k)
            return scores[best], best
        rows = np.asarray(allowed, dtype=np.int64)
        scores = self.vectors[rows] @ query
        best = top_k(scores, k)
        return scores[best], rows[best]

    def reconstruct(self, row: int) -> np.ndarray:
        return np.asarray(self.vectors[row], dtype=np.float32)


def write_vectors(folder: Path, name: str, matrix: np.ndarray, hnsw_above: int, m: int = 32,
                  ef_construction: int = 80) -> str:
    """`name.npy` (float32) and, past `hnsw_above` rows, `name.hnsw.faiss`; returns the kind written."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    np.save(folder / f"{name}.npy", matrix)
    if len(matrix) <= hnsw_above:
        return "exact"
    import faiss

    graph = faiss.IndexHNSWFlat(matrix.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = ef_construction
    graph.add(matrix)
    faiss.write_index(graph, str(folder / f"{name}.hnsw.faiss"))
    return "hnsw"


def load_vectors(folder: Path, name: str, ef_search: int = 64) -> VectorSearch:
    """The vectors of `name` (memory-mapped) and their HNSW graph if the build made one."""
    vectors = np.load(folder / f"{name}.npy", mmap_mode="r")
    graph_path = folder / f"{name}.hnsw.faiss"
    hnsw = None
    if graph_path.is_file():
        import faiss

        # The graph's copy of the vectors is memory-mapped from the file, not read: loading takes milliseconds,
        # and processes serving the same index share those pages.
        hnsw = faiss.read_index(str(graph_path), faiss.IO_FLAG_MMAP_IFC)
    return VectorSearch(vectors, hnsw, ef_search)
