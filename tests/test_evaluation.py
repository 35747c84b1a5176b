"""Metric arithmetic on hand-made predictions, the report files, and a tiny bench run."""
import json
from dataclasses import replace

import pytest

from assistant.cli import main
from assistant.report import best_line
from assistant.evaluation import (best_threshold, compare, fact_present, intervals, score_item, summarize,
                                  summarize_by_language, threshold_sweep)
from assistant.types import Answer, Chunk, Citation, Hit, Language, TestItem

from .conftest import ROOT


def item(id, lang="en", answerable=True, facts=(), gold=()):
    return TestItem(id, Language(lang), f"question {id}", answerable, tuple(facts), tuple(gold))


def answer(text, grounded=True, quote="Up to 1,500 AI factories by 2030.", lang="en", total=10.0):
    citations = (Citation(1, "d", "T", Language(lang), "¶1", quote, "s", 1.0, "d#p1"),) if grounded else ()
    return Answer("q", Language(lang), text, grounded, citations, {"total": total})


def hit(chunk_id, group="g"):
    return Hit(Chunk(chunk_id, chunk_id.split("#")[0], "text", "¶1", Language.EN, 0, 4, group), 1.0)


@pytest.mark.parametrize(
    "fact, text, present",
    [("1500", "up to 1,500 factories", True), ("1.500", "1500 fabbriche", True), ("nine", "NINE universities", True),
     (["9", "nove", "아홉"], "nove università", True), ("ｒｅ１００", "RE100 complexes", True),  # NFKC full-width
     ("500", "five hundred", False), (["9", "nine"], "ten", False)],
)
def test_fact_presence_normalises(fact, text, present):
    assert fact_present(fact, text) is present


@pytest.mark.parametrize(
    "fact, text, present",
    [("14 gennaio 2025", "Apertura: ore 10:30 del 14/01/2025", True), ("July 1, 2024", "from 2024-07-01", True),
     ("2025년 12월 12일", "until 2025. 12. 12.", True), ("2025. 12. 12.", "entro il 12 dicembre 2025", True),
     ("October 13, 2016", "on 13th October 2016", True), ("03/06/2025", "dal 3 giugno 2025", True),
     ("July 1st, 2024", "from 2024-07-01", True), ("1st July 2024", "il 1° luglio 2024", True),
     ("15 gennaio 2025", "del 14/01/2025", False), ("31 marzo 2025", "31 marzo 2026", False),
     ("entro il 31 marzo 2025", "31/03/2025", False)],  # a fact that says more than its date is matched as written
)
def test_a_date_fact_is_met_in_any_form_of_that_date(fact, text, present):
    assert fact_present(fact, text) is present


