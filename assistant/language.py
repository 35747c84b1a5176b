"""Detect the language of a question: script rules first, then function-word cues, then (rarely) langdetect.

Korean is told by its script; Italian and English by their function words, which settle nearly every question
without loading langdetect's profiles (~0.5 s). A question in another language is named ("German (de) is not
supported") rather than answered in the wrong language.
"""
from __future__ import annotations

import re

from .errors import InvalidQuestionError, UnsupportedLanguageError
from .types import Language

SUPPORTED = ", ".join(f"{lang.value}" for lang in Language)

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_QUOTED = re.compile(r"\([^)]*\)|«[^»]*»|“[^”]*”|\"[^\"]*\"|「[^」]*」|『[^』]*』|\[[^\]]*\]")
_DIGIT_UNIT = re.compile(r"\d\s?[\uac00-\ud7a3]")  # "2030년", "30명": a Korean unit on a figure
# Scripts that can only mean a language we do not answer in, with the language they most often mean.
_SCRIPTS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[\u3040-\u30ff]"), "ja"),
    (re.compile(r"[\u4e00-\u9fff]"), "zh"),
    (re.compile(r"[\u0400-\u04ff]"), "ru"),
    (re.compile(r"[\u0600-\u06ff]"), "ar"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0900-\u097f]"), "hi"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
]
NAMES = {"it": "Italian", "ko": "Korean", "en": "English", "de": "German", "fr": "French", "es": "Spanish",
         "pt": "Portuguese", "nl": "Dutch", "ca": "Catalan", "ro": "Romanian", "pl": "Polish", "sv": "Swedish",
         "da": "Danish", "no": "Norwegian", "fi": "Finnish", "tr": "Turkish", "cs": "Czech", "hu": "Hungarian",
         "ja": "Japanese", "zh": "Chinese", "zh-cn": "Chinese", "zh-tw": "Chinese", "ru": "Russian", "uk": "Ukrainian",
         "bg": "Bulgarian", "ar": "Arabic", "he": "Hebrew", "th": "Thai", "hi": "Hindi", "el": "Greek", "vi": "Vietnamese",
         "id": "Indonesian", "tl": "Tagalog", "sw": "Swahili", "so": "Somali", "af": "Afrikaans", "hr": "Croatian",
         "sk": "Slovak", "sl": "Slovenian", "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "cy": "Welsh"}

# Function words, one table per language: the supported ones decide short questions; the others name the
# language of a question we do not answer.
_CUES: dict[str, frozenset[str]] = {
    "it": frozenset("il lo la i gli le un una di del della dei delle che chi come quando dove quanti quante quanto "
                    "quale quali perché è sono per con nel nella entro anno ministero piano ciao cosa saranno sarà "
                    "viene vengono ci qual posso possono può puo ho hanno mio mia nostro domanda bando contributo "
                    "chiedere anni sede impresa più uno ad al alla alle agli allo e o ed sul sulla sui dal dalla dai dagli non "
                    "se anche tra fra oppure ogni questo questa essere sia".split()),
    "en": frozenset("the a an of and what which who whom when where why how many much is are was were will does do "
                    "did to for by in with plan ministry there can i my we our apply applicant grant funding".split()),
    "de": frozenset("der die das und ist nicht wie was wer wann wo warum für mit ein eine einen dem den des zu "
                    "auf bei ich wir sie es sind wird werden kann können hat haben viele wieviel wie viele".split()),
    "fr": frozenset("le les des du une est et pour dans qui que quoi quand où comment combien avec sur pas je nous "
                    "vous ils elles sont peut peuvent aux au ce cette en d l qu y sera seront quel quelle quelles quels de "
                    "elle mon mes votre notre leur ou".split()),  # not "il", "la", "un", "se", "ne", "ma": Italian too
    "es": frozenset("el los las la del de una es y para en que qué quién cuándo dónde cómo cuánto cuántos cuánta "
                    "cuántas con por no yo nosotros son puede pueden al este esta hay habrá será serán".split()),
    "pt": frozenset("o os as do da dos das uma é e para em que quem quando onde como quanto quantos com por não "
                    "eu nós são pode podem ao este esta".split()),
    "nl": frozenset("de het een en is van voor wie wat wanneer waar hoe hoeveel met op niet ik wij zijn kan "
                    "kunnen".split()),
}


def detect_language(text: str, *, min_share: float = 0.6) -> Language:
    """Return the language of `text`, or raise UnsupportedLanguageError naming the language it is in."""
    if not any(ch.isalnum() for ch in text):
        raise InvalidQuestionError("the question has no words or figures in it. Ask in Italian, Korean or English, "
                                   "e.g.: Who can apply?")
    unquoted = _QUOTED.sub(" ", text)
    hangul = len(_HANGUL.findall(unquoted))
    words = [w.lower() for w in _LATIN_WORD.findall(_HANGUL.sub(" ", unquoted))]
    letters = sum(ch.isalpha() for ch in unquoted)
    if hangul and (hangul >= 0.3 * max(letters, 1) or len(words) < 4 or _DIGIT_UNIT.search(unquoted)):
        return Language.KO
    if not hangul:
        for pattern, code in _SCRIPTS:
            if pattern.search(text):
                raise _unsupported(text, code)
    counts = {code: sum(w in cues for w in words) for code, cues in _CUES.items()}
    ours = max((Language.IT, Language.EN), key=lambda lang: (counts[lang.value], lang is Language.EN))
    other = max((code for code in counts if code not in ("it", "en")), key=counts.get)
    rival = counts["en" if ours is Language.IT else "it"]
    if counts[ours.value] >= 2 and counts[ours.value] >= 2 * max(rival, counts[other]):
        return ours  # the function words settle it: no need for langdetect
    if counts[other] >= 2 and counts[other] > counts[ours.value]:
        raise _unsupported(text, other)
    guess = _langdetect(text) if len(words) >= 2 else None
    if guess is not None:
        lang, prob = guess
        if lang in ("it", "en") and prob >= min_share:
            return Language(lang)
        if len(words) >= 4 and prob >= 0.9 and counts[ours.value] < max(2, len(words) // 3):
            raise _unsupported(text, lang)
    if counts[ours.value]:
        return ours
    if hangul:
        return Language.KO
    # Too short to tell ("AB100", "500?") and no cue: answer in English, the lingua franca of codes.
    return Language.EN


def _langdetect(text: str) -> tuple[str, float] | None:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # langdetect is random unless seeded
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return None
    return best.lang, best.prob


def _unsupported(text: str, code: str) -> UnsupportedLanguageError:
    name = NAMES.get(code, code)
    return UnsupportedLanguageError(
        f"{name} ({code}) is not supported; ask in it, ko or en (Italian, Korean or English), or set --lang it|ko|en."
    )


def parse_language(value: str) -> Language | None:
    """Parse a --lang value: 'auto' gives None, a supported code gives its Language."""
    value = value.strip().lower()  # "KO", " it " …
    if value == "auto":
        return None
    try:
        return Language(value)
    except ValueError:
        raise UnsupportedLanguageError(
            f"unsupported language {value!r}: choose auto, {SUPPORTED}."
        ) from None
