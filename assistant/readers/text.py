"""Plain text: paragraphs between blank lines (or one per line when there are none); bullets are list items. Text
extracted from a PDF is read across its pages (page numbers, running headers and footnotes put aside) and its
hard-wrapped lines are cut where paragraphs end."""
from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

from ..types import Block, BlockKind, Skipped
from .structure import ENDS_WITH_STOP, law_heading, outline_level, page_number_line, run_on

_BULLETS = "-–−•*·◦○❍▪▶►"
_BULLET = re.compile(rf"^\s*[{_BULLETS}]\s+")
_CLOSED = re.compile(r"[.:;,!?。]$")  # a line that closes its sentence or clause
_ITEM_START = re.compile(rf"^(?:\(?[a-z]{{1,3}}\)|\(?\d{{1,2}}[.)]|[가-하][.)]|[{_BULLETS}※])\s")  # "a) ", "2. ", "가. ", "– "
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
    if not (0 < len(line) <= 80 and not _CLOSED.search(line)):
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


# Text extracted from a PDF: its footnotes, its page numbers ("12", "- 3 -", "pag. 4 di 20" beside a blank line) and
# running headers or footers (a short line said word for word on many pages).
_NOTE_START = re.compile(r"^\d{1,3}\s+(?:[A-Z“\"'«(]|https?://|www\.)")  # "3 Vedi l’allegato…", "12 https://…"
NOTE_REACH = 12  # lines at a page's foot searched for its footnotes
MIN_PAGE_NUMBERS = 3  # lines read as page numbers only when a text has this many, mostly going up
PAGES_RISING = 0.75
RUNNING_REPEATS = 4  # times a short line recurs word for word before it is taken for a running header or footer
MAX_RUNNING_CHARS = 100
# A hard-wrapped paragraph's last line is short: a line ending with a stop and shorter than this share of the
# block's usual width ends a paragraph.
SHORT_LINE_SHARE = 0.85


def _pages(text: str) -> list[list[str]]:
    """The text's pages, as lines, when it marks them: cut at form feeds and at page furniture (page numbers beside
    a blank line, when there are several and they mostly go up; a running header or footer: a short line said word
    for word on many pages), which is left out. A text with no such marks is one page."""
    lines = text.replace("\f", "\n\f\n").split("\n")
    stripped = [line.strip() for line in lines]
    counts = Counter(line for line in stripped if line)
    running = {line for line, n in counts.items()
               if n >= RUNNING_REPEATS and len(line) <= MAX_RUNNING_CHARS and any(ch.isalpha() for ch in line)
               and law_heading(line) is None and outline_level(line) is None and not _BULLET.match(line)}

    def beside_a_break(i: int) -> bool:
        return any(not stripped[j] or stripped[j] in running for j in (i - 1, i + 1) if 0 <= j < len(lines))

    numbered = [i for i, line in enumerate(stripped) if line and page_number_line(line) and beside_a_break(i)]
    values = [int(found.group(0)) for i in numbered if (found := re.search(r"\d+", stripped[i]))]
    rising = sum(b > a for a, b in zip(values, values[1:]))
    paged = len(values) >= MIN_PAGE_NUMBERS and rising >= PAGES_RISING * (len(values) - 1)
    marks = [line == "\f" or stripped[i] in running for i, line in enumerate(lines)]
    for i in numbered if paged else ():
        marks[i] = True
    pages: list[list[str]] = [[]]
    for i, line in enumerate(lines):
        if marks[i]:
            if any(line.strip() for line in pages[-1]):
                pages.append([])
            continue
        pages[-1].append(line)
    return [page for page in pages if any(line.strip() for line in page)] or [[]]


