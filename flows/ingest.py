"""The ingestion flow: a thin Prefect wrapper over ``pipeline``.

Documents are processed in batches (one task per batch, not per document or sentence) so Prefect's per-task
overhead stays small. Tasks get file paths and return plain rows; with several workers each task hands its batch
to a pool of worker processes (``pipeline.workers``), started before Prefect so both start at once. This process
is the only writer, and stores each batch as it completes, in one transaction, so a run that dies keeps what it
finished and the next run reads only the rest. A lock on the output folder keeps a second run from writing at the
same time.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger, runtime, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import PREFECT_API_URL
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.prefect_api import DASK_NEEDS_SERVER
from pipeline import inbox, runlock, runs, store, summarize, unchanged
from pipeline.errors import ModelUnavailable
from pipeline.guard import ReadLimits, unexpected_message
from pipeline.model_choice import LANGUAGES, chosen_model_version
from pipeline.records import DocumentRecord
from pipeline.results import DocumentResult, failed_result, skipped_result
from pipeline.vocabulary import DocumentStatus
from pipeline.workers import WorkerPool, default_workers

BATCHES_PER_WORKER = 4
"""Batches per worker when the batch size is left to the run: few enough that Prefect's per-task bookkeeping and
opening the database per batch stay small, enough that the workers finish together and progress moves."""
BATCH_SIZE_RANGE = (4, 64)


Stage = Literal["starting", "reading", "storing", "exporting", "summarising"]
"""What a run is doing: ``starting`` (finding the files, loading the model), ``reading`` (batches of documents),
``storing`` (writing a batch that came back), ``exporting`` (Parquet and CSV), ``summarising`` (the summary)."""
ProgressCallback = Callable[[int, int, Stage], None]
progress_callback: ContextVar[ProgressCallback | None] = ContextVar("progress_callback", default=None)
"""Called with ``(documents done, documents to read, stage)`` as the run moves on (the CLI's progress bar): once
at each stage, and for ``reading`` once before the first batch and once after each batch is stored."""


def report_progress(done: int, total: int, stage: Stage) -> None:
    on_progress = progress_callback.get()
    if on_progress:
        on_progress(done, total, stage)


@dataclass
class RunReport:
    out_dir: str
    run_id: str = ""
    documents_seen: int = 0
    documents_processed: int = 0
    documents_skipped: int = 0
    statements: int = 0
    pages: int = 0
    counts: runs.RunCounts = field(default_factory=runs.RunCounts)
    failures: list[DocumentRecord] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


def task_runner_for(workers: int, kind: str = "local", dask_address: str | None = None) -> TaskRunner:
    """Where batch tasks run: threads of this process (each hands its batch to the worker pool when there are
    several workers), or an existing Dask cluster."""
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        if not dask_address:
            raise ValueError("the dask task runner needs a scheduler address, e.g. tcp://10.0.0.5:8786")
        if not PREFECT_API_URL.value():
            raise ValueError(DASK_NEEDS_SERVER)
        return DaskTaskRunner(address=dask_address)
    return ThreadPoolTaskRunner(max_workers=max(workers, 1))


_worker_pool: WorkerPool | None = None
"""The worker processes of the run in progress in this process (several local workers), shared by its tasks."""


@contextmanager
def worker_pool(workers: int, kind: str = "local") -> Iterator[WorkerPool | None]:
    """The run's worker pool, started here unless an enclosing call already did (``run_ingestion`` starts it
    before the flow, so the workers load their models while Prefect starts); none for one worker or Dask."""
    global _worker_pool
    if _worker_pool is not None or kind != "local" or workers <= 1:
        yield _worker_pool
        return
    _worker_pool = WorkerPool(workers).start()
    try:
        yield _worker_pool
    finally:
        pool, _worker_pool = _worker_pool, None
        pool.close()


def batch_size_for(documents: int, workers: int) -> int:
    """``BATCHES_PER_WORKER`` batches per worker, within ``BATCH_SIZE_RANGE``."""
    low, high = BATCH_SIZE_RANGE
    return max(low, min(high, math.ceil(documents / (max(workers, 1) * BATCHES_PER_WORKER))))


@task(name="process-batch", retries=1, retry_delay_seconds=2)
def process_batch(items: list[tuple[str, str]], limits: ReadLimits) -> list[DocumentResult]:
    """In the run's worker pool if it has one (a worker that dies costs only the document that killed it), else
    in this process (one worker, or a Dask worker)."""
    pool = _worker_pool
    if pool is not None:
        return pool.process(items, limits)
    from pipeline.process import process_files  # here: with a worker pool this process never loads the stages

    return process_files(items, limits)


def save_batch(out: Path, results: list[DocumentResult]) -> list[DocumentResult]:
    """Store one batch, holding the database only briefly so the review app can read between batches; returns
    what was stored (a document the database refused is stored as failed)."""
    con = store.connect(out)
    try:
        return store.save_results(con, results)
    finally:
        con.close()


@task(name="export")
def export_dataset(out_dir: str, include_other: bool) -> dict[str, str]:
    out = Path(out_dir)
    con = store.connect(out)
    try:
        paths = store.export(con, out, include_other=include_other)
        paths["database"] = out / store.DATABASE_NAME
    finally:
        con.close()
    return {key: str(path) for key, path in paths.items()}


@task(name="summarise")
def write_summaries(out_dir: str) -> dict[str, str]:
    out = Path(out_dir)
    con = store.connect(out)
    try:
        paths = summarize.write_summaries(con, out)
    finally:
        con.close()
    return {key: str(path) for key, path in paths.items()}


@flow(name="ingest-reports", log_prints=True)
def ingest_reports(
    reports_dir: str,
    out_dir: str = "data",
    include_other: bool = False,
    batch_size: int | None = None,
    workers: int | None = None,
    task_runner: Literal["local", "dask"] = "local",
    dask_address: str | None = None,
    doc_timeout: float | None = 120.0,
    max_mb: float | None = 50.0,
    max_pages: int | None = 500,
    max_memory_mb: float | None = 1536.0,
    max_unzipped_mb: float | None = 200.0,
    wait: bool = False,
) -> RunReport:
    """Read every new or changed report in ``reports_dir`` into the national dataset in ``out_dir``.

    ``doc_timeout`` (seconds), ``max_mb``, ``max_pages``, ``max_memory_mb`` and ``max_unzipped_mb`` bound the
    reading of one file (``None``: no limit);
    ``wait`` waits for a run already writing to ``out_dir`` instead of failing at once; ``workers`` (default: one
    per idle core, at most 4) are the processes reading and extracting side by side; ``batch_size`` (default: from the
    number of documents and workers, ``batch_size_for``) the documents per task.
    """
    logger = get_run_logger()
    out = Path(out_dir)
    with runlock.hold(out, wait=wait, on_wait=logger.warning):
        limits = ReadLimits(
            timeout_s=doc_timeout,
            max_mb=max_mb,
            max_pages=max_pages,
            max_memory_mb=max_memory_mb,
            max_unzipped_mb=max_unzipped_mb,
        )
        workers = workers or default_workers()
        runner = task_runner_for(workers, task_runner, dask_address)
        with worker_pool(workers, task_runner):
            report = _ingest(reports_dir, out, include_other, batch_size, workers, runner, limits)
    _publish_artifacts(report)
    return report


def _ingest(
    reports_dir: str,
    out: Path,
    include_other: bool,
    batch_size: int | None,
    workers: int,
    runner: TaskRunner,
    limits: ReadLimits,
) -> RunReport:
    logger = get_run_logger()
    report_progress(0, 0, "starting")
    unchanged.forget(out)
    fingerprint = unchanged.fingerprint(Path(reports_dir), out, include_other)
    files = inbox.discover(Path(reports_dir))
    versions = {chosen_model_version(language) for language in LANGUAGES}
    report = RunReport(out_dir=str(out), run_id=str(runtime.flow_run.id or uuid.uuid4()), documents_seen=len(files))
    counts = report.counts
    con = store.connect(out)
    try:
        stored = store.stored_versions(con)
        store.set_meta(con, "reports_dir", str(Path(reports_dir).resolve()))
        if files:
            withdrawn, _ = store.sync_inbox(con, {f.source_file: f.document_id for f in files})
            counts.documents_withdrawn = len(withdrawn)
        elif stored:
            logger.warning("%s is empty: nothing withdrawn (is the folder mounted?)", reports_dir)
        runs.start_run(con, report.run_id, str(Path(reports_dir).resolve()))
    finally:
        con.close()
    not_read = [skipped_result(f.source_file, f.skipped) for f in files if f.skipped]
    todo = [f for f in files if not f.skipped and inbox.needs_processing(f, stored, versions)]
    known = {source for source, _ in stored}
    counts.documents_seen = len(files)
    counts.documents_new = sum(f.source_file not in known for f in todo)
    counts.documents_changed = len(todo) - counts.documents_new
    counts.documents_skipped = report.documents_skipped = len(files) - len(todo) - len(not_read)
    logger.info(
        "%d files found, %d to read, %d unchanged, %d not readable as files, %d withdrawn",
        len(files), len(todo), counts.documents_skipped, len(not_read), counts.documents_withdrawn,
    )
    if not_read:  # links out of the inbox, pipes, dangling links: recorded with their reason, never opened
        for result in save_batch(out, not_read):
            report.counts.add(result)
            report.failures.append(result.document)

    batch_size = batch_size or batch_size_for(len(todo), workers)
    batches = [
        [(str(f.path), f.source_file) for f in todo[start : start + batch_size]]
        for start in range(0, len(todo), batch_size)
    ]
    report_progress(0, len(todo), "reading")
    if batches:
        with runner:
            futures: dict[PrefectFuture[list[DocumentResult]], list[tuple[str, str]]] = {
                runner.submit(process_batch, {"items": batch, "limits": limits}): batch for batch in batches
            }
            for future in as_completed(list(futures)):
                try:
                    results = future.result()
                except ModelUnavailable:
                    raise
                except Exception as exc:  # the worker itself died (after the task's retry): its documents fail
                    message = unexpected_message(exc, "processing")
                    results = [failed_result(source_file, message) for _, source_file in futures[future]]
                report_progress(report.documents_processed, len(todo), "storing")
                for result in save_batch(out, results):
                    _tally(report, result)
                report_progress(report.documents_processed, len(todo), "reading")

    report_progress(report.documents_processed, len(todo), "exporting")
    report.outputs = export_dataset(str(out), include_other)
    report_progress(report.documents_processed, len(todo), "summarising")
    report.outputs.update(write_summaries(str(out)))
    con = store.connect(out)
    try:
        runs.finish_run(con, report.run_id, counts)
    finally:
        con.close()
    if not report.failures:  # a failure is retried by the next run, which must not take the fast path
        after = unchanged.fingerprint(Path(reports_dir), out, include_other)
        unchanged.remember(out, fingerprint, after, report.outputs)
    return report


def _tally(report: RunReport, result: DocumentResult) -> None:
    report.documents_processed += 1
    report.statements += len(result.statements)
    report.pages += result.document.pages or 0
    report.counts.add(result)
    if result.document.status != DocumentStatus.OK:
        report.failures.append(result.document)


def _publish_artifacts(report: RunReport) -> None:
    """A summary of the run and a table of its failures, shown with the flow run in the Prefect UI."""
    counts = report.counts
    lines = [
        f"# Ingestion run {report.run_id}",
        "",
        "| | count |",
        "|---|---|",
        *(f"| {name.replace('_', ' ')} | {value} |" for name, value in vars(counts).items()),
        "",
        f"Output: `{report.out_dir}`",
    ]
    create_markdown_artifact(key="ingest-summary", markdown="\n".join(lines), description="What this run did")
    if report.failures:
        table = [{"source_file": f.source_file, "status": str(f.status), "error": f.error} for f in report.failures]
        create_table_artifact(key="ingest-failures", table=table, description="Files that could not be read")


def run_ingestion(
    reports_dir: str,
    out_dir: str,
    include_other: bool = False,
    workers: int | None = 1,
    batch_size: int | None = None,
    on_progress: ProgressCallback | None = None,
    **options,
) -> RunReport:
    """Run the flow in this process; ``options`` are the flow's other parameters (task_runner, doc_timeout, wait…).

    Unlike the flow, one worker unless told (``None``: one per idle core, at most 4). Several workers are started
    before the flow, so they load their models while Prefect starts.
    """
    workers = workers or default_workers()
    token = progress_callback.set(on_progress)
    try:
        with worker_pool(workers, options.get("task_runner", "local")):
            return ingest_reports(
                reports_dir=reports_dir,
                out_dir=out_dir,
                include_other=include_other,
                workers=workers,
                batch_size=batch_size,
                **options,
            )
    finally:
        progress_callback.reset(token)
