"""summary.html as leadership sees it: rendered by headless Chromium with the network cut off."""


import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"),
]


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        yield page
        browser.close()


def test_the_summary_renders_offline_with_all_25_provinces_and_its_charts(page, analyst_dataset, tmp_path):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.route("http*://**/*", lambda route: route.abort())
    page.goto((analyst_dataset / "summary.html").as_uri())

    rows = page.locator("#submission-table tbody tr")
    assert rows.count() == 25
    assert rows.locator("td:first-child").all_inner_texts() == [f"KH-{n}" for n in range(1, 26)]
    statuses = dict(zip(rows.locator("td:nth-child(2)").all_inner_texts(), rows.locator(".status").all_inner_texts()))
    assert statuses["Kep"] == "needs OCR" and statuses["Pailin"] == "missing" and statuses["Kampot"] == "reported"

    charts = page.locator("img.chart")
    assert charts.count() >= 3
    widths = charts.evaluate_all("images => images.map(image => image.complete ? image.naturalWidth : 0)")
    assert all(width > 100 for width in widths), widths
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []

    trace = page.locator("details.trace").first
    assert not trace.locator("table").is_visible()
    trace.locator("summary").click()
    assert trace.locator("tbody tr").count() >= 1 and trace.locator("code").first.is_visible()

    screenshot = tmp_path / "summary.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 50_000
    print(f"\nsummary.html screenshot: {screenshot}")
