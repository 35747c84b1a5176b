"""Settings: defaults, then policy-assistant.toml, then POLICY_ASSISTANT_* variables, then flags."""
import pytest

from assistant.config import CONFIG_FILE, load_settings
from assistant.errors import ConfigError


@pytest.fixture
def clean(monkeypatch, tmp_path):
    for name in list(__import__("os").environ):
        if name.upper().startswith("POLICY_ASSISTANT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_later_sources_win_and_tables_merge(clean, monkeypatch):
    assert load_settings().retrieve.k == 5 and load_settings().keyword.korean == "light"
    (clean / CONFIG_FILE).write_text('[retrieve]\nk = 8\npool = 30\n[keyword]\nkorean = "ngram"\n', encoding="utf-8")
    settings = load_settings()
    assert (settings.retrieve.k, settings.retrieve.pool, settings.keyword.korean) == (8, 30, "ngram")
    monkeypatch.setenv("POLICY_ASSISTANT_RETRIEVE__K", "9")
    monkeypatch.setenv("policy_assistant_serve__port", "7999")  # any case
    monkeypatch.setenv("POLICY_ASSISTANT_UI__EXAMPLES", '["Chi può partecipare?", "Until when?"]')
    monkeypatch.setenv("POLICY_ASSISTANT_NOT_A_SETTING", "x")  # names no setting: left alone
    settings = load_settings()
    assert settings.retrieve.k == 9 and settings.retrieve.pool == 30  # the file's other keys stay
    assert settings.serve.port == 7999 and settings.ui.examples == ("Chi può partecipare?", "Until when?")
    settings = load_settings(index=clean / "elsewhere", retrieve={"k": 3}, corpus=None)
    assert settings.index == clean / "elsewhere" and settings.retrieve.k == 3 and settings.retrieve.pool == 30
    assert str(settings.corpus) == "corpus"  # a flag left unset (None) does not override


@pytest.mark.parametrize("toml, env, says", [
    ("[retrieve]\nkk = 8\n", {}, "retrieve"),  # an unknown key is rejected, not ignored
    ("[retrieve\nk = 8\n", {}, f"cannot read {CONFIG_FILE}"),
    ("", {"POLICY_ASSISTANT_RETRIEVE__K": "0"}, "retrieve"),
    ("", {"POLICY_ASSISTANT_KEYWORD__KOREAN": "mecab"}, "keyword"),
])
def test_bad_settings_name_the_setting(clean, monkeypatch, toml, env, says):
    if toml:
        (clean / CONFIG_FILE).write_text(toml, encoding="utf-8")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert says in str(raised.value)
