"""The words the dataset is made of, spelled once: statement kinds, document statuses, review statuses.

Every module, the store's values, the exports, the API and the web app use these enums; they are ``StrEnum``
so that a member is also the plain string written to DuckDB, CSV and JSON.
"""

from __future__ import annotations

from enum import StrEnum


class StatementKind(StrEnum):
    ACHIEVEMENT = "achievement"
    CHALLENGE = "challenge"
    GOAL = "goal"
    OTHER = "other"
    """A sentence that is none of the three (introductions, logistics, addresses): stored, not exported."""


REPORTED_KINDS: tuple[StatementKind, ...] = (StatementKind.ACHIEVEMENT, StatementKind.CHALLENGE, StatementKind.GOAL)
"""The kinds the dataset reports; ``other`` stays in the database only."""


class DocumentStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    NEEDS_OCR = "needs_ocr"
    UNSUPPORTED = "unsupported"
    SKIPPED = "skipped"
    """In the inbox but never opened: a link out of the folder, a pipe, a dangling link (``pipeline.inbox``)."""


class ReviewStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    ACCEPTED = "accepted"
    CORRECTED = "corrected"
    REJECTED = "rejected"


USER_ROLES = ("reviewer", "analyst", "admin")
"""What a user of the review app may be (``pipeline.review``); here so the CLI can name them without the review code."""
