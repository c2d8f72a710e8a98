"""Why a statement needs a reviewer's eyes: the documented list of flag reasons and the rules behind them."""

from __future__ import annotations

FLAG_REASONS: dict[str, str] = {
    "low_confidence": "the classifier's confidence is below the review threshold",
    "section_mismatch": "the statement's kind differs from the kind its section heading announces",
    "province_unresolved": "the reporting province of the document could not be determined",
    "year_unresolved": "the year under review could not be determined",
    "partial_document": "the document was read only in part (some pages had no text layer)",
    "too_short": "implausibly short for a statement (fewer than 4 words)",
    "too_long": "implausibly long for one statement (more than 80 words)",
}
LOW_CONFIDENCE_THRESHOLD = 0.6
SECTION_KIND_OF_LABEL = {"achievement": "achievements", "challenge": "challenges", "goal": "goals"}


def statement_flags(
    *,
    kind: str,
    confidence: float,
    section_kind: str,
    word_count: int,
    document_unresolved: list[str],
    partial_document: bool,
    threshold: float = LOW_CONFIDENCE_THRESHOLD,
) -> list[str]:
    """Flag reasons, in the order of ``FLAG_REASONS``, for one labelled statement."""
    reasons = []
    if confidence < threshold:
        reasons.append("low_confidence")
    if kind != "other" and section_kind != "other" and SECTION_KIND_OF_LABEL[kind] != section_kind:
        reasons.append("section_mismatch")
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
    return reasons
