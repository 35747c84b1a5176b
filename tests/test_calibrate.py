"""Calibration: deterministic fits, and cross-validation that never scores a document it was fitted on."""
import json
import shutil

import pytest

from assistant import calibrate
from assistant.cli import main
from assistant.evaluation import LOSS_STAGES, load_testset
from assistant.selector import SELECTOR_VERSION

from .conftest import ORIGINAL

ITEMS = [
    ("it-1", "it", "Qual è la dotazione complessiva del bando?", ["3.000.000"], "bando", "amount"),
    ("it-2", "it", "Entro quando si presentano le domande?", ["30 giugno 2025"], "bando", "date"),
    ("it-3", "it", "Qual è il contributo massimo per impresa?", ["15.000"], "avviso", "amount"),
    ("it-4", "it", "Chi può partecipare all'avviso?", ["Piemonte"], "avviso", "eligibility"),
    ("ko-1", "ko", "예비창업자의 지원 한도는 얼마인가요?", ["5천만 원"], "notice", "amount"),
    ("ko-2", "ko", "신청 기간은 언제까지인가요?", ["3월 31일"], "youth-rent", "date"),
    ("en-1", "en", "What is the maximum amount for a prototype award?", ["$250,000"], "grants", "amount"),
    ("en-2", "en", "How many members must a cooperative have to apply?", ["20"], "act", "count"),
    ("it-5", "it", "Qual è il budget del festival musicale?", [], None, "amount"),
    ("ko-3", "ko", "서울시 청년 주택 대출 금리는 몇 퍼센트인가요?", [], None, "other"),
    ("en-3", "en", "Who won the 2022 FIFA World Cup?", [], None, "person"),
    ("en-4", "en", "Who signed the Community Energy Act?", [], "act", "person"),
]


@pytest.fixture(scope="module")
def testset(tmp_path_factory):
    path = tmp_path_factory.mktemp("set") / "fixture-qa.jsonl"
    path.write_text("".join(json.dumps({"id": i, "lang": lang, "question": q, "answerable": bool(facts),
                                        "expected_facts": facts, "doc": doc, "kind": kind}, ensure_ascii=False) + "\n"
                            for i, lang, q, facts, doc, kind in ITEMS), encoding="utf-8")
    return path


def test_calibrate_is_deterministic(testset, fixture_engine, tmp_path, capsys):
    index = str(fixture_engine.settings.index)
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        assert main(["calibrate", str(testset), "--index", index, "--out", str(out), "--quiet"]) == 0
    first, second = (json.loads(p.read_text(encoding="utf-8")) for p in outs)
    assert first == second
    assert set(first) >= {"ranker", "chooser", "confidence", "threshold", "held_out_by_document", "seed"}
    printed = capsys.readouterr().out
    assert "held out by document" in printed and "where the answerable questions not answered right were lost" in printed


def test_cross_validation_never_scores_a_document_it_was_fitted_on(testset, fixture_engine, monkeypatch):
    examples = calibrate.collect(fixture_engine, load_testset(testset), testset="fixture-qa")
    fitted_groups: list[set[str]] = []
    real_fit = calibrate.fit

    def spy(train, *args, **kwargs):
        fitted_groups.append({e.group for e in train})
        return real_fit(train, *args, **kwargs)

    monkeypatch.setattr(calibrate, "fit", spy)
    results = calibrate.cross_validate(examples)
    assert len(results) == len(examples) and len(fitted_groups) == len({e.group for e in examples})
    for example, _, _, info in results:
        assert info["held_out"] == example.group
    for (group, train, held), groups in zip(calibrate.folds(examples), fitted_groups):
        assert group not in groups and all(examples[i].group == group for i in held)
        assert all(examples[i].group != group for i in train)


