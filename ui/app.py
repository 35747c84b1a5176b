"""The Gradio chat and the JSON API (/api/ask, /api/health), served together by uvicorn."""
from __future__ import annotations

import asyncio
import errno
import html
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from assistant.config import Settings
from assistant.eligibility.match import match, to_json
from assistant.errors import AssistantError, IndexMissingError, IndexStaleError
from assistant.index import corpus_newer_than_index
from assistant.workers import AnswerPool, default_workers
from assistant.language import parse_language
from assistant.pipeline import Engine, ask, ask_explained, open_engine, search
from assistant.types import Answer, Citation, Language

from .eligibility import build_tab as build_eligibility_tab
from .render import LABELS, answer_html, escape, passage_html, search_html, why_html

CSS = """
.pa-refusal { border-left: 4px solid #d97706; padding-left: .5em; }
.pa-why { margin-top: .4em; font-size: .85em; color: #555; } .pa-why summary { cursor: pointer; }
.pa-why-lines { font-family: monospace; white-space: pre-wrap; margin-top: .3em; }
.pa-source { display: none; border: 1px solid #ddd; border-radius: 6px; padding: .6em; margin-bottom: .6em; }
.pa-sources .pa-source.pa-current { display: block; }
.pa-sources.pa-picked .pa-source { display: none; }
.pa-sources.pa-picked .pa-source.pa-active { display: block; }
.pa-source-title { font-weight: 600; }
.pa-meta, .pa-context { color: #666; font-size: .9em; }
.pa-heading { color: #374151; font-size: .9em; font-style: italic; margin: .2em 0; }
.pa-unofficial { color: #b45309; font-size: .9em; margin: .3em 0; }
mark.pa-highlight { background: #fde68a; }
.pa-card { border: 1px solid #ddd; border-left: 5px solid #9ca3af; border-radius: 6px; padding: .5em; margin: .4em 0; }
.pa-card.pa-ok { border-left-color: #16a34a; } .pa-card.pa-no { border-left-color: #dc2626; }
.pa-card.pa-maybe { border-left-color: #d97706; }
.pa-eligibility { display: flex; gap: 1em; } .pa-cards { flex: 3; } .pa-eligibility .pa-sources { flex: 2; }
.pa-card-title { font-weight: 600; } .pa-verdict { font-size: .95em; } .pa-missing { color: #92400e; font-size: .9em; }
.pa-source.pa-active { outline: 2px solid #2563eb; }
table.pa-search td { vertical-align: top; padding: .3em; }
"""

# Clicking [n] shows that turn's passage n in the source panel (no round trip to the server). Installed by
# Gradio's on-load hook; the chat sanitizer keeps href (not data-*), so the target comes from the href.
ON_LOAD = """
() => {
  if (window.__paCiteHandler) return;
  window.__paCiteHandler = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a.pa-cite');
    if (!link) return;
    const id = (link.getAttribute('href') || '').replace(/^#/, '');
    const target = document.getElementById(id);
    event.preventDefault();
    if (!target) return;
    const panel = target.closest('.pa-sources');
    panel.classList.add('pa-picked');
    panel.querySelectorAll('.pa-source.pa-active').forEach((el) => el.classList.remove('pa-active'));
    target.classList.add('pa-active');
    target.scrollIntoView({block: 'nearest'});
  });
}
"""


class EligibilityRequest(BaseModel):
    """Body of POST /api/eligibility: a profile (field = value) and the language of the labels."""

    model_config = ConfigDict(extra="forbid")
    profile: dict = Field(default_factory=dict)
    lang: str = "en"


class AskRequest(BaseModel):
    """Body of POST /api/ask."""

    model_config = ConfigDict(extra="forbid")
    question: str
    lang: str = "auto"
    k: int | None = Field(None, ge=1, le=50)
    docs: list[str] | None = None  # answer only from these documents (ids, as `ask --doc`)
    explain: bool = False  # also return why it answered or refused, as `ask --json --explain` does


