"""Crash safety: SIGKILLed runs, the output lock, DuckDB's file lock, and the guards around reading one file."""

import errno
import multiprocessing
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, SAMPLE_REPORTS
from crash_fixtures import crashing_read, hanging_read, ingest_noting_progress
from prefect.settings import PREFECT_API_URL

from flows.ingest import run_ingestion
from pipeline import guard, store
from pipeline.errors import ReadError
from pipeline.guard import ReadLimits, retry_io
from pipeline.process import process_file
from pipeline.runlock import RunLocked, hold

pytestmark = pytest.mark.slow

KILLS = 10


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Two reports of each format and one broken file, so failed rows are part of what must survive."""
    corpus = tmp_path / "reports"
    corpus.mkdir()
    names = sorted(p.name for p in SAMPLE_REPORTS.iterdir() if p.is_file())
    for suffixes in ((".pdf",), (".docx",), (".txt", ".md")):
        for name in [n for n in names if n.endswith(suffixes)][:2]:
            shutil.copy(SAMPLE_REPORTS / name, corpus / name)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00junk" * 40)
    return corpus


def stored_documents(out: Path) -> int:
    if not (out / store.DATABASE_NAME).exists():
        return 0
    con = store.connect(out, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except duckdb.CatalogException:
        return 0
    finally:
        con.close()


def batches_stored(progress_file: Path) -> tuple[int, int] | None:
    """The last ``(done, total)`` a run noted, or ``None`` before it noted any."""
    lines = progress_file.read_text().split() if progress_file.exists() else []
    return (int(lines[-2]), int(lines[-1])) if len(lines) >= 2 else None


def dataset(out: Path) -> dict:
    con = store.connect(out, read_only=True)
    try:
        counts = con.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM statements), "
            "(SELECT count(*) FROM current_statements), (SELECT count(DISTINCT statement_id) FROM current_statements)"
        ).fetchone()
    finally:
        con.close()
    return {
        "counts": counts,
        "statements.csv": (out / "statements.csv").read_bytes(),
        "documents.csv": (out / "documents.csv").read_bytes(),
    }


def test_ten_sigkills_then_one_clean_run_give_the_uninterrupted_dataset(
    prefect_harness, small_corpus: Path, tmp_path: Path, monkeypatch
):
    """Every run here is the real flow (``run_ingestion``, one document per batch) in a child process talking to
    the session harness's Prefect API. Children are forked from a ``forkserver`` that has imported the flow once,
    so a run starts in milliseconds instead of paying Python's imports each time.

    The first five runs are killed as soon as they have stored a random number of the documents left (mid-run, a
    partial dataset: a document takes well under 0.1 s, so waiting any longer would often kill a finished run);
    the last five at a random time since launch, up to an uninterrupted run's duration (start-up, syncing with the
    inbox, reading, exporting, recording the run).
    """
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())  # read by the forkserver when it starts
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["flows.ingest", "crash_fixtures"])
    progress = tmp_path / "progress.txt"

    def launch(out: Path) -> multiprocessing.Process:
        progress.unlink(missing_ok=True)
        child = context.Process(target=ingest_noting_progress, args=(str(small_corpus), str(out), str(progress)))
        child.start()
        return child

    warm_up = context.Process(target=time.sleep, args=(0,))  # starts the forkserver, outside the timing
    warm_up.start()
    warm_up.join()
    reference = tmp_path / "reference"
    started = time.monotonic()
    child = launch(reference)
    child.join(120)
    uninterrupted_s = time.monotonic() - started
    assert child.exitcode == 0
    total = stored_documents(reference)

    out = tmp_path / "out"
    rng = random.Random()
    history = []
    for kill in range(KILLS):
        child = launch(out)
        launched = time.monotonic()
        if kill < KILLS // 2:
            target = None
            while child.is_alive():
                noted = batches_stored(progress)
                if noted and target is None:
                    target = rng.randint(1, max(noted[1] - 1, 1))
                if noted and noted[0] >= target:
                    break
                time.sleep(0.01)
        else:
            child.join(rng.uniform(0, uninterrupted_s))
        was_running = child.is_alive()
        child.kill()
        child.join()
        history.append((round(time.monotonic() - launched, 2), was_running, stored_documents(out)))
    assert any(running and 0 < stored < total for _, running, stored in history), history

    child = launch(out)
    child.join(120)
    assert child.exitcode == 0
    assert dataset(out) == dataset(reference), history
    print("kills (seconds after launch, run still going, documents stored):", history)


def test_a_second_run_on_the_same_output_is_refused_with_a_clear_message(small_corpus: Path, tmp_path: Path):
    out = tmp_path / "out"
    with hold(out):
        result = subprocess.run(
            [sys.executable, "-m", "workreview.cli", "run", str(small_corpus), "--out", str(out)],
            capture_output=True, text=True, cwd=REPO, timeout=120,
        )
    assert result.returncode == 3
    assert (
        result.stderr.count("\n") == 1 and "is being written by run pid" in result.stderr and "--wait" in result.stderr
    )
    assert not (out / store.DATABASE_NAME).exists()


def test_with_wait_a_second_run_waits_for_the_first(prefect_harness, tmp_path: Path):
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(SAMPLE_REPORTS / "KampongSiem_District_Report_2020.txt", reports)
    out = tmp_path / "out"
    with pytest.raises(RunLocked):
        with hold(out):
            run_ingestion(str(reports), str(out))
    released = threading.Event()

    def first_run():
        with hold(out):
            time.sleep(1.5)
            released.set()

    holder = threading.Thread(target=first_run)
    holder.start()
    time.sleep(0.2)
    report = run_ingestion(str(reports), str(out), wait=True)
    holder.join()
    assert released.is_set() and report.documents_processed == 1


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path: Path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from pipeline.runlock import hold\n"
         "with hold(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)", str(tmp_path)],
        stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(RunLocked, match=f"run pid {holder.pid}"):
        with hold(tmp_path):
            pass
    holder.kill()
    holder.wait()
    with hold(tmp_path):
        pass


def test_the_database_is_opened_once_another_process_lets_go_of_it(tmp_path: Path):
    """Like the review app opening the database while a run writes (or the other way round)."""
    store.connect(tmp_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\ncon = duckdb.connect(sys.argv[1])\n"
         "print('open', flush=True); time.sleep(2); con.close(); time.sleep(30)",
         str(tmp_path / store.DATABASE_NAME)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(duckdb.IOException, match="lock"):
            store.connect(tmp_path, lock_timeout_s=0.3)
        started = time.monotonic()
        store.connect(tmp_path).close()
        waited = time.monotonic() - started
    finally:
        holder.kill()
    assert 0.5 < waited < 10


def test_a_read_that_hangs_ends_as_a_timeout_failure_and_the_next_file_is_read(monkeypatch):
    monkeypatch.setattr(guard, "read_file", hanging_read)
    started = time.monotonic()
    hung = process_file(SAMPLE_REPORTS / "dangkao-2020-summary.txt", "hung.txt", ReadLimits(timeout_s=1))
    assert time.monotonic() - started < 10
    assert hung.document.status == "failed"
    assert hung.document.error == "timeout: reading took longer than 1 s"
    monkeypatch.undo()
    text = SAMPLE_REPORTS / "dangkao-2020-summary.txt"
    after = process_file(text, text.name, ReadLimits(timeout_s=30))
    assert after.document.status == "ok" and after.statements


def test_a_reader_that_crashes_the_interpreter_costs_one_failed_file(monkeypatch):
    monkeypatch.setattr(guard, "read_file", crashing_read)
    text = SAMPLE_REPORTS / "dangkao-2020-summary.txt"
    crashed = process_file(text, text.name)
    assert crashed.document.status == "failed"
    assert crashed.document.error == (
        "the file crashed the reader (exit code -11): it is probably damaged; open it and save it again"
    )
    monkeypatch.undo()
    assert process_file(text, text.name).document.status == "ok"


def test_files_over_the_size_or_page_limit_fail_with_the_numbers(tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"Built 3 schools.\n" * 130_000)  # 2.1 MB
    result = process_file(big, "big.txt", ReadLimits(max_mb=1))
    assert (result.document.status, result.document.error) == ("failed", "file too large: 2.1 MB > 1 MB limit")
    result = process_file(SAMPLE_REPORTS / "Kampot_2020_review_final.pdf", "Kampot.pdf", ReadLimits(max_pages=1))
    assert (result.document.status, result.document.error) == ("failed", "too many pages: 2 > 1 page limit")


def test_transient_io_errors_are_retried_and_permanent_ones_are_not():
    calls = []

    def flaky(error_number: int, failures: int) -> str:
        calls.append(error_number)
        if len(calls) <= failures:
            raise OSError(error_number, "simulated")
        return "bytes"

    assert retry_io(flaky, errno.EIO, 2, attempts=3, backoff_s=0.01) == "bytes"
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(FileNotFoundError):
        retry_io(flaky, errno.ENOENT, 5, attempts=3, backoff_s=0.01)
    assert len(calls) == 1
    calls.clear()

    def unreadable() -> None:
        calls.append(1)
        try:
            raise OSError(errno.EIO, "simulated")
        except OSError as exc:
            raise ReadError("cannot open file: simulated") from exc

    with pytest.raises(ReadError):
        retry_io(unreadable, attempts=3, backoff_s=0.01)
    assert len(calls) == 3
