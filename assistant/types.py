"""Records that cross stage boundaries: frozen dataclasses and closed choices."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Language(StrEnum):
    """Languages the assistant answers in."""

    IT = "it"
    KO = "ko"
    EN = "en"


class BlockKind(StrEnum):
    """What a block of a document is."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"
    FOOTNOTE = "footnote"
    MEMO = "memo"


@dataclass(frozen=True)
class Block:
    """One structural unit a reader found: a heading, a paragraph, a list item, a table row, a note.

    Readers fill kind, text, level (headings), page, cells/header (table rows) and label (notes);
    `readers.structure` then sets the heading path and the locator.
    """

    kind: BlockKind
    text: str
    level: int = 0  # headings: 1 is the top; 0 for everything else
    page: int | None = None  # 1-based page, for paged formats
    cells: tuple[str, ...] = ()  # table rows: the cells, spans filled in
    header: tuple[str, ...] = ()  # table rows: the column headers
    table: int = 0  # table rows: which table of the document (1-based)
    label: str = ""  # footnotes and memos: their number or mark
    ocr: bool = False  # the text came from OCR of a scanned page
    heading: tuple[str, ...] = ()  # heading path, outermost first
    locator: str = ""  # in the format's own terms: "p. 3", "제5조 ②", "Art. 5, comma 2", "¶12"


@dataclass(frozen=True)
class Document:
    """One corpus document: its catalog entry and, once read, its blocks."""

    doc_id: str
    title: str
    language: Language
    source: str  # the file as a path: the corpus folder joined with `file`
    issuer: str = ""
    date: str = ""
    licence: str = ""
    translation_of: str | None = None
    file: str = ""  # the file name, relative to the corpus folder
    catalogued: bool = True  # False: metadata read from the file itself
    blocks: tuple[Block, ...] = ()

    @property
    def group_id(self) -> str:
        """The id shared by an original and its translations."""
        return self.translation_of or self.doc_id

    @property
    def format(self) -> str:
        """The file format, from the file name: pdf, docx, hwpx, hwp, html, md, txt."""
        return (self.file or self.source).rsplit(".", 1)[-1].lower()


@dataclass(frozen=True)
class Skipped:
    """A file (or some pages of one) that yielded no text: why, and what to do."""

    file: str
    reason: str
    hint: str
    pages: tuple[int, ...] = ()  # only these pages were skipped; the rest of the file was read

    def line(self) -> str:
        """One line naming the file, the reason and what to do."""
        where = f" (pages {', '.join(map(str, self.pages))})" if self.pages else ""
        return f"{self.file}{where}: {self.reason}. {self.hint}"


@dataclass(frozen=True)
class Chunk:
    """A passage of a document: the unit that is indexed, retrieved and cited."""

    chunk_id: str
    doc_id: str
    text: str
    locator: str
    language: Language
    group_id: str
    heading: str = ""  # the heading path, " > "-joined
    page: int | None = None  # first page, for paged formats
    seq: int = 0  # 1-based position in its document
    align_id: str = ""  # the original passage this one translates (its own id for an original)

    @property
    def align_key(self) -> str:
        """Passages with the same key say the same thing in different languages."""
        return self.align_id or self.chunk_id

    @property
    def embed_text(self) -> str:
        """What is embedded and keyword-indexed: the heading path, then the passage."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with the scores that ranked it."""

    chunk: Chunk
    score: float
    vector_score: float = 0.0
    keyword_score: float = 0.0
    rerank_score: float = 0.0
    sentence_score: float = 0.0  # the best cosine of the question with one of the passage's sentences


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
    heading: str = ""
    page: int | None = None
    # The sentence of `quote` the answer rests on; in a refusal's "see also", the passage's sentence the chooser
    # ranks closest to the question ("" when none was scored). Shown highlighted inside the passage.
    sentence: str = ""

    def around_sentence(self) -> tuple[str, str, str] | None:
        """`quote` cut around `sentence`, as (before, sentence, after); None when there is no sentence or the quote
        does not hold it."""
        start = self.quote.find(self.sentence) if self.sentence else -1
        if start < 0:
            return None
        return self.quote[:start], self.sentence, self.quote[start + len(self.sentence):]


@dataclass(frozen=True)
class Answer:
    """The assistant's reply to one question."""

    question: str
    language: Language
    answer: str
    grounded: bool
    citations: tuple[Citation, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    # The selector's probability that its best candidate answers the question right (None: nothing was
    # scored): above the refusal threshold it is the answer; below it, the first "see also" passage. Kept out
    # of `to_json` (the `ask --json` contract); `eval` reports it.
    confidence: float | None = None

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
                    "heading": c.heading,
                    "page": c.page,
                    "quote": c.quote,
                    "sentence": c.sentence,
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
    doc: str | None = None  # the document that holds the answer (or whose topic a near miss is about)
    kind: str = ""  # what is asked for: amount, count, date, place, person, eligibility, definition, other


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
    crosslingual: bool = False  # the answer is in a document in another language than the question
    held_out: str = ""  # the document held out when the selector that answered was fitted (eval --by-document)
    # Refused and answerable: does the first "see also" passage hold every expected fact (the answer one click
    # away)? None otherwise.
    see_also_holds: bool | None = None
    # … and does that passage's closest sentence (Citation.sentence), the one shown first, hold them?
    see_also_sentence_holds: bool | None = None
    confidence: float | None = None  # the selector's probability for its best candidate (Answer.confidence)
    lost_at: str = ""  # answerable and not answered right: the stage that lost it (evaluation.LOSS_STAGES)
    # What the question gets with no confidence threshold (0): "right", "wrong", or "refused" when a hard gate,
    # the verifier or a lack of candidates refuses it at any threshold; "" when unknown. With `confidence` it gives
    # the outcome at every threshold (report.threshold_sweep).
    open_outcome: str = ""

    @property
    def correct(self) -> bool:
        """Answerable: grounded with every expected fact. Unanswerable: refused."""
        if not self.item.answerable:
            return not self.grounded and not self.error
        return self.grounded and self.facts_found == self.facts_total
