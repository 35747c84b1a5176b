"""Blocks → passages: sized by tokens, never across a heading; list items keep their lead-in, table rows their
headers, notes stand alone. A translation is cut where its original is, so passage n says the same in each."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .text import sentence_spans
from .types import Block, BlockKind, Chunk, Document

# Passage size in tokens (cl100k, llama-index's default tokenizer): blocks are gathered up to TARGET_TOKENS;
# one block longer than MAX_TOKENS is cut at sentence ends.
TARGET_TOKENS = 220
MAX_TOKENS = 400
SPLIT_VERSION = 4  # part of every document's fingerprint: a change re-splits the corpus
_STANDALONE = (BlockKind.FOOTNOTE, BlockKind.MEMO)
_NOTE = re.compile(r"\s*[<\[(（][^<>\[\]()（）]*[>\])）]\s*")  # a sentence wholly in brackets: an editorial note
_TRAILING_NOTE = re.compile(r"(?<=[.!?。:])(?:\s*[<\[][^<>\[\]]*[>\]])+\s*$")  # "… 같다. <개정 2020.1.1>"

Plan = list[tuple[int, int]]  # passages as ranges [start, end) of content-block positions
Counter = Callable[[str], int]


@dataclass(frozen=True)
class Layout:
    """How a document was cut: its plan, and the id of the first passage of each planned range."""

    plan: Plan
    heads: tuple[str, ...]


def token_counter() -> Counter:
    """Token counts with llama-index's offline tokenizer (tiktoken cl100k, shipped inside llama-index-core)."""
    from llama_index.core.utils import get_tokenizer

    tokenizer = get_tokenizer()
    return lambda text: len(tokenizer(text))


def content_blocks(blocks: Sequence[Block]) -> list[Block]:
    """The blocks that go into passages (headings travel as the heading path)."""
    return [b for b in blocks if b.kind is not BlockKind.HEADING]


def plan_passages(blocks: Sequence[Block], count: Counter, target: int = TARGET_TOKENS) -> Plan:
    """Group content blocks into passages: same heading path, same kind of content (prose or one table),
    at most `target` tokens unless one block is longer; footnotes and memos alone."""
    plan: Plan = []
    start = 0
    tokens = 0
    for i, block in enumerate(blocks):
        size = count(block.text)
        if i > start:
            previous = blocks[i - 1]
            boundary = (
                block.heading != previous.heading
                or block.kind in _STANDALONE
                or previous.kind in _STANDALONE
                or (block.kind is BlockKind.TABLE_ROW) != (previous.kind is BlockKind.TABLE_ROW)
                or block.table != previous.table
                or tokens + size > target
            )
            if boundary:
                plan.append((start, i))
                start, tokens = i, 0
        tokens += size
    if start < len(blocks):
        plan.append((start, len(blocks)))
    return plan


def span_locator(first: str, last: str) -> str:
    """"¶3"+"¶5" → "¶3–5"; "p. 3"+"p. 4" → "p. 3–4"; "제5조 ①"+"제5조 ③" → "제5조 ①–③"."""
    if first == last:
        return first
    prefix = 0
    while prefix < min(len(first), len(last)) and first[prefix] == last[prefix]:
        prefix += 1
    common = first[:prefix].rstrip("0123456789")  # never cut inside a number: "¶66"/"¶68" share "¶", not "¶6"
    if any(ch.isalnum() for ch in common) and not common.endswith(" "):
        cut = common.rfind(" ")
        common = common[: cut + 1] if cut >= 0 else ""
    return f"{first}–{last[len(common):]}"


def _lead_in(blocks: Sequence[Block], start: int) -> str:
    """The sentence that introduces a list, when a passage starts in the middle of it."""
    i = start - 1
    while i >= 0 and blocks[i].kind is BlockKind.LIST_ITEM and blocks[i].heading == blocks[start].heading:
        i -= 1
    if i < 0 or blocks[i].heading != blocks[start].heading or blocks[i].kind is not BlockKind.PARAGRAPH:
        return ""
    sentences = [blocks[i].text[a:b] for a, b in sentence_spans(blocks[i].text)]
    # A statute's paragraph ends with its editorial note ("… 다음 각 호와 같다. <개정 2020.1.1>"): the lead-in is
    # the sentence before the note, not the note.
    while len(sentences) > 1 and _NOTE.fullmatch(sentences[-1]):
        sentences.pop()
    lead = _TRAILING_NOTE.sub("", sentences[-1]) if sentences else ""
    return lead if len(lead) <= 400 else ""


def _pieces(text: str, count: Counter, limit: int) -> list[str]:
    """A text longer than `limit` tokens, cut at sentence ends into pieces of at most about `limit` tokens."""
    if count(text) <= limit:
        return [text]
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.utils import get_tokenizer

    return SentenceSplitter(chunk_size=limit, chunk_overlap=0, tokenizer=get_tokenizer()).split_text(text)


def split_document(document: Document, count: Counter | None = None, original: Layout | None = None,
                   target: int = TARGET_TOKENS, limit: int = MAX_TOKENS) -> tuple[list[Chunk], Layout]:
    """The passages of one document, and the layout that cut them.

    Args:
        original: the original's layout, for a translation. When the translation has as many blocks, it is cut
            the same way and passage k is aligned with the original's passage k (same statement, another
            language); such passages are kept whole, never cut further, so that they stay aligned.
    """
    count = count or token_counter()
    blocks = content_blocks(document.blocks)
    follows = original is not None and bool(original.plan) and original.plan[-1][1] == len(blocks)
    plan = original.plan if follows else plan_passages(blocks, count, target)
    chunks: list[Chunk] = []
    heads: list[str] = []
    for k, (start, end) in enumerate(plan):
        group = blocks[start:end]
        lead = _lead_in(blocks, start) if group[0].kind is BlockKind.LIST_ITEM else ""
        text = "\n".join(([lead] if lead else []) + [b.text for b in group])
        locator = span_locator(group[0].locator, group[-1].locator)
        pieces = [text] if follows else _pieces(text, count, limit)
        for part, piece in enumerate(pieces, 1):
            seq = len(chunks) + 1
            chunk_id = f"{document.doc_id}#p{seq}"
            if part == 1:
                heads.append(chunk_id)
            chunks.append(Chunk(
                chunk_id=chunk_id, doc_id=document.doc_id, text=piece,
                locator=locator if len(pieces) == 1 else f"{locator} ({part}/{len(pieces)})",
                language=document.language, group_id=document.group_id, heading=" > ".join(group[0].heading),
                page=group[0].page, seq=seq, align_id=original.heads[k] if follows else chunk_id,
            ))
    return chunks, Layout(plan, tuple(heads))


def split_documents(documents: list[Document], count: Counter | None = None) -> list[Chunk]:
    """The passages of all documents; translations follow their original's cuts."""
    count = count or token_counter()
    layouts: dict[str, Layout] = {}
    chunks: list[Chunk] = []
    for document in sorted(documents, key=lambda d: d.translation_of is not None):
        doc_chunks, layouts[document.doc_id] = split_document(document, count, layouts.get(document.translation_of or ""))
        chunks.extend(doc_chunks)
    return chunks
