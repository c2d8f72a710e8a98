"""Khmer statements as a reader sees them: the summary and a review item in headless Chromium, with Khmer glyphs.

A missing Khmer font shows as "tofu" (empty boxes, one per character), which no DOM check notices. So each page's
Khmer text is measured as rendered with the page's own font stack, with "Khmer OS" alone, and as a string of the
same length whose characters no font has (U+0378, unassigned): the page must match the Khmer font and not the
boxes. The screenshots are kept for a person to look at (printed paths).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from web_server import served_app, sign_in

from pipeline import store, summarize
from pipeline.process import process_file

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
    pytest.mark.skipif(
        not Path("/usr/share/fonts/truetype/khmeros/KhmerOS.ttf").exists(),
        reason="needs a Khmer font: apt-get install fonts-khmeros",
    ),
]

KHMER_REPORT = """ព្រះរាជាណាចក្រកម្ពុជា
ជាតិ សាសនា ព្រះមហាក្សត្រ

រដ្ឋបាលខេត្តកំពត
របាយការណ៍លទ្ធផលការងារឆ្នាំ ២០២១ និងទិសដៅការងារឆ្នាំ ២០២២

១. លទ្ធផលការងារ

រដ្ឋបាលខេត្តបានចាក់បេតុងផ្លូវលំក្នុងភូមិប្រវែង ៤៦ គីឡូម៉ែត្រ ដោយថវិកាខេត្ត។

២. បញ្ហាប្រឈម

ទឹកជំនន់ខែតុលាបានធ្វើឱ្យខូចខាតស្រែប្រាំង ៣០០ ហិកតា។

៣. ទិសដៅការងារឆ្នាំ ២០២២

ជីកអណ្តូងថ្មីចំនួន ៥០ អណ្តូង សម្រាប់គ្រួសារក្រីក្រ។
"""
GOAL = "ជីកអណ្តូងថ្មីចំនួន ៥០ អណ្តូង សម្រាប់គ្រួសារក្រីក្រ។"
STATEMENT = "រដ្ឋបាលខេត្តបានចាក់បេតុងផ្លូវលំក្នុងភូមិប្រវែង ៤៦ គីឡូម៉ែត្រ ដោយថវិកាខេត្ត។"

MEASURE = """(element) => {
  const family = getComputedStyle(element).fontFamily;
  const shown = (element.textContent.match(/[\\u1780-\\u17ff]+/g) || []).join("");  // its Khmer letters only
  const width = (fontFamily, content) => {
    const span = document.createElement("span");
    span.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap;font-size:20px";
    span.style.fontFamily = fontFamily;
    span.textContent = content;
    document.body.appendChild(span);
    const result = span.getBoundingClientRect().width;
    span.remove();
    return result;
  };
  return {
    family,
    own: width(family, shown),
    khmer: width('"Khmer OS"', shown),
    tofu: width(family, shown.replace(/[\\u1780-\\u17ff]/g, "\\u0378")),
  };
}"""


def assert_khmer_glyphs(element) -> None:
    """``element`` (a Playwright locator) shows its Khmer text in a Khmer font, not as boxes."""
    measured = element.evaluate(MEASURE)
    assert '"Khmer OS"' in measured["family"], measured["family"]
    assert measured["own"] > 100, measured  # there is Khmer text to see
    assert measured["own"] == pytest.approx(measured["khmer"], rel=0.01), measured
    assert abs(measured["own"] - measured["tofu"]) > 0.1 * measured["tofu"], measured


@pytest.fixture(scope="module")
def khmer_dataset(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("khmer")
    reports, out = root / "reports", root / "out"
    reports.mkdir()
    (reports / "kampot_2021_km.txt").write_text(KHMER_REPORT, encoding="utf-8")
    con = store.connect(out)
    try:
        store.set_meta(con, "reports_dir", str(reports.resolve()))
        store.save_document(con, process_file(reports / "kampot_2021_km.txt", "kampot_2021_km.txt"))
        store.export(con, out)
        summarize.write_summaries(con, out)
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_the_summary_shows_khmer_statements_in_a_khmer_font(browser, khmer_dataset, tmp_path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.route("http*://**/*", lambda route: route.abort())
    page.goto((khmer_dataset / "summary.html").as_uri())
    page.wait_for_load_state("load")
    statement = page.get_by_text(STATEMENT).first
    assert statement.is_visible()
    assert_khmer_glyphs(statement)
    screenshot = tmp_path / "summary_km.png"
    statement.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot))
    print(f"\nKhmer summary screenshot: {screenshot}")
    page.close()


@pytest.fixture(scope="module")
def server(khmer_dataset):
    with served_app(khmer_dataset, "rita", "reviewer", "rita-password") as address:
        yield address


def test_a_review_item_shows_its_khmer_statement_in_a_khmer_font(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server}/")
    sign_in(page)
    page.wait_for_selector("table.queue")
    with page.expect_navigation():
        page.keyboard.press("s")  # the first item of the queue
    shown = page.inner_text("#current-statement")
    assert any(statement in shown for statement in (STATEMENT, GOAL)), shown
    assert_khmer_glyphs(page.locator("#current-statement"))
    screenshot = tmp_path / "review_item_km.png"
    page.screenshot(path=str(screenshot), full_page=True)
    print(f"\nKhmer review item screenshot: {screenshot}")
    context.close()
