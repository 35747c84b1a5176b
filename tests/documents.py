"""Small real documents of each format, written by the tests (each well under 200 KB).

PDF: a hand-written PDF 1.4 file (Helvetica, WinAnsi) with a running header, page numbers, headings in a
larger size and a scanned page (an image with text on it). DOCX and HWPX: written with python-docx and
python-hwpx. HWP 5: records written after Hancom's format description into a compound file (a minimal
writer below: no library on the registries writes HWP 5). HTML, Markdown, text: written as text.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path


# ------------------------------------------------------------------------------------------------ PDF

def _pdf_string(text: str) -> str:
    data = text.encode("cp1252")
    return "(" + "".join(chr(b) if 32 <= b < 127 and chr(b) not in "()\\" else f"\\{b:03o}" for b in data) + ")"


def write_pdf(path: Path, pages: list[list[tuple[float, str]]], header: str = "", scanned_text: str = "") -> Path:
    """A PDF whose pages hold lines of (font size, text), a running header and a page number on each page,
    and, when `scanned_text` is given, a last page that is only an image of that text."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    page_ids = []
    pages_id_placeholder = len(objects) + 1
    add(b"")  # the Pages object, written at the end
    for number, lines in enumerate(pages, 1):
        y = 760.0
        ops = []
        if header:
            ops.append(f"BT /F1 9 Tf 72 800 Td {_pdf_string(header)} Tj ET")
        for size, text in lines:
            ops.append(f"BT /F1 {size} Tf 72 {y:.1f} Td {_pdf_string(text)} Tj ET")
            y -= size * 1.5 if size <= 12 else size * 2
        ops.append(f"BT /F1 9 Tf 300 30 Td {_pdf_string(str(number))} Tj ET")
        stream = "\n".join(ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
                            b"/Contents %d 0 R >>" % (pages_id_placeholder, font, content)))
    if scanned_text:
        from PIL import Image, ImageDraw, ImageFont

        image = Image.new("L", (1240, 400), 255)
        draw = ImageDraw.Draw(image)
        draw.text((60, 150), scanned_text, fill=0, font=ImageFont.load_default(size=64))
        raw = zlib.compress(image.tobytes())
        picture = add(b"<< /Type /XObject /Subtype /Image /Width 1240 /Height 400 /ColorSpace /DeviceGray "
                      b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(raw) + raw + b"\nendstream")
        stream = b"q 500 0 0 161 40 600 cm /Im1 Do Q"
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 %d 0 R >> >> "
                            b"/Contents %d 0 R >>" % (pages_id_placeholder, picture, content)))
    kids = " ".join(f"{i} 0 R" for i in page_ids).encode()
    objects[pages_id_placeholder - 1] = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids)
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id_placeholder)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    path.write_bytes(bytes(out))
    return path


