"""The ingestion flow end to end, under one session-scoped Prefect test harness."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import REAL_WORLD_CORPORA, SAMPLE_REPORTS

from flows.ingest import run_ingestion
from pipeline import store

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("out")
    report = run_ingestion(str(SAMPLE_REPORTS), str(out))
    assert report.failures == []
    return out, Path(report.outputs["statements_csv"])


def test_every_report_is_read_attributed_and_each_template_report_yields_each_kind_it_has(sample_run):
    out, statements_csv = sample_run
    statements = pd.read_csv(statements_csv)
    documents = pd.read_csv(out / "documents.csv")
    gold_documents = pd.read_json(SAMPLE_REPORTS / "gold" / "documents.jsonl", lines=True)
    gold_statements = pd.read_json(SAMPLE_REPORTS / "gold" / "statements.jsonl", lines=True)
    assert set(documents["status"]) == {"ok"}
    assert len(documents) == len(gold_documents)
    merged = documents.merge(gold_documents, left_on="source_file", right_on="document", suffixes=("", "_gold"))
    assert (merged["province_code"] == merged["province_code_gold"]).all()
    # Every kind of every structured (template) report; how well the wild genres read is the evaluator's measure.
    templates = set(gold_documents.loc[gold_documents["genre"] == "template", "document"])
    for document, kinds in gold_statements[gold_statements["document"].isin(templates)].groupby("document")["label"]:
        found = set(statements.loc[statements["source_file"] == document, "kind"])
        assert set(kinds) <= found, f"{document}: expected {set(kinds)}, got {found}"


def test_spans_point_at_the_exact_text_in_the_source(sample_run):
    out, _ = sample_run
    from pipeline.read import read_document

    con = store.connect(out, read_only=True)
    rows = con.execute(
        "SELECT source_file, text, char_start, char_end, page FROM current_statements ORDER BY source_file"
    ).fetchall()
    con.close()
    texts: dict[str, str] = {}
    for source, text, start, end, page in rows:
        if source not in texts:
            texts[source] = read_document(SAMPLE_REPORTS / source, source).text
        assert texts[source][start:end] == text
        assert (page is not None) == source.endswith(".pdf")


def test_a_second_run_changes_nothing(sample_run):
    out, statements_csv = sample_run
    before = statements_csv.read_bytes()
    report = run_ingestion(str(SAMPLE_REPORTS), str(out))
    assert report.documents_processed == 0
    assert report.documents_skipped == report.documents_seen
    assert statements_csv.read_bytes() == before


def test_broken_files_become_failed_rows_and_everything_else_is_processed(tmp_path: Path):
    reports = tmp_path / "reports"
    shutil.copytree(SAMPLE_REPORTS, reports)
    (reports / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    (reports / "empty.docx").write_bytes(b"")
    out = tmp_path / "out"
    report = run_ingestion(str(reports), str(out))
    failed = {f.source_file: f for f in report.failures}
    assert set(failed) == {"corrupt.pdf", "empty.docx"}
    assert "empty" in failed["empty.docx"].error
    documents = pd.read_csv(out / "documents.csv")
    assert (documents["status"] == "ok").sum() == report.documents_seen - 2
    assert set(documents.loc[documents["status"] != "ok", "source_file"]) == {"corrupt.pdf", "empty.docx"}
    assert "corrupt.pdf" in (out / "summary.md").read_text()


def test_every_real_world_file_ends_as_data_or_an_explained_failure(tmp_path: Path):
    out = tmp_path / "out"
    report = run_ingestion(str(REAL_WORLD_CORPORA), str(out), workers=2)
    documents = pd.read_csv(out / "documents.csv")
    candidates = [p for p in REAL_WORLD_CORPORA.rglob("*") if p.is_file()]
    assert report.documents_seen == len(candidates)
    assert len(documents) == len(candidates)
    failures = documents[documents["status"] != "ok"]
    assert failures["error"].notna().all() and (failures["error"].str.len() > 10).all()
    statuses = dict(zip(documents["source_file"], documents["status"]))
    assert statuses["pdfplumber-tests/empty.pdf"] == "failed"
    assert statuses["pdfplumber-tests/password-example.pdf"] == "failed"
    assert statuses["pdfplumber-tests/issue-948.zip"] == "unsupported"
    assert statuses["pdfplumber-tests/federal-register-2020-17221.pdf"] == "ok"
