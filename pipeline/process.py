"""One document through read → segment → extract → normalize, ending as typed records.

This is the unit of work a flow task or a worker process runs. Its output holds only plain values (no spaCy
objects, see ``pipeline.records``), so it can cross process boundaries, and a failure of any kind becomes a
recorded ``failed`` document instead of an exception that would stop the run.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from pipeline.document import Block, BlockKind, Document
from pipeline.errors import ModelUnavailable, ReadError
from pipeline.extract import Extraction, extract
from pipeline.flags import needs_review, review_policy, statement_flags
from pipeline.guard import ReadLimits, guarded_read, retry_io, unexpected_message
from pipeline.hygiene import one_line
from pipeline.inbox import file_digest
from pipeline.khmer import language_of
from pipeline.nlp import load_pipeline, model_version
from pipeline.normalize import Attribution, attribute_document
from pipeline.quantities import Quantity, find_quantities, summarize, target_year
from pipeline.records import DocumentRecord, QuantityRecord, StatementRecord
from pipeline.results import DocumentResult, failed_result, skipped_result  # noqa: F401 -- re-exported
from pipeline.sectors import classify_sector
from pipeline.segment import Statement, segment
from pipeline.statement_ids import normalized_text, statement_id  # noqa: F401 -- re-exported
from pipeline.vocabulary import DocumentStatus, StatementKind


def word_count(text: str, extraction: Extraction) -> int:
    """Words of a statement: between spaces, or for Khmer (no spaces between words) the classifier's word tokens,
    its context markers, spaces and punctuation left out."""
    if language_of(text) != "km":
        return len(text.split())
    tokens = extraction.tokens
    return sum(1 for token in tokens[tokens._.markers :] if not (token.is_space or token.is_punct))


def normalize_stage(
    document: Document, statements: list[Statement], extractions: list[Extraction]
) -> tuple[Attribution, list[list[Quantity]], list[str]]:
    """The document's province, year and level, and each statement's quantities and sector."""
    attribution = attribute_document(document)
    quantities = [
        find_quantities(statement.text, extraction.kind) for statement, extraction in zip(statements, extractions)
    ]
    sectors = [
        classify_sector(statement.text, statement.lead_in, statement.section, tokens=extraction.tokens)
        for statement, extraction in zip(statements, extractions)
    ]
    return attribution, quantities, sectors


def prepare_stages() -> None:
    """Build what the extract and normalize stages load once per process (the statement pipeline and its marker
    tokenizer, the place-name matcher, the sector lexicon) by running them on a two-line document, so that the
    first real document does not pay for it and a benchmark can time loading apart from the stages."""
    document = Document(
        source_file="warm-up.txt",
        format="txt",
        blocks=[
            Block(BlockKind.HEADING, "1. Achievements"),
            Block(BlockKind.PARAGRAPH, "In 2020 Kampot Province built 12 km of rural roads and two health centres."),
        ],
    ).assemble()
    statements = segment(document)
    normalize_stage(document, statements, extract(statements, load_pipeline()))


def process_file(path: Path, source_file: str, limits: ReadLimits = ReadLimits()) -> DocumentResult:
    """Read and extract one file within ``limits``; never raises for a bad file."""
    from pipeline.read import detect_format

    fmt = detect_format(path)
    try:
        document_id = retry_io(file_digest, path, attempts=limits.io_attempts, backoff_s=limits.io_backoff_s)
    except OSError as exc:
        error = one_line(f"cannot read file: {exc.strerror or exc}")
        return DocumentResult(DocumentRecord("", source_file, fmt, status=DocumentStatus.FAILED, error=error))
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    try:
        document = guarded_read(path, source_file, limits)
    except ReadError as exc:
        error = one_line(str(exc))
        return DocumentResult(DocumentRecord(document_id, source_file, fmt, status=exc.status, error=error))
    except Exception as exc:  # a reader bug must not stop the run: record it like any unreadable file
        message = unexpected_message(exc, "reading")
        return DocumentResult(
            DocumentRecord(document_id, source_file, fmt, status=DocumentStatus.FAILED, error=message)
        )
    seconds["read"] = time.perf_counter() - started
    stage: list[str] = []
    try:
        return _analyse(document, document_id, source_file, seconds, stage)
    except ModelUnavailable:  # not this document's fault: the run stops and says so
        raise
    except Exception as exc:  # any stage failing on one document fails that document, never the run
        error = stage_failure(exc, stage[-1] if stage else "processing")
        return DocumentResult(
            DocumentRecord(document_id, source_file, document.format, status=DocumentStatus.FAILED, error=error)
        )


def stage_failure(exc: Exception, stage: str) -> str:
    """The one-line reason a document failed in a stage after reading."""
    if isinstance(exc, MemoryError):
        return f"the file needs more memory than this machine could give while {stage} this file"
    return unexpected_message(exc, stage)


def _analyse(
    document: Document, document_id: str, source_file: str, seconds: dict[str, float], stage: list[str]
) -> DocumentResult:
    """Segment, extract and normalise a document read fine; ``stage`` records how far it got, for the error."""
    stage.append("segmenting")
    started = time.perf_counter()
    statements = segment(document)
    seconds["segment"] = time.perf_counter() - started

    stage.append("labelling the statements of")
    started = time.perf_counter()
    language = language_of(document.text)
    nlp = load_pipeline(language)
    extractions = extract(statements, nlp)
    seconds["extract"] = time.perf_counter() - started

    stage.append("normalising")
    started = time.perf_counter()
    attribution, quantities, sectors = normalize_stage(document, statements, extractions)
    seconds["normalize"] = time.perf_counter() - started

    stage.append("assembling the records of")
    version = model_version(nlp)
    words = len(document.text.split())
    record = DocumentRecord(
        document_id,
        source_file,
        document.format,
        pages=document.pages,
        words=words,
        province_code=attribution.province_code,
        province=attribution.province,
        province_evidence=attribution.province_evidence,
        report_year=attribution.report_year,
        level=attribution.level,
        title=attribution.title,
        warnings="; ".join(one_line(warning) for warning in document.warnings) or None,
        model_version=version,
        ocr_pages=";".join(map(str, sorted(document.ocr_pages))) or None,
        language=language,
    )
    policy = review_policy(nlp)
    occurrences: Counter[str] = Counter()
    records: list[StatementRecord] = []
    quantity_records: list[QuantityRecord] = []
    for statement, extraction, found, sector in zip(statements, extractions, quantities, sectors):
        key = normalized_text(statement.text)
        occurrence = occurrences[key]
        occurrences[key] += 1
        sid = statement_id(source_file, statement.text, occurrence)
        goal_year = None
        if extraction.kind == StatementKind.GOAL:
            goal_year = target_year(statement.text, attribution.report_year, (statement.lead_in, statement.section))
        reasons = statement_flags(
            kind=extraction.kind,
            confidence=extraction.confidence,
            section_kind=statement.section_kind.value,
            cue_kind=extraction.cue_kind,
            word_count=word_count(statement.text, extraction),
            document_unresolved=list(attribution.unresolved),
            partial_document=bool(document.warnings),
            target_year_missing=goal_year is None,
            unnormalised_quantity=any(q.value is None for q in found),
            ocr=statement.page in document.ocr_pages,
            policy=policy,
            review_score=policy.review_score(
                extraction.kind, {str(k): v for k, v in extraction.scores.items()}, extraction.second_scores,
                statement.text,
            ),
        )
        x0, top, x1, bottom = statement.bbox or (None, None, None, None)
        records.append(
            StatementRecord(
                statement_id=sid,
                document_id=document_id,
                source_file=source_file,
                province_code=attribution.province_code,
                province=attribution.province,
                report_year=attribution.report_year,
                kind=extraction.kind,
                text=statement.text,
                section=statement.section,
                section_kind=statement.section_kind.value,
                block_index=statement.block_index,
                block_kind=statement.block_kind,
                page=statement.page,
                char_start=statement.char_start,
                char_end=statement.char_end,
                x0=x0,
                top=top,
                x1=x1,
                bottom=bottom,
                sector=sector,
                target_year=goal_year,
                quantities=summarize(found) or None,
                confidence=extraction.confidence,
                score_achievement=extraction.scores[StatementKind.ACHIEVEMENT],
                score_challenge=extraction.scores[StatementKind.CHALLENGE],
                score_goal=extraction.scores[StatementKind.GOAL],
                score_other=extraction.scores[StatementKind.OTHER],
                flagged=needs_review(reasons),
                flag_reasons=";".join(reasons),
                model_version=version,
                ocr_confidence=document.ocr_pages.get(statement.page) if statement.page else None,
                language=language_of(statement.text, default=language),
            )
        )
        quantity_records.extend(
            QuantityRecord.of(q, sid, document_id, source_file, statement.char_start) for q in found
        )
    return DocumentResult(record, records, seconds, words, quantity_records, document.text)


def process_files(items: list[tuple[str, str]], limits: ReadLimits = ReadLimits()) -> list[DocumentResult]:
    """Process a batch of ``(path, source_file)`` pairs; the unit one flow task runs."""
    return [_process_or_fail(Path(path), source_file, limits) for path, source_file in items]


def _process_or_fail(path: Path, source_file: str, limits: ReadLimits) -> DocumentResult:
    """``process_file``, with a last net: a failure it did not foresee still costs only this document."""
    try:
        return process_file(path, source_file, limits)
    except ModelUnavailable:
        raise
    except Exception as exc:
        return failed_result(source_file, unexpected_message(exc, "processing"))
