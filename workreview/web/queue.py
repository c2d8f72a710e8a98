"""What the reviewers see of the dataset: the flagged statements in review order, one item in its context.

``national.duckdb`` is opened read-only for one request and closed again: ``workreview run`` needs the write
lock, so the app must never hold the file between requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import search, store
from pipeline.boundaries import edit_statements
from pipeline.errors import DatasetNotFound, InvalidInput, RunLocked
from pipeline.review import Decision
from pipeline.search import SearchQuery

LOCK_WAIT_SECONDS = 3.0
CONTEXT_BLOCKS = 2
"""Blocks shown before and after the statement's own block."""
UNRESOLVED = "-"
"""The province filter's value for statements whose province could not be determined."""
PAGE_SIZE = 50
"""Rows on one page of the queue."""

STATEMENT_COLUMNS = (
    "s.statement_id, s.document_id, s.source_file, s.province_code, s.province, s.report_year, s.kind, s.text, "
    "s.section, s.block_index, s.block_kind, s.page, s.x0, s.top, s.x1, s.bottom, s.char_start, s.char_end, "
    "s.sector, s.confidence, s.score_achievement, s.score_challenge, s.score_goal, s.score_other, "
    "s.flagged, s.flag_reasons, d.format, d.title, d.level"
)
FROM_CURRENT = "FROM edited_statements s JOIN current_documents d USING (document_id, source_file)"


