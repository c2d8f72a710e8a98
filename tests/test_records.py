"""The typed records are the schema: the database's tables and the exports' columns follow their fields."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
from record_fixtures import statement_record

from pipeline import store
from pipeline.process import DocumentResult
from pipeline.records import DocumentRecord, QuantityRecord, StatementRecord, exported_columns


def table_columns(con, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]


def field_names(record_type: type) -> list[str]:
    return [item.name for item in dataclasses.fields(record_type)]


def test_tables_have_exactly_the_records_fields_and_exports_their_exported_fields(tmp_path: Path):
    con = store.connect(tmp_path)
    stored = [name for name, _ in store.STORED_DOCUMENT_COLUMNS]
    assert table_columns(con, "documents") == field_names(DocumentRecord) + stored
    assert table_columns(con, "statements") == field_names(StatementRecord)
    assert table_columns(con, "quantities") == field_names(QuantityRecord)

    text = "Built 3 schools."
    document = DocumentRecord("h1", "a.txt", "txt", report_year=2020)
    statement = statement_record("s1", "h1", "a.txt", text, quantities="3 schools")
    quantity = QuantityRecord("s1", "h1", "a.txt", 3.0, "schools", "3 schools", 6, 15, role="output")
    store.save_document(con, DocumentResult(document, [statement], quantities=[quantity]))
    paths = store.export(con, tmp_path)
    con.close()

    statements = pd.read_csv(paths["statements_csv"])
    assert list(statements.columns) == [*exported_columns(StatementRecord), "review_status", "reviewed_by"]
    assert list(pd.read_csv(paths["documents_csv"]).columns) == [
        "document_id", "source_file", "version", *exported_columns(DocumentRecord)[2:]
    ]
    assert list(pd.read_csv(paths["quantities_csv"]).columns) == list(exported_columns(QuantityRecord))
    assert statements.loc[0, "text"] == text and statements.loc[0, "kind"] == "achievement"


def test_a_database_from_before_a_field_existed_gains_it(tmp_path: Path):
    con = store.connect(tmp_path)
    con.execute("ALTER TABLE statements DROP COLUMN target_year")
    con.execute("UPDATE meta SET value = 'older' WHERE key = 'schema'")  # as an older version left it
    con.close()
    con = store.connect(tmp_path)
    assert "target_year" in table_columns(con, "statements")
    con.close()


def test_a_database_with_this_schema_is_not_migrated_again(tmp_path: Path):
    con = store.connect(tmp_path)
    con.execute("ALTER TABLE statements DROP COLUMN target_year")  # the digest still says the schema is in place
    con.close()
    con = store.connect(tmp_path)
    assert "target_year" not in table_columns(con, "statements")
    con.close()
