"""Records that cross stage boundaries: frozen dataclasses and closed choices."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Language(StrEnum):
    """Languages the assistant answers in."""

    IT = "it"
    KO = "ko"
    EN = "en"


@dataclass(frozen=True)
class Document:
    """One corpus document and its catalog entry."""

    doc_id: str
    title: str
    language: Language
    text: str
    source: str
    issuer: str = ""
    date: str = ""
    licence: str = ""
    translation_of: str | None = None

    @property
    def group_id(self) -> str:
        """The id shared by an original and its translations."""
        return self.translation_of or self.doc_id


@dataclass(frozen=True)
class Chunk:
    """A passage of a document: the unit that is indexed, retrieved and cited."""

    chunk_id: str
    doc_id: str
    text: str
    locator: str
    language: Language
    start: int
    end: int
    group_id: str

    @property
    def align_key(self) -> tuple[str, str]:
        """Passages with the same key say the same thing in different languages."""
        return (self.group_id, self.locator)


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with the scores that ranked it."""

    chunk: Chunk
    score: float
    vector_score: float = 0.0
    keyword_score: float = 0.0
    rerank_score: float = 0.0


@dataclass(frozen=True)
class Citation:
    """A numbered passage an answer cites."""

    n: int
    doc_id: str
    title: str
    language: Language
    locator: str
    quote: str
    source: str
    score: float
    chunk_id: str
    translation_of: str | None = None


@dataclass(frozen=True)
class Answer:
    """The assistant's reply to one question."""

    question: str
    language: Language
    answer: str
    grounded: bool
    citations: tuple[Citation, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        """The `ask --json` object of DESIGN.md."""
        return {
            "question": self.question,
            "language": str(self.language),
            "answer": self.answer,
            "grounded": self.grounded,
            "citations": [
                {
                    "n": c.n,
                    "doc_id": c.doc_id,
                    "title": c.title,
                    "language": str(c.language),
                    "locator": c.locator,
                    "quote": c.quote,
                    "source": c.source,
                    "score": round(c.score, 4),
                    "chunk_id": c.chunk_id,
                    "translation_of": c.translation_of,
                    "unofficial_translation": c.translation_of is not None,
                }
                for c in self.citations
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


@dataclass(frozen=True)
class TestItem:
    """One line of a test set (evals/*.jsonl)."""

    __test__ = False  # not a pytest class, despite the name

    id: str
    lang: Language
    question: str
    answerable: bool
    expected_facts: tuple = ()
    gold: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class ItemResult:
    """How the assistant did on one test item."""

    item: TestItem
    answer: str
    answer_language: str
    grounded: bool
    facts_found: int
    facts_total: int
    citations_valid: bool
    citation_problems: tuple[str, ...]
    gold_rank: int | None  # 1-based rank of the first gold passage among the hits; None if absent or no gold
    latency_ms: float
    error: str = ""

    @property
    def correct(self) -> bool:
        """Answerable: grounded with every expected fact. Unanswerable: refused."""
        if not self.item.answerable:
            return not self.grounded and not self.error
        return self.grounded and self.facts_found == self.facts_total
