"""Document readers: one module per format behind one interface, `read(path) -> list[Block]`.

`read_document` picks the reader by extension, checks that the file is what its extension says, reads it,
and recognises its structure (heading paths, locators). A file that yields no text raises
`UnreadableDocumentError` with the reason and what to do.
"""
from __future__ import annotations

import importlib
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableDocumentError
from ..types import Block, Skipped
from .structure import structure

# Bump when a reader's output changes: every document is then read again at the next build.
READER_VERSION = 12

# extension → (reader module, expected content, format name)
FORMATS: dict[str, tuple[str, str, str]] = {
    ".txt": ("text", "text", "text"),
    ".md": ("markdown", "text", "Markdown"),
    ".markdown": ("markdown", "text", "Markdown"),
    ".html": ("html", "text", "HTML"),
    ".htm": ("html", "text", "HTML"),
    ".pdf": ("pdf", "pdf", "PDF"),
    ".docx": ("docx", "docx", "DOCX"),
    ".hwpx": ("hwpx", "hwpx", "HWPX"),
    ".hwp": ("hwp", "hwp", "HWP"),
}
# Formats with no heading styles: numbered lines ("1.2 Requisiti", "Ⅱ. 사업개요") are taken for headings.
_OUTLINE_FORMATS = {"text", "hwp", "hwpx"}  # PDF headings come from font size and weight
SUPPORTED = ", ".join(sorted({name for _, _, name in FORMATS.values()}))
_CONVERT = f"Save it in a supported format ({SUPPORTED}) and index again."
_CORRUPT = "The file may be damaged or truncated: download or export it again, then index again."
_SNIFF_NAMES = {"pdf": "a PDF", "docx": "a DOCX (Word) file", "hwpx": "an HWPX file", "hwp": "an HWP file",
                "ole": "an old binary Office file (.doc/.xls) or an encrypted Office file", "zip": "a ZIP archive",
                "text": "plain text", "binary": "binary data", "hwp3": "an HWP 3 file, older than HWP 5"}


@dataclass(frozen=True)
class ReadOptions:
    """How to read: whether to OCR image-only PDF pages, and in which languages (Tesseract codes)."""

    ocr: bool = True
    ocr_languages: tuple[str, ...] = ("kor", "ita", "eng")
    ocr_dpi: int = 300


# Tesseract's language data to read a scan in a document's language (English helps with codes and names).
OCR_LANGUAGES: dict[str, tuple[str, ...]] = {"ko": ("kor", "eng"), "it": ("ita", "eng"), "en": ("eng",)}


@dataclass(frozen=True)
class Reading:
    """What reading one file gave: structured blocks, titles found in it, pages skipped, time taken."""

    blocks: tuple[Block, ...]
    title: str = ""  # the document's own title heading, if any
    embedded_title: str = ""  # the title in the file's metadata, if any
    skipped: tuple[Skipped, ...] = ()
    seconds: float = 0.0
    format: str = ""
    ocr_pages: tuple[int, ...] = field(default=())


def unreadable(path: Path, reason: str, hint: str) -> UnreadableDocumentError:
    """The error for a file that yields no text."""
    return UnreadableDocumentError(f"'{path}': {reason}. {hint}", reason=reason, hint=hint)


def sniff(path: Path) -> str:
    """What the file really is, from its first bytes: pdf, docx, hwpx, hwp, hwp3, ole, zip, text or binary."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(b"HWP Document File V"):  # HWP 3 and earlier: not a compound file
        return "hwp3"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "hwp" if _is_hwp(path) else "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if any(re.fullmatch(r"Contents/section\d+\.xml", n) for n in names):
            return "hwpx"
        return "zip"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def _is_hwp(path: Path) -> bool:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("FileHeader") and ole.openstream("FileHeader").read(17) == b"HWP Document File"
    except Exception:  # a damaged compound file raises OSError, ValueError, struct.error…: not an HWP we can read
        return False


def read_document(path: Path, options: ReadOptions | None = None, *, want_embedded_title: bool = False) -> Reading:
    """Read one file into structured blocks; raises UnreadableDocumentError when it yields no text."""
    options = options or ReadOptions()
    started = time.perf_counter()
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise unreadable(path, f"the format {suffix or '(no extension)'} is not supported", _CONVERT)
    module_name, expected, name = FORMATS[suffix]
    if not path.is_file():
        raise unreadable(path, "the file does not exist", "Check the catalog's `file` entry or add the file.")
    if path.stat().st_size == 0:
        raise unreadable(path, "the file is empty", "Replace it with the real document.")
    actual = sniff(path)
    if actual != expected:
        if actual == "hwp3":
            raise unreadable(path, f"it is {_SNIFF_NAMES[actual]}, which no reader here understands",
                             "Open it in Hancom Office and save it as HWPX (or HWP 5), then index again.")
        if actual in ("ole", "zip") and expected in ("docx", "hwpx"):
            raise unreadable(path, f"it is not a readable {name} file (it is {_SNIFF_NAMES[actual]}); it may be "
                                   "encrypted or in an older format", f"Save it as an unprotected {name} and index again.")
        raise unreadable(path, f"the extension says {name} but the file is {_SNIFF_NAMES.get(actual, actual)}",
                         "Rename it with the right extension, or replace it with the real document.")
    module = importlib.import_module(f".{module_name}", __name__)
    notes: list[Skipped] = []
    try:
        blocks = module.read(path, options, notes)
    except UnreadableDocumentError:
        raise
    except Exception as exc:  # each parser raises its own classes (lxml, pdfium, olefile, zipfile): one message for all
        detail = str(exc).strip().rstrip(".")  # the reason is followed by ". "
        raise unreadable(path, f"it cannot be read as {name} ({type(exc).__name__}: {detail})", _CORRUPT) from exc
    result = structure(blocks, outline=module_name in _OUTLINE_FORMATS)
    if not any(b.text for b in result.blocks):
        if notes:  # every page was skipped: say why, with the hint the reader gave
            raise unreadable(path, notes[0].reason, notes[0].hint)
        raise unreadable(path, "no text was found in it", "Check that the file holds text (not only images) and index again.")
    embedded = ""
    if want_embedded_title and hasattr(module, "embedded_title"):
        try:
            embedded = module.embedded_title(path) or ""
        except Exception:  # metadata is optional: a broken field never stops a read
            embedded = ""
    return Reading(
        blocks=result.blocks,
        title=result.title,
        embedded_title=embedded,
        skipped=tuple(notes),
        seconds=time.perf_counter() - started,
        format=module_name,
        ocr_pages=tuple(sorted({b.page for b in result.blocks if b.ocr and b.page})),
    )
