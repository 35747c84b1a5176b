import pytest

from assistant.config import RetrieveSettings
from assistant.index import load_index
from assistant.retrieve import prepare_query, retrieve, rrf
from assistant.types import Language

KNOWN = [
    # (question, language, locator of the passage that holds the answer)
    ("Quante fabbriche AI saranno distribuite entro quest'anno?", Language.IT, "¶4"),
    ("Dove è stato presentato il piano di lavoro 2026?", Language.IT, "¶2"),
    ("Quante università nazionali hub regionali forniranno talenti?", Language.IT, "¶3"),
    ("올해 말까지 AI 공장이 몇 개 보급되나요?", Language.KO, "¶4"),
    ("2026년 업무계획은 어디에서 발표되었나요?", Language.KO, "¶2"),
    ("RE100 산업단지는 무엇에 준하는 규모인가요?", Language.KO, "¶3"),
    ("How many AI demonstration industrial complexes will be established?", Language.EN, "¶1"),
    ("What will the RE100 industrial complexes be equivalent to?", Language.EN, "¶3"),
    ("What is M.AX?", Language.EN, "¶4"),
]


@pytest.mark.parametrize("question, language, locator", KNOWN)
def test_right_passage_ranks_first_in_the_question_language(engine, question, language, locator):
    query = prepare_query(question, language, engine.embedder, engine.second, engine.analyzer)
    hits = retrieve(query, engine.store, RetrieveSettings())
    assert hits[0].chunk.locator == locator
    assert hits[0].chunk.language is language  # its own-language version (a translation) comes first


@pytest.mark.parametrize(
    "question, language, locator",
    [("2030년까지 AI 공장을 몇 개로 늘릴 계획인가요?", Language.KO, {"¶1", "¶4"}),
     ("지역 거점 국립대학은 몇 개인가요?", Language.KO, {"¶3"}),
     ("Where was the 2026 work plan presented?", Language.EN, {"¶2"})],
)
def test_cross_lingual_question_finds_the_italian_passage(xl_engine, question, language, locator):
    query = prepare_query(question, language, xl_engine.embedder, xl_engine.second, xl_engine.analyzer)
    hits = retrieve(query, xl_engine.store, RetrieveSettings())
    assert hits[0].chunk.language is Language.IT and hits[0].chunk.locator in locator


def test_rrf_matches_the_formula():
    fused = rrf([[3, 1], [1, 2]], k=60)
    assert fused[1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[3] == pytest.approx(1 / 61) and fused[2] == pytest.approx(1 / 62)


def test_keyword_search_matches_bare_korean_noun(engine):
    # "공장" alone (no particle) must find passages that only say "공장을"/"공장 수를".
    results = engine.store.keyword.search(engine.analyzer.terms("공장", Language.KO), 5)
    assert results and all(score > 0 for _, score in results)
    assert {engine.store.chunks[i].language for i, _ in results} == {Language.KO}


def test_document_filter_restricts_hits(engine):
    query = prepare_query("AI factories 2030", Language.EN, engine.embedder, engine.second, engine.analyzer)
    allowed = {i for i, c in enumerate(engine.store.chunks) if c.doc_id == "motie-2026-work-plan-ko"}
    hits = retrieve(query, engine.store, RetrieveSettings(), allowed=allowed)
    assert hits and {h.chunk.doc_id for h in hits} == {"motie-2026-work-plan-ko"}
