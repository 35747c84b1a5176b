"""The learned parts: a passage ranker and an answer chooser (conditional logits: which of a question's passages,
which of its candidate sentences), the confidence model (a logistic regression: is the chosen answer right?) and
the refusal threshold. Stored as a small JSON file in the package (assistant/models/selector.json) and trained by
`policy-assistant calibrate`; scoring needs numpy only."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import ConfigError
from .features import CONFIDENCE_FEATURES, FEATURES
from .retrieve import PASSAGE_FEATURES

SELECTOR_VERSION = 10


def default_path(sentence_model: str = "") -> Path:
    """The selector shipped inside the package for a sentence model (`embed.sentence_model`; "" when off): each
    is trained with the features that setting gives."""
    name = f"selector-{sentence_model}.json" if sentence_model else "selector.json"
    return Path(str(resources.files("assistant") / "models" / name))


@dataclass(frozen=True)
class LinearModel:
    """A linear model over standardised features: a logistic regression, or a conditional logit (whose scores
    compare only within one question: its `probability` means nothing)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def score(self, rows: np.ndarray) -> np.ndarray:
        """The log-odds of each row; a missing value (NaN) counts as the training mean."""
        if rows.size == 0:
            return np.zeros(0, dtype=np.float32)
        rows = np.atleast_2d(rows)
        rows = np.where(np.isnan(rows), self.mean, rows)
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """P(positive) of each row."""
        return 1.0 / (1.0 + np.exp(-self.score(rows)))

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept}

    @classmethod
    def from_json(cls, data: dict) -> "LinearModel":
        return cls(tuple(data["features"]), np.asarray(data["mean"], dtype=np.float32),
                   np.asarray(data["scale"], dtype=np.float32), np.asarray(data["coef"], dtype=np.float32),
                   float(data["intercept"]))

    def weights(self) -> dict[str, float]:
        """The weights by feature name, largest first (for reports)."""
        pairs = {name: round(float(w), 4) for name, w in zip(self.features, self.coef)}
        return dict(sorted(pairs.items(), key=lambda kv: -abs(kv[1])))


@dataclass(frozen=True)
class Selector:
    """The passage ranker, the answer chooser, the confidence model (P(the chosen answer is right)), and the
    confidence under which the assistant refuses."""

    ranker: LinearModel
    chooser: LinearModel
    confidence: LinearModel
    threshold: float
    meta: dict = field(default_factory=dict, compare=False)

    def to_json(self) -> dict:
        return {"version": SELECTOR_VERSION, "ranker": self.ranker.to_json(), "chooser": self.chooser.to_json(),
                "confidence": self.confidence.to_json(), "threshold": self.threshold, **self.meta}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")


def load_selector(path: Path | None = None) -> Selector:
    """Read a selector file; it must have been trained on this program's features."""
    path = path or default_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the answer selector at '{path}': {exc}. Train one with: "
                          "policy-assistant calibrate evals/dev-qa.jsonl") from exc
    if data.get("version") != SELECTOR_VERSION or data.get("ranker", {}).get("features") != list(PASSAGE_FEATURES) \
            or data.get("chooser", {}).get("features") != list(FEATURES) \
            or data.get("confidence", {}).get("features") != list(CONFIDENCE_FEATURES):
        raise ConfigError(f"the answer selector at '{path}' was trained on other features (version "
                          f"{data.get('version')}). Train it again with: policy-assistant calibrate evals/dev-qa.jsonl")
    meta = {k: v for k, v in data.items() if k not in ("version", "ranker", "chooser", "confidence", "threshold")}
    return Selector(LinearModel.from_json(data["ranker"]), LinearModel.from_json(data["chooser"]),
                    LinearModel.from_json(data["confidence"]), float(data["threshold"]), meta)


def untrained_selector() -> Selector:
    """A placeholder with every weight zero (refuses everything): what `calibrate` starts from, so that training
    never needs a selector that matches the current features."""
    def zero(names: tuple[str, ...]) -> LinearModel:
        n = len(names)
        return LinearModel(names, np.zeros(n, np.float32), np.ones(n, np.float32), np.zeros(n, np.float32), -5.0)

    return Selector(zero(PASSAGE_FEATURES), zero(FEATURES), zero(CONFIDENCE_FEATURES), 1.0)
