"""Text utilities shared by keyword search, answering and scoring: terms, numbers, sentences, clauses."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Protocol

from .types import Language

# Digits not glued to a Latin letter ("AB100" is a name, not the figure 100).
_NUMBER = re.compile(r"(?<![A-Za-z\d.,])\d+(?:[.,]\d{3})*(?:[.,]\d+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+(?=[A-ZÀ-Ý«\"“‘'(\[가-힣])")
# A word before a period that is an abbreviation, not a sentence's end: those of legal and administrative
# texts ("art.", "n.", "pag.", "cfr."), titles ("Dr.", "Sig."), dotted initials ("U.S.", "S.p.A.", "D.lgs.").
_ABBREVIATION = re.compile(
    r"(?i:art|artt|n|nn|nr|num|pag|pagg|p|pp|cfr|es|lett|c|co|cc|cap|par|parr|vol|ss|al|ecc|etc|vs|no|sez|all|tab|"
    r"fig|rif|prot|reg|dpr|dl|lgs|mr|ms|mrs|dr|st|sig|dott|prof|ing|avv|inc|ltd|sec|ch|approx|ca)\.|(?:[A-Za-z]{1,3}\.){2,}")
# A list item's number or letter alone before its text ("가. 행사일시: …", "3. Il contratto …", "iv. …"): the
# item's first words, not a sentence of its own.
_ENUMERATOR = re.compile(r"(?:\d{1,3}|[가-힣]|[A-Za-z]|[ivxlcIVXLC]{1,5})\.")
# What may stand before an abbreviation in the same word: an elided article or preposition ("all’art.", "dell'art.")
# or an opening bracket or quote ("(G.U.", "(Reg.").
_BEFORE_ABBREVIATION = re.compile(r"^(?:.*['’])?[(\[«\"“‘]*")
_CLAUSE_BREAK = re.compile(r"\s*[,;:]\s+|\s+(?:e|ed|and|o|or|mentre|while)\s+|(?<=고),\s*")
_WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)*", re.UNICODE)  # "X.YZ" stays whole; "mega-regioni" is two words
STEM = 5  # letters kept of a Latin word: "domanda"/"domande", "promosso"/"promozione" meet
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
# Between a Hangul syllable and anything else that is not a space: "2030년까지" → "2030 년까지".
_SCRIPT_EDGE = re.compile(r"(?<=[\uac00-\ud7a3])(?=[^\uac00-\ud7a3\s])|(?<=[^\uac00-\ud7a3\s])(?=[\uac00-\ud7a3])")

# Number words, so "nove università" and "nine universities" count as figures.
NUMBER_WORDS: dict[str, int] = {
    **dict(zip("uno due tre quattro cinque sei sette otto nove dieci".split(), range(1, 11))),
    **dict(zip("one two three four five six seven eight nine ten".split(), range(1, 11))),
    **dict(zip("하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열".split(), range(1, 11))),
    "세": 3, "네": 4, "두": 2, "한": 1,
}

# "Exactly one" said with an article, which alone is no figure ("una sola domanda", "a single application").
_JUST_ONE = re.compile(r"\b(?:una sola|un solo|un unico|un['’]unica|una unica|a single)\b")

STOPWORDS: dict[Language, frozenset[str]] = {
    Language.IT: frozenset(
        """il lo la i gli le un uno una di a da in con su per tra fra del dello della dei degli delle al allo
        alla ai agli alle dal dallo dalla dai dagli dalle nel nello nella nei negli nelle sul sullo sulla sui
        sugli sulle col e ed o od ma che chi cui non come dove quando quanto quanti quanta quante quale quali
        cosa perché è sono era erano sarà saranno sia siano essere stato stata stati state ha hanno avrà
        avranno ci si ne questo questa questi queste quello quella quelli quelle suo sua suoi sue loro mio tuo
        nostro vostro molto più meno anche già ancora qual qualche ogni tutto tutti tutte l d c quest viene
        vengono può possono deve devono dice dicono secondo previsto prevista previsti previste cos verrà verranno
        avere fare qualcosa significa significato parla parlano menziona dimmi dire vuol""".split()
    ),
    Language.EN: frozenset(
        """the a an of to in on at by for with from into about as and or but not no is are was were be been
        being will would shall should can could may might must do does did have has had what which who whom
        whose when where why how many much this that these those it its their there they them he she his her
        we you your our i me my any some all each every so than then also just per does say says said
        according anything something what's mean means meaning stand stands mention mentions tell""".split()
    ),
    Language.KO: frozenset("몇 무엇 무슨 언제 어디 누구 얼마 어떤 어느 왜 어떻게 것 수 등 이 그 저 및 뜻 의미 관련 내용 있 알리 있나 없나 "
                           "있는지 인가 무엇인".split()),
}

