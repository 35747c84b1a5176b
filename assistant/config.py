"""One settings object: defaults → policy-assistant.toml → POLICY_ASSISTANT_* environment → flags."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field

CONFIG_FILE = "policy-assistant.toml"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbedSettings(_Part):
    """Which models embed passages and questions."""

    # "use-m3" (packaged multilingual USE), "e5-small" (packaged multilingual-e5-small),
    # "minilm" (packaged English MiniLM, via sentence-transformers), or any sentence-transformers
    # model name or path (needs torch and sentence-transformers).
    model: str = "use-m3"
    # A second opinion in ranking ("e5-small"); off by default: it costs ~50 ms per question on 2 cores and
    # ~120 ms per passage at index time, for no measured gain once the ranker is learned (README, "Settings").
    rerank_model: str = ""
    # A second opinion on answers ("e5-small"): this model embeds every sentence at index time (~35 ms each on
    # 2 cores) and the question (~25–40 ms per ask); the answer chooser and its confidence read its
    # question↔sentence cosine, with a selector trained for it (assistant/models/selector-e5-small.json).
    # Off by default: held out it answers 0.194 of answerable questions right against 0.173 without it, but
    # gives 25 wrong answers against 14 (it helped more before the chooser became a conditional logit), and
    # the ask p50 goes from ~10 ms to 50–160 ms (README, "Answer quality").
    sentence_model: str = ""
    batch_size: int = Field(64, ge=1)
    threads: int = Field(2, ge=1)


class KeywordSettings(_Part):
    """The keyword (BM25) index."""

    # How Korean text is cut into terms: "light" (particles and endings stripped by rule),
    # "kiwi" (morphological analysis: ~4 s and ~500 MB to load) or "ngram" (character bigrams only).
    korean: str = Field("light", pattern="^(light|kiwi|ngram)$")


class VectorSettings(_Part):
    """How vectors are searched: exactly (a memory-mapped matrix) up to `hnsw_above` vectors, past it by a FAISS
    HNSW graph (built at index time)."""

    hnsw_above: int = Field(50_000, ge=0)
    hnsw_m: int = Field(32, ge=4, le=128)
    ef_construction: int = Field(80, ge=8)
    ef_search: int = Field(64, ge=8)  # recall@10 0.96 at 100k synthetic passages (README, "Speed and memory")


class RetrieveSettings(_Part):
    """The searches, their fusion, and how many passages the ranker orders."""

    k: int = Field(5, ge=1, le=50)
    pool: int = Field(40, ge=1, le=500)  # passages each search contributes, and the ranker orders
    sentence_depth: int = Field(150, ge=1, le=5000)  # sentences looked at by the sentence-level search
    rrf_k: int = Field(60, ge=1)  # Cormack et al. 2009
    # Weight of the second model's cosine added to the ranker's score, when `embed.rerank_model` is set.
    w_second: float = 0.5


class AnswerSettings(_Part):
    """How answers are chosen: the learned selector, and what it may look at."""

    # The selector file (assistant/models/selector.json when empty); `policy-assistant calibrate` writes one.
    selector: str = ""
    # Refuse when the best candidate's probability is under this; None: the threshold the selector was
    # calibrated with (chosen for precision: a wrong answer costs more than a refusal).
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    passages: int = Field(4, ge=1, le=20)  # passages whose sentences are candidates
    max_question_chars: int = Field(1000, ge=10)


class ServeSettings(_Part):
    """Where the chat is served."""

    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)
    # Answering processes; 0 means one per core. With 1, the serving process answers itself.
    workers: int = Field(0, ge=0, le=64)


class UiSettings(_Part):
    """What the chat page says about the corpus it serves: its title and example questions."""

    title: str = "policy-assistant"
    subtitle: str = "Ask about the documents in Italian, Korean or English · Chiedi · 질문하세요"
    examples: tuple[str, ...] = (
        "Chi può presentare domanda?",
        "신청 자격은 무엇인가요?",
        "Who can apply, and until when?",
    )


class Settings(_Part):
    """All settings; build once in an entry point (`load_settings`) and pass the parts down."""

    corpus: Path = Path("corpus")
    index: Path = Path("index")
    embed: EmbedSettings = EmbedSettings()
    vectors: VectorSettings = VectorSettings()
    keyword: KeywordSettings = KeywordSettings()
    retrieve: RetrieveSettings = RetrieveSettings()
    answer: AnswerSettings = AnswerSettings()
    serve: ServeSettings = ServeSettings()
    ui: UiSettings = UiSettings()


ENV_PREFIX = "POLICY_ASSISTANT_"
ENV_NESTING = "__"  # POLICY_ASSISTANT_EMBED__MODEL → embed.model


def environment_values(environ: Mapping[str, str]) -> dict:
    """The settings named by POLICY_ASSISTANT_* variables, nested at "__" (case does not matter); a value written
    as JSON (a list, an object) is read as JSON. Variables naming no setting are left alone."""
    values: dict = {}
    for name, raw in environ.items():
        if not name.upper().startswith(ENV_PREFIX):
            continue
        path = name[len(ENV_PREFIX):].lower().split(ENV_NESTING)
        if path[0] not in Settings.model_fields or not all(path):
            continue
        value: Any = raw
        if raw.strip()[:1] in ("[", "{"):
            try:
                value = json.loads(raw)
            except ValueError:
                pass
        node = values
        for key in path[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                break
        else:
            node[path[-1]] = value
    return values


def _merged(base: dict, top: dict) -> dict:
    """`top` over `base`, nested tables merged key by key."""
    out = dict(base)
    for key, value in top.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_settings(**overrides: Any) -> Settings:
    """Read settings from all sources, later ones winning: defaults, policy-assistant.toml in the working
    directory, POLICY_ASSISTANT_* variables, then `overrides` (command-line flags; None values are ignored)."""
    import tomllib

    from pydantic import ValidationError

    from .errors import ConfigError

    layers = []
    file = Path(CONFIG_FILE)
    if file.is_file():
        try:
            layers.append(tomllib.loads(file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {CONFIG_FILE}: {exc}. Fix it, or move it away to use the defaults.") from exc
    layers.append(environment_values(os.environ))
    layers.append({k: v for k, v in overrides.items() if v is not None})
    merged: dict = {}
    for layer in layers:
        merged = _merged(merged, layer)
    try:
        return Settings(**merged)
    except ValidationError as exc:
        raise ConfigError(
            f"invalid settings: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}. "
            f"Check {CONFIG_FILE} and POLICY_ASSISTANT_* variables."
        ) from exc
