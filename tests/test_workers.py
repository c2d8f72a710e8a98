"""The worker pool (``pipeline.workers``): batches in spawned processes, and a worker that dies costs one file."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from crash_fixtures import process_files_dying_on_crash

from flows.ingest import batch_size_for
from pipeline.guard import ReadLimits
from pipeline.workers import MAX_DEFAULT_WORKERS, WorkerPool, default_workers

pytestmark = pytest.mark.slow


def reports(folder: Path, names: list[str]) -> list[tuple[str, str]]:
    folder.mkdir(exist_ok=True)
    items = []
    for name in names:
        path = folder / name
        path.write_text(f"I. ACHIEVEMENTS\n\nThe district of {path.stem} repaired 4 km of road.\n", encoding="utf-8")
        items.append((str(path), name))
    return items


def test_a_worker_that_dies_costs_only_the_file_that_killed_it(tmp_path: Path):
    first = reports(tmp_path, ["a.txt", "crash.txt", "b.txt"])
    second = reports(tmp_path, ["c.txt", "d.txt"])
    with WorkerPool(2, work=process_files_dying_on_crash) as pool, ThreadPoolExecutor(2) as threads:
        results = list(threads.map(lambda items: pool.process(items, ReadLimits()), [first, second]))
        after = pool.process(reports(tmp_path, ["e.txt"]), ReadLimits())  # the pool works on
    statuses = [[(r.document.source_file, r.document.status) for r in batch] for batch in results]
    assert statuses == [
        [("a.txt", "ok"), ("crash.txt", "failed"), ("b.txt", "ok")],
        [("c.txt", "ok"), ("d.txt", "ok")],
    ]
    assert "worker process died while processing crash.txt" in (results[0][1].document.error or "")
    assert results[0][0].statements and after[0].document.status == "ok"


def test_a_batch_in_the_pool_gives_what_it_gives_in_this_process(tmp_path: Path):
    from pipeline.process import process_files

    items = reports(tmp_path, ["kampot.txt", "takeo.txt"])
    with WorkerPool(1) as pool:
        pooled = pool.process(items, ReadLimits())
    here = process_files(items, ReadLimits())
    assert [r.statements for r in pooled] == [r.statements for r in here]
    assert [r.document for r in pooled] == [r.document for r in here]


def test_default_workers_and_batch_sizes():
    assert 1 <= default_workers() <= MAX_DEFAULT_WORKERS
    assert batch_size_for(288, 2) == 36  # four batches per worker
    assert batch_size_for(10, 2) == 4 and batch_size_for(100_000, 4) == 64  # within the range
