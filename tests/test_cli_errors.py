"""Ordinary user mistakes end in one line on stderr with a documented exit code: no traceback, no stray file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_REPORTS
from typer.testing import CliRunner

from workreview.cli import app


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(SAMPLE_REPORTS / "dangkao-2020-summary.txt", reports)
    (tmp_path / "a-file.txt").write_text("not a folder", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "national.duckdb").touch()  # a dataset that the dataset checks accept as present
    return tmp_path


def mistakes(root: Path) -> list[tuple[list[str], int, str]]:
    """``(arguments, exit code, words the message must hold)`` for each mistake."""
    return [
        (["run", str(root / "no-such-folder")], 2, "does not exist"),
        (["run", str(root / "a-file.txt")], 2, "is not a folder"),
        (["run", str(root / "reports"), "--ouut", "x"], 2, "No such option: --ouut"),
        (["run", str(root / "reports"), "--out", str(root / "a-file.txt")], 2, "is a file"),
        (["run", str(root / "reports"), "--workers", "0"], 2, "--workers"),
        (["export", "--out", str(root / "out"), "--to", str(root / "reports")], 2, "is a folder"),
        (["export", "--out", str(root / "out"), "--kind", "gaols"], 2, "unknown kind 'gaols': did you mean goal?"),
        (["query", "SELECT 1", "--out", str(root / "nothing-here")], 4, "no dataset"),
        (["users", "add", "rita", "--role", "reviewer", "--out", str(root / "no-such-out")], 2, "does not exist"),
        (["users", "add", "rita", "--role", "chief", "--out", str(root / "out")], 2, "role"),
        (["evaluate", "--gold", str(root / "reports"), "--pred", str(root / "out")], 2, ""),
        (["train", str(root / "no-such-corpus")], 2, "not found"),
    ]


def test_each_mistake_gives_one_line_on_stderr_its_exit_code_and_no_stray_file(folder: Path):
    before = sorted(path.relative_to(folder) for path in folder.rglob("*"))
    runner = CliRunner()
    for arguments, code, words in mistakes(folder):
        result = runner.invoke(app, arguments, input="a-long-password\n")
        assert result.exit_code == code, (arguments, result.stdout, result.stderr, result.exception)
        assert isinstance(result.exception, SystemExit), (arguments, result.exception)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("workreview: ") and words in lines[0], (arguments, lines)
        assert "Traceback" not in result.output
    assert sorted(path.relative_to(folder) for path in folder.rglob("*")) == before
