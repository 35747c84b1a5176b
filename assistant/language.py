"""Detect the language of a question: script rules first, then seeded langdetect, then word cues."""
from __future__ import annotations

import re

from .errors import UnsupportedLanguageError
from .types import Language

SUPPORTED = ", ".join(f"{lang.value}" for lang in Language)

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Scripts that can only mean a language we do not answer in.
_OTHER_SCRIPTS = re.compile(
    r"[\u3040-\u30ff\u4e00-\u9fff\u0400-\u04ff\u0600-\u06ff\u0590-\u05ff\u0e00-\u0e7f\u0900-\u097f\u0370-\u03ff]"
)

# Function words that settle short questions langdetect gets wrong ("AI" → tl, "ciao" → pt).
_CUES: dict[Language, frozenset[str]] = {
    Language.IT: frozenset(
        "il lo la i gli le un una di del della dei delle che chi come quando dove quanti quante quanto "
        "quale quali perché è sono per con nel nella entro anno ministero piano fabbriche ciao cosa "
        "saranno sarà viene vengono ci qual".split()
    ),
    Language.EN: frozenset(
        "the a an of and what which who whom when where why how many much is are was were will "
        "does do did to for by in with plan ministry factories there".split()
    ),
}


def detect_language(text: str, *, min_share: float = 0.6) -> Language:
    """Return the language of `text`, or raise UnsupportedLanguageError naming the supported ones."""
    hangul = len(_HANGUL.findall(text))
    letters = sum(ch.isalpha() for ch in text)
    if hangul and hangul >= 0.3 * max(letters, 1):
        return Language.KO
    if _OTHER_SCRIPTS.search(text) and not hangul:
        raise _unsupported(text, "its script")
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    cue, cue_hits = _cue_language(words)
    guess = _langdetect(text)
    if guess is not None:
        lang, prob = guess
        if lang in (Language.IT.value, Language.EN.value) and prob >= min_share:
            if cue is not None and cue.value != lang and len(words) < 6:
                return cue
            return Language(lang)
        # Another language, said with confidence about a real sentence that has few it/en function words.
        if len(words) >= 4 and prob >= 0.9 and cue_hits < max(2, len(words) // 3):
            raise _unsupported(text, lang)
        if cue is not None:
            return cue
    if cue is not None:
        return cue
    if hangul:
        return Language.KO
    # Too short to tell ("RE100", "500?") and no cue: answer in English, the lingua franca of codes.
    return Language.EN


def _cue_language(words: list[str]) -> tuple[Language | None, int]:
    counts = {lang: sum(w in cues for w in words) for lang, cues in _CUES.items()}
    best = max(counts, key=counts.get)
    others = [v for k, v in counts.items() if k != best]
    return (best if counts[best] > max(others) else None), counts[best]


def _langdetect(text: str) -> tuple[str, float] | None:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # langdetect is random unless seeded
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return None
    return best.lang, best.prob


def _unsupported(text: str, what: str) -> UnsupportedLanguageError:
    shown = text if len(text) <= 60 else text[:57] + "…"
    return UnsupportedLanguageError(
        f"the question {shown!r} is not in a supported language (detected: {what}). "
        f"Ask in Italian (it), Korean (ko) or English (en), or set --lang it|ko|en."
    )


def parse_language(value: str) -> Language | None:
    """Parse a --lang value: 'auto' gives None, a supported code gives its Language."""
    if value == "auto":
        return None
    try:
        return Language(value)
    except ValueError:
        raise UnsupportedLanguageError(
            f"unsupported language {value!r}: choose auto, {SUPPORTED}."
        ) from None
