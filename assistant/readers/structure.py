"""From a reader's blocks to a document's structure: headings recognised, heading paths, locators."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from ..types import Block, BlockKind

# Headings of laws and acts, by tradition: (pattern, level, tradition). The article level is 9 so that outline
# and style headings (1-8) above it nest; the group of the match is the article's number.
_LAW_HEADINGS: list[tuple[re.Pattern, int, str]] = [
    (re.compile(r"^제\s*\d+\s*편"), 1, ""),
    (re.compile(r"^제\s*\d+\s*장"), 2, ""),
    (re.compile(r"^제\s*\d+\s*절"), 3, ""),
    (re.compile(r"^제\s*\d+\s*관"), 4, ""),
    (re.compile(r"^(제\s*\d+\s*조(?:\s*의\s*\d+)?)(?![가-힣])"), 9, "ko"),
    (re.compile(r"^(?:TITOLO|Titolo|TITLE|Title|PART|Part)\s+[IVXLC\d]+\b"), 1, ""),
    (re.compile(r"^(?:CAPO|Capo|CHAPTER|Chapter)\s+[IVXLC\d]+\b"), 2, ""),
    (re.compile(r"^(?:SEZIONE|Sezione|SECTION|Section)\s+[IVXLC\d]+\b"), 3, ""),
    (re.compile(r"^(?:Art\.|ART\.|Articolo|ARTICOLO)\s*(\d+(?:[-\s]?(?:bis|ter|quater|quinquies))?)\b"), 9, "it"),
    (re.compile(r"^(?:Article|ARTICLE)\s+(\d+[a-z]?)\b"), 9, "en"),
]
_ARTICLE_LEVEL = 9

# Clause marks at the start of a paragraph inside an article, by the article's tradition.
_CLAUSE: dict[str, re.Pattern] = {
    "ko": re.compile(r"^([①-⑳])"),
    "it": re.compile(r"^(\d{1,2})(?:\.|\))\s"),
    "en": re.compile(r"^\((\d{1,2})\)\s|^(\d{1,2})\.\s"),
}

# Outline numbering in documents without heading styles ("Ⅱ. 사업추진 방향", "12.1 Quando presentare",
# "A.1 Finalità"); the level grows with the depth of the number.
_ROMAN = re.compile(r"^(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+|(?:XI{0,3}|IX|IV|VI{0,3}|I{1,3}|V))(?:\.|\s)\s*\S")
_DECIMAL = re.compile(r"^((?:\d{1,2}\.)*\d{1,2})\.?\s+\S")
_LETTERED = re.compile(r"^([A-Z](?:\.\d{1,2})+)\.?\s+\S")
_BOXED = re.compile(r"^[□■]\s*\S")  # "□ 추진 배경": a topic line in Korean official documents
# Items of documents with no list styles: "○ …", "- …", "가. …", "1) …", "(1) …", "a) …", "※ …".
_ITEM = re.compile(r"^(?:[○◦●•‣▶►◇◆❍\-–*※]|[가-하][.)]|\(?\d{1,2}\)|\(?[a-z]\)|[ⓐ-ⓩ])\s*\S")
_NOT_A_HEADING_END = re.compile(r"[.:;,。]$")
# Tables of contents: their heading is the parent of no section ("INDICE" before "A. INTERVENTO").
_CONTENTS = re.compile(r"^(?:indice|sommario|table of contents|contents|목\s*차|차\s*례)$", re.IGNORECASE)
MAX_HEADING_CHARS = 120


@dataclass(frozen=True)
class Structure:
    """A document's blocks with heading paths and locators, and its title heading if it has one."""

    blocks: tuple[Block, ...]
    title: str = ""


# A line that is only a page number: "12", "- 3 -", "pag. 4 di 20", "5/20"; a front matter's "viii" (lower case,
# up to xxxix).
PAGE_NUMBER = re.compile(r"^[\s\-–—|]*(?:(?:pag(?:ina|e)?\.?|p\.|page)\s*)?\d{1,4}(?:\s*(?:di|of|/)\s*\d{1,4})?"
                         r"[\s\-–—|]*$", re.IGNORECASE)
ROMAN_PAGE = re.compile(r"(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})")


def page_number_line(text: str, pages: int = 999) -> bool:
    """Whether a line is only a page number, in digits or in lower-case roman numerals: in "N of M" forms, M is the
    document's page count (`pages`) or less, so that a citation's "36/2023" left alone on a line is no page
    number."""
    if ROMAN_PAGE.fullmatch(text.strip(" -–—|")):
        return True
    if not PAGE_NUMBER.match(text):
        return False
    figures = [int(n) for n in re.findall(r"\d+", text)]
    return len(figures) < 2 or figures[0] <= figures[1] <= pages


ENDS_WITH_STOP = re.compile(r"[.:;!?。]$")  # a line or paragraph whose sentence is over


def run_on(head: str, tail: str) -> str:
    """Two pieces of one sentence as one text: a word cut by a hyphen at the break is joined ("regio-" + "nale"),
    other pieces meet with a space."""
    head = head.rstrip()
    if head.endswith("-") and head[-2:-1].isalpha() and tail[:1].islower():
        return head[:-1] + tail
    return f"{head} {tail}"


