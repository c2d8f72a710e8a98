"""What processing one document gives: its record, statements and quantities, or why it failed.

Apart from ``pipeline.process`` so that a run's main process, which only records results and stores them, does
not import the stages (spaCy and the readers) when worker processes do the processing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.records import DocumentRecord, QuantityRecord, StatementRecord
from pipeline.vocabulary import DocumentStatus


@dataclass(slots=True)
class DocumentResult:
    document: DocumentRecord
    statements: list[StatementRecord] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    """Time spent in each stage, for the benchmark."""
    words: int = 0
    quantities: list[QuantityRecord] = field(default_factory=list)
    """One per quantity in the statements (``pipeline.quantities``), spans in the document's text."""
    text: str = ""
    """The document's text, which the statements' spans index (kept for reviewers' boundary changes)."""


def skipped_result(source_file: str, reason: str) -> DocumentResult:
    """An inbox entry recorded without being read: ``pipeline.inbox`` says why (a link out of the folder, a pipe…)."""
    result = failed_result(source_file, reason)
    result.document.status = DocumentStatus.SKIPPED
    return result


def failed_result(source_file: str, error: str, document_id: str = "") -> DocumentResult:
    from pipeline.read import detect_format

    fmt = detect_format(Path(source_file))
    return DocumentResult(DocumentRecord(document_id, source_file, fmt, status=DocumentStatus.FAILED, error=error))
