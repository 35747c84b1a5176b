"""Session fixtures: the real models load once; small real indexes are built once."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embed import load_embedder
from assistant.index import build_index
from assistant.load import discover, load_catalog
from assistant.pipeline import Engine, open_engine
from assistant.text import load_analyzer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ORIGINAL = "motie-2026-work-plan-it"


@pytest.fixture(scope="session")
def embedder():
    return load_embedder("use-m3")


@pytest.fixture(scope="session")
def second():
    return load_embedder("e5-small")


@pytest.fixture(scope="session")
def analyzer():
    return load_analyzer("kiwi")


def build(corpus: Path, index: Path, embedder, second, analyzer, **kwargs):
    return build_index(discover(corpus), index, embedder, second, analyzer, "kiwi", **kwargs)


def engine_for(index: Path, embedder, second, analyzer) -> Engine:
    from assistant.index import load_index

    return Engine(Settings(index=index), load_index(index), embedder, second, analyzer)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, embedder, second, analyzer) -> Path:
    """The real corpus (original + translations), indexed once."""
    index = tmp_path_factory.mktemp("index")
    build(CORPUS, index, embedder, second, analyzer)
    return index


@pytest.fixture(scope="session")
def engine(index_dir, embedder, second, analyzer) -> Engine:
    return engine_for(index_dir, embedder, second, analyzer)


def italian_only_corpus(folder: Path) -> Path:
    """A corpus with the Italian original and no translations."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / "motie-2026-work-plan.it.txt", folder)
    entry = next(e for e in load_catalog(CORPUS) if e["id"] == ORIGINAL)
    lines = "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in entry.items())
    (folder / "catalog.toml").write_text("[[document]]\n" + lines, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def xl_engine(tmp_path_factory, embedder, second, analyzer) -> Engine:
    """Cross-lingual fixture: only the Italian document, asked in Korean and English."""
    base = tmp_path_factory.mktemp("xl")
    corpus = italian_only_corpus(base / "corpus")
    build(corpus, base / "index", embedder, second, analyzer)
    return engine_for(base / "index", embedder, second, analyzer)
