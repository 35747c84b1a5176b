"""HTML (BeautifulSoup over lxml): navigation, banners and forms removed; headings, lists, tables and notes kept."""
from __future__ import annotations

import re
from pathlib import Path

from ..types import Block, BlockKind, Skipped
from .tables import grid_rows, table_blocks
from .text import decode

# Never content: scripts, navigation, page chrome, forms and their controls.
_DROP_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button",
              "select", "input", "textarea", "iframe", "svg", "canvas", "object", "embed", "dialog", "menu"]
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "dialog", "alertdialog", "menu", "menubar", "toolbar"}
# Class or id words of page chrome (whole words between - and _): menus, cookie banners, skip links, modals.
_CHROME = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|menubar|breadcrumbs?|cookies?|consent|gdpr|banner|footer|header|"
    r"sidebar|skip|share|social|modal|toolbar|dropdown|sr-only|visually-hidden|popup|newsletter|pagination|"
    r"(?:open|close)?btn|button)"
    r"(?:$|[-_\s])", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_HIDDEN_CLASSES = {"hidden", "d-none", "invisible"}  # exactly these; "hidden-xs" only hides on small screens
# A container matched by its class or id alone is kept when it holds this share of the page's text: layout
# wrappers are sometimes named like chrome ("header-wrapper" around the whole article).
MAX_CHROME_SHARE = 0.3
# Cookie notices, by the words they use in each language: dropped when short, wherever they sit.
_COOKIE_NOTICE = re.compile(r"\bcookies?\b|쿠키", re.IGNORECASE)
_CONSENT = re.compile(r"accept|agree|consent|keep them|accett|consens|utilizz|동의|허용|수락", re.IGNORECASE)
MAX_COOKIE_NOTICE = 400
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCK_TAGS = {"p", "li", "pre", "blockquote", "dd", "dt", "figcaption", "caption", "table", "ul", "ol", "dl",
               "div", "section", "article", "main", "body", "td", "th", "tr", "tbody", "thead", "tfoot", "center",
               "address", "details", "summary", "fieldset", "figure", *_HEADINGS}
_NOTE_ID = re.compile(r"^(?:fn|ftn|ftnt|footnote|note|ntr|endnote|en)[-_:.]?\d", re.IGNORECASE)
_NOTE_CLASS = re.compile(r"(?:^|[-_\s])(?:footnotes?|note|endnotes?)(?:$|[-_\s])", re.IGNORECASE)
_NOTE_LABEL = re.compile(r"^\s*[\[(]?(\d{1,3}|[*†‡])[\])]?")
_BOLD = {"b", "strong"}
MAX_BOLD_HEADING = 100


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(decode(path), "lxml")


def _remove_chrome(soup) -> None:
    for element in soup(_DROP_TAGS):
        element.decompose()
    total = len(soup.get_text(" ", strip=True)) or 1
    for element in soup.find_all(True):
        if element.decomposed or element.name in ("body", "html", "main"):
            continue
        attrs = element.attrs or {}
        classes = [str(c) for c in attrs.get("class") or []]
        hidden = "display:none" in str(attrs.get("style", "")).replace(" ", "") or attrs.get("aria-hidden") == "true" \
            or "hidden" in attrs or (_HIDDEN_CLASSES & set(classes) and not any(re.match(r"d-\w+-(?:block|inline|flex)", c)
                                                                             for c in classes))
        if attrs.get("role") in _DROP_ROLES or hidden:
            element.decompose()
            continue
        if element.name == "a" and str(attrs.get("href", "")).strip().lower().startswith("javascript:"):
            element.decompose()  # a scripted control ("hide", "next article"), not a link to anything
            continue
        words = _CAMEL.sub(" ", " ".join([*classes, str(attrs.get("id") or "")]))  # "leftSidebarPanel": "left Sidebar Panel"
        if words.strip() and _CHROME.search(words) and len(element.get_text(" ", strip=True)) < MAX_CHROME_SHARE * total:
            element.decompose()
    for mention in soup.find_all(string=_COOKIE_NOTICE):
        notice = None  # the largest enclosing block that is still a short notice asking for consent
        for parent in mention.parents:
            if parent.name in ("body", "html", "main", "[document]") or parent.decomposed:
                break
            text = parent.get_text(" ", strip=True)
            if len(text) >= MAX_COOKIE_NOTICE:
                break
            if _CONSENT.search(text):
                notice = parent
        if notice is not None and not notice.decomposed:
            notice.decompose()


def _main_root(soup):
    """<main> or role=main or a single <article>; otherwise the body."""
    for candidate in (soup.find("main"), soup.find(attrs={"role": "main"})):
        if candidate is not None and candidate.get_text(strip=True):
            return candidate
    articles = soup.find_all("article")
    if len(articles) == 1 and articles[0].get_text(strip=True):
        return articles[0]
    body = soup.body
    if body is not None and len(body.get_text(" ", strip=True)) >= 0.9 * len(soup.get_text(" ", strip=True)):
        return body
    # Malformed pages (a stray </body>, content after </html>) leave text outside <body> once parsed: read the
    # whole document then, without its <head>.
    for head in soup("head"):
        head.decompose()
    return soup


def _text(element, skip=("ul", "ol", "table", "dl")) -> str:
    """Text of an element without its nested lists and tables (they are blocks of their own)."""
    from bs4 import NavigableString, Tag

    parts: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child).__name__ in ("Comment", "Doctype", "ProcessingInstruction", "CData"):
                    continue
                parts.append(str(child))
            elif isinstance(child, Tag):
                if child.name in skip:
                    continue
                if child.name == "br":
                    parts.append(" ")
                    continue
                walk(child)
                if child.name in _BLOCK_TAGS:
                    parts.append(" ")

    walk(element)
    return " ".join("".join(parts).split())


