"""Stage 5 — store: the national DuckDB database and its Parquet/CSV exports.

Every version of every file is kept (``documents`` is keyed by path and content hash); the *current*
dataset is the newest successfully read version of each path. Each document is written in its own
transaction, so a run that dies midway leaves whole documents or nothing, and a file that fails to read
never removes what an earlier version of it contributed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

if TYPE_CHECKING:
    from pipeline.process import DocumentResult

DATABASE_NAME = "national.duckdb"
STATEMENT_KINDS = ("achievement", "challenge", "goal")

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    document_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    current BOOLEAN NOT NULL,
    format VARCHAR,
    pages INTEGER,
    words INTEGER,
    province_code VARCHAR,
    province VARCHAR,
    province_evidence VARCHAR,
    report_year INTEGER,
    level VARCHAR,
    title VARCHAR,
    status VARCHAR NOT NULL,
    error VARCHAR,
    warnings VARCHAR,
    model_version VARCHAR,
    PRIMARY KEY (source_file, document_id)
);
CREATE TABLE IF NOT EXISTS statements (
    statement_id VARCHAR NOT NULL,
    document_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    province_code VARCHAR,
    province VARCHAR,
    report_year INTEGER,
    kind VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    section VARCHAR,
    section_kind VARCHAR,
    block_index INTEGER,
    block_kind VARCHAR,
    page INTEGER,
    x0 DOUBLE, top DOUBLE, x1 DOUBLE, bottom DOUBLE,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    sector VARCHAR,
    confidence DOUBLE NOT NULL,
    score_achievement DOUBLE, score_challenge DOUBLE, score_goal DOUBLE, score_other DOUBLE,
    flagged BOOLEAN NOT NULL,
    flag_reasons VARCHAR,
    model_version VARCHAR,
    PRIMARY KEY (document_id, statement_id)
);
CREATE OR REPLACE VIEW current_documents AS
    SELECT * FROM documents WHERE current;
CREATE OR REPLACE VIEW latest_documents AS
    SELECT * FROM documents QUALIFY version = max(version) OVER (PARTITION BY source_file);
CREATE OR REPLACE VIEW current_statements AS
    SELECT s.* FROM statements s
    JOIN documents d USING (document_id, source_file)
    WHERE d.current;
"""

DOCUMENT_EXPORT_COLUMNS = (
    "document_id, source_file, version, format, pages, words, province_code, province, province_evidence, "
    "report_year, level, title, status, error, warnings, model_version"
)
STATEMENT_EXPORT_COLUMNS = (
    "statement_id, document_id, source_file, province_code, province, report_year, kind, text, section, page, "
    "char_start, char_end, x0, top, x1, bottom, sector, confidence, flagged, flag_reasons, model_version"
)


def connect(out_dir: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(out_dir / DATABASE_NAME), read_only=read_only)
    if not read_only:
        con.execute(SCHEMA)
    return con


def stored_versions(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, str | None]]:
    """``(source_file, document_id) -> (status, model_version)`` of everything already stored."""
    rows = con.execute("SELECT source_file, document_id, status, model_version FROM documents").fetchall()
    return {(source, doc_id): (status, version) for source, doc_id, status, version in rows}


def save_document(con: duckdb.DuckDBPyConnection, result: DocumentResult) -> None:
    """Write one document's results atomically: all its statements or none."""
    row = result.document
    source_file, document_id = row["source_file"], row["document_id"]
    con.execute("BEGIN TRANSACTION")
    try:
        existing = con.execute(
            "SELECT version, status FROM documents WHERE source_file = ? AND document_id = ?",
            [source_file, document_id],
        ).fetchone()
        ok = row["status"] == "ok"
        if existing and existing[1] == "ok" and not ok:
            # Same bytes read fine before: a failure now (e.g. a transient I/O error) changes nothing.
            con.execute("COMMIT")
            return
        if existing:
            version = existing[0]
        else:
            version = con.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM documents WHERE source_file = ?", [source_file]
            ).fetchone()[0]
        has_current = con.execute(
            "SELECT count(*) FROM documents WHERE source_file = ? AND current AND document_id <> ?",
            [source_file, document_id],
        ).fetchone()[0]
        con.execute("DELETE FROM statements WHERE document_id = ? AND source_file = ?", [document_id, source_file])
        con.execute("DELETE FROM documents WHERE document_id = ? AND source_file = ?", [document_id, source_file])
        if ok:
            con.execute("UPDATE documents SET current = false WHERE source_file = ?", [source_file])
        documents = pd.DataFrame([{**row, "version": version, "current": ok or not has_current}])
        con.register("document_frame", documents)
        con.execute("INSERT INTO documents BY NAME SELECT * FROM document_frame")
        con.unregister("document_frame")
        if result.statements:
            con.register("statement_frame", pd.DataFrame(result.statements))
            con.execute("INSERT INTO statements BY NAME SELECT * FROM statement_frame")
            con.unregister("statement_frame")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def export(con: duckdb.DuckDBPyConnection, out_dir: Path, include_other: bool = False) -> dict[str, Path]:
    """Write the current dataset as Parquet and CSV, in a stable order so unchanged data gives identical files."""
    kinds = "" if include_other else f"WHERE kind IN {STATEMENT_KINDS}"
    statements_query = (
        f"SELECT {STATEMENT_EXPORT_COLUMNS} FROM current_statements {kinds} ORDER BY source_file, char_start, statement_id"
    )
    documents_query = (
        f"SELECT {DOCUMENT_EXPORT_COLUMNS} FROM ("
        "SELECT * FROM current_documents UNION SELECT * FROM latest_documents"
        ") ORDER BY source_file, version"
    )
    paths = {
        "statements_parquet": out_dir / "statements.parquet",
        "statements_csv": out_dir / "statements.csv",
        "documents_csv": out_dir / "documents.csv",
    }
    for key, query in (
        ("statements_parquet", statements_query),
        ("statements_csv", statements_query),
        ("documents_csv", documents_query),
    ):
        target = paths[key]
        tmp = target.with_name(target.name + ".tmp")
        fmt = "PARQUET" if target.suffix == ".parquet" else "CSV, HEADER"
        con.execute(f"COPY ({query}) TO '{_sql_path(tmp)}' (FORMAT {fmt})")
        tmp.replace(target)
    return paths


def _sql_path(path: Path) -> str:
    """A path as a SQL string literal body (COPY takes no parameters)."""
    return str(path).replace("'", "''")
