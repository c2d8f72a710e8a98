"""The reviewers' pages: the queue, one item with its decision form, undo, source page images, orphans."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi import Path as PathParameter
from fastapi.responses import FileResponse, RedirectResponse, Response

from pipeline.flags import FLAG_REASONS
from pipeline.gazetteer import province_by_code, provinces
from pipeline.process import normalized_text
from pipeline.review import (
    DECIDING_ROLES,
    QUANTITY_ROLE_NAMES,
    QUANTITY_ROLES,
    ReviewError,
    StaleDecision,
    User,
    active_claims,
    audit_trail,
    claim,
    decide,
    latest_decisions,
    orphaned_decisions,
    release_claim,
    review_version,
    undo_last,
)
from pipeline.sectors import SECTORS
from pipeline.vocabulary import StatementKind
from workreview.web import queue as q
from workreview.web.auth import require_csrf, require_role, require_user
from workreview.web.boundary_pages import boundary_context
from workreview.web.page_images import PageImage, box_percentages, page_image
from workreview.web.rendering import render

router = APIRouter()
deciders = require_role(*DECIDING_ROLES)
STATUSES = ("pending", "decided", "all")
KIND_KEYS = {"1": "achievement", "2": "challenge", "3": "goal", "4": "other"}
DOCUMENT_ID = re.compile(r"[0-9a-f]{64}")
MAX_PAGE_NUMBER = 1_000_000


def filters_from_query(
    province: str = "",
    kind: str = "",
    sector: str = "",
    reason: str = "",
    status: str = "pending",
    search: Annotated[str, Query(max_length=200)] = "",
) -> q.QueueFilters:
    return q.QueueFilters(province, kind, sector, reason, status if status in STATUSES else "pending", search.strip())


def filters_from_view(view: str) -> q.QueueFilters:
    """The queue filters a form carried back in its hidden ``view`` field (a query string)."""
    known = {name: value for name, value in parse_qsl(view) if name in q.QueueFilters.__slots__}
    return filters_from_query(**known)


def _flash(request: Request, message: str) -> None:
    request.session["flash"] = message


def _link(path: str, filters: q.QueueFilters, **extra: str) -> str:
    query = urlencode({**filters.query(), **extra})
    return f"{path}?{query}" if query else path


@router.get("/")
def queue_page(
    request: Request,
    filters: q.QueueFilters = Depends(filters_from_query),
    page: Annotated[int, Query(ge=1, le=MAX_PAGE_NUMBER)] = 1,
    user: User = Depends(require_user),
) -> Response:
    """One page of the queue. A reviewer back on the queue is reviewing nothing: their claim is released."""
    out_dir = request.app.state.out_dir
    if user.can_decide:
        release_claim(out_dir, user)
    with q.open_dataset(out_dir) as con:
        statements = q.flagged_statements(con)
        matches = q.search_matches(con, filters.search)
        orphaned = len(orphaned_decisions(con, out_dir))
    queue = q.build_queue(statements, latest_decisions(out_dir), active_claims(out_dir), filters, matches)
    context = {
        "queue": queue,
        "page": q.paginate(queue.items, page),
        "filters": filters,
        "view": urlencode(filters.query()),
        "statuses": STATUSES,
        "reasons": FLAG_REASONS,
        "orphaned": orphaned,
        "flash": request.session.pop("flash", None),
        "unresolved": q.UNRESOLVED,
    }
    return render(request, "queue.html", context)


@router.get("/next")
def next_item(
    request: Request,
    after: str = "",
    filters: q.QueueFilters = Depends(filters_from_query),
    user: User = Depends(require_user),
) -> Response:
    """The next undecided item nobody else holds, after ``after`` in review order, wrapping round once."""
    out_dir = request.app.state.out_dir
    with q.open_dataset(out_dir) as con:
        statements = q.flagged_statements(con)
        matches = q.search_matches(con, filters.search)
    claims = active_claims(out_dir)
    pending = q.build_queue(statements, latest_decisions(out_dir), claims, filters, matches).items
    free = [
        item for item in pending if not item["decision"] and claims.get(item["statement_id"], user.name) == user.name
    ]
    previous = next((s for s in statements if s["statement_id"] == after), None)
    if previous is not None:
        key = q.order_key(previous)
        free = [item for item in free if q.order_key(item) > key] + [item for item in free if q.order_key(item) <= key]
    free = [item for item in free if item["statement_id"] != after]
    if not free:
        _flash(request, "Nothing left to review with these filters.")
        return RedirectResponse(_link("/", filters), status_code=303)
    return RedirectResponse(_link(f"/item/{free[0]['statement_id']}", filters), status_code=303)


@router.get("/item/{statement_id}")
def item_page(
    request: Request,
    statement_id: str,
    filters: q.QueueFilters = Depends(filters_from_query),
    user: User = Depends(require_user),
) -> Response:
    return render(request, "item.html", _item_context(request, user, statement_id, filters))


@router.post("/item/{statement_id}/decide", dependencies=[Depends(require_csrf)])
def decide_item(
    request: Request,
    statement_id: str,
    base_version: Annotated[int, Form(ge=0, le=2**62)],
    choice: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    text: Annotated[str, Form()],
    sector: Annotated[str, Form()] = "",
    province_code: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    view: Annotated[str, Form()] = "",
    quantity_role: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies form defaults
    user: User = Depends(deciders),
) -> Response:
    """One decision; on success straight on to the next item. 409 when someone decided first.

    ``quantity_role`` holds one ``offset:role`` per quantity of the statement (the role select of each)."""
    out_dir = request.app.state.out_dir
    filters = filters_from_view(view)
    with q.open_dataset(out_dir) as con:
        statement = q.statement(con, statement_id)
        if statement is None:
            raise HTTPException(404, "This statement is no longer in the dataset (its report was re-ingested).")
        surroundings = " ".join(part["text"] for block in q.context_blocks(con, statement) for part in block["parts"])
        found = q.quantities(con, statement)
    statement[QUANTITY_ROLES] = {str(row["offset"]): row["role"] for row in found if row["role"]}
    province = province_by_code(province_code) if province_code else None
    new_values: dict[str, object] = {
        "kind": choice if choice in tuple(StatementKind) else kind,
        "text": text,
        "sector": sector,
        "province_code": province.code if province else None,
        "province": province.name if province else None,
    }
    try:
        new_values[QUANTITY_ROLES] = _quantity_roles(quantity_role, {str(row["offset"]) for row in found})
        if province_code and province is None:
            raise ReviewError(f"unknown province code {province_code!r}")
        if sector and sector not in SECTORS and sector != statement["sector"]:
            raise ReviewError(f"unknown sector {sector!r}")
        if normalized_text(text) not in normalized_text(surroundings):
            raise ReviewError("the corrected text must be words of the report around the statement")
        decision = decide(
            out_dir, reviewer=user, statement=statement, new_values=new_values, base_version=base_version, note=note
        )
    except ReviewError as error:
        status = 409 if isinstance(error, StaleDecision) else 400
        typed = {
            **new_values,
            "province_code": province_code,
            QUANTITY_ROLES: dict(field.partition(":")[::2] for field in quantity_role),
        }
        context = _item_context(request, user, statement_id, filters, error=str(error), typed=typed, note=note)
        return render(request, "item.html", context, status_code=status)
    _flash(request, f"Saved: {decision.status} ({decision.new_values['kind']}). Press u to undo.")
    return RedirectResponse(_link("/next", filters, after=statement_id), status_code=303)


def _quantity_roles(fields: list[str], offsets: set[str]) -> dict[str, str]:
    """``["12:output", "40:part"]`` → ``{"12": "output", "40": "part"}``, refusing quantities the statement lacks."""
    roles = {}
    for field in fields:
        offset, _, role = field.partition(":")
        if offset not in offsets:
            raise ReviewError("a role was given for a quantity this statement does not have")
        roles[offset] = role
    return roles


@router.post("/undo", dependencies=[Depends(require_csrf)])
def undo(request: Request, view: Annotated[str, Form()] = "", user: User = Depends(deciders)) -> Response:
    """Undo the reviewer's last decision still in force and show that item again."""
    filters = filters_from_view(view)
    try:
        undone = undo_last(request.app.state.out_dir, user)
    except StaleDecision as error:
        raise HTTPException(409, str(error)) from None
    if undone is None:
        _flash(request, "You have no decision to undo.")
        return RedirectResponse(_link("/", filters), status_code=303)
    _flash(request, f"Undid your decision '{undone.status}' of {undone.decided_at}.")
    return RedirectResponse(_link(f"/item/{undone.statement_id}", filters), status_code=303)


