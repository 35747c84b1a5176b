"""Session fixtures: the real models load once; small real indexes are built once."""
from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embed import load_embedder
from assistant.index import build_index
from assistant.load import discover, load_catalog
from assistant.pipeline import Engine
from assistant.text import load_analyzer

# The Korean keyword analyzer the default settings name (what users get).
ANALYZER = Settings().keyword.korean

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = "motie-2026-work-plan-it"


def _seed_corpus() -> Path:
    """The seed document and its two translations, alone, with their catalog entries: the small corpus most tests
    build on (the shipped corpus also holds the programme documents)."""
    folder = Path(tempfile.mkdtemp(prefix="seed-corpus-"))
    atexit.register(shutil.rmtree, folder, True)
    entries = [e for e in load_catalog(ROOT / "corpus") if e["id"] == ORIGINAL or e.get("translation_of") == ORIGINAL]
    for entry in entries:
        shutil.copy(ROOT / "corpus" / entry["file"], folder)
    (folder / "catalog.toml").write_text("".join(
        "[[document]]\n" + "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in e.items()) + "\n"
        for e in entries), encoding="utf-8")
    return folder


CORPUS = _seed_corpus()


@pytest.fixture(scope="session")
def embedder():
    return load_embedder("use-m3")


@pytest.fixture(scope="session")
def second():
    return load_embedder("e5-small")


@pytest.fixture(scope="session")
def analyzer():
    return load_analyzer(ANALYZER)


def build(corpus: Path, index: Path, embedder, second, analyzer, **kwargs):
    return build_index(discover(corpus), index, embedder, second, analyzer, ANALYZER, **kwargs)


def engine_for(index: Path, embedder, second, analyzer, sentence_model=None) -> Engine:
    """An engine as `open_engine` makes it; with a sentence model, the selector trained for it."""
    from assistant.index import load_index
    from assistant.selector import default_path, load_selector

    selector = load_selector(default_path(sentence_model.name if sentence_model else ""))
    return Engine(Settings(index=index), load_index(index), embedder, second, analyzer, selector=selector,
                  sentence_model=sentence_model)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, embedder, second, analyzer) -> Path:
    """The real corpus (original + translations), indexed once."""
    index = tmp_path_factory.mktemp("index")
    build(CORPUS, index, embedder, None, analyzer, sentence_model=second)  # with the optional sentence vectors
    return index


@pytest.fixture(scope="session")
def engine(index_dir, embedder, analyzer) -> Engine:
    """The default settings: no second model, no sentence model (the index's sentence vectors go unread)."""
    return engine_for(index_dir, embedder, None, analyzer)


@pytest.fixture(scope="session")
def e5_engine(index_dir, embedder, second, analyzer) -> Engine:
    """`embed.sentence_model = "e5-small"`: the sentence vectors read, with the selector trained for them."""
    return engine_for(index_dir, embedder, None, analyzer, sentence_model=second)


