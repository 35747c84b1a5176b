"""Markdown (markdown-it-py, CommonMark + tables, front matter and footnotes from mdit-py-plugins)."""
from __future__ import annotations

import re
from pathlib import Path

from ..types import Block, BlockKind, Skipped
from .tables import table_blocks
from .text import decode

_KRAMDOWN_ATTRIBUTES = re.compile(r"\{:[^}]*\}")  # "{: .from}", "{:toc}" (kramdown, Jekyll)
_TAG = re.compile(r"<[^>]+>")
# A line that starts an enumerated item inside a paragraph ("1. …", "2의2. …", "가. …", "- …").
_ITEM_LINE = re.compile(r"^\s*(?:\d+(?:의\d+)?\.|\(\d{1,2}\)|[가-하]\.|[-•])\s")
_FRONT_TITLE = re.compile(r"^(?:title|제목|titolo)\s*:\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)


def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(footnote_plugin)


def _inline_text(token) -> tuple[str, list[str]]:
    """The text of an inline token and the labels of the footnotes it refers to."""
    parts: list[str] = []
    refs: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "html_inline":
            parts.append(" " if re.match(r"<br\b", child.content, re.IGNORECASE) else "")
        elif child.type == "image":
            parts.append(child.content)  # the alt text
        elif child.type == "footnote_ref":
            refs.append(str(child.meta.get("label", child.meta.get("id", ""))))
    return _KRAMDOWN_ATTRIBUTES.sub("", "".join(parts)), refs


def _paragraph(text: str, kind: BlockKind) -> list[Block]:
    """A paragraph, or, when its lines are enumerated items (a law's "1. … 2. …"), one item per line."""
    lines = [line for line in text.split("\n") if line.strip()]
    if sum(bool(_ITEM_LINE.match(line)) for line in lines) < 2:
        return [Block(kind, " ".join(lines))]
    blocks: list[Block] = []
    for line in lines:
        if _ITEM_LINE.match(line) or not blocks:
            blocks.append(Block(BlockKind.LIST_ITEM if _ITEM_LINE.match(line) else kind, line))
        else:
            blocks[-1] = Block(blocks[-1].kind, f"{blocks[-1].text} {line}")
    return blocks


def read(path: Path, options=None, notes: list[Skipped] | None = None) -> list[Block]:
    """The blocks of a Markdown file; footnotes follow the paragraph that refers to them."""
    tokens = _parser().parse(decode(path))
    footnotes: dict[str, list[str]] = {}
    blocks: list[tuple[Block, list[str]]] = []
    list_depth = 0
    footnote: str | None = None
    heading_level = 0
    table: list[list[str]] | None = None
    tables = 0
    for token in tokens:
        kind = token.type
        if kind == "footnote_open":
            footnote = str(token.meta.get("label", token.meta.get("id", "")))
            footnotes[footnote] = []
        elif kind == "footnote_close":
            footnote = None
        elif kind in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "table_open":
            table = []
        elif kind == "tr_open" and table is not None:
            table.append([])
        elif kind == "table_close" and table is not None:
            tables += 1
            blocks.extend((b, []) for b in table_blocks(table, tables))
            table = None
        elif kind == "inline":
            text, refs = _inline_text(token)
            if table is not None:
                table[-1].append(text)
            elif footnote is not None:
                footnotes[footnote].append(text)
            elif heading_level:
                blocks.append((Block(BlockKind.HEADING, text, level=heading_level), refs))
                heading_level = 0
            else:
                kind_of = BlockKind.LIST_ITEM if list_depth else BlockKind.PARAGRAPH
                blocks.extend((block, refs) for block in _paragraph(text, kind_of))
        elif kind in ("fence", "code_block"):
            blocks.append((Block(BlockKind.PARAGRAPH, token.content), []))
        elif kind == "html_block":
            text = _TAG.sub(" ", token.content)
            if text.strip():
                blocks.append((Block(BlockKind.PARAGRAPH, text), []))

    out: list[Block] = []
    placed: set[str] = set()
    for block, refs in blocks:
        out.append(block)
        for label in refs:
            if label in footnotes and label not in placed:
                placed.add(label)
                out.append(Block(BlockKind.FOOTNOTE, " ".join(footnotes[label]), label=label))
    out.extend(Block(BlockKind.FOOTNOTE, " ".join(texts), label=label)
               for label, texts in footnotes.items() if label not in placed)
    return out


def embedded_title(path: Path) -> str:
    """The `title:` of the YAML front matter, if any."""
    text = decode(path)
    if not text.startswith("---"):
        return ""
    end = text.find("\n---", 3)
    match = _FRONT_TITLE.search(text[3:end if end > 0 else 0])
    return match.group(1).strip("'\" ") if match else ""
