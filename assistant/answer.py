"""Compose a short extractive answer in the question's language, every sentence cited, or refuse."""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

import numpy as np

from .config import AnswerSettings
from .embed import Embedder
from .retrieve import term_coverage
from .text import Analyzer, numbers, split_clauses, split_sentences
from .types import Answer, Chunk, Citation, Document, Hit, Language

Versions = Callable[[Chunk], dict[Language, Chunk]]  # a passage → its versions by language


class QuestionKind(StrEnum):
    """What sort of fact a question asks for; each needs its own evidence."""

    AMOUNT = "amount"  # money: a budget, a cost
    COUNT = "count"  # how many
    DATE = "date"  # when
    PLACE = "place"  # where
    PERSON = "person"  # a named person (minister, official)
    AGENT = "agent"  # who, answered by an organisation
    OTHER = "other"


_I = re.IGNORECASE
# Checked in order: the first kind whose cue matches wins (money before counts: "quanto costa").
_KIND_CUES: list[tuple[QuestionKind, re.Pattern]] = [
    (QuestionKind.AMOUNT, re.compile(
        r"\b(budget|bilanci\w*|stanziat\w*|stanziament\w*|fondi|finanziament\w*|cost[oiae]\w*|euro|won|dollar\w*|"
        r"miliard\w*|milion\w*|investiment\w*|sussid\w*|contribut\w*|import[oi]|soldi|denaro|spes[aei]\w*|spend\w*|"
        r"cost|costs|funding|funds|money|billion|million|investment\w*|subsid\w*|grant\w*|how much|spend\w*|spent)\b"
        r"|예산|비용|금액|얼마|투자|지원금|보조금|재원|지출|억\s*원|조\s*원", _I)),
    (QuestionKind.DATE, re.compile(
        r"\b(quando|in che anno|in quale anno|che giorno|che data|in che data|scadenz\w*|entro quando|"
        r"when|what year|which year|what date|which date|what day|deadline)\b|언제|몇\s*년|몇\s*월|며칠|날짜|시기|기한|마감", _I)),
    (QuestionKind.COUNT, re.compile(r"\b(quant[ie]|numero|how many|number of)\b|몇|개수", _I)),
    (QuestionKind.PLACE, re.compile(
        r"\b(dove|in (?:quale|quali) (?:luogo|luoghi|città|sede|sedi|regione|regioni|province)|luogo|sede|where|"
        r"which (?:city|cities|region|regions|province|provinces)|what venue|location)\b|어디|장소|위치|어느\s*(?:지역|도시|곳)", _I)),
    (QuestionKind.PERSON, re.compile(
        r"\b(ministr[oa]|viceministr\w*|responsabil\w*|direttor\w*|president\w*|portavoce|funzionari\w*|"
        r"minister|official\w*|director|president|spokes\w*|head of|name of the)\b"
        r"|장관|차관|담당자|책임자|대변인|이름|대통령|국장|과장", _I)),
    (QuestionKind.AGENT, re.compile(r"\b(chi|who|whom)\b|누구|누가", _I)),
]

_YEAR = r"(?:19|20)\d\d"
_EVIDENCE: dict[QuestionKind, re.Pattern] = {
    QuestionKind.AMOUNT: re.compile(
        r"\d[\d.,]*\s*(?:euro|€|won|원|dollar\w*|\$|miliard\w*|milion\w*|billion|million|trillion|억|조|만\s*원)|[€$₩]\s*\d", _I),
    QuestionKind.DATE: re.compile(
        rf"\b{_YEAR}\b|\bil \d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)\b|\d+\s*(?:년|월|일)|"
        r"\b(?:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre|"
        r"january|february|march|april|may|june|july|august|september|october|november|december)\b|"
        r"anno prossimo|prossimo anno|quest.anno|next year|this year|내년|올해", _I),
    QuestionKind.PLACE: re.compile(
        r"\b(?:presso|a|in|at|nel|nella)\s+(?:il |the |la )?[A-Z][\w’']+(?:\s+[A-Z][\w’']+)+|"
        r"[A-Z][\w]+(?:\s+[A-Z][\w]+){2,}|\S+(?:센터|청사|광역시|특별시|도청)(?:에서|에)"),
    QuestionKind.PERSON: re.compile(
        r"\b(?:Ministro|Ministra|Minister|Vice Minister|Director|Direttore|President|Presidente)\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"
        r"|[가-힣]{2,4}\s?(?:장관|차관|국장|대변인|과장)"),
    QuestionKind.AGENT: re.compile(r"\b[A-Z][\w’']+|산업부|정부|부처"),
}

