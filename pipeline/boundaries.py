"""Reviewers' statement boundaries: split a statement, merge it with the next, add one the pipeline missed, move
its start or end.

Each change is an *action* row in ``OUT/reviews.sqlite`` (who, when, what: character spans in the document's
text), never applied to ``national.duckdb``: re-ingestion rewrites statements, so the actions are replayed on the
current dataset every time it is read (``edit_statements``), giving the views ``edited_statements`` and
``edited_quantities`` that the review queue, the exports and the analysts' tables all build on. An action carries
the text it was made on; when a re-run changed the file, the action follows that text to where it now is, and
when the text is gone (or the statements it changed are), the action is *orphaned*: kept, listed, not applied.
Undo marks an action undone; the statements it changed come back on the next read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from pipeline.errors import ReviewError
from pipeline.khmer import language_of
from pipeline.quantities import find_quantities, summarize, target_year
from pipeline.records import QuantityRecord, as_row
from pipeline.review import REVIEWS_DATABASE, User, _transaction, connect, latest_decisions, now
from pipeline.statement_ids import statement_id as pipeline_statement_id
from pipeline.vocabulary import StatementKind

if TYPE_CHECKING:
    from pipeline.segment import Statement

SCHEMA = """
CREATE TABLE IF NOT EXISTS boundary_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL CHECK (action IN ('split', 'merged', 'added', 'adjusted')),
    source_file TEXT NOT NULL,
    document_id TEXT NOT NULL,
    target_start INTEGER,
    target_end INTEGER,
    new_start INTEGER,
    new_end INTEGER,
    kind TEXT,
    reference_start INTEGER NOT NULL,
    reference_text TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    acted_at TEXT NOT NULL,
    undone_by TEXT,
    undone_at TEXT
);
CREATE INDEX IF NOT EXISTS boundary_actions_file ON boundary_actions (source_file, id);
"""
"""``target_*``: the statement acted on as the reviewer saw it (for a merge, the first's start to the second's end;
none for an add). ``new_*``: the span it gets (a split's point is ``new_start``). ``reference_*``: the document's text
over all those spans, to check and find them again after a re-run."""


@dataclass(frozen=True, slots=True)
class Action:
    id: int
    action: str
    source_file: str
    document_id: str
    target_start: int | None
    target_end: int | None
    new_start: int | None
    new_end: int | None
    kind: str | None
    reference_start: int
    reference_text: str
    reviewer: str
    acted_at: str
    undone_by: str | None
    undone_at: str | None

    @property
    def result_text(self) -> str:
        """What the action made, as text: a split's second part, a moved or added statement, the merged one."""
        start, end = self.new_start, self.new_end
        if self.action == "split":
            end = self.target_end
        elif self.action == "merged":
            start, end = self.target_start, self.target_end
        if start is None or end is None:
            return ""
        return self.reference_text[start - self.reference_start : end - self.reference_start]

    def shifted(self, delta: int) -> Action:
        """The same action on text that moved by ``delta`` characters."""

        def move(value: int | None) -> int | None:
            return None if value is None else value + delta

        return replace(
            self,
            target_start=move(self.target_start),
            target_end=move(self.target_end),
            new_start=move(self.new_start),
            new_end=move(self.new_end),
            reference_start=self.reference_start + delta,
        )


@dataclass(frozen=True, slots=True)
class Piece:
    """A statement as reviewers shaped it: a span of the document's text."""

    start: int
    end: int
    origin: str
    """The pipeline's statement this one is, or takes its context (section, page, block) from."""
    unchanged: bool = True
    """It is the pipeline's statement ``origin`` as extracted."""
    kind: str | None = None
    """The kind a reviewer gave it when adding it."""
    action_id: int | None = None
    reviewer: str | None = None


@dataclass(frozen=True, slots=True)
class Replay:
    pieces: list[Piece]
    orphaned: dict[int, str]
    """Action id → why it could not be applied."""


# --- recording ----------------------------------------------------------------------------------------------------


@contextmanager
def _connect(out_dir: Path) -> Iterator[sqlite3.Connection]:
    """The reviews database, with the boundary table."""
    with connect(out_dir) as con:
        con.executescript(SCHEMA)
        yield con


def actions(out_dir: Path, source_file: str | None = None, include_undone: bool = False) -> list[Action]:
    """The boundary actions in the order they were made (of one file, if given); none without a reviews database."""
    if not (out_dir / REVIEWS_DATABASE).is_file():
        return []
    with _connect(out_dir) as con:
        return _actions(con, source_file, include_undone)


def _actions(con: sqlite3.Connection, source_file: str | None, include_undone: bool) -> list[Action]:
    query = "SELECT * FROM boundary_actions WHERE (? IS NULL OR source_file = ?)"
    if not include_undone:
        query += " AND undone_at IS NULL"
    rows = con.execute(query + " ORDER BY id", [source_file, source_file]).fetchall()
    return [Action(**dict(row)) for row in rows]


def split(con: duckdb.DuckDBPyConnection, out_dir: Path, reviewer: User, statement_id: str, at: int) -> Action:
    """Split the statement in two at character ``at`` of its document."""
    row = _statement(con, statement_id)
    return _record(con, out_dir, reviewer, row, "split", (row["char_start"], row["char_end"]), (at, None))


def merge_with_next(con: duckdb.DuckDBPyConnection, out_dir: Path, reviewer: User, statement_id: str) -> Action:
    """Join the statement and the one after it in the same document into one."""
    row = _statement(con, statement_id)
    following = next_statement(con, row)
    if following is None:
        raise ReviewError("this is the last statement of its document: there is nothing to merge it with")
    return _record(con, out_dir, reviewer, row, "merged", (row["char_start"], following["char_end"]), (None, None))


def adjust(
    con: duckdb.DuckDBPyConnection, out_dir: Path, reviewer: User, statement_id: str, start: int, end: int
) -> Action:
    """Move the statement's start and end to ``start`` and ``end`` (characters of its document)."""
    row = _statement(con, statement_id)
    return _record(con, out_dir, reviewer, row, "adjusted", (row["char_start"], row["char_end"]), (start, end))


def add(
    con: duckdb.DuckDBPyConnection, out_dir: Path, reviewer: User, document_id: str, start: int, end: int, kind: str
) -> Action:
    """Make characters ``start`` to ``end`` of a current document a statement of ``kind``."""
    if kind not in tuple(StatementKind):
        raise ReviewError(f"the kind must be one of {', '.join(StatementKind)}")
    found = con.execute(
        "SELECT source_file FROM current_documents WHERE document_id = ? LIMIT 1", [document_id]
    ).fetchone()
    if found is None:
        raise ReviewError("this document is not in the current dataset")
    document = {"document_id": document_id, "source_file": found[0]}
    return _record(con, out_dir, reviewer, document, "added", (None, None), (start, end), kind)


def undo(out_dir: Path, reviewer: User, action_id: int) -> Action:
    """Take an action back (it stays in the audit list as undone); its statements return on the next read."""
    if not reviewer.can_decide:
        raise ReviewError(f"{reviewer.name} is an {reviewer.role} and cannot change statements")
    with _connect(out_dir) as con, _transaction(con):
        row = con.execute("SELECT * FROM boundary_actions WHERE id = ?", [action_id]).fetchone()
        if row is None:
            raise ReviewError(f"there is no boundary change number {action_id}")
        if row["undone_at"] is not None:
            raise ReviewError(f"{row['undone_by']} already undid this change at {row['undone_at']}")
        con.execute(
            "UPDATE boundary_actions SET undone_by = ?, undone_at = ? WHERE id = ?", [reviewer.name, now(), action_id]
        )
        return Action(**dict(con.execute("SELECT * FROM boundary_actions WHERE id = ?", [action_id]).fetchone()))


def _record(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    reviewer: User,
    statement: dict,
    action: str,
    target: tuple[int | None, int | None],
    new: tuple[int | None, int | None],
    kind: str | None = None,
) -> Action:
    """Check the action against the document as reviewers have shaped it so far, then store it."""
    if not reviewer.can_decide:
        raise ReviewError(f"{reviewer.name} is an {reviewer.role} and cannot change statements")
    target, new = _offsets(target), _offsets(new)  # numpy integers would be stored by SQLite as bytes
    text = document_text(con, statement["document_id"])
    if text is None:
        raise ReviewError("this document's text was stored by an older version: re-run the pipeline to edit it")
    offsets = [value for value in (*target, *new) if value is not None]
    if any(not 0 <= value <= len(text) for value in offsets):
        raise ReviewError("the span lies outside the document's text")
    reference_start, reference_end = min(offsets), max(offsets)
    with _connect(out_dir) as sqlite, _transaction(sqlite):
        cursor = sqlite.execute(
            "INSERT INTO boundary_actions (action, source_file, document_id, target_start, target_end, new_start, "
            "new_end, kind, reference_start, reference_text, reviewer, acted_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                action,
                statement["source_file"],
                statement["document_id"],
                *target,
                *new,
                kind,
                reference_start,
                text[reference_start:reference_end],
                reviewer.name,
                now(),
            ],
        )
        row = sqlite.execute("SELECT * FROM boundary_actions WHERE id = ?", [cursor.lastrowid]).fetchone()
        recorded = Action(**dict(row))
        pieces = _pieces(con, statement["document_id"], statement["source_file"])
        done = replay(text, pieces, _actions(sqlite, statement["source_file"], include_undone=False))
        if recorded.id in done.orphaned:  # rolled back: nothing is stored
            raise ReviewError(done.orphaned[recorded.id])
    return recorded