@dataclass
class Service:
    """The engine (or why there is none) and a lock: models and index load once and are shared."""

    settings: Settings
    engine: Engine | None = None
    problem: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    pool: AnswerPool | None = None

    @classmethod
    def start(cls, settings: Settings, workers: int = 1) -> "Service":
        """The engine of this process and, for `workers` > 1, that many answering processes beside it."""
        pool = AnswerPool(settings, workers) if workers > 1 else None  # they load while this process does
        try:
            engine = open_engine(settings)
        except (IndexMissingError, IndexStaleError) as exc:
            if pool is not None:
                pool.close()
            return cls(settings, None, str(exc))
        return cls(settings, engine, pool=pool)

    def original_file(self, doc_id: str) -> Path | None:
        """The file a document was read from, if it lies inside the corpus folder the index was built from."""
        if self.engine is None or doc_id not in self.engine.store.documents:
            return None
        document = self.engine.store.documents[doc_id]
        root = Path(self.engine.store.manifest.get("corpus") or self.settings.corpus).resolve()
        path = (root / document.file).resolve()
        if not document.file or not path.is_relative_to(root) or not path.is_file():
            return None
        return path

    def ask(self, question: str, language: Language | None, k: int | None = None,
            doc_ids: set[str] | None = None) -> Answer:
        """The answer (`doc_ids`: only from those documents)."""
        if self.engine is None:
            raise IndexMissingError(self.problem)
        if self.pool is not None:
            return self.pool.ask(question, language, k, doc_ids)
        # The C embedding engine and Kiwi are not documented as thread-safe: one question at a time per
        # process; HTTP handling stays concurrent and each request gets its own Answer object.
        with self.lock:
            return ask(self.engine, question, language=language, k=k, doc_ids=doc_ids)

    def explained(self, question: str, language: Language | None, k: int | None = None,
                  doc_ids: set[str] | None = None) -> tuple[Answer, dict]:
        """The answer and why (`pipeline.ask_explained`)."""
        if self.engine is None:
            raise IndexMissingError(self.problem)
        if self.pool is not None:
            return self.pool.submit(question, language, k, explain=True, doc_ids=doc_ids).result()
        with self.lock:
            return ask_explained(self.engine, question, language=language, k=k, doc_ids=doc_ids)


def _original_of(service: Service, citation: Citation) -> Citation | None:
    """The original-language passage a translated citation corresponds to."""
    if not citation.translation_of or service.engine is None:
        return None
    store = service.engine.store
    chunk = store.chunks[store.position[citation.chunk_id]]
    document = store.documents.get(citation.translation_of)
    for version in store.aligned(chunk).values():
        if version.doc_id == citation.translation_of and document is not None:
            return Citation(citation.n, version.doc_id, document.title, version.language, version.locator,
                            version.text, document.source, 0.0, version.chunk_id, heading=version.heading,
                            page=version.page)
    return None


def sources_html(service: Service, turns: list[Answer]) -> str:
    """Every turn's cited passages (and the originals of translations); the latest turn's are shown until a
    [n] is clicked, then only the clicked one."""
    store = service.engine.store if service.engine else None
    documents = store.documents if store else {}

    def around(citation: Citation) -> dict:
        before, after = store.neighbours(citation.chunk_id) if store else ("", "")
        return {"before": before, "after": after}

    parts = []
    for turn, answer in enumerate(turns):
        current = " pa-current" if turn == len(turns) - 1 else ""
        ui = answer.language.value
        for citation in answer.citations:
            original = _original_of(service, citation)
            key = str(citation.n)
            block = passage_html(citation, documents.get(citation.doc_id), turn, key, ui,
                                 original_key=f"{key}o" if original else None, title_prefix=f"&#91;{key}&#93; ",
                                 **around(citation))
            parts.append(block.replace('class="pa-source"', f'class="pa-source{current}"', 1))
            if original is not None:
                prefix = f"&#91;{key}&#93; {LABELS[ui]['original_title']}: "
                parts.append(passage_html(original, documents.get(original.doc_id), turn, f"{key}o", ui,
                                          title_prefix=prefix, **around(original)))
    if not parts:
        return '<div class="pa-sources"></div>'
    return f'<div class="pa-sources">{"".join(parts)}</div>'


