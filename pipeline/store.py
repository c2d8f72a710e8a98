"""Stage 5 — store: the national DuckDB database and its Parquet/CSV exports.

Every version of every file is kept (``documents`` is keyed by path and content hash); the *current*
dataset is the newest successfully read version of each path. A batch of documents is written in one
transaction, so a run that dies midway leaves whole documents or nothing, and a file that fails to read
never removes what an earlier version of it contributed. A file that leaves the inbox is *withdrawn*: its
versions stay as history but leave the current dataset, and come back if the file does.
"""

from __future__ import annotations

import dataclasses
import hashlib
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from pipeline import boundaries, runs, search
from pipeline.hygiene import one_line, sql_spreadsheet_safe
from pipeline.records import DocumentRecord, QuantityRecord, StatementRecord, as_row, exported_columns, sql_columns
from pipeline.review import ROLE_OVERRIDE, apply_reviews
from pipeline.vocabulary import REPORTED_KINDS, DocumentStatus

if TYPE_CHECKING:
    from pipeline.process import DocumentResult

DATABASE_NAME = runs.DATABASE_NAME

STORED_DOCUMENT_COLUMNS = (
    ("version", "INTEGER NOT NULL"),
    ("current", "BOOLEAN NOT NULL"),
    ("withdrawn", "BOOLEAN DEFAULT false"),
)
"""Columns the store keeps on each document version besides its record: its version number, whether it is the
current version of its path, and whether the path has left the inbox."""
PRIMARY_KEYS = {
    "documents": ("source_file", "document_id"),
    "statements": ("document_id", "statement_id"),
    "quantities": ("document_id", "statement_id", "char_start"),
}
TABLE_RECORDS: dict[str, type] = {
    "documents": DocumentRecord,
    "statements": StatementRecord,
    "quantities": QuantityRecord,
}


def _table_schema(table: str) -> str:
    """``CREATE TABLE`` from the record's fields, then ``ADD COLUMN IF NOT EXISTS`` for each, so a database made
    by an older version gains the fields added since."""
    columns = [(name, f"{sql_type}{'' if nullable else ' NOT NULL'}") for name, sql_type, nullable in
               sql_columns(TABLE_RECORDS[table])]
    if table == "documents":
        columns += STORED_DOCUMENT_COLUMNS
    definitions = ",\n    ".join(f"{name} {definition}" for name, definition in columns)
    key = ", ".join(PRIMARY_KEYS[table])
    statements = [f"CREATE TABLE IF NOT EXISTS {table} (\n    {definitions},\n    PRIMARY KEY ({key})\n);"]
    statements += [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {definition.replace(' NOT NULL', '')};"
        for name, definition in columns
    ]
    return "\n".join(statements)


SCHEMA = "\n".join(_table_schema(table) for table in TABLE_RECORDS) + """
CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);
CREATE OR REPLACE VIEW current_documents AS
    SELECT * FROM documents WHERE current AND NOT withdrawn;
CREATE OR REPLACE VIEW latest_documents AS
    SELECT * FROM documents WHERE NOT withdrawn QUALIFY version = max(version) OVER (PARTITION BY source_file);
CREATE OR REPLACE VIEW current_statements AS
    SELECT s.* FROM statements s
    JOIN documents d USING (document_id, source_file)
    WHERE d.current AND NOT d.withdrawn;
CREATE OR REPLACE VIEW current_quantities AS
    SELECT q.* FROM quantities q
    JOIN documents d USING (document_id, source_file)
    WHERE d.current AND NOT d.withdrawn;
"""

SCHEMA_DIGEST = hashlib.sha256(f"{SCHEMA}\n{search.SCHEMA}\n{search.INDEX_VERSION}".encode()).hexdigest()[:16]
"""Stored in ``meta`` once the schema is in place: a connection to a database that has it skips the migration
(every batch of a run opens one)."""

DOCUMENT_EXPORT_COLUMNS = ", ".join(("document_id", "source_file", "version") + exported_columns(DocumentRecord)[2:])
STATEMENT_EXPORT_COLUMNS = ", ".join(exported_columns(StatementRecord) + ("review_status", "reviewed_by"))
QUANTITY_EXPORT_COLUMNS = ", ".join(
    "coalesce(r.role, q.role) AS role" if name == "role" else f"q.{name}" for name in exported_columns(QuantityRecord)
)
"""The columns of ``quantities.csv``: a reviewer's role for a quantity replaces the pipeline's."""


