"""The shipped sample corpus as `make run` serves it: the example questions its settings file puts on the chat page
are answered, each from a cited passage, in the question's language."""
import tomllib

import pytest

from assistant.answer import verify_answer
from assistant.config import CONFIG_FILE, Settings
from assistant.evaluation import answer_language
from assistant.language import detect_language
from assistant.pipeline import ask

from .conftest import ROOT, build, engine_for

SETTINGS = Settings(**tomllib.loads((ROOT / CONFIG_FILE).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory, embedder, analyzer):
    index = tmp_path_factory.mktemp("sample-index")
    build(ROOT / "corpus", index, embedder, None, analyzer)
    return engine_for(index, embedder, None, analyzer)


def test_the_settings_file_names_examples_in_each_language():
    assert {detect_language(q).value for q in SETTINGS.ui.examples} == {"it", "ko", "en"}
    assert SETTINGS.ui.examples != Settings().ui.examples


@pytest.mark.parametrize("question", SETTINGS.ui.examples)
def test_every_example_on_the_chat_page_is_answered_from_a_cited_passage(sample_engine, question):
    answer = ask(sample_engine, question)
    assert answer.grounded, f"the example {question!r} is refused over corpus/: change it in {CONFIG_FILE}"
    assert answer.citations and verify_answer(answer.answer, answer.citations) == []
    assert answer_language(answer) == detect_language(question).value
