import re

import numpy as np
import pytest

from assistant.config import RetrieveSettings
from assistant.pipeline import understand
from assistant.retrieve import PASSAGE_FEATURES, gather_pool, retrieve, rrf
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
    hits = retrieve(understand(engine, question, language), engine.store, RetrieveSettings(), engine.selector.ranker,
                    idf=engine.idf)
    assert hits[0].chunk.locator == locator  # the passage or one of its translations: answers read the asker's version


@pytest.mark.parametrize(
    "question, language, locator",
    [("2030년까지 AI 공장을 몇 개로 늘릴 계획인가요?", Language.KO, {"¶1", "¶4"}),
     ("지역 거점 국립대학은 몇 개인가요?", Language.KO, {"¶3"}),
     ("Where was the 2026 work plan presented?", Language.EN, {"¶2"})],
)
def test_cross_lingual_question_finds_the_italian_passage(xl_engine, question, language, locator):
    hits = retrieve(understand(xl_engine, question, language), xl_engine.store, RetrieveSettings(),
                    xl_engine.selector.ranker, idf=xl_engine.idf)
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
    query = understand(engine, "AI factories 2030", Language.EN)
    allowed = engine.store.positions({"motie-2026-work-plan-ko"})
    assert list(allowed) == [i for i, c in enumerate(engine.store.chunks) if c.doc_id == "motie-2026-work-plan-ko"]
    english = engine.store.positions({"motie-2026-work-plan-ko", "motie-2026-work-plan-en"}, {Language.EN})
    assert list(english) == [i for i, c in enumerate(engine.store.chunks) if c.doc_id == "motie-2026-work-plan-en"]
    assert engine.store.positions() is None
    hits = retrieve(query, engine.store, RetrieveSettings(), engine.selector.ranker, allowed=allowed, idf=engine.idf)
    assert hits and {h.chunk.doc_id for h in hits} == {"motie-2026-work-plan-ko"}


def test_sentence_search_equals_exhaustive_cosine(engine):
    query = understand(engine, "Where was the work plan presented?", Language.EN)
    vectors = np.asarray(engine.store.sentences.vectors, dtype=np.float32)
    brute = vectors @ query.vector
    best: dict[int, float] = {}
    for row in np.argsort(-brute, kind="stable"):
        best.setdefault(int(engine.store.sentences.owner[row]), float(brute[row]))
    found = engine.store.sentences.search(query.vector, len(brute))
    assert [p for p, _ in found] == list(best) and np.allclose([s for _, s in found], list(best.values()), atol=1e-3)


def test_pool_features_follow_the_declared_order(engine):
    pool = gather_pool(understand(engine, "RE100 산업단지", Language.KO), engine.store, RetrieveSettings(), idf=engine.idf)
    assert pool.features.shape == (len(pool.positions), len(PASSAGE_FEATURES))
    names = pool.features[:, PASSAGE_FEATURES.index("names")]
    has_code = ["re100" in (c.heading + c.text).casefold() for c in (engine.store.chunks[p] for p in pool.positions)]
    assert all(n == (1.0 if h else 0.0) for n, h in zip(names, has_code))


def test_the_ranker_sees_which_passages_hold_the_kind_of_fact_asked_for(engine):
    """A "when" question: a passage's evidence feature says whether one of its sentences holds a date, and
    evidence_coverage how well the best such sentence matches the question's topic (same language only)."""
    question = understand(engine, "Quando è stato presentato il piano di lavoro?", Language.IT)
    pool = gather_pool(question, engine.store, RetrieveSettings(), idf=engine.idf)
    held = pool.features[:, PASSAGE_FEATURES.index("evidence")]
    coverage = pool.features[:, PASSAGE_FEATURES.index("evidence_coverage")]
    counts = [any(question.asks in s.kinds for s in engine.store.sentences.of(p)) for p in pool.positions]
    assert list(held) == [1.0 if c else 0.0 for c in counts] and 0 < sum(counts) < len(counts)
    assert all(v == 0.0 for v, c in zip(coverage, counts) if not c)
    same = [engine.store.chunks[p].language is Language.IT for p in pool.positions]
    assert any(v > 0 for v, c, m in zip(coverage, counts, same) if c and m)
    assert all(v == 0.0 for v, m in zip(coverage, same) if not m)


def test_the_ranker_sees_which_passages_hold_the_form_of_answer_asked_for(fixture_engine):
    """"What percentage…": form_held marks the passages holding a percentage (any language version); a question
    that asks for no form leaves it at 1 everywhere."""
    engine = fixture_engine
    question = understand(engine, "what percentage of the costs does the grant cover", Language.EN)
    assert question.forms == {"percent"}
    pool = gather_pool(question, engine.store, RetrieveSettings(), idf=engine.idf, cues=engine.cues)
    held = pool.features[:, PASSAGE_FEATURES.index("form_held")]
    percents = [bool(re.search(r"\d\s?%", " ".join(v.text for v in engine.store.aligned(c).values())))
                for c in (engine.store.chunks[p] for p in pool.positions)]
    assert list(held) == [1.0 if e else 0.0 for e in percents] and 0 < sum(percents) < len(percents)
    plain = gather_pool(understand(engine, "who can apply", Language.EN), engine.store, RetrieveSettings(),
                        idf=engine.idf, cues=engine.cues)
    assert (plain.features[:, PASSAGE_FEATURES.index("form_held")] == 1.0).all()
