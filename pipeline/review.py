"""Reviewers' accounts and decisions: the audit trail in ``OUT/reviews.sqlite`` and how decisions reach the export.

Decisions live apart from ``national.duckdb`` so that re-ingestion, which rewrites statements, can never touch
them: they are keyed by the stable ``statement_id`` and applied at export time. Every decision is a new row;
nothing is updated in place except the marker that a row was undone.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipeline.errors import ReviewError, StaleDecision
from pipeline.quantity_roles import ROLES as QUANTITY_ROLE_NAMES
from pipeline.vocabulary import REPORTED_KINDS, USER_ROLES, StatementKind

REVIEWS_DATABASE = "reviews.sqlite"
SECRET_FILE = ".secret"
ROLES = USER_ROLES
DECIDING_ROLES = ("reviewer", "admin")
EDITABLE_FIELDS = ("kind", "sector", "province_code", "province", "text")
QUANTITY_ROLES = "quantity_roles"
"""A decision's roles of the statement's quantities: ``{"<offset of the quantity in the statement>": role}``."""
CLAIM_MINUTES = 10
MIN_PASSWORD_LENGTH = 8

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('reviewer', 'analyst', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id TEXT NOT NULL,
    source_file TEXT NOT NULL,
    statement_text TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accepted', 'corrected', 'rejected', 'undo')),
    old_values TEXT NOT NULL,
    new_values TEXT NOT NULL,
    note TEXT,
    undoes INTEGER REFERENCES reviews (id),
    undone_by INTEGER REFERENCES reviews (id)
);
CREATE INDEX IF NOT EXISTS reviews_statement ON reviews (statement_id, id);
CREATE TABLE IF NOT EXISTS claims (
    statement_id TEXT PRIMARY KEY,
    reviewer TEXT NOT NULL,
    claimed_at TEXT NOT NULL
);
"""

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str

    @property
    def can_decide(self) -> bool:
        return self.role in DECIDING_ROLES


