"""HTML for answers and passages; every piece of document text goes through html.escape."""
from __future__ import annotations

import html
import re

from assistant.types import Answer, Citation, Document

_CITE = re.compile(r"\[(\d+)\]")

LABELS: dict[str, dict[str, str]] = {
    "it": {"refusal": "I documenti non lo dicono", "see_also": "Vedi anche", "sources": "Fonti",
           "unofficial": "Traduzione non ufficiale di", "original": "passaggio originale", "language": "Lingua rilevata",
           "ask": "Fai una domanda sul piano", "send": "Invia", "issuer": "Emittente", "date": "Data"},
    "ko": {"refusal": "문서에 해당 내용이 없습니다", "see_also": "참고 구절", "sources": "출처",
           "unofficial": "비공식 번역 · 원문:", "original": "원문 구절", "language": "감지된 언어",
           "ask": "계획에 대해 질문하세요", "send": "보내기", "issuer": "발행 기관", "date": "날짜"},
    "en": {"refusal": "The documents do not say", "see_also": "See also", "sources": "Sources",
           "unofficial": "Unofficial translation of", "original": "original passage", "language": "Detected language",
           "ask": "Ask a question about the plan", "send": "Send", "issuer": "Issuer", "date": "Date"},
}


_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "[]()*_`#!|~\\"})


def escape(text: str) -> str:
    """Escape for HTML and for markdown, so document text never runs, links or formats."""
    return html.escape(text).translate(_MARKDOWN)


def _cite_link(turn: int, n: int) -> str:
    return f'<a class="pa-cite" href="#pa-src-{turn}-{n}" data-turn="{turn}" data-n="{n}">&#91;{n}&#93;</a>'


def answer_html(answer: Answer, turn: int) -> str:
    """The answer with each [n] a link to its passage; a refusal is marked as one."""
    labels = LABELS[answer.language.value]
    pieces = _CITE.split(answer.answer)  # text, n, text, n, …, text
    text = "".join(escape(piece) if i % 2 == 0 else _cite_link(turn, int(piece)) for i, piece in enumerate(pieces))
    if not answer.grounded:
        items = "".join(
            f"<li>{_cite_link(turn, c.n)} "
            f"{escape(c.quote[:160])}…</li>"
            for c in answer.citations
        )
        see_also = f'<div class="pa-see-also">{labels["see_also"]}:<ul>{items}</ul></div>' if items else ""
        return f'<div class="pa-refusal" lang="{answer.language}"><strong>⚠</strong> {text}{see_also}</div>'
    return f'<div class="pa-answer" lang="{answer.language}">{text}</div>'


def passage_html(citation: Citation, document: Document | None, original: Citation | None, turn: int, ui_language: str) -> str:
    """One cited passage, highlighted within its surrounding document text, with its provenance."""
    labels = LABELS[ui_language]
    if document is not None:
        text = document.text
        start = text.find(citation.quote)
        before = text[max(0, start - 300) : start] if start >= 0 else ""
        after = text[start + len(citation.quote) : start + len(citation.quote) + 300] if start >= 0 else ""
    else:
        before = after = ""
    body = (
        f'<span class="pa-context">{escape(before)}</span>'
        f'<mark class="pa-highlight">{escape(citation.quote)}</mark>'
        f'<span class="pa-context">{escape(after)}</span>'
    )
    translation = ""
    if citation.translation_of:
        link = ""
        if original is not None:
            link = f' — <span class="pa-original-quote">{labels["original"]} ({html.escape(original.locator)}): {escape(original.quote)}</span>'
        translation = f'<div class="pa-unofficial">{labels["unofficial"]} <code>{html.escape(citation.translation_of)}</code>{link}</div>'
    issuer = html.escape(document.issuer) if document else ""
    date = html.escape(document.date) if document else ""
    return (
        f'<div class="pa-source" id="pa-src-{turn}-{citation.n}" data-turn="{turn}" data-n="{citation.n}">'
        f'<div class="pa-source-title">&#91;{citation.n}&#93; {escape(citation.title)}</div>'
        f'<div class="pa-meta">{labels["issuer"]}: {issuer} · {labels["date"]}: {date} · {html.escape(citation.locator)} · '
        f"{html.escape(citation.language.value)}</div>{translation}"
        f'<div class="pa-passage">{body}</div></div>'
    )
