"""Compose a short extractive answer in the question's language, every claim cited, or refuse.

Candidate sentences of the best passages are scored by the learned selector (`selector.py`) from measured
features (`features.py`); the best one answers if its probability clears the selector's threshold, shortened to
the part that holds the fact. The verifier (`verify_answer`) stays a hard gate after it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np

from .features import (MAX_ANSWER_CHARS, PassageContext, about_other_countries, agreeing, beyond_title_coverage,
                       candidate_features, confidence_features, counted_elsewhere, counted_unnamed, defines_asked_term,
                       evidence, fits_together, held_terms, names_share, no_amount, no_date, no_definition, no_figure,
                       no_form, no_name, no_penalty, no_place, no_quantity, restating, versions_text, weighted_coverage)
from .question import Asks, Cues, Question, codes
from .selector import LinearModel, Selector
from .sentences import Sentence
from .text import STOPWORDS, erase, numbers
from .types import Answer, Chunk, Citation, Document, Hit, Language

Versions = Callable[[Chunk], dict[Language, Chunk]]  # a passage → its versions by language

LANGUAGE_NAMES: dict[Language, dict[Language, str]] = {
    Language.IT: {Language.IT: "italiano", Language.KO: "coreano", Language.EN: "inglese"},
    Language.KO: {Language.IT: "이탈리아어", Language.KO: "한국어", Language.EN: "영어"},
    Language.EN: {Language.IT: "Italian", Language.KO: "Korean", Language.EN: "English"},
}
# A refusal says what the search found, not that the documents are silent: most refused questions that have an
# answer were refused because no passage answered them for certain (held out, two in three refusals).
REFUSAL: dict[Language, str] = {
    Language.IT: "Non l'ho trovato nei documenti: nessun passaggio trovato risponde con certezza a questa domanda.",
    Language.KO: "문서에서 찾지 못했습니다. 찾은 구절 중 이 질문에 확실히 답하는 구절이 없습니다.",
    Language.EN: "I could not find this in the documents: no passage I found answers the question for certain.",
}
SEE_ALSO: dict[Language, str] = {
    Language.IT: "Passaggi più vicini, da vedere:",
    Language.KO: "관련성이 가장 높은 구절(참고):",
    Language.EN: "Closest passages, see also:",
}
# A fact found only in a document in another language: said in the asker's language, naming the document and
# its language, with the source sentence quoted as written.
CROSS_LINGUAL: dict[Language, str] = {
    Language.IT: "Secondo il documento in {name} «{title}»: {fact} — testo originale: «{quote}» [{n}]",
    Language.KO: "{name} 문서 «{title}»에 따르면 {fact}입니다. 원문: «{quote}» [{n}]",
    Language.EN: "According to the {name} document «{title}»: {fact} — original text: «{quote}» [{n}]",
}
CROSS_LINGUAL_NO_FACT: dict[Language, str] = {
    Language.IT: "Il documento in {name} «{title}» lo dice così: «{quote}» [{n}]",
    Language.KO: "{name} 문서 «{title}»에는 다음과 같이 적혀 있습니다: «{quote}» [{n}]",
    Language.EN: "The {name} document «{title}» says: «{quote}» [{n}]",
}
# Where a long sentence may be cut into clauses: commas, semicolons, colons, and Korean connective endings.
_CLAUSE = re.compile(r"(?<=[,;:])\s+|(?<=[가-힣](?:고|며|나|되|서|여)),?\s+|\s+(?=\(|–\s)")


@dataclass(frozen=True)
class Candidate:
    """A sentence that might answer, with its features and the selector's probability."""

    sentence: Sentence
    chunk: Chunk
    rank: int
    features: np.ndarray
    probability: float = 0.0
    after: Sentence | None = None  # the next sentence of its passage (read with it when the two fit together)


def _original_language(by_language: dict[Language, Chunk], documents: dict[str, Document]) -> Language | None:
    for lang, chunk in by_language.items():
        if documents.get(chunk.doc_id) and documents[chunk.doc_id].translation_of is None:
            return lang
    return None


def passages_for(hits: list[Hit], language: Language, versions: Versions, documents: dict[str, Document]) -> list[Chunk]:
    """One passage per alignment group, best first: its version in the question's language when there is one,
    else the original's."""
    chosen: list[Chunk] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.chunk.align_key in seen:
            continue
        seen.add(hit.chunk.align_key)
        by_language = versions(hit.chunk)
        chosen.append(by_language.get(language) or by_language.get(_original_language(by_language, documents)) or hit.chunk)
    return chosen


def closest_passages(hits: list[Hit], first: Chunk | None, language: Language, versions: Versions,
                     documents: dict[str, Document]) -> list[Chunk]:
    """The passages a refusal offers to read, best first: the passage of the chooser's best candidate leads when
    there is one (held out by document, it holds the answer to 40 % of the answerable questions refused; the
    best retrieved passage, to 33 %), then the others in retrieval order."""
    if first is not None:
        hits = ([h for h in hits if h.chunk.align_key == first.align_key]
                + [h for h in hits if h.chunk.align_key != first.align_key])
    return passages_for(hits, language, versions, documents)