# Names and codes in a question (FIFA, RE100, M.AX, Sejong) must appear in the evidence.
_CODE = re.compile(r"\b[A-Z][A-Za-z]*[A-Z0-9](?:[A-Za-z0-9]|\.(?=[A-Za-z0-9]))*|\b[A-Z]\.[A-Z]+")
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-z]{2,}\b")

LANGUAGE_NAMES: dict[Language, dict[Language, str]] = {
    Language.IT: {Language.IT: "italiano", Language.KO: "coreano", Language.EN: "inglese"},
    Language.KO: {Language.IT: "이탈리아어", Language.KO: "한국어", Language.EN: "영어"},
    Language.EN: {Language.IT: "Italian", Language.KO: "Korean", Language.EN: "English"},
}
REFUSAL: dict[Language, str] = {
    Language.IT: "I documenti non lo dicono: non ho trovato un passaggio che risponda a questa domanda.",
    Language.KO: "문서에는 이에 대한 내용이 없습니다. 이 질문에 답하는 구절을 찾지 못했습니다.",
    Language.EN: "The documents do not say: I found no passage that answers this question.",
}
SEE_ALSO: dict[Language, str] = {
    Language.IT: "Passaggi più vicini, da vedere:",
    Language.KO: "관련성이 가장 높은 구절(참고):",
    Language.EN: "Closest passages, see also:",
}
CROSS_LINGUAL: dict[Language, str] = {
    Language.IT: "I documenti lo dicono solo in {name}; cito il testo così com'è: «{quote}» [{n}]",
    Language.KO: "이 내용은 {name} 문서에만 있어 원문 그대로 인용합니다: «{quote}» [{n}]",
    Language.EN: "The documents say this only in {name}; quoted as written: «{quote}» [{n}]",
}


@dataclass(frozen=True)
class Candidate:
    """A sentence that might answer, with what was measured about it."""

    sentence: str
    chunk: Chunk
    similarity: float
    coverage: float
    sentence_coverage: float
    same_language: bool
    evidence: bool
    names_present: bool
    score: float


def question_kind(question: str) -> QuestionKind:
    """The kind of fact the question asks for."""
    for kind, cue in _KIND_CUES:
        if cue.search(question):
            return kind
    return QuestionKind.OTHER


def question_names(question: str) -> set[str]:
    """Codes and proper names in the question that any evidence must contain."""
    return {m.group(0) for m in _CODE.finditer(question)} | {m.group(0) for m in _NAME.finditer(question)}


_COUNT_AFTER = re.compile(r"\b(?:quant[ie]|how many|numero di|number of)\s+((?:[\w.’'-]+\s*){1,4})", re.IGNORECASE)
_COUNT_BEFORE = re.compile(r"((?:\S+\s+){1,3})(?:몇|개수)")
# Where the counted noun phrase ends: a function word or an Italian finite verb ("riceveranno", "sono").
_PHRASE_END = re.compile(r"^(?:ci|è|ha|hanno|will|are|is|was|were|do|does|did|can|have|has|di|del|della|il|la|le|i|gli|the|of)$|"
                         r"\w+(?:anno|ranno|ebbero|ono)$", re.IGNORECASE)


