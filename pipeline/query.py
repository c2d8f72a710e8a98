"""Read-only SQL over the national dataset, and the statement selection the exports and the HTTP API share.

Analysts' SQL runs on a connection from ``dataset.connect_read_only`` (read-only file, no file system, locked
settings) and must also be one reading statement: a write is refused with a message that says so, before DuckDB
sees it. Everything else here builds SQL from fixed fragments with the user's values as parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipeline import search, store
from pipeline.dataset import DOCUMENTS_QUERY, connect_read_only
from pipeline.errors import InvalidInput, QueryRefused
from pipeline.hygiene import spreadsheet_safe, spreadsheet_safe_frame
from pipeline.names import resolve_kind, resolve_level, resolve_province, resolve_review_status, resolve_sector
from pipeline.search import SearchQuery
from pipeline.vocabulary import REPORTED_KINDS

READING_STATEMENTS = "SELECT, WITH, FROM, VALUES, PIVOT, UNPIVOT, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN"
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:ANALY[SZ]E\s+)?", re.IGNORECASE)
EXPORT_FORMATS = ("csv", "parquet", "xlsx")


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but one reading statement (DuckDB's parser decides what a statement is).

    A ``PIVOT`` whose columns come from the data (no ``IN`` list) parses as ``MULTI``: DuckDB first reads the
    distinct values, then pivots. Such a statement is accepted only if it also parses as a subquery
    (``SELECT * FROM (…)``), which no write, ``COPY``, ``ATTACH`` or setting can.
    """
    statements = con.extract_statements(sql)
    if len(statements) != 1:
        raise QueryRefused(f"give exactly one SQL statement (got {len(statements)})")
    statement = statements[0]
    if statement.type == duckdb.StatementType.EXPLAIN:
        explained = con.extract_statements(_EXPLAIN.sub("", statement.query, count=1))
        statement = explained[0] if len(explained) == 1 else statement
    if statement.type == duckdb.StatementType.MULTI and _is_subquery(con, _EXPLAIN.sub("", statement.query, count=1)):
        return
    if statement.type != duckdb.StatementType.SELECT:
        raise QueryRefused(
            f"the dataset is read-only: only reading queries ({READING_STATEMENTS}) are allowed, "
            f"not {statement.type.name}"
        )


def _is_subquery(con: duckdb.DuckDBPyConnection, query: str) -> bool:
    try:
        wrapped = con.extract_statements(f"SELECT * FROM (\n{query}\n)")
    except duckdb.ParserException:
        return False
    return len(wrapped) == 1 and wrapped[0].type in (duckdb.StatementType.SELECT, duckdb.StatementType.MULTI)


def run_query(out_dir: str | Path, sql: str) -> pd.DataFrame:
    """The result of one read-only SQL query over the dataset in ``out_dir``."""
    con = connect_read_only(out_dir)
    try:
        check_read_only(con, sql)
        return con.execute(sql).df()
    except duckdb.Error as error:
        raise QueryRefused(f"SQL error: {error}") from None
    finally:
        con.close()


