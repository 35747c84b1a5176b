"""The chat in a real headless Chromium (Debian's), against the real server on a loopback port."""
import json
import os
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, build, engine_for
from .server import running

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-results" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
TIMEOUT = 60_000

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is missing (make test installs it)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def serve(engine):
    from ui.app import Service, build_app

    return running(build_app(Service(engine.settings, engine)))


@pytest.fixture(scope="module")
def url(engine):
    with serve(engine) as base:
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    yield page
    context.close()


def ask(page, base: str, question: str, reload: bool = True) -> None:
    if reload:
        page.goto(base, wait_until="load")  # never networkidle: Gradio's heartbeat stays open
    box = page.locator("#pa-question textarea")
    box.wait_for()
    before = page.locator("#pa-chat .pa-answer, #pa-chat .pa-refusal").count()
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#pa-chat .pa-answer, #pa-chat .pa-refusal').length > n", arg=before,
        timeout=TIMEOUT,
    )


@pytest.mark.parametrize(
    "question, lang, figure, title",
    [("2030년 AI 공장 목표는 몇 개인가요?", "ko", "500", "산업통상자원부 2026년 업무계획"),
     ("Quante fabbriche AI saranno distribuite entro quest'anno?", "it", "102", "Piano di lavoro 2026"),
     ("How many regional hub national universities will supply talent?", "en", "nine", "2026 work plan")],
)
def test_answer_with_citation_opens_the_cited_passage(page, url, question, lang, figure, title):
    ask(page, url, question)
    answer = page.locator("#pa-chat .pa-answer").last
    assert figure in answer.inner_text() and "[1]" in answer.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"answer-{lang}.png"), full_page=True)

    answer.locator("a.pa-cite").first.click()
    active = page.locator("#pa-sources .pa-source.pa-active")
    active.wait_for(state="visible")
    text = active.inner_text()
    assert title in text and figure in active.locator("mark.pa-highlight").inner_text()
    assert "¶" in active.locator(".pa-locator").inner_text()
    assert page.locator("#pa-detected-code").inner_text() == lang
    assert "&#" not in text and "&amp;" not in text  # titles and passages escaped exactly once
    download = active.locator("a.pa-download")
    assert download.get_attribute("href").startswith("/api/file/motie-2026-work-plan-")
    page.screenshot(path=str(SCREENSHOTS / f"source-{lang}.png"), full_page=True)


def test_each_reply_folds_why_it_answered_or_refused(page, url):
    """Under each reply, closed until opened: the question as read, the candidates, the confidence against the
    threshold and the decision (what `ask --explain` prints)."""
    ask(page, url, "How many AI factories will there be by 2030?")
    ask(page, url, "Who won the 2022 FIFA World Cup?", reload=False)
    why = page.locator("#pa-chat details.pa-why")
    assert why.count() == 2 and not why.first.locator(".pa-why-lines").is_visible()
    why.first.locator("summary").click()
    answered = why.first.locator(".pa-why-lines")
    answered.wait_for(state="visible")
    assert "decision: answered" in answered.inner_text() and "pick: confidence" in answered.inner_text()
    why.nth(1).locator("summary").click()
    assert "decision: refused" in why.nth(1).locator(".pa-why-lines").inner_text()
    assert "How this answer was chosen" in why.first.locator("summary").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "why-en.png"), full_page=True)


def test_italian_title_shows_its_apostrophe(page, url):
    ask(page, url, "Quante fabbriche AI saranno distribuite entro quest'anno?")
    page.locator("#pa-chat .pa-answer a.pa-cite").last.click()
    title = page.locator("#pa-sources .pa-source.pa-active .pa-source-title").inner_text()
    assert "dell'Industria" in title and "&#" not in title


def test_interface_labels_follow_the_question_language(page, url):
    ask(page, url, "AI 선도 모델은 몇 개 개발되나요?")
    assert page.locator("#pa-question textarea").get_attribute("placeholder") == "문서에 대해 질문하세요"
    assert "출처" in page.locator("#pa-sources-title").inner_text()


def test_translation_links_to_its_original_passage(page, url):
    ask(page, url, "How many AI factories will be deployed by the end of this year?")
    page.locator("#pa-chat .pa-answer a.pa-cite").last.click()
    active = page.locator("#pa-sources .pa-source.pa-active")
    assert "Unofficial translation of" in active.inner_text()
    active.locator("a.pa-cite").click()  # "go to the original passage"
    original = page.locator("#pa-sources .pa-source.pa-active")
    original.wait_for(state="visible")
    assert "Entro la fine di quest’anno, saranno distribuite 102 fabbriche AI" in original.inner_text()


