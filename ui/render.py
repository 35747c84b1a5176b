"""HTML for answers and passages; every piece of document text is escaped for HTML and markdown."""
from __future__ import annotations

import re
from urllib.parse import quote

from assistant.features import MAX_ANSWER_CHARS
from assistant.types import Answer, Chunk, Citation, Document, Hit

_CITE = re.compile(r"\[(\d+)\]")
# One pass over each character: HTML specials and markdown specials become entities exactly once (escaping
# markdown after html.escape would re-escape the "#" of "&#x27;" and show "dell&#x27;Industria").
_ESCAPES = str.maketrans({**{c: f"&#{ord(c)};" for c in "[]()*_`#!|~\\'\""}, "&": "&amp;", "<": "&lt;", ">": "&gt;"})

# The interface's own words, in the language of the last question.
LABELS: dict[str, dict[str, str]] = {
    "it": {"see_also": "Passaggi più vicini (potrebbero non rispondere alla domanda)", "sources": "Fonti", "unofficial": "Traduzione non ufficiale di",
           "original": "vai al passaggio originale", "original_title": "Originale", "language": "Lingua rilevata",
           "ask": "Fai una domanda sui documenti", "lang_control": "Lingua", "issuer": "Emittente", "date": "Data",
           "no_sources": "Le fonti delle risposte appaiono qui.", "download": "Scarica l'originale",
           "why": "Come è stata scelta la risposta (dettagli tecnici, in inglese)"},
    "ko": {"see_also": "가장 가까운 구절 (질문에 답하지 않을 수도 있습니다)", "sources": "출처", "unofficial": "비공식 번역 · 원문:",
           "original": "원문 구절로 이동", "original_title": "원문", "language": "감지된 언어",
           "ask": "문서에 대해 질문하세요", "lang_control": "언어", "issuer": "발행 기관", "date": "날짜",
           "no_sources": "답변의 출처가 여기에 표시됩니다.", "download": "원본 파일 받기",
           "why": "답변을 고른 과정 (기술 정보, 영어)"},
    "en": {"see_also": "Closest passages (they may not answer the question)", "sources": "Sources", "unofficial": "Unofficial translation of",
           "original": "go to the original passage", "original_title": "Original", "language": "Detected language",
           "ask": "Ask a question about the documents", "lang_control": "Language", "issuer": "Issuer", "date": "Date",
           "no_sources": "The sources of answers appear here.", "download": "Download the original",
           "why": "How this answer was chosen (technical details)"},
}


def escape(text: str) -> str:
    """Escape for HTML and for markdown, so document text never runs, links or formats."""
    return text.translate(_ESCAPES)


def _cite_link(turn: int, key: str, label: str) -> str:
    return (f'<a class="pa-cite" href="#pa-src-{turn}-{key}" data-turn="{turn}" data-n="{key}">'
            f"{label}</a>")


def _preview(citation: Citation, limit: int = MAX_ANSWER_CHARS) -> str:
    """What a "see also" line shows of its passage: the sentence closest to the question when one was scored,
    else the passage's opening; cut at `limit` characters."""
    text = citation.sentence or citation.quote
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _marked(citation: Citation) -> str:
    """The passage with its sentence highlighted (the whole passage when there is none, or it is not found)."""
    parts = citation.around_sentence()
    if parts is None:
        return f'<mark class="pa-highlight">{escape(citation.quote)}</mark>'
    before, sentence, after = map(escape, parts)
    return (f'<span class="pa-passage-text">{before}</span><mark class="pa-highlight pa-sentence">{sentence}</mark>'
            f'<span class="pa-passage-text">{after}</span>')


def answer_html(answer: Answer, turn: int) -> str:
    """The answer with each [n] a link to its passage; a refusal is marked as one, with "see also" links."""
    labels = LABELS[answer.language.value]
    pieces = _CITE.split(answer.answer)  # text, n, text, n, …, text
    text = "".join(  # an answer of several lines (the eligibility matcher's: one per condition) keeps them
        escape(piece).replace("\n", "<br>") if i % 2 == 0 else _cite_link(turn, piece, f"&#91;{piece}&#93;")
        for i, piece in enumerate(pieces)
    )
    if answer.grounded:
        return f'<div class="pa-answer" lang="{answer.language}">{text}</div>'
    items = "".join(f"<li>{_cite_link(turn, str(c.n), f'&#91;{c.n}&#93;')} {escape(_preview(c))}</li>"
                    for c in answer.citations)
    see_also = f'<div class="pa-see-also">{labels["see_also"]}:<ul>{items}</ul></div>' if items else ""
    return f'<div class="pa-refusal" lang="{answer.language}"><strong>⚠</strong> {text}{see_also}</div>'


