"""DOCX (python-docx): heading styles, list paragraphs, tables with merged cells, footnotes and comments."""
from __future__ import annotations

import re
from pathlib import Path

from ..types import Block, BlockKind, Skipped
from .tables import table_blocks

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# "Heading 2", "Titolo 2", "제목 2", "heading2": the number is the level. "Title" is level 1.
_HEADING_STYLE = re.compile(r"^(?:heading|titolo|intestazione|제목|개요)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|titolo documento|제목)$", re.IGNORECASE)


def _notes(document, partname: str, tag: str) -> dict[str, str]:
    """Footnotes or endnotes by id: the text of each note's paragraphs."""
    from lxml import etree

    for part in document.part.package.iter_parts():
        if str(part.partname) == partname:
            root = etree.fromstring(part.blob)
            notes = {}
            for note in root.iter(f"{_W}{tag}"):
                if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                paragraphs = ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in note.iter(f"{_W}p")]
                notes[note.get(f"{_W}id")] = " ".join(p for p in paragraphs if p.strip())
            return notes
    return {}


def _comments(document) -> dict[str, str]:
    try:
        return {str(c.comment_id): c.text for c in document.comments}
    except (AttributeError, KeyError):
        return {}


def _heading_level(paragraph) -> int | None:
    style = paragraph.style.name if paragraph.style is not None else ""
    if match := _HEADING_STYLE.match(style.strip()):
        return int(match.group(1))
    if _TITLE_STYLE.match(style.strip()):
        return 0  # above "Heading 1": the document's own title
    outline = paragraph._p.find(f"{_W}pPr/{_W}outlineLvl")
    if outline is not None and outline.get(f"{_W}val", "9").isdigit() and int(outline.get(f"{_W}val")) < 9:
        return int(outline.get(f"{_W}val")) + 1
    return None


def _is_list(paragraph) -> bool:
    style = paragraph.style.name if paragraph.style is not None else ""
    return "list" in style.lower() or "elenco" in style.lower() or paragraph._p.find(f"{_W}pPr/{_W}numPr") is not None


def _table_rows(table) -> list[list[str]]:
    """Cell texts by row; python-docx repeats a merged cell in every grid position it covers."""
    rows = []
    for row in table.rows:
        try:
            rows.append([cell.text for cell in row.cells])
        except (IndexError, ValueError):  # a malformed grid: read the cells the row holds
            rows.append(["".join(t.text or "" for t in tc.iter(f"{_W}t")) for tc in row._tr.iter(f"{_W}tc")])
    return rows


def read(path: Path, options=None, notes: list[Skipped] | None = None) -> list[Block]:
    """The blocks of a .docx body in order; each footnote and comment follows the paragraph it is attached to."""
    import docx
    from docx.table import Table

    document = docx.Document(str(path))
    footnotes = _notes(document, "/word/footnotes.xml", "footnote")
    endnotes = _notes(document, "/word/endnotes.xml", "endnote")
    comments = _comments(document)
    blocks: list[Block] = []
    tables = memos = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            tables += 1
            blocks.extend(table_blocks(_table_rows(item), tables))
            continue
        text = item.text
        if not text.strip():
            continue
        level = _heading_level(item)
        if level is not None:
            blocks.append(Block(BlockKind.HEADING, text, level=level))
        else:
            blocks.append(Block(BlockKind.LIST_ITEM if _is_list(item) else BlockKind.PARAGRAPH, text))
        element = item._p
        for ref in element.iter(f"{_W}footnoteReference", f"{_W}endnoteReference"):
            source = footnotes if ref.tag.endswith("footnoteReference") else endnotes
            note_id = ref.get(f"{_W}id")
            if source.get(note_id):
                blocks.append(Block(BlockKind.FOOTNOTE, source[note_id], label=note_id))
        for ref in element.iter(f"{_W}commentReference"):
            comment_id = ref.get(f"{_W}id")
            if comments.get(comment_id):
                memos += 1
                blocks.append(Block(BlockKind.MEMO, comments[comment_id], label=str(memos)))
    return blocks


def embedded_title(path: Path) -> str:
    """The document's core property `title`."""
    import docx

    return (docx.Document(str(path)).core_properties.title or "").strip()