# A blank to fill in ("Il sottoscritto ________ nato a ____", "Al Comune di …………"), or a table of contents' dot
# leaders ("B.2 Progetti finanziabili ........ 8"): the line of a form or an entry of contents, stating nothing.
BLANK_TO_FILL = re.compile(r"_{4,}|…{3,}|\.{6,}")


def gather_candidates(question: Question, hits: list[Hit], store, idf: dict[str, float], passages: int,
                      cues: dict[Language, Cues] | None = None) -> list[Candidate]:
    """Every sentence of the best `passages` passages but a form's blank lines, with its features (selector not yet
    applied)."""
    if not hits or question.vector is None:
        return []
    chosen = passages_for(hits, question.language, store.aligned, store.documents)[:passages]
    best_keyword = max((h.keyword_score for h in hits), default=0.0) or 1.0
    by_group = {h.chunk.align_key: h for h in hits}
    rows: list[tuple[Sentence, Chunk, int, PassageContext]] = []
    for rank, chunk in enumerate(chosen, 1):
        position = store.position[chunk.chunk_id]
        hit = by_group[chunk.align_key]
        versions = store.aligned(chunk).values()
        same = chunk.language is question.language
        context = PassageContext(
            rank=rank,
            score=hit.score - hits[0].score,
            vector_score=hit.vector_score,
            keyword_score=hit.keyword_score / best_keyword,
            coverage=weighted_coverage(question.focus, set(store.chunk_terms[position]), idf) if same else 0.0,
            heading_coverage=weighted_coverage(question.focus, set(store.heading_terms[position]), idf) if same else 0.0,
            figures=frozenset().union(*(numbers(v.text) for v in versions)),
            text=versions_text(versions).casefold(),
        )
        rows.extend((sentence, chunk, rank, context) for sentence in store.sentences.of(position)
                    if not BLANK_TO_FILL.search(sentence.text))
    if not rows:
        return []
    similarities = np.stack([s.vector for s, *_ in rows]) @ question.vector
    seconds = np.full(len(rows), np.nan)
    if question.sentence_vector is not None and all(s.second is not None for s, *_ in rows):
        seconds = np.stack([s.second for s, *_ in rows]) @ question.sentence_vector
    terms_held = [held_terms(question, s.terms, s.language) for s, *_ in rows]
    coverages = [weighted_coverage(question.focus, h, idf) if s.language is question.language else 0.0
                 for (s, *_), h in zip(rows, terms_held)]
    titles = [store.title_terms.get(chunk.doc_id, frozenset()) for _, chunk, *_ in rows]
    defines = [defines_asked_term(question, cues[s.language].defined_terms(s.text), title, idf)
               if cues and s.language is question.language else 0.0 for (s, *_), title in zip(rows, titles)]
    beyond = [beyond_title_coverage(question, h, title, idf) if s.language is question.language else 0.0
              for (s, *_), h, title in zip(rows, terms_held, titles)]
    best_similarity, best_coverage = float(similarities.max()), max(coverages)
    previous = [coverages[j - 1] if j > 0 and rows[j - 1][1] is rows[j][1] else 0.0 for j in range(len(rows))]
    following = [rows[j + 1][0] if j + 1 < len(rows) and rows[j + 1][1] is rows[j][1] else None for j in range(len(rows))]
    return [
        Candidate(sentence, chunk, rank, candidate_features(
            question, sentence, context, idf, float(similarity), best_similarity, coverage, best_coverage, before,
            cues[sentence.language].evidence.get(question.asks, ()) if cues and sentence.language is question.language else (),
            after, float(second), float(seconds.max()),
            cues[sentence.language].held_forms(sentence.text) if cues and question.forms else frozenset(),
            beyond_title, max(beyond), defined), after=after)
        for (sentence, chunk, rank, context), similarity, coverage, before, after, second, beyond_title, defined
        in zip(rows, similarities, coverages, previous, following, seconds, beyond, defines)
    ]


def chooser_pick(candidates: list[Candidate], chooser: LinearModel, given: frozenset[str] = frozenset()
                 ) -> tuple[int, np.ndarray]:
    """The position of `chooser`'s best candidate (ties: the better passage, the earlier sentence) and the
    confidence features of that pick (`given`: the question's own figures, which say nothing new)."""
    features = np.stack([c.features for c in candidates])
    scores = chooser.score(features)
    index = min(range(len(candidates)), key=lambda i: (-scores[i], candidates[i].rank, candidates[i].sentence.position))
    agree = agreeing([c.sentence.figures for c in candidates], features, index, given)
    agree |= restating(np.stack([c.sentence.vector for c in candidates]), index)
    return index, confidence_features(scores, index, features, agree)