def build_blocks(service: Service):
    """The chat page and the staff search tab."""
    import gradio as gr

    documents = service.engine.store.documents if service.engine else {}

    def respond(message: str, history: list, turns: list, lang: str, doc_ids: list[str] | None = None):
        history = list(history or [])
        turns = list(turns or [])
        try:
            answer, why = service.explained(message, parse_language(lang), doc_ids=set(doc_ids or []) or None)
        except AssistantError as exc:
            # The question is shown as typed, escaped, and cut at the length questions may have: one refused for
            # its length may be huge.
            limit = service.settings.answer.max_question_chars
            shown = message if len(message) <= limit else message[:limit] + "…"
            history += [{"role": "user", "content": escape(shown)},
                        {"role": "assistant", "content": f"⚠ {escape(str(exc))}"}]
            return history, turns, sources_html(service, turns), gr.update(value=""), gr.update(), gr.update(), gr.update()
        turns.append(answer)
        labels = LABELS[answer.language.value]
        history += [
            {"role": "user", "content": escape(message)},
            {"role": "assistant", "content": answer_html(answer, len(turns) - 1) + why_html(why, answer.language.value)},
        ]
        return (
            history, turns, sources_html(service, turns),
            gr.update(value="", placeholder=labels["ask"]),
            f'{labels["language"]}: <span id="pa-detected-code">{answer.language.value}</span>',
            f"### {labels['sources']}",
            gr.update(label=labels["lang_control"]),
        )

    def find(query: str, doc_ids: list[str], language: str, k: float):
        if service.engine is None:
            return f"⚠ {escape(service.problem)}"
        try:
            languages = None if language == "any" else {Language(language)}
            with service.lock:
                hits = search(service.engine, query, int(k), set(doc_ids or []) or None, languages)
        except AssistantError as exc:
            return f"⚠ {escape(str(exc))}"
        return search_html(hits, documents)

    ui = service.settings.ui
    with gr.Blocks(title=ui.title) as blocks:
        gr.Markdown(f"## {escape(ui.title)}\n{escape(ui.subtitle)}", elem_id="pa-title")
        if service.problem:
            gr.Markdown(f"⚠ {escape(service.problem)}", elem_id="pa-problem")
        with gr.Tab("Chat", elem_id="pa-tab-chat"):
            turns = gr.State([])
            with gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="Chat", height=480, sanitize_html=True, elem_id="pa-chat")
                    with gr.Row():
                        box = gr.Textbox(placeholder="Ask · Chiedi · 질문하세요", show_label=False, scale=5,
                                         elem_id="pa-question")
                        lang = gr.Dropdown(["auto", "it", "ko", "en"], value="auto", label="Language · Lingua · 언어",
                                           scale=1, elem_id="pa-lang")
                    only = gr.Dropdown([(d.title, d.doc_id) for d in documents.values()], multiselect=True,
                                       label="Only these documents · Solo questi documenti · 이 문서에서만",
                                       elem_id="pa-docs")
                    detected = gr.Markdown("", elem_id="pa-detected")
                    if ui.examples:
                        gr.Examples(list(ui.examples), inputs=box, label="Examples · Esempi · 예시")
                with gr.Column(scale=2):
                    sources_title = gr.Markdown("### Sources · Fonti · 출처", elem_id="pa-sources-title")
                    sources = gr.HTML(elem_id="pa-sources")
            box.submit(respond, [box, chat, turns, lang, only], [chat, turns, sources, box, detected, sources_title, lang])
        with gr.Tab("Search passages · Cerca · 구절 검색", elem_id="pa-tab-search"):
            with gr.Row():
                query = gr.Textbox(label="Query", scale=4, elem_id="pa-search-query")
                docs = gr.Dropdown([(d.title, d.doc_id) for d in documents.values()], multiselect=True,
                                   label="Documents", scale=3, elem_id="pa-search-docs")
                language = gr.Dropdown(["any", "it", "ko", "en"], value="any", label="Passage language", scale=1,
                                       elem_id="pa-search-lang")
                k = gr.Slider(1, 20, value=10, step=1, label="k", scale=1)
            results = gr.HTML(elem_id="pa-search-results")
            query.submit(find, [query, docs, language, k], results)
        build_eligibility_tab(service)
    return blocks


