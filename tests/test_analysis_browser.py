"""The analysts' pages in a real browser (Debian's Chromium, headless, through Playwright): filter, search, open a
statement's source, run a saved query and download its result. Screenshots of each page are saved in the folder
the test prints: ``$WORKREVIEW_SCREENSHOTS/analyst`` if that is set, else ``analyst-screenshots`` in pytest's
temporary folder."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, SAMPLE_REPORTS
from web_server import served_app

from pipeline import store
from pipeline.cookbook import saved_queries
from pipeline.query import run_query

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server(analyst_dataset, tmp_path_factory):
    """The app over a copy of the analysts' dataset (its reports folder recorded, so PDF pages show), served by
    uvicorn on a free port of 127.0.0.1."""
    out = tmp_path_factory.mktemp("analyst-browser") / "data"
    shutil.copytree(analyst_dataset, out)
    con = store.connect(out)
    try:
        store.set_meta(con, "reports_dir", str(SAMPLE_REPORTS))
    finally:
        con.close()
    with served_app(out, "ana", "analyst", "ana-password") as address:
        yield address, out


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    """``$WORKREVIEW_SCREENSHOTS/analyst`` when set (to keep them), else a folder of this test session."""
    keep = os.environ.get("WORKREVIEW_SCREENSHOTS")
    folder = Path(keep) / "analyst" if keep else tmp_path_factory.mktemp("analyst-screenshots", numbered=False)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nanalyst screenshots: {folder}")
    return folder


@pytest.fixture
def page(server):
    base, _ = server
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        violations: list[str] = []
        page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else 0)
        page.violations = violations
        page.goto(f"{base}/statements")
        assert "/login" in page.url
        page.get_by_label("User name").fill("ana")
        page.get_by_label("Password").fill("ana-password")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        yield page
        context.close()
        chromium.close()


def shown_total(page) -> int:
    return int(page.inner_text("#total"))


def option_count(page, select_id: str, value: str) -> int:
    """The count a facet's option announces, e.g. 41 for "achievement (41)"."""
    label = page.locator(f"#{select_id} option[value='{value}']").inner_text()
    return int(label.rsplit("(", 1)[1].rstrip(")"))


def test_an_analyst_filters_searches_opens_a_source_and_downloads_a_saved_query(page, server, screenshots, tmp_path):
    base, out = server
    assert page.url == f"{base}/statements"
    everything = shown_total(page)

    # Two facets, found by their labels; each option says how many statements it will show.
    page.get_by_label("Capital/province").select_option("KH-17")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    achievements = option_count(page, "facet-kind", "achievement")
    page.get_by_label("Kind", exact=True).select_option("achievement")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    assert shown_total(page) == achievements < everything
    assert page.locator("li.statement .kind").all_inner_texts() == ["achievement"] * min(achievements, 50)
    places = page.locator("li.statement p.meta:nth-of-type(2)").all_inner_texts()
    assert places and all(place.startswith("Siem Reap") for place in places)
    page.screenshot(path=str(screenshots / "1-statements-filtered.png"), full_page=True)

    # A phrase search keeps the facets and ranks what it finds.
    page.keyboard.press("/")
    page.keyboard.type('"rural roads"')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    texts = page.locator("li.statement p.text").all_inner_texts()
    assert shown_total(page) == len(texts) >= 1
    assert all("rural roads" in text.lower() for text in texts)
    assert page.get_by_label("Capital/province").input_value() == "KH-17"
    page.screenshot(path=str(screenshots / "2-statements-searched.png"), full_page=True)

    # The statement's source: the report's text with the statement marked, and the PDF page it is on.
    first = texts[0].split(" ", 1)[1]
    with page.expect_navigation():
        page.locator("a.source-link").first.click()
    assert "/source/" in page.url
    assert page.inner_text("#current-statement").strip() == first.strip()
    assert page.locator("figure.page img").evaluate("image => image.naturalWidth") > 0
    page.screenshot(path=str(screenshots / "3-source.png"), full_page=True)

    # A saved query, run from the SQL page, and its result downloaded as CSV.
    with page.expect_navigation():
        page.get_by_role("link", name="SQL", exact=True).click()
    saved = saved_queries()[0]
    with page.expect_navigation():
        page.get_by_role("link", name=saved.question).click()
    expected = run_query(out, saved.sql)
    assert int(page.inner_text("#row-count")) == len(expected) > 0
    assert page.locator("table.result tbody tr").count() == len(expected)
    page.screenshot(path=str(screenshots / "4-sql-saved-query.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    target = tmp_path / "result.csv"
    download_info.value.save_as(target)
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["province"] for row in rows] == list(expected["province"])
    assert [int(row["challenges"]) for row in rows] == list(expected["challenges"])

    # The province page, reached from the navigation.
    with page.expect_navigation():
        page.get_by_role("link", name="Provinces", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Siem Reap", exact=True).click()
    assert page.locator("h1").inner_text().startswith("Siem Reap")
    page.screenshot(path=str(screenshots / "5-province.png"), full_page=True)
    assert page.violations == [], "the pages need no inline script or style"


def test_the_statements_page_can_be_worked_from_the_keyboard_alone(page):
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    order = []
    for _ in range(4):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert order[:4] == ["q", "Search", "facet-province", "facet-level"]