def why_html(report: dict, language: str) -> str:
    """Why it answered or refused (`ask --explain`), folded under the answer: the question as read, the passages,
    the candidates with the chooser's shares, the pick's confidence against the threshold, and the decision."""
    from assistant.explain import explanation_lines

    lines = "<br>".join(escape(line) for line in explanation_lines(report))
    return (f'<details class="pa-why"><summary>{LABELS[language]["why"]}</summary>'
            f'<div class="pa-why-lines">{lines}</div></details>')


def passage_html(citation: Citation, document: Document | None, turn: int, key: str, ui_language: str,
                 original_key: str | None = None, title_prefix: str = "", before: str = "", after: str = "") -> str:
    """One passage, highlighted between its neighbours, with its provenance: title, issuer, date, heading path,
    locator, and a link to the original file (at the page, for a PDF)."""
    labels = LABELS[ui_language]
    translation = ""
    if citation.translation_of:
        link = f" — {_cite_link(turn, original_key, labels['original'])}" if original_key else ""
        translation = (f'<div class="pa-unofficial">{labels["unofficial"]} '
                       f"<code>{escape(citation.translation_of)}</code>{link}</div>")
    issuer = escape(document.issuer) if document else ""
    date = escape(document.date) if document else ""
    heading = f'<div class="pa-heading">{escape(citation.heading)}</div>' if citation.heading else ""
    download = ""
    if document is not None and document.file:
        page = f"#page={citation.page}" if citation.page and document.format == "pdf" else ""
        download = (f' · <a class="pa-download" href="/api/file/{quote(citation.doc_id)}{page}" target="_blank" '
                    f'rel="noopener">{labels["download"]} ({escape(document.format.upper())})</a>')
    return (
        f'<div class="pa-source" id="pa-src-{turn}-{key}" data-turn="{turn}" data-n="{key}">'
        f'<div class="pa-source-title">{title_prefix}{escape(citation.title)}</div>'
        f'<div class="pa-meta">{labels["issuer"]}: {issuer} · {labels["date"]}: {date} · '
        f'<span class="pa-locator">{escape(citation.locator)}</span> · {escape(citation.language.value)}{download}</div>'
        f"{heading}{translation}"
        f'<div class="pa-passage"><span class="pa-context">{escape(before[-300:])}</span> '
        f'{_marked(citation)} '
        f'<span class="pa-context">{escape(after[:300])}</span></div></div>'
    )


def search_html(hits: list[Hit], documents: dict[str, Document]) -> str:
    """Passages-only results for staff: rank, score, document, locator, language, text."""
    if not hits:
        return '<div class="pa-search-empty">—</div>'
    rows = []
    for rank, hit in enumerate(hits, 1):
        chunk: Chunk = hit.chunk
        document = documents.get(chunk.doc_id)
        title = escape(document.title) if document else escape(chunk.doc_id)
        unofficial = " (unofficial translation)" if document and document.translation_of else ""
        heading = f'<div class="pa-heading">{escape(chunk.heading)}</div>' if chunk.heading else ""
        link = (f' <a class="pa-download" href="/api/file/{quote(chunk.doc_id)}'
                f'{f"#page={chunk.page}" if chunk.page and document and document.format == "pdf" else ""}" '
                f'target="_blank" rel="noopener">↧</a>') if document and document.file else ""
        rows.append(
            f'<tr class="pa-search-row"><td>{rank}</td><td>{hit.score:.3f}</td><td>{title}{unofficial}{link}</td>'
            f'<td class="pa-locator">{escape(chunk.locator)}</td><td>{escape(chunk.language.value)}</td>'
            f'<td class="pa-search-text">{heading}{escape(chunk.text)}</td></tr>'
        )
    return ('<table class="pa-search"><thead><tr><th>#</th><th>score</th><th>document</th><th>where</th><th>lang</th>'
            f"<th>passage</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
