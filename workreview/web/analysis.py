"""The analysts' pages: a statements browser with facets and full-text search, each statement's source, a
read-only SQL page with the cookbook as saved queries, and a page per capital/province.

Server-rendered like the review pages (same accounts, same CSP, no script or style from anywhere but ``/static``);
every page only reads, through ``pipeline.dataset.connect_read_only`` for one request. Filter values are resolved
by ``pipeline.names`` (an unknown one is a 422 page naming the nearest valid values).
"""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlencode

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from pipeline.cookbook import saved_queries, saved_query
from pipeline.dataset import DOCUMENTS_QUERY, records
from pipeline.errors import InvalidInput, QueryRefused
from pipeline.flags import FLAG_REASONS
from pipeline.gazetteer import province_by_code, provinces
from pipeline.names import resolve_province
from pipeline.query import FACET_COLUMNS, StatementFilter, check_read_only, facet_counts, select_statements
from pipeline.review import User
from workreview.web import queue as q
from workreview.web.api import Dataset
from workreview.web.auth import require_role
from workreview.web.page_images import box_percentages
from workreview.web.rendering import SECURITY_HEADERS, render
from workreview.web.views import _page_image as page_image_of  # the review pages' page images, shared

router = APIRouter()
analysts = require_role("analyst", "admin")
PAGE_SIZE = 50
MAX_PAGE_NUMBER = 1_000_000
"""Far beyond any dataset (50 million statements), and an OFFSET well inside DuckDB's integers."""
Name = Annotated[str, Query(max_length=100)]
MAX_SQL_ROWS_SHOWN = 500
"""Rows of a SQL result shown on the page; the CSV and JSON downloads carry every row."""
FACET_TITLES = {
    "province": "Capital/province",
    "level": "Level",
    "kind": "Kind",
    "sector": "Sector",
    "year": "Year under review",
    "review_status": "Review status",
    "flagged": "Flagged",
}


def _year(value: str) -> int | None:
    """The year facet's value; empty is any year (a form sends every field, chosen or not)."""
    if not value.strip():
        return None
    if not value.strip().isdigit() or not 1900 <= int(value) <= 2200:
        raise InvalidInput(f"the year must be a year like 2020, not {value!r}")
    return int(value)