def connect(out_dir: Path, read_only: bool = False, lock_timeout_s: float = 10.0) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting up to ``lock_timeout_s`` while another process (a run, the review app) has it open."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = runs.open_database(out_dir / DATABASE_NAME, read_only, lock_timeout_s)
    if not read_only and not _schema_in_place(con):
        con.execute(SCHEMA)
        con.execute(boundaries.TEXTS_SCHEMA)
        con.execute(search.SCHEMA)
        search.ensure_index(con)
        set_meta(con, "schema", SCHEMA_DIGEST)
    return con


def _schema_in_place(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database has this version's tables and search index (a migration would change nothing)."""
    try:
        rows = con.execute("SELECT key, value FROM meta WHERE key IN ('schema', 'search_index')").fetchall()
    except duckdb.CatalogException:  # a new database, or one written before the table existed
        return False
    return dict(rows) == {"schema": SCHEMA_DIGEST, "search_index": search.INDEX_VERSION}


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> Any:
    """The value of a query that always returns one row of one column (a count, a max, a setting)."""
    row = con.execute(query, params).fetchone()
    if row is None:
        raise RuntimeError(f"no row from a query that always returns one: {query}")
    return row[0]


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Remember a fact about the dataset, e.g. ``reports_dir`` (the review app shows pages from the source files)."""
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    except duckdb.CatalogException:  # a database written before the table existed, opened read-only
        return None
    return row[0] if row else None


def stored_versions(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, str | None]]:
    """``(source_file, document_id) -> (status, model_version)`` of everything already stored; a document read before
    texts were kept (``document_texts``) has no model version, so that the next run reads it again."""
    rows = con.execute(
        "SELECT d.source_file, d.document_id, d.status, "
        "CASE WHEN d.status = 'ok' AND t.document_id IS NULL THEN NULL ELSE d.model_version END "
        "FROM documents d LEFT JOIN document_texts t USING (document_id)"
    ).fetchall()
    return {(source, doc_id): (status, version) for source, doc_id, status, version in rows}


def sync_inbox(con: duckdb.DuckDBPyConnection, present: dict[str, str]) -> tuple[list[str], list[str]]:
    """Make the database agree with the files now in the inbox, without reading any of them.

    ``present`` maps each file in the inbox to its content hash. Paths no longer there are withdrawn; withdrawn
    paths that are back are withdrawn no more; a path whose bytes match a version read fine before (a file
    that returned, or was reverted) gets that version back as current. Returns ``(withdrawn, returned)``.
    """
    rows = con.execute("SELECT source_file, document_id, status = 'ok', current, withdrawn FROM documents").fetchall()
    withdrawn = sorted({path for path, _, _, _, gone in rows if not gone and path not in present})
    returned = sorted({path for path, _, _, _, gone in rows if gone and path in present})
    restored = sorted(
        {path for path, doc_id, ok, current, _ in rows if ok and not current and present.get(path) == doc_id}
    )
    con.execute("BEGIN TRANSACTION")
    try:
        for path in withdrawn:
            con.execute("UPDATE documents SET withdrawn = true WHERE source_file = ?", [path])
        for path in returned:
            con.execute("UPDATE documents SET withdrawn = false WHERE source_file = ?", [path])
        for path in restored:
            con.execute("UPDATE documents SET current = (document_id = ?) WHERE source_file = ?", [present[path], path])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return withdrawn, returned


def save_results(con: duckdb.DuckDBPyConnection, results: list[DocumentResult]) -> list[DocumentResult]:
    """Store a batch of documents; returns what was stored, for the run's counts.

    The batch goes in as one transaction with one insert per table (row-by-row inserts cost more than reading the
    documents did). If the database refuses it, each document is stored in its own transaction instead, and one
    that still cannot be stored is stored as a ``failed`` row with the reason, while the others go on.
    """
    if len({result.document.source_file for result in results}) == len(results):
        try:
            save_batch(con, results)
        except Exception:  # refused as a whole (rolled back): stored below document by document, to find which
            pass
        else:
            return results
    stored = []
    for result in results:
        try:
            save_document(con, result)
        except Exception as exc:  # a value DuckDB refuses, a full disk…: this document fails, not the run
            message = one_line(f"{type(exc).__name__}: {exc}", 160)
            failed = dataclasses.replace(
                result.document, status=DocumentStatus.FAILED, error=f"could not be stored ({message})"
            )
            result = dataclasses.replace(result, document=failed, statements=[], quantities=[])
            save_document(con, result)
        stored.append(result)
    return stored


def save_batch(con: duckdb.DuckDBPyConnection, results: list[DocumentResult]) -> None:
    """Write several documents (distinct ``(source_file, document_id)``) atomically, with the rules of
    ``save_document`` for each, in one insert per table."""
    if not results:
        return
    sources = sorted({result.document.source_file for result in results})
    con.execute("BEGIN TRANSACTION")
    try:
        rows = con.execute(
            "SELECT source_file, document_id, version, status, current FROM documents "
            "WHERE source_file IN (SELECT unnest(?))",
            [sources],
        ).fetchall()
        existing = {(source, doc_id): (version, status) for source, doc_id, version, status, _ in rows}
        newest: dict[str, int] = {}
        current_ids: dict[str, set[str]] = {}
        for source, doc_id, version, _, current in rows:
            newest[source] = max(newest.get(source, 0), version)
            if current:
                current_ids.setdefault(source, set()).add(doc_id)
        kept, documents = [], []
        for result in results:
            record = result.document
            key = (record.source_file, record.document_id)
            ok = record.status == DocumentStatus.OK
            before = existing.get(key)
            if before and before[1] == "ok" and not ok:
                continue  # same bytes read fine before: a failure now (e.g. a transient I/O error) changes nothing
            if before:
                version = before[0]
            else:
                version = newest[record.source_file] = newest.get(record.source_file, 0) + 1
            has_current = bool(current_ids.get(record.source_file, set()) - {record.document_id})
            documents.append({**as_row(record), "version": version, "current": ok or not has_current})
            kept.append(result)
        if kept:
            _replace_documents(con, kept, documents)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _replace_documents(con: duckdb.DuckDBPyConnection, results: list[DocumentResult], documents: list[dict]) -> None:
    """Inside a transaction: drop what these document versions stored before, make the ones read fine current,
    and insert their rows, search index rows and texts (which reviewers' boundaries slice)."""
    key_frame = pd.DataFrame(
        [(r.document.source_file, r.document.document_id) for r in results], columns=["source_file", "document_id"]
    )
    con.register("replaced_keys", key_frame)
    try:
        for table in ("statements", "quantities", "documents", *search.INDEX_TABLES):
            con.execute(
                f"DELETE FROM {table} t USING replaced_keys k "
                "WHERE t.source_file = k.source_file AND t.document_id = k.document_id"
            )
    finally:
        con.unregister("replaced_keys")
    ok_sources = sorted({r.document.source_file for r in results if r.document.status == DocumentStatus.OK})
    if ok_sources:
        con.execute("UPDATE documents SET current = false WHERE source_file IN (SELECT unnest(?))", [ok_sources])
    statements = [statement for result in results for statement in result.statements]
    quantities = [quantity for result in results for quantity in result.quantities]
    _insert_rows(con, "documents", pd.DataFrame(documents))
    if statements:
        _insert_rows(con, "statements", record_frame(statements))
    if quantities:
        _insert_rows(con, "quantities", record_frame(quantities))
    if statements:
        search.insert_index(con, [(s.document_id, s.source_file, s.statement_id, s.text) for s in statements])
    texts = [(r.document.document_id, r.text) for r in results if r.document.status == DocumentStatus.OK and r.text]
    if texts:
        con.register("text_frame", pd.DataFrame(texts, columns=["document_id", "text"]))
        try:
            con.execute("INSERT OR REPLACE INTO document_texts SELECT document_id, text FROM text_frame")
        finally:
            con.unregister("text_frame")


def record_frame(records: list) -> pd.DataFrame:
    """Records of one type as a frame, built column by column (far cheaper than a dict per row)."""
    names = [item.name for item in dataclasses.fields(records[0])]
    return pd.DataFrame(
        {
            name: [str(v) if isinstance(v := getattr(record, name), StrEnum) else v for record in records]
            for name in names
        },
        columns=names,
    )


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    view = f"{table}_frame"
    con.register(view, frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}")
    finally:
        con.unregister(view)


def save_document(con: duckdb.DuckDBPyConnection, result: DocumentResult) -> None:
    """Write one document's results atomically: all its statements or none."""
    record = result.document
    source_file, document_id = record.source_file, record.document_id
    con.execute("BEGIN TRANSACTION")
    try:
        existing = con.execute(
            "SELECT version, status FROM documents WHERE source_file = ? AND document_id = ?",
            [source_file, document_id],
        ).fetchone()
        ok = record.status == DocumentStatus.OK
        if existing and existing[1] == "ok" and not ok:
            # Same bytes read fine before: a failure now (e.g. a transient I/O error) changes nothing.
            con.execute("COMMIT")
            return
        if existing:
            version = existing[0]
        else:
            version = scalar(
                con, "SELECT coalesce(max(version), 0) + 1 FROM documents WHERE source_file = ?", [source_file]
            )
        has_current = scalar(
            con,
            "SELECT count(*) FROM documents WHERE source_file = ? AND current AND document_id <> ?",
            [source_file, document_id],
        )
        con.execute("DELETE FROM statements WHERE document_id = ? AND source_file = ?", [document_id, source_file])
        con.execute("DELETE FROM quantities WHERE document_id = ? AND source_file = ?", [document_id, source_file])
        con.execute("DELETE FROM documents WHERE document_id = ? AND source_file = ?", [document_id, source_file])
        if ok:
            con.execute("UPDATE documents SET current = false WHERE source_file = ?", [source_file])
        documents = pd.DataFrame([{**as_row(record), "version": version, "current": ok or not has_current}])
        con.register("document_frame", documents)
        con.execute("INSERT INTO documents BY NAME SELECT * FROM document_frame")
        con.unregister("document_frame")
        if result.statements:
            con.register("statement_frame", pd.DataFrame([as_row(s) for s in result.statements]))
            con.execute("INSERT INTO statements BY NAME SELECT * FROM statement_frame")
            con.unregister("statement_frame")
        if result.quantities:
            con.register("quantity_frame", pd.DataFrame([as_row(q) for q in result.quantities]))
            con.execute("INSERT INTO quantities BY NAME SELECT * FROM quantity_frame")
            con.unregister("quantity_frame")
        if ok and result.text:
            con.execute("INSERT OR REPLACE INTO document_texts VALUES (?, ?)", [document_id, result.text])
        search.index_document(con, document_id, source_file, result.statements)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def export(con: duckdb.DuckDBPyConnection, out_dir: Path, include_other: bool = False) -> dict[str, Path]:
    """Write the current dataset as Parquet and CSV, in a stable order so unchanged data gives identical files.

    Reviewers' boundaries (``pipeline.boundaries``) and decisions (``pipeline.review``) are applied first, so a
    split statement is exported as its two parts and a rejected one leaves the default export.
    """
    kinds = "" if include_other else f"WHERE kind IN {tuple(str(kind) for kind in REPORTED_KINDS)}"
    boundaries.edit_statements(con, out_dir)
    reviewed = apply_reviews(con, out_dir)
    statements_query = (
        f"SELECT {STATEMENT_EXPORT_COLUMNS} FROM {reviewed} {kinds} ORDER BY source_file, char_start, statement_id"
    )
    documents_query = (
        f"SELECT {DOCUMENT_EXPORT_COLUMNS} FROM ("
        "SELECT * FROM current_documents UNION SELECT * FROM latest_documents"
        ") ORDER BY source_file, version"
    )
    quantities_query = (  # the quantities of the exported statements
        f"SELECT {QUANTITY_EXPORT_COLUMNS} FROM edited_quantities q "
        f"JOIN (SELECT document_id, statement_id, char_start FROM {reviewed} {kinds}) s "
        "USING (document_id, statement_id) "
        f"{ROLE_OVERRIDE.format(statement='s')} "
        "ORDER BY q.source_file, q.char_start, q.statement_id"
    )
    paths = {
        "statements_parquet": out_dir / "statements.parquet",
        "statements_csv": out_dir / "statements.csv",
        "documents_csv": out_dir / "documents.csv",
        "quantities_csv": out_dir / "quantities.csv",
    }
    for key, query in (
        ("statements_parquet", statements_query),
        ("statements_csv", statements_query),
        ("documents_csv", documents_query),
        ("quantities_csv", quantities_query),
    ):
        target = paths[key]
        tmp = target.with_name(target.name + ".tmp")
        if target.suffix == ".parquet":
            con.execute(f"COPY ({query}) TO '{_sql_path(tmp)}' (FORMAT PARQUET)")
        else:
            con.execute(f"COPY ({spreadsheet_safe_query(con, query)}) TO '{_sql_path(tmp)}' (FORMAT CSV, HEADER)")
        tmp.replace(target)
    return paths


def spreadsheet_safe_query(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """``query`` with its text columns neutralised for spreadsheets (``pipeline.hygiene``): CSV files are opened in
    Excel, which would run a statement that starts with ``=`` as a formula. Row order is kept."""
    columns = con.execute(f"DESCRIBE {query}").fetchall()
    selected = []
    for name, column_type, *_ in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        selected.append(f"{sql_spreadsheet_safe(quoted)} AS {quoted}" if column_type == "VARCHAR" else quoted)
    return f"SELECT {', '.join(selected)} FROM ({query})"


def _sql_path(path: Path) -> str:
    """A path as a SQL string literal body (COPY takes no parameters)."""
    return str(path).replace("'", "''")
