"""The one error hierarchy: every failure a user can cause or meet is a :class:`WorkreviewError`.

Each class carries the CLI's exit code and the web app's HTTP status, so both front ends turn any of them into
one line for the user with a single handler (``workreview.cli.main``, ``workreview.web.app``). Anything that is
not a ``WorkreviewError`` is a bug and keeps its traceback.

Exit codes (documented in the README): 0 done; 1 a run finished but ``--strict`` found failed files; 2 bad input
(arguments, paths, values, queries, configs); 3 another run holds the output folder; 4 no dataset in the output
folder yet; 5 the statement model cannot be loaded; 6 a review decision conflicts with a newer one.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.vocabulary import DocumentStatus


class WorkreviewError(Exception):
    """An expected failure, with a message that fits on one line and says what to do."""

    exit_code: ClassVar[int] = 2
    http_status: ClassVar[int] = 400

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class InvalidInput(WorkreviewError):
    """An argument, path, option value or file the user gave that cannot be used as it is."""


class EvaluationError(InvalidInput):
    """Inputs that cannot be evaluated (missing file or column, malformed gold)."""


class QueryRefused(InvalidInput):
    """A query that is not a single read-only statement, or that DuckDB rejects."""


class ReviewError(InvalidInput):
    """A review decision or account change that cannot be applied (unknown statement, bad value, bad role)."""


class StaleDecision(ReviewError):
    """A decision made on an older version of a statement's review than the one now stored."""

    exit_code = 6
    http_status = 409


class RunLocked(WorkreviewError):
    """Another run is writing to the same output folder."""

    exit_code = 3
    http_status = 503


class DatasetNotFound(WorkreviewError):
    """The output folder holds no dataset yet."""

    exit_code = 4
    http_status = 503


class ModelUnavailable(WorkreviewError):
    """The statement model is missing or unreadable; the run would otherwise label nothing right."""

    exit_code = 5
    http_status = 503


class ReadError(WorkreviewError):
    """A file that cannot become a document. Not raised to the user: the run records it as the document's
    ``status`` and ``error`` and goes on."""

    def __init__(self, message: str, status: DocumentStatus = DocumentStatus.FAILED):
        super().__init__(message)
        self.status = status
