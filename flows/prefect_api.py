"""Prefect's API for one command-line run: Prefect's own embedded server, started as the command begins.

Prefect starts the same server (uvicorn serving ``prefect.server.api.server:create_app`` in a subprocess) when the
first flow runs without a ``PREFECT_API_URL``. Started here instead, it comes up while this process imports the
pipeline and the workers load their models, not after them, and this process never imports the server's
application, which Prefect does to start it (about 2 s of CPU). A ``PREFECT_API_URL`` the user set is used as is.
Call ``start`` before anything imports ``prefect``: its settings are read from the environment then.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from importlib.util import find_spec
from pathlib import Path

API_URL_VARIABLE = "PREFECT_API_URL"
DASK_NEEDS_SERVER = (
    "Dask workers report their task runs to the Prefect API, so --task-runner dask needs PREFECT_API_URL set to "
    "a Prefect server they can reach (see README, 'Scaling out')"
)
SERVER_ENVIRONMENT = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
"""What Prefect sets for its embedded server: no UI, and the settings of an ephemeral server."""


class EmbeddedServer:
    """The server process, or nothing to do when the user chose a server (``PREFECT_API_URL``)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.api_url = configured_api_url()

    def start(self) -> EmbeddedServer:
        if self.api_url:
            return self
        spec = find_spec("prefect")
        if spec is None or spec.origin is None:
            raise RuntimeError("prefect is not installed")
        port = _free_port()
        command = [
            sys.executable, "-m", "uvicorn", "--app-dir", str(Path(spec.origin).parent.parent),
            "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "error", "--lifespan", "on",
        ]
        self.process = subprocess.Popen(
            command, env={**os.environ, **SERVER_ENVIRONMENT}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.api_url = os.environ[API_URL_VARIABLE] = f"http://127.0.0.1:{port}/api"
        return self

    def wait_until_ready(self, timeout_s: float) -> None:
        """Return once the API answers its health check; ``RuntimeError`` if the server died or took too long."""
        if self.process is None:
            return
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace")[-2000:] if self.process.stderr else ""
                raise RuntimeError(f"Prefect's server exited with code {self.process.returncode}: {error}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"Prefect's server did not answer within {timeout_s:g} s")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        os.environ.pop(API_URL_VARIABLE, None)
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def configured_api_url() -> str:
    """The API the user chose, as Prefect would find it: ``PREFECT_API_URL``, else the active profile's (in
    ``$PREFECT_HOME/profiles.toml``); empty for none."""
    if os.environ.get(API_URL_VARIABLE):
        return os.environ[API_URL_VARIABLE]
    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    try:
        profiles = tomllib.loads((home / "profiles.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ""
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "")
    profile = profiles.get("profiles", {}).get(active, {})
    return str(profile.get(API_URL_VARIABLE, "")) if isinstance(profile, dict) else ""


def _free_port() -> int:
    """A port on the loopback interface that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
