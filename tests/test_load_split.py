from pathlib import Path

import pytest

from assistant.errors import UnreadableDocumentError
from assistant.load import load_catalog, load_documents
from assistant.split import split_document, split_documents
from assistant.types import Document, Language

from .conftest import CORPUS, ORIGINAL


def test_corpus_has_original_and_marked_translations():
    documents = {d.doc_id: d for d in load_documents(CORPUS)}
    assert documents[ORIGINAL].language is Language.IT and documents[ORIGINAL].translation_of is None
    for code in ("ko", "en"):
        translation = documents[f"motie-2026-work-plan-{code}"]
        assert translation.translation_of == ORIGINAL
        assert translation.language.value == code


def test_translations_keep_every_figure_and_align_paragraph_by_paragraph():
    from assistant.text import numbers

    chunks = split_documents(load_documents(CORPUS))
    by_key: dict = {}
    for chunk in chunks:
        by_key.setdefault(chunk.locator, {})[chunk.language] = chunk
    assert sorted(by_key) == ["¶1", "¶2", "¶3", "¶4"]
    for locator, versions in by_key.items():
        original = numbers(versions[Language.IT].text)
        for language in (Language.KO, Language.EN):
            assert original <= numbers(versions[language].text), (locator, language)


def test_passages_have_stable_ids_and_exact_spans():
    document = load_documents(CORPUS)[0]
    first, again = split_document(document), split_document(document)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again] == [f"{ORIGINAL}#p{i}" for i in range(1, 5)]
    for chunk in first:
        assert document.text[chunk.start : chunk.end] == chunk.text


def test_long_paragraph_is_cut_sentence_aware():
    text = " ".join(f"Frase numero {i} del piano sulle fabbriche." for i in range(200)) + "\n\nSecondo paragrafo."
    chunks = split_document(Document("long", "t", Language.IT, text, "long.md"), max_tokens=100)
    assert [c.locator for c in chunks][-1] == "¶2"
    assert chunks[0].locator == "¶1.1" and len(chunks) > 3
    assert all(c.text.endswith(".") for c in chunks)  # never cut mid-sentence
    assert all(text[c.start : c.end] == c.text for c in chunks)


def test_text_lines_are_paragraphs_markdown_uses_blank_lines():
    text = "First line.\nSecond line.\n\nThird after a blank line.\n"
    assert len(split_document(Document("t", "t", Language.EN, text, "a.txt"))) == 3
    assert [c.text for c in split_document(Document("m", "m", Language.EN, text, "a.md"))] == [
        "First line.\nSecond line.", "Third after a blank line."]


def _catalog(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalog.toml").write_text(body, encoding="utf-8")
    return folder


def test_missing_catalog_says_how_to_fix(tmp_path):
    with pytest.raises(UnreadableDocumentError, match="no catalog"):
        load_catalog(tmp_path)


def test_listed_file_missing(tmp_path):
    folder = _catalog(tmp_path, '[[document]]\nid="a"\nfile="a.txt"\ntitle="A"\nlanguage="it"\n')
    with pytest.raises(UnreadableDocumentError, match="does not exist"):
        load_documents(folder)


def test_corrupt_file_is_named(tmp_path):
    folder = _catalog(tmp_path, '[[document]]\nid="a"\nfile="a.txt"\ntitle="A"\nlanguage="it"\n')
    (folder / "a.txt").write_bytes(b"\xff\xfe\x00broken \x81\x82")
    with pytest.raises(UnreadableDocumentError, match="a.txt.*UTF-8"):
        load_documents(folder)


def test_unsupported_format_and_duplicate_ids(tmp_path):
    folder = _catalog(tmp_path / "x", '[[document]]\nid="a"\nfile="a.pdf"\ntitle="A"\nlanguage="it"\n')
    with pytest.raises(UnreadableDocumentError, match="not supported"):
        load_documents(folder)
    entry = '[[document]]\nid="a"\nfile="a.txt"\ntitle="A"\nlanguage="it"\n'
    with pytest.raises(UnreadableDocumentError, match="appears twice"):
        load_catalog(_catalog(tmp_path / "y", entry + entry))


def test_translation_of_unknown_document(tmp_path):
    folder = _catalog(tmp_path, '[[document]]\nid="a"\nfile="a.txt"\ntitle="A"\nlanguage="ko"\ntranslation_of="zzz"\n')
    with pytest.raises(UnreadableDocumentError, match="zzz"):
        load_catalog(folder)