def best_candidate(candidates: list[Candidate], selector: Selector, given: frozenset[str] = frozenset()
                   ) -> tuple[int, float]:
    """The position of the chooser's best candidate in `candidates`, and the confidence model's probability that
    answering with it is right."""
    index, row = chooser_pick(candidates, selector.chooser, given)
    return index, float(selector.confidence.probability(row)[0])


_YEAR = re.compile(r"^(?:19|20)\d\d$")


def other_year(question: Question, sentence: str, title: str = "") -> bool:
    """The question asks about a year and the sentence speaks of other years only ("in 2016?" answered by a 2015
    figure): a hard gate, like the verifier, whatever the selector's confidence. A year of the answer's document
    `title` names the document ("il decreto-legge 8 del 2000", "the 2025 sports facilities call"), and the year of
    an eligibility question is the asker's ("I opened my VAT number in 2022: can I apply?"): neither is asked about."""
    if question.asks is Asks.ELIGIBILITY:
        return False
    asked = {f for f in question.figures if _YEAR.match(f)} - numbers(title)
    said = {f for f in numbers(sentence) if _YEAR.match(f)}
    return bool(asked) and bool(said) and not asked & said


_FIGURES_ASKED = (Asks.AMOUNT, Asks.COUNT, Asks.DATE)  # kinds whose fact a lead-in itself may give

FORM_NAMES = {"email": "e-mail address", "percent": "percentage", "duration": "length of time"}


def costs_for_whom(question: Question, text: str, table: Cues) -> bool:
    """A question of who may apply, or until when, that does not speak of spending ("Chi può presentare domanda?",
    "Entro quando si presenta la domanda?"), answered by a text that says which costs are eligible ("Sono
    ammissibili le spese … sostenute dal 1° giugno 2024"): "ammissibile", or the costs' dates, told the wrong thing."""
    return (question.asks in (Asks.ELIGIBILITY, Asks.DATE) and not question.about_costs
            and any(p.search(text) for p in table.costs_held))


@dataclass(frozen=True)
class Source:
    """What the gates know of the document an answer comes from (`source_of`)."""

    text: str  # its title and every passage, with their other language versions (`Store.document_text`)
    passage: str  # the answer's passage, every language version with its heading, and the document's title
    title: str
    countries: frozenset[str]  # the countries it names (`Store.countries_named`)
    titles: tuple[str, ...] = ()  # every document's title in the index, case-folded (`Store.titles`)
    title_languages: tuple[Language, ...] = ()  # the language of each (`Store.title_languages`)
    # Every word some passage writes in lower case (`Store.lower_words`), read only for a question asking a name.
    common_words: Callable[[], frozenset[str]] = frozenset


def source_of(chunk: Chunk, store) -> Source:
    """The gates' view of `chunk`'s document."""
    title = store.documents[chunk.doc_id].title if chunk.doc_id in store.documents else ""
    return Source(store.document_text(chunk.doc_id), f"{versions_text(store.aligned(chunk).values())} {title}", title,
                  store.countries_named(chunk.doc_id), store.titles, store.title_languages,
                  lambda: store.lower_words)


def named_elsewhere(question: Question, passage: str, document: str = "", same: Sequence[Sequence[str]] = (),
                    korean: bool = False) -> list[str]:
    """The codes a question names ("ACME KPS", "ABC-24-019", "XY03") when its answer's source names none of
    them: another document ("how long is the ACME KPS warranty?" answered, across languages, by an Italian call's
    "12 mesi"). Codes stay as written in every language; words do not. A code is named as a whole ("AI" is not
    named by "training"; "에이스KPS" names "KPS"), or by its other language's initials (`same`: "IA" and "AI"),
    anywhere in the `document` (`Store.document_text`); a code of two letters only in the `passage` (its versions
    and the document's title: a long text holds "AI/AN" for American Indians). In the passage, a code asked may
    also be spelled out by the initials of capitalised words ("PA" by "Public Administration", "PCM" by "Presidenza del
    Consiglio dei Ministri"). A Korean document (`korean`) writes an English name's initials ("MOEL") in Korean:
    there only codes with a figure ("XY03") are looked for."""
    asked = sorted(codes(question.text))
    if korean:
        asked = [code for code in asked if any(character.isdigit() for character in code)]
    if not asked:
        return []
    names = sorted({other for code in asked for group in same if code in group for other in group} | set(asked))

    def whole(found: list[str]) -> str:
        return "|".join(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])" for code in found)

    spelled = [r"\b" + r"\s+(?:[a-z]{1,4}\s+)?".join(rf"{letter}[a-z]+" for letter in code) + r"\b"
               for code in asked if code.isalpha() and code.isupper() and 2 <= len(code) <= 6]
    in_passage = re.search(f"(?i:{whole(names)})" + "".join(f"|{p}" for p in spelled), passage)
    long_codes = [code for code in names if len(code) > 2]
    in_document = bool(long_codes) and re.search(f"(?i:{whole(long_codes)})", document)
    return [] if in_passage or in_document else asked


# An act named by its number and year ("dl 12/2003", "Reg. 1234/2019"), as a question writes it.
_ACT = re.compile(r"(?<![\d/.,-])(\d{1,5})/((?:19|20)\d\d)(?![\d/])")


