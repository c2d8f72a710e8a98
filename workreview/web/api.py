"""The analysts' JSON API: statements, documents, capital/provinces and quantities, read-only.

Filter values are resolved by ``pipeline.names``: a province by code, name or any known spelling, a sector, kind,
level or review status in any case; an unknown value is answered 422 with ``suggestions``, never with an empty page.
Every route needs a signed-in user (session cookie or HTTP Basic); it only reads, so any role may use it. Each
request opens the dataset read-only (``pipeline.dataset.connect_read_only``) and closes it before answering, so
a ``workreview run`` can take the write lock between requests. Filters are always bound as SQL parameters.
The OpenAPI description is at ``/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Generic, Literal, TypeVar

import duckdb
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict

from pipeline.dataset import DOCUMENTS_QUERY, connect_read_only, records
from pipeline.errors import RunLocked
from pipeline.names import resolve_kind, resolve_level, resolve_province
from pipeline.query import StatementFilter, select_statements
from pipeline.store import scalar
from pipeline.vocabulary import DocumentStatus
from workreview.web.auth import require_user


def known_parameters_only(request: Request) -> None:
    """Dependency: 422 for a query parameter the route does not take, so a misspelled filter (``provnce=``) is an
    error, not a silently unfiltered answer."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known: set[str | None] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        known.update(param.alias for param in current.query_params)
        stack.extend(current.dependencies)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError(
            [
                {"type": "extra_forbidden", "loc": ("query", name), "msg": "unknown query parameter", "input": None}
                for name in unknown
            ]
        )


router = APIRouter(
    prefix="/api", tags=["analysts"], dependencies=[Depends(require_user), Depends(known_parameters_only)]
)

MAX_PAGE = 1000
MAX_OFFSET = 1_000_000_000
"""Far beyond any dataset, and well inside the 64-bit integers DuckDB's OFFSET takes."""
Kind = Annotated[
    str | None, Query(max_length=100, description="achievement, challenge or goal (any case, plural too).")
]
QuantityRole = Literal["output", "target", "total", "part", "change", "affected", "baseline"]
"""``pipeline.quantity_roles.ROLES``."""
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
Year = Annotated[int | None, Query(ge=1900, le=2200, description="Year under review.")]
ProvinceFilter = Annotated[
    str | None,
    Query(max_length=100, description="ISO code (KH-7), English name (Kampot) or known spelling (Siemreap), any case."),
]
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    total: int
    """How many items match the filters (all pages)."""
    limit: int
    offset: int
    items: list[T]


class Statement(BaseModel):
    """One achievement, challenge or goal, reviewers' decisions applied. Further columns of the export pass through."""

    model_config = ConfigDict(extra="allow")
    statement_id: str
    source_file: str
    province_code: str | None
    province: str | None
    report_year: int | None
    kind: str
    text: str
    section: str | None
    page: int | None
    sector: str | None
    confidence: float
    flagged: bool
    flag_reasons: str | None
    review_status: str
    reviewed_by: str | None


class Document(BaseModel):
    model_config = ConfigDict(extra="allow")
    document_id: str
    source_file: str
    version: int
    format: str | None
    pages: int | None
    province_code: str | None
    province: str | None
    report_year: int | None
    level: str | None
    title: str | None
    status: str
    error: str | None


class Province(BaseModel):
    code: str
    name: str
    is_capital: bool
    status: Literal["reported", "needs_ocr", "failed", "missing"]
    documents: int
    province_documents: int
    local_documents: int
    working_group_documents: int
    unread_documents: int
    achievements: int
    challenges: int
    goals: int


class Quantity(BaseModel):
    """A number in a statement, normalised, with that statement's context. Further columns pass through."""

    model_config = ConfigDict(extra="allow")
    statement_id: str
    value: float | None
    unit: str
    text: str | None
    source_file: str
    province_code: str | None
    province: str | None
    kind: str
    page: int | None
    statement_text: str
    role: QuantityRole | None = None
    """What the figure is: done in the year, planned, a stock, a part of another figure, a change, damage or a
    baseline (a reviewer's correction applied); ``None`` for a quantity stored before roles existed."""
    object: str | None = None
    """What it counts ("road", "classroom"), when its statement says."""
    period: str | None = None
    cumulative: bool | None = None
    change_from: float | None = None
    change_to: float | None = None