def test_summary_arithmetic_on_known_predictions():
    results = [
        # answerable, right facts, valid citation, gold at rank 1
        score_item(item("a", facts=["1500", "2030"], gold=["g#p1"]), answer("1,500 AI factories by 2030 [1]", total=10),
                   [hit("g#p1")], 10),
        # answerable, one fact of two, gold at rank 2
        score_item(item("b", facts=["1500", "2031"], gold=["g#p1"]), answer("1,500 AI factories [1]", total=20),
                   [hit("x#p9", "x"), hit("g#p1")], 20),
        # answerable but refused
        score_item(item("c", facts=["7"], gold=["g#p1"]), answer("The documents do not say.", grounded=False), [], 30),
        # unanswerable, refused
        score_item(item("d", answerable=False), answer("The documents do not say.", grounded=False), [], 40),
        # unanswerable, answered with an invented figure
        score_item(item("e", answerable=False), answer("600 AI factories [1]"), [], 50),
    ]
    m = summarize(results)
    assert m["items"] == 5 and m["answerable"] == 3 and m["unanswerable"] == 2
    assert m["answer_accuracy"] == pytest.approx(1 / 3)
    assert m["fact_recall"] == pytest.approx(3 / 5)
    assert m["accuracy"] == pytest.approx(2 / 5)
    assert m["refusal_precision"] == pytest.approx(1 / 2)  # refused c (wrongly) and d (rightly)
    assert m["refusal_recall"] == pytest.approx(1 / 2)
    assert m["citation_validity"] == pytest.approx(2 / 3)  # e's 600 is not in its passage
    assert m["hit@1"] == pytest.approx(1 / 3) and m["hit@5"] == pytest.approx(2 / 3)
    assert m["mrr"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert m["latency_p50_ms"] == pytest.approx(30)
    assert m["language_match"] == 1.0


def test_threshold_sweep_counts_what_each_threshold_would_give():
    def result(id, answerable, outcome, confidence, error=""):
        scored = score_item(item(id, answerable=answerable, facts=["7"] if answerable else []),
                            answer("x", grounded=False), [], 1.0, error=error, open_outcome=outcome)
        return replace(scored, confidence=confidence)

    results = [result("a", True, "right", 0.9), result("b", True, "right", 0.4), result("c", True, "wrong", 0.5),
               result("d", False, "wrong", 0.7),
               result("e", False, "refused", 0.95),  # a hard gate refuses it whatever the threshold
               result("f", True, "right", None),  # from the programme records: no confidence, given at any threshold
               result("g", True, "", None, error="timeout")]  # asking failed: left out
    rows = {row["threshold"]: row for row in threshold_sweep(results, (0.0, 0.45, 0.8), wrong_cost=1.5)}
    assert [(rows[t]["answered"], rows[t]["right"], rows[t]["wrong"]) for t in (0.0, 0.45, 0.8)] == [
        (5, 3, 2), (4, 2, 2), (2, 2, 0)]
    assert rows[0.45]["answer_accuracy"] == pytest.approx(2 / 4)  # a, b, c, f are answerable
    assert rows[0.45]["answers_right"] == pytest.approx(2 / 4)
    assert rows[0.45]["refusal_precision"] == pytest.approx(1 / 2)  # refuses b (answerable) and e
    assert rows[0.45]["refusal_recall"] == pytest.approx(1 / 2)  # answers d
    assert rows[0.8]["refusal_recall"] == 1.0 and rows[0.8]["refusal_precision"] == pytest.approx(2 / 4)
    assert rows[0.45]["utility"] == pytest.approx(2 - 1.5 * 2) and rows[0.8]["utility"] == 2
    # the best threshold: the highest right − 1.5 × wrong, and of two equal the higher (fewer answers risked)
    assert best_threshold(list(rows.values()))["threshold"] == 0.8
    assert best_threshold(threshold_sweep(results, (0.8, 0.85), wrong_cost=1.5))["threshold"] == 0.85
    assert best_threshold([]) is None
    sweep = threshold_sweep(results, (0.0, 0.45, 0.8), wrong_cost=1.5)
    assert best_line(sweep, (0.8,)) == "right − 1.5 × wrong is highest at the threshold used, 0.80: 2."
    assert best_line(sweep, (0.45,)).startswith("right − 1.5 × wrong is highest at 0.80: 2 (-1 at 0.45, the threshold used)")
    assert "optimistic" in best_line(sweep, (0.45,)) and best_line([], (0.6,)) == ""


def test_see_also_counts_refused_answerable_questions_whose_first_passage_holds_the_facts():
    def refused(quote, sentence=""):
        citation = Citation(1, "d", "T", Language.EN, "¶1", quote, "s", 1.0, "d#p1", sentence=sentence)
        return Answer("q", Language.EN, "I could not find this in the documents.", False, (citation,), {})

    results = [
        score_item(item("a", facts=["1500", "2030"]), refused("Up to 1,500 AI factories by 2030."), [], 1),
        score_item(item("b", facts=["1500", "2031"]), refused("Up to 1,500 AI factories by 2030."), [], 1),  # one fact
        score_item(item("c", facts=["7"]), answer("The documents do not say.", grounded=False), [], 1),  # no passage
        score_item(item("d", facts=["1500"]), answer("1,500 AI factories [1]"), [], 1),  # answered: not counted
        score_item(item("e", answerable=False), refused("Up to 1,500 AI factories by 2030."), [], 1),  # not counted
    ]
    assert [r.see_also_holds for r in results] == [True, False, False, None, None]
    assert summarize(results)["see_also@1"] == pytest.approx(1 / 3)

    # The sentence shown first counts on its own: the passage holding the facts is not enough.
    passage = "Up to 1,500 AI factories. They come by 2030."
    results = [
        score_item(item("a", facts=["1500", "2030"]), refused(passage, "Up to 1,500 AI factories."), [], 1),
        score_item(item("b", facts=["1500"]), refused(passage, "Up to 1,500 AI factories."), [], 1),
        score_item(item("c", facts=["1500"]), refused(passage), [], 1),  # no sentence scored
    ]
    assert [r.see_also_holds for r in results] == [True, True, True]
    assert [r.see_also_sentence_holds for r in results] == [False, True, False]
    assert summarize(results)["see_also_sentence@1"] == pytest.approx(1 / 3)


def test_worst_misses_are_the_wrong_answers_given_with_the_highest_confidence():
    from dataclasses import replace

    from assistant.report import describe_miss, worst_misses

    def scored(id, text, confidence, answerable=True, facts=("1500",), grounded=True):
        a = replace(answer(text, grounded=grounded), confidence=confidence)
        return score_item(item(id, answerable=answerable, facts=facts if answerable else ()), a, [], 1)

    results = [
        scored("right", "1,500 AI factories [1]", 0.99),  # right: no miss, however sure
        scored("unsure", "2030 [1]", 0.40),  # wrong fact
        scored("invented", "Up to 1,500 AI factories by 2030. [1]", 0.95, answerable=False),  # should have refused
        scored("refused", "I could not find this.", 0.30, grounded=False),  # a refusal is no wrong answer
        scored("sure", "2030 [1]", 0.80),
        scored("unscored", "2030 [1]", None),
    ]
    assert [r.item.id for r in worst_misses(results)] == ["invented", "sure", "unsure", "unscored"]
    assert [r.item.id for r in worst_misses(results, 2)] == ["invented", "sure"]
    line = describe_miss(worst_misses(results)[0])
    assert line.startswith("0.95 invented (en,") and "(expected: a refusal)" in line


def test_language_match_ignores_quotes_and_is_per_language():
    korean = Answer("q", Language.KO, "이 내용은 이탈리아어 문서에만 있어 원문 그대로 인용합니다: «Entro il 2030 500 fabbriche» [1]",
                    True, (Citation(1, "d", "T", Language.IT, "¶1", "Entro il 2030 500 fabbriche", "s", 1.0, "d#p1"),), {})
    result = score_item(item("k", lang="ko", facts=["500"]), korean, [], 5)
    assert result.answer_language == "ko" and result.correct
    by_language = summarize_by_language([result, score_item(item("x"), answer("500 AI factories [1]"), [], 5)])
    assert set(by_language) == {"overall", "ko", "en"} and by_language["ko"]["items"] == 1


def test_intervals_draw_whole_documents_and_repeat():
    def on(doc, n, right):
        return replace(score_item(replace(item(f"{doc}{n}", facts=["500"]), doc=doc),
                                  answer("500 [1]" if right else "12 [1]"), [], 5), crosslingual=False)

    # Every document answers half its questions right: any draw of whole documents gives 0.5, while a draw of
    # single questions would not.
    even = [on(doc, n, n % 2 == 0) for doc in "abcdef" for n in range(4)]
    assert summarize(even)["answer_accuracy"] == 0.5
    assert intervals(even)["answer_accuracy"] == pytest.approx((0.5, 0.5))
    # Documents that differ: the interval holds the figure and widens, the same on every run.
    mixed = [on(doc, n, n < k) for doc, k in zip("abcdef", (0, 1, 2, 3, 4, 4)) for n in range(4)]
    low, high = intervals(mixed)["answer_accuracy"]
    assert low < summarize(mixed)["answer_accuracy"] < high and high - low > 0.2
    assert intervals(mixed) == intervals(mixed) and intervals(mixed, seed=1) != intervals(mixed)
    # Nothing cross-lingual, nothing unanswerable: nothing to bound.
    assert intervals(mixed)["crosslingual_accuracy"] is None and intervals(mixed)["refusal_recall"] is None
    assert "answer_accuracy_interval" in summarize_by_language(mixed)["en"]


def test_compare_pairs_questions_by_id_and_lists_what_moved():
    def on(doc, n, right, grounded=True):
        return score_item(replace(item(f"{doc}{n}", facts=["500"]), doc=doc),
                          answer("500 [1]" if right else "12 [1]", grounded=grounded), [], 5)

    def as_report(results):  # what report.json keeps of each item
        return [{"item": {"id": r.item.id, "lang": r.item.lang.value}, "correct": r.correct, "grounded": r.grounded,
                 "confidence": r.confidence} for r in results]

    before = [on(doc, n, n < 2) for doc in "abcd" for n in range(4)]
    same = compare(as_report(before), before)
    assert same["by_language"]["overall"]["change"] == 0.0 and same["moved"] == []
    assert same["by_language"]["overall"]["change_interval"] == (0.0, 0.0) and same["shared"] == 16
    # One right answer of 16 now refused, one wrong one now right: the change is 0, two questions moved.
    after = [on("a", 0, False, grounded=False), on("a", 2, True)] + [r for r in before
                                                                       if r.item.id not in ("a0", "a2")]
    moved = compare(as_report(before), after)
    row = moved["by_language"]["overall"]
    assert row["gained"] == 1 and row["lost"] == 1 and row["change"] == 0.0
    assert {(m["id"], m["before"], m["now"]) for m in moved["moved"]} == {("a0", "right", "refused"),
                                                                          ("a2", "wrong", "right")}
    # A question only one run asked is not compared.
    assert compare(as_report(before[1:]), before)["only_now"] == 1


def test_eval_command_writes_report_with_the_computed_numbers(capsys, index_dir, tmp_path):
    testset = tmp_path / "mini.jsonl"
    testset.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": "en-1", "lang": "en", "question": "How many AI factories by 2030?", "answerable": True,
         "expected_facts": ["500"], "gold": ["motie-2026-work-plan-it#p1", "motie-2026-work-plan-it#p4"]},
        {"id": "ko-1", "lang": "ko", "question": "5대 성장 패키지의 예산은 얼마인가요?", "answerable": False},
        {"id": "it-1", "lang": "it", "question": "Quante fabbriche AI ci sono in Francia?", "answerable": True,
         "expected_facts": ["999"]},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    code = main(["eval", str(testset), "--out", str(out), "--index", str(index_dir), "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    overall = report["metrics"]["overall"]
    assert overall["items"] == 3 and overall["answer_accuracy"] == pytest.approx(0.5)
    low, high = overall["answer_accuracy_interval"]
    assert 0.0 <= low <= 0.5 <= high <= 1.0
    assert report["metrics"]["ko"]["refusal_recall"] == 1.0
    assert [i["correct"] for i in report["items"]] == [True, True, False]
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "it-1" in markdown and "Quante fabbriche AI ci sono in Francia?" in markdown and '"999"' in markdown
    assert "en-1 " not in markdown.split("## Failed items")[1]
    # it-1 asks for a fact no document holds: answered, it is a wrong answer and the worst misses list it
    worst = markdown.split("## Worst misses")[1].split("## Failed items")[0]
    assert ("it-1 (it," in worst) == report["items"][2]["grounded"] and report["worst_misses"] == (
        ["it-1"] if report["items"][2]["grounded"] else [])
    assert all(i["confidence"] is None or 0.0 <= i["confidence"] <= 1.0 for i in report["items"])
    # where the miss was lost: no passage found holds "999"; the right answer and the refusal lost nothing
    assert [i["lost_at"] for i in report["items"]] == ["", "", "retrieval"]
    assert report["lost_at"]["retrieval"] == {"overall": 1, "en": 0, "it": 1, "ko": 0}
    for plot in ("metrics.png", "latency.png", "losses.png"):
        assert (out / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The same questions again, compared with that report: nothing moved, and the report says so.
    again = tmp_path / "again"
    assert main(["eval", str(testset), "--out", str(again), "--index", str(index_dir), "--quiet",
                 "--compare", str(out / "report.json")]) == 0
    comparison = json.loads((again / "report.json").read_text(encoding="utf-8"))["comparison"]
    assert comparison["shared"] == 3 and comparison["moved"] == [] and comparison["by_language"]["overall"]["change"] == 0
    assert "## Compared with" in (again / "report.md").read_text(encoding="utf-8")
    assert "moved: 0" in capsys.readouterr().out
    # A report that is not there: a clear error before anything is asked.
    assert main(["eval", str(testset), "--out", str(again), "--index", str(index_dir), "--quiet",
                 "--compare", str(tmp_path / "nowhere.json")]) != 0
    assert "no report to compare with" in capsys.readouterr().err
    other = tmp_path / "other.json"  # a report of another test set: no question in common
    other.write_text(json.dumps({"items": [{"item": {"id": "zz-1", "lang": "en"}, "correct": True, "grounded": True}]}),
                     encoding="utf-8")
    assert main(["eval", str(testset), "--out", str(again), "--index", str(index_dir), "--quiet",
                 "--compare", str(other)]) != 0
    assert "holds none of the 3 questions" in capsys.readouterr().err
    assert "answer_accuracy" in captured.out


def test_eval_says_where_a_right_pick_was_refused(capsys, index_dir, tmp_path, monkeypatch):
    """Under a threshold no pick reaches, the question whose pick holds the fact is lost at the confidence, and
    the one whose fact no document holds is lost at retrieval; the report's table counts them."""
    testset = tmp_path / "mini.jsonl"
    testset.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": "en-1", "lang": "en", "question": "How many AI factories by 2030?", "answerable": True,
         "expected_facts": ["500"]},
        {"id": "en-2", "lang": "en", "question": "How many AI factories are there in France?", "answerable": True,
         "expected_facts": ["999"]},
    ]) + "\n", encoding="utf-8")
    monkeypatch.setenv("POLICY_ASSISTANT_ANSWER__THRESHOLD", "0.9999")
    out = tmp_path / "report"
    assert main(["eval", str(testset), "--out", str(out), "--index", str(index_dir), "--quiet"]) == 0
    captured = capsys.readouterr()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(i["grounded"], i["lost_at"]) for i in report["items"]] == [(False, "confidence"), (False, "retrieval")]
    assert {stage: counts["overall"] for stage, counts in report["lost_at"].items() if counts["overall"]} == {
        "confidence": 1, "retrieval": 1}
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| confidence | 1 | 1 |" in markdown and "| chooser | 0 | 0 |" in markdown
    assert "where the answerable questions not answered right were lost" in captured.out