# ------------------------------------------------------------------------------------------------ HWP 5

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def write_compound_file(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal compound file (MS-CFB v3, 512-byte sectors) holding `streams` ("Storage/Stream" names).

    Every stream is padded to 4096 bytes or more, so none goes to the mini stream: enough for a test fixture.
    """
    padded = {name: data + b"\0" * max(0, 4096 - len(data)) for name, data in streams.items()}
    sectors: list[bytes] = []
    fat: list[int] = []
    starts: dict[str, int] = {}
    for name, data in padded.items():
        data += b"\0" * (-len(data) % 512)
        starts[name] = len(sectors)
        count = len(data) // 512
        for i in range(count):
            sectors.append(data[i * 512 : (i + 1) * 512])
            fat.append(len(sectors) if i < count - 1 else _END)
    # Directory: root, then storages and streams as one sorted chain of right siblings per level.
    storages = sorted({n.split("/")[0] for n in padded if "/" in n}, key=lambda s: (len(s), s.upper()))
    top = sorted(storages + [n for n in padded if "/" not in n], key=lambda s: (len(s), s.upper()))
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "child": 1 if top else _FREE, "right": _FREE,
                            "start": _END, "size": 0}]
    index_of: dict[str, int] = {}
    for name in top:
        index_of[name] = len(entries)
        entries.append({"name": name, "type": 1 if name in storages else 2, "child": _FREE, "right": _FREE,
                        "start": starts.get(name, 0), "size": len(streams.get(name, b"")) and len(padded[name])})
    for a, b in zip(top, top[1:]):
        entries[index_of[a]]["right"] = index_of[b]
    for storage in storages:
        inner = sorted((n for n in padded if n.startswith(storage + "/")), key=lambda s: (len(s), s.upper()))
        first = len(entries)
        entries[index_of[storage]]["child"] = first
        for i, name in enumerate(inner):
            entries.append({"name": name.split("/", 1)[1], "type": 2, "child": _FREE,
                            "right": first + i + 1 if i + 1 < len(inner) else _FREE,
                            "start": starts[name], "size": len(padded[name])})
    directory = b""
    for entry in entries:
        name = entry["name"].encode("utf-16-le") + b"\0\0"
        directory += (name.ljust(64, b"\0") + struct.pack("<HBBIII", len(name), entry["type"], 1, _FREE,
                                                          entry["right"], entry["child"])
                      + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", entry["start"], entry["size"]))
    directory += b"\0" * (-len(directory) % 512)
    first_directory = len(sectors)
    count = len(directory) // 512
    for i in range(count):
        sectors.append(directory[i * 512 : (i + 1) * 512])
        fat.append(len(sectors) if i < count - 1 else _END)
    fat_sectors = 1
    while len(fat) + fat_sectors > fat_sectors * 128:
        fat_sectors += 1
    first_fat = len(sectors)
    fat += [_FAT] * fat_sectors
    fat += [_FREE] * (fat_sectors * 128 - len(fat))
    sectors += [struct.pack("<128I", *fat[i * 128 : (i + 1) * 128]) for i in range(fat_sectors)]
    difat = [first_fat + i for i in range(fat_sectors)] + [_FREE] * (109 - fat_sectors)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, fat_sectors, first_directory, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<109I", *difat))
    path.write_bytes(header + b"".join(sectors))
    return path


def _record(tag: int, level: int, data: bytes) -> bytes:
    return struct.pack("<I", tag | (level << 10) | (len(data) << 20)) + data


def _control_char(code: int, control: str) -> str:
    """An extended control in PARA_TEXT: the code, the control id (4 chars, stored reversed), padding, the code."""
    ident = control[::-1].encode("latin-1")
    units = [code, *struct.unpack("<HH", ident), 0, 0, 0, 0, code]
    return "".join(chr(u) for u in units)


def hwp_paragraph(text: str, level: int = 0, controls: list[bytes] | None = None, inline: list[tuple[int, str]] = ()) -> bytes:
    """PARA_HEADER + PARA_TEXT (+ the records of the controls the text anchors)."""
    body = "".join(_control_char(code, control) for code, control in inline) + text + "\r"
    data = _record(66, level, struct.pack("<I", len(body)) + b"\0" * 18)
    data += _record(67, level + 1, body.encode("utf-16-le"))
    for control in controls or []:
        data += control
    return data


def hwp_table(rows: list[list[str]], level: int, merges: dict[tuple[int, int], tuple[int, int]] | None = None) -> bytes:
    """A 'tbl ' control at `level`: TABLE, then each cell's LIST_HEADER (address and span) and paragraph.
    `merges` maps a cell (row, col) to its (row span, col span); cells it covers are left out."""
    merges = merges or {}
    covered = {(r + dr, c + dc) for (r, c), (rs, cs) in merges.items() for dr in range(rs) for dc in range(cs)
               if (dr, dc) != (0, 0)}
    out = _record(71, level, "tbl "[::-1].encode("latin-1") + b"\0" * 40)
    out += _record(77, level + 1, struct.pack("<IHH", 0, len(rows), len(rows[0])) + b"\0" * 12)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            rs, cs = merges.get((r, c), (1, 1))
            out += _record(72, level + 1, struct.pack("<iIHHHH", 1, 0, c, r, cs, rs) + b"\0" * 20)
            out += hwp_paragraph(text, level + 1)
    return out


def hwp_footnote(text: str, number: int, level: int) -> bytes:
    out = _record(71, level, "fn  "[::-1].encode("latin-1") + struct.pack("<I", number) + b"\0" * 8)
    out += _record(72, level + 1, struct.pack("<iI", 1, 0) + b"\0" * 8)
    out += hwp_paragraph(text, level + 1)
    return out


def write_hwp(path: Path, body: bytes, flags: int = 1) -> Path:
    """An HWP 5 file whose one section holds `body` (records), compressed when flags has bit 0."""
    header = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05000300, flags)
    header = header.ljust(256, b"\0")
    data = body
    if flags & 1:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = compressor.compress(body) + compressor.flush()
    return write_compound_file(path, {"FileHeader": header, "BodyText/Section0": data})


# ------------------------------------------------------------------------------------------------ DOCX, HWPX

def write_docx(path: Path) -> Path:
    """An English DOCX: title, headings, a list with its lead-in, a table with a merged cell, a comment."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Small Business Innovation Grants 2025"
    document.add_heading("Small Business Innovation Grants 2025", level=0)
    document.add_heading("Eligibility", level=1)
    lead = document.add_paragraph("An applicant must meet all of the following conditions:")
    document.add_paragraph("It employs fewer than 50 people.", style="List Bullet")
    document.add_paragraph("It has been registered for at least two years.", style="List Bullet")
    document.add_heading("Funding", level=1)
    document.add_heading("Amounts per award", level=2)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["Award type", "Maximum amount", "Duration"],
                             ["Feasibility study", "$50,000", "6 months"],
                             ["Prototype", "$250,000", "6 months"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(1, 2).merge(table.cell(2, 2))
    table.cell(1, 2).text = "6 months"
    note = document.add_paragraph("Applications close on 30 June 2025.")
    document.add_comment(note.runs, text="Check the closing date with the programme office.", author="Reviewer")
    del lead
    document.save(str(path))
    return path


def write_hwpx(path: Path) -> Path:
    """A Korean HWPX: a heading style, a paragraph with a footnote, a table with merged cells, a memo."""
    import warnings

    from hwpx import HwpxDocument

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        document = HwpxDocument.new()
        document.add_heading("청년 월세 지원 사업 안내", level=1)
        document.add_heading("지원 대상", level=2)
        paragraph = document.add_paragraph("만 19세 이상 34세 이하 무주택 청년이 신청할 수 있습니다.")
        document.add_footnote("나이는 신청일 기준으로 계산합니다.", paragraph=paragraph)
        document.add_heading("지원 금액", level=2)
        table = document.add_table(3, 3)
        rows = [["구분", "만 18세 ~ 64세", "비고"], ["차상위 초과", "최고 월 34만 3,180 원", "12개월"],
                ["차상위 이하", "최고 월 50만 원", ""]]
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.set_cell_text(r, c, text)
        table.merge_cells(1, 2, 2, 2)
        memo_anchor = document.add_paragraph("신청 기간은 2025년 3월 31일까지입니다.")
        document.add_memo_with_anchor("담당 부서에 마감일 재확인 필요", paragraph=memo_anchor)
        document.save_to_path(str(path))
    return path


# ------------------------------------------------------------------------------------------------ HTML, Markdown, text

HTML_KO = """<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>2025 청년 창업 지원사업 공고</title>
<script>window.tracker = "알림마당 스크립트";</script><style>.x { color: red }</style></head>
<body>
<div id="cookie-consent">이 사이트는 쿠키를 사용합니다. 동의하시겠습니까? <button>동의</button></div>
<header><nav><ul><li><a href="/">홈</a></li><li><a href="/news">알림마당</a></li></ul></nav></header>
<main>
<h1>2025 청년 창업 지원사업 공고</h1>
<h2>신청 자격</h2>
<p>공고일 기준 창업 3년 이내의 기업<a href="#fn1"><sup>1)</sup></a>이 신청할 수 있습니다.</p>
<h2>지원 내용</h2>
<table><tr><th>구분</th><th>지원 한도</th><th>자부담</th></tr>
<tr><td>예비창업자</td><td>최대 5천만 원</td><td rowspan="2">10%</td></tr>
<tr><td>초기창업자</td><td>최대 1억 원</td></tr></table>
<div class="footnotes"><p id="fn1">1) 창업일은 사업자등록일을 기준으로 합니다.</p></div>
</main>
<footer>서울특별시 중구 세종대로 110 · 대표전화 120</footer>
</body></html>
"""

MARKDOWN_EN = """---
layout: page
title: Community Energy Act (sample)
---
# Community Energy Act

## Chapter 1 General provisions

### Article 1 Purpose

This Act supports community energy projects.[^1]
{: .intro}

### Article 2 Eligible applicants

(1) A cooperative with at least 20 members may apply.
(2) A municipality with fewer than 10,000 residents may apply.

## Chapter 2 Grants

| Project size | Grant rate | Cap |
|---|---|---|
| Up to 100 kW | 40% | €80,000 |
| Over 100 kW | 25% | €200,000 |

Applicants must provide:

- a feasibility study;
- a letter from the grid operator.

[^1]: As amended in 2024.
"""

TEXT_IT = """AVVISO PUBBLICO PER LE BOTTEGHE ARTIGIANE

1. Finalità
L'avviso sostiene la digitalizzazione delle botteghe artigiane.

2. Beneficiari
Possono partecipare:
- le imprese artigiane con sede in Piemonte;
- i consorzi di imprese artigiane.

3. Contributo
Il contributo massimo è di 15.000 euro per impresa.

4. Domanda
La domanda è firmata dal legale rappresentante dell'impresa.
Il sottoscritto ______________ legale rappresentante dell'impresa ______________ chiede il contributo.
"""