@dataclass(frozen=True, slots=True)
class Decision:
    """The effective (latest, not undone) decision on one statement."""

    id: int
    statement_id: str
    source_file: str
    statement_text: str
    """The statement as extracted (its identity), whatever the reviewer changed."""
    reviewer: str
    decided_at: str
    status: str
    old_values: dict
    new_values: dict
    note: str | None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def connect(out_dir: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection (WAL: readers never wait for the one writer); commits on success.

    The file holds password hashes, so it is created readable by its owner only (0600); SQLite gives its ``-wal``
    and ``-shm`` files the same mode, and a file an older version left readable to others is tightened.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / REVIEWS_DATABASE
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except FileNotFoundError:
            pass
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.row_factory = sqlite3.Row
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA foreign_keys=ON")
        con.executescript(SCHEMA)
        if "session_generation" not in {row["name"] for row in con.execute("PRAGMA table_info(users)")}:
            con.execute("ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0")
        yield con
    finally:
        con.close()


@contextmanager
def _transaction(con: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE``: the version check and the insert happen under one write lock."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def session_secret(out_dir: Path) -> str:
    """The key that signs session cookies, created once per dataset and readable only by its owner."""
    path = out_dir / SECRET_FILE
    if not path.exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{SECRET_FILE}.{secrets.token_hex(4)}.tmp")
        tmp.write_text(secrets.token_urlsafe(48), encoding="ascii")
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text(encoding="ascii").strip()


# --- accounts ---------------------------------------------------------------------------------------------------


def save_user(out_dir: Path, name: str, role: str, password: str) -> bool:
    """Create the user, or reset an existing user's role and password; ``True`` if the user is new."""
    name = name.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise ReviewError("a user name must be 1 to 64 printable characters")
    if role not in ROLES:
        raise ReviewError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ReviewError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    with connect(out_dir) as con:
        existed = con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone() is not None
        con.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, "
            "session_generation = session_generation + 1",  # a new password ends every session of the old one
            [name, role, _hasher.hash(password), now()],
        )
        con.execute("DELETE FROM claims WHERE reviewer = ?", [name])  # their sessions ended: so did their reviewing
    return not existed


def authenticate(out_dir: Path, name: str, password: str) -> User | None:
    """The user if the password matches its stored argon2 hash."""
    with connect(out_dir) as con:
        row = con.execute("SELECT name, role, password_hash FROM users WHERE name = ?", [name]).fetchone()
        if row is None:
            _hasher.hash(password)  # same cost whether or not the name exists
            return None
        try:
            _hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        if _hasher.check_needs_rehash(row["password_hash"]):
            con.execute("UPDATE users SET password_hash = ? WHERE name = ?", [_hasher.hash(password), name])
    return User(row["name"], row["role"])


def get_user(out_dir: Path, name: str) -> User | None:
    with connect(out_dir) as con:
        row = con.execute("SELECT name, role FROM users WHERE name = ?", [name]).fetchone()
    return User(row["name"], row["role"]) if row else None


def session_generation(out_dir: Path, name: str) -> int | None:
    """The user's current session generation: a session started under another one is over (``None``: no user)."""
    with connect(out_dir) as con:
        row = con.execute("SELECT session_generation FROM users WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def session_user(out_dir: Path, name: str, generation: object) -> User | None:
    """The user a session cookie names, if that session has not been ended since (sign-out, new password)."""
    with connect(out_dir) as con:
        row = con.execute("SELECT name, role, session_generation FROM users WHERE name = ?", [name]).fetchone()
    if row is None or row["session_generation"] != generation:
        return None
    return User(row["name"], row["role"])


def end_sessions(out_dir: Path, name: str) -> None:
    """End every session of ``name`` (signing out ends them on every browser, not only this one) and release the
    item they held: nobody is reviewing it any more."""
    with connect(out_dir) as con, _transaction(con):
        con.execute("UPDATE users SET session_generation = session_generation + 1 WHERE name = ?", [name])
        con.execute("DELETE FROM claims WHERE reviewer = ?", [name])


def list_users(out_dir: Path) -> list[User]:
    with connect(out_dir) as con:
        return [User(r["name"], r["role"]) for r in con.execute("SELECT name, role FROM users ORDER BY name")]


def set_role(out_dir: Path, name: str, role: str) -> None:
    if role not in ROLES:
        raise ReviewError(f"unknown role {role!r}")
    with connect(out_dir) as con:
        if con.execute("UPDATE users SET role = ? WHERE name = ?", [role, name]).rowcount == 0:
            raise ReviewError(f"no user named {name!r}")


def delete_user(out_dir: Path, name: str) -> None:
    """Remove an account; its decisions stay in the audit trail under its name."""
    with connect(out_dir) as con:
        con.execute("DELETE FROM users WHERE name = ?", [name])
        con.execute("DELETE FROM claims WHERE reviewer = ?", [name])


# --- decisions --------------------------------------------------------------------------------------------------


def review_status(model_values: dict, new_values: dict) -> str:
    """``rejected`` for "not a statement", ``corrected`` if anything differs from the pipeline's output (a quantity's
    role included)."""
    if new_values["kind"] == "other":
        return "rejected"
    changed = any(new_values.get(name) != model_values.get(name) for name in EDITABLE_FIELDS)
    model_roles = model_values.get(QUANTITY_ROLES) or {}
    new_roles = new_values.get(QUANTITY_ROLES) or {}
    changed_roles = any(model_roles.get(offset) != role for offset, role in new_roles.items())
    return "corrected" if changed or changed_roles else "accepted"


def current_version(con: sqlite3.Connection, statement_id: str) -> int:
    """The id of the statement's newest audit row (0 if never reviewed): what a decision form must be based on."""
    row = con.execute("SELECT max(id) FROM reviews WHERE statement_id = ?", [statement_id]).fetchone()
    return row[0] or 0


def review_version(out_dir: Path, statement_id: str) -> int:
    with connect(out_dir) as con:
        return current_version(con, statement_id)


def decide(
    out_dir: Path,
    *,
    reviewer: User,
    statement: dict,
    new_values: dict,
    base_version: int,
    note: str | None = None,
) -> Decision:
    """Record a reviewer's decision on ``statement`` (a row of the dataset: its id, file, text and model values).

    Refused with ``StaleDecision`` when the statement's audit trail moved on since the reviewer loaded it
    (``base_version``), so a second reviewer never silently overwrites the first.
    """
    if not reviewer.can_decide:
        raise ReviewError(f"{reviewer.name} is an {reviewer.role} and cannot decide")
    values = _clean_values(new_values)
    statement_id = statement["statement_id"]
    with connect(out_dir) as con, _transaction(con):
        version = current_version(con, statement_id)
        if version != base_version:
            latest = con.execute("SELECT reviewer, decided_at, action FROM reviews WHERE id = ?", [version]).fetchone()
            if latest is None:  # the form claims a version this statement never had
                raise StaleDecision("the form is out of date; nothing was saved. Reload the statement.")
            raise StaleDecision(
                f"{latest['reviewer']} recorded '{latest['action']}' on this statement at {latest['decided_at']}, "
                "after you opened it; nothing was saved. Reload to see their decision."
            )
        previous = _effective(con, statement_id)
        old_values = previous.new_values if previous else {name: statement.get(name) for name in EDITABLE_FIELDS}
        if not previous and statement.get(QUANTITY_ROLES):
            old_values[QUANTITY_ROLES] = statement[QUANTITY_ROLES]
        decision_id = _insert(
            con,
            statement_id=statement_id,
            source_file=statement["source_file"],
            statement_text=statement["text"],
            reviewer=reviewer.name,
            action=review_status(statement, values),
            old_values=old_values,
            new_values=values,
            note=(note or "").strip() or None,
        )
        con.execute("DELETE FROM claims WHERE statement_id = ?", [statement_id])
        return _decision(con.execute("SELECT * FROM reviews WHERE id = ?", [decision_id]).fetchone())


def undo_last(out_dir: Path, reviewer: User) -> Decision | None:
    """Undo the reviewer's most recent decision still in force; the one it replaced applies again.

    Returns the undone decision (``None`` when there is nothing to undo). Refused with ``StaleDecision`` when
    someone else decided on that statement since.
    """
    with connect(out_dir) as con, _transaction(con):
        target = con.execute(
            "SELECT * FROM reviews WHERE reviewer = ? AND action <> 'undo' AND undone_by IS NULL "
            "ORDER BY id DESC LIMIT 1",
            [reviewer.name],
        ).fetchone()
        if target is None:
            return None
        if current_version(con, target["statement_id"]) != target["id"]:
            raise StaleDecision(
                "someone decided on that statement after you; their decision stands, nothing was undone"
            )
        restored = _effective(con, target["statement_id"], before=target["id"])
        undo_id = _insert(
            con,
            statement_id=target["statement_id"],
            source_file=target["source_file"],
            statement_text=target["statement_text"],
            reviewer=reviewer.name,
            action="undo",
            old_values=json.loads(target["new_values"]),
            new_values=restored.new_values if restored else json.loads(target["old_values"]),
            note=f"undoes decision {target['id']}",
            undoes=target["id"],
        )
        con.execute("UPDATE reviews SET undone_by = ? WHERE id = ?", [undo_id, target["id"]])
        return _decision(target)


def latest_decisions(out_dir: Path) -> dict[str, Decision]:
    """The decision in force for every reviewed statement: its newest decision that was not undone."""
    with connect(out_dir) as con:
        rows = con.execute(
            "SELECT * FROM reviews WHERE id IN ("
            " SELECT max(id) FROM reviews WHERE action <> 'undo' AND undone_by IS NULL GROUP BY statement_id)"
        ).fetchall()
    return {row["statement_id"]: _decision(row) for row in rows}


def audit_trail(out_dir: Path, statement_id: str) -> list[dict]:
    """Every row about one statement, newest first, as shown under the item."""
    with connect(out_dir) as con:
        rows = con.execute("SELECT * FROM reviews WHERE statement_id = ? ORDER BY id DESC", [statement_id]).fetchall()
    return [
        {**dict(row), "old_values": json.loads(row["old_values"]), "new_values": json.loads(row["new_values"])}
        for row in rows
    ]


def _clean_values(values: dict) -> dict:
    """The editable fields only, blanks as ``None`` and the text's whitespace collapsed."""
    if values.get("kind") not in tuple(StatementKind):
        raise ReviewError(f"the kind must be one of {', '.join(StatementKind)}")
    cleaned: dict[str, object] = {name: str(values.get(name) or "").strip() or None for name in EDITABLE_FIELDS}
    cleaned["text"] = " ".join(str(values.get("text") or "").split())
    if not cleaned["text"]:
        raise ReviewError("the statement's text cannot be empty")
    roles = values.get(QUANTITY_ROLES) or {}
    if not isinstance(roles, dict):
        raise ReviewError("quantity roles must map a quantity's offset to a role")
    for offset, role in roles.items():
        if not str(offset).isdigit():
            raise ReviewError(f"unknown quantity at offset {offset!r}")
        if role not in QUANTITY_ROLE_NAMES:
            raise ReviewError(f"a quantity's role must be one of {', '.join(QUANTITY_ROLE_NAMES)}")
    if roles:
        ordered = sorted(roles.items(), key=lambda item: int(item[0]))
        cleaned[QUANTITY_ROLES] = {str(int(offset)): role for offset, role in ordered}
    return cleaned


def _effective(con: sqlite3.Connection, statement_id: str, before: int | None = None) -> Decision | None:
    """The statement's decision in force (considering only rows older than ``before``, if given)."""
    row = con.execute(
        "SELECT * FROM reviews WHERE statement_id = ? AND action <> 'undo' AND undone_by IS NULL AND id < ? "
        "ORDER BY id DESC LIMIT 1",
        [statement_id, before if before is not None else 1 << 62],
    ).fetchone()
    return _decision(row) if row else None


def _insert(con: sqlite3.Connection, *, old_values: dict, new_values: dict, undoes: int | None = None, **row) -> int:
    cursor = con.execute(
        "INSERT INTO reviews (statement_id, source_file, statement_text, reviewer, decided_at, action, "
        "old_values, new_values, note, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            row["statement_id"],
            row["source_file"],
            row["statement_text"],
            row["reviewer"],
            now(),
            row["action"],
            json.dumps(old_values, ensure_ascii=False, sort_keys=True),
            json.dumps(new_values, ensure_ascii=False, sort_keys=True),
            row["note"],
            undoes,
        ],
    )
    if cursor.lastrowid is None:  # SQLite sets it after every INSERT
        raise RuntimeError("SQLite returned no row id for the review just recorded")
    return cursor.lastrowid


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(
        id=row["id"],
        statement_id=row["statement_id"],
        source_file=row["source_file"],
        statement_text=row["statement_text"],
        reviewer=row["reviewer"],
        decided_at=row["decided_at"],
        status=row["action"],
        old_values=json.loads(row["old_values"]),
        new_values=json.loads(row["new_values"]),
        note=row["note"],
    )


# --- claims: one reviewer per item ------------------------------------------------------------------------------


def claim(out_dir: Path, statement_id: str, reviewer: User) -> str | None:
    """Hold ``statement_id`` for ``reviewer`` (dropping their previous claim) unless another reviewer holds it.

    Returns the other reviewer's name when the item is taken. A claim is released when its reviewer decides on
    the item, opens another one or the queue, or signs out, and lapses after ``CLAIM_MINUTES`` without any of
    these (each view of the item renews it).
    """
    with connect(out_dir) as con, _transaction(con):
        con.execute("DELETE FROM claims WHERE claimed_at < ?", [_claim_cutoff()])
        holder = con.execute("SELECT reviewer FROM claims WHERE statement_id = ?", [statement_id]).fetchone()
        if holder and holder["reviewer"] != reviewer.name:
            return holder["reviewer"]
        con.execute("DELETE FROM claims WHERE reviewer = ?", [reviewer.name])
        con.execute(
            "INSERT INTO claims (statement_id, reviewer, claimed_at) VALUES (?, ?, ?)",
            [statement_id, reviewer.name, now()],
        )
    return None


def release_claim(out_dir: Path, reviewer: User) -> None:
    """Drop whatever ``reviewer`` holds: they went back to the queue, so they are reviewing nothing."""
    with connect(out_dir) as con:
        con.execute("DELETE FROM claims WHERE reviewer = ?", [reviewer.name])


def active_claims(out_dir: Path) -> dict[str, str]:
    """``statement_id -> reviewer`` of the claims that have not lapsed."""
    with connect(out_dir) as con:
        rows = con.execute(
            "SELECT statement_id, reviewer FROM claims WHERE claimed_at >= ?", [_claim_cutoff()]
        ).fetchall()
    return {row["statement_id"]: row["reviewer"] for row in rows}


def _claim_cutoff() -> str:
    """Claims taken before this moment have lapsed."""
    return (datetime.now(UTC) - timedelta(minutes=CLAIM_MINUTES)).isoformat(timespec="seconds")


# --- the dataset side: export, orphans, training ----------------------------------------------------------------

DECISION_COLUMNS = {
    "statement_id": "string",
    "kind": "string",
    "text": "string",
    "sector": "string",
    "province_code": "string",
    "province": "string",
    "review_status": "string",
    "reviewed_by": "string",
}


def _decisions_if_any(out_dir: Path) -> dict[str, Decision]:
    """``latest_decisions`` without creating ``reviews.sqlite`` in a dataset nobody reviewed yet."""
    return latest_decisions(out_dir) if (out_dir / REVIEWS_DATABASE).is_file() else {}


def decisions_frame(out_dir: Path) -> pd.DataFrame:
    """The decisions in force as a table (one row per statement), typed even when empty."""
    rows = [
        {
            "statement_id": decision.statement_id,
            **{name: decision.new_values.get(name) for name in EDITABLE_FIELDS},
            "review_status": decision.status,
            "reviewed_by": decision.reviewer,
        }
        for decision in _decisions_if_any(out_dir).values()
    ]
    return pd.DataFrame(rows, columns=list(DECISION_COLUMNS)).astype(DECISION_COLUMNS)


def quantity_roles_frame(out_dir: Path) -> pd.DataFrame:
    """The quantity roles reviewers set, one row per quantity: ``statement_id``, ``offset`` (where the quantity
    starts in its statement's text as extracted) and ``role``."""
    rows = [
        {"statement_id": decision.statement_id, "offset": int(offset), "role": role}
        for decision in _decisions_if_any(out_dir).values()
        for offset, role in (decision.new_values.get(QUANTITY_ROLES) or {}).items()
    ]
    return pd.DataFrame(rows, columns=["statement_id", "offset", "role"]).astype(
        {"statement_id": "string", "offset": "int64", "role": "string"}
    )


def apply_reviews(con: duckdb.DuckDBPyConnection, out_dir: Path) -> str:
    """Create the temporary views of the current statements with the decisions applied, and return the name of the
    one that holds them all (``all_reviewed_statements``). They build on ``edited_statements``, the statements as
    reviewers shaped their boundaries, which ``pipeline.boundaries.edit_statements`` creates first.

    A reviewed statement takes the reviewer's kind, text, sector and province and carries ``review_status``
    and ``reviewed_by``; everything else is ``unreviewed``. ``reviewed_statements`` holds the achievements,
    challenges and goals (the rows of ``statements.parquet``), ``other_statements`` the rest (a rejected statement
    is ``other``). The roles reviewers gave quantities are in ``reviewed_quantity_roles`` (see
    ``quantity_roles_frame``), which ``ROLE_OVERRIDE`` joins.
    """
    con.register("reviewed_quantity_roles", quantity_roles_frame(out_dir))
    con.register("review_decisions", decisions_frame(out_dir))
    overridden = ", ".join(
        f"CASE WHEN r.statement_id IS NULL THEN s.{name} ELSE r.{name} END AS {name}" for name in EDITABLE_FIELDS
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW all_reviewed_statements AS "
        f"SELECT s.* EXCLUDE (edited_by) REPLACE ({overridden}), "
        "coalesce(r.review_status, CASE WHEN s.edited_by IS NULL THEN 'unreviewed' ELSE 'corrected' END) "
        "AS review_status, coalesce(r.reviewed_by, s.edited_by) AS reviewed_by "
        "FROM edited_statements s LEFT JOIN review_decisions r USING (statement_id)"
    )
    reported = ", ".join(f"'{kind}'" for kind in REPORTED_KINDS)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW reviewed_statements AS "
        f"SELECT * FROM all_reviewed_statements WHERE kind IN ({reported})"
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW other_statements AS "
        f"SELECT * FROM all_reviewed_statements WHERE kind NOT IN ({reported})"
    )
    return "all_reviewed_statements"


