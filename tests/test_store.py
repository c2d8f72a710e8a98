from pathlib import Path

import pandas as pd
from record_fixtures import DocumentRecord, statement_record

from pipeline import store
from pipeline.process import DocumentResult, statement_id
from pipeline.vocabulary import DocumentStatus, StatementKind


def result(source: str, doc_id: str, texts: list[str], status: str = "ok") -> DocumentResult:
    document = DocumentRecord(
        doc_id, source, "txt", province_code="KH-7", province="Kampot", report_year=2020, status=DocumentStatus(status)
    )
    statements = [
        statement_record(
            statement_id(source, text, 0), doc_id, source, text, char_start=index * 100,
            char_end=index * 100 + len(text),
        )
        for index, text in enumerate(texts)
    ]
    return DocumentResult(document, statements if status == "ok" else [])


def current_texts(con) -> list[str]:
    return [t for (t,) in con.execute("SELECT text FROM current_statements ORDER BY text").fetchall()]


def test_saving_the_same_document_twice_adds_nothing(tmp_path: Path):
    con = store.connect(tmp_path)
    for _ in range(2):
        store.save_document(con, result("a.txt", "h1", ["Built 3 schools.", "Repaired 5 km of road."]))
    assert con.execute("SELECT count(*) FROM statements").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


def test_a_changed_file_replaces_its_statements_and_keeps_history(tmp_path: Path):
    con = store.connect(tmp_path)
    store.save_document(con, result("a.txt", "h1", ["Built 3 schools."]))
    store.save_document(con, result("a.txt", "h2", ["Built 4 schools."]))
    assert current_texts(con) == ["Built 4 schools."]
    versions = con.execute("SELECT document_id, version, current FROM documents ORDER BY version").fetchall()
    assert versions == [("h1", 1, False), ("h2", 2, True)]
    assert con.execute("SELECT count(*) FROM statements WHERE document_id = 'h1'").fetchone()[0] == 1


def test_a_failing_new_version_loses_nothing_already_in_the_dataset(tmp_path: Path):
    con = store.connect(tmp_path)
    store.save_document(con, result("a.txt", "h1", ["Built 3 schools."]))
    store.save_document(con, result("a.txt", "h2", [], status="failed"))
    assert current_texts(con) == ["Built 3 schools."]
    latest = con.execute("SELECT status FROM latest_documents WHERE source_file = 'a.txt'").fetchone()
    assert latest == ("failed",)


def test_exports_are_stable_and_skip_other_unless_asked(tmp_path: Path):
    con = store.connect(tmp_path)
    other = result("b.txt", "h3", ["Pursuant to the law, this report is submitted."])
    other.statements[0].kind = StatementKind.OTHER
    store.save_document(con, result("a.txt", "h1", ["Built 3 schools.", 'Text with "quotes", commas\nand a newline.']))
    store.save_document(con, other)
    paths = store.export(con, tmp_path)
    first = paths["statements_csv"].read_bytes()
    assert len(pd.read_csv(paths["statements_csv"])) == 2
    assert (
        pd.read_parquet(paths["statements_parquet"])["text"].tolist()[1] == 'Text with "quotes", commas\nand a newline.'
    )
    assert store.export(con, tmp_path)["statements_csv"].read_bytes() == first
    store.export(con, tmp_path, include_other=True)
    assert len(pd.read_csv(paths["statements_csv"])) == 3


def test_a_batch_is_stored_as_its_documents_one_by_one_would_be(tmp_path: Path):
    batches = [
        [result("a.txt", "h1", ["Built 3 schools."]), result("b.txt", "h5", ["Dug 2 wells."])],
        [
            result("a.txt", "h2", ["Built 4 schools."]),  # a new version
            result("b.txt", "h6", [], status="failed"),  # a failing new version keeps the old one current
            result("c.txt", "h7", [], status="failed"),
            result("d.txt", "h8", ["Paved 9 km of road.", "Trained 40 nurses."]),
        ],
        [result("a.txt", "h1", ["Built 3 schools."]), result("c.txt", "h9", ["Opened a clinic."])],  # a revert
    ]
    tables = {
        "documents": "source_file, document_id, version, current, status",
        "statements": "source_file, document_id, statement_id, text",
        "search_lengths": "source_file, statement_id, length",
        "current_statements": "source_file, text",
    }
    contents = []
    for name, one_by_one in (("batch", False), ("single", True)):
        con = store.connect(tmp_path / name)
        for batch in batches:
            if one_by_one:
                for item in batch:
                    store.save_document(con, item)
            else:
                assert store.save_results(con, batch) == batch
        contents.append({t: con.execute(f"SELECT {c} FROM {t} ORDER BY ALL").fetchall() for t, c in tables.items()})
        con.close()
    assert contents[0] == contents[1]
    assert ("a.txt", "h1", 1, True, "ok") in contents[0]["documents"]  # reverted: the first version is back
    assert ("b.txt", "Dug 2 wells.") in contents[0]["current_statements"]
