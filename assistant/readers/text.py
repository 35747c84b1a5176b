"""Plain text: paragraphs between blank lines (or one per line when there are none); bullets are list items."""
from __future__ import annotations

import functools
import re
from pathlib import Path

from ..types import Block, BlockKind, Skipped
from .structure import ENDS_WITH_STOP, run_on

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


TITLE_SHARE = 0.75  # a heading line is shorter than this share of the lines under it; a wrapped line is not


def _title_line(line: str, rest: list[str]) -> bool:
    """A short first line with no closing punctuation, over lines that start anew: a heading. Text wrapped at a
    fixed width (as PDF-to-text tools write it) has first lines as long as the others, and a line that goes on
    with a lower-case word: "… to the regional office before" / "the end of March …" is one sentence."""
    line = line.strip()
    if not (0 < len(line) <= 80 and not re.search(r"[.:;,!?。]$", line)):
        return False
    if rest and rest[0][:1].islower():
        return False
    return len(line) < TITLE_SHARE * max((len(other) for other in rest), default=0)


def _unwrap(lines: list[str]) -> str:
    """Lines of one paragraph as one text; a word cut by a hyphen at a line's end is joined ("regio-" "nale")."""
    return functools.reduce(run_on, lines)


def _running_on(lines: list[str]) -> list[str]:
    """Lines of a text with no blank line, each a paragraph, but a line that ends without a stop and is followed by
    one that starts with a lower-case word goes on with it (text extracted from a PDF, wrapped, with no blank line
    between paragraphs)."""
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip() and line.strip()[:1].islower() and not ENDS_WITH_STOP.search(out[-1].rstrip()) \
                and not _BULLET.match(line):
            out[-1] = f"{out[-1]}\n{line}"  # one piece: `_unwrap` joins its lines
        else:
            out.append(line)
    return out


def paragraph_blocks(text: str) -> list[Block]:
    """Blocks of plain text: blank-line paragraphs (wrapped lines joined; a short first line without closing
    punctuation over lines that start anew is a heading line of its own; bulleted lines are list items), or lines
    when there is no blank line (a line going on with a lower-case word after one without a stop joined to it)."""
    pieces = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else _running_on(text.split("\n"))
    blocks = []
    for piece in pieces:
        lines = [line.strip() for line in piece.split("\n") if line.strip()]
        if len(lines) > 1 and _title_line(lines[0], lines[1:]) and not _BULLET.match(lines[0]):
            blocks.append(Block(BlockKind.PARAGRAPH, lines.pop(0)))
        current: list[str] = []
        for line in lines + [""]:
            if (not line or _BULLET.match(line)) and current:
                kind = BlockKind.LIST_ITEM if _BULLET.match(current[0]) else BlockKind.PARAGRAPH
                blocks.append(Block(kind, _BULLET.sub("", _unwrap(current), count=1)))
                current = []
            if line:
                current.append(line)
    return blocks


def read(path: Path, options=None, notes: list[Skipped] | None = None) -> list[Block]:
    """The blocks of a plain-text file."""
    return paragraph_blocks(decode(path))
