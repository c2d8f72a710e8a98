"""Reviewers' boundary changes (``pipeline.boundaries``): split, merge with the next, move start/end, add a statement
the pipeline missed from the report's text, and the audit list with undo."""

from __future__ import annotations

import re
from typing import Annotated

import duckdb
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi import Path as PathParameter
from fastapi.responses import RedirectResponse, Response

from pipeline import boundaries
from pipeline.review import DECIDING_ROLES, ReviewError, User
from pipeline.vocabulary import StatementKind
from workreview.web import queue as q
from workreview.web.auth import require_csrf, require_role, require_user
from workreview.web.rendering import render

router = APIRouter()
deciders = require_role(*DECIDING_ROLES)
WORD = re.compile(r"\S+")
REACH = 400
"""Characters before and after a statement its start and end can be moved into (never past a neighbour)."""
DOCUMENT_ID = re.compile(r"[0-9a-f]{64}")


def boundary_context(con: duckdb.DuckDBPyConnection, item: dict) -> dict:
    """What the item page's boundary forms offer: split points, the next statement, the starts and ends it can move
    to. Empty when the document's text was not kept (a dataset from an older version)."""
    text = boundaries.document_text(con, item["document_id"])
    if text is None:
        return {"boundaries": None}
    start, end = item["char_start"], item["char_end"]
    neighbours = con.execute(
        "SELECT max(char_end) FILTER (WHERE char_end <= ?), min(char_start) FILTER (WHERE char_start >= ?) "
        "FROM edited_statements WHERE document_id = ? AND source_file = ? AND statement_id <> ?",
        [start, end, item["document_id"], item["source_file"], item["statement_id"]],
    ).fetchone() or (None, None)
    previous_end, next_start = neighbours
    low = max(previous_end or 0, start - REACH)
    high = min(len(text) if next_start is None else next_start, end + REACH)
    words = [(match.start(), match.end(), match.group()) for match in WORD.finditer(text, low, high)]
    inside = [word for word in words if start <= word[0] and word[1] <= end]
    return {
        "boundaries": {
            "split_points": [
                (word_start, f"before word {number}: …{_tail(text, start, word_start)} | {word} …")
                for number, (word_start, _, word) in enumerate(inside[1:], start=2)
            ],
            "starts": [(s, f"{'…' if s > low else ''}{text[s:min(e + 40, end)]}…") for s, e, _ in words if s < end],
            "ends": [(e, f"…{text[max(s - 40, start):e]}") for s, e, _ in words if e > start],
            "next": boundaries.next_statement(con, item),
            "source": f"/document/{item['document_id']}/source#s-{item['statement_id']}",
        }
    }


def _tail(text: str, start: int, end: int, words: int = 3) -> str:
    return " ".join(text[start:end].split()[-words:])


def _back(statement_id: str, view: str) -> str:
    return f"/item/{statement_id}" + (f"?{view}" if view else "")


def _act(request: Request, statement_id: str, view: str, change) -> Response:
    """Run one change on a fresh connection; on success show the statement it made, else the reason."""
    out_dir = request.app.state.out_dir
    with q.open_dataset(out_dir) as con:
        try:
            action = change(con)
        except ReviewError as error:
            request.session["flash"] = f"Nothing was changed: {error}"
            gone = q.statement(con, statement_id) is None  # e.g. split a moment ago in another tab
            return RedirectResponse("/boundaries" if gone else _back(statement_id, view), status_code=303)
        boundaries.edit_statements(con, out_dir)
        made = _statement_at(con, action)
    request.session["flash"] = f"{_describe(action)} Undo it from the boundary changes list."
    return RedirectResponse(_back(made or statement_id, view), status_code=303)


def _statement_at(con: duckdb.DuckDBPyConnection, action: boundaries.Action) -> str | None:
    """The statement the action made (the first, for a split)."""
    start = action.new_start if action.action in ("added", "adjusted") else action.target_start
    row = con.execute(
        "SELECT statement_id FROM edited_statements WHERE document_id = ? AND char_start >= ? "
        "ORDER BY char_start LIMIT 1",
        [action.document_id, start],
    ).fetchone()
    return row[0] if row else None


def _describe(action: boundaries.Action) -> str:
    return {
        "split": "Split the statement in two.",
        "merged": "Merged the statement with the next one.",
        "added": f"Added a {action.kind} statement.",
        "adjusted": "Moved the statement's start and end.",
    }[action.action]


@router.post("/item/{statement_id}/split", dependencies=[Depends(require_csrf)])
def split_item(
    request: Request,
    statement_id: str,
    at: Annotated[int, Form(ge=0, le=2**31)],
    view: Annotated[str, Form()] = "",
    user: User = Depends(deciders),
) -> Response:
    out_dir = request.app.state.out_dir
    return _act(request, statement_id, view, lambda con: boundaries.split(con, out_dir, user, statement_id, at))


