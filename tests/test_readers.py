"""Readers, one fixture per format (written by tests/documents.py), asserted block by block."""
from pathlib import Path

import pytest

from assistant.errors import UnreadableDocumentError
from assistant.readers import ReadOptions, read_document
from assistant.readers.pdf import tesseract_available
from assistant.readers.tables import table_blocks
from assistant.split import split_document
from assistant.types import BlockKind, Document, Language

from .documents import hwp_paragraph, write_hwp

def blocks_of(path: Path, **options):
    return read_document(path, ReadOptions(**options) if options else None, want_embedded_title=True)


def by_text(blocks, fragment: str):
    return next(b for b in blocks if fragment in b.text)


def test_fixtures_are_small(fixtures):
    assert all(path.stat().st_size < 200_000 for path in fixtures.values())


def test_pdf_headings_pages_running_header_and_joined_lines(fixtures):
    reading = blocks_of(fixtures["pdf"], ocr=False)
    assert reading.title == "Bando per la ricerca 2025"  # the cover's largest line: the title, not a path element
    texts = [b.text for b in reading.blocks]
    assert not any("Bollettino Ufficiale" in t for t in texts)  # running header on every page
    assert not any(t.strip() in ("1", "2") for t in texts)  # page numbers
    eligible = by_text(reading.blocks, "meno di 50 dipendenti")
    assert eligible.text == "Possono presentare domanda le imprese con meno di 50 dipendenti e sede operativa in Lombardia."
    assert eligible.heading == ("A.1 Soggetti beneficiari",) and eligible.locator == "p. 1"
    deadline = by_text(reading.blocks, "30 giugno 2025")
    assert deadline.heading == ("B.2 Scadenze",) and deadline.locator == "p. 2" and deadline.page == 2


def test_pdf_sentence_cut_by_a_page_break_is_read_whole(tmp_path):
    """A sentence that runs on to the next page is one paragraph, whatever the running header and page number
    between its halves; a page that ends with a stop, or a next page that starts a new sentence, stays apart."""
    from .documents import write_pdf

    pages = [[(14, "1. Spese"), (11, "Il contributo copre le spese sostenute dal richiedente a condizione")],
             [(11, "che siano documentate e pagate."), (14, "2. Termini"), (11, "La domanda si presenta online.")],
             [(11, "Entro il 30 giugno si chiude lo sportello."), (14, "3. Note"), (11, "Senza punto in fondo")],
             [(11, "Nuova frase con la maiuscola sulla pagina seguente.")]]
    path = write_pdf(tmp_path / "pagine.pdf", pages, header="Bollettino della Regione")
    texts = [b.text for b in blocks_of(path, ocr=False).blocks if b.kind is BlockKind.PARAGRAPH]
    assert texts == ["Il contributo copre le spese sostenute dal richiedente a condizione che siano documentate e pagate.",
                     "La domanda si presenta online.", "Entro il 30 giugno si chiude lo sportello.",
                     "Senza punto in fondo", "Nuova frase con la maiuscola sulla pagina seguente."]


def test_a_page_number_counts_no_more_pages_than_the_document_has():
    from assistant.readers.structure import page_number_line as _page_number

    assert _page_number("12", 40) and _page_number("- 3 -", 40) and _page_number("pag. 4 di 20", 20)
    assert _page_number("5/20", 20) and not _page_number("36/2023", 60)  # a citation's act number and year
    assert not _page_number("7 di 5", 40) and not _page_number("Articolo 5", 40)
    assert _page_number("viii", 40) and _page_number("- iv -", 40)  # a front matter's pages
    assert not _page_number("ill", 40) and not _page_number("civic", 40) and not _page_number("VI", 40)


