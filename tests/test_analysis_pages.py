"""The analysts' pages without a browser: who may see them, facets and counts, search, SQL and its downloads."""

import csv
import html
import io
import re
import shutil

import pytest
from fastapi.testclient import TestClient

from pipeline.cookbook import saved_queries
from pipeline.query import run_query
from pipeline.review import save_user
from workreview.web.app import create_app

ANALYST = ("ana", "analyst-password")
REVIEWER = ("rita", "reviewer-password")
PAGES = ("/statements", "/sql", "/provinces", "/provinces/KH-7")


@pytest.fixture(scope="module")
def out(analyst_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("pages") / "data"
    shutil.copytree(analyst_dataset, out)
    save_user(out, ANALYST[0], "analyst", ANALYST[1])
    save_user(out, REVIEWER[0], "reviewer", REVIEWER[1])
    return out


def signed_in(out, account) -> TestClient:
    client = TestClient(create_app(out))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"name": account[0], "password": account[1], "csrf_token": token})
    return client


@pytest.fixture(scope="module")
def analyst(out) -> TestClient:
    return signed_in(out, ANALYST)


def total(page: str) -> int:
    return int(re.search(r'<span id="total">(\d+)</span>', page).group(1))


def facet_options(page: str, facet: str) -> dict[str, int]:
    select = re.search(rf'<select id="facet-{facet}".*?</select>', page, re.S).group(0)
    return {value: int(count) for value, count in re.findall(r'<option value="([^"]+)"[^>]*>[^<]*\((\d+)\)', select)}


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_are_for_analysts_not_reviewers_nor_strangers(out, analyst, page):
    assert analyst.get(page).status_code == 200
    assert signed_in(out, REVIEWER).get(page).status_code == 403
    assert TestClient(create_app(out)).get(page, follow_redirects=False).status_code == 303  # to the login form


def test_facet_counts_are_what_choosing_the_value_shows(analyst):
    everything = analyst.get("/statements").text
    kinds = facet_options(everything, "kind")
    assert set(kinds) == {"achievement", "challenge", "goal"} and sum(kinds.values()) == total(everything)
    for kind, count in kinds.items():
        assert total(analyst.get("/statements", params={"kind": kind}).text) == count
    in_kampot = analyst.get("/statements", params={"province": "kampot"}).text
    assert 'value="KH-7" selected' in in_kampot
    challenges = facet_options(in_kampot, "kind")["challenge"]
    both = analyst.get("/statements", params={"province": "Kampot", "kind": "challenge"}).text
    assert total(both) == challenges and both.count('class="kind kind-challenge"') == challenges


def test_search_ranks_matches_and_a_quoted_phrase_must_appear_whole(analyst):
    words = analyst.get("/statements", params={"q": "land disputes"}).text
    phrase = analyst.get("/statements", params={"q": '"land disputes"'}).text
    assert 0 < total(phrase) <= total(words)
    texts = re.findall(r'<p class="text"><span class="kind[^>]*>\w+</span> (.*?)</p>', phrase, re.S)
    assert texts and all("land disputes" in text.lower() for text in texts)
    scores = [float(score) for score in re.findall(r"score (\d+\.\d+)", words)]
    assert scores == sorted(scores, reverse=True)


def test_an_unknown_facet_value_is_refused_with_the_nearest_values(analyst):
    refused = analyst.get("/statements", params={"province": "Siemreap City"})
    assert refused.status_code == 422 and "Siem Reap (KH-17)" in refused.text


def test_each_statement_links_to_its_source_in_the_report(analyst):
    page = analyst.get("/statements", params={"province": "KH-7", "kind": "goal"}).text
    link = re.search(r'href="(/source/[^"]+)"', page).group(1)
    source = analyst.get(link).text
    marked = re.search(r'<mark id="current-statement">(.*?)</mark>', source, re.S).group(1)
    assert marked.strip() and "Kampot" in source


def test_a_saved_query_runs_and_downloads_whole_as_csv_and_json(analyst, out):
    saved = saved_queries()[0]
    page = analyst.get("/sql", params={"saved": saved.slug}).text
    expected = run_query(out, saved.sql)
    assert f'<strong id="row-count">{len(expected)}</strong>' in page
    link = re.search(r'href="(/sql/result\.csv\?[^"]+)"', page).group(1).replace("&amp;", "&")
    download = analyst.get(link)
    assert download.headers["content-disposition"] == 'attachment; filename="result.csv"'
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == len(expected) and list(rows[0]) == list(expected.columns)
    as_json = analyst.get(link.replace("result.csv", "result.json")).json()
    assert [row["province"] for row in as_json] == list(expected["province"])


def test_the_sql_page_keeps_the_guards_of_the_query_command(analyst):
    refused = analyst.get("/sql", params={"query": "DELETE FROM statements"})
    assert refused.status_code == 400 and "read-only" in refused.text
    assert analyst.get("/sql/result.csv", params={"query": "DROP TABLE statements"}).status_code == 400
    assert analyst.get("/sql", params={"query": "SELECT count(*) AS n FROM statements"}).status_code == 200


def test_a_province_page_shows_its_reports_and_statements(analyst):
    page = analyst.get("/provinces/Siemreap").text
    assert "<h1>Siem Reap" in page and "KH-17" in page and "Most confident achievements" in page
    overview = analyst.get("/provinces").text
    assert overview.count('<th scope="row">') == 25 and "needs ocr" in overview


@pytest.mark.parametrize(
    ("params", "status"),
    [({"year": "20x0"}, 400), ({"year": "99999999999999999999"}, 400), ({"page": "0"}, 422),
     ({"page": str(10**12)}, 422), ({"kind": "gaol"}, 422), ({"province": "x" * 101}, 422)],
)
def test_bad_browser_parameters_are_refused_not_crashed_on(analyst, params, status):
    assert analyst.get("/statements", params=params).status_code == status


def test_the_review_item_page_says_how_many_are_left(analyst_dataset, tmp_path):
    """(The reviewers' item page, on this dataset because it has flagged statements to review; a copy of its own,
    since it decides.)"""
    from review_fixtures import csrf_of

    out = tmp_path / "data"
    shutil.copytree(analyst_dataset, out)
    save_user(out, REVIEWER[0], "reviewer", REVIEWER[1])
    client = signed_in(out, REVIEWER)
    queue = client.get("/").text
    pending = int(re.search(r'id="pending-count">(\d+)<', queue).group(1))
    decided = int(re.search(r'id="decided-count">(\d+)<', queue).group(1))
    first = client.get("/next")
    assert pending > 1 and f"<strong>{pending}</strong> of {pending + decided} left" in first.text
    form = {
        "csrf_token": csrf_of(first.text),
        "base_version": re.search(r'name="base_version" value="(\d+)"', first.text).group(1),
        "kind": re.search(r'name="kind" value="([^"]+)"', first.text).group(1),
        "text": html.unescape(re.search(r'<textarea name="text"[^>]*>([^<]*)</textarea>', first.text).group(1)),
        "choice": "accept",
    }
    following = client.post(f"{first.url.path}/decide", data=form)
    assert f"<strong>{pending - 1}</strong> of {pending + decided} left" in following.text
