"""Typed records with plain defaults, for tests that store hand-made results."""

from __future__ import annotations

from pipeline.records import DocumentRecord, QuantityRecord, StatementRecord
from pipeline.vocabulary import StatementKind


def statement_record(statement_id: str, document_id: str, source_file: str, text: str, **values) -> StatementRecord:
    defaults = dict(
        province_code="KH-7", province="Kampot", report_year=2020, kind=StatementKind.ACHIEVEMENT, section=None,
        section_kind=None, block_index=None, block_kind=None, page=None, char_start=0, char_end=len(text),
        x0=None, top=None, x1=None, bottom=None, sector=None, target_year=None, quantities=None, confidence=0.9,
        score_achievement=0.9, score_challenge=0.0, score_goal=0.1, score_other=0.0, flagged=False, flag_reasons="",
        model_version="test",
    )
    return StatementRecord(statement_id, document_id, source_file, text=text, **{**defaults, **values})


__all__ = ["DocumentRecord", "QuantityRecord", "StatementRecord", "statement_record"]
