"""The end-to-end scale benchmark: a corpus of ~100k passages made from real ones, indexed and asked.

The corpus is the passages of an existing index, written out again as Markdown documents, replica after replica,
each replica with its figures changed (every number n becomes n + r in replica r), so no two replicas are the
same text. Indexing it goes through the whole build: reading, splitting, sentence analysis, keyword index,
vector search (HNSW above `vectors.hnsw_above`). Only the embedding is replayed: each distinct text up to its
figures is embedded once by the real model, and its replicas get that vector plus a small deterministic
perturbation, so they are near neighbours, not copies (embedding 100k passages for real takes about an hour on
two cores; the real throughput is `index_build.passages_per_second` in the same bench).

Run as `python -m assistant.scale build SOURCE_INDEX FOLDER TARGET` so its time and peak memory are measured
as a process of its own."""
from __future__ import annotations

import json
import math
import re
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .embed import Embedder

_NUMBER = re.compile(r"\d+")


class ReplayEmbedder:
    """The real embedder once per distinct text up to its figures; the same vector, slightly perturbed, after."""

    def __init__(self, inner: Embedder, noise: float = 0.03) -> None:
        self.inner, self.noise = inner, noise
        self.name, self.dim = inner.name, inner.dim
        self._cache: dict[str, np.ndarray] = {}
        self.computed = 0
        self.replayed = 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        keys = [_NUMBER.sub("#", text) for text in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if missing:
            first = {k: t for k, t in zip(reversed(keys), reversed(texts))}  # a text for each key
            for key, vector in zip(missing, self.inner.embed_passages([first[k] for k in missing])):
                self._cache[key] = vector
            self.computed += len(missing)
        self.replayed += len(texts) - len(missing)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, (key, text) in enumerate(zip(keys, texts)):
            rng = np.random.default_rng(zlib.crc32(text.encode("utf-8")))
            vector = self._cache[key] + self.noise * rng.standard_normal(self.dim).astype(np.float32) / math.sqrt(self.dim)
            out[row] = vector / np.linalg.norm(vector)
        return out


def _perturb(text: str, replica: int) -> str:
    return text if replica == 0 else _NUMBER.sub(lambda m: str(int(m.group()) + replica), text)


def write_corpus(source_index: Path, folder: Path, target: int) -> dict:
    """Write ceil(target / passages) replicas of the source index's passages as Markdown documents with a catalog;
    one `##` section per passage, so each becomes one passage again."""
    from .index import load_index

    store = load_index(source_index)
    by_doc: dict[str, list] = {}
    for chunk in store.chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    replicas = max(1, math.ceil(target / len(store.chunks)))
    folder.mkdir(parents=True, exist_ok=True)
    catalog = []
    for replica in range(replicas):
        (folder / f"r{replica:03d}").mkdir(exist_ok=True)
        for doc_id, chunks in sorted(by_doc.items()):
            document = store.documents[doc_id]
            name = f"r{replica:03d}/{doc_id}.md"
            sections = [f"# {_perturb(document.title, replica)}"]
            for chunk in chunks:
                heading = (chunk.heading.split(" > ")[-1] if chunk.heading else "") or f"§ {chunk.seq}"
                body = "\n\n".join(line.lstrip("#>|-*+ ") for line in chunk.text.splitlines() if line.strip())
                sections.append(f"## {_perturb(heading, replica)}\n\n{_perturb(body, replica)}")
            (folder / name).write_text("\n\n".join(sections) + "\n", encoding="utf-8")
            catalog.append(f'[[document]]\nid = "{doc_id}-r{replica:03d}"\nfile = "{name}"\n'
                           f'title = {json.dumps(_perturb(document.title, replica), ensure_ascii=False)}\n'
                           f'language = "{document.language.value}"\n')
    (folder / "catalog.toml").write_text("\n".join(catalog), encoding="utf-8")
    return {"replicas": replicas, "source_passages": len(store.chunks), "documents": len(catalog)}


def build(source_index: Path, folder: Path, target: int, progress: bool = True) -> dict:
    """Write the corpus, then index it with the settings' models and vector settings; returns the figures."""
    from .config import load_settings
    from .embed import load_embedder
    from .index import build_index
    from .load import discover
    from .text import load_analyzer

    settings = load_settings()
    started = time.perf_counter()
    written = write_corpus(source_index, folder / "corpus", target)
    write_seconds = time.perf_counter() - started
    from .progress import Reporter

    embedder = ReplayEmbedder(load_embedder(settings.embed.model, settings.embed.threads))
    with Reporter(enabled=progress) as reporter:
        report = build_index(discover(folder / "corpus"), folder / "index", embedder, None,
                             load_analyzer(settings.keyword.korean), settings.keyword.korean, ocr=False,
                             vectors=settings.vectors, batch_size=settings.embed.batch_size,
                             progress=reporter.update)
    return {**written, "write_seconds": write_seconds, "passages": report.passages, "documents": report.documents,
            "build_seconds": report.seconds, "embedded_for_real": embedder.computed, "replayed": embedder.replayed,
            "skipped": len(report.skipped)}


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "build":
        sys.exit("usage: python -m assistant.scale build SOURCE_INDEX FOLDER TARGET_PASSAGES")
    print(json.dumps(build(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))))