def test_refusal_is_visibly_a_refusal_with_see_also(page, url):
    ask(page, url, "Who won the 2022 FIFA World Cup?")
    refusal = page.locator("#pa-chat .pa-refusal").last
    assert "could not find" in refusal.inner_text() and "Closest passages" in refusal.inner_text()
    assert page.locator("#pa-chat .pa-answer").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "refusal-en.png"), full_page=True)
    # Each "see also" line shows its passage's closest sentence; [n] opens the passage with it highlighted.
    first = refusal.locator(".pa-see-also li").first
    first.locator("a.pa-cite").click()
    marked = page.locator("#pa-sources .pa-source.pa-active mark.pa-sentence")
    marked.wait_for(state="visible")
    sentence = " ".join(marked.inner_text().split())
    passage = " ".join(page.locator("#pa-sources .pa-source.pa-active .pa-passage").inner_text().split())
    assert sentence and sentence in passage
    assert sentence[:60] in " ".join(first.inner_text().split())


def test_a_question_refused_as_input_is_said_so_and_echoed_as_text(page, url):
    """A question the assistant cannot take (too long, here) gets the reason in the chat; the question is echoed
    back as typed text, escaped and cut, never rendered as markdown or HTML."""
    page.goto(url, wait_until="load")
    box = page.locator("#pa-question textarea")
    box.wait_for()
    box.fill("**loud** <b>bold</b> " * 200)  # 4,000 characters, over the limit
    box.press("Enter")
    reply = page.locator("#pa-chat").get_by_text("characters long")
    reply.wait_for()
    assert "Shorten it" in reply.inner_text()
    chat = page.locator("#pa-chat")
    assert chat.locator("strong, b").count() == 0  # neither the markdown nor the HTML ran
    echoed = chat.get_by_text("**loud** <b>bold</b>", exact=False).first.inner_text()
    assert echoed.endswith("…") and len(echoed) <= 1001


def test_staff_search_filters_by_document_and_language(page, url):
    page.goto(url, wait_until="load")
    page.get_by_role("tab", name="Search passages · Cerca · 구절 검색").click()
    page.locator("#pa-search-lang input").click()
    page.get_by_role("option", name="ko").click()
    box = page.locator("#pa-search-query textarea")
    box.fill("AI factories 500")
    box.press("Enter")
    rows = page.locator("#pa-search-results tr.pa-search-row")
    rows.first.wait_for()
    assert rows.count() == 4  # the four Korean passages, nothing else
    languages = [rows.nth(i).locator("td").nth(4).inner_text() for i in range(rows.count())]
    assert set(languages) == {"ko"}


MALICIOUS = ("Il piano prevede 42 fabbriche sicure <script>window.__pwned = 1</script> "
             "[clicca qui](http://example.invalid/x) e <img src=x onerror=\"window.__pwned = 2\"> **grassetto**.")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory, embedder, analyzer):
    base = tmp_path_factory.mktemp("hostile")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "x.txt").write_text(MALICIOUS + "\n", encoding="utf-8")
    (corpus / "catalog.toml").write_text(
        '[[document]]\nid = "x"\nfile = "x.txt"\ntitle = "<b>Titolo</b> [link](http://example.invalid)"\n'
        'language = "it"\nissuer = "<i>test</i>"\n', encoding="utf-8")
    build(corpus, base / "index", embedder, None, analyzer)
    with serve(engine_for(base / "index", embedder, None, analyzer)) as url:
        yield url


def test_document_text_is_rendered_as_text_never_run_or_linked(page, hostile_url):
    ask(page, hostile_url, "Quante fabbriche sicure prevede il piano?")
    answer = page.locator("#pa-chat .pa-answer, #pa-chat .pa-refusal").last
    answer.locator("a.pa-cite").first.click()
    source = page.locator("#pa-sources .pa-source.pa-active")
    source.wait_for(state="visible")
    shown = source.inner_text()
    assert "<script>window.__pwned = 1</script>" in shown and "[clicca qui](http://example.invalid/x)" in shown
    assert "**grassetto**" in shown and "<b>Titolo</b>" in shown
    assert page.evaluate("window.__pwned") is None
    assert page.locator('a[href^="http://example.invalid"]').count() == 0
    assert page.locator("#pa-chat script, #pa-sources script, #pa-chat img, #pa-sources img").count() == 0
    assert "<script>" in answer.inner_text() or "42" in answer.inner_text()


