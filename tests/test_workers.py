"""The worker pool (``pipeline.workers``): batches in spawned processes, and a worker that dies costs one file."""

import os
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


def test_default_workers_are_the_idle_cores_up_to_four(monkeypatch):
    cases = ((2, 0.1, 2), (2, 0.7, 2), (2, 1.2, 1), (2, 6.0, 1), (16, 0.0, MAX_DEFAULT_WORKERS), (8, 5.4, 3))
    for cores, load, expected in cases:
        monkeypatch.setattr(os, "sched_getaffinity", lambda _, cores=cores: set(range(cores)))
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, load, load))
        assert default_workers() == expected, (cores, load)


def test_batch_sizes():
    assert batch_size_for(288, 2) == 36  # four batches per worker
    assert batch_size_for(10, 2) == 4 and batch_size_for(100_000, 4) == 64  # within the range


def test_the_embedded_server_answers_until_stopped(tmp_path: Path, monkeypatch):
    import urllib.request

    from flows.prefect_api import EmbeddedServer

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    (tmp_path / "prefect").mkdir()
    with EmbeddedServer() as server:
        assert server.process is not None and os.environ["PREFECT_API_URL"] == server.api_url
        server.wait_until_ready(120)
        with urllib.request.urlopen(f"{server.api_url}/health", timeout=10) as response:
            assert response.status == 200
        process = server.process
    assert process.poll() is not None and "PREFECT_API_URL" not in os.environ


def test_a_server_the_user_chose_in_a_profile_is_used_and_none_started(tmp_path: Path, monkeypatch):
    from flows.prefect_api import EmbeddedServer, configured_api_url

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    (tmp_path / "profiles.toml").write_text(
        'active = "office"\n\n[profiles.office]\nPREFECT_API_URL = "http://prefect.internal:4200/api"\n'
    )
    assert configured_api_url() == "http://prefect.internal:4200/api"
    with EmbeddedServer() as server:
        assert server.process is None and server.api_url == "http://prefect.internal:4200/api"


@pytest.mark.usefixtures("prefect_harness")
def test_two_workers_give_the_dataset_one_gives(tmp_path: Path, monkeypatch):
    import shutil

    from conftest import SAMPLE_REPORTS
    from prefect.settings import PREFECT_API_URL
    from typer.testing import CliRunner

    import workreview.cli

    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in sorted(p.name for p in SAMPLE_REPORTS.iterdir() if p.suffix in {".pdf", ".docx", ".txt"})[:6]:
        shutil.copy(SAMPLE_REPORTS / name, reports / name)
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"out-{workers}"
        command = ["run", str(reports), "--out", str(out), "--workers", str(workers)]
        result = CliRunner().invoke(workreview.cli.app, command)
        assert result.exit_code == 0, result.output
        assert f"with {workers} worker" in result.output
        outputs[workers] = [(out / name).read_bytes() for name in ("statements.csv", "documents.csv", "summary.md")]
    assert outputs[1] == outputs[2]