# Korean parts of speech that carry content (kiwi tags): nouns, foreign words, numbers, verb/adjective roots.
_KO_CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "SL", "SN", "SH", "VV", "VA", "XR"})


def normalize(text: str) -> str:
    """NFKC and case folding: the form in which texts are compared."""
    return unicodedata.normalize("NFKC", text).casefold()


def strip_separators(text: str) -> str:
    """Remove thousands separators from digit groups: '1,000' → '1000'."""
    return re.sub(r"(?<=\d)[,.](?=\d{3}(?!\d))", "", text)


# A Korean verb that is written as a native numeral: a verb stem before 수 ("둘 수 있나요", may one have; "열 수
# 있다", may open) or "하나" after an ending that asks whether one must ("신청해야 하나").
_KOREAN_VERB = re.compile(r"(?<![가-힣])(?:(?:하나|둘|셋|넷|열)(?=\s+수(?![가-힣]))|(?<=야\s)하나)(?![가-힣])")


def numbers(text: str) -> set[str]:
    """The figures in a text, digits without separators (number words become digits)."""
    text = normalize(text)
    found = {m.group(0) for m in _NUMBER.finditer(strip_separators(text))}
    for word in _WORD.findall(_KOREAN_VERB.sub(" ", text)):
        if word in NUMBER_WORDS and word not in {"한", "두", "세", "네"}:
            found.add(str(NUMBER_WORDS[word]))
    if _JUST_ONE.search(text):
        found.add("1")
    return found


# A list item's own number at the start of a sentence ("2) Applicants shall…", "(3) the Agency…", "① 장관은…"), or a
# footnote's label glued to its first word ("12Small firms report…"): it numbers the item or the note and counts
# nothing. Not a date's first part ("3. 14.(화)").
_LIST_NUMBER = re.compile(r"^\W{0,2}(?:\(?\d{1,2}[.)]|[\u2460-\u2473]|\d{1,3}(?=[A-Z][a-z]))(?!\s*\d)\s*")


def figures_of(sentence: str) -> set[str]:
    """The figures a sentence states: `numbers`, without its list item's or footnote's number."""
    return numbers(_LIST_NUMBER.sub("", sentence, count=1))


def lead_in(text: str) -> bool:
    """A text that ends with ":": what follows is the list it introduces."""
    return text.rstrip().endswith((":", "："))


def erase(text: str, patterns: Iterable[re.Pattern]) -> str:
    """The text with every match of the patterns replaced by a space (editorial notes, figures that count
    nothing)."""
    for pattern in patterns:
        text = pattern.sub(" ", text)
    return text


_ORDINAL = r"(?:°|st|nd|rd|th)?"
_YEAR4 = r"((?:19|20)\d\d)"
# Year first: "2025-12-12", "2025. 12. 12.", "2025년 12월 12일".
_YMD = re.compile(r"(?<!\d)" + _YEAR4 + r"\s*(?:[./-]|년)\s*(\d{1,2})\s*(?:[./-]|월)\s*(\d{1,2})(?:\s*일)?(?!\d)")
# Day and month in digits, year last: "14/01/2025", "8-2-2000" (also month first, as in the US, when valid).
_DMY = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2" + _YEAR4 + r"(?!\d)")


