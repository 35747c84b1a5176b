"""The sentences of every passage, analysed once at index time: spans, terms, figures, the kinds of fact each
holds, and their vectors. Answering reads them for the few passages it considers; nothing is recomputed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .question import Asks, Cues
from .text import Analyzer, figures_of, sentence_spans
from .types import Chunk, Language
from .vectors import load_vectors, write_vectors

_KINDS = list(Asks)
# Part of every document's fingerprint: a change to how passages are cut into sentences (`sentence_spans`) reads
# and embeds the corpus again. 2: a list item's number or letter stays with its item's text. 3: an abbreviation
# after an elision or a bracket ends no sentence ("all’art. B.2"); "una sola", "a single" are the figure 1. 4: a stop
# inside brackets that close later on the line ends no sentence. 5: a list item's own number is no figure of its
# sentence ("2) Applicants shall…"). 6: nor a footnote's label glued to its first word. 7: nor a Korean verb written
# like a native numeral ("둘 수 있다", "may have").
SENTENCE_VERSION = 7
SENTENCE_SECONDS = "sentences.second.npy"  # every sentence's vector from the sentence model, when there is one


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage, with what was measured about it at index time."""

    chunk: int  # position of its passage in the index
    position: int  # 0 for a passage's first sentence
    text: str
    language: Language
    terms: frozenset[str]
    figures: frozenset[str]
    kinds: frozenset[Asks]  # the kinds of fact it holds (a date, an amount, an eligibility condition…)
    vector: np.ndarray
    second: np.ndarray | None = None  # its vector from the sentence model (a second opinion), when indexed


def _kinds_mask(kinds: frozenset[Asks]) -> int:
    return sum(1 << _KINDS.index(k) for k in kinds)


def mask_kinds(mask: int) -> frozenset[Asks]:
    return frozenset(k for i, k in enumerate(_KINDS) if mask >> i & 1)


def analyse_sentences(chunks: Sequence[Chunk], analyzer: Analyzer, cues: dict[Language, Cues]) -> list[dict]:
    """Per passage: its sentence spans, terms, figures and kinds of fact (a JSON-able record)."""
    records = []
    for chunk in chunks:
        spans = sentence_spans(chunk.text) or [(0, len(chunk.text))]
        texts = [chunk.text[a:b] for a, b in spans]
        table = cues[chunk.language]
        records.append({
            "spans": spans,
            "terms": [sorted(set(analyzer.terms(t, chunk.language))) for t in texts],
            "figures": [sorted(figures_of(t)) for t in texts],
            "kinds": [_kinds_mask(table.evidence_kinds(t)) for t in texts],
        })
    return records


def write_sentences(folder: Path, records: list[dict], vectors: np.ndarray, settings) -> str:
    """sentences.jsonl (one line per passage) with its byte offsets, and the sentence vectors (and their HNSW
    graph past the size the settings give); returns the kind of vector search written."""
    offsets = []
    position = 0
    with open(folder / "sentences.jsonl", "wb") as out:
        for record in records:
            line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            offsets.append(position)
            out.write(line)
            position += len(line)
    starts = np.cumsum([0] + [len(r["spans"]) for r in records]).astype(np.int64)
    np.save(folder / "sentences.offsets.npy", np.asarray(offsets, dtype=np.int64))
    np.save(folder / "sentences.starts.npy", starts)
    # Sentence-level search: a fact is one sentence, not a passage.
    return write_vectors(folder, "sentences.vectors", vectors, settings.hnsw_above, settings.hnsw_m,
                         settings.ef_construction)


class SentenceStore:
    """Reads the sentences of one passage on demand (vectors memory-mapped, records by byte offset)."""

    def __init__(self, folder: Path, chunks: Sequence[Chunk], ef_search: int = 64) -> None:
        self._path = folder / "sentences.jsonl"
        self._offsets = np.load(folder / "sentences.offsets.npy")
        self._starts = np.load(folder / "sentences.starts.npy")
        self.index = load_vectors(folder, "sentences.vectors", ef_search)
        self._vectors = self.index.vectors
        seconds = folder / SENTENCE_SECONDS
        self.second = np.load(seconds, mmap_mode="r") if seconds.is_file() else None
        self._chunks = chunks
        # The passage each sentence row belongs to.
        self.owner = np.repeat(np.arange(len(self._starts) - 1, dtype=np.int32), np.diff(self._starts))

    def rows_of(self, chunks: Sequence[int] | np.ndarray) -> np.ndarray:
        """The sentence rows of some passages, in order (to filter a sentence search)."""
        chunks = np.asarray(chunks, dtype=np.int64)
        starts = self._starts[chunks].astype(np.int64)
        lengths = self._starts[chunks + 1].astype(np.int64) - starts
        if not len(chunks) or not lengths.sum():
            return np.zeros(0, np.int64)
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return np.arange(int(lengths.sum()), dtype=np.int64) + offsets

    def search(self, vector: np.ndarray, depth: int, allowed: Sequence[int] | None = None) -> list[tuple[int, float]]:
        """Passages ranked by their best sentence for the question vector: (passage position, cosine);
        `allowed` restricts it to those passages."""
        rows = None if allowed is None else self.rows_of(np.sort(np.asarray(allowed, dtype=np.int64)))
        scores, ids = self.index.search(vector, depth, rows)
        best: dict[int, float] = {}
        for row, score in zip(ids, scores):
            best.setdefault(int(self.owner[row]), float(score))
        return list(best.items())

    @property
    def vectors(self) -> np.ndarray:
        """Every sentence's vector (float16, memory-mapped), in passage order."""
        return self._vectors

    def range(self, chunk: int) -> tuple[int, int]:
        """The rows of a passage's sentences in `vectors`."""
        return int(self._starts[chunk]), int(self._starts[chunk + 1])

    def record(self, chunk: int) -> dict:
        """The stored analysis of a passage's sentences (see `analyse_sentences`)."""
        return self.records([chunk])[chunk]

    def records(self, chunks: Sequence[int]) -> dict[int, dict]:
        """`record` of several passages, read in one pass over the file (in offset order)."""
        out = {}
        with open(self._path, "rb") as handle:
            for chunk in sorted(set(chunks), key=lambda c: int(self._offsets[c])):
                handle.seek(int(self._offsets[chunk]))
                out[chunk] = json.loads(handle.readline())
        return out

    def of(self, chunk: int) -> list[Sentence]:
        """The sentences of the passage at position `chunk`."""
        record = self.record(chunk)
        text, language = self._chunks[chunk].text, self._chunks[chunk].language
        first, _ = self.range(chunk)
        return [
            Sentence(chunk, i, text[a:b], language, frozenset(terms), frozenset(figures), mask_kinds(kinds),
                     np.asarray(self._vectors[first + i], dtype=np.float32),
                     None if self.second is None else np.asarray(self.second[first + i], dtype=np.float32))
            for i, ((a, b), terms, figures, kinds) in enumerate(
                zip(record["spans"], record["terms"], record["figures"], record["kinds"]))
        ]


def sentence_texts(chunks: Sequence[Chunk], records: list[dict]) -> list[str]:
    """Every sentence's text, in passage order (what is embedded)."""
    return [chunk.text[a:b] for chunk, record in zip(chunks, records) for a, b in record["spans"]]
