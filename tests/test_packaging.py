"""The package works wherever it is installed: a wheel carries its model, templates and spaCy entry points."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, SAMPLE_REPORTS

pytestmark = pytest.mark.slow

LOCAL_ONLY = {".venv", ".git", "data", ".prefect", "build", "__pycache__"}
"""What a checkout may hold besides its sources (at its top: ``data`` is also a package folder deeper down)."""


def sources_only(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == REPO
    return {name for name in names if name == "__pycache__" or name.endswith(".egg-info") or top and name in LOCAL_ONLY}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv outside the checkout with the wheel built from the checkout installed in it.

    Dependencies come from the test's own environment (a ``.pth`` line), so nothing is downloaded; workreview itself
    comes only from the wheel: the checkout is neither on the path nor the working directory."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(REPO, source, ignore=sources_only)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(work), str(source)],
        check=True, capture_output=True, cwd=work,
    )
    (wheel,) = work.glob("workreview-*.whl")
    env_dir = work / "env"
    venv.create(env_dir, with_pip=False)
    site_packages = Path(
        sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    )
    dependencies = Path(sysconfig.get_path("purelib"))
    (site_packages / "dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site_packages), str(wheel)],
        check=True, capture_output=True, cwd=work,
    )
    return env_dir


def in_env(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    python = env_dir / "bin" / "python"
    return subprocess.run(
        [str(python), *args], capture_output=True, text=True, cwd=cwd, timeout=300,
        env={
            "PATH": "/usr/bin:/bin", "HOME": str(cwd), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
        },
    )


def test_the_installed_wheel_runs_with_the_trained_model_and_loads_it_in_spacy(installed: Path, tmp_path: Path):
    where = in_env(installed, "-c", "import pipeline, workreview; print(pipeline.__file__)", cwd=tmp_path)
    assert where.returncode == 0 and str(installed) in where.stdout, where.stderr

    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("KampongSiem_District_Report_2020.txt", "kampong-thom-work-review-2020.md"):
        shutil.copy(SAMPLE_REPORTS / name, reports / name)
    run = in_env(installed, "-m", "workreview.cli", "run", str(reports), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    statements = pd.read_csv(tmp_path / "out" / "statements.csv")
    assert len(statements) > 10
    assert statements["model_version"].str.startswith("workreview_statements-").all()

    # spaCy finds the custom components through the entry points, in an interpreter that never imported workreview.
    load = in_env(
        installed, "-c",
        "import sys, spacy, workreview.models as m, importlib.resources as r; "
        "assert 'pipeline' not in sys.modules; "
        "print(spacy.load(str(r.files(m) / 'statement_classifier')).pipe_names)",
        cwd=tmp_path,
    )
    assert load.returncode == 0 and "textcat" in load.stdout, load.stderr


def test_the_review_app_serves_its_templates_and_static_files_from_the_wheel(installed: Path, tmp_path: Path):
    check = in_env(
        installed, "-c",
        "from fastapi.testclient import TestClient; from workreview.web.app import create_app; "
        f"client = TestClient(create_app(__import__('pathlib').Path({str(tmp_path)!r}))); "
        "print(client.get('/login').status_code, client.get('/static/review.css').status_code)",
        cwd=tmp_path,
    )
    assert check.returncode == 0 and check.stdout.split() == ["200", "200"], check.stderr
