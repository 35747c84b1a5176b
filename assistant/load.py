"""The corpus: catalog entries, files the catalog does not list, and reading each file into a Document."""
from __future__ import annotations

import json
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from .eligibility.records import PROGRAMMES
from .errors import AssistantError, UnreadableDocumentError
from .readers import FORMATS, OCR_LANGUAGES, Reading, ReadOptions, read_document
from .types import Document, Language, Skipped

CATALOG = "catalog.toml"
_REQUIRED = ("id", "file", "title", "language")
# Files in a corpus folder that are not documents: the catalog, notes about the folder, hidden files.
_NOT_DOCUMENTS = re.compile(r"^(?:\.|_|catalog\.|(?:readme|license|licence|notice|changelog|copying)(?:\.(?:md|txt|rst))?$)",
                            re.IGNORECASE)


@dataclass(frozen=True)
class Corpus:
    """What a corpus folder holds: its documents (not yet read), files it cannot use, and warnings."""

    folder: Path
    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()


def load_catalog(corpus: Path) -> list[dict]:
    """The catalog's [[document]] entries, checked for required fields, known languages and unique ids."""
    path = corpus / CATALOG
    if not path.is_file():
        raise UnreadableDocumentError(
            f"no catalog at '{path}'. Create it with one [[document]] entry per file (see README, 'Corpus'), "
            "or write stubs with: policy-assistant catalog --write"
        )
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("document", [])
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UnreadableDocumentError(f"cannot parse '{path}': {exc}. Fix the file and run the command again.") from exc
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        missing = [key for key in _REQUIRED if not entry.get(key)]
        if missing:
            raise UnreadableDocumentError(f"'{path}': document #{number} lacks {', '.join(missing)}.")
        if entry["id"] in seen:
            raise UnreadableDocumentError(f"'{path}': document id {entry['id']!r} appears twice; ids must be unique.")
        if entry["language"] not in {lang.value for lang in Language}:
            raise UnreadableDocumentError(
                f"'{path}': document {entry['id']!r} has language {entry['language']!r}; use it, ko or en."
            )
        seen.add(entry["id"])
    for entry in entries:
        original = entry.get("translation_of")
        if original and original not in seen:
            raise UnreadableDocumentError(
                f"'{path}': {entry['id']!r} is a translation_of {original!r}, which the catalog does not list."
            )
    return entries


def corpus_entries(corpus: Path) -> list[Path]:
    """Every entry of the corpus folder and of its subfolders that could be a document, by path: not the catalog,
    notes or hidden files, not hidden or `_` folders, not the programme records. Links are followed to files
    (a link that leads nowhere is listed, to be named), never into folders (no loops)."""
    found = []
    for folder, subfolders, files in os.walk(corpus):
        here = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if not _NOT_DOCUMENTS.match(d)
                               and not (here == corpus and d == PROGRAMMES))
        found += [here / name for name in files if not _NOT_DOCUMENTS.match(name)]
    return sorted(found, key=lambda path: path.relative_to(corpus).as_posix())


def document_id(file: str) -> str:
    """A stable id from a file name: lower case, letters, digits and hyphens."""
    stem = unicodedata.normalize("NFKC", Path(file).stem).casefold()
    slug = re.sub(r"[^\w]+", "-", stem).strip("-")
    return slug or "document"


def discover(corpus: Path) -> Corpus:
    """The catalog's documents, then every other readable-looking file in the folder (metadata to be read from it)."""
    if not corpus.is_dir():
        raise UnreadableDocumentError(f"no corpus folder at '{corpus}'. Create it, or give --corpus FOLDER.")
    warnings: list[str] = []
    try:
        entries = load_catalog(corpus)
    except UnreadableDocumentError:
        if (corpus / CATALOG).is_file():
            raise
        entries = []
        warnings.append(f"no {CATALOG} in '{corpus}': titles and languages are read from the files. "
                        "Write a catalog with: policy-assistant catalog --write")
    documents = []
    skipped = []
    listed = set()
    for entry in entries:
        listed.add(entry["file"])
        path = corpus / entry["file"]
        if not path.is_file():
            skipped.append(Skipped(str(path), "the catalog lists it but the file does not exist",
                                   f"Add the file, or remove the entry {entry['id']!r} from {CATALOG}"))
            continue
        documents.append(Document(
            doc_id=entry["id"], title=entry["title"], language=Language(entry["language"]), source=str(path),
            issuer=str(entry.get("issuer", "")), date=str(entry.get("date", "")), licence=str(entry.get("licence", "")),
            translation_of=entry.get("translation_of"), file=entry["file"],
        ))
    taken = {d.doc_id for d in documents}
    for path in corpus_entries(corpus):
        file = path.relative_to(corpus).as_posix()  # "decree.pdf", or "2025/decree.pdf" in a subfolder
        if file in listed:
            continue
        if not path.is_file():
            skipped.append(Skipped(str(path), "it is a link to a file that does not exist (or cannot be reached)",
                                   "Point the link at the document, or remove it from the corpus"))
            continue
        if path.suffix.lower() not in FORMATS:
            skipped.append(Skipped(str(path), f"the format {path.suffix or '(no extension)'} is not supported",
                                   "Save it as PDF, DOCX, HWPX, HWP, HTML, Markdown or text, or move it out of the corpus"))
            continue
        doc_id = document_id(path.name)
        while doc_id in taken:
            doc_id += "-2"
        taken.add(doc_id)
        warnings.append(f"'{path}' is not in {CATALOG}: indexed as {doc_id!r} with its title and language read "
                        "from the file. Add it with: policy-assistant catalog --write")
        documents.append(Document(doc_id=doc_id, title="", language=Language.EN, source=str(path), file=file,
                                  catalogued=False))
    return Corpus(corpus, tuple(documents), tuple(skipped), tuple(warnings))


