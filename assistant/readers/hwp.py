"""HWP 5 (olefile opens the compound file; the BodyText records are read here, after Hancom's published format,
"HWP 5.0 문서 파일 구조"): paragraphs, tables with merged cells, text boxes, footnotes and memos; page headers and
footers left out. hwp-hwpx-parser gives the same text but drops cell positions, so merged cells shift columns.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..types import Block, BlockKind, Skipped
from .tables import grid_rows, table_blocks

_TAG_BEGIN = 0x10
PARA_HEADER = _TAG_BEGIN + 50
PARA_TEXT = _TAG_BEGIN + 51
CTRL_HEADER = _TAG_BEGIN + 55
LIST_HEADER = _TAG_BEGIN + 56
TABLE = _TAG_BEGIN + 61
MEMO_LIST = _TAG_BEGIN + 77
# Control characters of PARA_TEXT (format §4.3.1): these take 8 code units (the character and 7 of payload).
_EIGHT_UNITS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}
_EXTENDED = {1, 2, 3, 11, 12, 14, 15, 16, 17, 18, 21, 22, 23}  # each refers to the next control of the paragraph
_SKIPPED_CONTROLS = {"head", "foot", "secd", "cold", "pghd", "pgnp", "atno", "nwno", "bokm", "tcps", "eqed", "pgct",
                     "idxm", "tdut"}
_CELL_ADDRESS = 8  # byte offset of the cell address in a table cell's LIST_HEADER (checked on real files)


@dataclass
class _Record:
    tag: int
    level: int
    data: bytes
    children: list["_Record"] = field(default_factory=list)


def parse_records(data: bytes) -> list[_Record]:
    """The record tree of a section stream: each record's children are the deeper-level records after it."""
    roots: list[_Record] = []
    stack: list[_Record] = []
    offset = 0
    while offset + 4 <= len(data):
        (header,) = struct.unpack_from("<I", data, offset)
        offset += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, (header >> 20) & 0xFFF
        if size == 0xFFF:
            (size,) = struct.unpack_from("<I", data, offset)
            offset += 4
        record = _Record(tag, level, data[offset : offset + size])
        offset += size
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(record)
        stack.append(record)
    return roots


def _control_id(record: _Record) -> str:
    return record.data[:4][::-1].decode("latin-1") if len(record.data) >= 4 else ""


def decode_text(data: bytes) -> tuple[str, int]:
    """The text of a PARA_TEXT record and how many extended controls (tables, notes, boxes…) it anchors."""
    units = struct.unpack_from(f"<{len(data) // 2}H", data)
    out: list[str] = []
    controls = 0
    i = 0
    while i < len(units):
        code = units[i]
        if code >= 32:
            out.append(chr(code))
            i += 1
            continue
        if code in _EIGHT_UNITS:
            if code == 9:
                out.append(" ")  # a tab
            if code in _EXTENDED:
                controls += 1
            i += 8
            continue
        if code == 10:
            out.append(" ")
        elif code in (30, 31):
            out.append(" ")  # non-breaking and fixed-width spaces
        elif code == 24:
            out.append("-")
        i += 1
    text = "".join(out)
    return "".join(ch for ch in text if not (0xD800 <= ord(ch) <= 0xDFFF)), controls


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.tables = 0
        self.memo_anchors = 0

    def paragraph(self, record: _Record) -> None:
        text = ""
        for child in record.children:
            if child.tag == PARA_TEXT:
                text = decode_text(child.data)[0]
        if text.strip():
            self.blocks.append(Block(BlockKind.PARAGRAPH, text))
        for child in record.children:
            if child.tag == CTRL_HEADER:
                self.control(child)

    def control(self, record: _Record) -> None:
        kind = _control_id(record)
        if kind in _SKIPPED_CONTROLS:
            return
        if kind == "tbl ":
            self.table(record)
        elif kind in ("fn  ", "en  "):
            note = " ".join(self.plain(p) for p in _paragraphs(record))
            if note.strip():
                number = struct.unpack_from("<I", record.data, 4)[0] if len(record.data) >= 8 else 0
                self.blocks.append(Block(BlockKind.FOOTNOTE, note, label=str(number or "")))
        elif kind == "%%me":
            self.memo_anchors += 1
            self.blocks.append(Block(BlockKind.MEMO, "", label=str(self.memo_anchors)))  # text filled in later
        else:  # drawing objects with text boxes, and anything else that holds paragraphs
            for paragraph in _paragraphs(record):
                self.paragraph(paragraph)

    def plain(self, paragraph: _Record) -> str:
        """A paragraph's text with the text of any table or box inside it (for cells and notes)."""
        parts = [decode_text(c.data)[0] for c in paragraph.children if c.tag == PARA_TEXT]
        for child in paragraph.children:
            if child.tag == CTRL_HEADER and _control_id(child) not in _SKIPPED_CONTROLS:
                parts.extend(self.plain(p) for p in _paragraphs(child))
        return " ".join(p.strip() for p in parts if p.strip())

    def table(self, record: _Record) -> None:
        cells = []
        current: tuple | None = None
        lines: list[str] = []
        for child in record.children:
            if child.tag == LIST_HEADER and len(child.data) >= _CELL_ADDRESS + 8:
                if current is not None:
                    cells.append((*current, "\n".join(lines)))
                col, row, col_span, row_span = struct.unpack_from("<HHHH", child.data, _CELL_ADDRESS)
                current, lines = (row, col, row_span, col_span), []
            elif child.tag == PARA_HEADER and current is not None:
                line = self.plain(child)
                if line:
                    lines.append(line)
        if current is not None:
            cells.append((*current, "\n".join(lines)))
        self.tables += 1
        self.blocks.extend(table_blocks(grid_rows(cells), self.tables))


