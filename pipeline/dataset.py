"""The national dataset as analysts use it: pandas DataFrames, and a locked-down read-only DuckDB connection.

Both read ``OUT/national.duckdb`` and add what the database alone does not hold: every capital/province with its
submission status (also the ones that sent nothing), the reviewers' decisions from ``OUT/reviews.sqlite``, and each
quantity with the statement it comes from. Example::

    from pipeline import load_dataset

    data = load_dataset("data")
    data.statements.groupby(["province", "kind"]).size()
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import store
from pipeline.boundaries import edit_statements
from pipeline.errors import DatasetNotFound
from pipeline.gazetteer import find_places, provinces
from pipeline.review import ROLE_OVERRIDE, apply_reviews
from pipeline.vocabulary import REPORTED_KINDS, StatementKind

LEVEL_GROUPS = {
    "capital": "province",
    "province": "province",
    "municipality": "local",
    "district": "local",
    "khan": "local",
    "working_group": "working_group",
}
"""Administrative level → the column it is counted under: the capital/province administration itself, its
municipalities/districts/khans, or a national working group assigned to it."""
PROVINCE_COUNTS = ("documents", "province_documents", "local_documents", "working_group_documents", "unread_documents")
DOCUMENTS_QUERY = (
    f"SELECT {store.DOCUMENT_EXPORT_COLUMNS} FROM ("
    "SELECT * FROM current_documents UNION SELECT * FROM latest_documents"
    ") ORDER BY source_file, version"
)
"""Every file: its current version, and its latest attempt if that failed (as ``documents.csv``)."""
STATEMENT_CONTEXT = {
    "source_file": "source_file",
    "province_code": "province_code",
    "province": "province",
    "report_year": "report_year",
    "kind": "kind",
    "sector": "sector",
    "flagged": "flagged",
    "review_status": "review_status",
    "page": "page",
    "statement_text": "text",
    "statement_start": "char_start",
}
"""Columns of a quantity's statement that ``statement_quantities`` adds to each quantity (name → statement column)."""
EMPTY_QUANTITIES = """
CREATE TEMP TABLE quantities (
    statement_id VARCHAR, document_id VARCHAR, source_file VARCHAR,
    value DOUBLE, unit VARCHAR, text VARCHAR, char_start INTEGER, char_end INTEGER,
    role VARCHAR, object VARCHAR, period VARCHAR, cumulative BOOLEAN, change_from DOUBLE, change_to DOUBLE
)
"""
"""Stands in for the table in a database written before quantities were extracted."""


@dataclass(frozen=True, slots=True)
class Dataset:
    statements: pd.DataFrame
    """Current achievements, challenges and goals (``other`` too if asked) with reviewers' decisions applied, as
    in ``statements.parquet``: ``review_status`` is ``unreviewed``, ``accepted``, ``corrected`` or ``rejected``."""
    documents: pd.DataFrame
    """One row per file: its current version, and its latest attempt if that failed."""
    quantities: pd.DataFrame
    """One row per quantity found in a current statement, with that statement's province, kind, file and page."""
    provinces: pd.DataFrame
    """The 25 capital/provinces with their submission status and document counts per level."""


def load_dataset(out_dir: str | Path, include_other: bool = False) -> Dataset:
    """The dataset in ``out_dir`` (the ``--out`` folder of ``workreview run``) as pandas DataFrames."""
    con = connect_read_only(out_dir)
    try:
        return read_dataset(con, include_other=include_other)
    finally:
        con.close()


def connect_read_only(out_dir: str | Path, lock_timeout_s: float = 3.0) -> duckdb.DuckDBPyConnection:
    """A connection that can read the dataset and nothing else: no writes, no files, no extensions, no settings.

    DuckDB's read-only mode protects the database file; ``enable_external_access=false`` also closes
    ``COPY … TO``, ``ATTACH``, ``INSTALL`` and file-reading functions, and the locked configuration keeps a
    query from switching any of it back on. Waits up to ``lock_timeout_s`` while a run is writing.
    """
    out_dir = Path(out_dir)
    if not (out_dir / store.DATABASE_NAME).is_file():
        raise DatasetNotFound(f"no dataset in {out_dir}: run `workreview run REPORTS --out {out_dir}` first")
    con = store.connect(out_dir, read_only=True, lock_timeout_s=lock_timeout_s)
    try:
        _restrict(con)
        add_analysis_tables(con, out_dir)
    except BaseException:
        con.close()
        raise
    return con


def _restrict(con: duckdb.DuckDBPyConnection) -> None:
    """Settings belong to the database instance, which read-only connections to one file in one process share
    (the review app's too): set them once, and make sure they hold whoever set them."""
    try:
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.InvalidInputException:  # another connection locked the configuration first
        pass
    if store.scalar(con, "SELECT current_setting('enable_external_access')"):
        raise RuntimeError("cannot restrict the dataset connection: its configuration was locked with file access on")


