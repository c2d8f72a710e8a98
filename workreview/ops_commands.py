"""``workreview serve``: ingest an inbox on a schedule (a served Prefect deployment)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import InvalidInput
from workreview.cli import app, configure_prefect, console, existing_folder, output_folder


@app.command()
def serve(
    inbox: Annotated[Path, typer.Option("--inbox", help="Folder the reports arrive in (read recursively).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("data"),
    cron: Annotated[str, typer.Option("--cron", help="When to run, as a cron expression.")] = "0 2 * * *",
    timezone: Annotated[str, typer.Option("--timezone", help="Time zone of the cron expression.")] = "Asia/Phnom_Penh",
    name: Annotated[str, typer.Option("--name", help="Deployment name.")] = "scheduled",
    workers: Annotated[int, typer.Option("--workers", min=1, help="Parallel worker processes per run.")] = 1,
    all_statements: Annotated[bool, typer.Option("--all", help="Also export statements labelled 'other'.")] = False,
) -> None:
    """Serve the ingestion flow as a Prefect deployment that runs on CRON until stopped (Ctrl-C or SIGTERM).

    Uses the Prefect server at PREFECT_API_URL; without one, starts a local server for as long as it serves.
    Runs can also be started by hand from the Prefect UI or with `prefect deployment run`.
    """
    existing_folder(inbox, "inbox folder")
    configure_prefect(output_folder(out))
    import prefect
    from prefect.settings import PREFECT_HOME

    from flows.serve import build_deployment, prefect_api

    parameters = {
        "reports_dir": str(inbox.resolve()),
        "out_dir": str(out.resolve()),
        "include_other": all_statements,
        "workers": workers,
        "wait": True,  # a scheduled run that finds a manual one writing waits for it
    }
    try:
        deployment = build_deployment(name, cron, timezone, parameters)
    except ValueError as error:
        raise InvalidInput(f"invalid schedule: {error}") from None
    with prefect_api(Path(PREFECT_HOME.value()) / "server", on_start=console.print) as api_url:
        console.print(f"Prefect API: {api_url}")
        prefect.serve(deployment)