def counted_terms(question: str, language: Language, analyzer: Analyzer) -> tuple[set[str], set[str]]:
    """What a "how many" question counts: (head noun terms, codes that must come with it).

    The noun phrase after "how many"/"quanti" (its head is last in English, first in Italian), or the word
    before "몇" ("기업은 몇 곳" counts 기업). Codes in the phrase ("RE100 complexes") must be there too.
    """
    words: list[str] = []
    head_word = None
    if match := _COUNT_AFTER.search(question):
        for word in match.group(1).split():
            if _PHRASE_END.match(word.strip("?!.,")):
                if words:
                    break
                continue  # "how many of the new schools": skip to the phrase
            words.append(word.strip("?!.,"))
    elif match := _COUNT_BEFORE.search(question):
        words = match.group(1).split()
        # The nearest word before 몇 that carries content ("공장 수는 몇" counts 공장, not 수).
        head_word = next((w for w in reversed(words) if _content_terms(w, language, analyzer)
                          and not _FRAME_NOUN.match(w)), None)
    phrase = " ".join(words)
    codes = {code.casefold() for code in _CODE.findall(phrase)}
    if head_word is not None:
        return set(_content_terms(head_word, language, analyzer)) - codes, codes
    nouns = [w for w in words if _content_terms(w, language, analyzer) and not _FRAME_NOUN.match(w)]
    if not nouns:
        return set(), codes
    head = nouns[-1] if language is Language.EN else nouns[0]
    if language is Language.IT and len(nouns) > 1 and _ADJECTIVE.match(head):
        head = nouns[1]
    return set(_content_terms(head, language, analyzer)), codes


def _content_terms(word: str, language: Language, analyzer: Analyzer) -> list[str]:
    """A word's terms without codes (AI, RE100) and bare figures."""
    if _CODE.fullmatch(word.strip("?!.,")):
        return []
    return [t for t in analyzer.terms(word, language) if not t.isdigit()]


# Nouns that frame a count rather than name the thing counted ("AI 공장 목표는 몇 개", "target number").
_FRAME_NOUN = re.compile(r"^(?:목표|규모|총|전체|target|number|total|obiettivo|numero|totale)\w{0,2}$", re.IGNORECASE)

# Italian adjectives that may come before the counted noun ("quante nuove fabbriche").
_ADJECTIVE = re.compile(r"^(?:nuov[eiao]|principal[ie]|grand[ie]|piccol[eiao]|divers[eiao]|altr[eiao])$", re.IGNORECASE)


def _has_evidence(kind: QuestionKind, sentence: str, focus: set[str], counted: tuple[set[str], set[str]], analyzer: Analyzer,
                  language: Language, idf: dict[str, float], min_clause_coverage: float) -> bool:
    """Does the sentence hold the kind of fact asked for, tied to what the question is about?"""
    if kind is QuestionKind.OTHER:
        return True
    if not focus:  # cross-lingual: the question's words cannot be matched, only the kind of fact
        pattern = _EVIDENCE.get(kind)
        return bool(pattern.search(sentence)) if pattern else bool(numbers(sentence))
    if kind in (QuestionKind.PLACE, QuestionKind.PERSON, QuestionKind.AGENT):
        # A name somewhere in the sentence is not enough: the sentence must be about what was asked.
        terms = analyzer.terms(sentence, language)
        return bool(_EVIDENCE[kind].search(sentence)) and term_coverage(list(focus), terms, idf) >= min_clause_coverage
    for clause in split_clauses(sentence):
        clause_terms = analyzer.terms(clause, language)
        if kind is QuestionKind.COUNT:
            # A figure in the same clause as the counted thing ("12 new grants", "9개 지역 거점 국립대학").
            figures = {n for n in numbers(clause) if not re.fullmatch(_YEAR, n)}
            head, codes = counted
            if figures and head & set(clause_terms) and codes <= set(clause_terms):
                return True
        elif _EVIDENCE[kind].search(clause) and term_coverage(list(focus), clause_terms, idf) >= min_clause_coverage:
            return True
    return False