@router.post("/item/{statement_id}/merge", dependencies=[Depends(require_csrf)])
def merge_item(
    request: Request, statement_id: str, view: Annotated[str, Form()] = "", user: User = Depends(deciders)
) -> Response:
    out_dir = request.app.state.out_dir
    return _act(request, statement_id, view, lambda con: boundaries.merge_with_next(con, out_dir, user, statement_id))


@router.post("/item/{statement_id}/adjust", dependencies=[Depends(require_csrf)])
def adjust_item(
    request: Request,
    statement_id: str,
    start: Annotated[int, Form(ge=0, le=2**31)],
    end: Annotated[int, Form(ge=0, le=2**31)],
    view: Annotated[str, Form()] = "",
    user: User = Depends(deciders),
) -> Response:
    out_dir = request.app.state.out_dir
    return _act(
        request, statement_id, view, lambda con: boundaries.adjust(con, out_dir, user, statement_id, start, end)
    )


@router.get("/document/{document_id}/source")
def document_source(
    request: Request, document_id: Annotated[str, PathParameter(pattern=DOCUMENT_ID.pattern)],
    user: User = Depends(require_user),
) -> Response:
    """The report's whole text with its statements marked, where a reviewer selects a missed statement."""
    with q.open_dataset(request.app.state.out_dir) as con:
        text = boundaries.document_text(con, document_id)
        document = con.execute(
            "SELECT source_file, title FROM current_documents WHERE document_id = ?", [document_id]
        ).fetchone()
        if text is None or document is None:
            raise HTTPException(404, "This report's text is not in the current dataset (re-run it to keep its text).")
        statements = con.execute(
            "SELECT statement_id, kind, char_start, char_end FROM edited_statements WHERE document_id = ? "
            "ORDER BY char_start",
            [document_id],
        ).fetchall()
    parts, position = [], 0
    for statement_id, kind, start, end in statements:
        if start < position:  # overlapping spans cannot be marked twice
            continue
        if start > position:
            parts.append({"start": position, "text": text[position:start], "statement_id": None})
        parts.append({"start": start, "text": text[start:end], "statement_id": statement_id, "kind": kind})
        position = end
    if position < len(text):
        parts.append({"start": position, "text": text[position:], "statement_id": None})
    context = {
        "document_id": document_id,
        "source_file": document[0],
        "title": document[1],
        "parts": parts,
        "kinds": list(StatementKind),
        "length": len(text),
        "flash": request.session.pop("flash", None),
    }
    return render(request, "document_source.html", context)


@router.post("/document/{document_id}/add", dependencies=[Depends(require_csrf)])
def add_statement(
    request: Request,
    document_id: Annotated[str, PathParameter(pattern=DOCUMENT_ID.pattern)],
    start: Annotated[int, Form(ge=0, le=2**31)],
    end: Annotated[int, Form(ge=0, le=2**31)],
    kind: Annotated[str, Form()],
    user: User = Depends(deciders),
) -> Response:
    out_dir = request.app.state.out_dir
    with q.open_dataset(out_dir) as con:
        try:
            action = boundaries.add(con, out_dir, user, document_id, start, end, kind)
        except ReviewError as error:
            request.session["flash"] = f"Nothing was added: {error}"
            return RedirectResponse(f"/document/{document_id}/source", status_code=303)
        boundaries.edit_statements(con, out_dir)
        made = _statement_at(con, action)
    request.session["flash"] = f"{_describe(action)} Undo it from the boundary changes list."
    return RedirectResponse(f"/item/{made}" if made else f"/document/{document_id}/source", status_code=303)


@router.get("/boundaries")
def boundaries_page(request: Request, user: User = Depends(require_user)) -> Response:
    """Every boundary change, newest first: who, when, what, and whether it applies to the current dataset."""
    out_dir = request.app.state.out_dir
    with q.open_dataset(out_dir) as con:
        outcomes = {outcome.action.id: outcome.orphaned for outcome in boundaries.edit_statements(con, out_dir)}
    rows = [
        {"action": action, "orphaned": outcomes.get(action.id), "undone": action.undone_at is not None}
        for action in reversed(boundaries.actions(out_dir, include_undone=True))
    ]
    context = {
        "rows": rows,
        "orphaned": sum(1 for row in rows if row["orphaned"] and not row["undone"]),
        "flash": request.session.pop("flash", None),
    }
    return render(request, "boundaries.html", context)


@router.post("/boundaries/{action_id}/undo", dependencies=[Depends(require_csrf)])
def undo_boundary(
    request: Request, action_id: Annotated[int, PathParameter(ge=1, le=2**62)], user: User = Depends(deciders)
) -> Response:
    try:
        action = boundaries.undo(request.app.state.out_dir, user, action_id)
    except ReviewError as error:
        request.session["flash"] = f"Nothing was undone: {error}"
    else:
        request.session["flash"] = f"Undid change {action.id} ({action.action} by {action.reviewer})."
    return RedirectResponse("/boundaries", status_code=303)
