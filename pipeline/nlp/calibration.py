"""Confidence that means something: temperature scaling of the trained classifier's probabilities.

A linear text classifier trained to near-zero loss is over-confident: it says 0.99 where it is right nine times
in ten. Dividing its log-probabilities by one temperature, fitted on the dev split, makes the top probability
track the share of correct labels without changing which label wins. The temperature and the review threshold
chosen for it live in the model folder (``calibrated_cats/calibration.json``), with the review score's weights
and threshold (``pipeline.nlp.review_score``); the ``calibrated_cats`` pipeline step applies the temperature, the
flags read the rest.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

CALIBRATION_FILE = "calibration.json"
TEMPERATURES = [round(0.05 * step, 2) for step in range(4, 101)]
"""The grid the temperature is fitted on: 0.2 to 5.0; a grid keeps the fit exact and reproducible."""
RELIABILITY_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0
    low_confidence_threshold: float = 0.6
    fitted_on: str = ""
    review: dict = field(default_factory=dict)
    """The review score's weights and threshold (``pipeline.nlp.review_score.ReviewModel``); empty for a model
    trained before it, whose flags fall back to ``low_confidence_threshold``."""

    def save(self, model_dir: Path) -> None:
        (model_dir / CALIBRATION_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, model_dir: Path) -> Calibration:
        path = model_dir / CALIBRATION_FILE
        return cls(**json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else cls()


def scale(scores: dict[str, float], temperature: float) -> dict[str, float]:
    """``softmax(log p / T)``: the same ranking, sharper (T < 1) or softer (T > 1)."""
    logits = {label: math.log(max(value, 1e-12)) / temperature for label, value in scores.items()}
    top = max(logits.values())
    exp = {label: math.exp(value - top) for label, value in logits.items()}
    total = sum(exp.values())
    return {label: value / total for label, value in exp.items()}


def negative_log_likelihood(scores: list[dict[str, float]], labels: list[str], temperature: float) -> float:
    return -sum(math.log(max(scale(s, temperature)[label], 1e-12)) for s, label in zip(scores, labels))


def fit_temperature(scores: list[dict[str, float]], labels: list[str]) -> float:
    """The grid temperature with the lowest negative log-likelihood of the true labels."""
    return min(TEMPERATURES, key=lambda t: negative_log_likelihood(scores, labels, t))


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


def reliability(confidences: list[float], correct: list[bool]) -> list[ReliabilityBin]:
    """Statements binned by confidence: when calibrated, each bin's accuracy is close to its mean confidence."""
    bins = []
    edges = list(zip(RELIABILITY_BINS, RELIABILITY_BINS[1:]))
    for index, (low, high) in enumerate(edges):
        last = index == len(edges) - 1
        members = [(c, ok) for c, ok in zip(confidences, correct) if low <= c < high or last and c == high]
        count = len(members)
        bins.append(
            ReliabilityBin(
                low,
                high,
                count,
                sum(c for c, _ in members) / count if count else None,
                sum(ok for _, ok in members) / count if count else None,
            )
        )
    return bins


def expected_calibration_error(bins: list[ReliabilityBin]) -> float:
    total = sum(b.count for b in bins)
    gaps = (
        b.count * abs(b.mean_confidence - b.accuracy)
        for b in bins
        if b.mean_confidence is not None and b.accuracy is not None  # both None exactly when the bin is empty
    )
    return sum(gaps) / total if total else 0.0


class CalibratedCats:
    """Rescales ``doc.cats`` by the model's temperature; saved with the model as ``calibration.json``."""

    def __init__(self, name: str):
        self.name = name
        self.calibration = Calibration()

    def __call__(self, doc: Doc) -> Doc:
        if doc.cats:
            doc.cats = scale(doc.cats, self.calibration.temperature)
        return doc

    def to_disk(self, path: Path, exclude: tuple = ()) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.calibration.save(path)

    def from_disk(self, path: Path, exclude: tuple = ()) -> CalibratedCats:
        self.calibration = Calibration.load(path)
        return self


@Language.factory("calibrated_cats")
def make_calibrated_cats(nlp: Language, name: str) -> CalibratedCats:
    return CalibratedCats(name)
