"""Recognise a run that has nothing to do, before anything heavy starts (Prefect, spaCy, the readers).

A full run that ends with every file read (no failure to retry) leaves ``OUT/.inbox-state.json``: a
*fingerprint* of what its outputs depend on — every candidate file's path, size, modification and change times
(``ctime`` cannot be set back by copying tools, so rewritten bytes always show), the statement model's files, the
reviewers' database, the export options, the workreview version and the dataset's columns (a new column needs a
full run to add it to the database) — and the outputs it wrote. The next run
computes the same fingerprint from ``stat`` calls alone (no file is read or hashed); if it matches and the outputs
are all there, the run only adds its row to ``runs`` (every file skipped) and exits. Anything else — a touched
file, a new model, a reviewer's decision, a missing export — takes the full path, which then skips unchanged files
by content hash as before.

This module imports only the standard library and DuckDB, so the check costs a Python start-up and a directory
walk.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path

from pipeline import inbox, runlock, runs
from pipeline.errors import RunLocked
from pipeline.records import DocumentRecord, QuantityRecord, StatementRecord

STATE_FILE = ".inbox-state.json"
MODEL_ENV = "WORKREVIEW_MODEL"
KHMER_MODEL_ENV = "WORKREVIEW_MODEL_KM"
REVIEWS_DATABASE = "reviews.sqlite"


@dataclass(frozen=True, slots=True)
class UnchangedRun:
    run_id: str
    files: int
    outputs: dict[str, str]


def fingerprint(reports_dir: Path, out_dir: Path, include_other: bool) -> str:
    """A digest of everything a run's outputs depend on, from the file system's metadata alone."""
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        digest.update(json.dumps(parts, default=str).encode())
        digest.update(b"\n")

    add("options", str(reports_dir.resolve()), include_other, _workreview_version())
    records = (DocumentRecord, StatementRecord, QuantityRecord)
    stored_tables = ["document_texts"]  # a dataset from before a table existed needs a full run to fill it
    add("schema", [field.name for record in records for field in fields(record)], stored_tables)
    for path, relative, unreadable in inbox.listed(reports_dir):
        add("file", relative, unreadable, *_stat(path))
    model = os.environ.get(MODEL_ENV, "")
    khmer_model = os.environ.get(KHMER_MODEL_ENV, "")
    add("model", model, khmer_model)
    rules = model == "rules"
    model_dirs = [  # the English model, then the Khmer one (``pipeline.nlp.model_choice``)
        None if rules else Path(model) if model else _shipped_model_dir("statement_classifier"),
        None if rules else Path(khmer_model) if khmer_model else _shipped_model_dir("statement_classifier_km"),
    ]
    for model_dir in model_dirs:
        if model_dir is not None and model_dir.is_dir():
            for path in sorted(model_dir.rglob("*")):
                if path.is_file():
                    add("model file", model_dir.name, path.relative_to(model_dir).as_posix(), *_stat(path))
    for path in sorted(out_dir.glob(REVIEWS_DATABASE + "*")):  # the database and its journal
        add("reviews", path.name, *_stat(path))
    return digest.hexdigest()


def remember(out_dir: Path, before: str, after: str, outputs: dict[str, str]) -> None:
    """After a full run with nothing left to retry: keep its fingerprint, if nothing changed while it ran
    (``before`` and ``after`` are the fingerprints at its start and end)."""
    state = out_dir / STATE_FILE
    if before != after:
        state.unlink(missing_ok=True)
        return
    temporary = state.with_name(state.name + ".tmp")
    temporary.write_text(json.dumps({"fingerprint": before, "outputs": outputs}), encoding="utf-8")
    temporary.replace(state)


def forget(out_dir: Path) -> None:
    """The next run must take the full path (this one left something to retry, or was cut short)."""
    (out_dir / STATE_FILE).unlink(missing_ok=True)


def record_if_unchanged(reports_dir: Path, out_dir: Path, include_other: bool) -> UnchangedRun | None:
    """If nothing changed since the last complete run, add this run to ``runs`` (all files skipped) and return it;
    otherwise ``None``, and the caller runs in full. A run already writing to ``out_dir`` also means ``None``:
    the full path reports it (or waits for it)."""
    state = _state(out_dir)
    if state is None or not all(Path(path).is_file() for path in state["outputs"].values()):
        return None
    try:
        with runlock.hold(out_dir):
            if fingerprint(reports_dir, out_dir, include_other) != state["fingerprint"]:
                return None
            files = sum(1 for _ in inbox.listed(reports_dir))
            run_id = str(uuid.uuid4())
            counts = runs.RunCounts(documents_seen=files, documents_skipped=files)
            con = runs.open_database(out_dir / runs.DATABASE_NAME)
            try:
                runs.start_run(con, run_id, str(reports_dir.resolve()))
                runs.finish_run(con, run_id, counts)
            finally:
                con.close()
    except RunLocked:
        return None
    return UnchangedRun(run_id, files, state["outputs"])


def _state(out_dir: Path) -> dict | None:
    try:
        state = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("outputs"), dict) or "fingerprint" not in state:
        return None
    return state


def _stat(path: Path) -> tuple[int, int, int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1, -1, -1)
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def _workreview_version() -> str:
    try:
        return metadata.version("workreview")
    except metadata.PackageNotFoundError:
        return "unknown"


def _shipped_model_dir(name: str) -> Path | None:
    """Where ``pipeline.nlp`` finds the shipped model ``name``, without importing spaCy to ask it."""
    from importlib.util import find_spec

    spec = find_spec("workreview.models")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) / name if locations else None