def test_continuations_join_past_footnotes_and_hyphens_only_when_the_sentence_runs_on():
    from assistant.readers.pdf import join_continuations
    from assistant.types import Block

    blocks = [Block(BlockKind.PARAGRAPH, "Le imprese devono presentare la documen-", page=1),
              Block(BlockKind.FOOTNOTE, "Vedi l'allegato.", page=1, label="1"),
              Block(BlockKind.PARAGRAPH, "tazione entro il termine.", page=2),
              Block(BlockKind.LIST_ITEM, "a) le imprese artigiane;", page=2),
              Block(BlockKind.PARAGRAPH, "le altre imprese sono escluse.", page=2),
              Block(BlockKind.HEADING, "Articolo 2", page=2),
              Block(BlockKind.PARAGRAPH, "titolo senza punto", page=2),
              Block(BlockKind.PARAGRAPH, "vii", page=3)]  # a front page's number in lower-case roman
    joined = join_continuations(blocks)
    assert [b.text for b in joined] == ["Le imprese devono presentare la documentazione entro il termine.",
                                        "Vedi l'allegato.", "a) le imprese artigiane;", "le altre imprese sono escluse.",
                                        "Articolo 2", "titolo senza punto", "vii"]
    assert joined[0].page == 1 and joined[1].kind is BlockKind.FOOTNOTE
    # A footnote's next line in small type goes on with the footnote, not with the paragraph above it.
    footnoted = [Block(BlockKind.PARAGRAPH, "Il testo della pagina termina con un punto.", page=3),
                 Block(BlockKind.FOOTNOTE, "Una nota che prosegue", page=3, label="2"),
                 Block(BlockKind.PARAGRAPH, "sulla riga seguente.", page=3)]
    assert [b.text for b in join_continuations(footnoted)] == [
        "Il testo della pagina termina con un punto.", "Una nota che prosegue sulla riga seguente."]
    footnoted[0] = Block(BlockKind.PARAGRAPH, "Il testo della pagina va a capo", page=3)
    assert [b.text for b in join_continuations(footnoted)] == [
        "Il testo della pagina va a capo", "Una nota che prosegue sulla riga seguente."]


def test_scanned_page_is_named_when_it_cannot_be_read(fixtures):
    reading = blocks_of(fixtures["pdf"], ocr=False)
    assert len(reading.skipped) == 1
    skipped = reading.skipped[0]
    assert skipped.pages == (3,) and "tesseract-ocr" in skipped.hint and "scanned" in skipped.reason


@pytest.mark.skipif(not tesseract_available(), reason="tesseract-ocr is not installed (make test installs it)")
def test_scanned_page_is_read_by_ocr(fixtures):
    reading = blocks_of(fixtures["pdf"], ocr_languages=("eng",))
    scanned = by_text(reading.blocks, "office closed")
    assert scanned.ocr and scanned.locator == "p. 3 (OCR)" and reading.ocr_pages == (3,) and not reading.skipped


def test_docx_heading_path_table_row_with_headers_and_comment(fixtures):
    reading = blocks_of(fixtures["docx"])
    assert reading.title == "Small Business Innovation Grants 2025" == reading.embedded_title
    row = by_text(reading.blocks, "Prototype")
    assert row.kind is BlockKind.TABLE_ROW and row.heading == ("Funding", "Amounts per award")
    # The merged "Duration" cell reaches both rows.
    assert row.text == "Award type: Prototype | Maximum amount: $250,000 | Duration: 6 months"
    memo = next(b for b in reading.blocks if b.kind is BlockKind.MEMO)
    anchor = by_text(reading.blocks, "Applications close")
    assert memo.text == "Check the closing date with the programme office."
    assert memo.locator == f"{anchor.locator} · memo 1" and reading.blocks.index(memo) == reading.blocks.index(anchor) + 1
    items = [b for b in reading.blocks if b.kind is BlockKind.LIST_ITEM]
    assert [b.text for b in items] == ["It employs fewer than 50 people.", "It has been registered for at least two years."]


