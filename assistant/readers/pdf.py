"""PDF (pypdfium2): lines with their font size, weight and position become headings, paragraphs and list items;
running headers, footers and page numbers are dropped; image-only pages are read by Tesseract when it is installed.
"""
from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..types import Block, BlockKind, Skipped
from .structure import ENDS_WITH_STOP, page_number_line, run_on

_LIST_MARK = re.compile(r"^(?:[-•▪●○◦–❍□■➢►✓]|\(?[a-zA-Z0-9]{1,2}[.)]|\d{1,2}\.\d{1,2}\.?|[가-하][.)])\s")
_BULLETS = "-•▪●○◦–❍□■➢►✓"
_FOOTNOTE = re.compile(r"^(\d{1,3}|\*)\s+(?=\S)")  # "1 https://…" in small type at the foot of a page
_DIGITS = re.compile(r"\d+")
MIN_TEXT_CHARS = 20  # a page with fewer characters than this is taken for a scan
HEADING_SIZE_RATIO = 1.15  # a line this much larger than the body text is a heading
RUNNING_SHARE = 0.4
MARGIN_SHARE = 0.12  # the top and bottom 12 % of a page: running headers, footers (of a few lines), page numbers
BOLD_HEADING_LEVEL = 5  # a short bold line of body size: below every heading set in a larger size  # a top or bottom line repeated on this share of pages is a running header or footer


@dataclass
class _Line:
    text: str
    size: float
    bold: bool
    top: float
    bottom: float
    left: float
    page: int
    in_margin: bool = False


def _page_lines(textpage, number: int, height: float) -> list[_Line]:
    """The page's text lines, each with the size and weight of its first letter and where it starts and ends.

    The size is the height of the letter's box: some PDFs scale unit-size fonts by their text matrix, and the
    nominal font size then says 1.0 for every line.
    """
    import pypdfium2.raw as pdfium_c

    text = textpage.get_text_range()
    lines = []
    offset = 0
    for raw in text.split("\r\n"):
        stripped = raw.strip()
        if stripped:
            # The first letter or digit: a bullet is often set in another font.
            first = offset + next((i for i, ch in enumerate(raw) if ch.isalnum()), len(raw) - len(raw.lstrip()))
            last = offset + len(raw.rstrip()) - 1
            left, _, _, top = textpage.get_charbox(first)
            _, bottom, _, _ = textpage.get_charbox(last)  # pdfium joins hyphenated lines: this is where it ends
            low, high = textpage.get_charbox(first, loose=True)[1::2]
            size = high - low or pdfium_c.FPDFText_GetFontSize(textpage.raw, first)
            weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, first)
            clean = stripped.replace("\ufffe", "").replace("\u00ad", "").replace("\x02", "")
            margin = top > (1 - MARGIN_SHARE) * height or bottom < MARGIN_SHARE * height
            lines.append(_Line(clean, round(size * 2) / 2, weight >= 600, top, bottom, left, number, margin))
        offset += len(raw) + 2
    return lines


def _running_lines(pages: list[list[_Line]]) -> set[str]:
    """Lines at the top or bottom of many pages (digits ignored): running headers and footers."""
    counts: Counter[str] = Counter()
    for lines in pages:
        ends = {_DIGITS.sub("#", line.text) for line in lines[:3] + lines[-3:] + [l for l in lines if l.in_margin]}
        counts.update(ends)
    threshold = max(2, RUNNING_SHARE * len(pages))
    return {text for text, count in counts.items() if count >= threshold}