def _flag(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _facet_label(facet: str, value: object) -> str:
    if value is None:
        return "(unresolved)" if facet in ("province", "year", "level") else "(none)"
    if facet == "province":
        province = province_by_code(str(value))
        return province.name if province else str(value)
    if facet == "flagged":
        return "yes" if value else "no"
    return str(value)


def _facet_value(facet: str, value: object) -> str:
    if facet == "flagged":
        return "yes" if value else "no"
    return "" if value is None else str(value)


@router.get("/statements")
def statements_page(
    request: Request,
    con: Dataset,
    user: User = Depends(analysts),
    province: Name = "",
    level: Name = "",
    kind: Name = "",
    sector: Name = "",
    year: Name = "",
    review_status: Name = "",
    flagged: Name = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE_NUMBER)] = 1,
) -> Response:
    """Every achievement, challenge and goal, narrowed by facets (each value with its count) and ranked by a
    full-text search when one is given."""
    selection = StatementFilter(
        province=province or None,
        kind=kind or None,
        sector=sector or None,
        year=_year(year),
        flagged=_flag(flagged),
        review_status=review_status or None,
        level=level or None,
        search=q.strip() or None,
    ).resolved()
    total, rows = select_statements(con, selection, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    counts = facet_counts(con, selection)
    chosen = {
        "province": selection.province or "",
        "level": selection.level or "",
        "kind": selection.kind or "",
        "sector": selection.sector or "",
        "year": "" if selection.year is None else str(selection.year),
        "review_status": selection.review_status or "",
        "flagged": {True: "yes", False: "no"}.get(selection.flagged, "") if selection.flagged is not None else "",
    }
    facets = [
        {
            "name": facet,
            "title": FACET_TITLES[facet],
            "chosen": chosen[facet],
            "options": [
                {"value": _facet_value(facet, value), "label": _facet_label(facet, value), "count": count}
                for value, count in counts[facet]
                if value is not None
            ],
        }
        for facet in FACET_COLUMNS
    ]
    query_args = {name: value for name, value in chosen.items() if value}
    if selection.search:
        query_args["q"] = selection.search
    pages = max(1, -(-total // PAGE_SIZE))
    context = {
        "facets": facets,
        "items": records(rows),
        "total": total,
        "q": selection.search or "",
        "page": page,
        "pages": pages,
        "first": (page - 1) * PAGE_SIZE + 1,
        "previous_page": _with(query_args, page=page - 1) if page > 1 else None,
        "next_page": _with(query_args, page=page + 1) if page < pages else None,
        "clear": {facet: _with({k: v for k, v in query_args.items() if k != facet}) for facet in query_args},
        "reasons": FLAG_REASONS,
    }
    return render(request, "statements.html", context)


def _with(args: dict[str, str], **extra: object) -> str:
    query = urlencode({**args, **{key: str(value) for key, value in extra.items()}})
    return f"/statements?{query}" if query else "/statements"


@router.get("/source/{statement_id}")
def source_page(request: Request, statement_id: str, con: Dataset, user: User = Depends(analysts)) -> Response:
    """A statement where its report says it: the report's text around it, and for a PDF the page with the
    statement's block outlined."""
    item = q.statement(con, statement_id)
    if item is None:
        raise HTTPException(404, "This statement is not in the current dataset (its report was re-read or withdrawn).")
    reviewed = con.execute(
        f"SELECT {', '.join(REVIEWED_FIELDS)} FROM all_reviewed_statements WHERE statement_id = ?", [statement_id]
    ).fetchall()
    blocks = q.context_blocks(con, item, around=SOURCE_CONTEXT_BLOCKS)
    image = box = None
    if item["format"] == "pdf" and item["page"]:
        image = page_image_of(request.app.state.out_dir, item["document_id"], item["page"])
        if image and item["x0"] is not None:
            box = box_percentages(image, item["x0"], item["top"], item["x1"], item["bottom"])
    context = {
        "item": item,
        "reviewed": dict(zip(REVIEWED_FIELDS, reviewed[0])) if reviewed else None,
        "blocks": blocks,
        "image": image,
        "box": box,
    }
    return render(request, "source.html", context)


REVIEWED_FIELDS = ("kind", "text", "sector", "review_status", "reviewed_by")
SOURCE_CONTEXT_BLOCKS = 6
"""Blocks of the report shown before and after the statement's own block on its source page."""


# --- SQL ---------------------------------------------------------------------------------------------------------


def _run_sql(con: duckdb.DuckDBPyConnection, sql: str):
    """The result of one read-only query, with the same guards as ``workreview query``."""
    try:
        check_read_only(con, sql)
        return con.execute(sql).df()
    except duckdb.Error as error:
        raise QueryRefused(f"SQL error: {error}") from None


@router.get("/sql")
def sql_page(
    request: Request,
    con: Dataset,
    user: User = Depends(analysts),
    query: Annotated[str, Query(max_length=20_000)] = "",
    saved: str = "",
) -> Response:
    """Read-only SQL in the browser: a query (typed, or one of the saved cookbook questions), its result as a
    table, and links to download it whole as CSV or JSON."""
    chosen = saved_query(saved) if saved else None
    if saved and chosen is None:
        raise HTTPException(404, f"There is no saved query {saved!r}.")
    sql = chosen.sql if chosen else query
    result = error = None
    if sql.strip():
        try:
            result = _run_sql(con, sql)
        except QueryRefused as refused:
            error = str(refused)
    context = {
        "sql": sql,
        "saved": saved_queries(),
        "chosen": chosen,
        "error": error,
        "columns": [str(column) for column in result.columns] if result is not None else [],
        "rows": records(result.head(MAX_SQL_ROWS_SHOWN)) if result is not None else [],
        "row_count": len(result) if result is not None else 0,
        "shown": MAX_SQL_ROWS_SHOWN,
        "download": urlencode({"query": sql}),
    }
    return render(request, "sql.html", context, status_code=400 if error else 200)


@router.get("/sql/result.{extension}")
def sql_download(
    con: Dataset,
    extension: str,
    user: User = Depends(analysts),
    query: Annotated[str, Query(max_length=20_000)] = "",
) -> Response:
    """The whole result of a read-only query as a CSV or JSON file."""
    if extension not in ("csv", "json"):
        raise HTTPException(404, "Results download as result.csv or result.json.")
    result = _run_sql(con, query)
    if extension == "csv":
        body, media = result.to_csv(index=False), "text/csv; charset=utf-8"
    else:
        body = json.dumps(records(result), ensure_ascii=False, default=str, indent=1)
        media = "application/json"
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="result.{extension}"'}
    return Response(body, media_type=media, headers=headers)


# --- provinces ---------------------------------------------------------------------------------------------------


@router.get("/provinces")
def provinces_page(request: Request, con: Dataset, user: User = Depends(analysts)) -> Response:
    """The 25 capital/provinces: submission status, documents and statements per kind."""
    rows = records(con.execute(PROVINCE_COUNTS_QUERY).df())
    return render(request, "provinces.html", {"provinces": rows})


PROVINCE_COUNTS_QUERY = """
    SELECT p.*,
           count(s.statement_id) FILTER (WHERE s.kind = 'achievement') AS achievements,
           count(s.statement_id) FILTER (WHERE s.kind = 'challenge') AS challenges,
           count(s.statement_id) FILTER (WHERE s.kind = 'goal') AS goals,
           count(s.statement_id) FILTER (WHERE s.flagged) AS flagged
    FROM provinces p LEFT JOIN reviewed_statements s ON s.province_code = p.code
    GROUP BY ALL ORDER BY p.ordinal
"""


@router.get("/provinces/{name}")
def province_page(request: Request, name: str, con: Dataset, user: User = Depends(analysts)) -> Response:
    """One capital/province: its reports, its statements by kind and sector, and its most confident statements."""
    province = resolve_province(name)
    summary = next(row for row in records(con.execute(PROVINCE_COUNTS_QUERY).df()) if row["code"] == province.code)
    documents = records(
        con.execute(
            f"SELECT * FROM ({DOCUMENTS_QUERY}) WHERE province_code = ? ORDER BY level, source_file", [province.code]
        ).df()
    )
    sectors = con.execute(
        "SELECT sector, count(*) FILTER (WHERE kind = 'achievement'), count(*) FILTER (WHERE kind = 'challenge'), "
        "count(*) FILTER (WHERE kind = 'goal'), count(*) FROM reviewed_statements WHERE province_code = ? "
        "GROUP BY sector ORDER BY 5 DESC, sector",
        [province.code],
    ).fetchall()
    top = {
        kind: records(
            con.execute(
                "SELECT statement_id, text, source_file, page, confidence FROM reviewed_statements "
                "WHERE province_code = ? AND kind = ? ORDER BY confidence DESC, source_file, char_start LIMIT 5",
                [province.code, kind],
            ).df()
        )
        for kind in ("achievement", "challenge", "goal")
    }
    context = {
        "province": province,
        "summary": summary,
        "documents": documents,
        "sectors": sectors,
        "top": top,
        "browse": _with({"province": province.code}),
        "others": provinces(),
    }
    return render(request, "province.html", context)