def act_elsewhere(question: Question, document: str) -> list[str]:
    """The acts a question names by number and year ("decree-law 12/2003") that its answer's `document`
    (`Store.document_text`) never names, as "12/2003" or by its number beside its year ("3 marzo 2003, n. 12",
    "No 12 of 2003"): the answer is about another act."""
    missing = []
    for number, year in _ACT.findall(question.text):
        named = (rf"(?<![\d/.,-]){number}/{year}(?![\d/])",
                 rf"\b{year}\b[^.;\n]{{0,40}}?\b(?:n|no|nr|num)\.?\s*{number}(?!\d)",
                 rf"\b(?:n|no|nr|num)\.?\s*{number}(?!\d)[^.;\n]{{0,40}}?\b{year}\b")
        if not any(re.search(pattern, document, re.IGNORECASE) for pattern in named):
            missing.append(f"{number}/{year}")
    return missing


# Two or more capitalised words in a row ("Smart Working", "Fondo Rotativo", "Open Data Policy"): read in pairs.
_CAPITALISED_RUN = re.compile(r"(?<![\w-])[A-Z][a-zà-ÿ]+(?:\s+[A-Z][a-zà-ÿ]+)+(?![\w-])")
_LETTERS = re.compile(r"(?<![\w-])[^\W\d_]{3,}(?![\w-])")
_STOP = frozenset().union(*STOPWORDS.values())


def title_elsewhere(question: Question, source: str, titles: Sequence[str],
                    languages: Sequence[Language] = ()) -> list[str]:
    """The names a question gives that are part of some document's title ("the Smart Working app": a manual's
    title) when its answer's document (`source`: `Store.document_text`, with its title) never names them: the
    question is about that document, and the answer comes from another ("Qual è il numero dell'help desk
    dell'applicativo Smart Working?" answered, across languages, by a US grant's help line). `titles`: every
    document's title; `languages`, each one's language. Pairs of capitalised words, in any title; a single word
    ("Korea", "Regulation") is too often a translation away. Two words in a row typed in lower case, neither a
    stopword ("the fondo rotativo call: …"), only in a title in another language than the question's: a name
    kept as written across languages, not a phrase of the asker's own language that a title happens to use ("il
    piano nazionale" of a foreign plan, asked in Italian, names no Italian plan)."""
    pairs = [(f"{a} {b}".casefold(), True) for run in map(str.split, _CAPITALISED_RUN.findall(question.text))
             for a, b in zip(run, run[1:])]
    words = [w.casefold() for w in _LETTERS.findall(question.text)]
    pairs += [(f"{a} {b}", False) for a, b in zip(words, words[1:]) if a not in _STOP and b not in _STOP]
    every = "\n".join(titles)  # one search over all titles, not one per title
    foreign = "\n".join(title for title, language in zip(titles, languages) if language is not question.language)
    named, low_source = [], None
    for pair, capitalised in dict.fromkeys(pairs):
        if holds_whole(every if capitalised else foreign, pair):
            low_source = source.casefold() if low_source is None else low_source  # a long text: only when needed
            if not holds_whole(low_source, pair) and pair not in named:
                named.append(pair)
    return named


def holds_whole(text: str, words: str) -> bool:
    """Whether `text` holds `words` with no letter, digit or underscore glued to either end (what a regular
    expression's word boundaries would say, without compiling a pattern for every pair of words a question gives)."""
    start = text.find(words)
    while start >= 0:
        end = start + len(words)
        if (start == 0 or not _is_word(text[start - 1])) and (end == len(text) or not _is_word(text[end])):
            return True
        start = text.find(words, start + 1)
    return False


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