ROLE_OVERRIDE = (
    "LEFT JOIN reviewed_quantity_roles r "
    "ON r.statement_id = q.statement_id AND r.offset = q.char_start - {statement}.char_start"
)
"""Join a quantity ``q`` to the role a reviewer gave it, given the alias of its statement (as extracted); the
quantity's role is then ``coalesce(r.role, q.role)``."""


def orphaned_decisions(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Decision]:
    """Decisions in force whose statement is no longer in the current dataset (its text changed or went away).

    A statement a reviewer split or merged is not orphaned: its report still has it. The connection needs
    ``edited_statements`` (``pipeline.boundaries.edit_statements``) for the statements reviewers made.

    They are kept, never deleted: the text may come back, and the audit trail must stay whole.
    """
    decisions = _decisions_if_any(out_dir)
    if not decisions:
        return []
    con.register("decided_ids", pd.DataFrame({"statement_id": list(decisions)}, dtype="string"))
    query = (
        "SELECT statement_id FROM decided_ids WHERE statement_id IN "
        "(SELECT statement_id FROM current_statements UNION ALL SELECT statement_id FROM edited_statements)"
    )
    present = {statement_id for (statement_id,) in con.execute(query).fetchall()}
    con.unregister("decided_ids")
    orphaned = [decision for statement_id, decision in decisions.items() if statement_id not in present]
    return sorted(orphaned, key=lambda decision: (decision.source_file, decision.id))


def reviewed_examples(out_dir: Path) -> list[dict]:
    """Reviewers' labels as training examples: the statement as extracted, labelled with the decided kind."""
    return [
        {"source_file": d.source_file, "text": d.statement_text, "label": d.new_values["kind"]}
        for d in sorted(_decisions_if_any(out_dir).values(), key=lambda d: d.id)
    ]
