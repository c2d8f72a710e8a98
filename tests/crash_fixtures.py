"""Stand-ins run in other processes by the crash tests, in a module of their own so those processes import it
quickly (by reference, the way multiprocessing and the reader process find functions)."""

import os
import signal
import time
from pathlib import Path


def hanging_read(path, source_file, limits):
    time.sleep(60)


def crashing_read(path, source_file, limits):
    """Dies the way a segfault in a PDF library kills a process."""
    os.kill(os.getpid(), signal.SIGSEGV)


def ingest_noting_progress(reports_dir: str, out_dir: str, progress_file: str) -> None:
    """The real flow, one document per batch, appending ``done total`` to ``progress_file`` as batches are stored."""
    from flows.ingest import run_ingestion

    def note(done: int, total: int, stage: str) -> None:
        if stage != "reading":
            return
        with Path(progress_file).open("a") as progress:
            progress.write(f"{done} {total}\n")

    run_ingestion(reports_dir, out_dir, batch_size=1, on_progress=note)


def process_files_dying_on_crash(items, limits):
    """``process_files``, except that a file named ``crash…`` kills the worker process, as a segfault would."""
    from pipeline.process import process_files

    if any(Path(source_file).name.startswith("crash") for _, source_file in items):
        os.kill(os.getpid(), signal.SIGKILL)
    return process_files(items, limits)
