"""The JSON API beside the chat, against the real server on a loopback port."""
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.config import Settings

from .server import get, post, running

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="module")
def base(engine):
    from ui.app import Service, build_app

    with running(build_app(Service(engine.settings, engine))) as url:
        yield url


def test_health_reports_the_manifest(base):
    response = get(base, "/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["model"]["name"] == "use-m3" and body["passages"] == 12 and body["built_at"]


def test_original_file_is_served_and_nothing_outside_the_corpus(base):
    from .conftest import CORPUS

    response = get(base, "/api/file/motie-2026-work-plan-it")
    assert response.status_code == 200
    assert response.content == (CORPUS / "motie-2026-work-plan.it.txt").read_bytes()
    for path in ("/api/file/..%2F..%2Fpyproject.toml", "/api/file/nope", "/api/file/%2Fetc%2Fpasswd"):
        assert get(base, path).status_code == 404, path


def test_health_lists_skipped_files(base):
    assert get(base, "/api/health").json()["skipped"] == []


def test_ask_returns_the_cli_json_object(base, engine):
    from assistant.pipeline import ask

    response = post(base, "/api/ask", json={"question": "How many AI factories by 2030?"})
    assert response.status_code == 200
    body = response.json()
    expected = ask(engine, "How many AI factories by 2030?").to_json()
    assert set(body) == set(expected)
    assert {k: v for k, v in body.items() if k != "timings_ms"} == {k: v for k, v in expected.items() if k != "timings_ms"}


def test_ask_with_explain_adds_why_beside_the_same_answer(base, engine):
    from assistant.pipeline import ask_explained

    for question in ("How many AI factories by 2030?", "Who won the 2022 FIFA World Cup?"):
        plain = post(base, "/api/ask", json={"question": question}).json()
        body = post(base, "/api/ask", json={"question": question, "explain": True}).json()
        assert set(body) == set(plain) | {"explain"} and body["answer"] == plain["answer"]
        assert body["explain"] == ask_explained(engine, question)[1]
        assert body["explain"]["decision"] == ("answered" if body["grounded"] else "refused")
        assert bool(body["explain"]["reasons"]) is not body["grounded"]


@pytest.mark.parametrize(
    "payload, status",
    [({"question": ""}, 400), ({"question": "AI", "lang": "fr"}, 400), ({"question": "x", "k": 0}, 422),
     ({"q": "missing field"}, 422), ({"question": "Wie hoch ist das Budget für die KI-Fabriken?"}, 400)],
)
def test_bad_input_gets_400_or_422_with_a_message(base, payload, status):
    response = post(base, "/api/ask", json=payload)
    assert response.status_code == status and response.json()["detail"]


def test_ask_answers_only_from_the_documents_asked_for(fixture_engine):
    """`docs` restricts the answer and its passages to those documents, in this process and in an answering
    process alike; an id the index lacks is an error that lists the ids it holds."""
    from assistant.workers import AnswerPool
    from ui.app import Service, build_app

    question = "What is the maximum amount for a prototype award?"
    with running(build_app(Service(fixture_engine.settings, fixture_engine))) as url:
        whole = post(url, "/api/ask", json={"question": question}).json()
        answering = whole["citations"][0]["doc_id"]
        other = min(set(fixture_engine.store.documents) - {answering})
        only = post(url, "/api/ask", json={"question": question, "docs": [other]}).json()
        unknown = post(url, "/api/ask", json={"question": question, "docs": ["no-such-doc"]})
    assert whole["grounded"] and "250,000" in whole["answer"]
    assert only["citations"] and {c["doc_id"] for c in only["citations"]} == {other} and "250,000" not in only["answer"]
    assert unknown.status_code == 400 and "no document 'no-such-doc'" in unknown.json()["detail"]
    assert answering in unknown.json()["detail"]
    pool = AnswerPool(fixture_engine.settings, 1).wait_ready()
    try:
        pooled = pool.ask(question, None, None, {other})
    finally:
        pool.close()
    assert {c.doc_id for c in pooled.citations} == {other} and pooled.answer == only["answer"]


def test_malformed_json_is_422(base):
    response = post(base, "/api/ask", content=b"not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_concurrent_clients_each_get_their_own_answer(base):
    questions = [
        "How many AI factories by 2030?",
        "Quante fabbriche AI saranno distribuite entro quest'anno?",
        "AI 선도 모델은 몇 개 개발되나요?",
        "How many AI demonstration industrial complexes will be established?",
    ]
    alone = {q: post(base, "/api/ask", json={"question": q}).json() for q in questions}
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda q: post(base, "/api/ask", json={"question": q}), questions * 5))
    for question, response in zip(questions * 5, responses):
        body = response.json()
        assert response.status_code == 200 and body["question"] == question
        # The very answer this question gets when asked alone: nothing crossed over from another client.
        assert (body["answer"], body["citations"]) == (alone[question]["answer"], alone[question]["citations"])
    assert sum(alone[q]["grounded"] for q in questions) >= 3 and "500" in alone[questions[0]]["answer"]


def test_health_is_503_without_an_index(tmp_path):
    from ui.app import Service, build_app

    service = Service.start(Settings(index=tmp_path / "none"))
    with running(build_app(service)) as url:
        response = get(url, "/api/health")
        assert response.status_code == 503 and "policy-assistant index" in response.json()["detail"]
        assert post(url, "/api/ask", json={"question": "AI"}).status_code == 503


def test_answering_processes_without_an_index_say_why_without_a_traceback(capfd, tmp_path):
    """Served with several answering processes and no index: the server says "no index" once; no process prints
    a traceback, and a worker asked anyway gives the same message."""
    from assistant.errors import IndexMissingError
    from assistant.workers import AnswerPool
    from ui.app import Service

    settings = Settings(index=tmp_path / "none")
    service = Service.start(settings, workers=2)
    assert service.engine is None and "no index at" in service.problem
    pool = AnswerPool(settings, 1).wait_ready()
    try:
        with pytest.raises(IndexMissingError, match="no index at"):
            pool.ask("AI", None)
    finally:
        pool.close()
    assert "Traceback" not in capfd.readouterr().err