@contextmanager
def open_dataset(out_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one request, waiting a few seconds if a run is writing; its statements are the
    ones reviewers shaped (``pipeline.boundaries``: ``edited_statements``, ``edited_quantities``)."""
    path = out_dir / store.DATABASE_NAME
    if not path.is_file():
        raise DatasetNotFound(f"there is no dataset in {out_dir} yet: run `workreview run REPORTS --out {out_dir}`")
    try:
        con = store.connect(out_dir, read_only=True, lock_timeout_s=LOCK_WAIT_SECONDS)
    except duckdb.IOException as error:
        raise RunLocked("a `workreview run` is writing the dataset; try again in a moment") from error
    try:
        edit_statements(con, out_dir)
        yield con
    finally:
        con.close()


@dataclass(slots=True)
class QueueFilters:
    province: str = ""
    kind: str = ""
    sector: str = ""
    reason: str = ""
    status: str = "pending"
    """``pending`` (no decision in force), ``decided`` or ``all``."""
    search: str = ""
    """Words the statement's text must hold (``pipeline.search``: every word, each "quoted phrase")."""

    def query(self) -> dict[str, str]:
        """The non-default filters, for links that keep the reviewer's view."""
        defaults = QueueFilters()
        return {name: value for name in self.__slots__ if (value := getattr(self, name)) != getattr(defaults, name)}


@dataclass(slots=True)
class Queue:
    items: list[dict]
    """The flagged statements matching the filters, lowest confidence first."""
    pending: int
    decided: int
    options: dict[str, list[str]] = field(default_factory=dict)
    """Values each filter can take, from the whole queue."""


def flagged_statements(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every flagged current statement (any kind, ``other`` included), in review order."""
    return _rows(
        con,
        f"SELECT {STATEMENT_COLUMNS} {FROM_CURRENT} WHERE s.flagged "
        "ORDER BY s.confidence, s.source_file, s.char_start, s.statement_id",
    )


def search_matches(con: duckdb.DuckDBPyConnection, text: str) -> set[str] | None:
    """The ids of the current statements whose text matches ``text``, from the search index the run built (no
    scan of every text); ``None`` when there is nothing to search for."""
    if not text.strip():
        return None
    scores, params = search.scores_sql(SearchQuery.parse(text))
    try:
        rows = con.execute(f"SELECT statement_id FROM ({scores})", params).fetchall()
    except duckdb.CatalogException as error:
        if "search_" not in str(error):
            raise
        raise InvalidInput("this dataset has no search index yet: the next `workreview run` builds it") from None
    return {statement_id for (statement_id,) in rows}


def build_queue(
    statements: list[dict],
    decisions: dict[str, Decision],
    claims: dict[str, str],
    filters: QueueFilters,
    matches: set[str] | None = None,
) -> Queue:
    """Filter the flagged statements (to ``matches`` too, the result of the filters' search, when given); counts of
    pending and decided are over the other filters, before status."""
    options = {
        "province": sorted({s["province"] or UNRESOLVED for s in statements}),
        "kind": sorted({s["kind"] for s in statements}),
        "sector": sorted({s["sector"] for s in statements if s["sector"]}),
        "reason": sorted({r for s in statements for r in (s["flag_reasons"] or "").split(";") if r}),
    }
    matching = []
    for statement in statements:
        if filters.province and (statement["province"] or UNRESOLVED) != filters.province:
            continue
        if filters.kind and statement["kind"] != filters.kind:
            continue
        if filters.sector and statement["sector"] != filters.sector:
            continue
        if filters.reason and filters.reason not in (statement["flag_reasons"] or "").split(";"):
            continue
        if matches is not None and statement["statement_id"] not in matches:
            continue
        decision = decisions.get(statement["statement_id"])
        matching.append({**statement, "decision": decision, "claimed_by": claims.get(statement["statement_id"])})
    decided = sum(1 for item in matching if item["decision"])
    if filters.status == "pending":
        items = [item for item in matching if not item["decision"]]
    elif filters.status == "decided":
        items = [item for item in matching if item["decision"]]
    else:
        items = matching
    return Queue(items, pending=len(matching) - decided, decided=decided, options=options)


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue's rows, and the pages to link to from it."""

    number: int
    count: int
    rows: list[dict]
    first: int
    """The 1-based position in the queue of the page's first row."""

    def links(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and ``around`` either side of this one; ``None`` marks a gap."""
        shown = sorted({1, self.count, *range(max(1, self.number - around), min(self.count, self.number + around) + 1)})
        linked: list[int | None] = []
        for number in shown:
            if linked and number - (linked[-1] or 0) > 1:
                linked.append(None)
            linked.append(number)
        return linked


def paginate(items: list[dict], number: int, size: int = PAGE_SIZE) -> QueuePage:
    """Page ``number`` of ``items`` (the last page when ``number`` is beyond it)."""
    count = max(1, -(-len(items) // size))
    number = min(max(1, number), count)
    start = (number - 1) * size
    return QueuePage(number, count, items[start : start + size], start + 1)


def page_of(items: list[dict], current: dict, size: int = PAGE_SIZE) -> dict[str, str]:
    """The query parameter that opens the queue page listing ``current``, or where it would be listed (a decided
    item in a view of pending ones); none for the first page."""
    key = order_key(current)
    number = sum(1 for item in items if order_key(item) < key) // size + 1
    return {"page": str(number)} if number > 1 else {}


def order_key(statement: dict) -> tuple:
    return (statement["confidence"], statement["source_file"], statement["char_start"], statement["statement_id"])


def neighbours(items: list[dict], current: dict) -> tuple[dict | None, dict | None]:
    """The items just before and after ``current`` in review order (``current`` itself need not be listed)."""
    key = order_key(current)
    before = [item for item in items if order_key(item) < key]
    after = [item for item in items if order_key(item) > key]
    return (before[-1] if before else None, after[0] if after else None)


def statement(con: duckdb.DuckDBPyConnection, statement_id: str) -> dict | None:
    rows = _rows(con, f"SELECT {STATEMENT_COLUMNS} {FROM_CURRENT} WHERE s.statement_id = ?", [statement_id])
    return rows[0] if rows else None


def quantities(con: duckdb.DuckDBPyConnection, item: dict) -> list[dict]:
    """The statement's quantities in order, each with ``offset`` (where it starts in the statement's text) and the
    role the pipeline gave it (``role``; ``None`` if stored before roles existed)."""
    columns = {row[0] for row in con.execute("DESCRIBE edited_quantities").fetchall()}
    role = "role" if "role" in columns else "NULL AS role"
    obj = "object" if "object" in columns else "NULL AS object"
    return _rows(
        con,
        f"SELECT char_start - ? AS offset, text, value, unit, {role}, {obj} FROM edited_quantities "
        "WHERE document_id = ? AND source_file = ? AND statement_id = ? ORDER BY char_start",
        [item["char_start"], item["document_id"], item["source_file"], item["statement_id"]],
    )


def context_blocks(con: duckdb.DuckDBPyConnection, item: dict, around: int = CONTEXT_BLOCKS) -> list[dict]:
    """The statement's block and ``around`` blocks either side, rebuilt from the statements they hold.

    Each block: its section (set when it differs from the previous block's), kind, and ``parts`` — the
    statements in reading order, the reviewed one marked ``current``.
    """
    rows = _rows(
        con,
        "SELECT statement_id, text, section, block_index, block_kind FROM edited_statements "
        "WHERE document_id = ? AND source_file = ? AND block_index BETWEEN ? AND ? ORDER BY char_start",
        [item["document_id"], item["source_file"], item["block_index"] - around, item["block_index"] + around],
    )
    blocks: list[dict] = []
    previous_section = None
    for row in rows:
        if not blocks or blocks[-1]["index"] != row["block_index"]:
            heading = row["section"] if row["section"] != previous_section else None
            blocks.append({"index": row["block_index"], "kind": row["block_kind"], "section": heading, "parts": []})
            previous_section = row["section"]
        blocks[-1]["parts"].append({"text": row["text"], "current": row["statement_id"] == item["statement_id"]})
    return blocks


def sectors(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT sector FROM edited_statements WHERE sector IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]


def document_file(con: duckdb.DuckDBPyConnection, document_id: str) -> tuple[Path, str] | None:
    """The source file a document was read from (under the recorded reports folder) and its format."""
    reports_dir = store.get_meta(con, "reports_dir")
    row = con.execute(
        "SELECT source_file, format FROM documents WHERE document_id = ? LIMIT 1", [document_id]
    ).fetchone()
    if reports_dir is None or row is None:
        return None
    root = Path(reports_dir).resolve()
    path = (root / row[0]).resolve()
    if not path.is_relative_to(root):  # a stored path never leads outside the reports folder
        return None
    return path, row[1]


def _rows(con: duckdb.DuckDBPyConnection, query: str, parameters: list | None = None) -> list[dict]:
    cursor = con.execute(query, parameters or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
