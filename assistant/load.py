"""Read corpus/catalog.toml and the documents it lists (llama-index readers)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import UnreadableDocumentError
from .types import Document, Language

CATALOG = "catalog.toml"
READABLE = (".txt", ".md")
_REQUIRED = ("id", "file", "title", "language")


def load_catalog(corpus: Path) -> list[dict]:
    """The catalog's [[document]] entries, checked for required fields and unique ids."""
    path = corpus / CATALOG
    if not path.is_file():
        raise UnreadableDocumentError(
            f"no catalog at '{path}'. Create it with one [[document]] entry per file (see README, 'Corpus')."
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


def read_text(path: Path) -> str:
    """A document's text through llama-index's SimpleDirectoryReader, with a clear error when it cannot."""
    if path.suffix.lower() not in READABLE:
        raise UnreadableDocumentError(
            f"cannot read '{path}': {path.suffix or 'no'} files are not supported; convert it to {' or '.join(READABLE)}."
        )
    if not path.is_file():
        raise UnreadableDocumentError(f"'{path}' is listed in the catalog but does not exist.")
    try:
        path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableDocumentError(f"cannot read '{path}' as UTF-8 text: {exc}. Re-save it as UTF-8.") from exc
    import logging

    from llama_index.core import SimpleDirectoryReader

    # It warns on every read that optional PDF/DOCX readers are absent; we read .txt and .md only.
    logging.getLogger("llama_index.core.readers.file.base").setLevel(logging.ERROR)
    from llama_index.core.readers.file.base import default_file_metadata_func

    # Markdown too is read as plain text: we split it ourselves, into paragraphs.
    reader = SimpleDirectoryReader(
        input_files=[str(path)], file_extractor={".md": None}, file_metadata=default_file_metadata_func, encoding="utf-8"
    )
    return "\n".join(doc.text for doc in reader.load_data())


def load_documents(corpus: Path) -> list[Document]:
    """Every document the catalog lists, in catalog order."""
    documents = []
    for entry in load_catalog(corpus):
        path = corpus / entry["file"]
        documents.append(
            Document(
                doc_id=entry["id"],
                title=entry["title"],
                language=Language(entry["language"]),
                text=read_text(path),
                source=str(path),
                issuer=entry.get("issuer", ""),
                date=str(entry.get("date", "")),
                licence=entry.get("licence", ""),
                translation_of=entry.get("translation_of"),
            )
        )
    return documents