def test_the_confidence_learns_from_picks_of_choosers_that_never_saw_their_document(testset, fixture_engine,
                                                                                     monkeypatch):
    examples = calibrate.collect(fixture_engine, load_testset(testset), testset="fixture-qa")
    _, made = calibrate.fit(examples)
    group_of = {id(c.candidates): e.group for e, c in zip(examples, made)}
    trained: dict[int, set[str]] = {}
    picks: list[tuple[str, int]] = []
    kept = []  # the choosers held, so that no two share an id
    real_fit, real_pick = calibrate.fit_chooser, calibrate.chooser_pick

    def fit_spy(train, *args, **kwargs):
        chooser = real_fit(train, *args, **kwargs)
        trained[id(chooser)] = {group_of[id(c.candidates)] for c in train}
        kept.append(chooser)
        return chooser

    def pick_spy(candidates, chooser, *args, **kwargs):
        picks.append((group_of[id(candidates)], id(chooser)))
        return real_pick(candidates, chooser, *args, **kwargs)

    monkeypatch.setattr(calibrate, "fit_chooser", fit_spy)
    monkeypatch.setattr(calibrate, "chooser_pick", pick_spy)
    calibrate.fit_confidence(examples, made)
    answered = {e.group for e, c in zip(examples, made) if c.candidates}
    assert len(trained) == min(calibrate.CONFIDENCE_INNER_FOLDS, len({e.group for e in examples}))
    assert {group for group, _ in picks} == answered  # every document's picks are learned from …
    assert all(group not in trained[chooser] for group, chooser in picks)  # … by a chooser that never saw it
    assert all(trained[chooser] for _, chooser in picks)


def test_refit_spread_refits_without_a_random_share_of_each_training_fold(testset, fixture_engine, monkeypatch,
                                                                          tmp_path, capsys):
    examples = calibrate.collect(fixture_engine, load_testset(testset), testset="fixture-qa")
    sizes: list[int] = []
    real_fit = calibrate.fit

    def spy(train, *args, **kwargs):
        sizes.append(len(train))
        return real_fit(train, *args, **kwargs)

    monkeypatch.setattr(calibrate, "fit", spy)
    full = [len(train) for _, train, _ in calibrate.folds(examples)]
    calibrate.cross_validate(examples, leave_out=0.5, draw=1)
    halved, sizes[:] = list(sizes), []
    assert all(h <= f for h, f in zip(halved, full)) and sum(halved) < sum(full)
    calibrate.cross_validate(examples, leave_out=0.5, draw=1)
    assert sizes == halved  # the draw is seeded: the same questions left out again
    monkeypatch.setattr(calibrate, "fit", real_fit)
    spread = calibrate.refit_spread(examples, 2, leave_out=0.3)
    assert spread["runs"] == 2 and len(spread["right"]) == len(spread["wrong"]) == len(spread["utility"]) == 2
    assert spread["utility"] == [r - 1.5 * w for r, w in zip(spread["right"], spread["wrong"])]
    # From the command line: the spread is printed, and written to report.json and report.md.
    out = tmp_path / "report"
    index = str(fixture_engine.settings.index)
    assert main(["eval", str(testset), "--by-document", "--refit-spread", "2", "--index", index, "--out", str(out),
                 "--quiet"]) == 0
    assert "Refit spread (2 refits" in capsys.readouterr().out
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["refit_spread"]["runs"] == 2
    assert "Refit spread (2 refits" in (out / "report.md").read_text(encoding="utf-8")
    # Compared with a report that has a spread, both are printed side by side.
    again = tmp_path / "again"
    assert main(["eval", str(testset), "--by-document", "--refit-spread", "2", "--index", index, "--out", str(again),
                 "--compare", str(out / "report.json"), "--quiet"]) == 0
    assert "The compared report's: right" in capsys.readouterr().out
    assert json.loads((again / "report.json").read_text(encoding="utf-8"))["compared_spread"]["runs"] == 2
    assert main(["eval", str(testset), "--refit-spread", "2", "--index", index, "--out", str(out), "--quiet"]) == 2
    assert "--refit-spread needs --by-document" in capsys.readouterr().err