def calendar_dates(text: str, months: dict[str, int]) -> set[tuple[int, int, int]]:
    """The full dates (year, month, day) a text writes, in any of the usual forms: "14 gennaio 2025", "July 1,
    2024", "14/01/2025", "2025. 12. 12.", "2025년 12월 12일". `months` maps month names (any language) to 1–12.
    A date in digits that reads both day-first and month-first counts as both."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    found: set[tuple[int, int, int]] = set()

    def add(year: str, month: int, day: str) -> None:
        if 1 <= month <= 12 and 1 <= int(day) <= 31:
            found.add((int(year), month, int(day)))

    for m in _YMD.finditer(normal):
        add(m.group(1), int(m.group(2)), m.group(3))
    for m in _DMY.finditer(normal):
        add(m.group(4), int(m.group(3)), m.group(1))
        add(m.group(4), int(m.group(1)), m.group(3))
    if months:
        names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
        for m in re.finditer(rf"(?<!\d)(\d{{1,2}}){_ORDINAL}\s+({names})\.?,?\s+{_YEAR4}(?!\d)", normal):
            add(m.group(3), months[m.group(2)], m.group(1))
        for m in re.finditer(rf"\b({names})\.?\s+(\d{{1,2}}){_ORDINAL},?\s+{_YEAR4}(?!\d)", normal):
            add(m.group(3), months[m.group(1)], m.group(2))
    return found


_CLOSING = re.compile(r"[)）]")


def _open_brackets(text: str) -> int:
    """How many round brackets a text opens and leaves open."""
    return text.count("(") + text.count("（") - text.count(")") - text.count("）")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of a passage's sentences: lines (blocks, table rows) cut at ., !, ?, 。 followed by a space
    and a capital, a Hangul syllable, a quote or a bracket. Abbreviations ("art. 5", "n. 159", "U.S. Code",
    "D.lgs.", also after an elision or a bracket: "dell’art. B.2", "(G.U. Serie…"), dates ("2024. 3. 14.") and a
    list item's number or letter ("가. 행사일시", "3. Il contratto") are not ends, nor is a stop inside brackets
    that close later on the line; a list item's number after a sentence's end ("… ensure. 2. The …") begins the
    next sentence."""
    spans: list[tuple[int, int]] = []

    def add(start: int, end: int) -> None:
        piece = text[start:end]
        if piece.strip():
            spans.append((start + len(piece) - len(piece.lstrip()), end - (len(piece) - len(piece.rstrip()))))

    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for end in _SENTENCE_END.finditer(line.group(0)):
            cut = line.start() + end.start()
            segment = text[start:cut].strip()
            before = segment.rsplit(None, 1)[-1] if segment else ""
            if _ABBREVIATION.fullmatch(_BEFORE_ABBREVIATION.sub("", before)) or _ENUMERATOR.fullmatch(segment):
                continue
            if _open_brackets(segment) > 0 and _CLOSING.search(text, cut, line.end()):
                continue  # inside brackets that close further on: "(…를 말한다. 이하 같다)", "(D. Lgs. n. 12)"
            if _ENUMERATOR.fullmatch(before) and segment[: -len(before)].rstrip().endswith((".", "!", "?", "。", ";", ":")):
                item = cut - len(before)
                add(start, item)
                start = item
                continue
            add(start, cut)
            start = line.start() + end.end()
        add(start, line.end())
    return spans