def test_hwpx_table_row_with_headers_footnote_and_memo(fixtures):
    reading = blocks_of(fixtures["hwpx"])
    row = by_text(reading.blocks, "차상위 초과")
    assert row.kind is BlockKind.TABLE_ROW and row.heading == ("지원 금액",)
    assert row.text == "구분: 차상위 초과 | 만 18세 ~ 64세: 최고 월 34만 3,180 원 | 비고: 12개월"
    assert by_text(reading.blocks, "차상위 이하").text.endswith("비고: 12개월")  # merged cell, both rows
    note = next(b for b in reading.blocks if b.kind is BlockKind.FOOTNOTE)
    paragraph = by_text(reading.blocks, "무주택 청년")
    assert note.text == "나이는 신청일 기준으로 계산합니다." and note.locator == f"{paragraph.locator} · fn 1"
    memo = next(b for b in reading.blocks if b.kind is BlockKind.MEMO)
    assert memo.text == "담당 부서에 마감일 재확인 필요" and memo.heading == ("지원 금액",)


def test_hwp5_table_with_merged_cell_and_footnote(fixtures):
    reading = blocks_of(fixtures["hwp"])
    rows = [b for b in reading.blocks if b.kind is BlockKind.TABLE_ROW]
    assert [r.text for r in rows] == [
        "구분: 차상위 초과 | 지원금: 최고 월 34만 3,180 원 | 지원 기간: 12개월",
        "구분: 차상위 이하 | 지원금: 최고 월 50만 원 | 지원 기간: 12개월",
    ]
    assert rows[0].heading == ("2. 지원 금액",)
    note = next(b for b in reading.blocks if b.kind is BlockKind.FOOTNOTE)
    assert note.text == "중소기업기본법 제2조에 따른 중소기업을 말한다." and note.heading == ("1. 지원 대상",)


def test_html_boilerplate_removed_structure_kept(fixtures):
    reading = blocks_of(fixtures["html"])
    text = " ".join(b.text for b in reading.blocks)
    for chrome in ("쿠키", "알림마당", "세종대로", "window.tracker", "color: red"):
        assert chrome not in text
    assert reading.title == "2025 청년 창업 지원사업 공고"
    row = by_text(reading.blocks, "초기창업자")
    assert row.text == "구분: 초기창업자 | 지원 한도: 최대 1억 원 | 자부담: 10%"  # rowspan carried down
    note = next(b for b in reading.blocks if b.kind is BlockKind.FOOTNOTE)
    cited = by_text(reading.blocks, "창업 3년 이내")
    assert reading.blocks.index(note) == reading.blocks.index(cited) + 1 and note.heading == ("신청 자격",)


def test_markdown_yields_its_paragraphs_with_law_locators(fixtures):
    reading = blocks_of(fixtures["md"])
    assert reading.title == "Community Energy Act" and reading.embedded_title == "Community Energy Act (sample)"
    first = by_text(reading.blocks, "supports community energy")
    assert first.kind is BlockKind.PARAGRAPH and first.text == "This Act supports community energy projects."
    assert first.locator == "Article 1" and first.heading == ("Chapter 1 General provisions", "Article 1 Purpose")
    assert by_text(reading.blocks, "fewer than 10,000").locator == "Article 2(2)"
    note = next(b for b in reading.blocks if b.kind is BlockKind.FOOTNOTE)
    assert note.text == "As amended in 2024." and note.locator == "Article 1 · fn 1"
    assert by_text(reading.blocks, "Over 100 kW").text == "Project size: Over 100 kW | Grant rate: 25% | Cap: €200,000"


def test_text_headings_and_list_items_keep_their_lead_in(fixtures):
    reading = blocks_of(fixtures["txt"])
    document = Document("avviso", "Avviso", Language.IT, str(fixtures["txt"]), file="avviso.txt", blocks=reading.blocks)
    chunks, _ = split_document(document)
    beneficiaries = next(c for c in chunks if "Piemonte" in c.text)
    assert beneficiaries.heading == "2. Beneficiari"
    assert beneficiaries.text.startswith("Possono partecipare:\n")
    # A passage that starts in the middle of a list repeats the sentence that introduces it.
    small, _ = split_document(document, target=8)
    second_item = next(c for c in small if c.text.endswith("i consorzi di imprese artigiane."))
    assert second_item.text.startswith("Possono partecipare:\n") and second_item.heading == "2. Beneficiari"


