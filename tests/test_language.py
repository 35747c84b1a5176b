import json
import re

import pytest

from assistant.errors import UnsupportedLanguageError
from assistant.language import detect_language, parse_language
from assistant.types import Language

from .conftest import ROOT


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2030년까지 AI 공장을 몇 개로 늘릴 계획인가요?", Language.KO),
        ("Quante fabbriche AI saranno distribuite entro quest'anno?", Language.IT),
        ("Who won the 2022 FIFA World Cup?", Language.EN),
        ("AI", Language.EN),  # langdetect alone says "tl"
        ("ciao", Language.IT),  # langdetect alone says "pt"
        ("Dove?", Language.IT),
        ("RE100 산업단지", Language.KO),
        ("500?", Language.EN),  # langdetect raises on it
        ("un insieme di uno o più edifici vicini aventi in comune spazi e/o servizi", Language.IT),  # not Portuguese
    ],
)
def test_detects_supported_languages(text, expected):
    assert detect_language(text) is expected


def test_every_seed_question_is_detected_in_its_language():
    items = [json.loads(line) for line in (ROOT / "evals/seed-qa.jsonl").read_text(encoding="utf-8").splitlines()]
    wrong = [i["question"] for i in items if detect_language(i["question"]).value != i["lang"]]
    assert wrong == []


@pytest.mark.parametrize(
    "text",
    ["Wie hoch ist das Budget für die KI-Fabriken?", "2030年までにAI工場はいくつ？", "Сколько заводов будет построено?",
     "Quelles sont les priorités du ministère pour l’année prochaine?"],
)
def test_unsupported_language_message_lists_the_supported_ones(text):
    with pytest.raises(UnsupportedLanguageError) as info:
        detect_language(text)
    assert "ask in it, ko or en" in str(info.value) and "Italian, Korean or English" in str(info.value)


@pytest.mark.parametrize("text, name", [
    ("Wie hoch ist das Budget für die KI-Fabriken?", "German (de)"),
    ("人工智能工厂有多少？", "Chinese (zh)"),
    ("2030年までにAI工場はいくつ？", "Japanese (ja)"),
    ("Combien d'usines IA en 2030 ?", "French (fr)"),
    ("Quelle est la date limite de candidature?", "French (fr)"),  # "la", "de": Spanish too, not only
    ("Quel est le montant maximal de la subvention ?", "French (fr)"),
    ("¿Cuántas fábricas de IA habrá en 2030?", "Spanish (es)"),
])
def test_unsupported_language_is_named(text, name):
    with pytest.raises(UnsupportedLanguageError, match=re.escape(f"{name} is not supported")):
        detect_language(text)


@pytest.mark.parametrize("text, expected", [
    ("2030년 AI factories quanti?", Language.KO),  # a Korean unit on a figure: the asker writes Korean
    ("Per il pagamento per le zone svantaggiate (조건불리보조금), in quale periodo si paga?", Language.IT),
])
def test_mixed_scripts(text, expected):
    assert detect_language(text) is expected


def test_parse_language_flag():
    assert parse_language("auto") is None
    assert parse_language("ko") is Language.KO
    assert parse_language("KO") is Language.KO and parse_language(" It ") is Language.IT and parse_language("AUTO") is None
    with pytest.raises(UnsupportedLanguageError, match="auto, it, ko, en"):
        parse_language("fr")