def _paragraphs(record: _Record) -> list[_Record]:
    """The paragraphs a control holds (its text boxes, note bodies), outermost only."""
    found: list[_Record] = []
    for child in record.children:
        if child.tag == PARA_HEADER:
            found.append(child)
        elif child.tag != CTRL_HEADER:
            found.extend(_paragraphs(child))
    return found


def _memo_texts(walker: _Walker, roots: list[_Record]) -> list[str]:
    memos = []
    for record in roots:
        if record.tag == MEMO_LIST:
            memos.append(" ".join(walker.plain(p) for p in _paragraphs(record)))
    return memos


def read(path: Path, options=None, notes: list[Skipped] | None = None) -> list[Block]:
    """The blocks of every BodyText section of an HWP 5 file, in order."""
    import olefile

    from . import unreadable

    with olefile.OleFileIO(str(path)) as ole:
        header = ole.openstream("FileHeader").read()
        if len(header) < 40 or not header.startswith(b"HWP Document File"):
            raise unreadable(path, "it is not an HWP 5 document (no HWP file header)", "Save it again as HWP or HWPX.")
        (flags,) = struct.unpack_from("<I", header, 36)
        if flags & 0x02:
            raise unreadable(path, "it is encrypted (password-protected)",
                             "Save it without a password in Hancom Office, then index again.")
        if flags & 0x04:
            raise unreadable(path, "it is a distribution-only HWP (배포용 문서) whose text is encrypted",
                             "Ask the publisher for an ordinary HWP, HWPX or PDF copy.")
        compressed = bool(flags & 0x01)
        sections = sorted((entry for entry in ole.listdir() if len(entry) == 2 and entry[0] == "BodyText"
                           and entry[1].startswith("Section")), key=lambda e: int(e[1][7:] or 0))
        walker = _Walker()
        memos: list[str] = []
        for entry in sections:
            raw = ole.openstream("/".join(entry)).read()
            data = zlib.decompress(raw, -15) if compressed else raw
            roots = parse_records(data)
            for record in roots:
                if record.tag == PARA_HEADER:
                    walker.paragraph(record)
            memos.extend(_memo_texts(walker, roots))
    blocks = []
    memo_iter = iter(memos)
    for block in walker.blocks:
        if block.kind is BlockKind.MEMO:
            text = next(memo_iter, "")
            if text:
                blocks.append(Block(BlockKind.MEMO, text, label=block.label))
        else:
            blocks.append(block)
    blocks.extend(Block(BlockKind.MEMO, text, label=str(walker.memo_anchors + i)) for i, text in enumerate(memo_iter, 1))
    return blocks


def embedded_title(path: Path) -> str:
    """The Title of the HWP summary information stream."""
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        if not ole.exists("\x05HwpSummaryInformation"):
            return ""
        properties = ole.getproperties("\x05HwpSummaryInformation", convert_time=True)
    title = properties.get(2, "")  # PIDSI_TITLE
    if isinstance(title, bytes):
        title = title.decode("utf-16-le", errors="ignore")
    return str(title).split("\x00", 1)[0].strip()
