import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from dataclasses import replace

from pathlib import Path

from assistant.errors import IndexMissingError, IndexStaleError
from assistant.index import FORMAT_VERSION, build_index, check_compatible, load_index
from assistant.pipeline import ask

from .conftest import ANALYZER, CORPUS, ROOT, build, engine_for


def test_manifest_records_models_and_corpus(index_dir):
    store = load_index(index_dir)
    manifest = store.manifest
    assert manifest["model"] == {"name": "use-m3", "dim": 512}
    assert manifest["rerank_model"] is None  # off by default
    assert manifest["passages"] == len(store.chunks) == 12
    assert len(manifest["corpus_hash"]) == 64 and manifest["format_version"] == FORMAT_VERSION
    assert manifest["skipped"] == [] and manifest["corpus"] == str(CORPUS.resolve())
    assert {e["format"] for e in manifest["documents"].values()} == {"text"}


def test_vector_search_equals_exhaustive_cosine(engine, embedder):
    store = engine.store
    vectors = np.stack([store.vectors.reconstruct(i) for i in range(len(store.chunks))])
    assert store.vectors.kind == "exact" and store.manifest["vector_search"]["passages"] == "exact"
    for question in ["AI 공장 500개", "università nazionali hub regionali", "Government Sejong Convention Center"]:
        query = embedder.embed_queries([question])[0]
        brute = vectors @ query
        scores, ids = store.vectors.search(query, len(store.chunks))
        assert list(ids) == list(np.argsort(-brute, kind="stable"))
        assert np.allclose(scores, np.sort(brute)[::-1], atol=1e-5)
        allowed = np.array([i for i, c in enumerate(store.chunks) if c.language == "ko"])
        _, kept = store.vectors.search(query, 3, allowed)
        assert list(kept) == [int(allowed[i]) for i in np.argsort(-brute[allowed], kind="stable")[:3]]


def test_hnsw_search_finds_the_exact_neighbours_and_filters_inside_the_graph(tmp_path):
    from assistant.vectors import EXACT_SUBSET, load_vectors, write_vectors

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(40, 64))
    matrix = centres[rng.integers(0, 40, 3000)] + 0.3 * rng.normal(size=(3000, 64))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    assert write_vectors(tmp_path, "v", matrix, hnsw_above=1000) == "hnsw"
    graph = load_vectors(tmp_path, "v", ef_search=64)
    exact = load_vectors(tmp_path, "v")
    exact.hnsw = None
    queries = matrix[rng.integers(0, 3000, 50)] + 0.1 * rng.normal(size=(50, 64))
    found = [len(set(graph.search(q, 10)[1]) & set(exact.search(q, 10)[1])) / 10 for q in queries]
    assert graph.kind == "hnsw" and np.mean(found) >= 0.95
    # A filter past the exact-subset size goes through the graph with an ID selector: only allowed rows come back.
    allowed = np.arange(0, 3000, 2)
    assert len(allowed) < EXACT_SUBSET  # so force the graph path
    import assistant.vectors as vectors_module
    saved, vectors_module.EXACT_SUBSET = vectors_module.EXACT_SUBSET, 100
    try:
        rows = graph.search(queries[0], 10, allowed)[1]
    finally:
        vectors_module.EXACT_SUBSET = saved
    assert len(rows) == 10 and all(r % 2 == 0 for r in rows)


