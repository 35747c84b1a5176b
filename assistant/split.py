"""Split documents into passages: one per paragraph (¶n), long paragraphs cut sentence-aware (¶n.m)."""
from __future__ import annotations

import re
from typing import Iterator

from .types import Chunk, Document

# Passages longer than this many tokens (cl100k, llama-index's default tokenizer) are cut.
MAX_TOKENS = 320
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_NEWLINE = re.compile(r"\n")


def paragraphs(text: str, blank_line_blocks: bool = False) -> Iterator[tuple[int, int]]:
    """Character spans of paragraphs: non-empty lines, or blocks between blank lines (Markdown wraps lines)."""
    separator = _BLANK_LINE if blank_line_blocks else _NEWLINE
    start = 0
    for match in [*separator.finditer(text), None]:
        end = match.start() if match else len(text)
        block = text[start:end]
        if block.strip():
            lead = len(block) - len(block.lstrip())
            yield start + lead, start + len(block.rstrip())
        if match:
            start = match.end()


def split_document(document: Document, max_tokens: int = MAX_TOKENS) -> list[Chunk]:
    """The passages of one document, with stable ids `<doc_id>#p<n>[.<m>]` and locators ¶n[.m]."""
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.utils import get_tokenizer

    tokenizer = get_tokenizer()
    splitter = SentenceSplitter(chunk_size=max_tokens, chunk_overlap=0, tokenizer=tokenizer)
    chunks: list[Chunk] = []
    markdown = document.source.lower().endswith(".md")
    for number, (start, end) in enumerate(paragraphs(document.text, blank_line_blocks=markdown), 1):
        block = document.text[start:end]
        pieces = [block] if len(tokenizer(block)) <= max_tokens else splitter.split_text(block)
        cursor = start
        for part, piece in enumerate(pieces, 1):
            offset = document.text.find(piece, cursor)
            offset = cursor if offset < 0 else offset
            suffix = f".{part}" if len(pieces) > 1 else ""
            chunks.append(
                Chunk(
                    chunk_id=f"{document.doc_id}#p{number}{suffix}",
                    doc_id=document.doc_id,
                    text=piece,
                    locator=f"¶{number}{suffix}",
                    language=document.language,
                    start=offset,
                    end=offset + len(piece),
                    group_id=document.group_id,
                )
            )
            cursor = offset + len(piece)
    return chunks


def split_documents(documents: list[Document], max_tokens: int = MAX_TOKENS) -> list[Chunk]:
    """The passages of all documents, in order."""
    return [chunk for document in documents for chunk in split_document(document, max_tokens)]
