"""The unchanged-inbox check: what changes its fingerprint, and what it records when nothing did."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import runs, unchanged


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    reports, out = tmp_path / "reports", tmp_path / "out"
    (reports / "district").mkdir(parents=True)
    (reports / "kampot.txt").write_text("I. Achievements\nThe province built 12 km of road.\n")
    (reports / "district" / "bati.md").write_text("# Goals\n- Build 3 wells.\n")
    out.mkdir()
    return reports, out


def test_the_fingerprint_follows_files_options_and_reviews_but_not_time_alone(folders):
    reports, out = folders
    first = unchanged.fingerprint(reports, out, include_other=False)
    assert unchanged.fingerprint(reports, out, include_other=False) == first
    assert unchanged.fingerprint(reports, out, include_other=True) != first

    (reports / ".hidden.txt").write_text("not a report")
    (reports / "~$kampot.docx").write_text("a lock file")
    assert unchanged.fingerprint(reports, out, include_other=False) == first

    (out / "reviews.sqlite").write_bytes(b"decisions")
    with_reviews = unchanged.fingerprint(reports, out, include_other=False)
    assert with_reviews != first

    stat = (reports / "kampot.txt").stat()
    (reports / "kampot.txt").write_text("I. Achievements\nThe province built 13 km of road.\n")  # same size
    os.utime(reports / "kampot.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old time put back
    assert unchanged.fingerprint(reports, out, include_other=False) != with_reviews

    (reports / "district" / "bati.md").unlink()
    assert unchanged.fingerprint(reports, out, include_other=False) not in (first, with_reviews)


def test_a_remembered_inbox_records_a_run_and_a_changed_one_does_not(folders):
    reports, out = folders
    export = out / "statements.csv"
    export.write_text("statement_id\n")
    assert unchanged.record_if_unchanged(reports, out, include_other=False) is None  # no complete run yet

    fingerprint = unchanged.fingerprint(reports, out, include_other=False)
    unchanged.remember(out, fingerprint, fingerprint, {"statements_csv": str(export)})
    recorded = unchanged.record_if_unchanged(reports, out, include_other=False)

    assert recorded is not None and recorded.files == 2 and recorded.outputs == {"statements_csv": str(export)}
    con = runs.open_database(out / runs.DATABASE_NAME, read_only=True)
    try:
        row = con.execute(
            "SELECT run_id, documents_seen, documents_skipped, finished_at IS NOT NULL FROM runs"
        ).fetchone()
    finally:
        con.close()
    assert row == (recorded.run_id, 2, 2, True)

    assert unchanged.record_if_unchanged(reports, out, include_other=True) is None  # another export
    export.unlink()
    assert unchanged.record_if_unchanged(reports, out, include_other=False) is None  # an output is missing


def test_an_inbox_that_changed_during_the_run_is_not_remembered(folders):
    reports, out = folders
    before = unchanged.fingerprint(reports, out, include_other=False)
    (reports / "new.txt").write_text("The district repaired 8 wells.\n")
    unchanged.remember(out, before, unchanged.fingerprint(reports, out, include_other=False), {})
    assert not (out / unchanged.STATE_FILE).exists()