def _body_size(pages: list[list[_Line]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _heading_sizes(pages: list[list[_Line]], body: float) -> tuple[dict[float, int], float]:
    """Heading levels by font size, and the size of the cover's title.

    Sizes larger than the body text and used on several pages rank into levels 2-4. A larger size used on one
    page only ("INDICE", a cover line) is not a level of its own: it sits at the top section level, beside the
    sections rather than above them. The largest size found on the first page only is the title (level 1).
    """
    if not body:
        return {}, -1.0
    pages_of: dict[float, set[int]] = {}
    for lines in pages:
        for line in lines:
            if line.size >= HEADING_SIZE_RATIO * body:
                pages_of.setdefault(line.size, set()).add(line.page)
    several = sorted((size for size, where in pages_of.items() if len(where) > 1), reverse=True)
    levels = {size: min(level, 4) for level, size in enumerate(several, 2)}
    cover = [size for size, where in pages_of.items() if where == {1}]
    title = max(cover, default=-1.0)
    levels.update({size: 2 for size, where in pages_of.items() if len(where) == 1 and size != title})
    return levels, title


def _blocks_of_page(lines: list[_Line], body: float, heading_levels: dict[float, int], title_size: float) -> list[Block]:
    gaps = [a.bottom - b.top for a, b in zip(lines, lines[1:]) if 0 < a.bottom - b.top < 3 * max(a.size, 1)]
    spacing = statistics.median(gaps) if gaps else 0.0
    blocks: list[Block] = []
    current: list[_Line] = []

    def flush() -> None:
        if not current:
            return
        first = current[0]
        text = " ".join(line.text for line in current)
        text = re.sub(r"(\w)- (\w)", lambda m: m.group(1) + m.group(2) if m.group(2).islower() else m.group(0), text)
        if first.size == title_size:
            blocks.append(Block(BlockKind.HEADING, text, level=1, page=first.page))
        elif first.size in heading_levels:
            blocks.append(Block(BlockKind.HEADING, text, level=heading_levels[first.size], page=first.page))
        elif all(line.bold for line in current) and len(text) <= 120 and not ENDS_WITH_STOP.search(text):
            blocks.append(Block(BlockKind.HEADING, text, level=BOLD_HEADING_LEVEL, page=first.page))
        elif first.size <= body - 1.5 and (note := _FOOTNOTE.match(text)):
            blocks.append(Block(BlockKind.FOOTNOTE, text[note.end():], page=first.page, label=note.group(1)))
        elif _LIST_MARK.match(text):
            bullet = text[0] in _BULLETS
            blocks.append(Block(BlockKind.LIST_ITEM, _LIST_MARK.sub("", text, count=1) if bullet else text, page=first.page))
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, text, page=first.page))
        current.clear()

    for line in lines:
        if current:
            previous = current[-1]
            gap = previous.bottom - line.top
            wide_gap = bool(spacing) and gap > 1.45 * spacing
            ended = bool(ENDS_WITH_STOP.search(previous.text))
            new_block = (
                _LIST_MARK.match(line.text) is not None
                or abs(line.size - previous.size) >= 1.0
                or wide_gap
                or gap < -previous.size  # the text moved up: a new column or a box
                or (line.bold != previous.bold and (ended or (spacing and gap > 1.2 * spacing) or
                                                     all(l.bold for l in current)))
                or (ended and line.left < previous.left - 8)
            )
            if new_block:
                flush()
        current.append(line)
    flush()
    return blocks


_CONTINUES = re.compile(r"[a-zà-ÿ][a-zà-ÿ’'.,;:)]*\s+\S|[a-zà-ÿ]{2,}\W*$")  # a lower-case word: not a page's "vii"
_ROMAN_NUMBER = re.compile(r"^[ivxlc]+\.?$")
_RUNNING_ON = (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM)


def join_continuations(blocks: list[Block]) -> list[Block]:
    """A paragraph that a page break, a footnote or a wider line gap cut in two, read as one: a paragraph or item
    that ends without a stop, followed (past the page's footnotes) by a paragraph that starts with a lower-case
    word, is the same sentence going on ("… entro il termine" + "fissato dall'avviso.")."""
    out: list[Block] = []
    notes: list[Block] = []  # footnotes between the two halves keep their place after the joined paragraph
    for block in blocks:
        if block.kind is BlockKind.FOOTNOTE and out and (notes or out[-1].kind in _RUNNING_ON):
            notes.append(block)
        elif notes and _runs_on(notes[-1], block):  # a footnote's own next line
            notes[-1] = _joined(notes[-1], block)
        elif out and out[-1].kind in _RUNNING_ON and _runs_on(out[-1], block):
            out[-1] = _joined(out[-1], block)
        else:
            out.extend(notes)
            notes.clear()
            out.append(block)
    out.extend(notes)
    return out


def _runs_on(previous: Block, block: Block) -> bool:
    """Whether a paragraph goes on with the sentence a block left without a stop."""
    return (block.kind is BlockKind.PARAGRAPH and not ENDS_WITH_STOP.search(previous.text.rstrip())
            and _CONTINUES.match(block.text) is not None and not _ROMAN_NUMBER.match(block.text.strip()))


