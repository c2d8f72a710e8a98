"""The ``workreview`` command: a thin shell over ``flows`` and ``pipeline``."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Turn work-review reports into a national dataset.", no_args_is_help=True)
console = Console()


def configure_prefect(out_dir: Path) -> None:
    """Prefect runs embedded, offline and quiet unless the user configured it otherwise."""
    home = Path(os.environ.setdefault("PREFECT_HOME", str((out_dir / ".prefect").resolve())))
    home.mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level itself
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The first start creates the SQLite database, which can take longer than the default 20 s on a small machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@app.command()
def run(
    reports_dir: Annotated[Path, typer.Argument(help="Folder of reports (PDF, DOCX, TXT, MD), read recursively.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("data"),
    all_statements: Annotated[
        bool, typer.Option("--all", help="Also export statements labelled 'other'.")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 if any document failed.")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Parallel worker processes.")] = 1,
) -> None:
    """Ingest every new or changed report in REPORTS_DIR into the dataset in OUT."""
    if not reports_dir.is_dir():
        console.print(f"[red]Reports folder not found:[/red] {reports_dir}")
        raise typer.Exit(2)
    configure_prefect(out)
    from flows.ingest import run_ingestion

    started = time.perf_counter()
    report = run_ingestion(str(reports_dir), str(out), include_other=all_statements, workers=workers)
    elapsed = time.perf_counter() - started

    console.print(
        f"Read {report.documents_processed} of {report.documents_seen} files "
        f"({report.documents_skipped} unchanged, {report.pages} pages, {report.statements} statements) "
        f"in {elapsed:.1f} s."
    )
    if report.failures:
        table = Table(title=f"{len(report.failures)} file(s) could not be read", show_lines=False)
        for column in ("File", "Status", "Error"):
            table.add_column(column, overflow="fold")
        for failure in report.failures:
            table.add_row(failure["source_file"], failure["status"], failure["error"] or "")
        console.print(table)
    console.print("Outputs:")
    for path in report.outputs.values():
        console.print(f"  {path}")
    if strict and report.failures:
        raise typer.Exit(1)


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Option("--gold", help="Gold folder (statements.jsonl, documents.jsonl).")] = Path(
        "sample_reports/gold"
    ),
    pred: Annotated[Path, typer.Option("--pred", help="Output folder of a run.")] = Path("data"),
    split: Annotated[str | None, typer.Option("--split", help="Only documents of this split (train/dev/test).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Score a run's exported dataset against gold annotations."""
    import json

    from pipeline.evaluate import EvaluationError, evaluate as score, render_text

    try:
        evaluation = score(gold, pred, split=split)
    except EvaluationError as error:
        console.print(f"[red]Cannot evaluate:[/red] {error}")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(evaluation.to_dict(), indent=2))
    else:
        print(render_text(evaluation))


if __name__ == "__main__":
    app()
