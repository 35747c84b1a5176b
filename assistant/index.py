"""Build, refresh and load the index: FAISS vectors, passages, BM25 and a manifest, swapped in atomically."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .embed import Embedder
from .errors import IndexMissingError, IndexStaleError
from .keyword import KeywordIndex
from .split import MAX_TOKENS, split_document
from .text import Analyzer
from .types import Chunk, Document, Language

FORMAT_VERSION = 1
CURRENT = "current"  # symlink to the build that serves; replaced in one rename
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildReport:
    """What one `build_index` call did."""

    path: Path
    documents: int
    passages: int
    embedded: int
    reused: int
    seconds: float
    changed: bool


@dataclass
class IndexStore:
    """A loaded index: passages, documents, both vector sets, the keyword index and the manifest."""

    path: Path
    manifest: dict
    documents: dict[str, Document]
    chunks: list[Chunk]
    faiss_index: object
    second_vectors: np.ndarray | None
    keyword: KeywordIndex
    chunk_terms: list[list[str]]

    def aligned(self, chunk: Chunk) -> dict[Language, Chunk]:
        """The versions of a passage in each language (an original and its translations)."""
        return self._aligned.get(chunk.align_key, {chunk.language: chunk})

    def __post_init__(self) -> None:
        self._aligned: dict[tuple[str, str], dict[Language, Chunk]] = {}
        for chunk in self.chunks:
            self._aligned.setdefault(chunk.align_key, {})[chunk.language] = chunk
        self.position = {chunk.chunk_id: i for i, chunk in enumerate(self.chunks)}


def document_fingerprint(document: Document) -> str:
    """Hash of everything that decides a document's passages and metadata."""
    payload = json.dumps([asdict(document), MAX_TOKENS], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def corpus_fingerprint(documents: list[Document]) -> str:
    """Hash of the whole corpus (order-independent)."""
    digest = hashlib.sha256()
    for fingerprint in sorted(document_fingerprint(d) for d in documents):
        digest.update(fingerprint.encode())
    return digest.hexdigest()


def _model_key(embedder: Embedder | None) -> dict | None:
    return None if embedder is None else {"name": embedder.name, "dim": embedder.dim}


def build_index(
    documents: list[Document],
    index_dir: Path,
    embedder: Embedder,
    second: Embedder | None,
    analyzer: Analyzer,
    analyzer_name: str,
    progress: Progress | None = None,
    batch_size: int = 64,
) -> BuildReport:
    """Build or refresh the index in `index_dir`: unchanged documents reuse their vectors; the swap is atomic."""
    import faiss

    started = time.perf_counter()
    progress = progress or (lambda stage, done, total: None)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress("waiting for another build to finish", 0, 0)
            fcntl.flock(lock, fcntl.LOCK_EX)
        _remove_abandoned_builds(index_dir)
        previous = _load_previous(index_dir, embedder, second, analyzer_name)
        fingerprints = {d.doc_id: document_fingerprint(d) for d in documents}
        corpus_hash = corpus_fingerprint(documents)
        if previous is not None and previous.manifest["corpus_hash"] == corpus_hash:
            count = len(previous.chunks)
            progress("index is up to date", count, count)
            return BuildReport(previous.path, len(documents), count, 0, count, time.perf_counter() - started, False)

        chunks: list[Chunk] = []
        vectors: list[np.ndarray | None] = []
        seconds: list[np.ndarray | None] = []
        old_docs = previous.manifest["documents"] if previous else {}
        for document in documents:
            reuse = previous is not None and old_docs.get(document.doc_id, {}).get("fingerprint") == fingerprints[document.doc_id]
            doc_chunks = (
                [c for c in previous.chunks if c.doc_id == document.doc_id] if reuse else split_document(document)
            )
            for chunk in doc_chunks:
                chunks.append(chunk)
                if reuse:
                    position = previous.position[chunk.chunk_id]
                    vectors.append(previous.faiss_index.reconstruct(position))
                    seconds.append(None if previous.second_vectors is None else previous.second_vectors[position])
                else:
                    vectors.append(None)
                    seconds.append(None)

        todo = [i for i, v in enumerate(vectors) if v is None]
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            texts = [chunks[i].text for i in batch]
            for i, vector in zip(batch, embedder.embed_passages(texts)):
                vectors[i] = vector
            if second is not None:
                for i, vector in zip(batch, second.embed_passages(texts)):
                    seconds[i] = vector
            progress("embedding passages", min(start + batch_size, len(todo)), len(todo))

        progress("keyword index", 0, 1)
        terms = [analyzer.terms(chunk.text, chunk.language) for chunk in chunks]
        build = index_dir / f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}.tmp"
        build.mkdir()
        matrix = np.stack(vectors).astype(np.float32) if chunks else np.zeros((0, embedder.dim), np.float32)
        flat = faiss.IndexFlatIP(embedder.dim)  # exact inner product = cosine on normalised vectors
        flat.add(matrix)
        faiss.write_index(flat, str(build / "vectors.faiss"))
        if second is not None:
            second_matrix = np.stack(seconds).astype(np.float32) if chunks else np.zeros((0, second.dim), np.float32)
            np.save(build / "second.npy", second_matrix)
        KeywordIndex.build(terms).save(build / "bm25")
        with open(build / "chunks.jsonl", "w", encoding="utf-8") as out:
            for chunk, chunk_terms in zip(chunks, terms):
                out.write(json.dumps({**asdict(chunk), "terms": chunk_terms}, ensure_ascii=False) + "\n")
        (build / "documents.json").write_text(
            json.dumps([asdict(d) for d in documents], ensure_ascii=False, indent=1), encoding="utf-8"
        )
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": _model_key(embedder),
            "rerank_model": _model_key(second),
            "keyword_analyzer": analyzer_name,
            "corpus_hash": corpus_hash,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "passages": len(chunks),
            "documents": {
                d.doc_id: {"fingerprint": fingerprints[d.doc_id], "passages": sum(c.doc_id == d.doc_id for c in chunks)}
                for d in documents
            },
        }
        # The manifest is written last: a build folder without one is incomplete by definition.
        (build / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        final = build.with_suffix("")
        build.rename(final)
        _swap_current(index_dir, final)
        _remove_old_builds(index_dir, keep=final)
        progress("done", len(chunks), len(chunks))
        return BuildReport(final, len(documents), len(chunks), len(todo), len(chunks) - len(todo), time.perf_counter() - started, True)


def _swap_current(index_dir: Path, build: Path) -> None:
    link = index_dir / f".{CURRENT}.{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(build.name)
    os.replace(link, index_dir / CURRENT)  # rename(2) is atomic: readers see the old or the new build


def _remove_abandoned_builds(index_dir: Path) -> None:
    for folder in index_dir.glob("build-*.tmp"):
        shutil.rmtree(folder, ignore_errors=True)


def _remove_old_builds(index_dir: Path, keep: Path) -> None:
    for folder in index_dir.glob("build-*"):
        if folder.is_dir() and folder.name != keep.name and not folder.name.endswith(".tmp"):
            shutil.rmtree(folder, ignore_errors=True)


def _load_previous(index_dir: Path, embedder: Embedder, second: Embedder | None, analyzer_name: str) -> IndexStore | None:
    try:
        store = load_index(index_dir)
    except (IndexMissingError, IndexStaleError, OSError, ValueError, KeyError, RuntimeError):
        return None  # nothing usable to reuse: embed everything
    manifest = store.manifest
    if (
        manifest.get("model") != _model_key(embedder)
        or manifest.get("rerank_model") != _model_key(second)
        or manifest.get("keyword_analyzer") != analyzer_name
    ):
        return None
    return store


def load_index(index_dir: Path) -> IndexStore:
    """Load the build `index_dir/current` points at."""
    import faiss

    build = index_dir / CURRENT
    manifest_path = build / "manifest.json"
    if not manifest_path.is_file():
        raise IndexMissingError(f"no index at '{index_dir}'. Build it with: policy-assistant index --index {index_dir}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexStaleError(
            f"the index at '{index_dir}' has format {manifest.get('format_version')}, this program reads "
            f"{FORMAT_VERSION}. Rebuild it with: policy-assistant index --index {index_dir}"
        )
    chunks: list[Chunk] = []
    terms: list[list[str]] = []
    with open(build / "chunks.jsonl", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            terms.append(record.pop("terms"))
            record["language"] = Language(record["language"])
            chunks.append(Chunk(**record))
    documents = {}
    for record in json.loads((build / "documents.json").read_text(encoding="utf-8")):
        record["language"] = Language(record["language"])
        documents[record["doc_id"]] = Document(**record)
    second_path = build / "second.npy"
    return IndexStore(
        path=build.resolve(),
        manifest=manifest,
        documents=documents,
        chunks=chunks,
        faiss_index=faiss.read_index(str(build / "vectors.faiss")),
        second_vectors=np.load(second_path) if second_path.is_file() else None,
        keyword=KeywordIndex.load(build / "bm25"),
        chunk_terms=terms,
    )


def corpus_newer_than_index(store: IndexStore, corpus: Path) -> list[str]:
    """Corpus files changed after the index was built (by modification time: cheap, no parsing)."""
    built = (store.path / "manifest.json").stat().st_mtime
    if not corpus.is_dir():
        return []
    return sorted(str(p) for p in corpus.iterdir() if p.is_file() and p.stat().st_mtime > built)


def check_compatible(store: IndexStore, model: str, rerank_model: str, analyzer_name: str, index_dir: Path) -> None:
    """Raise IndexStaleError when the index was built with other models than the settings name."""
    built = (store.manifest["model"] or {}).get("name"), (store.manifest.get("rerank_model") or {}).get("name") or ""
    if built != (model, rerank_model) or store.manifest.get("keyword_analyzer") != analyzer_name:
        raise IndexStaleError(
            f"the index at '{index_dir}' was built with model {built[0]!r}, rerank {built[1]!r}, keywords "
            f"{store.manifest.get('keyword_analyzer')!r}; the settings say {model!r}, {rerank_model!r}, "
            f"{analyzer_name!r}. Rebuild it with: policy-assistant index --index {index_dir}"
        )
