"""Build, refresh and load the index: FAISS vectors, passages, BM25 and a manifest, swapped in atomically."""
from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from collections import Counter

import numpy as np

from .config import VectorSettings
from .embed import Embedder
from .errors import BuildRunningError, ConfigError, IndexMissingError, IndexStaleError, NothingIndexedError, UnreadableDocumentError
from .keyword import KeywordIndex
from .eligibility.records import PROGRAMMES, Rejected, from_record, load_programme_files, resolve, to_record
from .eligibility.vocabulary import countries_named, load_vocabulary
from .features import Idf
from .load import CATALOG, Corpus, corpus_entries, read_corpus_document
from .question import Cues, cues_digest, load_cues
from .sentences import SENTENCE_SECONDS, SENTENCE_VERSION, SentenceStore, analyse_sentences, sentence_texts, write_sentences
from .split import MAX_TOKENS, SPLIT_VERSION, TARGET_TOKENS, Layout, split_document, token_counter
from .text import Analyzer, numbers
from .types import Chunk, Document, Language, Skipped
from .vectors import VectorSearch, load_vectors, write_vectors

FORMAT_VERSION = 8
CURRENT = "current"  # symlink to the build that serves; replaced in one rename
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DocumentRow:
    """One line of the build summary."""

    doc_id: str
    format: str
    language: str
    passages: int
    seconds: float
    reused: bool
    ocr_pages: tuple[int, ...] = ()


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
    rows: tuple[DocumentRow, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()


_LANGUAGES = list(Language)
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-zà-ÿ][\wà-ÿ'’-]*")


@dataclass
class IndexStore:
    """A loaded index: passages, documents, both vector sets, the keyword index and the manifest."""

    path: Path
    manifest: dict
    documents: dict[str, Document]
    chunks: list[Chunk]
    vectors: VectorSearch  # the passages' vectors (primary model)
    second_vectors: np.ndarray | None
    keyword: KeywordIndex
    chunk_terms: list[frozenset[str]]  # the index terms of each passage with its heading path
    heading_terms: list[frozenset[str]]
    chunk_figures: list[frozenset[str]]
    sentences: SentenceStore
    title_terms: dict[str, frozenset[str]]  # the index terms of each document's title
    idf: Idf  # of every index term, computed at build time
    programmes: list = field(default_factory=list)  # reviewed programme records, each condition cited (eligibility)

    def aligned(self, chunk: Chunk) -> dict[Language, Chunk]:
        """The versions of a passage in each language (an original and its translations)."""
        return self._aligned.get(chunk.align_key, {chunk.language: chunk})

    def __post_init__(self) -> None:
        self._aligned: dict[str, dict[Language, Chunk]] = {}
        for chunk in self.chunks:
            self._aligned.setdefault(chunk.align_key, {})[chunk.language] = chunk
        self.position = {chunk.chunk_id: i for i, chunk in enumerate(self.chunks)}
        self._countries: dict[str, frozenset[str]] = {}
        self._texts: dict[str, str] = {}

    def document_text(self, doc_id: str) -> str:
        """A document's title and every passage, each with its heading and its other language versions, as one
        text (what the gates look names up in: "its document names none of…"); made at the first answer drawn from
        the document and kept."""
        if doc_id not in self._texts:
            title = self.documents[doc_id].title if doc_id in self.documents else ""
            self._texts[doc_id] = " ".join([title, *(f"{v.heading} {v.text}" for chunk in self.chunks
                                                     if chunk.doc_id == doc_id for v in self.aligned(chunk).values())])
        return self._texts[doc_id]

    def countries_named(self, doc_id: str) -> frozenset[str]:
        """The countries a document names in its title and passages (a region or city names its country), found at
        the first answer drawn from it and kept."""
        if doc_id not in self._countries:
            self._countries[doc_id] = countries_named(self.document_text(doc_id), load_vocabulary())
        return self._countries[doc_id]

    @functools.cached_property
    def titles(self) -> tuple[str, ...]:
        """Every document's title, case-folded (a question that names one is about that document)."""
        return tuple(document.title.casefold() for document in self.documents.values())

    @functools.cached_property
    def lower_words(self) -> frozenset[str]:
        """Every word some passage writes in lower case ("direzione", "dirigente"): a capitalised word outside it
        may be a name ("Rossi"); made at the first question that asks for a name, and kept."""
        return frozenset(word for chunk in self.chunks for word in _LOWER_WORD.findall(f"{chunk.heading} {chunk.text}"))

    @functools.cached_property
    def title_languages(self) -> tuple[Language, ...]:
        """The language of each title of `titles`."""
        return tuple(document.language for document in self.documents.values())

    @functools.cached_property
    def _filter_codes(self) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        """Each passage's document and language as small integers, so that a filter is one vectorised comparison
        rather than a pass over every passage in Python; made at the first filter, not at load."""
        doc_codes = {doc_id: n for n, doc_id in enumerate(dict.fromkeys(c.doc_id for c in self.chunks))}
        doc_of = np.fromiter((doc_codes[c.doc_id] for c in self.chunks), np.int32, len(self.chunks))
        language_of = np.fromiter((_LANGUAGES.index(c.language) for c in self.chunks), np.int8, len(self.chunks))
        return doc_codes, doc_of, language_of

    def require_documents(self, doc_ids: set[str] | None) -> None:
        """ConfigError naming the document ids this index lacks, with the ids it holds: a filter on a document
        that is not there is a mistake to say, not a question the documents cannot answer."""
        if unknown := sorted(set(doc_ids or ()) - set(self.documents)):
            raise ConfigError(f"no document {', '.join(map(repr, unknown))} in the index at '{self.path.parent}'; "
                              f"nothing was done. Indexed: {', '.join(sorted(self.documents))}.")

    def positions(self, doc_ids: set[str] | None = None, languages: set[Language] | None = None) -> np.ndarray | None:
        """The sorted positions of the passages a filter keeps (by document and/or language); None: no filter."""
        if not doc_ids and not languages:
            return None
        doc_codes, doc_of, language_of = self._filter_codes
        keep = np.ones(len(self.chunks), dtype=bool)
        if doc_ids:
            keep &= np.isin(doc_of, [doc_codes[d] for d in doc_ids if d in doc_codes])
        if languages:
            keep &= np.isin(language_of, [_LANGUAGES.index(lang) for lang in languages])
        return np.flatnonzero(keep)

    def neighbours(self, chunk_id: str) -> tuple[str, str]:
        """The text of the passages just before and after one, in the same document ("" at either end)."""
        i = self.position.get(chunk_id)
        if i is None:
            return "", ""
        doc = self.chunks[i].doc_id
        before = self.chunks[i - 1].text if i > 0 and self.chunks[i - 1].doc_id == doc else ""
        after = self.chunks[i + 1].text if i + 1 < len(self.chunks) and self.chunks[i + 1].doc_id == doc else ""
        return before, after

    @property
    def skipped(self) -> list[dict]:
        """Files (or pages) the build could not read, with the reason and what to do."""
        return self.manifest.get("skipped", [])


def document_fingerprint(document: Document, original: str = "") -> str:
    """Hash of everything that decides a document's passages and vectors: its file's bytes, its catalog entry, the
    reader, splitter and sentence versions, whether scanned pages can be read, and (for a translation) its original's
    fingerprint. The cue tables are not in it: a change to them re-analyses the sentences, without reading or
    embedding anything again."""
    from .readers import READER_VERSION
    from .readers.pdf import tesseract_available

    digest = hashlib.sha256()
    with open(document.source, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    entry = {key: value for key, value in asdict(document).items() if key != "blocks"}
    settings = [READER_VERSION, SPLIT_VERSION, SENTENCE_VERSION, TARGET_TOKENS, MAX_TOKENS, original,
                document.format == "pdf" and tesseract_available()]
    digest.update(json.dumps([entry, settings], sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    return digest.hexdigest()


def corpus_fingerprint(fingerprints: dict[str, str], skipped: list[Skipped], folder: Path | None = None) -> str:
    """Hash of the whole corpus (order-independent): documents, files that could not be used, programme records,
    and the cue tables sentences are analysed with."""
    digest = hashlib.sha256(cues_digest().encode())
    if folder is not None:
        for path in sorted((folder / PROGRAMMES).glob("*.toml")) if (folder / PROGRAMMES).is_dir() else []:
            digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    for key in sorted(f"{doc}:{fp}" for doc, fp in fingerprints.items()):
        digest.update(key.encode())
    for item in sorted(s.file for s in skipped):
        digest.update(item.encode())
    return digest.hexdigest()


def _model_key(embedder: Embedder | None) -> dict | None:
    return None if embedder is None else {"name": embedder.name, "dim": embedder.dim}


def _layout(entry: dict) -> Layout | None:
    layout = entry.get("layout")
    return Layout([tuple(r) for r in layout["plan"]], tuple(layout["heads"])) if layout else None


def build_index(
    corpus: Corpus,
    index_dir: Path,
    embedder: Embedder,
    second: Embedder | None,
    analyzer: Analyzer,
    analyzer_name: str,
    progress: Progress | None = None,
    batch_size: int = 64,
    ocr: bool = True,
    cues: dict[Language, Cues] | None = None,
    vectors: VectorSettings | None = None,
    sentence_model: Embedder | None = None,
) -> BuildReport:
    """Build or refresh the index in `index_dir` from a corpus (see `load.discover`).

    Unchanged documents keep their passages and vectors (not even read again); `sentence_model`, when given,
    also embeds every sentence (a second opinion for the answer chooser; reused while its model stays). A file
    that yields no text is reported under `skipped` and the rest is indexed; the new build replaces the old in
    one atomic rename.
    Raises NothingIndexedError when no document yields a passage (the previous index then stays as it was).
    """
    started = time.perf_counter()
    progress = progress or (lambda stage, done, total: None)
    cues = cues or load_cues()
    vectors_settings = vectors or VectorSettings()
    index_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(index_dir, progress):
        _remove_abandoned_builds(index_dir)
        previous = _load_previous(index_dir, embedder, second, analyzer_name)
        old_docs = previous.manifest["documents"] if previous else {}
        # Originals first: a translation's fingerprint and cuts depend on its original's.
        documents = sorted(corpus.documents, key=lambda d: d.translation_of is not None)
        fingerprints: dict[str, str] = {}
        for document in documents:
            fingerprints[document.doc_id] = document_fingerprint(document, fingerprints.get(document.translation_of or "", ""))
        corpus_hash = corpus_fingerprint(fingerprints, list(corpus.skipped), corpus.folder)
        same_sentence_model = previous is not None \
            and previous.manifest.get("sentence_model") == _model_key(sentence_model)
        # The corpus hash holds the cue digest; a manifest written before it was recorded is brought up to date too.
        if previous is not None and previous.manifest["corpus_hash"] == corpus_hash \
                and previous.manifest.get("cues") == cues_digest() and same_sentence_model:
            count = len(previous.chunks)
            mark_checked(previous)
            progress("index is up to date", count, count)
            rows = tuple(DocumentRow(d, e.get("format", ""), e.get("language", ""), e["passages"], 0.0, True,
                                     tuple(e.get("ocr_pages", ()))) for d, e in old_docs.items())
            return BuildReport(previous.path, len(old_docs), count, 0, count, time.perf_counter() - started, False,
                               rows, tuple(Skipped(**s) for s in previous.skipped), corpus.warnings)

        count_tokens = token_counter()
        chunks: list[Chunk] = []
        vectors: list[np.ndarray | None] = []
        seconds: list[np.ndarray | None] = []
        sentence_records: list[dict | None] = []
        sentence_vectors: list[np.ndarray | None] = []
        sentence_seconds: list[np.ndarray | None] = []
        kept: list[Document] = []
        entries: dict[str, dict] = {}
        rows: list[DocumentRow] = []
        skipped: list[Skipped] = list(corpus.skipped)
        layouts: dict[str, Layout] = {}
        for number, document in enumerate(documents, 1):
            progress(f"reading {document.file}", number - 1, len(documents))
            fingerprint = fingerprints[document.doc_id]
            old = old_docs.get(document.doc_id, {})
            if previous is not None and old.get("fingerprint") == fingerprint and old.get("passages"):
                doc_chunks = [c for c in previous.chunks if c.doc_id == document.doc_id]
                same_cues = old.get("cues") == cues_digest()
                for chunk in doc_chunks:
                    position = previous.position[chunk.chunk_id]
                    vectors.append(previous.vectors.reconstruct(position))
                    seconds.append(None if previous.second_vectors is None else previous.second_vectors[position])
                    record = previous.sentences.record(position)
                    if not same_cues:  # other cue tables: terms and kinds of fact found again; spans and vectors stay
                        record = analyse_sentences([chunk], analyzer, cues)[0]
                    sentence_records.append(record)
                    first, last = previous.sentences.range(position)
                    # Cut otherwise than when they were embedded (a splitter changed without its version): embedded again.
                    same_cuts = len(record["spans"]) == last - first
                    sentence_vectors.append(np.asarray(previous.sentences.vectors[first:last], dtype=np.float32)
                                            if same_cuts else None)
                    sentence_seconds.append(np.asarray(previous.sentences.second[first:last], dtype=np.float32)
                                            if same_cuts and same_sentence_model and previous.sentences.second is not None
                                            else None)
                kept.append(previous.documents[document.doc_id])
                chunks.extend(doc_chunks)
                entries[document.doc_id] = old if same_cues else {
                    **old, "cues": cues_digest(), "title_terms": sorted(set(analyzer.terms(document.title, document.language)))}
                if _layout(old):
                    layouts[document.doc_id] = _layout(old)
                rows.append(DocumentRow(document.doc_id, old.get("format", ""), old.get("language", ""),
                                        len(doc_chunks), 0.0, True, tuple(old.get("ocr_pages", ()))))
                skipped.extend(Skipped(**s) for s in old.get("skipped_pages", []))
                continue
            mark = time.perf_counter()
            try:
                document, reading = read_corpus_document(document, ocr)
            except UnreadableDocumentError as exc:
                skipped.append(Skipped(document.source, exc.reason, exc.hint))
                continue
            doc_chunks, layout = split_document(document, count_tokens, layouts.get(document.translation_of or ""))
            if not doc_chunks:
                skipped.append(Skipped(document.source, "it yielded no passages (headings only)",
                                       "Check that the file holds the document's text, then index again."))
                continue
            layouts[document.doc_id] = layout
            skipped.extend(reading.skipped)
            elapsed = time.perf_counter() - mark
            kept.append(replace(document, blocks=()))
            chunks.extend(doc_chunks)
            vectors.extend([None] * len(doc_chunks))
            seconds.extend([None] * len(doc_chunks))
            sentence_records.extend([None] * len(doc_chunks))
            sentence_vectors.extend([None] * len(doc_chunks))
            sentence_seconds.extend([None] * len(doc_chunks))
            entries[document.doc_id] = {
                "fingerprint": fingerprint, "cues": cues_digest(), "passages": len(doc_chunks), "format": reading.format,
                "title_terms": sorted(set(analyzer.terms(document.title, document.language))),
                "language": document.language.value, "file": document.file, "catalogued": document.catalogued,
                "seconds": round(elapsed, 3), "ocr_pages": list(reading.ocr_pages),
                "skipped_pages": [asdict(s) for s in reading.skipped],
                "layout": {"plan": [list(r) for r in layout.plan], "heads": list(layout.heads)},
            }
            rows.append(DocumentRow(document.doc_id, reading.format, document.language.value, len(doc_chunks),
                                    elapsed, False, reading.ocr_pages))
        progress("reading documents", len(documents), len(documents))
        if not chunks:
            raise NothingIndexedError(corpus.folder, skipped)

        todo = [i for i, v in enumerate(vectors) if v is None]
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            texts = [chunks[i].embed_text for i in batch]
            for i, vector in zip(batch, embedder.embed_passages(texts)):
                vectors[i] = vector
            if second is not None:
                for i, vector in zip(batch, second.embed_passages(texts)):
                    seconds[i] = vector
            progress("embedding passages", min(start + batch_size, len(todo)), len(todo))

        fresh = [i for i, record in enumerate(sentence_records) if record is None]
        for i, record in zip(fresh, analyse_sentences([chunks[i] for i in fresh], analyzer, cues)):
            sentence_records[i] = record
        _embed_sentences(embedder, chunks, sentence_records, sentence_vectors, batch_size, progress, "embedding sentences")
        if sentence_model is not None:
            _embed_sentences(sentence_model, chunks, sentence_records, sentence_seconds, batch_size, progress,
                             f"embedding sentences ({sentence_model.name})")

        progress("keyword index", 0, 1)
        terms = [analyzer.terms(chunk.embed_text, chunk.language) for chunk in chunks]
        build = index_dir / f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}.tmp"
        build.mkdir()
        kinds = {"passages": write_vectors(build, "vectors", np.stack(vectors), vectors_settings.hnsw_above,
                                           vectors_settings.hnsw_m, vectors_settings.ef_construction)}
        if second is not None:
            np.save(build / "second.npy", np.stack(seconds).astype(np.float32))
        KeywordIndex.build(terms).save(build / "bm25")
        (build / "idf.json").write_text(json.dumps(inverse_document_frequency(terms), ensure_ascii=False), encoding="utf-8")
        served, rejected, drafts = build_programmes(corpus.folder, chunks, {d.doc_id: d for d in kept})
        (build / "programmes.json").write_text(json.dumps([to_record(p) for p in served], ensure_ascii=False,
                                                          indent=1, default=str), encoding="utf-8")
        kinds["sentences"] = write_sentences(build, sentence_records, np.concatenate(sentence_vectors), vectors_settings)
        if sentence_model is not None:
            np.save(build / SENTENCE_SECONDS, np.concatenate(sentence_seconds).astype(np.float16))
        with open(build / "chunks.jsonl", "w", encoding="utf-8") as out:
            for chunk, chunk_terms in zip(chunks, terms):
                record = {**asdict(chunk), "terms": sorted(set(chunk_terms)),
                          "heading_terms": sorted(set(analyzer.terms(chunk.heading, chunk.language))),
                          "figures": sorted(numbers(chunk.text))}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        (build / "documents.json").write_text(
            json.dumps([{k: v for k, v in asdict(d).items() if k != "blocks"} for d in kept], ensure_ascii=False,
                       indent=1), encoding="utf-8")
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": _model_key(embedder),
            "rerank_model": _model_key(second),
            "sentence_model": _model_key(sentence_model),
            "keyword_analyzer": analyzer_name,
            "cues": cues_digest(),
            "corpus": str(corpus.folder.resolve()),
            "corpus_hash": corpus_hash,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "passages": len(chunks),
            "vector_search": kinds,
            "documents": entries,
            "skipped": [asdict(s) for s in skipped],
            "warnings": list(corpus.warnings),
            "programmes": {"served": [p.id for p in served], "rejected": [asdict(r) for r in rejected],
                           "drafts": drafts},
        }
        # The manifest is written last: a build folder without one is incomplete by definition.
        (build / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        final = build.with_suffix("")
        build.rename(final)
        _swap_current(index_dir, final)
        _remove_old_builds(index_dir, keep=final)
        progress("done", len(chunks), len(chunks))
        return BuildReport(final, len(kept), len(chunks), len(todo), len(chunks) - len(todo),
                           time.perf_counter() - started, True, tuple(rows), tuple(skipped), corpus.warnings)


def _embed_sentences(model: Embedder, chunks: list[Chunk], records: list[dict], vectors: list[np.ndarray | None],
                     batch_size: int, progress: Progress, stage: str) -> None:
    """Fill `vectors` (per passage: its sentences' vectors from `model`) where it is None (passages not reused)."""
    todo = [i for i, block in enumerate(vectors) if block is None]
    texts = sentence_texts([chunks[i] for i in todo], [records[i] for i in todo])
    flat: list[np.ndarray] = []
    for start in range(0, len(texts), batch_size):
        flat.append(model.embed_passages(texts[start : start + batch_size]))
        progress(stage, min(start + batch_size, len(texts)), len(texts))
    embedded = np.concatenate(flat) if flat else np.zeros((0, model.dim), np.float32)
    cursor = 0
    for i in todo:
        count = len(records[i]["spans"])
        vectors[i] = embedded[cursor : cursor + count]
        cursor += count


def inverse_document_frequency(corpus_terms: list[list[str]]) -> dict[str, float]:
    """Smoothed IDF of every term (terms counted once per passage)."""
    n = len(corpus_terms)
    df = Counter(term for terms in corpus_terms for term in set(terms))
    return {term: math.log((n + 1) / (count + 0.5)) + 1.0 for term, count in df.items()}


def build_programmes(corpus: Path, chunks: list[Chunk], documents: dict[str, Document]):
    """The reviewed programme records of the corpus that its passages bear out; the rejected ones with why; and
    how many drafts (not reviewed, never served) wait for a person."""
    vocabulary = load_vocabulary()
    programmes, rejected = load_programme_files(corpus, vocabulary)
    served = []
    for programme in programmes:
        if not programme.reviewed:
            continue
        result = resolve(programme, chunks, documents, vocabulary)
        (rejected if isinstance(result, Rejected) else served).append(result)
    return served, rejected, sum(not p.reviewed for p in programmes)


@contextmanager
def _build_lock(index_dir: Path, progress: Progress) -> Iterator[None]:
    """One build at a time per index folder. The lock dies with its process, so a killed build frees it; a
    second build while one runs stops at once and says since when the first has been running."""
    path = index_dir / ".lock"
    with open(path, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "an unknown time"
            raise BuildRunningError(
                f"another build of '{index_dir}' is running since {holder}; wait for it to finish and index "
                f"again, or remove {path} if it is stale (no policy-assistant index process is running)."
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} (pid {os.getpid()})")
        lock.flush()
        yield


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


def load_index(index_dir: Path, ef_search: int = 64) -> IndexStore:
    """Load the build `index_dir/current` points at (vectors memory-mapped, not read)."""
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
    terms: list[frozenset[str]] = []
    heading_terms: list[frozenset[str]] = []
    figures: list[frozenset[str]] = []
    with open(build / "chunks.jsonl", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            terms.append(frozenset(record.pop("terms")))
            heading_terms.append(frozenset(record.pop("heading_terms")))
            figures.append(frozenset(record.pop("figures")))
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
        vectors=load_vectors(build, "vectors", ef_search),
        second_vectors=np.load(second_path) if second_path.is_file() else None,
        keyword=KeywordIndex.load(build / "bm25"),
        chunk_terms=terms,
        heading_terms=heading_terms,
        chunk_figures=figures,
        sentences=SentenceStore(build, chunks, ef_search),
        title_terms={doc_id: frozenset(entry.get("title_terms", ())) for doc_id, entry in manifest["documents"].items()},
        idf=Idf(json.loads((build / "idf.json").read_text(encoding="utf-8"))),
        programmes=[from_record(r) for r in json.loads((build / "programmes.json").read_text(encoding="utf-8"))]
        if (build / "programmes.json").is_file() else [],
    )


def _corpus_files(store: IndexStore) -> list[Path]:
    """The files of the corpus the index was built from (programme records too; hidden files not); none when the
    manifest names no corpus folder or it is gone."""
    corpus = Path(store.manifest.get("corpus") or "")
    if not store.manifest.get("corpus") or not corpus.is_dir():
        return []
    files = [*corpus_entries(corpus), *(corpus / PROGRAMMES).glob("*.toml"), corpus / CATALOG]
    return [p for p in files if p.is_file()]


def corpus_newer_than_index(store: IndexStore) -> list[str]:
    """Files of the corpus this index was built from that changed after the build, or after the last `index` run
    that found every document unchanged (by modification time: cheap, no parsing)."""
    built = (store.path / "manifest.json").stat().st_mtime
    return sorted(str(p) for p in _corpus_files(store) if p.stat().st_mtime > built)


def mark_checked(store: IndexStore) -> None:
    """Record that every corpus file was found unchanged (same content, newer time: a copy, a checkout, a touch):
    the manifest's time moves past the newest file's, so the stale-index warning stops. A read-only index keeps
    its time, and the warning."""
    newest = max((p.stat().st_mtime for p in _corpus_files(store)), default=0.0)
    stamp = max(time.time(), newest)
    try:
        os.utime(store.path / "manifest.json", (stamp, stamp))
    except OSError:
        pass


def check_compatible(store: IndexStore, model: str, rerank_model: str, analyzer_name: str, index_dir: Path,
                     sentence_model: str = "") -> None:
    """Raise IndexStaleError when the index was built with other models than the settings name, or its terms and
    sentences were analysed with other cue tables than this program's (questions would be cut otherwise)."""
    if store.manifest.get("cues") != cues_digest():
        raise IndexStaleError(
            f"the index at '{index_dir}' was analysed with other cue tables than this version of the program uses. "
            f"Rebuild it with: policy-assistant index --index {index_dir} (passages and vectors are reused: it takes "
            "seconds)"
        )
    built = (store.manifest["model"] or {}).get("name"), (store.manifest.get("rerank_model") or {}).get("name") or ""
    if built != (model, rerank_model) or store.manifest.get("keyword_analyzer") != analyzer_name:
        raise IndexStaleError(
            f"the index at '{index_dir}' was built with model {built[0]!r}, rerank {built[1]!r}, keywords "
            f"{store.manifest.get('keyword_analyzer')!r}; the settings say {model!r}, {rerank_model!r}, "
            f"{analyzer_name!r}. Rebuild it with: policy-assistant index --index {index_dir}"
        )
    built_sentences = (store.manifest.get("sentence_model") or {}).get("name") or ""
    if sentence_model and built_sentences != sentence_model:  # vectors the settings do not use are harmless
        raise IndexStaleError(
            f"the index at '{index_dir}' has sentence vectors from {built_sentences or 'no model'}; the settings say "
            f"{sentence_model or 'none'} (embed.sentence_model). Rebuild it with: policy-assistant index --index "
            f"{index_dir} (passages and their vectors are reused: only sentences are embedded)"
        )