def test_text_wrapped_at_a_fixed_width_is_read_as_whole_paragraphs(tmp_path):
    """Plain text as PDF-to-text tools write it: paragraphs wrapped at a fixed width. A wrapped paragraph's first
    line is no heading; a short line over lines that start anew is; a word cut by a hyphen at a line's end is
    joined."""
    path = tmp_path / "wrapped.txt"
    path.write_text("Article 3 Eligibility\n\n"
                    "The applicant must submit the form to the regional office before\n"
                    "the end of March, together with the annexes listed below. Late forms\n"
                    "are not accepted, and a regio-\nnal office may not extend the term.\n\n"
                    "Article 4 Grants\nThe grant covers half of the eligible costs, up to the ceiling set\n"
                    "in the call.\n", encoding="utf-8")
    blocks = [(b.kind, b.text) for b in blocks_of(path).blocks]
    assert blocks == [
        (BlockKind.HEADING, "Article 3 Eligibility"),
        (BlockKind.PARAGRAPH, "The applicant must submit the form to the regional office before the end of March, "
                              "together with the annexes listed below. Late forms are not accepted, and a regional "
                              "office may not extend the term."),
        (BlockKind.HEADING, "Article 4 Grants"),
        (BlockKind.PARAGRAPH, "The grant covers half of the eligible costs, up to the ceiling set in the call.")]
    # Text pulled from a PDF without blank lines: a line per paragraph, except where a sentence runs on to the next
    # line with a lower-case word.
    unspaced = tmp_path / "unspaced.txt"
    unspaced.write_text("Possono presentare domanda le imprese con sede operativa\nin Lombardia e meno di 50 dipendenti.\n"
                        "Il contributo copre il 50% delle spese.\n- una copia dello statuto\n- il bilancio\n", encoding="utf-8")
    assert [(b.kind, b.text) for b in blocks_of(unspaced).blocks] == [
        (BlockKind.PARAGRAPH, "Possono presentare domanda le imprese con sede operativa in Lombardia e meno di 50 dipendenti."),
        (BlockKind.PARAGRAPH, "Il contributo copre il 50% delle spese."),
        (BlockKind.LIST_ITEM, "una copia dello statuto"), (BlockKind.LIST_ITEM, "il bilancio")]


def test_passages_never_cross_a_heading_and_embed_the_heading_path(fixtures):
    reading = blocks_of(fixtures["md"])
    document = Document("act", "Act", Language.EN, str(fixtures["md"]), file="act.md", blocks=reading.blocks)
    chunks, _ = split_document(document)
    for chunk in chunks:
        sources = [b for b in reading.blocks if b.kind is not BlockKind.HEADING and b.text in chunk.text]
        assert len({b.heading for b in sources}) == 1, chunk.text
    table = next(c for c in chunks if "Over 100 kW" in c.text)
    assert table.embed_text.startswith("Chapter 2 Grants\n") and table.locator == "¶4–5"