def _footnotes(page: list[str]) -> tuple[list[str], list[str]]:
    """A page's body and the footnotes at its foot: from a line that starts with a note's number ("3 Vedi l’allegato…",
    "12 https://…") after a blank line or a closed sentence, among the page's last `NOTE_REACH` lines."""
    filled = [i for i, line in enumerate(page) if line.strip()]
    for i in filled[-NOTE_REACH:]:
        before = page[i - 1].strip() if i > 0 else ""
        if _NOTE_START.match(page[i].strip()) and (not before or ENDS_WITH_STOP.search(before)):
            return page[:i], page[i:]
    return page, []


def _across_pages(text: str) -> str:
    """The text read across its pages: page numbers and running headers left out; a sentence that runs on over a
    page break joined (the next page goes on with a lower-case word after no stop), otherwise a paragraph break;
    a page's footnotes moved after the sentence that goes on over the break, each a paragraph of its own."""
    pages = _pages(text)
    out: list[str] = []
    notes: list[str] = []
    for page in pages:
        body, foot = _footnotes(page) if len(pages) > 1 else (page, [])
        while body and not body[0].strip():
            body = body[1:]
        while body and not body[-1].strip():
            body = body[:-1]
        last = out[-1].strip() if out else ""
        runs_on = bool(last and body) and not ENDS_WITH_STOP.search(last) and body[0].strip()[:1].islower()
        if runs_on:  # the notes wait for the end of the sentence that runs on
            at = next((i + 1 for i, line in enumerate(body) if ENDS_WITH_STOP.search(line.strip())), None)
        else:
            at = 0
            if out:
                out.append("")
        if at is None:
            out.extend(body)
        else:
            out.extend(body[:at])
            out.extend(line for note in notes for line in ("", note))
            if notes:
                out.append("")
                notes = []
            out.extend(body[at:])
        notes += _note_paragraphs(foot)
    out.extend(line for note in notes for line in ("", note))
    return "\n".join(out)


def _note_paragraphs(lines: list[str]) -> list[str]:
    """Footnote lines as one text per note (a note starts with its number)."""
    notes: list[str] = []
    for line in (line.strip() for line in lines if line.strip()):
        if _NOTE_START.match(line) or not notes:
            notes.append(line)
        else:
            notes[-1] = f"{notes[-1]}\n{line}"
    return notes


def _paragraphs_of(lines: list[str]) -> list[list[str]]:
    """A block of hard-wrapped lines cut into its paragraphs, as text extracted from a PDF runs them together:
    after a short line that ends with a stop, and around a short line without a stop that stands between a
    paragraph's end and a line that starts anew (a heading)."""
    if len(lines) < 3:
        return [lines]
    widths = sorted(len(line) for line in lines)
    width = widths[int(0.9 * (len(widths) - 1))]
    if width < 40:
        return [lines]
    out: list[list[str]] = [[]]
    for i, line in enumerate(lines):
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if out[-1] and _ITEM_START.match(line) and ENDS_WITH_STOP.search(out[-1][-1]):
            out.append([])  # "…le imprese devono:" / "a) avere sede…;" / "b) …"
        title = not out[-1] and after and not _CLOSED.search(line) and len(line) < TITLE_SHARE * width \
            and not after[:1].islower() and not _BULLET.match(line)
        out[-1].append(line)
        if title or (ENDS_WITH_STOP.search(line) and len(line) < SHORT_LINE_SHARE * width):
            out.append([])
    return [piece for piece in out if piece]


def paragraph_blocks(text: str) -> list[Block]:
    """Blocks of plain text: blank-line paragraphs (wrapped lines joined; a short first line without closing
    punctuation over lines that start anew is a heading line of its own; bulleted lines are list items), or lines
    when there is no blank line (a line going on with a lower-case word after one without a stop joined to it).
    Page numbers and running headers are left out, and a block of hard-wrapped lines is cut where its paragraphs
    end (text extracted from a PDF)."""
    text = _across_pages(text)
    pieces = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else _running_on(text.split("\n"))
    blocks = []
    for lines in (paragraph for piece in pieces
                  for paragraph in _paragraphs_of([line.strip() for line in piece.split("\n") if line.strip()])):
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
