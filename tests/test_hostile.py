"""A hostile inbox (``hostile_corpus``) mixed with real sample reports: every file ends with its expected status
and a reason a person can act on, nothing outside the inbox is read, the outputs are clean, and the sample
reports come out exactly as in a clean run."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE_REPORTS
from hostile_corpus import OUTSIDE_CANARY, HostileCase, build_hostile_corpus
from typer.testing import CliRunner

from pipeline.guard import ReadLimits
from pipeline.hygiene import BIDI_CONTROLS
from pipeline.inbox import discover
from pipeline.process import process_file
from pipeline.store import DATABASE_NAME

SAMPLES = (
    "Kampot_2020_review_final.pdf",
    "Bakan_District_2020_Review.docx",
    "KampongSiem_District_Report_2020.txt",
    "kampong-thom-work-review-2020.md",
)
UNCLEAN = set(BIDI_CONTROLS) | {chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, list[HostileCase]]:
    root = tmp_path_factory.mktemp("hostile")
    inbox = root / "inbox"
    cases = build_hostile_corpus(inbox, root / "outside")
    return inbox, cases


def test_every_entry_of_the_inbox_is_listed_and_nothing_is_followed_out_of_it(hostile):
    inbox, cases = hostile
    found = {item.source_file: item for item in discover(inbox)}
    assert set(found) == {case.source_file for case in cases}
    for case in cases:
        item = found[case.source_file]
        if case.status == "skipped":
            assert case.message in item.skipped, case.name
            assert item.document_id == ""
        else:
            assert item.skipped is None and item.path.resolve().is_relative_to(inbox.resolve()), case.name


@pytest.mark.slow
def test_each_hostile_file_ends_with_its_status_and_a_plain_reason(hostile):
    inbox, cases = hostile
    items = {item.source_file: item for item in discover(inbox)}
    for case in cases:
        if case.status == "skipped":
            continue
        result = process_file(items[case.source_file].path, case.source_file, ReadLimits())
        record = result.document
        assert (record.status, case.name) == (case.status, case.name), record.error
        if case.message is None:
            assert record.error is None
            assert any(case.contains in statement.text for statement in result.statements), case.name
            assert not any(UNCLEAN & set(statement.text) for statement in result.statements), case.name
        else:
            assert case.message in record.error, (case.name, record.error)
            assert "\n" not in record.error and len(record.error) <= 300


def test_a_reader_out_of_memory_fails_that_file_alone_with_its_own_message(tmp_path):
    """The ceiling binds the reader process only: a file needing more fails, the next one is read."""
    text = tmp_path / "report.txt"
    text.write_text("I. ACHIEVEMENTS\n\n" + "The district repaired 4 km of road. " * 100_000, encoding="utf-8")
    starved = process_file(text, "report.txt", ReadLimits(max_memory_mb=1))  # the 3.6 MB file cannot even be loaded
    assert starved.document.status == "failed"
    assert starved.document.error == "the file needs more memory than the reader may use (1 MB limit)"
    small = tmp_path / "small.txt"
    small.write_text("I. ACHIEVEMENTS\n\nThe district repaired 4 km of road.\n", encoding="utf-8")
    assert process_file(small, "small.txt", ReadLimits()).document.status == "ok"


def _statements(out: Path, sources: tuple[str, ...]) -> list[tuple]:
    with duckdb.connect(str(out / DATABASE_NAME), read_only=True) as con:
        return con.execute(
            "SELECT source_file, statement_id, kind, text, char_start, char_end, confidence, flag_reasons "
            "FROM current_statements WHERE source_file IN (SELECT unnest(?)) ORDER BY ALL",
            [list(sources)],
        ).fetchall()


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_run_over_a_hostile_inbox_exits_0_accounts_for_every_file_and_keeps_the_good_ones(tmp_path):
    from workreview.cli import app

    clean_inbox, mixed_inbox = tmp_path / "clean", tmp_path / "mixed"
    clean_inbox.mkdir()
    for name in SAMPLES:
        shutil.copy(SAMPLE_REPORTS / name, clean_inbox / name)
    cases = build_hostile_corpus(mixed_inbox, tmp_path / "outside")
    for name in SAMPLES:
        shutil.copy(SAMPLE_REPORTS / name, mixed_inbox / name)

    runner = CliRunner()
    clean = runner.invoke(app, ["run", str(clean_inbox), "--out", str(tmp_path / "clean-out")])
    assert clean.exit_code == 0, clean.output
    mixed = runner.invoke(app, ["run", str(mixed_inbox), "--out", str(tmp_path / "mixed-out")])
    assert mixed.exit_code == 0, mixed.output
    strict = runner.invoke(app, ["run", str(mixed_inbox), "--out", str(tmp_path / "mixed-out"), "--strict"])
    assert strict.exit_code == 1, strict.output

    out = tmp_path / "mixed-out"
    with duckdb.connect(str(out / DATABASE_NAME), read_only=True) as con:
        documents = dict(
            ((source, (status, error)) for source, status, error in con.execute(
                "SELECT source_file, status, error FROM latest_documents").fetchall())
        )
        every_text = " ".join(
            value or ""
            for row in con.execute("SELECT text, section FROM statements UNION ALL "
                                   "SELECT title, error FROM documents").fetchall()
            for value in row
        )
    assert set(documents) == {case.source_file for case in cases} | set(SAMPLES)
    for case in cases:
        status, error = documents[case.source_file]
        assert status == case.status, (case.name, error)
        assert case.message is None and error is None or case.message in error, (case.name, error)
    assert all(documents[name] == ("ok", None) for name in SAMPLES)
    assert OUTSIDE_CANARY.split(" number")[0] not in every_text
    assert _statements(out, SAMPLES) == _statements(tmp_path / "clean-out", SAMPLES)

    for name in ("statements.csv", "documents.csv", "quantities.csv", "summary.html", "summary.md"):
        content = (out / name).read_text(encoding="utf-8")
        assert not UNCLEAN & set(content), name
    with (out / "statements.csv").open(encoding="utf-8", newline="") as file:
        texts = [row["text"] for row in csv.DictReader(file)]
    formulas = [text for text in texts if text.lstrip("'").startswith(("=HYPERLINK(", "@SUM(", "+855", "-12"))]
    assert len(formulas) == 4 and all(text.startswith("'") for text in formulas), formulas
    assert not any(text.startswith(("=", "+", "-", "@")) for text in texts)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its mode")
def test_an_unreadable_file_is_a_failure_not_a_crash(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    locked = inbox / "locked.txt"
    locked.write_text("The district built 3 schools.\n", encoding="utf-8")
    locked.chmod(0)
    (item,) = discover(inbox)
    result = process_file(item.path, item.source_file)
    assert result.document.status == "failed" and "Permission denied" in result.document.error


@pytest.mark.parametrize(
    ("stage", "target", "words"),
    [
        ("segmenting", "segment", "an internal error while segmenting this file (ValueError: bad block)"),
        ("extracting", "extract", "an internal error while labelling the statements of this file (ValueError"),
        ("normalising", "attribute_document", "an internal error while normalising this file (ValueError"),
        ("out of memory", "find_quantities", "needs more memory than this machine could give while normalising"),
    ],
)
def test_a_document_failing_in_any_stage_fails_alone(tmp_path, monkeypatch, stage, target, words):
    import pipeline.process

    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    for path in (good, bad):
        path.write_text(f"I. ACHIEVEMENTS\n\nThe district in {path.stem} repaired 4 km of road.\n", encoding="utf-8")
    real = getattr(pipeline.process, target)
    error = MemoryError() if stage == "out of memory" else ValueError("bad block")

    def failing_for_bad(first, *args, **kwargs):
        if isinstance(first, str):
            text = first
        else:
            text = getattr(first, "text", None) or " ".join(statement.text for statement in first)
        if "bad" in text:
            raise error
        return real(first, *args, **kwargs)

    monkeypatch.setattr(pipeline.process, target, failing_for_bad)
    results = pipeline.process.process_files([(str(bad), "bad.txt"), (str(good), "good.txt")], ReadLimits())
    assert [r.document.status for r in results] == ["failed", "ok"]
    assert words in results[0].document.error and results[1].statements


def test_a_document_the_database_refuses_is_stored_as_failed_and_the_next_is_stored(tmp_path):
    from pipeline import store

    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    for path in (good, bad):
        path.write_text(f"I. ACHIEVEMENTS\n\nThe district in {path.stem} repaired 4 km of road.\n", encoding="utf-8")
    results = [process_file(bad, "bad.txt"), process_file(good, "good.txt")]
    results[0].statements[0].page = 2**40  # out of range for the INTEGER column: DuckDB refuses the batch
    con = store.connect(tmp_path / "out")
    try:
        stored = store.save_results(con, results)
        rows = con.execute("SELECT source_file, status, error FROM documents ORDER BY source_file").fetchall()
        statements = con.execute("SELECT DISTINCT source_file FROM statements").fetchall()
    finally:
        con.close()
    assert [r.document.status for r in stored] == ["failed", "ok"]
    assert rows[0][:2] == ("bad.txt", "failed") and "could not be stored" in rows[0][2]
    assert rows[1] == ("good.txt", "ok", None) and statements == [("good.txt",)]
