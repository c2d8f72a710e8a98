"""The ``workreview`` command: a thin shell over ``flows`` and ``pipeline``.

Every expected failure is a :class:`pipeline.errors.WorkreviewError`; the command group turns it into one line
on stderr and the exit code the class carries (the README lists them). Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer._click import Context  # typer vendors click; TyperGroup.invoke takes this Context, not click's
from typer._click.exceptions import ClickException  # typer vendors click; its own exceptions are these
from typer.core import TyperGroup

from pipeline.errors import InvalidInput, WorkreviewError


class _Commands(TyperGroup):
    """The one place a failure becomes what the user sees: one line on stderr and the exit code.

    A :class:`WorkreviewError` carries its code; a command-line mistake (unknown option, missing argument, bad
    value) is bad input, 2, told in one line with a pointer to ``--help`` instead of click's usage block."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkreviewError as error:
            typer.echo(f"workreview: {error}", err=True)
            raise typer.Exit(error.exit_code) from None

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False  # so that usage errors reach us instead of being printed by click
        try:
            code = super().main(*args, **kwargs)
        except ClickException as error:
            if not error.format_message():  # no arguments at all: click has printed the help
                sys.exit(error.exit_code)
            context = getattr(error, "ctx", None)  # usage errors carry the command they were found in
            command = f"{context.command_path} --help" if context else "workreview --help"
            typer.echo(f"workreview: {error.format_message()} (see '{command}')", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("workreview: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_Commands,
    help="Turn work-review reports into a national dataset.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True)


def existing_folder(path: Path, what: str) -> Path:
    """``path`` if it is a folder, else a one-line error naming ``what`` it should have been."""
    if not path.is_dir():
        raise InvalidInput(f"{what} {path} {'is not a folder' if path.exists() else 'does not exist'}")
    return path


def output_folder(path: Path) -> Path:
    """``path`` if it is a folder or can become one (its parents are made as needed)."""
    if path.exists() and not path.is_dir():
        raise InvalidInput(f"output folder {path} is a file; give a folder (it is created if missing)")
    return path


def output_file(path: Path) -> Path:
    """``path`` if a file can be written there: not a folder, and its folder exists or can be made."""
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give a file name to write to")
    if path.parent.exists() and not path.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: {path.parent} is a file, not a folder")
    return path


def configure_prefect(out_dir: Path) -> None:
    """Prefect runs embedded, offline and quiet unless the user configured it otherwise."""
    home = Path(os.environ.setdefault("PREFECT_HOME", str((out_dir / ".prefect").resolve())))
    home.mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level itself
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The first start creates the SQLite database, which can take longer than the default 20 s on a small machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


STAGE_LABELS = {
    "starting": "Starting",
    "reading": "Reading",
    "storing": "Storing",
    "exporting": "Exporting",
    "summarising": "Summarising",
}
"""What the progress bar says in each stage of a run (``flows.ingest.Stage``)."""


@contextmanager
def _progress_bar():
    """A progress bar that names the run's stage: starting (Prefect and the model), reading documents (done/total
    with an ETA), storing a batch, exporting, summarising. Fed by the flow through its progress callback."""
    from rich import progress as rp

    columns = (
        rp.TextColumn("{task.description:<11}"), rp.BarColumn(), rp.MofNCompleteColumn(), rp.TimeElapsedColumn(),
        rp.TextColumn("ETA"), rp.TimeRemainingColumn(),
    )
    with rp.Progress(*columns, console=console) as progress:
        bar = progress.add_task(STAGE_LABELS["starting"], total=None)

        def show(done: int, total: int, stage: str) -> None:
            progress.update(
                bar, description=STAGE_LABELS.get(stage, stage), completed=done, total=total if total else None
            )
            progress.refresh()  # a stage change shows at once, not at the next tick

        yield show


@app.command()
def run(
    reports_dir: Annotated[Path, typer.Argument(help="Folder of reports (PDF, DOCX, TXT, MD), read recursively.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("data"),
    all_statements: Annotated[
        bool, typer.Option("--all", help="Also export statements labelled 'other'.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 if any file was not read (failed, unsupported, skipped…).")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes reading side by side [default: 1 per core, max 4]."),
    ] = None,
    task_runner: Annotated[
        str, typer.Option("--task-runner", help="'local' (this machine) or 'dask' (an existing Dask cluster).")
    ] = "local",
    dask_address: Annotated[
        str | None, typer.Option("--dask-address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    doc_timeout: Annotated[
        float, typer.Option("--doc-timeout", min=0, help="Seconds reading one file may take (0: no limit).")
    ] = 120.0,
    max_mb: Annotated[float, typer.Option("--max-mb", min=0, help="Largest file read, in MB (0: no limit).")] = 50.0,
    max_pages: Annotated[int, typer.Option("--max-pages", min=0, help="Most PDF pages read (0: no limit).")] = 500,
    max_memory_mb: Annotated[
        float, typer.Option("--max-memory-mb", min=0, help="Memory the reader process may use, in MB (0: no limit).")
    ] = 1536.0,
    max_unzipped_mb: Annotated[
        float, typer.Option("--max-unzipped-mb", min=0, help="Most a Word file may unpack to, in MB (0: no limit).")
    ] = 200.0,
    wait: Annotated[bool, typer.Option("--wait", help="If another run is writing to OUT, wait for it.")] = False,
) -> None:
    """Ingest every new or changed report in REPORTS_DIR into the dataset in OUT."""
    existing_folder(reports_dir, "reports folder")
    output_folder(out)
    if task_runner not in ("local", "dask") or (task_runner == "dask") != bool(dask_address):
        raise InvalidInput("use --task-runner dask together with --dask-address tcp://HOST:PORT")
    from pipeline.runlock import hold
    from pipeline.unchanged import record_if_unchanged

    started = time.perf_counter()
    nothing_to_do = record_if_unchanged(reports_dir, out, include_other=all_statements)
    if nothing_to_do is not None:  # recognised before Prefect and spaCy start
        console.print(
            f"Nothing changed since the last run: {nothing_to_do.files} files unchanged, none read "
            f"(run {nothing_to_do.run_id} recorded) in {time.perf_counter() - started:.1f} s."
        )
        _print_outputs(nothing_to_do.outputs)
        return
    if not wait:  # fail fast, before Prefect starts; the flow itself holds the lock for the run
        with hold(out):
            pass
    configure_prefect(out)
    from flows.prefect_api import DASK_NEEDS_SERVER, EmbeddedServer, configured_api_url

    if task_runner == "dask" and not configured_api_url():
        raise InvalidInput(DASK_NEEDS_SERVER)

    started = time.perf_counter()
    # Prefect's server, the imports and the workers' start-up (their models) all come up at once.
    with EmbeddedServer() as server, _progress_bar() as on_progress:
        from flows.ingest import run_ingestion, worker_pool
        from pipeline.workers import default_workers

        workers = workers or default_workers()
        with worker_pool(workers, task_runner):
            server.wait_until_ready(float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
            report = run_ingestion(
                str(reports_dir),
                str(out),
                include_other=all_statements,
                workers=workers,
                on_progress=on_progress,
                task_runner=task_runner,
                dask_address=dask_address,
                doc_timeout=doc_timeout or None,
                max_mb=max_mb or None,
                max_pages=max_pages or None,
                wait=wait,
            )
    elapsed = time.perf_counter() - started

    counts = report.counts
    console.print(
        f"Read {report.documents_processed} of {report.documents_seen} files "
        f"({counts.documents_new} new, {counts.documents_changed} changed, {report.documents_skipped} unchanged, "
        f"{counts.documents_withdrawn} withdrawn; {report.pages} pages, {report.statements} statements) "
        f"in {elapsed:.1f} s with {workers} worker{'s' if workers > 1 else ''}."
    )
    if report.failures:
        table = Table(title=f"{len(report.failures)} file(s) not read", show_lines=False)
        for column in ("File", "Status", "Error"):
            table.add_column(column, overflow="fold")
        for failure in report.failures:
            table.add_row(failure.source_file, str(failure.status), failure.error or "")
        console.print(table)
    _print_outputs(report.outputs)
    if strict and report.failures:
        raise typer.Exit(1)


def _print_outputs(outputs: dict[str, str]) -> None:
    console.print("Outputs:")
    for path in outputs.values():
        console.print(f"  {path}")


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Option("--gold", help="Gold folder (statements.jsonl, documents.jsonl).")] = Path(
        "sample_reports/gold"
    ),
    pred: Annotated[Path, typer.Option("--pred", help="Output folder of a run.")] = Path("data"),
    split: Annotated[str | None, typer.Option("--split", help="Only documents of this split (train/dev/test).")] = None,
    genre: Annotated[
        list[str] | None,
        typer.Option("--genre", help="Only documents of this genre; repeat or comma-separate; 'wild' = all but "
                     "template."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Score a run's exported dataset against gold annotations, per genre and beside the keyword baseline."""
    import json

    from pipeline.evaluate import evaluate as score
    from pipeline.evaluate import render_text

    evaluation = score(gold, pred, split=split, genres=genre)
    if as_json:
        print(json.dumps(evaluation.to_dict(), indent=2))
    else:
        print(render_text(evaluation))


# The other commands register themselves on ``app``; they import it from here, hence the imports at the end.
from workreview import (  # noqa: E402
    analyst_commands,  # noqa: F401
    ops_commands,  # noqa: F401
    quantity_commands,  # noqa: F401
    review_commands,  # noqa: F401
    train_commands,  # noqa: F401
)

if __name__ == "__main__":
    app()
