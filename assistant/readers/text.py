"""Plain text: paragraphs between blank lines (or one per line when there are none); bullets are list items."""
from __future__ import annotations

import re
from pathlib import Path

from ..types import Block, BlockKind, Skipped

_BULLET = re.compile(r"^\s*[-•*·◦○❍▪▶►]\s+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def decode(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM) or UTF-16 with a BOM; CR/CRLF become newlines."""
    from . import unreadable

    data = path.read_bytes()
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise unreadable(path, f"it is not UTF-8 text ({exc.reason} at byte {exc.start})",
                         "Re-save it as UTF-8 and index again.") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _title_line(line: str) -> bool:
    """A short first line with no closing punctuation: a heading over the lines that follow it."""
    line = line.strip()
    return 0 < len(line) <= 80 and not re.search(r"[.:;,!?。]$", line)


def paragraph_blocks(text: str) -> list[Block]:
    """Blocks of plain text: blank-line paragraphs (wrapped lines joined; a short first line without closing
    punctuation is a heading line of its own; bulleted lines are list items), or lines when there is no blank line."""
    pieces = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    blocks = []
    for piece in pieces:
        lines = [line.strip() for line in piece.split("\n") if line.strip()]
        if len(lines) > 1 and _title_line(lines[0]) and not _BULLET.match(lines[0]):
            blocks.append(Block(BlockKind.PARAGRAPH, lines.pop(0)))
        current: list[str] = []
        for line in lines + [""]:
            if (not line or _BULLET.match(line)) and current:
                kind = BlockKind.LIST_ITEM if _BULLET.match(current[0]) else BlockKind.PARAGRAPH
                blocks.append(Block(kind, _BULLET.sub("", " ".join(current), count=1)))
                current = []
            if line:
                current.append(line)
    return blocks


def read(path: Path, options=None, notes: list[Skipped] | None = None) -> list[Block]:
    """The blocks of a plain-text file."""
    return paragraph_blocks(decode(path))
