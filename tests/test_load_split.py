from pathlib import Path

import pytest

from assistant.errors import UnreadableDocumentError
from assistant.load import discover, load_catalog, load_documents
from assistant.split import split_document, split_documents
from assistant.types import Block, BlockKind, Document, Language

from .conftest import CORPUS, ORIGINAL


def test_corpus_has_original_and_marked_translations():
    documents = {d.doc_id: d for d in load_documents(CORPUS)}
    assert documents[ORIGINAL].language is Language.IT and documents[ORIGINAL].translation_of is None
    for code in ("ko", "en"):
        translation = documents[f"motie-2026-work-plan-{code}"]
        assert translation.translation_of == ORIGINAL
        assert translation.language.value == code


def test_translations_keep_every_figure_and_align_passage_by_passage():
    from assistant.text import numbers

    chunks = split_documents(load_documents(CORPUS))
    by_key: dict = {}
    for chunk in chunks:
        by_key.setdefault(chunk.align_key, {})[chunk.language] = chunk
    assert sorted(by_key) == [f"{ORIGINAL}#p{i}" for i in range(1, 5)]
    for key, versions in by_key.items():
        assert {c.locator for c in versions.values()} == {f"¶{key[-1]}"}
        original = numbers(versions[Language.IT].text)
        for language in (Language.KO, Language.EN):
            assert original <= numbers(versions[language].text), (key, language)


def test_passages_have_stable_ids():
    document = load_documents(CORPUS)[0]
    first, again = split_document(document)[0], split_document(document)[0]
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again] == [f"{ORIGINAL}#p{i}" for i in range(1, 5)]
    assert [c.seq for c in first] == [1, 2, 3, 4]


def test_long_paragraph_is_cut_sentence_aware():
    text = " ".join(f"Frase numero {i} del documento sulle imprese." for i in range(200))
    blocks = (Block(BlockKind.PARAGRAPH, text, locator="¶1"), Block(BlockKind.PARAGRAPH, "Secondo paragrafo.", locator="¶2"))
    chunks, _ = split_document(Document("long", "t", Language.IT, "long.md", blocks=blocks), limit=100)
    assert chunks[0].locator.startswith("¶1 (1/") and len(chunks) > 3
    assert chunks[-1].locator == "¶2" and chunks[-1].text == "Secondo paragrafo."
    assert all(c.text.endswith(".") for c in chunks)  # never cut mid-sentence


def test_translation_with_other_blocks_is_cut_on_its_own_and_not_aligned():
    def doc(doc_id, texts, translation_of=None):
        blocks = tuple(Block(BlockKind.PARAGRAPH, t, locator=f"¶{i}") for i, t in enumerate(texts, 1))
        return Document(doc_id, doc_id, Language.EN, f"{doc_id}.txt", translation_of=translation_of, blocks=blocks)

    original, layout = split_document(doc("orig", ["One.", "Two."]), target=1)
    same, _ = split_document(doc("same", ["Uno.", "Due."], "orig"), original=layout)
    other, _ = split_document(doc("other", ["Uno e due."], "orig"), original=layout)
    assert [c.align_key for c in same] == [c.chunk_id for c in original]
    assert [c.align_key for c in other] == ["other#p1"]