def _is_note(element) -> bool:
    classes = " ".join(element.get("class") or [])
    if classes and _NOTE_CLASS.search(classes):
        return True
    first = element.find("a")
    return first is not None and bool(_NOTE_ID.match(str(first.get("id") or first.get("name") or "")))


def _bold_only(nodes: list, container=None) -> bool:
    """Every piece of text sits inside <b>/<strong> (a heading in Word-exported HTML)."""
    from bs4 import NavigableString, Tag

    texts = []
    for node in nodes:
        if isinstance(node, Tag):
            texts += [(t, node) for t in node.find_all(string=True) if t.strip()]
        elif isinstance(node, NavigableString) and node.strip():
            return False  # loose text outside any element
    return bool(texts) and all(
        (top.name in _BOLD and top is not container) or any(p.name in _BOLD for p in t.parents if p is not container
                                                           and p is not top.parent) for t, top in texts)


def _heading_like(text: str) -> bool:
    return len(text) <= MAX_BOLD_HEADING and not re.search(r"[.:;,]$", text)


def _table_rows(table) -> list[list[str]]:
    """Rows of cell texts, with rowspan and colspan spread over the cells they cover."""
    cells = []
    taken: set[tuple[int, int]] = set()
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in taken:
                c += 1
            span_c = int(re.sub(r"\D", "", str(cell.get("colspan", "1"))) or 1)
            span_r = int(re.sub(r"\D", "", str(cell.get("rowspan", "1"))) or 1)
            cells.append((r, c, span_r, span_c, _text(cell, skip=("table",))))
            taken.update((r + dr, c + dc) for dr in range(min(span_r, 500)) for dc in range(min(span_c, 50)))
            c += span_c
    return grid_rows(cells)


def read(path: Path, options=None, notes: list[Skipped] | None = None) -> list[Block]:
    """The blocks of an HTML page's content; footnotes follow the paragraph that refers to them."""
    from bs4 import Tag

    soup = _soup(path)
    _remove_chrome(soup)
    root = _main_root(soup)

    note_of: dict[str, Tag] = {}  # element id → the note that holds it
    note_elements = [el for el in root.find_all(["p", "li", "div", "dd"]) if _is_note(el)]
    for note in note_elements:
        for element in [note, *note.find_all(True)]:
            for key in (element.get("id"), element.get("name")):
                if key:
                    note_of[str(key)] = note
    placed: set[int] = set()
    blocks: list[Block] = []
    tables = 0

    def note_block(note: Tag) -> Block:
        text = _text(note)
        match = _NOTE_LABEL.match(text)
        return Block(BlockKind.FOOTNOTE, text, label=match.group(1) if match else "")

    def emit(block: Block, element: Tag) -> None:
        blocks.append(block)
        for link in element.find_all("a", href=True):
            target = note_of.get(str(link["href"]).lstrip("#")) if str(link["href"]).startswith("#") else None
            if target is not None and id(target) not in placed and target is not element:
                placed.add(id(target))
                blocks.append(note_block(target))

    def inline_run(nodes: list) -> None:
        text = " ".join(" ".join(str(n) if isinstance(n, str) else _text(n) for n in nodes).split())
        if text and _heading_like(text) and _bold_only(nodes):
            blocks.append(Block(BlockKind.HEADING, text, level=4))
        elif text:
            blocks.append(Block(BlockKind.PARAGRAPH, text))

    def walk(element: Tag) -> None:
        nonlocal tables
        run: list = []
        for child in element.children:
            if not isinstance(child, Tag):
                if type(child).__name__ == "NavigableString" and str(child).strip():
                    run.append(str(child))
                continue
            if child.name not in _BLOCK_TAGS and not child.find(list(_BLOCK_TAGS - {"body"})):
                run.append(child)  # inline content (span, a, em, b…) between blocks
                continue
            inline_run(run)
            run = []
            if any(child is n for n in note_elements):
                continue  # placed after the paragraph that cites it
            name = child.name
            if name in _HEADINGS:
                text = _text(child)
                if text:
                    blocks.append(Block(BlockKind.HEADING, text, level=_HEADINGS[name]))
            elif name == "table":
                if child.find("table") is not None:  # a layout table: its cells are ordinary content
                    walk(child)
                    continue
                tables += 1
                blocks.extend(table_blocks(_table_rows(child), tables))
            elif name == "li":
                text = _text(child)
                if text:
                    emit(Block(BlockKind.LIST_ITEM, text), child)
                for nested in child.find_all(["ul", "ol", "table", "dl"], recursive=False):
                    walk(nested)
            elif name in ("p", "pre", "dd", "dt", "figcaption", "caption", "address", "summary"):
                text = _text(child)
                if not text:
                    continue
                if name == "p" and _heading_like(text) and _bold_only(list(child.children), child):
                    blocks.append(Block(BlockKind.HEADING, text, level=4))
                else:
                    emit(Block(BlockKind.PARAGRAPH, text), child)
                for nested in child.find_all(["ul", "ol", "table"], recursive=False):
                    walk(nested)
            else:
                walk(child)
        inline_run(run)

    walk(root)
    blocks.extend(note_block(n) for n in note_elements if id(n) not in placed)
    return blocks


def embedded_title(path: Path) -> str:
    """The page's <title>."""
    soup = _soup(path)
    return " ".join(soup.title.get_text().split()) if soup.title else ""
