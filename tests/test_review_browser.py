"""The review app in a real browser: Debian's Chromium driven headless by Playwright."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from review_fixtures import REPORT, build_dataset
from web_server import served_app, sign_in

from pipeline import review, store

SAMPLE_PDF = Path(__file__).resolve().parents[1] / "sample_reports" / "BMC_Provincial_Admin_Report_2020_EN.pdf"
HOSTILE_REPORT = """District Administration
Report on the Results of Work in 2020

I. ACHIEVEMENTS

The office installed <script>alert(1)</script> filters on 12 computers.
The district built 4 schools <img src=x onerror=alert(1)> in 2020.
"""

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app over a three-report dataset, served by uvicorn on a free port of 127.0.0.1."""
    root = tmp_path_factory.mktemp("browser")
    reports = root / "reports"
    reports.mkdir()
    shutil.copy(SAMPLE_PDF, reports / SAMPLE_PDF.name)
    (reports / "kampot_2020.txt").write_text(REPORT, encoding="utf-8")
    (reports / "hostile_2020.txt").write_text(HOSTILE_REPORT, encoding="utf-8")
    out = root / "out"
    build_dataset(reports, out)
    with served_app(out, "rita", "reviewer", "rita-password") as address:
        yield address, out


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    base, _ = server
    page.goto(f"{base}/")
    assert "/login" in page.url, "anonymous visitors must be sent to the sign-in page"
    sign_in(page)
    yield page
    context.close()


def press(page, key: str) -> None:
    """One key press that submits or follows a link, waiting for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def current_statement(page) -> str:
    return page.url.split("/item/")[1].split("?")[0]


def test_review_three_items_with_the_keyboard_and_undo_one(page, server, tmp_path):
    base, out = server
    page.wait_for_selector("table.queue")
    screenshot = tmp_path / "queue.png"
    page.screenshot(path=str(screenshot))
    print(f"\nqueue screenshot: {screenshot}")
    pending_before = int(page.inner_text("#pending-count"))

    press(page, "s")
    decided = []
    for key in ("a", "x", "2"):
        decided.append(current_statement(page))
        assert page.is_visible("#current-statement")
        press(page, key)
        assert "Saved:" in page.inner_text(".flash")
    press(page, "u")
    assert current_statement(page) == decided[2], "undo shows the undone item again"
    assert page.inner_text("#review-status") == "unreviewed"

    with sqlite3.connect(out / review.REVIEWS_DATABASE) as con:
        rows = con.execute("SELECT statement_id, reviewer, action, undone_by FROM reviews ORDER BY id").fetchall()
    assert [(row[0], row[1]) for row in rows[:3]] == [(sid, "rita") for sid in decided]
    assert rows[0][2] == "accepted" and rows[1][2] == "rejected" and rows[3][2] == "undo"
    assert rows[2][3] is not None and rows[0][3] is None

    page.goto(f"{base}/")
    assert int(page.inner_text("#pending-count")) == pending_before - 2
    assert int(page.inner_text("#decided-count")) == 2

    con = store.connect(out)
    try:
        store.export(con, out, include_other=True)
    finally:
        con.close()
    exported = pd.read_parquet(out / "statements.parquet").set_index("statement_id")
    assert exported.loc[decided[0], ["review_status", "reviewed_by"]].tolist() == ["accepted", "rita"]
    assert exported.loc[decided[1], ["kind", "review_status", "reviewed_by"]].tolist() == ["other", "rejected", "rita"]
    assert exported.loc[decided[2], "review_status"] == "unreviewed"


def test_report_markup_is_shown_as_text(page, server):
    base, _ = server
    page.goto(f"{base}/?status=all")
    script = "<script>alert(1)</script>"
    image = "<img src=x onerror=alert(1)>"
    page.get_by_text(script, exact=False).first.wait_for()
    assert page.get_by_text(image, exact=False).first.is_visible()
    with page.expect_navigation():
        page.get_by_text(script, exact=False).first.click()
    assert script in page.inner_text("#current-statement")
    assert page.locator("img[src=x]").count() == 0
    page.wait_for_timeout(200)
    assert page.dialogs == [], "no script from a report may run"