@router.get("/page-image/{document_id}/{page}.png")
def page_png(
    request: Request,
    document_id: str,
    page: Annotated[int, PathParameter(ge=1, le=100_000)],
    user: User = Depends(require_user),
) -> Response:
    image = _page_image(request.app.state.out_dir, document_id, page)
    if image is None:
        raise HTTPException(404, "This page cannot be shown: the source file is missing or has changed.")
    return FileResponse(image.path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/orphans")
def orphans_page(request: Request, user: User = Depends(require_user)) -> Response:
    out_dir = request.app.state.out_dir
    with q.open_dataset(out_dir) as con:
        orphaned = orphaned_decisions(con, out_dir)
    return render(request, "orphans.html", {"orphaned": orphaned})


def _item_context(
    request: Request,
    user: User,
    statement_id: str,
    filters: q.QueueFilters,
    error: str | None = None,
    typed: dict | None = None,
    note: str = "",
) -> dict:
    """What the item page shows; after a refused decision, ``typed`` and ``note`` are what the reviewer had entered,
    shown again in the form so that nothing they typed is lost."""
    out_dir: Path = request.app.state.out_dir
    with q.open_dataset(out_dir) as con:
        item = q.statement(con, statement_id)
        if item is None:
            raise HTTPException(404, "This statement is no longer in the dataset (its report was re-ingested).")
        blocks = q.context_blocks(con, item)
        found = q.quantities(con, item)
        statements = q.flagged_statements(con)
        matches = q.search_matches(con, filters.search)
        known_sectors = q.sectors(con)
        shaping = boundary_context(con, item)
    decisions = latest_decisions(out_dir)
    claims = active_claims(out_dir)
    queue = q.build_queue(statements, decisions, claims, filters, matches)
    previous, following = q.neighbours(queue.items, item)
    held_by = claim(out_dir, statement_id, user) if user.can_decide else None
    decision = decisions.get(statement_id)
    values = typed or (
        decision.new_values if decision else {name: item[name] for name in ("kind", "text", "sector", "province_code")}
    )
    decided_roles = values.get(QUANTITY_ROLES) or {}
    for row in found:
        row["decided_role"] = decided_roles.get(str(row["offset"]), row["role"])
    image = box = None
    if item["format"] == "pdf" and item["page"]:
        image = _page_image(out_dir, item["document_id"], item["page"])
        if image and item["x0"] is not None:
            box = box_percentages(image, item["x0"], item["top"], item["x1"], item["bottom"])
    return {
        "item": item,
        "blocks": blocks,
        "values": values,
        "decision": decision,
        "version": review_version(out_dir, statement_id),
        "trail": audit_trail(out_dir, statement_id),
        "held_by": held_by,
        "previous": _link(f"/item/{previous['statement_id']}", filters) if previous else None,
        "following": _link(f"/item/{following['statement_id']}", filters) if following else None,
        "queue_link": _link("/", filters, **q.page_of(queue.items, item)),
        "view": urlencode(filters.query()),
        "scores": {kind: item[f"score_{kind}"] for kind in StatementKind},
        "quantities": found,
        "quantity_roles": QUANTITY_ROLE_NAMES,
        "reasons": [(r, FLAG_REASONS.get(r, r)) for r in (item["flag_reasons"] or "").split(";") if r],
        "kind_keys": KIND_KEYS,
        "provinces": provinces(),
        "sectors": sorted(set(SECTORS) | set(known_sectors) | ({values["sector"]} - {None})),
        "image": image,
        "box": box,
        "error": error,
        "note": note,
        "left": queue.pending,
        "in_view": queue.pending + queue.decided,
        "flash": request.session.pop("flash", None),
        **shaping,
    }


def _page_image(out_dir: Path, document_id: str, page: int) -> PageImage | None:
    if not DOCUMENT_ID.fullmatch(document_id):
        return None
    with q.open_dataset(out_dir) as con:
        source = q.document_file(con, document_id)
    if source is None or source[1] != "pdf":
        return None
    return page_image(out_dir, source[0], document_id, page)
