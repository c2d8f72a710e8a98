"""Worker processes that read and extract batches of documents side by side.

Processes, not threads: pdfium is not thread-safe and spaCy holds the GIL. They are *spawned*, not forked, so a
worker never inherits the caller's threads (Prefect's client, a DuckDB connection) in a half-held state. Each
worker loads the statement pipeline and starts its reader process once, when it starts, so a pool started early
does that while the caller is busy with something else (``flows.ingest`` starts Prefect meanwhile).

A worker that dies (a crash in a native library, the kernel's out-of-memory killer) breaks the whole pool; the
batches it held are then run again document by document in a pool of one worker kept for that, one batch at a
time, so a document that kills that worker is the one to blame: it alone fails, with a reason, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipeline.guard import ReadLimits
from pipeline.results import DocumentResult, failed_result

MAX_DEFAULT_WORKERS = 4
"""The default's ceiling (``--workers`` may ask for more): every batch is stored by the run's one writing process."""


def default_workers() -> int:
    """One worker per idle core: the cores this process may use less the whole cores' worth of other work on them
    (the 1-minute load average, rounded down), at least one, at most ``MAX_DEFAULT_WORKERS``. Workers on cores that
    other work holds only compete with it: on a busy 2-core machine a second worker made a run slower. Rounded
    down because the average lags: a load of 0.7 left by the previous command on an idle 2-core machine still
    means two free cores, where two workers ran 539 pages in 15.1 s against 18.5 s for one
    (``benchmarks/README.md``)."""
    idle = len(os.sched_getaffinity(0)) - int(os.getloadavg()[0])
    return max(1, min(idle, MAX_DEFAULT_WORKERS))


def worker_died_message(source_file: str) -> str:
    return (
        f"the worker process died while processing {Path(source_file).name} (a crash in a library, or the machine "
        "ran out of memory): the file is probably damaged or too large; open it and save it again"
    )


def _start_worker() -> None:
    """Pool initializer: load what every document needs once. A model that cannot load is left for the first
    batch to report (``ModelUnavailable`` stops the run there); raising here would break the pool instead."""
    from pipeline import guard
    from pipeline.process import prepare_stages

    # A pool's worker leaves through os._exit, which skips atexit: stop the reader child on the way out (the
    # multiprocessing finalizers still run), so it is not left to end on its own, unwaited for.
    multiprocessing.util.Finalize(None, guard.stop_reader, exitpriority=10)
    try:
        prepare_stages()
        guard.start_reader()
    except Exception:  # reported by the first batch, with the real error
        return


def _process_files(items: list[tuple[str, str]], limits: ReadLimits) -> list[DocumentResult]:
    """``pipeline.process.process_files``, imported in the worker only: the pool's owner need not load the stages."""
    from pipeline.process import process_files

    return process_files(items, limits)


def _spawned_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
    )


class WorkerPool:
    """``workers`` spawned processes running ``pipeline.process.process_files``; safe to call from several
    threads at once (each flow task runs one batch)."""

    def __init__(self, workers: int, work: Callable[..., list[DocumentResult]] | None = None) -> None:
        """``work`` stands in for ``process_files`` in tests (a module-level function: workers import it)."""
        self.workers = workers
        self._work = work or _process_files
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._alone = threading.Lock()
        """Held while a broken batch is run document by document (in a pool of its own)."""

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
        with self._alone:
            results = []
            alone = _spawned_pool(1)
            for item in items:
                try:
                    results.append(alone.submit(self._work, [item], limits).result()[0])
                except BrokenProcessPool:  # nothing else ran in this pool: this document killed its worker
                    alone.shutdown(wait=False, cancel_futures=True)
                    alone = _spawned_pool(1)
                    results.append(failed_result(item[1], worker_died_message(item[1])))
            alone.shutdown(wait=True)
        return results

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = _spawned_pool(self.workers)
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken pool (once, however many batches saw it break); the next call starts a fresh one."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)
