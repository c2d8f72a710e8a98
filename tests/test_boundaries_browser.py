"""Reviewers' boundary changes in a real browser (Debian's Chromium, headless, driven by Playwright): split one
statement, merge two, add a missed one by selecting its text, then re-run the report and check the dataset holds
exactly those changes. Screenshots of each page go to ``$WORKREVIEW_SCREENSHOTS/boundaries`` when that is set."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from review_fixtures import build_dataset
from web_server import served_app, sign_in

from pipeline import store

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]

REPORT = """Takeo Provincial Administration
Report on the Results of Work in 2021

I. ACHIEVEMENTS IN 2021

The province paved 18 km of commune roads and the district offices trained 240 teachers.
Health centres opened two maternity wards.
The water office drilled 25 boreholes in dry communes.

II. CHALLENGES

Some communes still lack safe drinking water; late transfers slowed the road works.

III. GOALS FOR 2022

Pave 20 km of commune roads in 2022.
"""
SPLIT = "The province paved 18 km of commune roads and the district offices trained 240 teachers."
FIRST, SECOND = "Health centres opened two maternity wards.", "The water office drilled 25 boreholes in dry communes."
MISSED = "late transfers slowed the road works."


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    keep = os.environ.get("WORKREVIEW_SCREENSHOTS")
    folder = Path(keep) / "boundaries" if keep else tmp_path_factory.mktemp("boundary-screenshots", numbered=False)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nboundary screenshots: {folder}")
    return folder


def exported(out: Path) -> pd.DataFrame:
    con = store.connect(out)
    try:
        store.export(con, out, include_other=True)
    finally:
        con.close()
    return pd.read_parquet(out / "statements.parquet")


def statement_id(frame: pd.DataFrame, text: str) -> str:
    return frame.loc[frame["text"] == text, "statement_id"].item()


def test_split_merge_and_add_by_selecting_text_survive_a_rerun(tmp_path, screenshots):
    reports, out = tmp_path / "reports", tmp_path / "out"
    reports.mkdir()
    (reports / "takeo_2021.txt").write_text(REPORT, encoding="utf-8")
    build_dataset(reports, out)
    before = exported(out)
    missed_in = before.loc[before["text"].str.contains(MISSED), "text"].item()
    assert missed_in != MISSED, "the fixture's missed statement must be part of another one"
    with served_app(out, "rita", "reviewer", "rita-password") as base:
        with playwright_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/login")
            sign_in(page)

            # Split: choose the point from the list of words, with the keyboard.
            page.goto(f"{base}/item/{statement_id(before, SPLIT)}")
            page.screenshot(path=str(screenshots / "1-item-before-split.png"), full_page=True)
            label = next(
                option for option in page.eval_on_selector_all("#split option", "os => os.map(o => o.textContent)")
                if "| and …" in option
            )
            page.focus("#split select")
            page.select_option("#split select", label=label)
            with page.expect_navigation():
                page.click("#split button")
            assert "Split the statement" in page.inner_text(".flash")
            assert page.inner_text("#current-statement") == "The province paved 18 km of commune roads"
            page.screenshot(path=str(screenshots / "2-item-after-split.png"), full_page=True)

            # Merge two statements.
            page.goto(f"{base}/item/{statement_id(before, FIRST)}")
            assert page.inner_text("#next-statement") == SECOND
            with page.expect_navigation():
                page.click("#merge button")
            assert "Merged" in page.inner_text(".flash")
            merged = page.text_content("#current-statement")
            assert merged.startswith(FIRST) and merged.endswith(SECOND)
            assert not merged[len(FIRST) : -len(SECOND)].strip(), "only the space between them is added"
            page.screenshot(path=str(screenshots / "3-item-after-merge.png"), full_page=True)

            # Add a missed statement: first shorten the statement that swallowed it, then select it on the text.
            page.goto(f"{base}/item/{statement_id(before, missed_in)}")
            end = page.eval_on_selector_all(
                "#adjust select[name=end] option",
                "options => options.find(o => o.textContent.endsWith('drinking water;')).value",
            )
            page.select_option("#adjust select[name=end]", end)
            with page.expect_navigation():
                page.click("#adjust button")
            assert page.inner_text("#current-statement") == "Some communes still lack safe drinking water;"
            with page.expect_navigation():
                page.click("#add-missed")
            page.evaluate(
                """missed => {
                    const piece = [...document.querySelectorAll('#document-text [data-start]')]
                        .find(element => element.textContent.includes(missed));
                    const node = piece.firstChild, at = node.textContent.indexOf(missed);
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + missed.length);
                    getSelection().removeAllRanges();
                    getSelection().addRange(range);
                }""",
                MISSED,
            )
            page.wait_for_function(f"document.getElementById('selection-text').textContent === {MISSED!r}")
            page.select_option("#add-kind", "challenge")
            page.screenshot(path=str(screenshots / "4-source-selection.png"), full_page=True)
            with page.expect_navigation():
                page.click("#add-button")
            assert "Added a challenge statement" in page.inner_text(".flash")
            assert page.inner_text("#current-statement") == MISSED

            page.goto(f"{base}/boundaries")
            states = page.eval_on_selector_all("table.boundaries td.state", "cells => cells.map(c => c.textContent)")
            assert states == ["applied"] * 4
            page.screenshot(path=str(screenshots / "5-boundary-changes.png"), full_page=True)
            chromium.close()

    build_dataset(reports, out)  # the re-run: the same file read again
    after = exported(out)
    texts = set(after["text"])
    changed = {SPLIT, FIRST, SECOND, missed_in}
    made = {
        "The province paved 18 km of commune roads",
        "and the district offices trained 240 teachers.",
        merged,
        "Some communes still lack safe drinking water;",
        MISSED,
    }
    assert texts == (set(before["text"]) - changed) | made
    edited = after[after["text"].isin(made)]
    assert set(edited["review_status"]) == {"corrected"} and set(edited["reviewed_by"]) == {"rita"}
    assert after.loc[after["text"] == MISSED, "kind"].item() == "challenge"

    # The report changes: the merged sentences are rewritten, so the merge is orphaned, shown, and not applied.
    (reports / "takeo_2021.txt").write_text(REPORT.replace("two maternity", "three maternity"), encoding="utf-8")
    build_dataset(reports, out)
    with served_app(out, "rita", "reviewer", "rita-password") as base:
        with playwright_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/login")
            sign_in(page)
            page.goto(f"{base}/boundaries")
            assert page.inner_text("#orphaned-count") == "1"
            assert "orphaned" in page.inner_text("#change-2 td.state")
            assert page.inner_text("#change-1 td.state") == "applied"
            page.screenshot(path=str(screenshots / "6-boundary-changes-after-a-changed-report.png"), full_page=True)
            page.focus("#change-1 button")  # undo the split, with the keyboard
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "Undid change 1" in page.inner_text(".flash")
            assert page.inner_text("#change-1 td.state").startswith("undone by rita")
            page.screenshot(path=str(screenshots / "7-boundary-change-undone.png"), full_page=True)
            chromium.close()
    texts = set(exported(out)["text"])
    assert SPLIT in texts and "Health centres opened three maternity wards." in texts and MISSED in texts