def split_sentences(text: str) -> list[str]:
    """A passage's sentences (see `sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]


def split_clauses(sentence: str) -> list[str]:
    """Split a sentence at commas, semicolons and coordinating conjunctions."""
    return [c for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]


class Analyzer(Protocol):
    """Cuts text into index terms for one language."""

    def terms(self, text: str, language: Language) -> list[str]: ...


def latin_terms(text: str, language: Language) -> list[str]:
    """Lower-cased words without stopwords, cut to a STEM-letter prefix (a crude, language-free stemmer)."""
    stop = STOPWORDS.get(language, frozenset()) | STOPWORDS[Language.EN] | STOPWORDS[Language.IT]
    spaced = _SCRIPT_EDGE.sub(" ", unicodedata.normalize("NFKC", text).replace("’", " ").replace("'", " "))
    out = []
    for word in _WORD.findall(spaced):
        # Acronyms and codes (AI, AB100, X.YZ) are names, never stopwords ("ai" is also Italian "to the").
        is_code = word.isupper() or (any(c.isdigit() for c in word) and not word.isdigit())
        word = word.casefold()
        if _HANGUL_RUN.fullmatch(word) or (word in stop and not is_code):
            continue
        out.append(word if word[0].isdigit() or is_code else word[:STEM])
    return out


class KiwiAnalyzer:
    """Korean by morphological analysis (kiwipiepy); Italian and English by `latin_terms`."""

    def __init__(self) -> None:
        from kiwipiepy import Kiwi

        self._kiwi = Kiwi()

    def terms(self, text: str, language: Language) -> list[str]:
        if not _HANGUL_RUN.search(text):
            return latin_terms(text, language)
        out: list[str] = []
        run: list = []  # adjacent noun pieces, joined into one compound when the run ends
        for token in [*_merge_codes(self._kiwi.tokenize(unicodedata.normalize("NFKC", text))), None]:
            if token is not None and token.tag in _KO_NOUN_PIECES and (not run or run[-1].end == token.start):
                run.append(token)
            else:
                out.extend(_compound_terms("".join(t.form for t in run), len(run)))
                run = [token] if token is not None and token.tag in _KO_NOUN_PIECES else []
            if token is None or token.tag not in _KO_CONTENT_TAGS:
                continue
            form = token.form.casefold()
            if form in STOPWORDS[Language.KO] or (token.tag in ("VV", "VA") and len(form) < 2):
                continue  # one-syllable verb stems (하, 되, 있, 늘) carry little and Kiwi guesses them
            out.append(form if _HANGUL_RUN.match(form) or form[0].isdigit() else form[:STEM])
        return out


_KO_NOUN_PIECES = frozenset({"NNG", "NNP", "XPN", "XSN"})


@dataclass
class _Token:
    form: str
    tag: str
    start: int
    end: int


def _merge_codes(tokens) -> list[_Token]:
    """Join letters and digits Kiwi cut apart inside one code: AB100 → AB + 100 → AB100."""
    merged: list[_Token] = []
    for t in tokens:
        token = _Token(t.form, t.tag, t.start, t.start + t.len)
        last = merged[-1] if merged else None
        if last and last.tag in ("SL", "SN") and token.tag in ("SL", "SN") and last.end == token.start:
            merged[-1] = _Token(last.form + token.form, "SL", last.start, token.end)
        else:
            merged.append(token)
    return merged


def _compound_terms(compound: str, pieces: int) -> list[str]:
    """Kiwi cuts compounds differently by context (산업부 / 산업+부, 국립대학 / 국립+대학): the joined form
    and its syllable bigrams let both cuts meet."""
    if not _HANGUL_RUN.fullmatch(compound or "-") or len(compound) < 3:
        return []
    joined = [compound] if pieces > 1 else []
    return joined + [compound[i : i + 2] for i in range(len(compound) - 1)]


class NgramAnalyzer:
    """Korean by overlapping character bigrams of Hangul runs; other text by `latin_terms`."""

    def terms(self, text: str, language: Language) -> list[str]:
        out = latin_terms(text, language)
        for run in _HANGUL_RUN.findall(unicodedata.normalize("NFKC", text)):
            if run in STOPWORDS[Language.KO]:
                continue
            out.extend(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
        return out


# Single Hangul syllables separated by single spaces: "사 업 비" (a word spaced out to a label's width).
_SPACED_HANGUL = re.compile(r"(?<![\uac00-\ud7a3])[\uac00-\ud7a3](?: [\uac00-\ud7a3])+(?![\uac00-\ud7a3])")


class LightAnalyzer:
    """Korean by rule: each word's particle or ending stripped (the suffix table of the Korean cues), the stem
    kept; Italian and English by `latin_terms`. (Adding the stems' syllable bigrams, so that compounds written
    solid meet their parts, did not help: held-out answer accuracy 0.103 with them, 0.131 without.)
    No morphological model: nothing to load (Kiwi costs ~4 s and ~500 MB before its first answer)."""

    def __init__(self, suffixes: tuple[str, ...], counters: tuple[str, ...] = (), single_words: tuple[str, ...] = ()
                 ) -> None:
        self._suffixes = tuple(sorted(suffixes, key=len, reverse=True))
        self._suffix_set = frozenset(suffixes)
        self._counters = frozenset(counters)
        self._single = frozenset(single_words)

    def unspaced(self, text: str) -> str:
        """A word spaced out one syllable at a time written solid ("사 업 비" → "사업비"), unless one of its
        syllables is a word that stands alone ("할 수", "이 법")."""
        def join(match: re.Match) -> str:
            syllables = match.group(0).split(" ")
            return match.group(0) if self._single.intersection(syllables) else "".join(syllables)

        return _SPACED_HANGUL.sub(join, text)

    def stem(self, word: str) -> str:
        """The word without its particles and endings (two passes: "모집하나요" → "모집하" → "모집")."""
        for _ in range(2):
            suffix = next((s for s in self._suffixes if word.endswith(s) and len(word) - len(s) >= 2), "")
            if not suffix:
                break
            word = word[: -len(suffix)]
        return word

    def unit(self, word: str) -> bool:
        """A counter or unit with its particle ("개로", "년까지"): what a figure counts, not what a text is about."""
        return any(word.startswith(c) and (word == c or word[len(c):] in self._suffix_set) for c in self._counters)

    def terms(self, text: str, language: Language) -> list[str]:
        out = latin_terms(text, language)
        normal = self.unspaced(unicodedata.normalize("NFKC", text))
        for match in _HANGUL_RUN.finditer(normal):
            word = match.group(0)
            if self.unit(word) or (match.start() and normal[match.start() - 1].isdigit() and len(word) <= 3):
                continue  # "500개로", "2030년까지", "몇 개로": the figure is a term of its own
            stem = self.stem(word)
            if stem in STOPWORDS[Language.KO] or len(stem) < 2:
                continue
            out.append(stem)
        return out


def load_analyzer(korean: str) -> Analyzer:
    """The analyzer named by settings.keyword.korean: "light" (rules, the default), "kiwi" or "ngram"."""
    if korean == "kiwi":
        return KiwiAnalyzer()
    if korean == "ngram":
        return NgramAnalyzer()
    import tomllib
    from importlib import resources

    table = tomllib.loads((resources.files("assistant") / "cues" / "ko.toml").read_text(encoding="utf-8"))
    return LightAnalyzer(tuple(table["words"]["suffixes"]), tuple(table["words"].get("counters", ())),
                         tuple(table["words"].get("single_words", ())))
