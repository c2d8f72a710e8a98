"""Why a statement needs a reviewer's eyes: the documented list of flag reasons and the rules behind them.

Which reasons fire depends on the classifier (``review_policy``). With a trained model ``section_mismatch`` is
off: the model reads the section itself, and when it still disagrees it is mostly right (dev: 18 % of the
exported statements, 81 % of them correct), so the reason alone would spend most of the review budget on
correct labels. Its mistakes are caught by ``likely_wrong``: a review score over the model's confidence and a
second classifier's opinion (``pipeline.nlp.review_score``) at or above a threshold fitted by cross-validation
with every other reason counted, stored with the model (``pipeline.train``). A model trained before the review
score uses ``low_confidence`` instead, below its stored threshold; the rules use it below 0.6.
``cues_disagree`` fires only in a pipeline that carries the cue-phrase rules as a second opinion; the shipped
model no longer does (on the wild genres the rules disagreed with it on 26 % of the out-of-fold statements, of
which only 17 % were wrong).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.nlp import pipe_of
from pipeline.nlp.calibration import CalibratedCats
from pipeline.nlp.review_score import ReviewModel, review_features

if TYPE_CHECKING:
    from spacy.language import Language

FLAG_REASONS: dict[str, str] = {
    "low_confidence": "the classifier's confidence is below the review threshold",
    "likely_wrong": "the review score (the classifier's confidence weighed with a second, character-based "
    "classifier's opinion) rates the label as likely wrong",
    "section_mismatch": "the statement's kind differs from the kind its section heading announces",
    "cues_disagree": "the cue-phrase rules give the statement a different kind than the trained model",
    "province_unresolved": "the reporting province of the document could not be determined",
    "year_unresolved": "the year under review could not be determined",
    "partial_document": "the document was read only in part (some pages had no text layer)",
    "too_short": "implausibly short for a statement (fewer than 4 words)",
    "too_long": "implausibly long for one statement (more than 80 words)",
    "goal_without_target_year": "a goal that names no target year, nor does its list's lead-in or section heading",
    "quantity_unnormalised": "a quantity whose value could not be read as a number (\"several dozen\", \"2,35\")",
    "ocr": "read by OCR from a scanned page: check the words against the page (see ocr_confidence)",
}
NOTE_REASONS = frozenset({"goal_without_target_year", "year_unresolved"})
"""Reasons recorded with the statement (``flag_reasons``) that do not put it in the review queue: they describe
the statement or its document, not a doubt about its label, and a reviewer has nothing to correct in the queue.
Most goals of real reports name no year; a document's year is not a field a reviewer edits (``pipeline.review``)
and shows as unresolved on the document itself. Out of fold over the wild train + dev documents each note marked
about 14 % of the exported statements, of which 8 % (goals) and 12 % (year) were mislabelled — as often as any
statement — so as flags they filled the review budget with right labels."""
LOW_CONFIDENCE_THRESHOLD = 0.6
SECTION_KIND_OF_LABEL = {"achievement": "achievements", "challenge": "challenges", "goal": "goals"}


@dataclass(frozen=True)
class ReviewPolicy:
    """The flag settings that suit one classifier; the defaults suit the rule-based one."""

    low_confidence_threshold: float = LOW_CONFIDENCE_THRESHOLD
    section_mismatch: bool = True
    review: ReviewModel | None = None
    """The review score, for a model that carries the character n-gram classifier; it replaces low confidence."""

    def review_score(
        self, kind: str, scores: dict[str, float], second: dict[str, float] | None, text: str
    ) -> float | None:
        """How likely the label is wrong; ``None`` without a review score or a second opinion."""
        if self.review is None or second is None:
            return None
        return self.review.score(review_features(kind, scores, second, text))


def review_policy(nlp: Language) -> ReviewPolicy:
    """A trained model's policy (thresholds stored with its calibration by ``workreview train``), else the rules'."""
    if "calibrated_cats" in nlp.pipe_names:
        calibration = pipe_of(nlp, "calibrated_cats", CalibratedCats).calibration
        review = ReviewModel(**calibration.review) if calibration.review and "char_ngrams" in nlp.pipe_names else None
        return ReviewPolicy(calibration.low_confidence_threshold, False, review)
    return ReviewPolicy()


def statement_flags(
    *,
    kind: str,
    confidence: float,
    section_kind: str,
    cue_kind: str | None = None,
    word_count: int,
    document_unresolved: list[str],
    partial_document: bool,
    target_year_missing: bool = False,
    unnormalised_quantity: bool = False,
    ocr: bool = False,
    policy: ReviewPolicy = ReviewPolicy(),
    review_score: float | None = None,
) -> list[str]:
    """Flag reasons, in the order of ``FLAG_REASONS``, for one labelled statement (``review_score``: see
    ``ReviewPolicy.review_score``; with one, it decides instead of the confidence)."""
    reasons = []
    if policy.review is not None and review_score is not None:
        if review_score >= policy.review.threshold:
            reasons.append("likely_wrong")
    elif confidence < policy.low_confidence_threshold:
        reasons.append("low_confidence")
    mismatch = kind != "other" and section_kind != "other" and SECTION_KIND_OF_LABEL[kind] != section_kind
    if policy.section_mismatch and mismatch:
        reasons.append("section_mismatch")
    if kind != "other" and cue_kind is not None and cue_kind != kind:
        reasons.append("cues_disagree")
    if "province" in document_unresolved:
        reasons.append("province_unresolved")
    if "report_year" in document_unresolved:
        reasons.append("year_unresolved")
    if partial_document:
        reasons.append("partial_document")
    if word_count < 4:
        reasons.append("too_short")
    elif word_count > 80:
        reasons.append("too_long")
    if kind == "goal" and target_year_missing:
        reasons.append("goal_without_target_year")
    if unnormalised_quantity:
        reasons.append("quantity_unnormalised")
    if ocr:
        reasons.append("ocr")
    return reasons


def needs_review(reasons: list[str]) -> bool:
    """Whether a statement with these reasons goes to the review queue: any reason but a note."""
    return any(reason not in NOTE_REASONS for reason in reasons)