def test_the_threshold_sweep_foretells_what_another_threshold_gives(capsys, index_dir, tmp_path, monkeypatch):
    """The report's sweep gives, at the threshold used, the answers the eval counted, and at a threshold of 0 the
    answers an eval run with that threshold gives."""
    testset = tmp_path / "mini.jsonl"
    testset.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": "en-1", "lang": "en", "question": "How many AI factories by 2030?", "expected_facts": ["500"]},
        {"id": "en-2", "lang": "en", "question": "What's the slogan of the Ministry's 2026 plan?",
         "expected_facts": ["Vitality for Businesses"]},
        {"id": "en-3", "lang": "en", "question": "What kind of support will the regions receive?",
         "expected_facts": ["comprehensive support"]},
        {"id": "it-1", "lang": "it", "question": "Quante fabbriche AI il Ministero vuole avere entro il 2030?",
         "expected_facts": ["500"]},
        {"id": "it-2", "lang": "it", "question": "In quali regioni sorgeranno i 13 complessi di dimostrazione AI?",
         "answerable": False},
        {"id": "ko-1", "lang": "ko", "question": "내년에 AI 공장은 몇 개가 추가되나요?", "expected_facts": ["100"]},
        {"id": "ko-2", "lang": "ko", "question": "지역은 어떤 지원을 받게 되나요?", "expected_facts": ["전폭적"]},
        {"id": "ko-3", "lang": "ko", "question": "5대 성장 패키지의 예산은 얼마인가요?", "answerable": False},
    ]) + "\n", encoding="utf-8")

    def run(name):
        assert main(["eval", str(testset), "--out", str(tmp_path / name), "--index", str(index_dir), "--quiet"]) == 0
        return json.loads((tmp_path / name / "report.json").read_text(encoding="utf-8"))

    def counted(report):  # right and wrong answers, as the eval scored them
        given = [i for i in report["items"] if i["grounded"]]
        return sum(i["correct"] for i in given), sum(not i["correct"] for i in given)

    used = run("used")
    assert all(i["open_outcome"] in ("right", "wrong", "refused") for i in used["items"])
    rows = {row["threshold"]: row for row in used["threshold_sweep"]}
    assert (rows[used["threshold"]]["right"], rows[used["threshold"]]["wrong"]) == counted(used)
    assert "## Answers at each refusal threshold" in (tmp_path / "used" / "report.md").read_text(encoding="utf-8")
    assert (tmp_path / "used" / "thresholds.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "answers at each refusal threshold" in capsys.readouterr().out

    monkeypatch.setenv("POLICY_ASSISTANT_ANSWER__THRESHOLD", "0")
    opened = run("open")
    assert opened["threshold"] == 0 and (rows[0.0]["right"], rows[0.0]["wrong"]) == counted(opened)
    assert [i["open_outcome"] for i in opened["items"]] == [i["open_outcome"] for i in used["items"]]


def test_eval_rejects_a_malformed_test_set(capsys, index_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "lang": "fr", "question": "?"}\n', encoding="utf-8")
    code = main(["eval", str(bad), "--index", str(index_dir)])
    assert code == 2 and "line 1" in capsys.readouterr().err


def test_tiny_bench_produces_every_key(capsys, index_dir, tmp_path):
    out = tmp_path / "bench.json"
    code = main(["bench", "--quick", "--out", str(out), "--index", str(index_dir), "--quiet"])
    assert code == 0, capsys.readouterr().err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"machine", "plan", "ask_warm_ms", "baseline", "cold_start", "serve", "index_build", "scale",
            "scale_end_to_end", "targets", "skipped"} <= set(report)
    assert report["skipped"] == {}  # the test install has every optional part
    assert {"detect", "retrieve", "answer", "total"} <= set(report["ask_warm_ms"])
    assert {"p50", "p95"} <= set(report["ask_warm_ms"]["total"])
    assert {"hit@1", "hit@5", "mrr", "latency_ms"} <= set(report["baseline"]["plain_llama_index"])
    assert {"ratio_hit@1", "ratio_latency_p50", "ratio_retrieval_latency_p50"} <= set(report["baseline"])
    assert report["cold_start"]["peak_rss_mb"] > 0 and report["serve"]["peak_rss_mb"] > 0
    # Both worker counts served every request, and every answer was the one its question gets alone.
    assert report["serve"]["all_matched"] is True and set(report["serve"]["by_workers"]) == {"1", "2"}
    assert all(run["requests"] > 0 for run in report["serve"]["by_workers"].values())
    assert report["serve"]["by_workers"]["2"]["processes"] >= 3  # the server and its two answering processes
    assert report["index_build"]["no_change_reembedded"] == 0 and report["index_build"]["passages_per_second"] > 0
    scale = report["scale"][0]
    assert scale["exact_flat"]["recall@10"] == 1.0 and 0.0 <= scale["hnsw_m32"]["recall@10"] <= 1.0
    assert {"build_seconds", "memory_mb", "query_ms"} <= set(scale["hnsw_m32"])
    big = report["scale_end_to_end"]
    # The replicas are real passages again: as many as asked for (rounded up to whole replicas), each embedded
    # for real only once.
    assert big["passages"] >= 60 and big["replicas"] >= 5 and big["embedded_for_real"] < big["passages"]
    assert big["ask_ms"]["n"] == 3 and big["skipped"] == 0
    assert {row["target"] for row in report["targets"]} >= {"warm ask p50 ms", "peak RSS of CLI ask, MB"}
    printed = capsys.readouterr().out
    assert "warm ask p50 ms" in printed and "before" in printed


def test_bench_names_the_sections_it_cannot_run(monkeypatch, engine, tmp_path):
    """After `make install` alone the comparison libraries are missing: bench says so and runs the rest."""
    import builtins

    from assistant.bench import BenchPlan, run_bench
    from assistant.evaluation import load_testset

    real_import = builtins.__import__

    def without_baseline(name, *args, **kwargs):
        if name.startswith(("llama_index.vector_stores", "pypdf", "hwp_hwpx_parser")):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_baseline)
    plan = BenchPlan(trials=1, cold_runs=0, clients=0, workers=(), scale_sizes=(), end_to_end_passages=0)
    items = load_testset(ROOT / "evals" / "seed-qa.jsonl")[:2]
    report = run_bench(engine, engine.settings.index, items, tmp_path, plan, sections=("baseline", "ask_warm_ms"))
    assert "baseline" in report["skipped"] and "pip install" in report["skipped"]["baseline"]
    assert report["ask_warm_ms"]["total"]["n"] == 2
