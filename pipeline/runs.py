"""The run record: one ``runs`` row per ingestion run in the national database.

The row is written when a run starts (``finished_at`` empty) and completed when it ends, so a run that was
killed stays visible as one that never finished.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.vocabulary import REPORTED_KINDS, DocumentStatus

if TYPE_CHECKING:
    from pipeline.process import DocumentResult

DATABASE_NAME = "national.duckdb"

RUNS_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    reports_dir VARCHAR,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    documents_seen INTEGER,
    documents_new INTEGER,
    documents_changed INTEGER,
    documents_skipped INTEGER,
    documents_failed INTEGER,
    documents_withdrawn INTEGER,
    statements_added INTEGER,
    statements_flagged INTEGER
)
"""


@dataclass
class RunCounts:
    """What one run did. ``changed`` counts files already known under their path (new bytes, a new model, or an
    earlier failure retried); statements are achievements, challenges and goals of the documents it read."""

    documents_seen: int = 0
    documents_new: int = 0
    documents_changed: int = 0
    documents_skipped: int = 0
    documents_failed: int = 0
    documents_withdrawn: int = 0
    statements_added: int = 0
    statements_flagged: int = 0

    def add(self, result: DocumentResult) -> None:
        if result.document.status != DocumentStatus.OK:
            self.documents_failed += 1
            return
        statements = [s for s in result.statements if s.kind in REPORTED_KINDS]
        self.statements_added += len(statements)
        self.statements_flagged += sum(s.flagged for s in statements)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, reports_dir: str) -> None:
    con.execute(RUNS_SCHEMA)
    con.execute(
        "INSERT INTO runs (run_id, reports_dir, started_at) VALUES (?, ?, ?)", [run_id, reports_dir, _utc_now()]
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, counts: RunCounts) -> None:
    values = asdict(counts)
    assignments = ", ".join(f"{column} = ?" for column in values)
    con.execute(
        f"UPDATE runs SET finished_at = ?, {assignments} WHERE run_id = ?", [_utc_now(), *values.values(), run_id]
    )


def open_database(path: Path, read_only: bool = False, lock_timeout_s: float = 10.0) -> duckdb.DuckDBPyConnection:
    """Open the national database, waiting up to ``lock_timeout_s`` while another process (a run, the review app)
    has it open: DuckDB allows one writing process at a time."""
    deadline = time.monotonic() + lock_timeout_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
