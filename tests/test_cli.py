import json

import pytest

from assistant.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_follows_the_contract(capsys, index_dir):
    code, out, err = run(capsys, "ask", "2030년 AI 공장 목표는 몇 개인가요?", "--json", "--index", str(index_dir))
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"question", "language", "answer", "grounded", "citations", "timings_ms"}
    assert data["language"] == "ko" and data["grounded"] is True and "500" in data["answer"] and "[1]" in data["answer"]
    citation = data["citations"][0]
    assert {"n", "doc_id", "title", "language", "locator", "quote", "source", "score"} <= set(citation)
    assert citation["n"] == 1 and citation["locator"].startswith("¶") and "500" in citation["quote"]
    assert {"detect", "retrieve", "answer", "total"} <= set(data["timings_ms"])


def test_ask_refusal_is_grounded_false_with_see_also(capsys, index_dir):
    code, out, _ = run(capsys, "ask", "Who won the 2022 FIFA World Cup?", "--json", "--index", str(index_dir))
    data = json.loads(out)
    assert code == 0 and data["grounded"] is False and data["language"] == "en"
    assert "could not find" in data["answer"]


def test_ask_lang_flag_overrides_detection(capsys, index_dir):
    code, out, _ = run(capsys, "ask", "AI", "--lang", "it", "--json", "--index", str(index_dir))
    assert code == 0 and json.loads(out)["language"] == "it"


def test_ask_plain_text_shows_answer_and_passages(capsys, index_dir):
    code, out, _ = run(capsys, "ask", "How many AI factories by 2030?", "--index", str(index_dir))
    assert code == 0 and "500" in out and "unofficial translation" in out and "¶" in out


def test_ask_explain_shows_the_pick_and_why_it_answered(capsys, index_dir):
    code, out, err = run(capsys, "ask", "How many AI factories by 2030?", "--json", "--explain", "--index", str(index_dir))
    assert code == 0, err
    data = json.loads(out)
    report = data["explain"]
    assert data["grounded"] is True and report["decision"] == "answered" and report["reasons"] == []
    assert report["question"]["language"] == "en" and report["question"]["asks"] == "count"
    shares = [c["share"] for c in report["candidates"]]
    assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.001
    picked = [c for c in report["candidates"] if c["picked"]]
    assert len(picked) == 1 and "500" in picked[0]["text"] and picked[0]["holds_kind_asked"]
    assert report["pick"]["confidence"] >= report["threshold"] > 0
    assert [p["rank"] for p in report["passages"]] == list(range(1, len(report["passages"]) + 1))


def test_ask_explain_says_why_it_refused(capsys, index_dir):
    code, out, _ = run(capsys, "ask", "Who won the 2022 FIFA World Cup?", "--explain", "--index", str(index_dir))
    assert code == 0 and "could not find" in out
    why = out.split("why:", 1)[1]
    assert "question: en" in why and "decision: refused: " in why
    confidence = float(why.split("pick: confidence ", 1)[1].split(",")[0])
    threshold = float(why.split("threshold ", 1)[1].split()[0])
    assert confidence < threshold and f"under the threshold {threshold:.2f}" in why


def test_ask_json_without_explain_keeps_the_contract(capsys, index_dir):
    code, out, _ = run(capsys, "ask", "Who won the 2022 FIFA World Cup?", "--json", "--index", str(index_dir))
    assert code == 0 and "explain" not in json.loads(out)


def test_missing_index_exits_1_and_says_how_to_build(capsys, tmp_path):
    code, out, err = run(capsys, "ask", "How many AI factories?", "--index", str(tmp_path / "none"))
    assert code == 1 and out == ""
    assert err.startswith("error: no index") and "policy-assistant index" in err


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question_exits_2(capsys, index_dir, question):
    code, out, err = run(capsys, "ask", question, "--index", str(index_dir))
    assert code == 2 and out == "" and "empty" in err


def test_huge_question_exits_2(capsys, index_dir):
    code, _, err = run(capsys, "ask", "AI " * 2000, "--index", str(index_dir))
    assert code == 2 and "limit is 1000" in err


def test_unsupported_language_exits_2_and_lists_supported(capsys, index_dir):
    code, out, err = run(capsys, "ask", "Wie hoch ist das Budget für die KI-Fabriken?", "--index", str(index_dir))
    assert code == 2 and out == ""
    assert "German (de) is not supported; ask in it, ko or en" in err
    code, _, err = run(capsys, "ask", "AI", "--lang", "de", "--index", str(index_dir))
    assert code == 2 and "auto, it, ko, en" in err


