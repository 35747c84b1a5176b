"""The Gradio chat and the JSON API (/api/ask, /api/health), served together by uvicorn."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from assistant.config import Settings
from assistant.errors import AssistantError, IndexMissingError, IndexStaleError
from assistant.language import parse_language
from assistant.pipeline import Engine, ask, open_engine
from assistant.types import Answer, Citation, Language

from .render import LABELS, answer_html, passage_html

EXAMPLES = [
    "Quante fabbriche AI saranno distribuite entro quest'anno?",
    "2030년까지 AI 공장을 몇 개로 늘릴 계획인가요?",
    "How many regional hub national universities will supply talent?",
    "Qual è il budget dei 5 Pacchetti di Crescita?",
]

CSS = """
.pa-refusal { border-left: 4px solid #d97706; padding-left: .5em; }
.pa-source { display: none; border: 1px solid #ddd; border-radius: 6px; padding: .6em; margin-bottom: .6em; }
.pa-sources .pa-source.pa-current { display: block; }
.pa-sources.pa-picked .pa-source { display: none; }
.pa-sources.pa-picked .pa-source.pa-active { display: block; }
.pa-source-title { font-weight: 600; }
.pa-meta, .pa-context { color: #666; font-size: .9em; }
.pa-unofficial { color: #b45309; font-size: .9em; margin: .3em 0; }
mark.pa-highlight { background: #fde68a; }
"""

# Clicking [n] shows that turn's passage n in the source panel (no round trip to the server).
HEAD = """
<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a.pa-cite');
  if (!link) return;
  event.preventDefault();
  const target = document.getElementById('pa-src-' + link.dataset.turn + '-' + link.dataset.n);
  if (!target) return;
  const panel = target.closest('.pa-sources');
  panel.classList.add('pa-picked');
  panel.querySelectorAll('.pa-source.pa-active').forEach(el => el.classList.remove('pa-active'));
  target.classList.add('pa-active');
  target.scrollIntoView({block: 'nearest'});
});
</script>
"""


class AskRequest(BaseModel):
    """Body of POST /api/ask."""

    model_config = ConfigDict(extra="forbid")
    question: str
    lang: str = "auto"
    k: int | None = Field(None, ge=1, le=50)


@dataclass
class Service:
    """The engine (or why there is none) and a lock: models and index load once and are shared."""

    settings: Settings
    engine: Engine | None = None
    problem: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, settings: Settings) -> "Service":
        try:
            return cls(settings, open_engine(settings))
        except (IndexMissingError, IndexStaleError) as exc:
            return cls(settings, None, str(exc))

    def ask(self, question: str, language: Language | None, k: int | None = None) -> Answer:
        if self.engine is None:
            raise IndexMissingError(self.problem)
        # The C embedding engine and Kiwi are not documented as thread-safe: one question at a time per
        # process; HTTP handling stays concurrent and each request gets its own Answer object.
        with self.lock:
            return ask(self.engine, question, language=language, k=k)


def _original_citation(service: Service, citation: Citation) -> Citation | None:
    if not citation.translation_of or service.engine is None:
        return None
    store = service.engine.store
    chunk = store.chunks[store.position[citation.chunk_id]]
    document = store.documents.get(citation.translation_of)
    for version in store.aligned(chunk).values():
        if version.doc_id == citation.translation_of and document:
            return Citation(0, version.doc_id, document.title, version.language, version.locator, version.text,
                            document.source, 0.0, version.chunk_id)
    return None


def sources_html(service: Service, turns: list[Answer]) -> str:
    """Every turn's cited passages; the latest turn's shown until a [n] is clicked."""
    parts = []
    for turn, answer in enumerate(turns):
        current = " pa-current" if turn == len(turns) - 1 else ""
        for citation in answer.citations:
            document = service.engine.store.documents.get(citation.doc_id) if service.engine else None
            block = passage_html(citation, document, _original_citation(service, citation), turn, answer.language.value)
            parts.append(block.replace('class="pa-source"', f'class="pa-source{current}"', 1))
    return f'<div class="pa-sources">{"".join(parts)}</div>'


def build_blocks(service: Service):
    """The chat page."""
    import gradio as gr

    def respond(message: str, history: list, turns: list, lang: str):
        history = list(history or [])
        turns = list(turns or [])
        try:
            answer = service.ask(message, parse_language(lang))
        except AssistantError as exc:
            history += [{"role": "user", "content": message}, {"role": "assistant", "content": f"⚠ {exc}"}]
            return history, turns, sources_html(service, turns), "", gr.update()
        turns.append(answer)
        labels = LABELS[answer.language.value]
        history += [
            {"role": "user", "content": message},
            {"role": "assistant", "content": answer_html(answer, len(turns) - 1)},
        ]
        detected = f"{labels['language']}: **{answer.language.value}**"
        return history, turns, sources_html(service, turns), "", detected

    with gr.Blocks(title="policy-assistant") as blocks:
        gr.Markdown("## policy-assistant — MOTIE 2026 work plan · piano di lavoro · 업무계획")
        if service.problem:
            gr.Markdown(f"⚠ {service.problem}")
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=480, sanitize_html=True, elem_id="pa-chat")
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask · Chiedi · 질문하세요", show_label=False, scale=5, elem_id="pa-question")
                    lang = gr.Dropdown(["auto", "it", "ko", "en"], value="auto", label="Language", scale=1, elem_id="pa-lang")
                detected = gr.Markdown("", elem_id="pa-detected")
                gr.Examples(EXAMPLES, inputs=box)
            with gr.Column(scale=2):
                gr.Markdown("### Sources · Fonti · 출처")
                sources = gr.HTML(elem_id="pa-sources")
        box.submit(respond, [box, chat, turns, lang], [chat, turns, sources, box, detected])
    return blocks


def build_app(service: Service):
    """FastAPI app: the JSON API beside the chat page at /."""
    import gradio as gr
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import JSONResponse

    api = FastAPI(title="policy-assistant API")

    @api.post("/api/ask")
    def api_ask(request: AskRequest):
        if service.engine is None:
            raise HTTPException(status_code=503, detail=service.problem)
        try:
            answer = service.ask(request.question, parse_language(request.lang), request.k)
        except AssistantError as exc:
            return JSONResponse(status_code=400 if exc.exit_code == 2 else 500, content={"detail": str(exc)})
        return answer.to_json()

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
        }

    return gr.mount_gradio_app(api, build_blocks(service), path="/", css=CSS, head=HEAD, footer_links=[])


def serve(settings: Settings) -> None:
    """Load once, then serve the chat and the API on settings.serve.host:port until interrupted."""
    import uvicorn

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    service = Service.start(settings)
    app = build_app(service)
    print(f"policy-assistant: serving on http://{settings.serve.host}:{settings.serve.port}", flush=True)
    uvicorn.run(app, host=settings.serve.host, port=settings.serve.port, log_level="warning")
