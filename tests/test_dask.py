"""The same flow on a Dask cluster (``--task-runner dask``) gives the same dataset as one process."""

import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_REPORTS

from flows.ingest import run_ingestion

distributed = pytest.importorskip("distributed")
pytest.importorskip("prefect_dask")

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def pipeline_loads() -> int:
    """How many times this worker built the spaCy pipeline (run on each Dask worker)."""
    from pipeline.nlp import load_pipeline

    return load_pipeline.cache_info().misses


def test_a_dask_cluster_run_equals_a_single_process_run(tmp_path: Path):
    reports = tmp_path / "reports"
    reports.mkdir()
    names = sorted(p.name for p in SAMPLE_REPORTS.iterdir() if p.suffix in {".pdf", ".docx", ".txt", ".md"})
    names.remove("README.md")  # the corpus's description, not a report
    for suffix in (".pdf", ".docx", ".txt", ".md"):
        for name in [n for n in names if n.endswith(suffix)][:2]:
            shutil.copy(SAMPLE_REPORTS / name, reports / name)

    single = run_ingestion(str(reports), str(tmp_path / "single"), batch_size=2)
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        dask_out, address = tmp_path / "dask", cluster.scheduler_address
        clustered = run_ingestion(str(reports), str(dask_out), batch_size=2, task_runner="dask", dask_address=address)
        loads = client.run(pipeline_loads)

    assert clustered.documents_processed == single.documents_processed == 8
    for name in ("statements.csv", "documents.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "single" / name).read_bytes()
    assert sorted(loads.values()) == [1, 1], loads  # both workers read, each built the pipeline once
