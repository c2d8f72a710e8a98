"""The reviewers' queue over a large dataset: how long its pages take to answer.

``python benchmarks/review_queue.py [--statements 100000] [--repeat 5] [--out DIR [--reuse]]``

The dataset is built as ``benchmarks/search.py`` builds it (copies of the sample corpus stored through
``store.save_document``, the search index with them). Each page is then requested through the app itself
(FastAPI's test client, signed in as a reviewer, a few decisions recorded), best and median of ``--repeat`` after
one warm-up. Every queue request reads all flagged statements and the decisions and claims, so its time grows with
the flagged statements, not with the page shown. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from argon2 import PasswordHasher  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from search import build, timed  # noqa: E402

from pipeline import review, store  # noqa: E402
from pipeline.dataset import connect_read_only  # noqa: E402
from workreview.web.app import create_app  # noqa: E402

DECISIONS = 200
"""Decisions recorded before timing, so that the queue has decisions to join."""


def signed_in(out: Path) -> TestClient:
    review._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # signing in is not what is timed
    review.save_user(out, "bench", "reviewer", "bench-password")
    client = TestClient(create_app(out))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"name": "bench", "password": "bench-password", "csrf_token": token})
    return client


def decide_some(out: Path, count: int) -> None:
    con = connect_read_only(out)
    try:
        rows = con.execute(
            f"SELECT * FROM current_statements WHERE flagged ORDER BY confidence LIMIT {count}"
        ).df().to_dict("records")
    finally:
        con.close()
    reviewer = review.User("bench", "reviewer")
    for row in rows:
        values = {name: row[name] for name in review.EDITABLE_FIELDS}
        version = review.review_version(out, row["statement_id"])
        review.decide(out, reviewer=reviewer, statement=row, new_values=values, base_version=version)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, help="Where to build the dataset (default: a temporary folder).")
    parser.add_argument("--reuse", action="store_true", help="Time the dataset already in --out; build nothing.")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="queue-bench-")) / "data"
    if not (args.reuse and (out / store.DATABASE_NAME).is_file()):
        build(out, args.statements)
    con = connect_read_only(out)
    try:
        stored = store.scalar(con, "SELECT count(*) FROM current_statements")
        flagged = store.scalar(con, "SELECT count(*) FROM current_statements WHERE flagged")
        first = store.scalar(con, "SELECT statement_id FROM current_statements WHERE flagged ORDER BY confidence DESC")
    finally:
        con.close()
    if not review.latest_decisions(out):
        decide_some(out, DECISIONS)
    client = signed_in(out)
    last_page = -(-flagged // 50)
    pages = {
        "queue, first page": "/",
        f"queue, last page ({last_page})": f"/?page={last_page}",
        "queue, all statuses, a province": "/?status=all&province=Kampot",
        "queue, search (two words)": "/?search=rural+roads",
        "queue, search (a phrase)": "/?search=%22rural+roads%22",
        "next item (`s`)": "/next",
        "an item page": f"/item/{first}",
    }
    print(f"{stored:,} current statements, {flagged:,} flagged; {DECISIONS} decisions ({out})\n")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| page | best ms | median ms (CPU ms) |")
    print("|---|---|---|")
    for name, url in pages.items():
        response = client.get(url, follow_redirects=False)
        assert response.status_code in (200, 303), (url, response.status_code)
        best, median, cpu = timed(lambda url=url: client.get(url, follow_redirects=False), args.repeat)
        print(f"| {name} | {best * 1000:.0f} | {median * 1000:.0f} ({cpu * 1000:.0f}) |")


if __name__ == "__main__":
    main()