def test_incremental_rebuild_reembeds_nothing_when_nothing_changed(tmp_path, embedder, second, analyzer, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    first = build(corpus, tmp_path / "index", embedder, second, analyzer)
    assert first.embedded == 12 and first.changed
    again = build(corpus, tmp_path / "index", embedder, second, analyzer)
    assert again.embedded == 0 and not again.changed and again.path == first.path

    # Change one translation: only its passages are embedded; the others' vectors are reused unchanged.
    english = corpus / "motie-2026-work-plan.en.txt"
    english.write_text(english.read_text(encoding="utf-8").replace("Ministry", "Ministry of Industry", 1), encoding="utf-8")
    before = load_index(tmp_path / "index")
    third = build(corpus, tmp_path / "index", embedder, second, analyzer)
    assert third.embedded == 4 and third.reused == 8 and third.passages == 12
    after = load_index(tmp_path / "index")
    italian = [i for i, c in enumerate(after.chunks) if c.doc_id.endswith("-it")]
    for i in italian:
        j = before.position[after.chunks[i].chunk_id]
        assert np.array_equal(after.vectors.reconstruct(i), before.vectors.reconstruct(j))
    assert len(list((tmp_path / "index").glob("build-*"))) == 1  # the replaced build is removed

    # New cue tables (what counts as a date, an amount…): every sentence is analysed again with them, and nothing
    # is read or embedded again (the passages, their sentences' spans and vectors do not depend on the cues).
    import assistant.index as index_module
    from assistant.question import Asks, load_cues
    from assistant.types import Language

    cues = load_cues()
    without_dates = {**cues, Language.EN: replace(cues[Language.EN], evidence={
        k: v for k, v in cues[Language.EN].evidence.items() if k is not Asks.DATE})}
    dated = lambda store: sum(Asks.DATE in s.kinds for p, c in enumerate(store.chunks) if c.language is Language.EN  # noqa: E731
                              for s in store.sentences.of(p))
    assert dated(load_index(tmp_path / "index")) > 0
    monkeypatch.setattr(index_module, "cues_digest", lambda: "other tables")
    fourth = build(corpus, tmp_path / "index", embedder, second, analyzer, cues=without_dates)
    assert fourth.changed and fourth.embedded == 0 and fourth.reused == 12
    rebuilt = load_index(tmp_path / "index")
    assert dated(rebuilt) == 0 and all(e["cues"] == "other tables" for e in rebuilt.manifest["documents"].values())
    assert np.array_equal(rebuilt.sentences.vectors[:], after.sentences.vectors[:])


def test_sentences_cut_otherwise_than_when_embedded_are_embedded_again(tmp_path, embedder, second, analyzer,
                                                                      monkeypatch):
    # A program whose sentence splitter changed without its version, meeting an index it built before, and new cue
    # tables (which analyse every sentence again): the new cuts are embedded, never paired with the old vectors.
    import assistant.index as index_module
    import assistant.sentences as sentences_module

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build(corpus, tmp_path / "index", embedder, second, analyzer)
    cut = sentences_module.sentence_spans
    halves = lambda text: [piece for a, b in cut(text) for piece in ((a, (a + b) // 2), ((a + b) // 2, b))]  # noqa: E731
    monkeypatch.setattr(sentences_module, "sentence_spans", halves)
    monkeypatch.setattr(index_module, "cues_digest", lambda: "other tables")
    rebuilt = build(corpus, tmp_path / "index", embedder, second, analyzer)
    assert rebuilt.changed and rebuilt.embedded == 0  # passages are reused; their sentences are not
    store = load_index(tmp_path / "index")
    spans = sum(len(store.sentences.record(p)["spans"]) for p in range(len(store.chunks)))
    assert len(store.sentences.vectors) == spans
    first, last = store.sentences.range(0)
    texts = [s.text for s in store.sentences.of(0)]
    assert np.allclose(store.sentences.vectors[first:last], embedder.embed_passages(texts), atol=1e-5)


def test_a_new_way_of_reading_the_cue_tables_changes_their_digest(monkeypatch):
    """Sentences are analysed again when the code that reads the tables changes, not only the tables."""
    import assistant.question as question_module

    digest = question_module.cues_digest.__wrapped__  # uncached
    before = digest()
    monkeypatch.setattr(question_module, "READING_VERSION", question_module.READING_VERSION + 1)
    assert digest() != before


def test_killed_build_leaves_the_previous_index_answering(tmp_path, embedder, second, analyzer):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    build(corpus, index, embedder, second, analyzer)
    served = (index / "current").resolve()
    before = ask(engine_for(index, embedder, second, analyzer), "How many AI factories by 2030?").to_json()

    # A big new document makes the rebuild long enough to kill mid-way: 60 paragraphs of ~150 tokens, one
    # passage each.
    sentence = "This paragraph about industrial policy number {i} says the same thing again and again. "
    (corpus / "big.txt").write_text(
        "\n\n".join((sentence * 10).format(i=i).strip() for i in range(60)), encoding="utf-8"
    )
    with open(corpus / "catalog.toml", "a", encoding="utf-8") as catalog:
        catalog.write('\n[[document]]\nid = "big"\nfile = "big.txt"\ntitle = "Big"\nlanguage = "en"\n')
    env = {**os.environ, "POLICY_ASSISTANT_EMBED__BATCH_SIZE": "8"}
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "index", "--corpus", str(corpus), "--index", str(index)],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    deadline = time.monotonic() + 120
    for line in process.stderr:  # kill as soon as it is embedding
        if "embedding passages" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert (index / "current").resolve() == served
    engine = engine_for(index, embedder, second, analyzer)
    after = ask(engine, "How many AI factories by 2030?").to_json()
    assert {k: v for k, v in after.items() if k != "timings_ms"} == {k: v for k, v in before.items() if k != "timings_ms"}
    assert len(engine.store.chunks) == 12

    # The next build completes, and leaves no abandoned folder behind.
    report = build(corpus, index, embedder, second, analyzer)
    assert report.passages == 12 + 60
    assert not list(index.glob("*.tmp"))


def test_abandoned_partial_build_is_ignored_and_cleaned(tmp_path, embedder, second, analyzer):
    index = tmp_path / "index"
    build(CORPUS, index, embedder, second, analyzer)
    junk = index / "build-19990101T000000-1.tmp"
    junk.mkdir()
    (junk / "vectors.faiss").write_bytes(b"half a file")
    assert len(load_index(index).chunks) == 12
    shutil.copy(CORPUS / "catalog.toml", tmp_path / "unused")  # corpus unchanged: the build is a no-op …
    build(CORPUS, index, embedder, second, analyzer)
    assert not junk.exists()  # … that still clears what a killed build left


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexMissingError, match="policy-assistant index"):
        load_index(tmp_path / "nothing")


def test_index_built_with_another_model_is_stale(index_dir):
    store = load_index(index_dir)
    with pytest.raises(IndexStaleError, match="Rebuild it with"):
        check_compatible(store, "minilm", "e5-small", "kiwi", index_dir)


def test_index_analysed_with_other_cue_tables_is_stale(index_dir, monkeypatch):
    import assistant.index as index_module

    store = load_index(index_dir)
    check_compatible(store, "use-m3", "", ANALYZER, index_dir, "e5-small")  # as built: no complaint
    monkeypatch.setattr(index_module, "cues_digest", lambda: "newer tables")
    with pytest.raises(IndexStaleError, match="other cue tables.*policy-assistant index"):
        check_compatible(store, "use-m3", "", ANALYZER, index_dir, "e5-small")


def test_rebuilding_a_stale_index_brings_it_to_the_current_cue_tables(tmp_path, embedder, analyzer, monkeypatch):
    import json

    import assistant.index as index_module

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build(corpus, tmp_path / "index", embedder, None, analyzer)
    monkeypatch.setattr(index_module, "cues_digest", lambda: "newer tables")
    with pytest.raises(IndexStaleError):
        check_compatible(load_index(tmp_path / "index"), "use-m3", "", ANALYZER, tmp_path / "index")
    report = build(corpus, tmp_path / "index", embedder, None, analyzer)  # the command the message names
    assert report.changed and report.embedded == 0
    check_compatible(load_index(tmp_path / "index"), "use-m3", "", ANALYZER, tmp_path / "index")
    manifest = json.loads((tmp_path / "index" / "current" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cues"] == "newer tables"


def test_unreadable_files_are_skipped_with_reasons_and_the_rest_indexed(tmp_path, embedder, analyzer):
    from assistant.load import discover

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (corpus / "empty.md").write_bytes(b"")
    report = build_index(discover(corpus), tmp_path / "index", embedder, None, analyzer, ANALYZER)
    assert report.documents == 3 and report.passages == 12
    reasons = {Path(s.file).name: s.reason for s in report.skipped}
    assert set(reasons) == {"broken.pdf", "empty.md"} and "empty" in reasons["empty.md"]
    manifest = load_index(tmp_path / "index").manifest
    assert {Path(s["file"]).name for s in manifest["skipped"]} == {"broken.pdf", "empty.md"}
    assert all(s["hint"] for s in manifest["skipped"]) and "broken" not in manifest["documents"]


def test_nothing_indexable_keeps_the_previous_index(tmp_path, embedder, analyzer):
    from assistant.errors import NothingIndexedError
    from assistant.load import discover

    index = tmp_path / "index"
    build_index(discover(CORPUS), index, embedder, None, analyzer, ANALYZER)
    served = (index / "current").resolve()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "only.docx").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(NothingIndexedError, match="only.docx"):
        build_index(discover(broken), index, embedder, None, analyzer, ANALYZER)
    assert (index / "current").resolve() == served


def test_keyword_index_scores_are_bm25_over_the_postings_and_survive_save_and_load(tmp_path):
    import math

    from assistant.keyword import B, K1, KeywordIndex

    docs = [["ai", "fabbrica", "fabbrica"], ["fabbrica", "regione"], [], ["ai", "università", "regione", "hub"]]
    index = KeywordIndex.build(docs)
    index.save(tmp_path / "bm25")
    loaded = KeywordIndex.load(tmp_path / "bm25")
    lengths = [max(1, len(d)) for d in docs]
    average = sum(lengths) / len(lengths)

    def bm25(query: list[str], row: int) -> float:  # the textbook sum, term by term
        total = 0.0
        for term in query:
            df = sum(term in d for d in docs)
            if not df:
                continue
            tf = docs[row].count(term)
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            total += idf * tf / (tf + K1 * (1 - B + B * lengths[row] / average))
        return total

    for query in (["fabbrica"], ["ai", "regione"], ["hub", "hub"], ["nessuno"]):
        expected = [bm25(query, row) for row in range(len(docs))]
        assert np.allclose(loaded.scores(query), expected, atol=1e-6)
    assert loaded.search(["fabbrica"], 5) == sorted(loaded.search(["fabbrica"], 5), key=lambda p: -p[1])
    assert [row for row, _ in loaded.search(["fabbrica"], 5)] == [0, 1]  # only passages that match
    assert [row for row, _ in loaded.search(["fabbrica"], 5, np.array([1, 2, 3]))] == [1]


class Counting:
    """A real embedder that counts the texts it embeds."""

    def __init__(self, model):
        self.model, self.name, self.dim, self.texts = model, model.name, model.dim, 0

    def embed_passages(self, texts):
        self.texts += len(texts)
        return self.model.embed_passages(texts)

    def embed_queries(self, texts):
        return self.model.embed_queries(texts)


def test_sentence_vectors_are_added_kept_and_checked(tmp_path, embedder, second, analyzer):
    """Turning the sentence model on embeds sentences only; an unchanged corpus embeds nothing again; an index
    whose sentence vectors differ from the settings is stale with the command that fixes it."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(CORPUS, corpus)
    build(corpus, index, embedder, None, analyzer)
    without = load_index(index)
    assert without.sentences.second is None and without.manifest["sentence_model"] is None
    with pytest.raises(IndexStaleError, match="sentence vectors from no model.*policy-assistant index"):
        check_compatible(without, "use-m3", "", ANALYZER, index, "e5-small")

    counting = Counting(second)
    report = build(corpus, index, embedder, None, analyzer, sentence_model=counting)
    store = load_index(index)
    rows = len(store.sentences.vectors)
    assert report.changed and report.embedded == 0 and counting.texts == rows  # passages reused, sentences embedded
    assert store.sentences.second.shape == (rows, second.dim)
    assert np.array_equal(store.sentences.vectors[:], without.sentences.vectors[:])
    sentence = store.sentences.of(0)[0]
    expected = second.embed_passages([sentence.text])[0]
    assert float(sentence.second @ expected) > 0.99  # stored as float16: the same vector, rounded
    check_compatible(store, "use-m3", "", ANALYZER, index, "e5-small")
    check_compatible(store, "use-m3", "", ANALYZER, index, "")  # vectors the settings do not read are harmless
    with pytest.raises(IndexStaleError, match="sentence vectors from e5-small"):
        check_compatible(store, "use-m3", "", ANALYZER, index, "another-model")

    again = build(corpus, index, embedder, None, analyzer, sentence_model=counting)
    assert not again.changed and counting.texts == rows


def test_the_sentence_model_setting_picks_its_own_selector(index_dir, monkeypatch):
    """Each `embed.sentence_model` is answered by the selector trained with the features it gives."""
    from assistant.config import load_settings
    from assistant.pipeline import open_engine
    from assistant.selector import default_path, load_selector

    plain = open_engine(load_settings(index=index_dir))
    assert plain.sentence_model is None and plain.selector.to_json() == load_selector(default_path("")).to_json()
    monkeypatch.setenv("POLICY_ASSISTANT_EMBED__SENTENCE_MODEL", "e5-small")
    second = open_engine(load_settings(index=index_dir))
    assert second.sentence_model is not None
    assert second.selector.to_json() == load_selector(default_path("e5-small")).to_json() != plain.selector.to_json()
