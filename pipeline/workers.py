"""Worker processes that read and extract batches of documents side by side.

Processes, not threads: pdfium is not thread-safe and spaCy holds the GIL. They are *spawned*, not forked, so a
worker never inherits the caller's threads (Prefect's client, a DuckDB connection) in a half-held state. Each
worker loads the statement pipeline and starts its reader process once, when it starts, so a pool started early
does that while the caller is busy with something else (``flows.ingest`` starts Prefect meanwhile).

A worker that dies (a crash in a native library, the kernel's out-of-memory killer) breaks the whole pool; the
batches it held are then run again document by document, each in a fresh pool, so only the document that kills
its worker twice fails, with a reason, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipeline.guard import ReadLimits
from pipeline.process import DocumentResult, failed_result, prepare_stages, process_files

MAX_DEFAULT_WORKERS = 4
"""Past four workers the main process, which stores every batch, becomes the bottleneck on a typical machine."""
ATTEMPTS_ALONE = 2
"""Runs of one document alone, each in a fresh pool, before a worker's death is blamed on it (another
document running at the same time in another batch may have been the one that killed the pool)."""


def default_workers() -> int:
    """One worker per core this process may use, at most ``MAX_DEFAULT_WORKERS``."""
    return max(1, min(len(os.sched_getaffinity(0)), MAX_DEFAULT_WORKERS))


def worker_died_message(source_file: str) -> str:
    return (
        f"the worker process died while processing {Path(source_file).name} (a crash in a library, or the machine "
        "ran out of memory): the file is probably damaged or too large; open it and save it again"
    )


def _start_worker() -> None:
    """Pool initializer: load what every document needs once. A model that cannot load is left for the first
    batch to report (``ModelUnavailable`` stops the run there); raising here would break the pool instead."""
    from pipeline import guard

    try:
        prepare_stages()
        guard.start_reader()
    except Exception:  # reported by the first batch, with the real error
        return


class WorkerPool:
    """``workers`` spawned processes running ``pipeline.process.process_files``; safe to call from several
    threads at once (each flow task runs one batch)."""

    def __init__(self, workers: int, work: Callable[..., list[DocumentResult]] = process_files) -> None:
        """``work`` stands in for ``process_files`` in tests (a module-level function: workers import it)."""
        self.workers = workers
        self._work = work
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> WorkerPool:
        """Spawn every worker now (a pool spawns them one submission at a time otherwise)."""
        executor = self._current()
        for _ in range(self.workers):
            executor.submit(os.getpid)
        return self

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def process(self, items: list[tuple[str, str]], limits: ReadLimits) -> list[DocumentResult]:
        """``process_files(items, limits)`` in a worker; a batch whose worker died is run again document by document."""
        executor = self._current()
        try:
            return executor.submit(self._work, items, limits).result()
        except BrokenProcessPool:
            self._replace(executor)
        return [self._process_alone(item, limits) for item in items]

    def _process_alone(self, item: tuple[str, str], limits: ReadLimits) -> DocumentResult:
        for _ in range(ATTEMPTS_ALONE):
            executor = self._current()
            try:
                return executor.submit(self._work, [item], limits).result()[0]
            except BrokenProcessPool:
                self._replace(executor)
        return failed_result(item[1], worker_died_message(item[1]))

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                )
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken pool (once, however many batches saw it break); the next call starts a fresh one."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)
