"""The whole development corpus (../shared/dev-corpus: 23 real documents in 6 formats) read and indexed."""

import pytest

from assistant.index import build_index, load_index
from assistant.load import discover
from assistant.readers.pdf import tesseract_available

from .conftest import ANALYZER, ROOT

DEV_CORPUS = ROOT.parent / "shared" / "dev-corpus"
SCAN = "en-us-hud-open-data-policy-memo-2014-scan"

pytestmark = pytest.mark.skipif(not DEV_CORPUS.is_dir(), reason=f"no development corpus at {DEV_CORPUS}")


@pytest.fixture(scope="module")
def dev_index(tmp_path_factory, embedder, analyzer):
    """Indexed with the primary model only: the rerank model adds minutes and nothing this test looks at."""
    index = tmp_path_factory.mktemp("dev-index")
    report = build_index(discover(DEV_CORPUS), index, embedder, None, analyzer, ANALYZER)
    return report, load_index(index)


def test_every_document_but_the_scan_yields_passages(dev_index):
    report, store = dev_index
    catalog = {d.doc_id for d in discover(DEV_CORPUS).documents}
    assert len(catalog) == 23
    per_document = {doc_id: entry["passages"] for doc_id, entry in store.manifest["documents"].items()}
    for doc_id in catalog - {SCAN}:
        assert per_document.get(doc_id, 0) > 0, doc_id
    if tesseract_available():
        assert per_document[SCAN] > 0 and store.manifest["documents"][SCAN]["ocr_pages"] == [1, 2, 3]
    else:
        assert SCAN not in per_document
        assert any(SCAN in s["file"] and "tesseract-ocr" in s["hint"] for s in store.manifest["skipped"])


def test_every_format_keeps_its_structure(dev_index):
    _, store = dev_index
    chunks = {c.doc_id: [] for c in store.chunks}
    for chunk in store.chunks:
        chunks[chunk.doc_id].append(chunk)
    # A law's article and clause, a PDF's page and section, an HWPX table row with its headers.
    article = next(c for c in chunks["ko-national-finance-act"] if "회계연도는 매년 1월 1일" in c.text)
    assert article.locator == "제2조" and article.heading == "제1장 총칙 > 제2조 (회계연도)"
    beneficiaries = next(c for c in chunks["it-lombardia-bando-nuova-impresa-2025"] if "Possono accedere al Bando" in c.text)
    assert beneficiaries.locator.startswith("p. 3") and beneficiaries.heading.endswith("A.3 Soggetti beneficiari")
    schedule = next(c for c in chunks["ko-gangbuk-festival-rfp-2023"] if "음악축제 1부" in c.text)
    assert "구 분: 음악축제 1부 | 시 간: 18:30 ~ 19:20" in schedule.text
    # HTML chrome is gone: EUR-Lex's cookie notice and search box, the articles are there.
    eu = " ".join(c.text for c in chunks["en-eu-regulation-2017-2403"])
    assert "uses cookies" not in eu and "Article 5" in " ".join(c.heading for c in chunks["en-eu-regulation-2017-2403"])
    # Markdown footnotes are passages of their own, located where they attach.
    assert any(" · fn " in c.locator for c in chunks["en-us-omb-m-13-13-open-data-policy"])
