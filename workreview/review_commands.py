"""``workreview review`` (the reviewers' web app) and ``workreview users`` (accounts)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import DatasetNotFound, InvalidInput
from pipeline.runs import DATABASE_NAME
from pipeline.vocabulary import USER_ROLES
from workreview.cli import app, console, existing_folder

users_app = typer.Typer(help="Manage the accounts of the review app.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command()
def review(
    out: Annotated[Path, typer.Option("--out", help="Output folder of `workreview run`.")] = Path("data"),
    host: Annotated[
        str, typer.Option("--host", help="Interface to listen on; keep 127.0.0.1 unless behind TLS.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Serve the reviewers' workbench over the dataset in OUT."""
    import uvicorn

    from pipeline.review import list_users
    from workreview.web.app import create_app

    if not (out / DATABASE_NAME).is_file():
        raise DatasetNotFound(f"no dataset in {out}: run `workreview run REPORTS --out {out}` first")
    if not list_users(out):
        console.print(
            f"[yellow]No users yet:[/yellow] add one with `workreview users add NAME --role reviewer --out {out}`."
        )
    console.print(f"Reviewing {out.resolve()} at http://{host}:{port}/ (Ctrl+C to stop)")
    uvicorn.run(create_app(out), host=host, port=port, log_level="warning")


@users_app.command("add")
def add_user(
    name: Annotated[str, typer.Argument(help="User name to sign in with.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(USER_ROLES)}.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder of `workreview run`.")] = Path("data"),
) -> None:
    """Add a user, or reset an existing user's role and password. The password is read from stdin."""
    from pipeline.review import save_user

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise InvalidInput("the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    created = save_user(existing_folder(out, "output folder"), name, role, password)
    console.print(f"{'Added' if created else 'Updated'} {name} ({role}) in {out / 'reviews.sqlite'}.")


@users_app.command("list")
def show_users(
    out: Annotated[Path, typer.Option("--out", help="Output folder of `workreview run`.")] = Path("data"),
) -> None:
    """List the users and their roles."""
    from pipeline.review import list_users

    for user in list_users(out):
        console.print(f"{user.name}\t{user.role}")