def _contains_names(names: set[str], texts: list[str]) -> bool:
    joined = " ".join(texts).casefold()
    return all(name.casefold() in joined for name in names)


def passages_for(hits: list[Hit], language: Language, versions: Versions, documents: dict[str, Document]) -> list[Chunk]:
    """One passage per alignment group, best first: its version in the question's language when there is one,
    else the original's."""
    chosen: list[Chunk] = []
    seen: set[tuple[str, str]] = set()
    for hit in hits:
        if hit.chunk.align_key in seen:
            continue
        seen.add(hit.chunk.align_key)
        by_language = versions(hit.chunk)
        chosen.append(by_language.get(language) or by_language.get(_original_language(by_language, documents)) or hit.chunk)
    return chosen


def compose_answer(
    question: str,
    language: Language,
    hits: list[Hit],
    versions: Versions,
    documents: dict[str, Document],
    embedder: Embedder,
    analyzer: Analyzer,
    idf: dict[str, float],
    settings: AnswerSettings,
    question_vector: np.ndarray | None = None,
) -> Answer:
    """Answer from the hits, or refuse with the closest passages as "see also".

    `versions(chunk)` gives a passage's versions by language (original and translations).
    """
    kind = question_kind(question)
    query_terms = analyzer.terms(question, language)
    focus = set(query_terms) - numbers(question)
    counted = counted_terms(question, language, analyzer) if kind is QuestionKind.COUNT else (set(), set())
    names = question_names(question)
    query_numbers = numbers(question)
    if question_vector is None:
        question_vector = embedder.embed_queries([question])[0]

    chosen = passages_for(hits, language, versions, documents)

    candidates: list[Candidate] = []
    passages = chosen[:3]
    # What depends only on the passage is measured once per passage, not once per sentence.
    coverage: dict[str, float] = {}
    names_ok: dict[str, bool] = {}
    for chunk in passages:
        all_versions = [c.text for c in versions(chunk).values()]
        same = chunk.language is language
        coverage[chunk.chunk_id] = term_coverage(query_terms, analyzer.terms(chunk.text, chunk.language), idf) if same else 0.0
        names_ok[chunk.chunk_id] = _contains_names(names, all_versions) and query_numbers <= set().union(
            *(numbers(t) for t in all_versions))
    pairs = [(sentence, chunk) for chunk in passages for sentence in split_sentences(chunk.text)]
    if pairs:
        vectors = embedder.embed_passages([s for s, _ in pairs])
        similarities = vectors @ question_vector
        for (sentence, chunk), similarity in zip(pairs, similarities):
            same = chunk.language is language
            sentence_cov = term_coverage(query_terms, analyzer.terms(sentence, chunk.language), idf) if same else 0.0
            candidates.append(
                Candidate(
                    sentence=sentence,
                    chunk=chunk,
                    similarity=float(similarity),
                    coverage=coverage[chunk.chunk_id],
                    sentence_coverage=sentence_cov,
                    same_language=same,
                    evidence=_has_evidence(kind, sentence, focus if same else set(), counted, analyzer, chunk.language, idf, settings.min_clause_coverage),
                    names_present=names_ok[chunk.chunk_id],
                    score=float(similarity) + sentence_cov,
                )
            )

    accepted = [c for c in candidates if _acceptable(c, settings)]
    accepted.sort(key=lambda c: -c.score)
    if not accepted:
        return refusal(question, language, chosen, hits, documents)
    limit = settings.max_sentences if kind is QuestionKind.OTHER else 1
    picked = [accepted[0]] + [c for c in accepted[1:] if c.score >= accepted[0].score - 0.1][: limit - 1]
    return _grounded(question, language, picked, hits, documents)


