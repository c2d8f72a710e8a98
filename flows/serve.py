"""Scheduled ingestion: the ingestion flow served as a Prefect deployment with a cron schedule.

Prefect's embedded (ephemeral) server cannot run schedules, so when no Prefect API is configured,
:func:`prefect_api` starts a local ``prefect server`` (SQLite under ``PREFECT_HOME``, loopback only, analytics
off) for as long as the deployment is served, and stops it afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.ingest import ingest_reports

SERVER_STARTUP_TIMEOUT_S = 180.0
"""The first start creates and migrates the SQLite database: about 30 s on a busy 2-core machine."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]


def server_environment(home: Path) -> dict[str, str]:
    """The server's environment: its own PREFECT_HOME (where its SQLite database lives), no telemetry."""
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    return env


def wait_until_healthy(api_url: str, timeout_s: float, process: subprocess.Popen | None = None) -> None:
    """Poll ``{api_url}/health`` until the server answers; fail early if its process has exited."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with code {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the Prefect server at {api_url} did not answer within {timeout_s:g} s")
        time.sleep(0.5)


def stop_server(process: subprocess.Popen, grace_s: float = 15.0) -> None:
    """Stop the server and anything it started (it leads its own process group), politely first."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait_s)
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def local_prefect_server(
    home: Path,
    startup_timeout_s: float = SERVER_STARTUP_TIMEOUT_S,
    command: Callable[[int], list[str]] = server_command,
) -> Iterator[str]:
    """Run a Prefect server on a free loopback port for the duration of the block; yield its API URL.

    It runs in its own session, so Ctrl-C reaches only this process, which stops the runner first and the
    server last. Its output goes to ``home/server.log``.
    """
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    with (home / "server.log").open("ab") as log:
        process = subprocess.Popen(
            command(port), env=server_environment(home), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_healthy(api_url, startup_timeout_s, process)
            yield api_url
        finally:
            stop_server(process)


@contextmanager
def prefect_api(home: Path, on_start: Callable[[str], None] = print) -> Iterator[str]:
    """The configured Prefect API (``PREFECT_API_URL``), or else a local server for the duration of the block."""
    configured = PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    on_start(f"No PREFECT_API_URL set: starting a local Prefect server (log: {home / 'server.log'}) …")
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)  # so `finally` stops the server on SIGTERM too
    try:
        with local_prefect_server(home) as api_url, temporary_settings({PREFECT_API_URL: api_url}):
            os.environ["PREFECT_API_URL"] = api_url  # for the flow-run processes the runner starts
            try:
                yield api_url
            finally:
                os.environ.pop("PREFECT_API_URL", None)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def build_deployment(name: str, cron: str, timezone: str, parameters: dict) -> RunnerDeployment:
    """The ingestion flow as a deployment that runs on ``cron`` (in ``timezone``) with ``parameters``.

    The flow is referenced by module path, so the runner's flow-run processes find it from any directory.
    """
    deployment = ingest_reports.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=parameters,
        entrypoint_type=EntrypointType.MODULE_PATH,
        description="Ingest new and changed work-review reports on a schedule.",
    )
    if not isinstance(deployment, RunnerDeployment):  # Prefect hands back a coroutine inside an event loop
        deployment.close()
        raise RuntimeError("build_deployment must be called outside an event loop")
    return deployment