# --- selecting statements ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementFilter:
    """Which statements to select; ``None`` means any. Names are resolved (``pipeline.names``): an unknown one
    raises ``UnknownName`` with the nearest valid values instead of selecting nothing."""

    province: str | None = None
    """An ISO code (``KH-7``), English name (``Kampot``) or any spelling the gazetteer knows, any case."""
    kind: str | None = None
    sector: str | None = None
    year: int | None = None
    """The year under review."""
    flagged: bool | None = None
    review_status: str | None = None
    text: str | None = None
    """Words the statement contains, any case."""
    level: str | None = None
    """The administrative level of the statement's report (``province``, ``district``, ``working_group``…)."""
    search: str | None = None
    """A full-text query (``pipeline.search``): every word, and each "quoted phrase"; results ranked by BM25."""

    def resolved(self) -> StatementFilter:
        """The same filter with every name in its canonical spelling (``Siemreap`` → ``KH-17``)."""
        return replace(
            self,
            province=resolve_province(self.province).code if self.province else None,
            kind=resolve_kind(self.kind) if self.kind else None,
            sector=resolve_sector(self.sector) if self.sector else None,
            review_status=resolve_review_status(self.review_status) if self.review_status else None,
            level=resolve_level(self.level) if self.level else None,
        )

    def where(self) -> tuple[str, list]:
        """A SQL condition on ``reviewed_statements`` and its parameters."""
        chosen = self.resolved()
        clauses = ["kind IN (SELECT unnest(?))"]
        params: list = [[str(chosen.kind)] if chosen.kind else [str(kind) for kind in REPORTED_KINDS]]
        for column, value in (
            ("province_code", chosen.province),
            ("sector", chosen.sector),
            ("report_year", chosen.year),
            ("flagged", chosen.flagged),
            ("review_status", chosen.review_status),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(str(value) if isinstance(value, str) else value)
        if chosen.level:
            clauses.append("document_id IN (SELECT document_id FROM current_documents WHERE level = ?)")
            params.append(chosen.level)
        if chosen.text:
            clauses.append("text ILIKE ? ESCAPE '\\'")
            params.append(f"%{like_escape(chosen.text)}%")
        return " AND ".join(clauses), params


def like_escape(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern: its ``%`` and ``_`` match only themselves."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def select_statements(
    con: duckdb.DuckDBPyConnection, selection: StatementFilter, limit: int | None = None, offset: int = 0
) -> tuple[int, pd.DataFrame]:
    """The total number of matching statements and one page of them: best match first when searching, else in
    file and position order. With a search, each row also has its ``score``."""
    where, params = selection.where()
    source = _source(con, selection.search)
    columns, order = store.STATEMENT_EXPORT_COLUMNS, "source_file, char_start, statement_id"
    if selection.search:
        columns, order = f"{columns}, score", f"score DESC, {order}"
    page = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
    total = store.scalar(con, f"SELECT count(*) FROM {source} WHERE {where}", params)
    rows = con.execute(f"SELECT {columns} FROM {source} WHERE {where} ORDER BY {order} {page}", params).df()
    return total, rows


def facet_counts(con: duckdb.DuckDBPyConnection, selection: StatementFilter) -> dict[str, list[tuple[object, int]]]:
    """For each facet (``FACET_COLUMNS``), ``(value, statements)`` among those matching every other filter, so
    that a value's count is what choosing it will show. The statements are read once into a temporary table of
    the columns the filters and facets need; the seven counts run on that."""
    source = _source(con, selection.search)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE facet_rows AS "
        "SELECT s.document_id, s.province_code, s.kind, s.sector, s.report_year, s.review_status, s.flagged, s.text, "
        f"d.level FROM (SELECT * FROM {source}) s LEFT JOIN current_documents d USING (document_id, source_file)"
    )
    counts = {}
    for facet, column in FACET_COLUMNS.items():
        where, params = replace(selection, **{facet: None}).where()
        counts[facet] = con.execute(
            f"SELECT {column} AS value, count(*) FROM facet_rows WHERE {where} GROUP BY 1 ORDER BY 1 NULLS LAST",
            params,
        ).fetchall()
    return counts


def _source(con: duckdb.DuckDBPyConnection, text: str | None) -> str:
    """What to select statements from: ``reviewed_statements``, or with a search those of them that match it,
    with their ``score`` (kept in a temporary table for this connection, so the page and its facets share it)."""
    if not text:
        return "reviewed_statements"
    scores, params = search.scores_sql(SearchQuery.parse(text))  # no words: no match
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE search_matches AS {scores}", params)
    except duckdb.CatalogException as error:
        if "search_" not in str(error):
            raise
        raise InvalidInput("this dataset has no search index yet: the next `workreview run` builds it") from None
    return "reviewed_statements JOIN search_matches USING (document_id, source_file, statement_id)"


FACET_COLUMNS = {
    "province": "province_code",
    "level": "level",
    "kind": "kind",
    "sector": "sector",
    "year": "report_year",
    "review_status": "review_status",
    "flagged": "flagged",
}
"""The column each facet of the statements browser counts, by ``StatementFilter`` field."""


# --- exports ----------------------------------------------------------------------------------------------------


def export_statements(out_dir: str | Path, selection: StatementFilter, fmt: str, target: Path) -> int:
    """Write the selected statements to ``target`` as CSV, Parquet or Excel; returns how many.

    The Excel workbook also has the quantities of those statements and the documents they come from, one sheet each.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    con = connect_read_only(out_dir)
    try:
        _, statements = select_statements(con, selection)
        sheets = {"statements": statements}
        if fmt == "xlsx":
            con.register("selected_ids", statements[["statement_id", "source_file"]])
            sheets["quantities"] = con.execute(
                "SELECT q.* FROM statement_quantities q "
                "SEMI JOIN selected_ids USING (statement_id, source_file) ORDER BY source_file, statement_start"
            ).df()
            documents = con.execute(DOCUMENTS_QUERY).df()
            sheets["documents"] = documents[documents["source_file"].isin(statements["source_file"])]
    finally:
        con.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    try:
        if fmt == "csv":
            spreadsheet_safe_frame(statements).to_csv(tmp, index=False)
        elif fmt == "parquet":
            statements.to_parquet(tmp, index=False)
        else:
            write_workbook(sheets, tmp)
        tmp.replace(target)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {target}: {error.strerror or error}") from None
    return len(statements)


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """An Excel workbook, one sheet per frame. Report text is untrusted: a statement starting with ``=`` stays
    text instead of becoming a formula (typed as text and, as in the CSV exports, prefixed with ``'``: OWASP's rule,
    which also holds when someone edits the cell), and control characters Excel cannot store are dropped."""
    workbook = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            sheet.append([_cell(sheet, value) for value in row])
    workbook.save(path)


def _cell(sheet, value: object) -> object:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=spreadsheet_safe(ILLEGAL_CHARACTERS_RE.sub("", value)))
    cell.data_type = "s"
    return cell
