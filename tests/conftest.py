"""Shared fixtures: one embedded Prefect server for the whole session, paths to the corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_REPORTS = REPO / "sample_reports"
REAL_WORLD_CORPORA = REPO / "tests" / "corpora"
"""Other projects' PDFs and Word files, copied in with their licences (see its README)."""
# Debian's Chromium for the browser tests (Playwright's own browser download cannot work offline).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """Prefect's embedded server costs seconds to start: start it once, only for the tests that run flows."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def analyst_dataset(tmp_path_factory) -> Path:
    """The sample corpus read once for the summary, query and API tests (see ``analyst_fixtures``). Read it only:
    a test that writes (users, decisions) works on a copy."""
    from analyst_fixtures import build_analyst_dataset

    return build_analyst_dataset(SAMPLE_REPORTS, tmp_path_factory.mktemp("analyst") / "data")