def _offsets(span: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    first, second = span
    return (None if first is None else int(first)), (None if second is None else int(second))


# --- replaying ----------------------------------------------------------------------------------------------------


def replay(text: str, pieces: Iterable[Piece], file_actions: Iterable[Action]) -> Replay:
    """Apply ``file_actions`` in order to the pipeline's statements of one document (``pieces``, over ``text``)."""
    shaped = sorted(pieces, key=lambda piece: (piece.start, piece.end))
    orphaned: dict[int, str] = {}
    for action in file_actions:
        located = _locate(action, text)
        if located is None:
            orphaned[action.id] = "the text it was made on is no longer in the report"
            continue
        try:
            shaped = _apply(text, shaped, located)
        except ReviewError as reason:
            orphaned[action.id] = str(reason)
    return Replay(shaped, orphaned)


def _locate(action: Action, text: str) -> Action | None:
    """The action where its text is now: in place, else at the occurrence nearest to where it was."""
    reference, start = action.reference_text, action.reference_start
    if text[start : start + len(reference)] == reference:
        return action
    found, position = [], text.find(reference)
    while position >= 0 and reference:
        found.append(position)
        position = text.find(reference, position + 1)
    if not found:
        return None
    return action.shifted(min(found, key=lambda candidate: abs(candidate - start)) - start)


def _made(action: Action, origin: str, start: int, end: int, kind: str | None) -> Piece:
    return Piece(start, end, origin, unchanged=False, kind=kind, action_id=action.id, reviewer=action.reviewer)


def _apply(text: str, pieces: list[Piece], action: Action) -> list[Piece]:
    if action.action == "added":
        start, end = _trimmed(text, action.new_start, action.new_end)
        _refuse_overlap(pieces, start, end)
        before = [piece for piece in pieces if piece.end <= start]
        nearest = before[-1] if before else (pieces[0] if pieces else None)
        if nearest is None:
            raise ReviewError("the document has no statement to take the section and page from")
        return sorted(pieces + [_made(action, nearest.origin, start, end, action.kind)], key=_order)
    index = _find(pieces, action.target_start, None if action.action == "merged" else action.target_end)
    piece = pieces[index]
    if action.action == "split":
        at = action.new_start
        if at is None or not piece.start < at < piece.end:
            raise ReviewError("the split point must lie inside the statement")
        first, second = _trimmed(text, piece.start, at), _trimmed(text, at, piece.end)
        parts = [_made(action, piece.origin, a, b, piece.kind) for a, b in (first, second)]
        return pieces[:index] + parts + pieces[index + 1 :]
    if action.action == "merged":
        if index + 1 >= len(pieces) or pieces[index + 1].end != action.target_end:
            raise ReviewError("the statement it was merged with is no longer the next one")
        merged = _made(action, piece.origin, piece.start, pieces[index + 1].end, piece.kind)
        return pieces[:index] + [merged] + pieces[index + 2 :]
    start, end = _trimmed(text, action.new_start, action.new_end)
    others = pieces[:index] + pieces[index + 1 :]
    _refuse_overlap(others, start, end)
    return sorted(others + [_made(action, piece.origin, start, end, piece.kind)], key=_order)


def _order(piece: Piece) -> tuple[int, int]:
    return piece.start, piece.end


def _find(pieces: list[Piece], start: int | None, end: int | None) -> int:
    for index, piece in enumerate(pieces):
        if piece.start == start and (end is None or piece.end == end):
            return index
    raise ReviewError("the statement it changed is no longer in the report as it was")


def _trimmed(text: str, start: int | None, end: int | None) -> tuple[int, int]:
    """The span without the white space at either end; refused when nothing is left."""
    if start is None or end is None or not 0 <= start < end <= len(text):
        raise ReviewError("a statement needs a start before its end, inside the document's text")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ReviewError("a statement cannot be only white space")
    return start, end


def _refuse_overlap(pieces: list[Piece], start: int, end: int) -> None:
    for piece in pieces:
        if piece.start < end and start < piece.end:
            raise ReviewError("the span overlaps another statement: adjust or split that one instead")


def reshape(text: str, statements: list[Statement], file_actions: list[Action]) -> list[tuple[Statement, str | None]]:
    """A document's segmented statements as reviewers shaped them (orphaned actions left out), each with the kind a
    reviewer gave it when adding it: the training examples of ``workreview train --reviews``."""
    if not file_actions:
        return [(statement, None) for statement in statements]
    pieces = [Piece(s.char_start, s.char_end, str(index)) for index, s in enumerate(statements)]
    shaped = []
    for piece in replay(text, pieces, file_actions).pieces:
        origin = statements[int(piece.origin)]
        if not piece.unchanged:
            origin = replace(
                origin,
                text=text[piece.start : piece.end],
                char_start=piece.start,
                char_end=piece.end,
                position=round(piece.start / max(len(text), 1), 4),
            )
        shaped.append((origin, piece.kind))
    return shaped


def training_edits(out_dir: Path) -> dict[str, list[Action]]:
    """The boundary actions in force, by file name (the name the gold uses for a document)."""
    edits: dict[str, list[Action]] = {}
    for action in actions(out_dir):
        edits.setdefault(Path(action.source_file).name, []).append(action)
    return edits


# --- the dataset side -------------------------------------------------------------------------------------------

TEXTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS document_texts (
    document_id VARCHAR PRIMARY KEY,
    text VARCHAR NOT NULL
);
"""
"""The full text of each document read (statements' ``char_start``/``char_end`` index it), kept so that reviewers'
spans can be sliced again."""


def document_text(con: duckdb.DuckDBPyConnection, document_id: str) -> str | None:
    try:
        row = con.execute("SELECT text FROM document_texts WHERE document_id = ?", [document_id]).fetchone()
    except duckdb.CatalogException:  # a database written before texts were kept
        return None
    return row[0] if row else None


def _statement(con: duckdb.DuckDBPyConnection, statement_id: str) -> dict:
    rows = _dicts(con, "SELECT * FROM edited_statements WHERE statement_id = ?", [statement_id])
    if not rows:
        raise ReviewError("this statement is no longer in the dataset")
    return rows[0]


def next_statement(con: duckdb.DuckDBPyConnection, statement: dict) -> dict | None:
    """The statement after ``statement`` in its document, as reviewers have shaped them."""
    rows = _dicts(
        con,
        "SELECT * FROM edited_statements WHERE document_id = ? AND source_file = ? AND char_start >= ? "
        "AND statement_id <> ? ORDER BY char_start, char_end LIMIT 1",
        [statement["document_id"], statement["source_file"], statement["char_end"], statement["statement_id"]],
    )
    return rows[0] if rows else None


def _pieces(con: duckdb.DuckDBPyConnection, document_id: str, source_file: str) -> list[Piece]:
    rows = con.execute(
        "SELECT statement_id, char_start, char_end FROM current_statements WHERE document_id = ? AND source_file = ?",
        [document_id, source_file],
    ).fetchall()
    return [Piece(start, end, sid) for sid, start, end in rows]


def _dicts(con: duckdb.DuckDBPyConnection, query: str, parameters: list) -> list[dict]:
    cursor = con.execute(query, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    query = (
        "SELECT count(*) FROM duckdb_views() WHERE view_name = ? "
        "UNION ALL SELECT count(*) FROM duckdb_tables() WHERE table_name = ?"
    )
    return any(count for (count,) in con.execute(query, [name, name]).fetchall())


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one action on the current dataset."""

    action: Action
    orphaned: str | None
    """Why it is not applied; ``None`` when it is."""


def edit_statements(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Outcome]:
    """Create the temporary views ``edited_statements`` (the current statements as reviewers shaped them, with
    ``edited_by``) and ``edited_quantities``; returns each action in force with whether it applied."""
    quantities_base = "current_quantities" if _exists(con, "current_quantities") else "quantities"
    in_force = actions(out_dir)
    decisions = latest_decisions(out_dir) if in_force else {}
    decided_kinds = {statement_id: decision.new_values["kind"] for statement_id, decision in decisions.items()}
    by_file: dict[str, list[Action]] = {}
    for action in in_force:
        by_file.setdefault(action.source_file, []).append(action)
    removed: list[dict] = []
    new_statements: list[dict] = []
    new_quantities: list[dict] = []
    outcomes: list[Outcome] = []
    for source_file, file_actions in by_file.items():
        result = _edit_document(con, source_file, file_actions)
        if result is None:
            reason = "its report is no longer in the current dataset, or was stored without its text"
            outcomes += [Outcome(action, reason) for action in file_actions]
            continue
        replayed, document_id, rows = result
        outcomes += [Outcome(action, replayed.orphaned.get(action.id)) for action in file_actions]
        document = _document_of(con, document_id, source_file)
        statements, quantities = _edited_rows(replayed.pieces, rows, document, decided_kinds)
        kept = {piece.origin for piece in replayed.pieces if piece.unchanged}
        removed += [{"document_id": document_id, "statement_id": sid} for sid in rows if sid not in kept]
        new_statements += statements
        new_quantities += quantities
    if not removed and not new_statements:  # nothing reshaped: the plain views keep every query as fast as before
        con.execute(
            "CREATE OR REPLACE TEMP VIEW edited_statements AS "
            "SELECT *, NULL::VARCHAR AS edited_by FROM current_statements"
        )
        con.execute(f"CREATE OR REPLACE TEMP VIEW edited_quantities AS SELECT * FROM {quantities_base}")
        return outcomes
    con.execute(
        "CREATE OR REPLACE TEMP TABLE boundary_removed AS SELECT document_id, statement_id FROM current_statements "
        "LIMIT 0"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE boundary_statements AS SELECT *, NULL::VARCHAR AS edited_by "
                "FROM current_statements LIMIT 0")
    con.execute(f"CREATE OR REPLACE TEMP TABLE boundary_quantities AS SELECT * FROM {quantities_base} LIMIT 0")
    for table, frame_rows in (
        ("boundary_removed", removed),
        ("boundary_statements", new_statements),
        ("boundary_quantities", new_quantities),
    ):
        if frame_rows:
            columns = [name for (name, *_) in con.execute(f"DESCRIBE {table}").fetchall()]
            frame = pd.DataFrame(frame_rows)[[c for c in columns if c in frame_rows[0]]]
            con.register("boundary_frame", frame)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM boundary_frame")
            con.unregister("boundary_frame")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW edited_statements AS "
        "SELECT s.*, NULL::VARCHAR AS edited_by FROM current_statements s "
        "ANTI JOIN boundary_removed r USING (document_id, statement_id) "
        "UNION ALL BY NAME SELECT * FROM boundary_statements"
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW edited_quantities AS "
        f"SELECT q.* FROM {quantities_base} q ANTI JOIN boundary_removed r USING (document_id, statement_id) "
        "UNION ALL BY NAME SELECT * FROM boundary_quantities"
    )
    return outcomes


def _edit_document(
    con: duckdb.DuckDBPyConnection, source_file: str, file_actions: list[Action]
) -> tuple[Replay, str, dict[str, dict]] | None:
    """Replay one file's actions on its current version: the result, its document id and its pipeline statements."""
    found = con.execute(
        "SELECT document_id FROM current_documents WHERE source_file = ? AND status = 'ok'", [source_file]
    ).fetchone()
    text = document_text(con, found[0]) if found else None
    if found is None or text is None:
        return None
    document_id = found[0]
    rows = {
        row["statement_id"]: row
        for row in _dicts(
            con,
            "SELECT * FROM current_statements WHERE document_id = ? AND source_file = ?",
            [document_id, source_file],
        )
    }
    pieces = [Piece(row["char_start"], row["char_end"], sid) for sid, row in rows.items()]
    return replay(text, pieces, file_actions), document_id, rows


def _document_of(con: duckdb.DuckDBPyConnection, document_id: str, source_file: str) -> dict:
    text = document_text(con, document_id) or ""
    (language,) = con.execute(
        "SELECT language FROM current_documents WHERE document_id = ? AND source_file = ?", [document_id, source_file]
    ).fetchone() or (None,)
    return {"text": text, "language": language}


def _edited_rows(
    pieces: list[Piece], rows: dict[str, dict], document: dict, decided_kinds: dict[str, str]
) -> tuple[list[dict], list[dict]]:
    """Rows of ``statements`` and ``quantities`` for the pieces reviewers made; each takes its context (province,
    section, page…) from the pipeline's statement it came from, its text and quantities from its own span, and its
    kind from the reviewer who added it, else from the decision on the statement it came from, else from that."""
    taken = {sid for sid in rows if any(piece.unchanged and piece.origin == sid for piece in pieces)}
    occurrences: dict[str, int] = {}
    statements, quantities = [], []
    for piece in pieces:
        if piece.unchanged:
            continue
        origin = rows[piece.origin]
        text = document["text"][piece.start : piece.end]
        kind = piece.kind or decided_kinds.get(piece.origin) or origin["kind"]
        sid = _new_id(origin["source_file"], text, taken, occurrences)
        taken.add(sid)
        found = find_quantities(text, kind)
        goal_year = target_year(text, origin["report_year"], (origin["section"] or "",)) if kind == "goal" else None
        statements.append(
            {
                **origin,
                "statement_id": sid,
                "text": text,
                "kind": kind,
                "char_start": piece.start,
                "char_end": piece.end,
                "target_year": goal_year,
                "quantities": summarize(found) or None,
                "confidence": 1.0,
                **{f"score_{name}": float(name == kind) for name in StatementKind},
                "flagged": False,
                "flag_reasons": "",
                "language": language_of(text, default=document["language"] or origin["language"] or "en"),
                "edited_by": piece.reviewer,
            }
        )
        quantities += [
            as_row(QuantityRecord.of(q, sid, origin["document_id"], origin["source_file"], piece.start))
            for q in found
        ]
    return statements, quantities


def _new_id(source_file: str, text: str, taken: set[str], occurrences: dict[str, int]) -> str:
    """An id from the file and the text (as the pipeline's are), so the same edit on the same text keeps its id
    across re-runs; the occurrence number tells apart equal texts of one file."""
    while True:
        occurrence = occurrences.get(text, 0)
        occurrences[text] = occurrence + 1
        candidate = pipeline_statement_id(source_file, text, occurrence)
        if candidate not in taken:
            return candidate
