"""The "Am I eligible?" tab: a form whose fields follow the applicant kind, result cards, and the cited passages."""
from __future__ import annotations

from assistant.eligibility.match import match, to_json
from assistant.eligibility.vocabulary import FIELDS, FIELDS_BY_KIND, ApplicantKind, FieldType, ProfileError
from assistant.types import Citation, Language

from .render import escape, passage_html

VERDICT_STYLE = {"eligible": "pa-ok", "not_eligible": "pa-no", "unknown": "pa-maybe"}
MARK = {True: "✓", False: "✗", None: "?"}
TITLES = {"it": "Posso partecipare?", "ko": "신청할 수 있나요?", "en": "Am I eligible?"}


def result_html(result: dict, service) -> str:
    """Cards, one per programme: verdict, facts still missing, each condition with its source text and a [n] that
    opens the cited passage beside them."""
    store = service.engine.store if service.engine else None
    documents = store.documents if store else {}
    language = result["language"]
    cards, sources, shown = [], [], set()
    for programme in result["programmes"]:
        items = []
        for condition in programme["conditions"]:
            cite = condition["citation"]
            link = ""
            if cite:
                key = str(cite["n"])
                link = f' <a class="pa-cite" href="#pa-src-e-{key}">&#91;{key}&#93;</a>'
                if key not in shown and store is not None and cite["chunk_id"] in store.position:
                    shown.add(key)
                    chunk = store.chunks[store.position[cite["chunk_id"]]]
                    document = documents.get(chunk.doc_id)
                    citation = Citation(int(key), chunk.doc_id, document.title if document else chunk.doc_id,
                                        chunk.language, chunk.locator, chunk.text, document.source if document else "",
                                        1.0, chunk.chunk_id, document.translation_of if document else None,
                                        chunk.heading, chunk.page)
                    before, after = store.neighbours(chunk.chunk_id)
                    sources.append(passage_html(citation, document, "e", key, language, title_prefix=f"&#91;{key}&#93; ",
                                                before=before, after=after))
            items.append(f'<li class="pa-condition" data-met="{condition["met"]}">{MARK[condition["met"]]} '
                         f'<b>{escape(condition["label"])}</b> <code>{escape(condition["rule"])}</code> — '
                         f'«{escape(condition["text"])}»{link}</li>')
        # Facts still needed, for a programme not yet decided (one already ruled out needs no more).
        undecided = programme["missing"] and programme["verdict"] == "unknown"
        missing = (f'<div class="pa-missing">{escape(service.engine.vocabulary.label(language, "words", "missing"))}: '
                   f'{escape(", ".join(programme["missing_labels"]))}</div>') if undecided else ""
        cards.append(
            f'<div class="pa-card {VERDICT_STYLE[programme["verdict"]]}" data-verdict="{programme["verdict"]}">'
            f'<div class="pa-card-title">{escape(programme["title"])}</div>'
            f'<div class="pa-verdict">{escape(programme["verdict_label"])}</div>{missing}'
            f'<ul>{"".join(items)}</ul></div>')
    if not cards:
        cards.append('<div class="pa-card">—</div>')
    return (f'<div class="pa-eligibility"><div class="pa-cards">{"".join(cards)}</div>'
            f'<div class="pa-sources">{"".join(sources)}</div></div>')


def build_tab(service) -> None:
    """The tab itself (inside the page's gr.Blocks)."""
    import gradio as gr

    vocabulary = service.engine.vocabulary if service.engine else None
    with gr.Tab("Am I eligible? · Posso partecipare? · 신청 자격", elem_id="pa-tab-eligibility"):
        with gr.Row():
            kind = gr.Dropdown([("—", "")] + [(k.value, k.value) for k in ApplicantKind], value="",
                               label="Applicant · Richiedente · 신청자", elem_id="pa-el-applicant_kind")
            language = gr.Dropdown(["en", "it", "ko"], value="en", label="Language · Lingua · 언어", elem_id="pa-el-lang")
        inputs = {}
        with gr.Row():
            for name, kind_of in FIELDS.items():
                if name == "applicant_kind":
                    continue
                label = vocabulary.label("en", "fields", name) if vocabulary else name
                elem = f"pa-el-{name}"
                if kind_of is FieldType.NUMBER:  # a text box: empty means "not said", where a number box says 0
                    inputs[name] = gr.Textbox(label=label, elem_id=elem, placeholder="—")
                elif kind_of is FieldType.FLAG:
                    inputs[name] = gr.Dropdown(["", "yes", "no"], value="", label=label, elem_id=elem)
                elif kind_of is FieldType.SECTOR and vocabulary:
                    inputs[name] = gr.Dropdown([""] + sorted(vocabulary.sector_names), value="", label=label, elem_id=elem)
                elif kind_of is FieldType.COUNTRY:
                    inputs[name] = gr.Dropdown(["", "KR", "IT", "US"], value="", label=label, elem_id=elem)
                else:
                    inputs[name] = gr.Textbox(label=label, elem_id=elem, placeholder="Daegu · Lombardia · 대구")
        check = gr.Button("Check · Verifica · 확인", elem_id="pa-el-check", variant="primary")
        output = gr.HTML(elem_id="pa-el-results")

        def follow(kind_value: str):
            wanted = set(FIELDS_BY_KIND[ApplicantKind(kind_value)]) if kind_value else set(inputs)
            return [gr.update(visible=name in wanted) for name in inputs]

        def run(kind_value: str, lang: str, *values):
            if service.engine is None:
                return f"⚠ {escape(service.problem)}"
            shown = set(FIELDS_BY_KIND[ApplicantKind(kind_value)]) if kind_value else set(inputs)
            profile = {name: value for name, value in zip(inputs, values) if value not in (None, "") and name in shown}
            if kind_value:
                profile["applicant_kind"] = kind_value
            try:
                result = to_json(profile, Language(lang).value, match(profile, service.engine.store.programmes,
                                                                       service.engine.vocabulary), service.engine.vocabulary)
            except ProfileError as exc:
                return f'<div class="pa-refusal">⚠ {escape(str(exc))}</div>'
            return result_html(result, service)

        kind.change(follow, [kind], list(inputs.values()))
        check.click(run, [kind, language, *inputs.values()], output)