@pytest.mark.parametrize("name, content, reason", [
    ("empty.md", b"", "empty"),
    ("truncated.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "cannot be read as PDF"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 40, "DOCX"),
    ("broken.hwpx", b"PK\x03\x04not really a zip", "HWPX"),
    ("random.hwp", b"\x13\x37" * 500, "HWP"),
    ("page.pdf", b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "extension says PDF"),
    ("latin1.txt", "città".encode("latin-1") * 20, "UTF-8"),
    ("sheet.xlsx", b"PK\x03\x04", "not supported"),
    # A compound-file signature over a damaged body (olefile raises ValueError, not OSError, on it).
    ("damaged.hwp", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 1000, "HWP"),
    ("damaged.docx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 1000, "old binary Office file"),
    ("old.hwp", b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\x00" * 500, "HWP 3"),
])
def test_broken_files_raise_a_reason_and_what_to_do(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableDocumentError) as error:
        read_document(path)
    assert reason in str(error.value) and name in str(error.value) and error.value.hint


def test_encrypted_hwp_is_named(tmp_path):
    path = write_hwp(tmp_path / "locked.hwp", hwp_paragraph("비밀"), flags=0b11)
    with pytest.raises(UnreadableDocumentError, match="encrypted"):
        read_document(path)


def test_html_text_outside_a_closed_body_is_read(tmp_path):
    # Published pages close <body> early and put the act after it; a parser then leaves it outside <body>.
    page = tmp_path / "act.html"
    page.write_text(
        "<html><head><title>Decreto</title></head><body><nav><a href='/'>Home</a> <a href='/cerca'>Cerca</a></nav>"
        "<h1>Decreto 12 marzo 2024</h1></body></html>"
        "<div id='testo'><h2>Art. 1</h2><p>Il contributo massimo è di 5.000 euro per impresa.</p>"
        "<p>La domanda si presenta entro il 30 giugno 2024.</p></div>", encoding="utf-8")
    reading = blocks_of(page)
    texts = [b.text for b in reading.blocks]
    assert "Il contributo massimo è di 5.000 euro per impresa." in texts
    assert by_text(reading.blocks, "30 giugno").locator.startswith("Art. 1")
    assert not any("Home" in t or "Decreto" == t for t in texts)  # navigation and <title> are not content


def test_html_scripted_controls_and_camel_case_sidebars_are_not_content(tmp_path):
    # Legal-database pages: an article index in a sidebar whose id is camelCase, "hide"/"next article" links that
    # only run a script, buttons styled as links. None of it is the act's text.
    page = tmp_path / "act.html"
    page.write_text(
        "<html><body><div id='mySidebarLeft'><a class='closebtn' href='#'>nascondi</a>"
        "<ul><li><a href='' onclick='show(1)'>1</a></li><li><a href='' onclick='show(2)'>2</a></li></ul></div>"
        "<div id='testo'><h2>Art. 1</h2><p>Il contributo massimo è di 5.000 euro per impresa.</p>"
        "<a href='javascript:' onclick='next()'><u>articolo successivo</u></a>"
        "<a href='#' class='btn btn-outline-primary'>aggiornamenti all'articolo</a>"
        "<p>Si veda il <a href='/atto/2'>decreto attuativo</a> per i dettagli.</p></div></body></html>",
        encoding="utf-8")
    texts = [b.text for b in blocks_of(page).blocks]
    assert "Il contributo massimo è di 5.000 euro per impresa." in texts
    assert "Si veda il decreto attuativo per i dettagli." in texts  # a real link inside the text stays
    for control in ("nascondi", "articolo successivo", "aggiornamenti"):
        assert not any(control in t for t in texts), texts
    assert "1" not in texts and "2" not in texts


def test_a_first_row_holding_a_telephone_number_is_data_not_column_names():
    # A contact table ("office | unit | role | name | phone") has no header row: reading its first row as one
    # would pair each person with the first row's name and number.
    rows = [["담당 부서", "가상국", "책임자", "과장", "김가상", "(044-000-1111)"],
            ["(가상선수촌)", "가상정책과", "담당자", "사무관", "이가상", "(044-000-2222)"]]
    texts = [b.text for b in table_blocks(rows, table=1)]
    assert texts == ["담당 부서 | 가상국 | 책임자 | 과장 | 김가상 | (044-000-1111)",
                     "(가상선수촌) | 가상정책과 | 담당자 | 사무관 | 이가상 | (044-000-2222)"]
    budget = [["구분", "지원 한도", "자부담"], ["초기창업자", "최대 1억 원", "10%"], ["예비창업자", "최대 5천만 원", "20%"]]
    assert [b.text for b in table_blocks(budget, table=2)][0] == "구분: 초기창업자 | 지원 한도: 최대 1억 원 | 자부담: 10%"


def _pdf_text_page(body: list[str], number: int, foot: list[str] = ()) -> list[str]:
    """One page as a PDF library's plain extraction writes it: a running header, the body's wrapped lines with a
    trailing space, the footnotes after a blank line, the page number."""
    return ["AVVISO DI PROVA PER LE IMPRESE ", *[f"{line} " for line in body], *([" "] + list(foot) if foot else []),
            "   ", f"{number} ", " "]


def test_text_extracted_from_a_pdf_is_read_across_its_pages(tmp_path):
    """Text pulled from a PDF, as the issue's trial converted unseen documents: no blank line between paragraphs,
    a running header and a page number on every page, footnotes at a page's foot, sentences running on over a page
    break. Paragraphs end at a short line that closes a sentence; a list starts after a colon; the header and the
    page numbers are left out; a sentence cut by a page break is read whole, with the page's footnote after it."""
    pages = [
        _pdf_text_page(["A.1 Finalità", "Il presente avviso sostiene le imprese artigiane che investono nella transizione",
                        "digitale dei propri processi produttivi e organizzativi.", "Possono presentare domanda:",
                        "a) le micro e piccole imprese con sede operativa in Lombardia iscritte al Registro;",
                        "b) i consorzi di imprese artigiane costituiti da almeno tre imprese associate."], 1),
        _pdf_text_page(["A.2 Dotazione", "La dotazione finanziaria complessiva dell’avviso è pari a euro 2.000.000,00 a carico",
                        "del bilancio regionale, e il contributo massimo per impresa è di euro 30.000,00 nel limite"],
                       2, ["1 Il contributo è concesso in regime de minimis."]),
        _pdf_text_page(["del 50% delle spese ammissibili sostenute dopo la data di presentazione della domanda.",
                        "Le domande si presentano esclusivamente online sulla piattaforma regionale dedicata."], 3),
        _pdf_text_page(["A.3 Termini", "Le domande si presentano dal 1° marzo al 30 aprile, salvo esaurimento anticipato",
                        "della dotazione finanziaria disponibile per l’avviso."], 4),
    ]
    path = tmp_path / "avviso.txt"
    path.write_text("\n".join(line for page in pages for line in page), encoding="utf-8")
    blocks = [(b.kind, b.text) for b in blocks_of(path).blocks]
    texts = [text for _, text in blocks]
    assert not any("AVVISO DI PROVA" in t for t in texts) and not any(t.strip().isdigit() for t in texts)
    assert (BlockKind.HEADING, "A.1 Finalità") in blocks and (BlockKind.HEADING, "A.2 Dotazione") in blocks
    assert "Possono presentare domanda:" in texts
    assert (BlockKind.LIST_ITEM, "a) le micro e piccole imprese con sede operativa in Lombardia iscritte al Registro;") in blocks
    whole = ("La dotazione finanziaria complessiva dell’avviso è pari a euro 2.000.000,00 a carico del bilancio "
             "regionale, e il contributo massimo per impresa è di euro 30.000,00 nel limite del 50% delle spese "
             "ammissibili sostenute dopo la data di presentazione della domanda.")
    assert whole in texts
    note = texts.index("1 Il contributo è concesso in regime de minimis.")
    assert note == texts.index(whole) + 1
    assert "Le domande si presentano esclusivamente online sulla piattaforma regionale dedicata." in texts


def test_text_keeps_a_lone_figure_and_joins_pages_cut_by_form_feeds(tmp_path):
    """A figure alone between blank lines in an ordinary text is content, not a page number (page numbers are
    several and go up); pdftotext marks pages with form feeds, and a sentence cut by one is read whole."""
    ordinary = tmp_path / "scheda.txt"
    ordinary.write_text("Posti disponibili nel corso:\n\n12\n\nLe domande si presentano entro il 30 aprile.\n",
                        encoding="utf-8")
    assert "12" in [b.text for b in blocks_of(ordinary).blocks]
    paged = tmp_path / "paged.txt"
    paged.write_text("Il contributo copre le spese sostenute dalle imprese artigiane per la transizione digitale\n"
                     "dei processi produttivi, fino a un massimo di euro 30.000,00 per impresa e nel limite\f"
                     "del 50% delle spese ammissibili.\nLe domande si presentano online.\n", encoding="utf-8")
    assert ("Il contributo copre le spese sostenute dalle imprese artigiane per la transizione digitale dei processi "
            "produttivi, fino a un massimo di euro 30.000,00 per impresa e nel limite del 50% delle spese "
            "ammissibili.") in [b.text for b in blocks_of(paged).blocks]