def _catalog(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalog.toml").write_text(body, encoding="utf-8")
    return folder


def test_missing_catalog_reads_metadata_from_the_files(tmp_path):
    (tmp_path / "avviso.md").write_text("# Avviso per le imprese\n\nLe domande si presentano entro il 30 giugno "
                                        "e possono partecipare le imprese con sede in Lombardia.\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("Notes about this folder.\n", encoding="utf-8")
    corpus = discover(tmp_path)
    assert [d.doc_id for d in corpus.documents] == ["avviso"]  # README is not a document
    assert any("no catalog.toml" in w for w in corpus.warnings) and any("avviso.md" in w for w in corpus.warnings)
    document = load_documents(tmp_path)[0]
    assert document.title == "Avviso per le imprese" and document.language is Language.IT and not document.catalogued


def test_documents_in_subfolders_are_found_and_a_broken_link_is_named(tmp_path):
    """A corpus sorted into folders (by year, by issuer) is read whole: each document keeps its path inside the
    corpus, the catalog may list it by that path, and the original file is served from it. Hidden and `_`
    folders and the programme records are not documents; a link that leads nowhere is named, never passed over."""
    folder = _catalog(tmp_path / "corpus", '[[document]]\nid="listed"\nfile="2025/listed.md"\ntitle="Listed"\n'
                                           'language="it"\n')
    text = "# Avviso\n\nLe domande si presentano entro il 30 giugno.\n"
    for name in ("2025/listed.md", "2025/lombardia/avviso.md", "top.md", ".git/x.md", "_drafts/y.md",
                 "programmes/z.md"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "2025" / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (folder / "2025" / "loop").symlink_to(folder)  # a link back up: not followed into
    corpus = discover(folder)
    assert {d.doc_id: d.file for d in corpus.documents} == {
        "listed": "2025/listed.md", "avviso": "2025/lombardia/avviso.md", "top": "top.md"}
    assert [(Path(s.file).name, s.reason) for s in corpus.skipped] == [
        ("gone.pdf", "it is a link to a file that does not exist (or cannot be reached)")]
    assert {d.doc_id for d in load_documents(folder)} == {"listed", "avviso", "top"}


def test_listed_file_missing_is_skipped_with_reason(tmp_path):
    folder = _catalog(tmp_path, '[[document]]\nid="a"\nfile="a.txt"\ntitle="A"\nlanguage="it"\n')
    corpus = discover(folder)
    assert corpus.documents == () and "does not exist" in corpus.skipped[0].reason


def test_unsupported_file_is_listed_as_skipped(tmp_path):
    folder = _catalog(tmp_path, "")
    (folder / "budget.xlsx").write_bytes(b"PK\x03\x04")
    assert "not supported" in discover(folder).skipped[0].reason


def test_catalog_errors_stop_with_the_line_to_fix(tmp_path):
    entry = '[[document]]\nid="a"\nfile="a.txt"\ntitle="A"\nlanguage="it"\n'
    with pytest.raises(UnreadableDocumentError, match="appears twice"):
        load_catalog(_catalog(tmp_path / "y", entry + entry))
    with pytest.raises(UnreadableDocumentError, match="zzz"):
        load_catalog(_catalog(tmp_path / "z", entry.replace('language="it"', 'language="ko"\ntranslation_of="zzz"')))
    with pytest.raises(UnreadableDocumentError, match="cannot parse"):
        discover(_catalog(tmp_path / "w", "[[document]\nid="))


def test_a_passage_starting_mid_list_repeats_the_lead_in_sentence_not_its_editorial_note():
    """A statute's paragraph ends with its amendment note; a passage that starts in the middle of the list it
    introduces repeats the sentence that introduces the list, not the note after it."""
    heading = ("제1장 총칙", "제3조 (지원 대상)")
    blocks = (
        Block(BlockKind.PARAGRAPH, "지원 대상은 다음 각 호와 같다. <개정 2020.1.1, 2021.2.2>", locator="제3조", heading=heading),
        *(Block(BlockKind.LIST_ITEM, f"{i}. 가상의 요건 {i}번에 해당하는 사업자로서 기준을 충족하는 자", locator=f"제3조 {i}",
                heading=heading) for i in range(1, 7)),
    )
    chunks, _ = split_document(Document("act", "가상의 법", Language.KO, "act.md", blocks=blocks), target=30)
    assert len(chunks) > 1
    for chunk in chunks[1:]:
        assert chunk.text.startswith("지원 대상은 다음 각 호와 같다.\n"), chunk.text
    # A paragraph that is only a bracketed title still introduces its list.
    titled = (Block(BlockKind.PARAGRAPH, "< 모집 개요 >", locator="¶1", heading=heading), *blocks[1:])
    chunks, _ = split_document(Document("act", "가상의 법", Language.KO, "act.md", blocks=titled), target=30)
    assert chunks[1].text.startswith("< 모집 개요 >\n")


def test_a_lead_in_is_its_whole_sentence_across_abbreviations():
    """The lead-in is cut with the passages' own sentence splitter, so an act's abbreviation ("D.Lgs. n. 12/2001")
    does not end it: the repeated lead-in names what the list is about, not the tail after the last stop."""
    heading = ("Art. 2 (Definizioni)",)
    blocks = (
        Block(BlockKind.PARAGRAPH, "Il presente avviso si applica alle imprese. Ai sensi dell’art. 4 del D.Lgs. n. 12/2001, "
              "per impresa ammessa si intende:", locator="¶1", heading=heading),
        *(Block(BlockKind.LIST_ITEM, f"{i}) una impresa immaginaria che rispetta il requisito numero {i} del presente avviso",
                locator=f"¶{i + 1}", heading=heading) for i in range(1, 7)),
    )
    chunks, _ = split_document(Document("avviso", "Avviso di prova", Language.IT, "avviso.md", blocks=blocks), target=40)
    assert len(chunks) > 1
    for chunk in chunks[1:]:
        assert chunk.text.startswith("Ai sensi dell’art. 4 del D.Lgs. n. 12/2001, per impresa ammessa si intende:\n"), chunk.text