def build_app(service: Service):
    """FastAPI app: the JSON API beside the chat page at /."""
    api = build_api(service)
    mount_chat(api, service)
    return api


def mount_chat(api, service: Service) -> None:
    """The Gradio chat at / (importing Gradio alone takes ~4 s on two cores)."""
    import gradio as gr

    gr.mount_gradio_app(api, build_blocks(service), path="/", css=CSS, js=ON_LOAD, footer_links=[])


def build_api(service: Service, lifespan=None):
    """FastAPI app with the JSON API alone."""
    from fastapi import FastAPI, HTTPException
    from starlette.concurrency import run_in_threadpool
    from fastapi.responses import FileResponse, JSONResponse

    api = FastAPI(title="policy-assistant API", lifespan=lifespan)

    @api.post("/api/ask")
    async def api_ask(request: AskRequest):
        if service.engine is None:
            raise HTTPException(status_code=503, detail=service.problem)
        try:
            language = parse_language(request.lang)
            doc_ids = set(request.docs) if request.docs else None
            if service.pool is not None:  # straight to a free answering process, no thread hop
                result = await asyncio.wrap_future(service.pool.submit(request.question, language, request.k,
                                                                       explain=request.explain, doc_ids=doc_ids))
            else:
                result = await run_in_threadpool(service.explained if request.explain else service.ask,
                                                 request.question, language, request.k, doc_ids)
        except AssistantError as exc:
            return JSONResponse(status_code=400 if exc.exit_code == 2 else 500, content={"detail": str(exc)})
        if request.explain:
            answer, report = result
            return {**answer.to_json(), "explain": report}
        return result.to_json()

    @api.post("/api/eligibility")
    def api_eligibility(request: EligibilityRequest):
        """The same object as `policy-assistant eligible --json`."""
        if service.engine is None:
            raise HTTPException(status_code=503, detail=service.problem)
        try:
            language = parse_language(request.lang) or Language.EN
            vocabulary = service.engine.vocabulary
            return to_json(request.profile, language.value,
                           match(request.profile, service.engine.store.programmes, vocabulary), vocabulary)
        except AssistantError as exc:
            return JSONResponse(status_code=422, content={"detail": str(exc)})

    @api.get("/api/health")
    def api_health():
        if service.engine is None:
            return JSONResponse(status_code=503, content={"status": "no index", "detail": service.problem})
        manifest = service.engine.store.manifest
        return {
            "status": "ok",
            "model": manifest["model"],
            "rerank_model": manifest.get("rerank_model"),
            "passages": manifest["passages"],
            "documents": len(manifest["documents"]),
            "built_at": manifest["built_at"],
            "skipped": manifest.get("skipped", []),
            "corpus_changed_since_build": corpus_newer_than_index(service.engine.store),
        }

    @api.get("/api/file/{doc_id}")
    def api_file(doc_id: str):
        """The original file of a document, from the corpus folder the index was built from; nothing else."""
        path = service.original_file(doc_id)
        if path is None:
            raise HTTPException(status_code=404, detail=f"no original file for document {doc_id!r}")
        return FileResponse(path, filename=path.name, content_disposition_type="inline")

    return api


STARTING = ("<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=1><title>policy-assistant</title>"
            "<p>The chat is starting; this page reloads by itself. The API already answers at /api/ask.</p>")
CHAT_FAILED = ("<!doctype html><meta charset=utf-8><title>policy-assistant</title><p>The chat page could not be loaded "
               "({reason}). The API still answers at /api/ask. Reinstall (<code>make run</code> sets up the pinned "
               "packages) and restart the server.</p>")


