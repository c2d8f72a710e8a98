"""The review score: how likely a trained model's label is wrong, from its confidence and a second opinion.

Confidence alone put 69 % of the wild errors in the 20 % review budget out of fold (model 1.3.0). A small
logistic regression over the model's confidence and margin, the statement's length and numbers, its kind, and
the character n-gram classifier's view of that kind (``pipeline.nlp.char_ngrams``) ranks the statements better,
because that classifier errs on other statements than the model. ``workreview train`` fits the weights and the
threshold on out-of-fold predictions and stores them in ``calibrated_cats/calibration.json``; the ``likely_wrong``
flag fires at or above the threshold (``pipeline.flags``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

FEATURES = (
    "confidence",
    "margin",
    "log_words",
    "has_number",
    "is_achievement",
    "is_challenge",
    "second_score",
    "second_disagrees",
)
"""What the score reads: the model's top probability and its lead over the runner-up, log word count, whether a
digit occurs, the kind (goal is the baseline), the n-gram classifier's probability of the model's kind, and
whether it prefers another kind."""
L2 = 1.0
"""Ridge penalty on the standardised weights: the fit has eight weights and thousands of rows, so it is mild."""
NEWTON_STEPS = 50
DIGIT = re.compile(r"\d")


def review_features(kind: str, scores: dict[str, float], second: dict[str, float], text: str) -> list[float]:
    """The ``FEATURES`` of one labelled statement (``scores``: the model's calibrated class probabilities)."""
    top, runner_up = sorted(scores.values(), reverse=True)[:2]
    return [
        top,
        top - runner_up,
        math.log(max(len(text.split()), 1)),
        float(bool(DIGIT.search(text))),
        float(kind == "achievement"),
        float(kind == "challenge"),
        second.get(kind, 0.0),
        float(max(second, key=second.__getitem__) != kind),
    ]


@dataclass(frozen=True)
class ReviewModel:
    """Standardisation, weights and threshold of the review score; a probability that the label is wrong."""

    means: list[float]
    scales: list[float]
    weights: list[float]
    bias: float
    threshold: float = 1.0

    def score(self, features: list[float]) -> float:
        z = self.bias + sum(
            w * (x - m) / s for w, x, m, s in zip(self.weights, features, self.means, self.scales)
        )
        return 1 / (1 + math.exp(-max(min(z, 50.0), -50.0)))


def fit_review_model(features: list[list[float]], wrong: list[bool]) -> ReviewModel:
    """Ridge logistic regression of ``wrong`` on the standardised features, by Newton's method (exact, seedless)."""
    x = np.array(features, dtype=np.float64)
    y = np.array(wrong, dtype=np.float64)
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales < 1e-6] = 1.0  # a constant feature (rounding leaves a tiny spread) carries no weight
    design = np.hstack([(x - means) / scales, np.ones((len(x), 1))])
    penalty = np.diag([L2] * x.shape[1] + [1e-3])  # a touch on the bias keeps it finite when no row is wrong
    weights = np.zeros(design.shape[1])
    for _ in range(NEWTON_STEPS):
        p = 1 / (1 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        weights -= np.linalg.solve(hessian, gradient)
    return ReviewModel(
        means=[round(float(v), 6) for v in means],
        scales=[round(float(v), 6) for v in scales],
        weights=[round(float(v), 6) for v in weights[:-1]],
        bias=round(float(weights[-1]), 6),
    )
