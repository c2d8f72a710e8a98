"""The ingestion flow: a thin Prefect wrapper over ``pipeline``.

Documents are processed in batches (one task per batch, not per document or sentence) so Prefect's per-task
overhead stays small; results come back as plain rows and one writer stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from pipeline import inbox, store, summarize
from pipeline.nlp import load_pipeline, model_version
from pipeline.process import DocumentResult, process_files

DEFAULT_BATCH_SIZE = 8


@dataclass
class RunReport:
    out_dir: str
    documents_seen: int = 0
    documents_processed: int = 0
    documents_skipped: int = 0
    statements: int = 0
    pages: int = 0
    failures: list[dict] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


def warm_worker() -> None:
    """Process-pool initializer: load the spaCy pipeline once per worker, before its first batch."""
    load_pipeline()


@task(name="process-batch", retries=1, retry_delay_seconds=2)
def process_batch(items: list[tuple[str, str]]) -> list[DocumentResult]:
    return process_files(items)


@task(name="store-and-export")
def store_and_export(out_dir: str, results: list[DocumentResult], include_other: bool) -> dict[str, str]:
    out = Path(out_dir)
    con = store.connect(out)
    try:
        for result in results:
            store.save_document(con, result)
        paths = store.export(con, out, include_other=include_other)
        paths["summary_md"] = summarize.write_summary(con, out)
        paths["database"] = out / store.DATABASE_NAME
    finally:
        con.close()
    return {key: str(path) for key, path in paths.items()}


@flow(name="ingest-reports", log_prints=True)
def ingest_reports(
    reports_dir: str,
    out_dir: str = "data",
    include_other: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> RunReport:
    """Read every new or changed report in ``reports_dir`` into the national dataset in ``out_dir``."""
    logger = get_run_logger()
    files = inbox.discover(Path(reports_dir))
    version = model_version(load_pipeline())
    con = store.connect(Path(out_dir))
    try:
        stored = store.stored_versions(con)
    finally:
        con.close()
    todo = [f for f in files if inbox.needs_processing(f, stored, version)]
    logger.info("%d files found, %d to read, %d unchanged", len(files), len(todo), len(files) - len(todo))

    batches = [
        [(str(f.path), f.source_file) for f in todo[start : start + batch_size]]
        for start in range(0, len(todo), batch_size)
    ]
    futures = process_batch.map(batches)
    results = [result for future in futures for result in future.result()]

    report = RunReport(out_dir=out_dir, documents_seen=len(files), documents_processed=len(results))
    report.documents_skipped = len(files) - len(todo)
    report.outputs = store_and_export(out_dir, results, include_other)
    for result in results:
        report.statements += len(result.statements)
        report.pages += result.document["pages"] or 0
        if result.document["status"] != "ok":
            report.failures.append(
                {k: result.document[k] for k in ("source_file", "status", "error")}
            )
    return report


def run_ingestion(
    reports_dir: str, out_dir: str, include_other: bool = False, workers: int = 1, batch_size: int = DEFAULT_BATCH_SIZE
) -> RunReport:
    """Run the flow with ``workers`` processes (1 = in this process)."""
    runner = (
        ThreadPoolTaskRunner(max_workers=1)
        if workers <= 1
        else ProcessPoolTaskRunner(max_workers=workers, initializer=warm_worker)
    )
    return ingest_reports.with_options(task_runner=runner)(
        reports_dir=reports_dir, out_dir=out_dir, include_other=include_other, batch_size=batch_size
    )