def _joined(previous: Block, block: Block) -> Block:
    return replace(previous, text=run_on(previous.text, block.text))


def _ocr_page(page, number: int, langs: str, dpi: int) -> list[Block]:
    """Tesseract over a rendered page: one paragraph per blank-line block of its output."""
    import io
    import os

    image = page.render(scale=dpi / 72).to_pil()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    # One OpenMP thread: on 2 cores Tesseract's threads cost more than they give (2.9 s a page against 6.1 s).
    result = subprocess.run(["tesseract", "stdin", "stdout", "-l", langs, "--psm", "3"], input=buffer.getvalue(),
                            capture_output=True, timeout=300, check=False, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    text = result.stdout.decode("utf-8", errors="replace")
    blocks = []
    for piece in re.split(r"\n\s*\n", text):
        piece = " ".join(piece.split())
        if _legible(piece):
            kind = BlockKind.LIST_ITEM if _LIST_MARK.match(piece) else BlockKind.PARAGRAPH
            blocks.append(Block(kind, piece, page=number, ocr=True))
    return blocks


def _has_image(page) -> bool:
    import pypdfium2.raw as pdfium_c

    return next(iter(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)), None) is not None


def _legible(text: str) -> bool:
    """OCR output worth keeping: mostly letters and digits, not specks read as "% *4y ™"."""
    visible = [ch for ch in text if not ch.isspace()]
    return len(visible) >= 8 and sum(ch.isalnum() for ch in visible) >= 0.75 * len(visible)


def _tesseract_languages() -> set[str]:
    result = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=30, check=False)
    return set(result.stdout.decode(errors="replace").split()[1:]) if result.returncode == 0 else set()


def tesseract_available() -> bool:
    """Is the `tesseract` command installed?"""
    return shutil.which("tesseract") is not None


def read(path: Path, options=None, notes: list[Skipped] | None = None) -> list[Block]:
    """The blocks of a PDF; image-only pages are OCR'd when Tesseract is installed, otherwise noted as skipped."""
    import pypdfium2 as pdfium

    from . import ReadOptions, unreadable

    options = options or ReadOptions()
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise unreadable(path, "it is encrypted (password-protected)",
                             "Ask the publisher for an unprotected copy, or remove the password, and index again.") from exc
        raise
    pages: list[list[_Line]] = []
    scanned: list[int] = []
    try:
        for number in range(1, len(document) + 1):
            page = document[number - 1]
            lines = _page_lines(page.get_textpage(), number, page.get_height())
            if sum(len(line.text) for line in lines) < MIN_TEXT_CHARS:
                if _has_image(page):
                    scanned.append(number)  # a scan; a page with neither text nor image is blank
                lines = []
            pages.append(lines)

        running = _running_lines([p for p in pages if p])
        body = _body_size(pages)
        heading_levels, title_size = _heading_sizes(pages, body)
        blocks: list[Block] = []
        ocr_ready = options.ocr and tesseract_available()
        if scanned and ocr_ready:
            installed = _tesseract_languages()
            langs = "+".join(code for code in options.ocr_languages if code in installed) or "eng"
        for number, lines in enumerate(pages, 1):
            if number in scanned:
                if ocr_ready:
                    blocks.extend(_ocr_page(document[number - 1], number, langs, options.ocr_dpi))
                continue
            kept = [l for i, l in enumerate(lines)
                    if not ((l.in_margin or i < 3 or i >= len(lines) - 3)
                            and (_DIGITS.sub("#", l.text) in running or page_number_line(l.text, len(pages))))]
            blocks.extend(_blocks_of_page(kept, body, heading_levels, title_size if number == 1 else -1.0))
    finally:
        document.close()
    blocks = join_continuations(blocks)
    if scanned and not ocr_ready and notes is not None:
        notes.append(Skipped(str(path), f"{len(scanned)} page(s) are scanned images with no text layer",
                             "Install tesseract-ocr (Debian: apt-get install tesseract-ocr tesseract-ocr-kor "
                             "tesseract-ocr-ita) to read scanned pages, then index again", tuple(scanned)))
    return blocks


def embedded_title(path: Path) -> str:
    """The Title field of the PDF's metadata (often wrong: check it against the text before trusting it)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return (document.get_metadata_dict().get("Title") or "").strip()
    finally:
        document.close()