def test_bad_usage_exits_2(capsys):
    code, _, err = run(capsys, "ask")
    assert code == 2 and "usage" in err
    code, _, _ = run(capsys, "frobnicate")
    assert code == 2


def test_index_command_builds_then_reports_unchanged(capsys, tmp_path):
    from .conftest import CORPUS

    code, out, err = run(capsys, "index", "--corpus", str(CORPUS), "--index", str(tmp_path / "ix"))
    assert code == 0 and "12 passages (12 embedded, 0 reused)" in out
    assert "embedding passages: 12/12" in err  # progress, without a terminal
    code, out, _ = run(capsys, "index", "--corpus", str(CORPUS), "--index", str(tmp_path / "ix"), "--quiet")
    assert code == 0 and "index unchanged" in out and "(0 embedded, 12 reused)" in out


def test_index_command_reports_an_empty_corpus(capsys, tmp_path):
    code, _, err = run(capsys, "index", "--corpus", str(tmp_path), "--index", str(tmp_path / "ix"))
    assert code == 1 and "nothing could be indexed" in err and "no catalog.toml" in err


def test_index_summary_lists_documents_and_skipped_files_and_exits_0(capsys, tmp_path):
    import shutil

    from .conftest import CORPUS

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4\n% cut short")
    (corpus / "notes.odt").write_bytes(b"PK\x03\x04")
    code, out, err = run(capsys, "index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), "--quiet")
    assert code == 0, err
    assert "motie-2026-work-plan-ko" in out and "skipped (2):" in out and "3 documents, 12 passages" in out
    assert "scan.pdf: it cannot be read as PDF" in out and "notes.odt: the format .odt is not supported" in out
    assert "skipped: " in err  # one line per file on stderr too


def test_uncatalogued_file_is_indexed_with_a_warning_and_catalog_write_adds_it(capsys, tmp_path):
    import shutil
    import tomllib

    from .conftest import CORPUS

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "bando-2025.md").write_text("# Bando per le imprese 2025\n\nPossono partecipare le imprese con sede "
                                          "in Lombardia e meno di 50 dipendenti.\n", encoding="utf-8")
    code, out, err = run(capsys, "index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), "--quiet")
    assert code == 0 and "bando-2025" in out and "is not in catalog.toml" in err
    code, out, _ = run(capsys, "catalog", "--corpus", str(corpus), "--write")
    assert code == 0 and "added 1 entry" in out
    entries = {e["id"]: e for e in tomllib.loads((corpus / "catalog.toml").read_text(encoding="utf-8"))["document"]}
    assert entries["bando-2025"]["title"] == "Bando per le imprese 2025" and entries["bando-2025"]["language"] == "it"
    code, out, _ = run(capsys, "catalog", "--corpus", str(corpus))
    assert code == 0 and "every document" in out


def test_ask_warns_when_the_corpus_changed_after_the_build(capsys, tmp_path, monkeypatch):
    import os
    import shutil

    from .conftest import CORPUS

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    assert main(["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), "--quiet"]) == 0
    capsys.readouterr()
    argv = ["ask", "How many AI factories by 2030?", "--json", "--index", str(tmp_path / "ix")]
    monkeypatch.chdir(tmp_path)  # the default corpus folder is ./corpus
    code, out, err = run(capsys, *argv)
    assert code == 0 and "warning" not in err
    edited = corpus / "motie-2026-work-plan.en.txt"
    edited.write_text(edited.read_text(encoding="utf-8"), encoding="utf-8")
    future = edited.stat().st_mtime + 60
    os.utime(edited, (future, future))
    code, out, err = run(capsys, *argv)
    assert code == 0 and json.loads(out)["grounded"]
    assert "motie-2026-work-plan.en.txt changed after the index was built" in err and "policy-assistant index" in err
    # The advice works: the rebuild finds the same content, and the warning goes away.
    assert main(["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix")]) == 0
    assert "unchanged" in capsys.readouterr().out
    code, out, err = run(capsys, *argv)
    assert code == 0 and "warning" not in err
    # A document added in a subfolder is part of the corpus too.
    added = corpus / "2026" / "avviso.md"
    added.parent.mkdir()
    added.write_text("# Avviso\n\nLe domande si presentano entro il 30 giugno.\n", encoding="utf-8")
    os.utime(added, (future + 60, future + 60))
    code, out, err = run(capsys, *argv)
    assert code == 0 and "avviso.md changed after the index was built" in err


@pytest.mark.parametrize("argv, flag", [
    (["ask", "How many AI factories?", "--k", "0"], "--k: 0 is out of range"),
    (["serve", "--port", "70000"], "--port: 70000 is out of range: give a number from 1 to 65535"),
    (["serve", "--workers", "0"], "--workers: 0 is out of range"),
    (["loadtest", "--clients", "0"], "--clients: 0 is out of range"),
    (["loadtest", "--seconds", "soon"], "--seconds: 'soon' is not a number"),
])
def test_out_of_range_numbers_are_usage_errors_that_name_the_flag(capsys, argv, flag):
    # Rejected before anything starts (no index is read, no server is started), with exit code 2.
    code, _, err = run(capsys, *argv)
    assert code == 2 and flag in err


def test_serve_on_a_port_in_use_fails_at_once_and_says_what_to_do(capsys, tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port), "--index", str(tmp_path / "no-index"))
    assert code == 1 and "serving on" not in out  # nothing was loaded or announced
    assert f"cannot serve on 127.0.0.1:{port}: address already in use" in err and "--port" in err


def test_a_chat_page_that_cannot_load_is_told_and_the_api_still_answers(tmp_path, index_dir):
    """A real `serve` whose Gradio cannot be imported (a broken package ahead of it on the path): the log and the
    page at / say why, with no thread traceback and no page that waits for ever; /api/ask still answers, and
    SIGTERM still stops it cleanly."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import httpx

    from .conftest import ROOT
    from .server import free_port

    broken = tmp_path / "shadow" / "gradio"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text('raise ImportError("this gradio is broken")\n', encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(broken.parent), "POLICY_ASSISTANT_SERVE__WORKERS": "1"}
    server = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port), "--index", str(index_dir)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base, page = f"http://127.0.0.1:{port}", None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                page = httpx.get(base + "/", timeout=5)
                if page.status_code != 503:  # 503: still loading
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert page is not None and page.status_code == 500, page
        assert "The chat page could not be loaded (ImportError: this gradio is broken)" in page.text
        answer = httpx.post(base + "/api/ask", json={"question": "How many AI factories by 2030?"}, timeout=60)
        assert answer.status_code == 200 and "500" in answer.json()["answer"]
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0 and "policy-assistant: stopped" in out
    assert "the chat page could not be loaded (ImportError: this gradio is broken)" in err and "/api/ask" in err
    assert "Traceback" not in err and "chat ready" not in out


def test_a_file_where_a_folder_is_needed_is_named_not_a_traceback(capsys, tmp_path, index_dir):
    from .conftest import CORPUS

    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder", encoding="utf-8")
    code, _, err = run(capsys, "index", "--corpus", str(CORPUS), "--index", str(a_file), "--quiet")
    assert code == 1 and f"cannot use '{a_file}': it is a file where a folder is needed" in err
    assert "Traceback" not in err and a_file.read_text(encoding="utf-8") == "not a folder"
    testset = tmp_path / "one.jsonl"
    testset.write_text(json.dumps({"id": "q", "lang": "en", "question": "How many AI factories by 2030?"}) + "\n",
                       encoding="utf-8")
    code, _, err = run(capsys, "eval", str(testset), "--index", str(index_dir), "--out", str(a_file / "report"))
    assert code == 1 and "it is a file where a folder is needed" in err


def test_ask_doc_filter_names_an_unknown_document_instead_of_refusing(capsys, index_dir):
    from .conftest import ORIGINAL

    question = "How many AI factories by 2030?"
    code, _, err = run(capsys, "ask", question, "--doc", "no-such-doc", "--index", str(index_dir))
    assert code == 2 and "no document 'no-such-doc' in the index" in err and ORIGINAL in err
    code, out, _ = run(capsys, "ask", question, "--doc", ORIGINAL, "--json", "--index", str(index_dir))
    citations = json.loads(out)["citations"]  # the passage, or its version in the asker's language
    assert code == 0 and citations and all(ORIGINAL in (c["doc_id"], c["translation_of"]) for c in citations)


def test_loadtest_against_no_server_or_a_bad_url_says_so(capsys, tmp_path):
    import socket

    testset = tmp_path / "one.jsonl"
    testset.write_text(json.dumps({"id": "q", "lang": "en", "question": "Who may apply?"}) + "\n", encoding="utf-8")
    with socket.socket() as probe:  # a port nobody serves on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        code, _, err = run(capsys, "loadtest", "--url", url, "--seconds", "1", "--testset", str(testset))
    assert code == 1 and f"cannot reach the server at {url}: connection refused" in err and "Traceback" not in err
    code, _, err = run(capsys, "loadtest", "--url", "localhost", "--testset", str(testset))
    assert code == 2 and "give it as http://HOST:PORT" in err
