"""HWPX (python-hwpx opens the package; its OWPML sections are walked here): paragraphs, tables with merged cells,
text boxes, footnotes and memos where they attach; page headers and footers left out."""
from __future__ import annotations

import re
from pathlib import Path

from ..types import Block, BlockKind, Skipped
from .tables import grid_rows, table_blocks

# Styles whose name makes a heading: "개요 1" / "Outline 1" (the number is the level).
_OUTLINE_STYLE = re.compile(r"^(?:개요|outline|heading|제목)\s*(\d)$", re.IGNORECASE)
_SKIP = {"header", "footer", "linesegarray", "secPr", "colPr", "pageNum", "memogroup", "parameters", "fieldEnd",
         "autoNum", "newNum", "pageHiding", "bookmark", "indexmark", "pageNumCtrl"}


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _Walker:
    """Turns the paragraphs of OWPML sections into blocks, keeping tables, notes and memos in place."""

    def __init__(self, heading_styles: dict[str, int], memos: dict[str, str]) -> None:
        self.heading_styles = heading_styles
        self.memos = memos
        self.blocks: list[Block] = []
        self.tables = 0
        self.memo_count = 0

    def paragraph(self, p) -> None:
        """One paragraph: its text as a block; tables and text boxes in it as blocks of their own, after it."""
        texts: list[str] = []
        later: list = []  # (kind, element) found inside the paragraph, emitted after its text
        self._collect(p, texts, later)
        text = "".join(texts)
        if text.strip():
            level = self.heading_styles.get(str(p.get("styleIDRef")), 0)
            short = len(text.strip()) <= 80 and not re.search(r"[.:;,。]\s*$", text.strip())
            kind = BlockKind.HEADING if level and short else BlockKind.PARAGRAPH
            self.blocks.append(Block(kind, text, level=level if kind is BlockKind.HEADING else 0))
        for kind, element in later:
            if kind == "table":
                self.table(element)
            elif kind == "box":
                for text_box in (x for x in element.iter() if _local(x) == "drawText"):
                    for sub in (x for x in text_box if _local(x) == "subList"):
                        for inner in (x for x in sub if _local(x) == "p"):
                            self.paragraph(inner)
            elif kind in ("footnote", "endnote"):
                note = " ".join(self.plain(sub) for sub in element if _local(sub) == "subList")
                if note.strip():
                    label = element.get("number", "")
                    self.blocks.append(Block(BlockKind.FOOTNOTE, note, label=label))
            elif kind == "memo":
                self.memo_count += 1
                self.blocks.append(Block(BlockKind.MEMO, element, label=str(self.memo_count)))

    def _collect(self, element, texts: list[str], later: list) -> None:
        for child in element:
            name = _local(child)
            if name in _SKIP:
                continue
            if name == "t":
                texts.append(child.text or "")
                for inner in child:  # <hp:tab/>, <hp:lineBreak/> and the text after them
                    texts.append(" ")
                    texts.append(inner.tail or "")
            elif name == "tbl":
                later.append(("table", child))
            elif name in ("footNote", "endNote"):
                later.append(("footnote", child))
            elif name == "fieldBegin" and child.get("type") == "MEMO":
                memo = " ".join(self.plain(sub) for sub in child if _local(sub) == "subList")
                if not memo.strip():
                    ids = [param.text for param in child.iter() if _local(param) == "stringParam" and param.get("name") == "ID"]
                    memo = self.memos.get(ids[0] if ids else "", "")
                if memo.strip():
                    later.append(("memo", memo))
            elif name == "drawText" or (name in ("rect", "ellipse", "polygon", "container", "curve")
                                        and any(_local(x) == "drawText" for x in child.iter())):
                later.append(("box", child))
            elif name in ("run", "ctrl", "fieldBegin"):
                self._collect(child, texts, later)

    def plain(self, element) -> str:
        """All text under an element, one line per paragraph (for cells, notes and memos)."""
        lines = []
        for p in element.iter():
            if _local(p) != "p":
                continue
            parts = []
            for run in p:
                for t in run:
                    if _local(t) == "t":
                        parts.append(t.text or "")
                        parts.extend(" " + (inner.tail or "") for inner in t)
            line = "".join(parts).strip()
            if line:
                lines.append(line)
        return "\n".join(lines)

    def table(self, tbl) -> None:
        cells = []
        for tr in tbl:
            if _local(tr) != "tr":
                continue
            for tc in tr:
                if _local(tc) != "tc":
                    continue
                address = next((x for x in tc if _local(x) == "cellAddr"), None)
                span = next((x for x in tc if _local(x) == "cellSpan"), None)
                if address is None:
                    continue
                text = "\n".join(self.plain(sub) for sub in tc if _local(sub) == "subList")
                cells.append((int(address.get("rowAddr", 0)), int(address.get("colAddr", 0)),
                              int(span.get("rowSpan", 1)) if span is not None else 1,
                              int(span.get("colSpan", 1)) if span is not None else 1, text))
        self.tables += 1
        self.blocks.extend(table_blocks(grid_rows(cells), self.tables))


def _heading_styles(document) -> dict[str, int]:
    styles = {}
    for header in document.parts.headers:
        for style in header.element.iter():
            if _local(style) != "style":
                continue
            for name in (style.get("name", ""), style.get("engName", "")):
                if match := _OUTLINE_STYLE.match(name.strip()):
                    styles[str(style.get("id"))] = int(match.group(1))
    return styles


def read(path: Path, options=None, notes: list[Skipped] | None = None) -> list[Block]:
    """The blocks of every section of an .hwpx file, in order."""
    import warnings

    from hwpx import HwpxDocument

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        document = HwpxDocument.open(str(path))
        try:
            memos = {}
            for section in document.sections:
                for memo in section.element.iter():
                    if _local(memo) == "memo":
                        walker = _Walker({}, {})
                        memos[str(memo.get("id"))] = walker.plain(memo).replace("\n", " ")
            walker = _Walker(_heading_styles(document), memos)
            for section in document.sections:
                for p in section.element:
                    if _local(p) == "p":
                        walker.paragraph(p)
        finally:
            document.close()
    return walker.blocks


def embedded_title(path: Path) -> str:
    """The title in the package's metadata (Contents/content.hpf)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        if "Contents/content.hpf" not in archive.namelist():
            return ""
        root = etree.fromstring(archive.read("Contents/content.hpf"))
    title = next((e.text for e in root.iter() if _local(e) == "title" and e.text), "")
    return (title or "").strip()
