"""``workreview query`` and ``workreview export``: the dataset in the tools analysts already use."""

from __future__ import annotations

import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workreview.cli import app, console, output_file

MAX_TABLE_ROWS = 500
"""A terminal table longer than this is cut (with a note); CSV and JSON always carry every row."""


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(str, Enum):
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


DatasetOption = Annotated[Path, typer.Option("--out", help="Output folder of `workreview run` (the dataset).")]


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help='One read-only SQL query, e.g. "SELECT * FROM provinces".')],
    out: DatasetOption = Path("data"),
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="How to print the result.")
    ] = OutputFormat.table,
) -> None:
    """Run read-only SQL over the dataset (tables and views are listed in the README's SQL cookbook)."""
    from pipeline.query import run_query

    result = run_query(out, sql)
    if output_format is OutputFormat.csv:
        from pipeline.hygiene import spreadsheet_safe_frame

        spreadsheet_safe_frame(result).to_csv(sys.stdout, index=False)
    elif output_format is OutputFormat.json:
        print(result.to_json(orient="records", date_format="iso", force_ascii=False, indent=2))
    else:
        _print_table(result)


def _print_table(result) -> None:
    table = Table(show_lines=False)
    for column in result.columns:
        table.add_column(str(column), overflow="fold")
    for row in result.head(MAX_TABLE_ROWS).astype(object).where(result.notna(), None).itertuples(index=False):
        table.add_row(*("" if value is None else str(value) for value in row))
    console.print(table, markup=False, highlight=False)
    shown = min(len(result), MAX_TABLE_ROWS)
    note = f" (first {shown} shown; use --format csv for all)" if len(result) > MAX_TABLE_ROWS else ""
    console.print(f"{len(result)} row{'s' if len(result) != 1 else ''}{note}", markup=False)


@app.command()
def export(
    export_format: Annotated[ExportFormat, typer.Option("--format", help="File format.")] = ExportFormat.csv,
    province: Annotated[
        str | None, typer.Option(help="Only this capital/province: code (KH-7), name or a spelling of it (Siemreap).")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="Only this kind of statement: achievement, challenge or goal.")
    ] = None,
    sector: Annotated[str | None, typer.Option(help="Only this sector (e.g. health, water_irrigation).")] = None,
    year: Annotated[int | None, typer.Option(help="Only reports about this year.")] = None,
    out: DatasetOption = Path("data"),
    to: Annotated[
        Path | None, typer.Option("--to", help="File to write (default: OUT/exports/statements-….FORMAT).")
    ] = None,
) -> None:
    """Export the statements (reviewers' decisions applied), optionally filtered, as CSV, Parquet or Excel."""
    from pipeline.query import StatementFilter, export_statements

    selection = StatementFilter(province=province, kind=kind, sector=sector, year=year).resolved()
    target = output_file(to or out / "exports" / _default_name(selection, export_format.value))
    count = export_statements(out, selection, export_format.value, target)
    console.print(f"Wrote {count} statements to {target}", markup=False)


def _default_name(selection, extension: str) -> str:
    parts = [selection.province, selection.kind, selection.sector, selection.year]
    words = ["statements"] + [re.sub(r"[^\w-]+", "_", str(part)).strip("_") for part in parts if part]
    return "-".join(words) + f".{extension}"