def italian_only_corpus(folder: Path) -> Path:
    """A corpus with the Italian original and no translations."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / "motie-2026-work-plan.it.txt", folder)
    entry = next(e for e in load_catalog(CORPUS) if e["id"] == ORIGINAL)
    lines = "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in entry.items())
    (folder / "catalog.toml").write_text("[[document]]\n" + lines, encoding="utf-8")
    return folder


PDF_PAGES = [
    [(20, "Bando per la ricerca 2025"), (11, "Il presente bando sostiene le piccole imprese."),
     (14, "A.1 Soggetti beneficiari"), (11, "Possono presentare domanda le imprese con meno di 50 dipendenti"),
     (11, "e sede operativa in Lombardia."), (14, "A.2 Dotazione finanziaria"),
     (11, "La dotazione complessiva è pari a € 3.000.000,00.")],
    [(14, "B.1 Spese ammissibili"), (11, "Sono ammissibili le spese per macchinari e software."),
     (14, "B.2 Scadenze"), (11, "Le domande si presentano entro il 30 giugno 2025.")],
]


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory) -> dict[str, Path]:
    """One small document per format (tests/documents.py), in one folder: a corpus without a catalog."""
    from .documents import (HTML_KO, MARKDOWN_EN, TEXT_IT, hwp_footnote, hwp_paragraph, hwp_table, write_docx,
                            write_hwp, write_hwpx, write_pdf)

    folder = tmp_path_factory.mktemp("formats")
    body = hwp_paragraph("1. 지원 대상")
    body += hwp_paragraph("다음 요건을 갖춘 중소기업이 신청할 수 있다.", inline=[(17, "fn  ")],
                          controls=[hwp_footnote("중소기업기본법 제2조에 따른 중소기업을 말한다.", 1, 1)])
    body += hwp_paragraph("2. 지원 금액")
    body += hwp_paragraph("", inline=[(11, "tbl ")], controls=[hwp_table(
        [["구분", "지원금", "지원 기간"], ["차상위 초과", "최고 월 34만 3,180 원", "12개월"],
         ["차상위 이하", "최고 월 50만 원", ""]], 1, merges={(1, 2): (2, 1)})])
    paths = {
        "pdf": write_pdf(folder / "bando.pdf", PDF_PAGES, header="Bollettino Ufficiale della Regione",
                         scanned_text="Scanned notice 2024: office closed"),
        "docx": write_docx(folder / "grants.docx"),
        "hwpx": write_hwpx(folder / "youth-rent.hwpx"),
        "hwp": write_hwp(folder / "support.hwp", body),
    }
    for name, text in (("notice.html", HTML_KO), ("act.md", MARKDOWN_EN), ("avviso.txt", TEXT_IT)):
        (folder / name).write_text(text, encoding="utf-8")
        paths[name.rsplit(".", 1)[1]] = folder / name
    (folder / "programmes").mkdir()
    for name, text in PROGRAMMES.items():
        (folder / "programmes" / name).write_text(text, encoding="utf-8")
    return paths


# Programme records over the fixtures: two reviewed and sound, one reviewed but wrong (its quote lacks its
# figure: never served), one draft (not reviewed: never served).
PROGRAMMES = {
    "bando.toml": """id = "bando-ricerca-2025"
title = "Bando per la ricerca 2025"
doc = "bando"
gives = "Contributi alle piccole imprese."
reviewed = true
reviewed_by = "tests"
[[conditions]]
field = "applicant_kind"
op = "in"
value = ["company"]
quote = "Possono presentare domanda le imprese"
[[conditions]]
field = "employees"
op = "<"
value = 50
quote = "le imprese con meno di 50 dipendenti"
[[conditions]]
field = "region"
op = "in"
value = ["Lombardia"]
quote = "sede operativa in Lombardia"
""",
    "youth-rent.toml": """id = "youth-rent"
title = "청년 월세 지원"
doc = "youth-rent"
reviewed = true
[[conditions]]
field = "age"
op = ">="
value = 19
quote = "만 19세 이상 34세 이하 무주택 청년이 신청할 수 있습니다."
[[conditions]]
field = "age"
op = "<="
value = 34
quote = "만 19세 이상 34세 이하 무주택 청년이 신청할 수 있습니다."
""",
    "wrong.toml": """id = "wrong-figure"
title = "A record whose quote lacks its figure"
doc = "bando"
reviewed = true
[[conditions]]
field = "employees"
op = "<"
value = 10
quote = "le imprese con meno di 50 dipendenti"
""",
    "draft.toml": """id = "draft-avviso"
title = "Avviso (bozza)"
doc = "avviso"
reviewed = false
[[conditions]]
field = "region"
op = "in"
value = ["Piemonte"]
quote = "le imprese artigiane con sede in Piemonte"
""",
}


@pytest.fixture(scope="session")
def fixture_engine(tmp_path_factory, fixtures, embedder, second, analyzer) -> Engine:
    """An index of the format fixtures (documents the selector was never fitted on), with the default settings."""
    from assistant.index import load_index

    index = tmp_path_factory.mktemp("fixture-index")
    build_index(discover(next(iter(fixtures.values())).parent), index, embedder, None, analyzer, ANALYZER, ocr=False,
                sentence_model=second)
    return Engine(Settings(index=index), load_index(index), embedder, None, analyzer)


@pytest.fixture(scope="session")
def fixture_engine_e5(fixture_engine, embedder, second, analyzer) -> Engine:
    """The same index with `embed.sentence_model = "e5-small"` and its selector."""
    return engine_for(fixture_engine.settings.index, embedder, None, analyzer, sentence_model=second)


@pytest.fixture(scope="session")
def xl_engine(tmp_path_factory, embedder, analyzer) -> Engine:
    """Cross-lingual fixture: only the Italian document, asked in Korean and English."""
    base = tmp_path_factory.mktemp("xl")
    corpus = italian_only_corpus(base / "corpus")
    build(corpus, base / "index", embedder, None, analyzer)
    return engine_for(base / "index", embedder, None, analyzer)
