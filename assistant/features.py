"""What is measured about a candidate sentence, as pure functions: the learned selector scores these numbers."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .eligibility.vocabulary import find_places, load_vocabulary
from .question import Asks, Cues, Question
from .sentences import Sentence
from .text import erase, lead_in, numbers
from .types import Language

MAX_ANSWER_CHARS = 220  # an answer's text, before its [n]

# The features, in the order the selector's weights follow. Changing them means `policy-assistant calibrate`.
FEATURES: tuple[str, ...] = (
    "sentence_similarity",  # cosine of the question and the sentence (primary model)
    "sentence_similarity_margin",  # … minus the best of all candidates: how it compares with its rivals
    "passage_similarity",  # cosine of the question and the passage
    "keyword_score",  # the passage's BM25 score over the best one's
    "passage_rank",  # 1 / rank of the passage after fusion and rerank
    "passage_score",  # the ranker's log-odds for the passage, minus the best passage's
    "sentence_coverage",  # IDF-weighted share of the question's topic terms in the sentence
    "sentence_coverage_margin",
    "rarest_term_in_sentence",  # the question's most specific term (highest IDF) is in the sentence
    "previous_coverage",  # coverage of the sentence before it (a figure often follows the sentence naming its topic)
    "names_in_sentence",  # share of the question's codes and names in the sentence
    "anchors_in_sentence",  # share of the question's cross-language terms (names, foreign-script words) in it
    "passage_coverage",  # … in the passage with its heading path
    "heading_coverage",  # … in the heading path alone
    "evidence",  # the sentence holds the kind of fact asked for (a date for "when", an amount for "how much")
    "evidence_clause_coverage",  # share of the question's topic terms in the clause that holds that fact
    *(f"evidence_{kind.value}" for kind in Asks if kind is not Asks.OTHER),
    *(f"asks_{kind.value}" for kind in Asks),
    "counted_with_figure",  # "how many": the counted thing and a figure in the same sentence
    "figures_in_sentence",  # share of the question's figures in the sentence
    "figures_in_passage",
    "names_in_passage",  # share of the question's codes and names in the passage (any language version)
    "sentence_has_figure",
    "figure_wanted_and_found",  # the question asks for a figure ("decree number", "percentuale") and it has one
    "first_sentence",
    "sentence_position",  # 1 / (1 + position in the passage)
    "cross_lingual",  # the sentence is in another language than the question
    "sentence_length",  # log of its length in characters
    "table_row",
    "title_like",  # short, no closing punctuation, no figure: a heading repeated in the text, not a statement
    "novel_figure",  # it has a figure the question does not give (an answer tells something new)
    "restates",  # share of its terms that are the question's: a heading or a sentence that only restates it
    "lead_in",  # it ends with ":" (what follows is the list it introduces)
    "next_holds",  # the next sentence, read with it, holds the kind of fact asked for
    "cognate_coverage",  # topic terms met in any language: the coverage, or across Italian and English the share of
                         # the question's terms whose stem differs by one letter at most ("regol" ~ "regul")
    "second_similarity",  # cosine of the question and the sentence by the sentence model (NaN, read as the
                          # training mean, when the index has no sentence vectors)
    "second_similarity_margin",  # … minus the best of all candidates
    "form_held",  # the question asks for a form of answer (an e-mail, a web address, a percentage…) the sentence holds
    "form_missing",  # it asks for one and the sentence holds none of them
    "beyond_title_coverage",  # coverage of the question's topic terms that its document's title does not hold (what
                              # the question asks about that document, not the document's subject)
    "beyond_title_coverage_margin",
    "defines_asked_term",  # it defines a term ('"X" means', '"X"이란'), and the term holds the question's topic terms
                           # (weighted; those its document's title holds left out when others remain)
)


@dataclass(frozen=True)
class PassageContext:
    """What is known about the passage a sentence comes from."""

    rank: int  # 1-based, after fusion and rerank
    score: float  # the ranker's log-odds minus the best passage's (0 for the best)
    vector_score: float
    keyword_score: float  # already divided by the best keyword score among the hits
    coverage: float  # IDF-weighted share of the question's topic terms in passage + heading
    heading_coverage: float
    figures: frozenset[str]  # the figures of the passage, all language versions
    text: str  # the passage, all language versions, case-folded (names are looked up in it)


class Idf(dict):
    """The IDF of every term, and the weight of a term the corpus never uses: more than any it does (a question
    that names something the corpus never mentions is about something else). Computed once per index."""

    def __init__(self, values: dict[str, float]) -> None:
        super().__init__(values)
        self.unknown = max(self.values(), default=1.0) + 1.0


def _unknown(idf: dict[str, float]) -> float:
    return idf.unknown if isinstance(idf, Idf) else max(idf.values(), default=1.0) + 1.0


def weighted_coverage(terms: tuple[str, ...] | list[str], present: frozenset[str] | set[str], idf: dict[str, float]) -> float:
    """IDF-weighted share of `terms` found in `present`; a term the corpus never uses weighs most of all (the
    question is then about something else)."""
    unique = set(terms)
    if not unique:
        return 0.0
    unknown = _unknown(idf)
    weight = {t: idf.get(t, unknown) for t in unique}
    total = sum(weight.values())
    return sum(w for t, w in weight.items() if t in present) / total


def defines_asked_term(question: Question, defined: Sequence[str], title: frozenset[str], idf: dict[str, float]) -> float:
    """How much of what the question asks about the terms a sentence defines (`Cues.defined_terms`) hold: the
    IDF-weighted share of the question's topic terms found in them, those of the document's title left out when
    others remain; 0 when it defines nothing."""
    if not defined:
        return 0.0
    focus = _untitled(question, title) or list(question.focus)
    return weighted_coverage(focus, {t for t in focus if any(t in term for term in defined)}, idf)


def _untitled(question: Question, title: frozenset[str]) -> list[str]:
    """The question's topic terms that its answer's document title does not hold."""
    return [t for t in question.focus if t not in title]


def held_terms(question: Question, terms: frozenset[str], language: Language) -> frozenset[str]:
    """A text's terms, and for a Korean one also the question's topic terms that one of its compounds holds: a
    compound written solid holds the words a question writes apart ("사업기간" holds "사업" and "기간")."""
    if language is not Language.KO:
        return terms
    return frozenset(terms) | {t for t in question.focus if len(t) >= 2 and any(t in w for w in terms)}


def beyond_title_coverage(question: Question, present: frozenset[str] | set[str], title: frozenset[str],
                           idf: dict[str, float]) -> float:
    """IDF-weighted share of the question's topic terms that the document's title does not hold, found in
    `present` (a sentence's terms); 0 when the title holds them all."""
    beyond = _untitled(question, title)
    return weighted_coverage(beyond, present, idf) if beyond else 0.0


def share(wanted: frozenset[str], found: frozenset[str] | set[str]) -> float:
    """Share of `wanted` in `found`; 1.0 when nothing is wanted."""
    return 1.0 if not wanted else len(wanted & set(found)) / len(wanted)


def names_share(names: frozenset[str], text: str) -> float:
    """Share of a question's codes and names that a (case-folded) text contains."""
    return 1.0 if not names else sum(n.casefold() in text for n in names) / len(names)


def evidence(question: Question, sentence: Sentence) -> bool:
    """Does the sentence hold the kind of fact asked for? A "how many" needs the counted thing's figure too."""
    if question.asks is Asks.OTHER:
        return True
    if question.asks is Asks.COUNT and question.counted:
        return counted_with_figure(question, sentence)
    return question.asks in sentence.kinds


def counted_with_figure(question: Question, sentence: Sentence) -> bool:
    """A "how many" sentence: what is counted, and a figure that is not a year."""
    return _not_year(sentence.figures) and bool(set(question.counted) & sentence.terms)


COUNT_REACH = 8  # words between a count and what it counts (at most 4 in every right count answer of the reports)


def counted_elsewhere(question: Question, sentence: Sentence, not_counts: Sequence[re.Pattern] = ()) -> bool:
    """A "how many" sentence with no figure that counts in the clauses naming the counted thing, nor within
    `COUNT_REACH` words of it: its figures sit in other clauses ("expand the zones, and train staff in 9
    universities" tells how many universities, not how many zones) or far from it, or number, name or date
    something (`not_counts`: "D.G.R. n. 2995 del 9 settembre"). A hard gate, like the verifier, whatever the
    selector's confidence."""
    if not (question.asks is Asks.COUNT and question.counted and counted_with_figure(question, sentence)):
        return False
    text = erase(sentence.text, not_counts).casefold()
    clauses = [c for c in _CLAUSE_BREAK.split(text) if c and not c.isspace()]
    naming = [c for c in clauses if any(t in c for t in question.counted)]
    # A stem the words do not show as written ("universiti"): nothing to tell apart.
    if naming and not any(_not_year(numbers(c)) for c in naming):
        return True
    # One long clause: a figure counts what stands a few words from it ("expand the zones … to offer exceptions for
    # the city driving of future cars and supply talent through nine universities": nine universities, not zones).
    words = text.split()
    counting = [i for i, w in enumerate(words) if _not_year(numbers(w))]
    counted = [i for i, w in enumerate(words) if any(t in w for t in question.counted)]
    return bool(counting and counted) and min(abs(i - j) for i in counting for j in counted) > COUNT_REACH


def counted_unnamed(question: Question, sentence: Sentence) -> bool:
    """A "how many" answered, in its own language, by a sentence that never names what is counted ("how many
    companies…" by "the 4 hubs and 2 centres"): its figures count something else. A figure with the
    counter the question asks with names it too ("몇 명 뽑나요" answered by "모집인원 : 약 40명"). A hard gate, like
    `counted_elsewhere`."""
    if not (question.asks is Asks.COUNT and question.counted and sentence.language is question.language):
        return False
    text = sentence.text.casefold()
    if question.counter and re.search(rf"\d\s*{re.escape(question.counter)}", text):
        return False
    return not any(t in text for t in question.counted)


def no_quantity(question: Question, text: str, not_counts: Sequence[re.Pattern] = (),
                held: frozenset[str] = frozenset()) -> bool:
    """An amount or a count answered by a text with no figure that could be it: none but years, the question's
    own figures, and figures that number, name or date something (`not_counts`: a title line dated
    "2019. 10. 29." tells no budget). An amount needs none when the text says there is nothing to pay (`held`:
    its forms of answer; "수수료 없음"). A hard gate, like `counted_elsewhere`."""
    if question.asks not in (Asks.AMOUNT, Asks.COUNT) or (question.asks is Asks.AMOUNT and "free" in held):
        return False
    return not _not_year(numbers(erase(text, not_counts)) - question.figures)


def no_date(question: Question, kinds: frozenset[Asks], held: frozenset[str] = frozenset()) -> bool:
    """A "when" answered by a text that holds no date, day or period (`kinds`: the kinds of fact the answer's text
    holds; "we will hold a webinar" says that there is one, not when), nor a length of time (`held`: its forms of
    answer; "how long must the rotation last" is a date question answered by "at least three months"). A hard
    gate, like `no_quantity`."""
    return question.asks is Asks.DATE and Asks.DATE not in kinds and "duration" not in held


# A code with digits in it ("AB-100", "XY03"): a figure of its own, which `numbers` leaves out.
_CODE_DIGITS = re.compile(r"[A-Za-z]\d|\d[A-Za-z]")


def no_figure(question: Question, text: str) -> bool:
    """A question that asks for a figure of no other kind (`question.wants_figure`: "the notice's number", "what
    percentage") answered by a text with no figure but the question's own ("Applications are handled by the
    Ministry": no number), nor a code with digits. A hard gate, like `no_quantity`."""
    return question.wants_figure and not (numbers(text) - question.figures) and not _CODE_DIGITS.search(text)


def no_definition(question: Question, kinds: frozenset[Asks]) -> bool:
    """"What does X mean" (`question.asks_meaning`: it asks what a term means, not only "what is X") answered by a
    text that defines nothing ("This attachment provides definitions…"). A hard gate, like `no_date`."""
    return question.asks is Asks.DEFINITION and question.asks_meaning and Asks.DEFINITION not in kinds


def about_other_countries(question: Question, named: frozenset[str] | None) -> bool:
    """A question about a country ("Korea's budget ministry", "il ministero coreano") answered from a document that
    names other countries and not that one (`named`: the document's countries; an Italian region's call names Italy and
    the Union). Not for eligibility questions, where a country is the asker's own ("a Korean company: can we
    apply?" is answered by the call's criterion). A hard gate, like `named_elsewhere`."""
    return bool(question.countries and named and question.asks is not Asks.ELIGIBILITY
                and not question.countries & named)


def no_amount(question: Question, kinds: frozenset[Asks], held: frozenset[str]) -> bool:
    """A "how much" answered by a text that holds no sum (a currency, a unit of money) and no share ("100분의 1",
    "5 %"): "the 5 growth packages" has a figure, but not the budget asked for (`kinds`: the kinds of fact the
    text holds; `held`: its forms of answer). A hard gate, like `no_date`."""
    return question.asks is Asks.AMOUNT and Asks.AMOUNT not in kinds and "percent" not in held


def no_penalty(question: Question, text: str, table: Cues) -> bool:
    """"Which penalty applies" (`question.asks_penalty`) answered by a text that states none in its language's
    terms (`table`: a prison term, a fine, a revocation, a clawback…): "the official shall compensate the fund's
    loss" is a liability, not the penalty asked for. A hard gate, like `no_definition`."""
    return question.asks_penalty and not table.states_penalty(text)


_CAPITALISED_WORD = re.compile(r"(?<![\w'’-])[A-Z][A-Za-zà-ÿ]+(?:['’-][A-Za-zà-ÿ]+)*")  # "D'Amico", not "Rossi’"


def no_name(question: Question, text: str, common: frozenset[str]) -> bool:
    """A question asking for someone's name (`question.asks_name`) answered by a text that gives none: a role
    ("Responsible is the operations director of the chamber…") answers who, not what the person is called. A name
    is a capitalised word the question does not use and no passage writes in lower case (`common`,
    `Store.lower_words`: "Direzione" is written "direzione" somewhere; a surname is not). Latin script only: a
    Korean name looks like any word, so a text in Hangul without a capitalised word is never refused here. A hard
    gate, like `no_penalty`."""
    words = _CAPITALISED_WORD.findall(text)
    if not question.asks_name or not words and re.search(r"[\uac00-\ud7a3]", text):
        return False
    asked = {word.casefold() for word in re.findall(r"[^\W\d_]+", question.text)}
    return not any(w.casefold() not in asked and w.casefold() not in common for w in words)


def no_place(question: Question, text: str, table: Cues, held: frozenset[str]) -> bool:
    """A "where" answered by a text that names no place: none by its language's patterns (`table`), no place the
    place tables know, no web or e-mail address and no section of a text (`held`: its forms of answer).
    "…quartieri a zero emissioni simili a nuove città" says what they will be like, not where. A hard gate,
    like `no_date`."""
    return question.asks is Asks.PLACE and not (table.names_place(text) or held & {"web", "email", "section"}
                                                or find_places(text, load_vocabulary()))


# Forms of answer without which a text says nothing of what was asked: "which e-mail address", "what percentage".
# (Not a phone, a web address or a section: their cues — "call", "portal", "which article" — also name other
# things, and a passage can answer "which article…" without writing its number.)
REQUIRED_FORMS = ("email", "percent", "duration")


def no_form(question: Question, held: frozenset[str]) -> str:
    """The form of answer the question asks for and the text given lacks ("" when none is lacking): an e-mail
    address, a percentage (`held`: the forms the text holds). A hard gate, like `no_date`."""
    return next((form for form in REQUIRED_FORMS if form in question.forms and form not in held), "")


def _not_year(figures: Iterable[str]) -> bool:
    """Whether some figure is not a year."""
    return any(not (len(f) == 4 and f[:2] in ("19", "20")) for f in figures)


def versions_text(versions: Iterable) -> str:
    """A passage's language versions, each with its heading path, as one text."""
    return " ".join(f"{v.heading} {v.text}" for v in versions)


def table_row(text: str) -> bool:
    """A row of a table as the readers write it ("Head: cell | Head: cell"), or a line of several "label: value"."""
    return " | " in text or text.count(": ") >= 2


def fits_together(sentence: Sentence, after: Sentence | None, limit: int = MAX_ANSWER_CHARS) -> bool:
    """Whether a sentence and the next one of its passage fit in one answer (`limit` characters)."""
    return after is not None and len(sentence.text) + 1 + len(after.text) <= limit


_LATIN = frozenset({"it", "en"})


def variants(term: str) -> set[str]:
    """A term and its one-letter substitutions, as patterns ("regol" → "*egol", "r*gol", …)."""
    return {term, *(term[:i] + "*" + term[i + 1:] for i in range(len(term)))}


def cognate_terms(question: Question, language, terms) -> set[str]:
    """The question's topic terms met in a text of another language: across Italian and English, a term counts
    when a term of the text differs from it by one letter at most (stems are cut to five letters, so cognates
    often meet: "regol" ~ "regul", "nazio" ~ "natio")."""
    if question.language.value not in _LATIN or language.value not in _LATIN or not terms:
        return set()
    patterns = set().union(*(variants(t) for t in terms if len(t) >= 4))
    return {t for t in question.focus if len(t) >= 4 and variants(t) & patterns}


def cognate_coverage(question: Question, sentence: Sentence, idf: dict[str, float], coverage: float) -> float:
    """Topic coverage in any language: the coverage in the question's language, `cognate_terms` across Italian
    and English, 0 otherwise."""
    if sentence.language is question.language:
        return coverage
    return weighted_coverage(question.focus, cognate_terms(question, sentence.language, sentence.terms), idf)


def rarest(terms: tuple[str, ...], idf: dict[str, float]) -> str:
    """The question term the corpus uses least (a term it never uses counts as the rarest)."""
    unknown = _unknown(idf)
    return max(terms, key=lambda t: (idf.get(t, unknown), t)) if terms else ""


_CLAUSE_BREAK = re.compile(r"[;()|]|,(?!\d)|:(?!\d)|\s[-–]\s|(?<=[가-힣])(?:고|며|면서|하여|으며),?\s")


def clause_coverage(question: Question, sentence: Sentence, patterns: tuple, idf: dict[str, float]) -> float:
    """IDF-weighted share of the question's topic terms found (as substrings) in the clause that holds the fact
    asked for: "per award … $250,000" rather than "total funding … $3,000,000"."""
    best = 0.0
    for clause in _CLAUSE_BREAK.split(sentence.text):
        if clause and any(p.search(clause) for p in patterns):
            low = clause.casefold()
            present = {t for t in question.focus if t in low}
            best = max(best, weighted_coverage(question.focus, present, idf))
    return best


def candidate_features(question: Question, sentence: Sentence, passage: PassageContext, idf: dict[str, float],
                       similarity: float, best_similarity: float, coverage: float, best_coverage: float,
                       previous_coverage: float = 0.0, evidence_patterns: tuple = (), after: Sentence | None = None,
                       second_similarity: float = math.nan, best_second: float = math.nan,
                       held_forms: frozenset[str] = frozenset(), beyond_title: float = 0.0,
                       best_beyond_title: float = 0.0, defines: float = 0.0) -> np.ndarray:
    """The feature vector of one candidate sentence (the order of FEATURES)."""
    same = sentence.language is question.language
    holds = evidence(question, sentence)
    key = rarest(question.focus, idf)
    values = [
        similarity,
        similarity - best_similarity,
        passage.vector_score,
        passage.keyword_score,
        1.0 / passage.rank,
        passage.score,
        coverage,
        coverage - best_coverage,
        float(bool(key) and key in sentence.terms),
        previous_coverage,
        names_share(question.names, sentence.text.casefold()) if question.names else 0.0,
        share(frozenset(question.anchors), sentence.terms) if question.anchors else 0.0,
        passage.coverage,
        passage.heading_coverage,
        float(holds),
        clause_coverage(question, sentence, evidence_patterns, idf) if holds and evidence_patterns else 0.0,
        *(float(holds and question.asks is kind) for kind in Asks if kind is not Asks.OTHER),
        *(float(question.asks is kind) for kind in Asks),
        float(question.asks is Asks.COUNT and counted_with_figure(question, sentence)),
        share(question.figures, sentence.figures),
        share(question.figures, passage.figures),
        names_share(question.names, passage.text),
        float(bool(sentence.figures)),
        float(question.wants_figure and bool(sentence.figures)),
        float(sentence.position == 0),
        1.0 / (1 + sentence.position),
        float(not same),
        math.log1p(len(sentence.text)),
        float(table_row(sentence.text)),
        float(len(sentence.text) < 90 and not sentence.figures and not sentence.text.rstrip().endswith((".", ";", ":", "다", "。"))),
        float(bool(sentence.figures - question.figures)),
        len(sentence.terms & set(question.terms)) / len(sentence.terms) if sentence.terms else 0.0,
        float(lead_in(sentence.text)),
        float(fits_together(sentence, after) and evidence(question, after)),
        cognate_coverage(question, sentence, idf, coverage),
        second_similarity,
        second_similarity - best_second,
        float(bool(question.forms & held_forms)),
        float(bool(question.forms) and not question.forms & held_forms),
        beyond_title,
        beyond_title - best_beyond_title,
        defines,
    ]
    return np.asarray(values, dtype=np.float32)



# What decides whether to answer at all: how the chooser's best candidate stands (the probability the chooser
# gives it, its score, its lead over the best candidate that says something else, how many of those come close),
# and a few of its features that mean the same on any corpus: a small model, so that what it learns from the
# development documents carries over to others.
_CONFIDENT_ON = ("cognate_coverage", "passage_coverage", "evidence", "evidence_clause_coverage", "names_in_passage",
                 "names_in_sentence", "anchors_in_sentence", "figures_in_passage", "cross_lingual",
                 "sentence_similarity", "second_similarity", "second_similarity_margin")
CONFIDENCE_FEATURES: tuple[str, ...] = ("chooser_log_share", "chooser_score", "chooser_margin", "close_rivals",
                                        *_CONFIDENT_ON)
_CONFIDENT_AT = [FEATURES.index(name) for name in _CONFIDENT_ON]


EVIDENCE_AT = FEATURES.index("evidence")


def agreeing(figures: list[frozenset[str]], features: np.ndarray, best: int, given: frozenset[str]) -> np.ndarray:
    """Which candidates say what the best one says: those that hold the kind of fact asked for, as it does, and
    share a figure it gives and the question does not ("500 by 2030" in a summary and again in the body)."""
    said = figures[best] - given
    holds = features[:, EVIDENCE_AT] > 0
    return np.array([i == best or bool(holds[i] and holds[best] and said & f) for i, f in enumerate(figures)])


SAME_SAYING = 0.9  # the cosine (USE) above which two sentences say the same thing in other words


def restating(vectors: np.ndarray, best: int, floor: float = SAME_SAYING) -> np.ndarray:
    """Which candidates say again what the best one says in nearly the same words (a summary and the body, a
    list's lead-in repeated over its second passage, "… 50.000 euro per…" and "… euro 50.000 per…"): no rivals of
    it, whether or not they hold a figure."""
    return vectors @ vectors[best] >= floor


def confidence_features(scores: np.ndarray, best: int, features: np.ndarray, agree: np.ndarray | None = None
                        ) -> np.ndarray:
    """The confidence features of a question whose candidates the chooser scored `scores` (their feature rows
    `features`); `agree` marks the candidates that say what the best one says (`agreeing`): no rivals of it."""
    agree = np.arange(len(scores)) == best if agree is None else agree
    rivals = scores[~agree]
    margin = float(scores[best] - rivals.max()) if len(rivals) else 5.0
    close = float(np.sum(rivals > scores[best] - 1.0))
    # The chooser is a softmax over the question's candidates: the log of the probability it gives its pick and
    # the candidates that agree with it says how far the pick stands out; the score itself, how much it looks
    # like an answer at all.
    odds = np.exp(scores - scores.max())
    log_share = float(np.log(odds[agree].sum() / odds.sum()))
    return np.concatenate([[log_share, float(scores[best]), margin, close], features[best, _CONFIDENT_AT]]
                          ).astype(np.float32)