def check_port_free(host: str, port: int) -> None:
    """Fail before anything loads when host:port cannot be served on (in use, or not an address of this machine)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a closing socket is no obstacle
            probe.bind(address)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        hint = ("another policy-assistant or another program is serving there. Stop it, or choose another port: "
                "policy-assistant serve --port 7861 (make run PORT=7861)") if exc.errno == errno.EADDRINUSE else \
            "give a host of this machine, e.g. --host 127.0.0.1 (make run HOST=127.0.0.1)"
        raise AssistantError(f"cannot serve on {host}:{port}: {reason}; {hint}.") from None


def serve(settings: Settings) -> None:
    """Load once, then serve the API and the chat on settings.serve.host:port until interrupted. The API answers
    as soon as the index and models are loaded; the chat page joins it at / once Gradio has loaded (a page that
    reloads itself stands there meanwhile)."""
    import contextlib

    import uvicorn
    from fastapi.responses import HTMLResponse

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    check_port_free(settings.serve.host, settings.serve.port)
    workers = settings.serve.workers or default_workers()
    service = Service.start(settings, workers)
    if service.engine is None:
        print(f"policy-assistant: {service.problem} (until then the chat and the API answer with this message)",
              file=sys.stderr, flush=True)
    loop: list[asyncio.AbstractEventLoop] = []

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        loop.append(asyncio.get_running_loop())
        yield

    api = build_api(service, lifespan)

    failed: list[str] = []  # why the chat could not be loaded, once it could not

    @api.get("/", include_in_schema=False)
    def starting():
        if failed:
            return HTMLResponse(CHAT_FAILED.format(reason=html.escape(failed[0])), status_code=500)
        return HTMLResponse(STARTING, status_code=503, headers={"Retry-After": "1"})

    placeholder = api.router.routes[-1]
    # Open chat pages keep a stream open: give them 3 s to finish on shutdown, not forever.
    server = uvicorn.Server(uvicorn.Config(api, host=settings.serve.host, port=settings.serve.port,
                                           log_level="warning", timeout_graceful_shutdown=3))

    def load_chat() -> None:
        mount_chat(api, service)
        chat = api.router.routes[-1].app
        while not loop:  # the server's event loop, once it runs
            time.sleep(0.02)

        async def start_chat() -> None:  # what Gradio runs at start-up; the server started before it was mounted
            chat.get_blocks().run_startup_events()
            await chat.get_blocks().run_extra_startup_events()

        asyncio.run_coroutine_threadsafe(start_chat(), loop[0]).result()
        api.router.routes = [route for route in api.router.routes if route is not placeholder]
        print("policy-assistant: chat ready", flush=True)

    def add_chat() -> None:
        """`load_chat` in the background; when it fails, the API keeps answering and the page and the log say why
        (not a thread's traceback, nor a page that waits for ever); when the server stops meanwhile, nothing."""
        try:
            load_chat()
        except Exception as exc:  # noqa: BLE001 — whatever it is, the API must go on and the reason be told
            if server.should_exit:
                return
            failed.append(f"{type(exc).__name__}: {exc}")
            print(f"policy-assistant: the chat page could not be loaded ({failed[0]}). The API still answers at "
                  "/api/ask. Reinstall (make run sets up the pinned packages) and restart the server.",
                  file=sys.stderr, flush=True)

    if service.pool is not None:
        service.pool.wait_ready()
    threading.Thread(target=add_chat, name="chat-loader", daemon=True).start()
    answering = f"{workers} answering processes" if service.pool else "answering in this process"
    print(f"policy-assistant: serving on http://{settings.serve.host}:{settings.serve.port} ({answering})", flush=True)
    # uvicorn stops gracefully on SIGINT/SIGTERM, then raises the signal again to the handler it found: make that
    # one a normal exit, so the answering processes are shut down below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if service.pool is not None:
            service.pool.close()
        print("policy-assistant: stopped", flush=True)
