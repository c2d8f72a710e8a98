"""The typed records a processed document becomes: one document, its statements, their quantities.

They are what ``pipeline.process`` hands to the store, and their fields *are* the dataset's schema: the store
creates (and extends) its tables from them, and the exports list the fields marked as exported, in field order.
Plain values only (no spaCy objects), so records cross process boundaries cheaply.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pipeline.vocabulary import DocumentStatus, StatementKind

if typing.TYPE_CHECKING:
    from pipeline.quantities import Quantity

INTERNAL = {"exported": False}
"""Field metadata of a column that the database keeps but the CSV/Parquet exports leave out."""


@dataclass(slots=True)
class DocumentRecord:
    document_id: str
    """sha256 of the file's bytes (empty when the file could not even be hashed)."""
    source_file: str
    """Path relative to the reports folder, with forward slashes."""
    format: str | None
    pages: int | None = None
    words: int = 0
    province_code: str | None = None
    province: str | None = None
    province_evidence: str | None = None
    report_year: int | None = None
    level: str | None = None
    title: str | None = None
    status: DocumentStatus = DocumentStatus.OK
    error: str | None = None
    warnings: str | None = None
    model_version: str | None = None
    ocr_pages: str | None = None
    """Pages read by OCR, e.g. ``1;3`` (PDF)."""
    language: str | None = None
    """``km`` or ``en``: the language of most of the document's letters (``pipeline.khmer.language_of``)."""


@dataclass(slots=True)
class StatementRecord:
    statement_id: str
    document_id: str
    source_file: str
    province_code: str | None
    province: str | None
    report_year: int | None
    kind: StatementKind
    text: str
    section: str | None
    section_kind: str | None = field(metadata=INTERNAL)
    block_index: int | None = field(metadata=INTERNAL)
    block_kind: str | None = field(metadata=INTERNAL)
    page: int | None
    char_start: int
    char_end: int
    x0: float | None
    top: float | None
    x1: float | None
    bottom: float | None
    sector: str | None
    target_year: int | None
    quantities: str | None
    """The statement's quantities in short (``46 km; 3450 households``)."""
    confidence: float
    score_achievement: float = field(metadata=INTERNAL)
    score_challenge: float = field(metadata=INTERNAL)
    score_goal: float = field(metadata=INTERNAL)
    score_other: float = field(metadata=INTERNAL)
    flagged: bool
    flag_reasons: str
    model_version: str
    ocr_confidence: float | None = None
    """Tesseract's mean word confidence on the statement's page, in [0, 1], when the page was read by OCR."""
    language: str | None = None
    """``km`` or ``en``: the statement's own language (a mixed document has both); its document's when it has no
    letters."""


@dataclass(slots=True)
class QuantityRecord:
    statement_id: str
    document_id: str
    source_file: str
    value: float | None
    unit: str
    text: str
    char_start: int
    """Span in the document's text (not the statement's)."""
    char_end: int
    role: str | None = None
    """What the figure is (``pipeline.quantity_roles.ROLES``); ``None`` in rows stored before roles existed."""
    object: str | None = None
    """What it counts ("road", "classroom"), when its statement says."""
    period: str | None = None
    """The period its statement gives it, as written."""
    cumulative: bool | None = None
    """It counts more than the year under review (a running total or stock)."""
    change_from: float | None = None
    change_to: float | None = None
    """For a ``change``: the values it moved from and to, when given."""

    @classmethod
    def of(
        cls, quantity: Quantity, statement_id: str, document_id: str, source_file: str, offset: int
    ) -> QuantityRecord:
        """The record of a quantity found in a statement starting at ``offset`` of the document's text."""
        return cls(
            statement_id=statement_id,
            document_id=document_id,
            source_file=source_file,
            value=quantity.value,
            unit=quantity.unit,
            text=quantity.text,
            char_start=offset + quantity.start,
            char_end=offset + quantity.end,
            role=quantity.role,
            object=quantity.object,
            period=quantity.period,
            cumulative=quantity.cumulative,
            change_from=quantity.change_from,
            change_to=quantity.change_to,
        )


Record = DocumentRecord | StatementRecord | QuantityRecord

_SQL_TYPES: dict[type, str] = {str: "VARCHAR", int: "INTEGER", float: "DOUBLE", bool: "BOOLEAN"}


def sql_columns(record_type: type) -> list[tuple[str, str, bool]]:
    """``(name, DuckDB type, nullable)`` for each field of a record type, in field order."""
    hints = typing.get_type_hints(record_type)
    columns = []
    for item in dataclasses.fields(record_type):
        hint = hints[item.name]
        members = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        nullable = type(None) in members
        (python_type,) = [member for member in members if member is not type(None)]
        base = str if isinstance(python_type, type) and issubclass(python_type, StrEnum) else python_type
        columns.append((item.name, _SQL_TYPES[base], nullable))
    return columns


def exported_columns(record_type: type) -> tuple[str, ...]:
    """The fields the CSV/Parquet exports carry, in field order."""
    return tuple(item.name for item in dataclasses.fields(record_type) if item.metadata.get("exported", True))


def as_row(record: Record) -> dict[str, Any]:
    """The record as a plain dict (enum members become their strings), for a DataFrame or JSON."""
    return {
        item.name: str(value) if isinstance(value := getattr(record, item.name), StrEnum) else value
        for item in dataclasses.fields(record)
    }