def refusal_reasons(question: Question, best: Candidate, confidence: float, threshold: float,
                    cues: dict[Language, Cues], source: Source | None = None) -> list[str]:
    """Why the chooser's best candidate may not answer; empty when it may: confident enough, not about another
    year, not a figure that counts something else, and holding, in the text the asker is given, what the
    question asks for: a figure that could be the amount or count, a date for a "when", a percentage, an
    e-mail address or a length of time when one is asked for, and not which costs are eligible for "who may
    apply" or "until when"; nor (`source`: its document, `source_of`) from a document that names none of the
    codes the question names, or none of the words of another document's title it names, or only other countries
    than it names."""
    table = cues[best.sentence.language]
    not_counts = table.not_counts
    # The figure or date must be in the text the asker reads, not only somewhere in a long sentence it was cut from.
    text = given_span(question, best, cues)
    reasons = []
    if confidence < threshold:
        reasons.append(f"its confidence {confidence:.2f} is under the threshold {threshold:.2f}")
    if other_year(question, best.sentence.text, source.title if source else ""):
        reasons.append("the question asks about a year the sentence does not speak of")
    if counted_elsewhere(question, best.sentence, not_counts):
        reasons.append("its figure counts something other than what the question counts")
    if counted_unnamed(question, best.sentence):
        reasons.append("it never names what the question counts")
    kinds, held = table.evidence_kinds(text), table.held_forms(text)
    if no_quantity(question, text, not_counts, held):
        reasons.append("it holds no figure that could be the amount or number asked for")
    if no_date(question, kinds, held):
        reasons.append("it holds no date, day or period, and the question asks when")
    if no_figure(question, text):
        reasons.append("it holds no figure, and the question asks for one")
    if no_definition(question, kinds):
        reasons.append("it defines nothing, and the question asks what a term means")
    if no_amount(question, kinds, held):
        reasons.append("it holds no sum of money or share, and the question asks how much")
    if no_place(question, text, table, held):
        reasons.append("it names no place, and the question asks where")
    if no_penalty(question, text, table):
        reasons.append("it states no penalty, and the question asks which applies")
    if source is not None and question.asks_name and no_name(question, text, source.common_words()):
        reasons.append("it gives no name, and the question asks for one")
    if lacking := no_form(question, held):
        reasons.append(f"it holds no {FORM_NAMES.get(lacking, lacking)}, and the question asks for one")
    if costs_for_whom(question, best.sentence.text, table):  # what the whole sentence is about, not only the cut
        reasons.append("it says which costs are eligible, and the question asks who may apply, or when")
    # "… only if:", without the items, answers nothing; a lead-in that holds the figure asked for does ("총사업비가
    # 300억원 이상이고 … 다음 각 호의 어느 하나에 해당하는", "… supports the five goals … the following").
    if (table.introduces_list(best.sentence.text) and table.introduces_list(text)
            and not (question.asks in _FIGURES_ASKED and evidence(question, best.sentence))):
        reasons.append("it only introduces a list it does not give")
    if (question.asks is Asks.ELIGIBILITY and not evidence(question, best.sentence)
            and not table.states_condition(best.sentence.text)):
        reasons.append("it states no condition, and the question asks who may apply")
    if source is not None:
        same = [group for language_table in cues.values() for group in language_table.same_codes]
        if missing := named_elsewhere(question, source.passage, source.text, same, best.chunk.language is Language.KO):
            reasons.append(f"its document names none of {', '.join(missing)}, which the question names")
        if missing := act_elsewhere(question, source.text):
            reasons.append(f"its document never names {', '.join(missing)}, which the question names")
        if missing := title_elsewhere(question, source.text, source.titles, source.title_languages):
            reasons.append(f"the question names {', '.join(f'«{m}»' for m in missing)}, from another document's title")
    if about_other_countries(question, source.countries if source else None):
        reasons.append("its document speaks of other countries than the one the question names")
    return reasons


def shorten(sentence: str, question: Question, cues: Cues, limit: int = MAX_ANSWER_CHARS) -> str:
    """The shortest part of a long sentence that holds the fact and reads on its own: the clause with the fact
    (and most of the question's terms), widened with its neighbouring clauses while they fit in `limit`
    characters, and the room still left filled with the words that follow it, then those before it; or, when
    that leaves out the form of answer the question names and the sentence holds, the words around that form."""
    if len(sentence) <= limit:
        return sentence
    pieces = [p for p in _CLAUSE.split(sentence) if p]
    # The form of answer the question names (an e-mail address for "which e-mail…"), when the sentence holds
    # it, marks the clause to keep; else the kind of fact asked for (as in `key_fact`).
    forms = _form_patterns(question.forms, cues)
    form = next((m for p in forms if (m := p.search(sentence))), None)  # the first form of answer it holds
    patterns = forms if form else list(cues.evidence.get(question.asks, ()))
    # A figure is asked for: a clause with one beats one without, when the kind's patterns find none ("how long"
    # is answered by "within six (6) months", which is no date).
    wants_figure = question.wants_figure or question.asks in (Asks.AMOUNT, Asks.COUNT, Asks.DATE)
    text = _clauses_cut(sentence, pieces, question, patterns, wants_figure, limit) if len(pieces) > 1 else \
        sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    if not form or any(p.search(text) for p in forms):
        return text
    # The form of answer asked for must be in the cut: a clause too long to give whole is cut at its start, and
    # the room left is filled from the next clause, either of which can leave it out ("…entro un termine massimo
    # di 90 (novanta) giorni" for "how long"). Then the cut is made around the first one the sentence holds. Not
    # for a kind of fact alone: a date's patterns also find the year in a programme's name, which answers no
    # "when" and which the gates must see missing.
    return _around(sentence, *form.span(), limit)


