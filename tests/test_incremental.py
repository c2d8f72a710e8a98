"""Re-runs on a changing inbox: unchanged files are not read, changed files get a new version, removed files
are withdrawn, and every run leaves a record."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLE_REPORTS
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

import pipeline.process
from flows.ingest import run_ingestion
from pipeline import store

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

CORPUS = (
    "Kampot_2020_review_final.pdf",
    "Bakan_District_2020_Review.docx",
    "KampongSiem_District_Report_2020.txt",
    "kampong-thom-work-review-2020.md",
)
CHANGED = "kampong-thom-work-review-2020.md"
OLD_SENTENCE = "The province built 71 km of rural roads and 26 culverts."
NEW_SENTENCE = "The province built 95 km of rural roads and 40 culverts."


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, Path, list[tuple[int, int, str]]]:
    """The corpus read once; tests work on copies of it and of its output."""
    root = tmp_path_factory.mktemp("first-run")
    reports, out = root / "reports", root / "out"
    reports.mkdir()
    for name in CORPUS:
        shutil.copy(SAMPLE_REPORTS / name, reports / name)
    progress: list[tuple[int, int, str]] = []
    report = run_ingestion(str(reports), str(out), batch_size=2, on_progress=lambda *p: progress.append(p))
    assert report.failures == [] and report.counts.documents_new == len(CORPUS)
    return reports, out, progress


@pytest.fixture
def inbox(first_run, tmp_path: Path) -> tuple[Path, Path]:
    reports, out, _ = first_run
    shutil.copytree(reports, tmp_path / "reports")
    shutil.copytree(out, tmp_path / "out", ignore=shutil.ignore_patterns(".lock"))
    return tmp_path / "reports", tmp_path / "out"


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The files the read stage is asked to parse (batches run in this process with one worker)."""
    calls: list[str] = []
    real = pipeline.process.guarded_read

    def counting(path, source_file, limits):
        calls.append(source_file)
        return real(path, source_file, limits)

    monkeypatch.setattr(pipeline.process, "guarded_read", counting)
    return calls


def statements_of(out: Path, source_file: str) -> list[str]:
    statements = pd.read_csv(out / "statements.csv")
    return statements.loc[statements["source_file"] == source_file, "text"].tolist()


def query(out: Path, sql: str, *parameters) -> list[tuple]:
    con = store.connect(out, read_only=True)
    try:
        return con.execute(sql, list(parameters)).fetchall()
    finally:
        con.close()


def test_progress_names_each_stage_and_counts_documents_per_batch(first_run):
    _, _, progress = first_run
    assert progress == [
        (0, 0, "starting"),
        (0, 4, "reading"),
        (0, 4, "storing"),
        (2, 4, "reading"),
        (2, 4, "storing"),
        (4, 4, "reading"),
        (4, 4, "exporting"),
        (4, 4, "summarising"),
    ]


def test_an_unchanged_rerun_parses_nothing_and_says_so(inbox, reads):
    reports, out = inbox
    before = (out / "statements.csv").read_bytes()
    report = run_ingestion(str(reports), str(out))
    assert reads == []
    assert (report.documents_processed, report.documents_skipped) == (0, len(CORPUS))
    assert (out / "statements.csv").read_bytes() == before
    first, second = query(
        out,
        "SELECT documents_new, documents_skipped, statements_added, statements_flagged, finished_at IS NOT NULL "
        "FROM runs ORDER BY started_at",
    )
    assert first[0] == len(CORPUS) and first[2] > 0 and first[4]
    assert second == (0, len(CORPUS), 0, 0, True)
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-summary"])), limit=1,
            sort="CREATED_DESC",
        )
    assert report.run_id in artifact.data and f"| documents skipped | {len(CORPUS)} |" in artifact.data


def test_a_changed_file_replaces_its_statements_keeps_its_history_and_can_be_reverted(inbox, reads):
    reports, out = inbox
    original_csv = (out / "statements.csv").read_bytes()
    original = (reports / CHANGED).read_text(encoding="utf-8")
    assert OLD_SENTENCE in statements_of(out, CHANGED)

    (reports / CHANGED).write_text(original.replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
    report = run_ingestion(str(reports), str(out))
    assert reads == [CHANGED]
    assert (report.counts.documents_changed, report.counts.documents_skipped) == (1, len(CORPUS) - 1)
    texts = statements_of(out, CHANGED)
    assert NEW_SENTENCE in texts and OLD_SENTENCE not in texts
    versions = query(out, "SELECT version, current FROM documents WHERE source_file = ? ORDER BY version", CHANGED)
    assert versions == [(1, False), (2, True)]
    [(old_count,)] = query(
        out, "SELECT count(*) FROM statements JOIN documents USING (document_id, source_file) "
        "WHERE source_file = ? AND version = 1 AND text = ?", CHANGED, OLD_SENTENCE,
    )
    assert old_count == 1

    (reports / CHANGED).write_text(original, encoding="utf-8")
    run_ingestion(str(reports), str(out))
    assert reads == [CHANGED]  # the reverted bytes were read before: version 1 is current again, unread
    assert (out / "statements.csv").read_bytes() == original_csv


def test_a_removed_file_is_withdrawn_not_deleted_and_comes_back_unread(inbox, reads):
    reports, out = inbox
    original_csv = (out / "statements.csv").read_bytes()
    gone = "Bakan_District_2020_Review.docx"
    shutil.move(reports / gone, out.parent / gone)

    report = run_ingestion(str(reports), str(out))
    assert report.counts.documents_withdrawn == 1
    assert statements_of(out, gone) == []
    assert gone not in set(pd.read_csv(out / "documents.csv")["source_file"])
    [(withdrawn, kept)] = query(
        out, "SELECT bool_and(withdrawn), (SELECT count(*) FROM statements WHERE source_file = ?) "
        "FROM documents WHERE source_file = ?", gone, gone,
    )
    assert withdrawn and kept > 0

    shutil.move(out.parent / gone, reports / gone)
    report = run_ingestion(str(reports), str(out))
    assert reads == [] and report.counts.documents_withdrawn == 0
    assert (out / "statements.csv").read_bytes() == original_csv


def test_an_empty_inbox_withdraws_nothing(inbox, reads):
    reports, out = inbox
    before = (out / "statements.csv").read_bytes()
    for name in CORPUS:
        (reports / name).unlink()
    report = run_ingestion(str(reports), str(out))
    assert report.counts.documents_withdrawn == 0
    assert (out / "statements.csv").read_bytes() == before


def test_an_unchanged_inbox_is_recognised_before_prefect_starts_and_a_touched_file_is_not(inbox, reads, monkeypatch):
    import os

    from typer.testing import CliRunner

    import workreview.cli

    reports, out = inbox
    run_ingestion(str(reports), str(out))  # this folder's first complete run: it remembers the inbox
    class PrefectStarted(Exception):
        pass

    def configure_prefect(out):
        raise PrefectStarted

    monkeypatch.setattr(workreview.cli, "configure_prefect", configure_prefect)

    result = CliRunner().invoke(workreview.cli.app, ["run", str(reports), "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert f"Nothing changed since the last run: {len(CORPUS)} files unchanged" in result.output
    assert reads == []
    last = query(out, "SELECT documents_seen, documents_skipped, finished_at IS NOT NULL FROM runs ORDER BY started_at")
    assert last[-1] == (len(CORPUS), len(CORPUS), True)

    os.utime(reports / CHANGED)  # same bytes, new time: the full path decides, by content hash
    result = CliRunner().invoke(workreview.cli.app, ["run", str(reports), "--out", str(out)])
    assert isinstance(result.exception, PrefectStarted)