def dataset(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """The dataset for one request, opened read-only and closed afterwards."""
    try:
        con = connect_read_only(request.app.state.out_dir)
    except duckdb.IOException:
        raise RunLocked("a `workreview run` is writing the dataset; try again shortly") from None
    try:
        yield con
    finally:
        con.close()


Dataset = Annotated[duckdb.DuckDBPyConnection, Depends(dataset)]


@router.get("/statements", response_model=Page[Statement])
def list_statements(
    con: Dataset,
    province: ProvinceFilter = None,
    kind: Kind = None,
    sector: Annotated[str | None, Query(max_length=100, description="Sector, any case.")] = None,
    year: Year = None,
    flagged: bool | None = None,
    review_status: Annotated[
        str | None, Query(max_length=100, description="unreviewed, accepted, corrected or rejected.")
    ] = None,
    level: Annotated[
        str | None, Query(max_length=100, description="Administrative level of the report, e.g. district.")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words the text contains, any case.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    """Statements in file and position order."""
    selection = StatementFilter(province, kind, sector, year, flagged, review_status, q, level)
    total, rows = select_statements(con, selection, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": records(rows)}


@router.get("/documents", response_model=Page[Document])
def list_documents(
    con: Dataset,
    province: ProvinceFilter = None,
    level: Annotated[
        str | None,
        Query(max_length=100, description="capital, province, municipality, district, khan or working_group."),
    ] = None,
    document_status: Annotated[
        DocumentStatus | None, Query(alias="status")
    ] = None,
    year: Year = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    """Every file: its current version, and its latest attempt if that failed."""
    clauses = ["true"]
    params: list[str | int] = []
    if province:
        clauses.append("province_code = ?")
        params.append(resolve_province(province).code)
    resolved_level = resolve_level(level) if level else None
    for column, value in (("level", resolved_level), ("status", document_status), ("report_year", year)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    query = f"SELECT * FROM ({DOCUMENTS_QUERY}) WHERE {' AND '.join(clauses)}"
    return _page(con, query, params, limit, offset, order="source_file, version")


@router.get("/provinces", response_model=list[Province])
def list_provinces(con: Dataset) -> list[dict]:
    """The 25 capital/provinces with their submission status, documents per level and statements per kind."""
    rows = con.execute(
        """
        SELECT p.*,
               count(s.statement_id) FILTER (WHERE s.kind = 'achievement') AS achievements,
               count(s.statement_id) FILTER (WHERE s.kind = 'challenge') AS challenges,
               count(s.statement_id) FILTER (WHERE s.kind = 'goal') AS goals
        FROM provinces p LEFT JOIN reviewed_statements s ON s.province_code = p.code
        GROUP BY ALL ORDER BY p.ordinal
        """
    ).df()
    return records(rows)


@router.get("/quantities", response_model=Page[Quantity])
def list_quantities(
    con: Dataset,
    province: ProvinceFilter = None,
    unit: Annotated[str | None, Query(max_length=100, description="Unit, e.g. km, households, percent.")] = None,
    kind: Kind = None,
    year: Year = None,
    role: Annotated[
        QuantityRole | None, Query(description="What the figure is, e.g. output (done in the year).")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    """Quantities found in current achievements, challenges and goals, with the statement each comes from."""
    clauses = ["kind IN ('achievement', 'challenge', 'goal')"]
    params: list[str | int] = []
    if province:
        clauses.append("province_code = ?")
        params.append(resolve_province(province).code)
    filters = (
        ("lower(unit)", unit.lower() if unit else None),
        ("kind", str(resolve_kind(kind)) if kind else None),
        ("report_year", year),
        ("role", role),
    )
    for column, value in filters:
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    query = f"SELECT * FROM statement_quantities WHERE {' AND '.join(clauses)}"
    return _page(con, query, params, limit, offset, order="source_file, statement_start, statement_id")


def _page(con: duckdb.DuckDBPyConnection, query: str, params: list, limit: int, offset: int, order: str) -> dict:
    total = scalar(con, f"SELECT count(*) FROM ({query})", params)
    rows = con.execute(f"{query} ORDER BY {order} LIMIT {limit} OFFSET {offset}", params).df()
    return {"total": total, "limit": limit, "offset": offset, "items": records(rows)}