def _around(sentence: str, start: int, end: int, limit: int) -> str:
    """The words of a sentence around its characters start:end, as many as fit in `limit` characters with the
    marks of a cut: the rest of the clause after them first (at most a third of the room), then the words before,
    then more after."""
    while start > 0 and not sentence[start - 1].isspace():
        start -= 1
    while end < len(sentence) and not sentence[end].isspace():
        end += 1
    room = limit - 2 - (end - start)
    if room < 0:
        return sentence[start : start + limit - 2].rsplit(" ", 1)[0] + "…"
    following = sentence[end:].lstrip()
    after = _words(re.split(r"(?<=[,;:])\s", following, maxsplit=1)[0], room // 3)
    before = _words(sentence[:start].rstrip(), room - len(after) - 1, last=True)
    more = _words(following[len(after):].lstrip(), room - len(after) - len(before) - 2)
    text = " ".join(t for t in (before, sentence[start:end], after, more) if t)
    return ("" if sentence.startswith(text) else "…") + text + ("" if sentence.endswith(text) else "…")


def _clauses_cut(sentence: str, pieces: list[str], question: Question, patterns: list[re.Pattern], wants_figure: bool,
                 limit: int) -> str:
    """The clause of a long sentence with the fact (and most of the question's terms), widened with its
    neighbouring clauses while they fit in `limit` characters, and the room still left filled with the words that
    follow it, then those before it."""
    focus = [t.casefold() for t in question.focus if len(t) > 1]

    def merit(piece: str) -> float:
        low, found = piece.casefold(), numbers(piece)
        return (2.0 * any(p.search(piece) for p in patterns) + sum(t in low for t in focus) / (len(focus) or 1)
                + len(question.figures & found) + float(wants_figure and bool(found - question.figures)))

    best = max(range(len(pieces)), key=lambda i: merit(pieces[i]))
    start = end = best
    while True:
        grown = False
        for left, right in ((start - 1, end), (start, end + 1)):
            if 0 <= left and right < len(pieces) and len(" ".join(pieces[left : right + 1])) <= limit - 2:
                start, end, grown = left, right, True
                break
        if not grown:
            break
    text = " ".join(pieces[start : end + 1])
    if len(text) > limit - 2:
        return ("…" if start > 0 else "") + text[: limit - 3].rsplit(" ", 1)[0] + "…"
    # The room left is filled with the words that follow, then those before: a neighbouring clause too long to
    # join whole often carries the end of the fact ("24 (ventiquattro) mesi", an address in parentheses).
    after = _words(pieces[end + 1], limit - 3 - len(text)) if end + 1 < len(pieces) else ""
    text = f"{text} {after}" if after else text
    before = _words(pieces[start - 1], limit - 3 - len(text), last=True) if start > 0 else ""
    text = f"{before} {text}" if before else text
    whole = " ".join(pieces)
    return ("" if whole.startswith(text) else "…") + text + ("" if whole.endswith(text) else "…")


def _form_patterns(forms: frozenset[str], cues: Cues) -> list[re.Pattern]:
    """The patterns that find the forms of answer a question names (`forms`: an e-mail address, a percentage…)."""
    return [p for form in sorted(forms) for p in cues.forms_held.get(form, ())]


def _words(piece: str, room: int, last: bool = False) -> str:
    """The first (`last`: the last) whole words of a piece that fit in `room` characters."""
    words = piece.split(" ")
    kept: list[str] = []
    for word in reversed(words) if last else words:
        if len(word) + sum(len(w) + 1 for w in kept) > room:
            break
        kept.append(word)
    return " ".join(reversed(kept) if last else kept)


def given_span(question: Question, candidate: Candidate, cues: dict[Language, Cues]) -> str:
    """The text of the candidate an answer gives: the sentence read with the next one when both fit, else the
    part of it that holds the fact (`shorten`)."""
    sentence = candidate.sentence
    return with_context(sentence, candidate.after) or shorten(sentence.text, question, cues[sentence.language])


def with_context(sentence: Sentence, after: Sentence | None, limit: int = MAX_ANSWER_CHARS) -> str:
    """The sentence read with the next one of its passage when both fit in `limit` characters ("" otherwise): a
    lead-in with its first item, a heading with its first line, a figure with the sentence that qualifies it.
    Held out by document this answered right more often than the sentence alone, or than adding the next one only
    to lead-ins and to sentences without the kind of fact asked for (README, "How it answers")."""
    return f"{sentence.text} {after.text}" if fits_together(sentence, after, limit) else ""


MAX_FACT_CHARS = 60


def key_fact(text: str, question: Question, cues: Cues) -> str:
    """The words of a sentence that carry the fact asked for: the form of answer asked for (an e-mail address, a
    phone number, a percentage…), else what the patterns of the kind asked for find (an amount, a date, a count).
    Empty when nothing is found, when the question asks for no figure (the first number of a sentence is then no
    answer: "which GPU?" is not answered by "3.9"), or when the sentence holds several different such facts (which
    one answers is for the reader of the quote to see, not for the answer to guess): the answer then quotes the
    sentence without naming a fact. Editorial notes (a statute's "<개정 2013.5.28>") are no facts."""
    text = erase(text, cues.annotations)
    # A duration's form only says that a span of time is there ("from … until …" included): the kind's patterns
    # name it whole ("120일 전까지", not "120일").
    forms = _form_patterns(question.forms - {"duration"}, cues)
    kinds = list(cues.evidence.get(question.asks, ())) if question.asks is not Asks.OTHER else []
    for group in (forms, kinds):
        facts = _facts(text, group, cues.particles)
        if group is kinds:
            # A place or a person is named by a proper name (or a figure: an address); a common noun the place
            # patterns find ("building", "room") is evidence for the chooser, not a fact to name.
            facts = [f for f in facts if numbers(f) or question.asks in (Asks.PLACE, Asks.PERSON) and not f.islower()]
        if facts:
            return facts[0] if len(facts) == 1 else ""
    if question.asks not in (Asks.AMOUNT, Asks.COUNT, Asks.DATE) and not question.wants_figure:
        return ""
    figures = list(dict.fromkeys(m.group(0).rstrip(".,") for m in re.finditer(r"\d[\d.,]*", text)))
    return figures[0] if len(figures) == 1 else ""


_FACT_END = ",;.)>]»”\""
_SPELLED = re.compile(r"(?<!\S)[^\W\d_]+(?:-[^\W\d_]+)?\s$")  # a word spelled out just before a bracket


def _facts(text: str, patterns: list[re.Pattern], particles: tuple[str, ...] = ()) -> list[str]:
    """The distinct facts the patterns find in a text, each widened to the whole figure or word group it sits in
    ("15.000 euro", "30 giugno 2025"; "http://example.org/a.b" whole), those that touch merged, in text order;
    one longer than MAX_FACT_CHARS (a long link or word group is no fact to name: the quote shows it) left out."""
    spans = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            while start > 0 and not text[start - 1].isspace():
                start -= 1
            # Digits in brackets repeat the figure spelled out before them ("fifty (50) percent"): it is said whole.
            spelled = _SPELLED.search(text, 0, start) if text.startswith("(", start) else None
            start = spelled.start() if spelled else start
            # A full stop or comma inside a figure or an address ("20.000,00", "pcm.it") belongs to it.
            while end < len(text) and not text[end].isspace() and not (
                    text[end] in _FACT_END and (end + 1 == len(text) or not text[end + 1].isalnum())):
                end += 1
            spans.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:  # overlapping, or one space apart ("30 giugno", "2025년 12월")
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    facts = [_without_particle(text[a:b].strip(" ,;:"), particles) for a, b in merged]
    return list(dict.fromkeys(f for f in facts if f and len(f) <= MAX_FACT_CHARS))


def _without_particle(fact: str, particles: tuple[str, ...]) -> str:
    """A figure's fact without the particle its word carries ("2대를" → "2대"): the fact, not its grammar."""
    for particle in particles:
        rest = fact[: -len(particle)]
        if fact.endswith(particle) and rest and any(c.isdigit() for c in rest) and not rest[-1].isspace():
            return rest
    return fact


def quoted_span(candidate: Candidate) -> str:
    """The part of the candidate's passage its answer rests on, as the passage writes it: the sentence, through
    the next one when the two are read together (`with_context`)."""
    sentence, text = candidate.sentence, candidate.chunk.text
    start = text.find(sentence.text)
    if start < 0:
        return sentence.text
    end = start + len(sentence.text)
    if with_context(sentence, candidate.after):
        following = text.find(candidate.after.text, end)
        if following >= 0:
            end = following + len(candidate.after.text)
    return text[start:end]


def closest_sentences(candidates: list[Candidate], chooser: LinearModel) -> dict[str, str]:
    """For each passage that gave candidates, the sentence the chooser scores highest (ties: the earlier one),
    by chunk id: what a refusal shows of each passage it offers to read, in place of the passage's first
    words (on the development set's refused answerable questions it held the answer 128 times in 393, the
    passage's opening 79: README, "Chat and JSON API")."""
    if not candidates:
        return {}
    scores = chooser.score(np.stack([c.features for c in candidates]))
    best: dict[str, tuple[tuple[float, int], Candidate]] = {}
    for score, candidate in zip(scores, candidates):
        key, chunk_id = (-float(score), candidate.sentence.position), candidate.chunk.chunk_id
        if chunk_id not in best or key < best[chunk_id][0]:
            best[chunk_id] = (key, candidate)
    return {chunk_id: quoted_span(candidate) for chunk_id, (_, candidate) in best.items()}


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


def answer_text(question: Question, candidate: Candidate, documents: dict[str, Document], cues: dict[Language, Cues],
                n: int = 1) -> str:
    """The answer's text: the part of the sentence that holds the fact, cited; in another language, a sentence
    in the asker's language that names the source and carries the fact, with the source quoted."""
    sentence = candidate.sentence
    span = given_span(question, candidate, cues)
    if sentence.language is question.language:
        return f"{span} [{n}]"
    document = documents.get(candidate.chunk.doc_id)
    title = document.title if document else candidate.chunk.doc_id
    title = title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + "…"
    name = LANGUAGE_NAMES[question.language][sentence.language]
    fact = key_fact(span, question, cues[sentence.language])
    if any(character.isalpha() for character in fact):  # words of the source language ("2009년"): quoted as written
        fact = f"«{_inner_quotes(fact)}»"
    template = CROSS_LINGUAL if fact else CROSS_LINGUAL_NO_FACT
    return template[question.language].format(name=name, title=_inner_quotes(title), fact=fact,
                                              quote=_inner_quotes(span), n=n)


def _inner_quotes(text: str) -> str:
    """A text set inside «…»: its own guillemets become curly quotes, so that the quotation's bounds stay clear."""
    return text.replace("«", "“").replace("»", "”")


def compose_answer(question: Question, hits: list[Hit], store, selector: Selector, cues: dict[Language, Cues],
                   idf: dict[str, float], passages: int = 4, threshold: float | None = None) -> tuple[Answer, list[Candidate]]:
    """Answer from the hits, or refuse with the closest passages as "see also"; also the scored candidates."""
    candidates = gather_candidates(question, hits, store, idf, passages, cues)
    return answer_from(question, hits, candidates, store, selector, cues, threshold), candidates


def answer_from(question: Question, hits: list[Hit], candidates: list[Candidate], store, selector: Selector,
                cues: dict[Language, Cues], threshold: float | None = None) -> Answer:
    """The chooser's best candidate as the answer when its confidence reaches the threshold (the selector's
    when None); otherwise a refusal whose "see also" starts with that candidate's passage."""
    if not candidates:
        return refusal(question.text, question.language, passages_for(hits, question.language, store.aligned,
                                                                      store.documents), hits, store.documents)
    index, confidence = best_candidate(candidates, selector, question.figures)
    best = replace(candidates[index], probability=confidence)
    if refusal_reasons(question, best, confidence, selector.threshold if threshold is None else threshold, cues,
                       source_of(best.chunk, store)):
        chosen = closest_passages(hits, best.chunk, question.language, store.aligned, store.documents)
        return refusal(question.text, question.language, chosen, hits, store.documents, confidence=confidence,
                       sentences=closest_sentences(candidates, selector.chooser))
    text = answer_text(question, best, store.documents, cues)
    citation = replace(_citation(1, best.chunk, _hit_score(best.chunk, hits), store.documents),
                       sentence=quoted_span(best))
    return Answer(question=question.text, language=question.language, answer=text, grounded=True,
                  citations=(citation,), confidence=confidence)


def refusal(question: str, language: Language, chosen: list[Chunk], hits: list[Hit], documents: dict[str, Document],
            see_also: int = 3, confidence: float | None = None, sentences: dict[str, str] | None = None) -> Answer:
    """The honest "not in the documents" answer, with the closest passages as "see also" (`confidence`: the
    selector's probability for the candidate it did not dare give; `sentences`: each passage's closest sentence,
    by chunk id)."""
    sentences = sentences or {}
    citations = tuple(replace(_citation(n, chunk, _hit_score(chunk, hits), documents),
                              sentence=sentences.get(chunk.chunk_id, ""))
                      for n, chunk in enumerate(chosen[:see_also], 1))
    return Answer(question=question, language=language, answer=REFUSAL[language], grounded=False, citations=citations,
                  confidence=confidence)


def verified(answer: Answer, question: str, language: Language, hits: list[Hit], store) -> Answer:
    """The answer, unless a passage it cites does not support it: then a refusal, never what the passages do not
    say (the verifier is a hard gate after the selector)."""
    if answer.grounded and verify_answer(answer.answer, answer.citations):
        return refusal(question, language, passages_for(hits, language, store.aligned, store.documents), hits,
                       store.documents, confidence=answer.confidence)
    return answer


_CITE = re.compile(r"\[(\d+)\]")
# A claim ends at its citation ("… [1]"), not at any bracket the quoted text holds ("write to the agency at [email]").
_CLAIM_END = re.compile(r"(?:(?<=\[\d\])|(?<=\[\d\d\]))\s+")


def verify_answer(answer: str, citations: tuple[Citation, ...] | list[Citation]) -> list[str]:
    """Problems with an answer: an [n] that resolves to nothing, or a sentence whose figures or codes are not in
    a passage it cites (or its heading path, or its document's title). An empty list means the answer is grounded."""
    by_n = {c.n: c for c in citations}
    problems = []
    for sentence in _CLAIM_END.split(answer.strip()):
        cited = [int(n) for n in _CITE.findall(sentence)]
        if not cited:
            problems.append(f"no citation: {sentence!r}")
            continue
        missing = [n for n in cited if n not in by_n]
        if missing:
            problems.append(f"[{missing[0]}] resolves to no passage")
            continue
        text = _CITE.sub("", sentence)
        sources = " ".join(f"{by_n[n].quote} {by_n[n].title} {by_n[n].heading}" for n in cited)
        for figure in numbers(text) - numbers(sources):
            problems.append(f"figure {figure} is not in the cited passage")
        for name in codes(text):
            if name.casefold() not in sources.casefold():
                problems.append(f"name {name} is not in the cited passage")
    return problems


__all__ = ["Candidate", "compose_answer", "gather_candidates", "names_share", "passages_for", "refusal",
           "verified", "verify_answer"]