def test_calibrate_refuses_an_index_without_the_documents_asked_about(testset, index_dir, capsys, tmp_path,
                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)  # no development index here (`make dev-index` builds one in the project)
    out = tmp_path / "selector.json"
    assert main(["calibrate", str(testset), "--index", str(index_dir), "--quiet", "--out", str(out)]) == 2
    assert "lacks" in capsys.readouterr().err and not out.exists()
    # One document of two missing is enough: its questions would be fitted as unanswerable.
    partial = tmp_path / "partial.jsonl"
    partial.write_text("\n".join(json.dumps(item) for item in [
        {"id": "a", "lang": "en", "question": "How many AI factories by 2030?", "expected_facts": ["500"], "doc": ORIGINAL},
        {"id": "b", "lang": "en", "question": "Who may apply?", "expected_facts": ["firms"], "doc": "not-indexed-doc"},
    ]), encoding="utf-8")
    assert main(["calibrate", str(partial), "--index", str(index_dir), "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "1 of the 2 documents (not-indexed-doc)" in err and "nothing was written" in err and not out.exists()
    assert "--index" in err and "make calibrate" in err and "partial.toml" in err  # what to do next
    # With the development index built where `make dev-index` puts it, the message points at it.
    (tmp_path / "index-dev" / "current").mkdir(parents=True)
    assert main(["calibrate", str(partial), "--index", str(index_dir), "--quiet", "--out", str(out)]) == 2
    assert "pass --index index-dev" in capsys.readouterr().err
    # eval only warns: its report still comes out, with the missing documents' questions counted as refused.
    assert main(["eval", str(partial), "--index", str(index_dir), "--quiet", "--out", str(tmp_path / "report")]) == 0
    assert "lacks 1 of the 2 documents" in capsys.readouterr().err



def test_a_question_set_names_the_corpus_it_asks_about(fixtures, tmp_path, capsys):
    # FILE.toml beside FILE.jsonl names the documents its questions ask about and where their index is kept
    # (relative to it): without --index, calibrate and eval build that index, or bring it up to date, and ask it.
    corpus, sets = tmp_path / "docs", tmp_path / "sets"
    corpus.mkdir(), sets.mkdir()
    for kind in ("txt", "md", "docx", "html"):
        shutil.copy(fixtures[kind], corpus / fixtures[kind].name)
    held = {path.stem for path in corpus.iterdir()}
    testset = sets / "small-qa.jsonl"
    testset.write_text("".join(json.dumps({"id": i, "lang": lang, "question": q, "answerable": bool(facts),
                                           "expected_facts": facts, "doc": doc, "kind": kind}, ensure_ascii=False)
                               + "\n" for i, lang, q, facts, doc, kind in ITEMS if doc in held or not facts),
                       encoding="utf-8")
    sidecar = sets / "small-qa.toml"
    sidecar.write_text('corpus = "../docs"\nindex = "../small-index"\n', encoding="utf-8")
    out = tmp_path / "selector.json"
    assert main(["calibrate", str(testset), "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"index built: {len(held)} documents" in err and (tmp_path / "small-index" / "current").is_dir()
    assert str(tmp_path / "small-index") in json.loads(out.read_text(encoding="utf-8"))["trained_on"]
    report = tmp_path / "report"
    assert main(["eval", str(testset), "--by-document", "--out", str(report), "--quiet"]) == 0
    assert f"index unchanged: {len(held)} documents" in capsys.readouterr().err
    assert json.loads((report / "report.json").read_text(encoding="utf-8"))["settings"]["index"] == str(
        tmp_path / "small-index")
    bench = tmp_path / "bench.json"
    assert main(["bench", "--testset", str(testset), "--only", "ask_warm_ms", "--out", str(bench), "--quiet"]) == 0
    assert f"index unchanged: {len(held)} documents" in capsys.readouterr().err
    assert json.loads(bench.read_text(encoding="utf-8"))["ask_warm_ms"]["total"]["p50"] > 0
    # A corpus that is not there: said, and nothing written; --index, when given, wins over the file.
    sidecar.write_text('corpus = "../nowhere"\nindex = "../small-index"\n', encoding="utf-8")
    out.unlink()
    assert main(["calibrate", str(testset), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "nowhere" in err and "which is not there" in err and "--index" in err and not out.exists()
    assert main(["calibrate", str(testset), "--out", str(out), "--quiet", "--index", str(tmp_path / "small-index")]) == 0
    sidecar.write_text('corpus = "../docs"\n', encoding="utf-8")
    assert main(["eval", str(testset), "--out", str(report), "--quiet"]) == 2
    assert "index = \"FOLDER\"" in capsys.readouterr().err


def test_calibrate_keeps_the_selector_when_there_is_nothing_to_learn(fixture_engine, tmp_path, capsys):
    # An empty set, or one whose questions are all unanswerable, would train a selector that refuses everything.
    index = str(fixture_engine.settings.index)
    out = tmp_path / "selector.json"
    out.write_text("the selector in use", encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main(["calibrate", str(empty), "--index", index, "--quiet", "--out", str(out)]) == 2
    assert "holds no test items; no selector was written" in capsys.readouterr().err
    unanswerable = tmp_path / "unanswerable.jsonl"
    unanswerable.write_text("".join(json.dumps({"id": i, "lang": lang, "question": q, "answerable": False, "kind": kind})
                                    + "\n" for i, lang, q, facts, doc, kind in ITEMS if not facts), encoding="utf-8")
    assert main(["calibrate", str(unanswerable), "--index", index, "--quiet", "--out", str(out)]) == 2
    assert "the answerable questions are about 0 documents" in capsys.readouterr().err
    # Answerable questions about two documents, whose expected facts no passage holds: no right candidate anywhere.
    unfound = tmp_path / "unfound.jsonl"
    unfound.write_text("".join(json.dumps({"id": i, "lang": lang, "question": q, "expected_facts": ["qqzz-nowhere"],
                                           "doc": doc}) + "\n"
                               for i, lang, q, facts, doc, kind in ITEMS if facts), encoding="utf-8")
    assert main(["calibrate", str(unfound), "--index", index, "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nothing to learn; no selector was written" in err and "expected_facts" in err
    assert out.read_text(encoding="utf-8") == "the selector in use"


def test_held_out_by_document_needs_answerable_questions_about_two_documents(fixture_engine, tmp_path, capsys):
    # One document's questions, held out, would each be answered by a selector fitted on no answerable question.
    one = tmp_path / "one-document.jsonl"
    one.write_text("".join(json.dumps({"id": i, "lang": lang, "question": q, "expected_facts": facts})
                           + "\n" for i, lang, q, facts, doc, kind in ITEMS if facts), encoding="utf-8")
    index = str(fixture_engine.settings.index)
    for command in (["eval", str(one), "--by-document", "--out", str(tmp_path / "report")],
                    ["calibrate", str(one), "--out", str(tmp_path / "selector.json")]):
        assert main([*command, "--index", index, "--quiet"]) == 2
        assert "about 1 document: (one-document)" in capsys.readouterr().err
    assert not (tmp_path / "selector.json").exists()

def test_threshold_is_where_answering_pays(testset, fixture_engine, tmp_path):
    # A right answer gains 1, a wrong one loses the cost: answering pays from P(right) = cost / (1 + cost) on.
    assert calibrate.break_even(1.5) == pytest.approx(0.6)
    assert calibrate.break_even(1.0) == pytest.approx(0.5)
    assert calibrate.break_even(0.1) < calibrate.break_even(1.5) < calibrate.break_even(4.0)
    # calibrate writes that threshold for the cost it is given
    out = tmp_path / "dear.json"
    assert main(["calibrate", str(testset), "--index", str(fixture_engine.settings.index), "--out", str(out),
                 "--wrong-cost", "4", "--quiet"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["threshold"] == pytest.approx(0.8)


def test_calibrate_does_not_need_a_selector_that_matches(testset, fixture_engine, tmp_path, monkeypatch, capsys):
    # After the features change, the configured selector no longer loads; calibrate must still train a new one.
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({"version": 0, "ranker": {}, "chooser": {}, "confidence": {}, "threshold": 0.5}),
                     encoding="utf-8")
    monkeypatch.setenv("POLICY_ASSISTANT_ANSWER__SELECTOR", str(stale))
    index = str(fixture_engine.settings.index)
    assert main(["ask", "Entro quando si presentano le domande?", "--index", index]) == 2
    assert "Train it again with: policy-assistant calibrate" in capsys.readouterr().err
    out = tmp_path / "new.json"
    assert main(["calibrate", str(testset), "--index", index, "--out", str(out), "--quiet"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == SELECTOR_VERSION
    assert main(["eval", str(testset), "--index", index, "--by-document", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    # held out too, every answerable question not answered right is lost at one stage, the others at none
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    for item in report["items"]:
        missed = item["item"]["answerable"] and not item["correct"]
        assert (item["lost_at"] in LOSS_STAGES) if missed else item["lost_at"] == "", item
