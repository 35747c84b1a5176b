"""Tables to blocks, shared by the readers: each row keeps its column headers; boxes become paragraphs."""
from __future__ import annotations

from ..types import Block, BlockKind
from .structure import clean_text

MAX_HEADER_CHARS = 40
MIN_DATA_DIGITS = 7


def _looks_like_header(row: list[str]) -> bool:
    filled = [c for c in row if c]
    if len(filled) < max(2, len(row) // 2):
        return False
    if any(sum(ch.isdigit() for ch in c) >= MIN_DATA_DIGITS for c in filled):
        return False  # a telephone number, an account or a full amount is data, not a column's name
    numeric = sum(any(ch.isdigit() for ch in c) and len(c) < 12 for c in filled)
    return all(len(c) <= MAX_HEADER_CHARS for c in filled) and numeric <= len(filled) // 3


def _dedupe_spans(cells: list[str]) -> list[str]:
    """A cell spread over several columns appears once."""
    out: list[str] = []
    for cell in cells:
        if not out or cell != out[-1]:
            out.append(cell)
    return out


def row_text(cells: tuple[str, ...], header: tuple[str, ...]) -> str:
    """'header: cell | header: cell'; a cell equal to its header, or with no header, stands alone."""
    parts = []
    for i, cell in enumerate(cells):
        if not cell:
            continue
        head = header[i] if i < len(header) else ""
        parts.append(f"{head}: {cell}" if head and head != cell else cell)
    return " | ".join(_dedupe_spans(parts))


def table_blocks(rows: list[list[str]], table: int, page: int | None = None) -> list[Block]:
    """Blocks for one table given as rows of cell texts (spanned cells repeated in every row/column they cover).

    A one-column table is a box of paragraphs (a common layout in Korean documents); a one-row table is a
    line of text; otherwise each row is a TABLE_ROW whose text names its column headers, and a two-column
    table of short labels and longer values is read as "label: value".
    """
    rows = [["\n".join(clean_text(line) for line in c.split("\n") if line.strip()) if c else "" for c in row]
            for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    keep = [j for j in range(width) if any(r[j] for r in rows)]
    rows = [[r[j] for j in keep] for r in rows]
    width = len(keep)
    if width == 1 or len({c for r in rows for c in r if c}) == 1:
        lines = _dedupe_spans([line for r in rows for c in _dedupe_spans(r) if c for line in c.split("\n") if line.strip()])
        return [Block(BlockKind.PARAGRAPH, line, page=page) for line in lines]
    if len(rows) == 1:
        return [Block(BlockKind.PARAGRAPH, " ".join(_dedupe_spans([c for c in rows[0] if c])), page=page)]
    labels = [r[0] for r in rows]
    values = [r[1] for r in rows]
    key_value = width == 2 and all(len(k) <= MAX_HEADER_CHARS for k in labels) and \
        sum(map(len, values)) > 1.5 * sum(map(len, labels))
    header: tuple[str, ...] = ()
    body = rows
    if not key_value and _looks_like_header(rows[0]):
        header = tuple(c.replace("\n", " ") for c in rows[0])
        body = rows[1:]
    blocks = []
    for r in body:
        cells = tuple(c.replace("\n", " ") for c in r)
        text = f"{cells[0]}: {cells[1]}" if key_value and cells[0] and cells[1] else row_text(cells, header)
        if text:
            blocks.append(Block(BlockKind.TABLE_ROW, text, page=page, cells=cells, header=header, table=table))
    return blocks


def grid_rows(cells: list[tuple[int, int, int, int, str]]) -> list[list[str]]:
    """Rows of a table given its cells as (row, column, row span, column span, text): a spanned cell's text fills
    every position it covers."""
    grid: dict[tuple[int, int], str] = {}
    for row, col, row_span, col_span, text in cells:
        for r in range(row, row + max(1, min(row_span, 500))):
            for c in range(col, col + max(1, min(col_span, 50))):
                grid.setdefault((r, c), text)
    if not grid:
        return []
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]