def read_options(document: Document, ocr: bool = True) -> ReadOptions:
    """OCR in the document's language when the catalog gives it; in all three otherwise."""
    languages = OCR_LANGUAGES[document.language.value] if document.catalogued else ("kor", "ita", "eng")
    return ReadOptions(ocr=ocr, ocr_languages=languages)


def _trustworthy_title(title: str, text: str) -> bool:
    """An embedded title is used only if most of its words occur in the document's opening text: PDF and HWPX
    metadata often carry a template's or a previous document's title."""
    words = [w for w in re.findall(r"\w+", title.casefold()) if len(w) > 1 and not w.isdigit()]
    if not words or len(title) < 4:
        return False
    opening = text.casefold()
    return sum(w in opening for w in words) >= 0.6 * len(words)


def detect_document_language(text: str) -> Language:
    """The language of a document's text, or UnreadableDocumentError when it is none of it, ko, en."""
    from .language import detect_language

    sample = " ".join(text.split())[:3000]
    try:
        return detect_language(sample)
    except AssistantError as exc:
        raise UnreadableDocumentError(str(exc), reason="its text is not in Italian, Korean or English",
                                      hint="List it in the catalog with its language if it is one of them") from exc


def read_corpus_document(document: Document, ocr: bool = True) -> tuple[Document, Reading]:
    """Read a document's file into blocks; an uncatalogued one gets its title and language from the file.

    Title: the embedded title when the text bears it out, else the document's title heading, else its first
    heading, else the file name.
    """
    reading = read_document(Path(document.source), read_options(document, ocr), want_embedded_title=not document.catalogued)
    if document.catalogued:
        return replace(document, blocks=reading.blocks), reading
    opening = " ".join(b.text for b in reading.blocks[:60])
    first_heading = next((b.text for b in reading.blocks if b.kind.value == "heading"), "")
    title = next((t for t in (reading.embedded_title if _trustworthy_title(reading.embedded_title, opening) else "",
                              reading.title, first_heading) if t), Path(document.file).stem)
    language = detect_document_language(" ".join(b.text for b in reading.blocks[:200]))
    return replace(document, title=title[:200], language=language, blocks=reading.blocks), reading


def load_documents(corpus: Path, ocr: bool = True) -> list[Document]:
    """Every readable document of a corpus, read; unreadable ones are left out (see `discover` and the index
    summary for why). For tests and tools; `policy-assistant index` reads through the index builder."""
    documents = []
    for document in discover(corpus).documents:
        try:
            documents.append(read_corpus_document(document, ocr)[0])
        except UnreadableDocumentError:
            continue
    return documents


def catalog_stub(document: Document) -> str:
    """A [[document]] entry for a file the catalog does not list, to be checked by a person."""
    fields = {"id": document.doc_id, "file": document.file, "title": document.title,
              "language": document.language.value, "issuer": "", "date": "", "source": "", "licence": ""}
    lines = "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in fields.items())
    return ("\n# Added by `policy-assistant catalog --write` from the file itself: check the title and language, and\n"
            "# fill in issuer, date, source and licence.\n[[document]]\n" + lines)


def missing_from_catalog(corpus: Path) -> list[Document]:
    """The corpus files the catalog does not list, with title and language read from each (unreadable ones
    are left out)."""
    stubs = []
    for document in discover(corpus).documents:
        if not document.catalogued:
            try:
                stubs.append(read_corpus_document(document)[0])
            except UnreadableDocumentError:
                continue
    return stubs