def add_analysis_tables(con: duckdb.DuckDBPyConnection, out_dir: Path) -> None:
    """Temporary tables and views for this connection: ``provinces``, ``reviewed_statements`` (the current
    achievements, challenges and goals with reviewers' decisions applied, as exported), ``other_statements`` (the
    rest), ``all_reviewed_statements`` (both), ``statement_quantities`` and, if missing, an empty ``quantities``."""
    documents = con.execute(DOCUMENTS_QUERY).df()
    _create_temp_table(con, "provinces", submission_status(documents))
    if not _has_table(con, "quantities"):
        con.execute(EMPTY_QUANTITIES)
    edit_statements(con, out_dir)
    apply_reviews(con, out_dir)
    con.execute(_statement_quantities_view(con))


def read_dataset(con: duckdb.DuckDBPyConnection, include_other: bool = False) -> Dataset:
    """The dataset from a connection that has the analysis tables (see ``add_analysis_tables``)."""
    kinds = REPORTED_KINDS + ((StatementKind.OTHER,) if include_other else ())
    statements = con.execute(
        f"""
        SELECT {store.STATEMENT_EXPORT_COLUMNS} FROM all_reviewed_statements
        WHERE kind IN (SELECT unnest(?))
        ORDER BY source_file, char_start, statement_id
        """,
        [list(kinds)],
    ).df()
    return Dataset(
        statements=statements,
        documents=con.execute(DOCUMENTS_QUERY).df(),
        quantities=con.execute(
            "SELECT * FROM statement_quantities ORDER BY source_file, statement_start, char_start"
        ).df(),
        provinces=con.execute("SELECT * FROM provinces ORDER BY ordinal").df(),
    )


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts with ``None`` where a value is missing (pandas says NaN, which JSON and pages can't).

    Missing values are replaced in the dicts, not in the frame: ``astype(object).where(...)`` on the frame cost the
    summary a second per run."""
    rows = frame.to_dict("records")
    missing = {column for column in frame.columns if frame[column].hasnans}
    if missing:
        for row in rows:
            for column in missing:
                if pd.isna(row[column]):
                    row[column] = None
    return rows


# --- submission status ---------------------------------------------------------------------------------------


def submission_status(documents: pd.DataFrame) -> pd.DataFrame:
    """Every capital/province: ``reported`` (at least one report read), else ``needs_ocr`` / ``failed`` (it sent
    only files that could not be read, recognised by their file name), else ``missing``; with document counts."""
    counts: dict[str, Counter] = {province.code: Counter() for province in provinces()}
    unread_statuses: dict[str, set[str]] = {code: set() for code in counts}
    for source_file, code, level, status in documents[["source_file", "province_code", "level", "status"]].itertuples(
        index=False
    ):
        code = code if isinstance(code, str) else None
        if status == "ok":
            if code in counts:
                counts[code]["documents"] += 1
                if level in LEVEL_GROUPS:
                    counts[code][f"{LEVEL_GROUPS[level]}_documents"] += 1
            continue
        code = code or province_in_file_name(source_file)
        if code in counts:
            counts[code]["unread_documents"] += 1
            unread_statuses[code].add(status)
    rows = []
    for ordinal, province in enumerate(provinces(), start=1):
        count, unread = counts[province.code], unread_statuses[province.code]
        if count["documents"]:
            status = "reported"
        elif "needs_ocr" in unread:
            status = "needs_ocr"
        else:
            status = "failed" if unread else "missing"
        rows.append(
            {
                "ordinal": ordinal,
                "code": province.code,
                "name": province.name,
                "is_capital": province.is_capital,
                "status": status,
                **{column: count[column] for column in PROVINCE_COUNTS},
            }
        )
    return pd.DataFrame(rows)


def province_in_file_name(source_file: str) -> str | None:
    """The province a file's name (or folder) points to, when it points to exactly one: for files never read."""
    words = re.sub(r"[_\-/.]+", " ", re.sub(r"\.\w{1,5}$", "", source_file))
    codes = {mention.province_code for mention in find_places(words)}
    return codes.pop() if len(codes) == 1 else None


# --- helpers ---------------------------------------------------------------------------------------------------


def _create_temp_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    view = f"{name}_frame"
    con.register(view, frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        store.scalar(
            con,
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name = ? AND table_catalog = current_database()",
            [name],
        )
    )


def _statement_quantities_view(con: duckdb.DuckDBPyConnection) -> str:
    """Each quantity of the current dataset with its statement's context, reviewers' decisions applied. Old
    versions of a file keep their quantities under the same statement ids: the document is part of the join."""
    columns = [row[0] for row in con.execute("DESCRIBE edited_quantities").fetchall()]
    own = [
        "coalesce(r.role, q.role) AS role" if column == "role" else f"q.{column}"
        for column in columns
        if column not in STATEMENT_CONTEXT
    ]
    context = [f"s.{column} AS {name}" for name, column in STATEMENT_CONTEXT.items()]
    override = ROLE_OVERRIDE.format(statement="s") if "role" in columns else ""
    return (
        f"CREATE OR REPLACE TEMP VIEW statement_quantities AS SELECT {', '.join(own + context)} "
        "FROM edited_quantities q JOIN all_reviewed_statements s USING (document_id, source_file, statement_id) "
        f"{override}"
    )
