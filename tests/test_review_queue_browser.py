"""The reviewers' queue in a real browser (Debian's Chromium, headless, through Playwright): an honest sign-in error,
the page asked for after signing in, the queue's second page, a search, Enter opening the first row, the progress
on the item page and a refused edit that keeps its text. Screenshots of each step are saved in the folder the test
prints: ``$WORKREVIEW_SCREENSHOTS/review-queue`` if that is set, else ``review-queue-screenshots`` in pytest's
temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from review_fixtures import REPORT, build_dataset, many_statements_report
from web_server import served_app

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app over Kampot's report and a district report of 74 flagged statements, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("review-queue-browser")
    reports = root / "reports"
    reports.mkdir()
    (reports / "kampot_2020.txt").write_text(REPORT, encoding="utf-8")
    (reports / "district_2020.txt").write_text(many_statements_report(), encoding="utf-8")
    build_dataset(reports, root / "out")
    with served_app(root / "out", "rita", "reviewer", "rita-password") as address:
        yield address


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """``$WORKREVIEW_SCREENSHOTS/review-queue`` when set (to keep them), else a folder of this test session."""
    keep = os.environ.get("WORKREVIEW_SCREENSHOTS")
    if keep:
        folder = Path(keep) / "review-queue"
    else:
        folder = tmp_path_factory.mktemp("review-queue-screenshots", numbered=False)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nreview queue screenshots: {folder}")
    return folder


@pytest.fixture
def page(server):
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        violations: list[str] = []
        page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else 0)
        page.violations = violations
        yield page
        context.close()
        chromium.close()


def press(page, key: str) -> None:
    """One key press that follows a link or submits a form, waiting for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def row_links(page) -> list[str]:
    return [row.get_attribute("data-href") for row in page.locator("tr[data-href]").all()]


def test_a_reviewer_signs_in_pages_searches_opens_with_enter_and_keeps_a_refused_edit(page, server, screenshots):
    page.goto(f"{server}/?page=2")
    assert "/login" in page.url, "anonymous visitors are sent to sign in"
    page.get_by_label("User name").fill("rita")
    page.get_by_label("Password").fill("not-her-password")
    press(page, "Enter")
    assert page.get_by_role("alert").inner_text() == "Wrong user name or password."
    assert page.get_by_label("User name").input_value() == "rita", "the name typed is kept"
    page.screenshot(path=str(screenshots / "1-login-wrong-password.png"), full_page=True)

    page.keyboard.type("rita-password")  # the password field has the focus
    press(page, "Enter")
    assert page.url == f"{server}/?page=2", "after signing in, the page asked for"
    assert page.inner_text("#page-position") == "Rows 51–74 of 74"
    assert len(row_links(page)) == 24
    page.screenshot(path=str(screenshots / "2-queue-page-2.png"), full_page=True)

    press(page, "p")
    assert page.inner_text("#page-position") == "Rows 1–50 of 74"
    page.get_by_role("link", name="Page 2").focus()
    press(page, "Enter")
    assert page.url.endswith("page=2"), "Enter on a page link follows it (it does not open a row)"

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "search"
    page.keyboard.type("ponds dry")
    press(page, "Enter")
    found = row_links(page)
    assert len(found) == 12 and page.inner_text("#page-position") == "Rows 1–12 of 12"
    assert all("ponds" in text for text in page.locator("td.text").all_inner_texts())
    assert page.get_by_label("Text").input_value() == "ponds dry"
    page.screenshot(path=str(screenshots / "3-queue-search.png"), full_page=True)

    press(page, "Enter")  # no row chosen: the first opens
    assert page.url.endswith(found[0])
    assert page.inner_text("#progress") == "12 of 12 left to review in this view"
    press(page, "q")
    page.keyboard.press("j")
    page.keyboard.press("j")
    press(page, "Enter")  # j, j: the second row
    assert page.url.endswith(found[1])

    press(page, "a")
    assert "Saved:" in page.inner_text(".flash")
    assert page.inner_text("#progress") == "11 of 12 left to review in this view"
    page.screenshot(path=str(screenshots / "4-item-progress.png"), full_page=True)

    typed = "Volunteers dug ponds by the sea so the village kept water."
    page.keyboard.press("e")
    page.keyboard.press("Control+A")
    page.keyboard.type(typed)
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    page.keyboard.type("the sea is far from here")
    press(page, "Enter")  # Enter in a field accepts
    assert "words of the report" in page.get_by_role("alert").inner_text()
    assert page.locator("textarea[name=text]").input_value() == typed
    assert page.locator("input[name=note]").input_value() == "the sea is far from here"
    assert page.inner_text("#progress") == "11 of 12 left to review in this view", "nothing was saved"
    page.screenshot(path=str(screenshots / "5-item-refused-edit-kept.png"), full_page=True)
    assert page.violations == []
