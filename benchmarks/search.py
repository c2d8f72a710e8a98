"""Full-text search over a large dataset: how long the statements browser's search takes at 100,000 statements.

``python benchmarks/search.py [--statements 100000] [--repeat 7] [--out DIR [--reuse]]``

The sample corpus is read once through the library (``pipeline.process.process_file``); its results are then
stored again and again as copies (``copy-NNN/<file>``, each with its own document and statement ids) through
``store.save_document`` — the path a run takes, so the index is built at store time exactly as in production —
until the dataset holds at least ``--statements`` statements. Each query is then timed as the analysts' page
runs it on a read-only connection (``select_statements`` for a page of 50 with the total, then the facet counts),
best and median of ``--repeat`` runs after one warm-up. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import store  # noqa: E402
from pipeline.dataset import connect_read_only  # noqa: E402
from pipeline.inbox import discover  # noqa: E402
from pipeline.process import DocumentResult, process_file  # noqa: E402
from pipeline.query import StatementFilter, facet_counts, select_statements  # noqa: E402

QUERIES = {
    "one common word": StatementFilter(search="province"),
    "two words": StatementFilter(search="land disputes"),
    "a rare word": StatementFilter(search="cadastral"),
    "a phrase": StatementFilter(search='"rural roads"'),
    "words + two facets": StatementFilter(search="rural roads", province="KH-17", kind="achievement"),
    "no match (Khmer; the Khmer reports are a corpus of their own)": StatementFilter(search="ផ្លូវ"),
}


def copy_of(result: DocumentResult, copy: int) -> DocumentResult:
    """The same document under another path and content hash, its statements with ids of their own."""
    document_id = hashlib.sha256(f"{copy}:{result.document.document_id}".encode()).hexdigest()
    source_file = f"copy-{copy:03}/{result.document.source_file}"

    def moved(record):
        return replace(
            record,
            document_id=document_id,
            source_file=source_file,
            statement_id=hashlib.sha256(f"{copy}:{record.statement_id}".encode()).hexdigest()[:16],
        )

    return replace(
        result,
        document=replace(result.document, document_id=document_id, source_file=source_file),
        statements=[moved(statement) for statement in result.statements],
        quantities=[moved(quantity) for quantity in result.quantities],
    )


def build(out: Path, statements_wanted: int) -> tuple[int, float]:
    """Store copies of the sample corpus until ``statements_wanted``; returns statements stored and seconds."""
    results = [process_file(f.path, f.source_file) for f in discover(REPO / "sample_reports")]
    per_copy = sum(len(result.statements) for result in results)
    copies = math.ceil(statements_wanted / per_copy)
    started = time.perf_counter()
    con = store.connect(out)
    try:
        for copy in range(copies):
            for result in results:
                store.save_document(con, copy_of(result, copy))
        stored = store.scalar(con, "SELECT count(*) FROM statements")
    finally:
        con.close()
    return stored, time.perf_counter() - started


def timed(function, repeat: int) -> tuple[float, float, float]:
    """Best and median wall seconds, and median CPU seconds of this process (DuckDB's threads included): CPU well
    below wall means the query waited for a core other work was using."""
    function()  # warm-up: DuckDB's first read of the tables
    seconds, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(seconds), statistics.median(seconds), statistics.median(cpu)


def _ms(timing: tuple[float, float, float]) -> str:
    best, median, cpu = timing
    return f"{best * 1000:.0f} / {median * 1000:.0f} ({cpu * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, help="Where to build the dataset (default: a temporary folder).")
    parser.add_argument("--reuse", action="store_true", help="Time the dataset already in --out; build nothing.")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="search-bench-")) / "data"
    if args.reuse and (out / store.DATABASE_NAME).is_file():
        stored, build_seconds = 0, 0.0
    else:
        stored, build_seconds = build(out, args.statements)
    con = connect_read_only(out)
    try:
        terms = store.scalar(con, "SELECT count(*) FROM search_terms")
        stored = store.scalar(con, "SELECT count(*) FROM statements")
        print(f"{stored:,} statements, {terms:,} index rows; stored and indexed in {build_seconds:.1f} s (0: reused) "
              f"({out / store.DATABASE_NAME}, {(out / store.DATABASE_NAME).stat().st_size / 1e6:.0f} MB)\n")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
        print("| query | matches | search: best / median ms (CPU) | with facet counts: best / median ms (CPU) |")
        print("|---|---|---|---|")
        for name, selection in QUERIES.items():
            matches = select_statements(con, selection, limit=50)[0]
            search = timed(lambda selection=selection: select_statements(con, selection, limit=50), args.repeat)
            page = timed(
                lambda selection=selection: (select_statements(con, selection, limit=50), facet_counts(con, selection)),
                args.repeat,
            )
            print(f"| {name} (`{selection.search}`) | {matches:,} | {_ms(search)} | {_ms(page)} |")
    finally:
        con.close()


if __name__ == "__main__":
    main()