def _acceptable(candidate: Candidate, settings: AnswerSettings) -> bool:
    if not (candidate.evidence and candidate.names_present):
        return False
    if candidate.same_language:
        return candidate.similarity >= settings.min_similarity and candidate.coverage >= settings.min_coverage
    return candidate.similarity >= settings.min_similarity_crosslingual


def _original_language(by_language: dict[Language, Chunk], documents: dict[str, Document]) -> Language | None:
    for lang, chunk in by_language.items():
        if documents.get(chunk.doc_id) and documents[chunk.doc_id].translation_of is None:
            return lang
    return None


def _citation(n: int, chunk: Chunk, score: float, documents: dict[str, Document]) -> Citation:
    document = documents.get(chunk.doc_id)
    return Citation(
        n=n,
        doc_id=chunk.doc_id,
        title=document.title if document else chunk.doc_id,
        language=chunk.language,
        locator=chunk.locator,
        quote=chunk.text,
        source=document.source if document else "",
        score=score,
        chunk_id=chunk.chunk_id,
        translation_of=document.translation_of if document else None,
        heading=chunk.heading,
        page=chunk.page,
    )


def _hit_score(chunk: Chunk, hits: list[Hit]) -> float:
    return max((h.score for h in hits if h.chunk.align_key == chunk.align_key), default=0.0)


def _grounded(question: str, language: Language, picked: list[Candidate], hits: list[Hit], documents: dict[str, Document]) -> Answer:
    numbering: dict[str, int] = {}
    parts = []
    for candidate in picked:
        n = numbering.setdefault(candidate.chunk.chunk_id, len(numbering) + 1)
        if candidate.same_language:
            parts.append(f"{candidate.sentence} [{n}]")
        else:
            name = LANGUAGE_NAMES[language][candidate.chunk.language]
            parts.append(CROSS_LINGUAL[language].format(name=name, quote=candidate.sentence, n=n))
    chunks = {c.chunk.chunk_id: c.chunk for c in picked}
    citations = tuple(
        _citation(n, chunks[chunk_id], _hit_score(chunks[chunk_id], hits), documents) for chunk_id, n in numbering.items()
    )
    return Answer(question=question, language=language, answer=" ".join(parts), grounded=True, citations=citations)


def refusal(question: str, language: Language, chosen: list[Chunk], hits: list[Hit], documents: dict[str, Document], see_also: int = 3) -> Answer:
    """The honest "not in the documents" answer, with the closest passages as "see also"."""
    citations = tuple(_citation(n, chunk, _hit_score(chunk, hits), documents) for n, chunk in enumerate(chosen[:see_also], 1))
    return Answer(question=question, language=language, answer=REFUSAL[language], grounded=False, citations=citations)


_CITE = re.compile(r"\[(\d+)\]")


def verify_answer(answer: str, citations: tuple[Citation, ...] | list[Citation]) -> list[str]:
    """Problems with an answer: an [n] that resolves to nothing, or a sentence whose figures or names are
    not in a passage it cites. An empty list means the answer is grounded."""
    by_n = {c.n: c for c in citations}
    problems = []
    for sentence in re.split(r"(?<=\])\s+", answer.strip()):
        cited = [int(n) for n in _CITE.findall(sentence)]
        if not cited:
            problems.append(f"no citation: {sentence!r}")
            continue
        missing = [n for n in cited if n not in by_n]
        if missing:
            problems.append(f"[{missing[0]}] resolves to no passage")
            continue
        text = _CITE.sub("", sentence)
        quotes = " ".join(by_n[n].quote for n in cited)
        for figure in numbers(text) - numbers(quotes):
            problems.append(f"figure {figure} is not in the cited passage")
        for name in {m.group(0) for m in _CODE.finditer(text)}:
            if name.casefold() not in quotes.casefold():
                problems.append(f"name {name} is not in the cited passage")
    return problems
