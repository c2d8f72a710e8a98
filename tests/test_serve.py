"""``workreview serve``'s parts: the local-server helper and the scheduled deployment.

A real ``prefect server start`` takes ~30 s on a 2-core machine, so the start/stop logic runs against a tiny
stand-in server, the health wait against the session harness's real Prefect API, and the deployment is
registered on the harness. The full command was checked by hand (see README, "Scheduled runs").
"""

import socket
import sys
import time
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from flows.serve import (
    build_deployment,
    local_prefect_server,
    prefect_api,
    server_command,
    server_environment,
    wait_until_healthy,
)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

STAND_IN_SERVER = """
import http.server, sys
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path == "/api/health"
        self.send_response(200 if ok else 404)
        self.end_headers()
        self.wfile.write(b"true" if ok else b"")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_local_server_is_started_on_loopback_awaited_and_stopped(tmp_path: Path):
    ports = []

    def stand_in(port: int) -> list[str]:
        ports.append(port)
        return [sys.executable, "-c", STAND_IN_SERVER, str(port)]

    with local_prefect_server(tmp_path / "home", startup_timeout_s=20, command=stand_in) as api_url:
        assert api_url == f"http://127.0.0.1:{ports[0]}/api"
        assert port_open(ports[0])
    assert not port_open(ports[0])


def test_the_real_server_command_binds_loopback_and_keeps_its_state_in_prefect_home(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://elsewhere:4200/api")
    command = server_command(4321)
    assert command[-6:] == ["server", "start", "--host", "127.0.0.1", "--port", "4321"]
    env = server_environment(tmp_path)
    assert "PREFECT_API_URL" not in env
    assert env["PREFECT_HOME"] == str(tmp_path) and env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def test_health_wait_returns_for_a_live_api_and_fails_clearly_otherwise(tmp_path: Path):
    wait_until_healthy(PREFECT_API_URL.value(), timeout_s=10)
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="did not answer within 1 s"):
        wait_until_healthy("http://127.0.0.1:9/api", timeout_s=1)
    assert time.monotonic() - started < 5
    with pytest.raises(RuntimeError, match="exited with code 3"):
        with local_prefect_server(tmp_path, command=lambda port: [sys.executable, "-c", "raise SystemExit(3)"]):
            pass


def test_a_configured_api_is_used_as_is():
    with prefect_api(Path("/nonexistent"), on_start=pytest.fail) as api_url:
        assert api_url == PREFECT_API_URL.value()


def test_the_deployment_carries_the_cron_schedule_and_parameters(tmp_path: Path):
    parameters = {"reports_dir": str(tmp_path / "inbox"), "out_dir": str(tmp_path / "out"), "workers": 2}
    deployment = build_deployment("nightly-test", "0 2 * * *", "Asia/Phnom_Penh", parameters)
    deployment_id = deployment.apply()
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment_id)
    assert stored.entrypoint == "flows.ingest.ingest_reports"
    assert stored.parameters == parameters
    [schedule] = stored.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "Asia/Phnom_Penh")