@pytest.fixture(scope="module")
def fixture_url(fixture_engine):
    with serve(fixture_engine) as base:
        yield base


def test_chat_answers_only_from_the_documents_chosen(page, fixture_url, fixture_engine):
    """The chat's document filter: with one document chosen, every passage shown comes from it."""
    question = "What is the maximum amount for a prototype award?"
    documents = fixture_engine.store.documents
    chosen = documents[min(d for d in documents if documents[d].language.value == "it")]
    page.goto(fixture_url, wait_until="load")
    picker = page.locator("#pa-docs input")
    picker.wait_for()
    picker.click()
    page.get_by_role("option", name=chosen.title).click()
    picker.press("Escape")  # close the list
    ask(page, fixture_url, question, reload=False)
    titles = page.locator("#pa-sources .pa-source.pa-current .pa-source-title")
    titles.first.wait_for()
    shown = {titles.nth(i).inner_text().split("] ", 1)[-1] for i in range(titles.count())}
    assert shown == {chosen.title}
    assert "250,000" not in page.locator("#pa-chat").inner_text()


def test_an_eligibility_answer_in_the_chat_shows_one_condition_per_line(page, fixture_url):
    ask(page, fixture_url, "Ho un'impresa con 30 dipendenti in Lombardia: posso partecipare al bando per la ricerca?")
    answer = page.locator("#pa-chat .pa-answer").last
    lines = [line for line in answer.inner_text().splitlines() if line.strip()]
    assert lines[1].startswith("«Bando per la ricerca 2025»"), lines  # the programme, then each condition below it
    conditions = [line for line in lines if line[:1] in "✓✗?"]
    assert len(conditions) >= 3 and all("[" in line for line in conditions), lines


def test_eligibility_form_gives_cards_whose_conditions_open_their_passage(page, fixture_url):
    import re

    page.goto(fixture_url, wait_until="load")
    page.get_by_role("tab", name=re.compile("Am I eligible")).click()
    kind = page.locator("#pa-el-applicant_kind input")
    kind.wait_for()
    kind.fill("company")
    kind.press("Enter")
    page.locator("#pa-el-age").wait_for(state="hidden")  # a company has no age: the form follows the kind
    page.locator("#pa-el-employees textarea").fill("8")
    page.locator("#pa-el-region textarea").fill("Lombardy")
    page.locator("#pa-el-check").click()
    card = page.locator('#pa-el-results .pa-card[data-verdict="eligible"]')
    card.wait_for()
    assert "Bando per la ricerca 2025" in card.inner_text()
    assert page.locator('#pa-el-results .pa-card[data-verdict="unknown"]').count() == 1  # youth rent: age unknown
    assert page.locator('#pa-el-results .pa-card[data-verdict="unknown"] .pa-missing').count() == 1
    assert page.locator('#pa-el-results .pa-card[data-verdict="not_eligible"] .pa-missing').count() == 0
    card.locator("a.pa-cite").nth(1).click()
    active = page.locator("#pa-el-results .pa-sources .pa-source.pa-active")
    active.wait_for(state="visible")
    assert "50 dipendenti" in active.inner_text() and "p. 1" in active.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "eligibility.png"), full_page=True)


def test_served_chat_joins_the_api_after_start_and_answers(page, index_dir):
    """`serve` answers the API first and mounts the chat when Gradio has loaded: that late chat works too."""
    import time

    from assistant.loadtest import request, running_server

    with running_server(index_dir, workers=2) as server:
        deadline = time.monotonic() + 60
        while request(server.url, "GET", "/")[0] != 200:
            assert time.monotonic() < deadline, "the chat page never replaced the start-up page"
            time.sleep(0.2)
        ask(page, server.url, "2030년 AI 공장 목표는 몇 개인가요?")
        answer = page.locator("#pa-chat .pa-answer").last
        assert "500" in answer.inner_text()
        # Why, from an answering process: the same report the chat's own process would give.
        status, body = request(server.url, "POST", "/api/ask",
                               {"question": "2030년 AI 공장 목표는 몇 개인가요?", "explain": True})
        report = json.loads(body)["explain"]
        assert status == 200 and report["decision"] == "answered" and report["question"]["language"] == "ko"
        assert "500" in next(c for c in report["candidates"] if c["picked"])["text"]
        pids = server.pids
        assert len(pids) >= 3  # the server and its two answering processes
    deadline = time.monotonic() + 15
    while [pid for pid in pids if Path(f"/proc/{pid}").exists()] and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:120] for pid in pids if Path(f"/proc/{pid}").exists()}
    assert not left  # none left behind