def clean_text(text: str) -> str:
    """NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def law_heading(text: str) -> tuple[int, str, str] | None:
    """(level, article label, tradition) when `text` is a heading of a law ("제5조 (기금의 설치)", "Art. 5")."""
    if len(text) > MAX_HEADING_CHARS:
        return None
    for pattern, level, tradition in _LAW_HEADINGS:
        if match := pattern.match(text):
            rest = text[match.end():].strip(" .-–—:")
            if rest and _NOT_A_HEADING_END.search(text) and not rest.startswith("("):
                return None  # a sentence that starts with an article number
            label = " ".join(match.group(1).split()) if tradition else ""
            if tradition == "it":
                label = f"Art. {label}"
            elif tradition == "en":
                label = f"Article {label}"
            return level, label, tradition
    return None


def outline_level(text: str) -> int | None:
    """The level of a numbered outline heading, or None for ordinary text."""
    if len(text) > 80 or _NOT_A_HEADING_END.search(text) or ":" in text or len(text.split()) > 12:
        return None
    if not any(ch.isalpha() for ch in text[2:]):
        return None
    if _ROMAN.match(text):
        return 1
    if _BOXED.match(text) and len(text) <= 60:
        return 4
    if match := _LETTERED.match(text):
        return 1 + match.group(1).count(".")
    if match := _DECIMAL.match(text):
        return 2 + match.group(1).count(".")
    return None


def numbering_depth(text: str) -> int:
    """How deep a heading's own number goes: "1 Scope" 0, "A.1 Finalità" 1, "1.2.3 Recesso" 2."""
    match = _LETTERED.match(text) or _DECIMAL.match(text)
    return match.group(1).count(".") if match else 0


def _recognise_headings(blocks: list[Block], outline: bool) -> list[Block]:
    """Mark paragraphs that are law or outline headings; join a bare "Article 5" with its title line."""
    out: list[Block] = []
    skip_next = False
    for i, block in enumerate(blocks):
        if skip_next:
            skip_next = False
            continue
        if block.kind is BlockKind.HEADING and not law_heading(block.text):
            out.append(replace(block, level=block.level + numbering_depth(block.text)))
            continue
        if block.kind is not BlockKind.PARAGRAPH and block.kind is not BlockKind.HEADING:
            out.append(block)
            continue
        law = law_heading(block.text)
        if law is not None:
            level = law[0] if block.kind is BlockKind.PARAGRAPH or law[0] == _ARTICLE_LEVEL else block.level
            text = block.text
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            bare = law[1] and text.strip(" .") in (law[1], law[1].replace("Art. ", "Articolo "))
            if bare and following is not None and following.kind in (BlockKind.PARAGRAPH, BlockKind.HEADING) \
                    and len(following.text) <= 100 and not _NOT_A_HEADING_END.search(following.text) \
                    and law_heading(following.text) is None:
                text = f"{text.rstrip(' .')} {following.text}"  # "Article 5" + "Eligibility criteria"
                skip_next = True
            out.append(replace(block, kind=BlockKind.HEADING, text=text, level=level))
            continue
        level = outline_level(block.text) if outline and block.kind is BlockKind.PARAGRAPH else None
        if level:
            out.append(replace(block, kind=BlockKind.HEADING, level=level))
        elif outline and block.kind is BlockKind.PARAGRAPH and _ITEM.match(block.text):
            out.append(replace(block, kind=BlockKind.LIST_ITEM))
        else:
            out.append(block)
    return out


def _format_clause(article: str, tradition: str, mark: str) -> str:
    if tradition == "ko":
        return f"{article} {mark}"
    if tradition == "it":
        return f"{article}, comma {mark}"
    return f"{article}({mark})"


def structure(blocks: list[Block], *, outline: bool = False) -> Structure:
    """Heading paths and locators for a reader's blocks.

    Args:
        outline: also take numbered lines ("1.2 Requisiti") for headings: for formats with no heading styles.
    """
    blocks = [replace(b, text=clean_text(b.text)) for b in blocks]
    blocks = _recognise_headings([b for b in blocks if b.text], outline)
    title = ""
    first = next((b for b in blocks if b.kind is BlockKind.HEADING), None)
    content_before = first is not None and any(b.kind is not BlockKind.HEADING for b in blocks[: blocks.index(first)])
    if first is not None and not content_before and first.level <= 1 \
            and sum(b.kind is BlockKind.HEADING and b.level <= first.level for b in blocks) == 1:
        title = first.text  # the document's own title: not part of every heading path

    out: list[Block] = []
    stack: list[tuple[int, str, str, str]] = []  # (level, text, article label, tradition)
    paragraph = 0
    clause = ""
    anchor = ""
    for block in blocks:
        if block.kind is BlockKind.HEADING:
            if block.text == title and not out:
                continue
            while stack and (stack[-1][0] >= block.level or _CONTENTS.match(stack[-1][1])):
                stack.pop()
            law = law_heading(block.text)
            stack.append((block.level, block.text, law[1] if law else "", law[2] if law else ""))
            clause = ""
            out.append(replace(block, heading=tuple(s[1] for s in stack[:-1]), locator=""))
            continue
        path = tuple(s[1] for s in stack)
        if block.kind in (BlockKind.FOOTNOTE, BlockKind.MEMO):
            name = "fn" if block.kind is BlockKind.FOOTNOTE else "memo"
            locator = f"{anchor or '¶1'} · {name} {block.label}".rstrip()
            out.append(replace(block, heading=path, locator=locator))
            continue
        paragraph += 1
        article = next(((s[2], s[3]) for s in reversed(stack) if s[2]), None)
        if article is not None:
            label, tradition = article
            if match := _CLAUSE[tradition].match(block.text):
                clause = next(g for g in match.groups() if g)
            locator = _format_clause(label, tradition, clause) if clause else label
        elif block.page is not None:
            locator = f"p. {block.page}" + (" (OCR)" if block.ocr else "")
        else:
            locator = f"¶{paragraph}"
        anchor = locator
        out.append(replace(block, heading=path, locator=locator))
    return Structure(tuple(out), title)
