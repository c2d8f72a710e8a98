"""The analysts' JSON API on the sample corpus: who may read, filters, pages, and nothing that writes."""

import re
import shutil

import pytest
from fastapi.testclient import TestClient

from pipeline.review import User, decide, save_user
from workreview.web.app import create_app

ANALYST = ("ana", "analyst-password")
REVIEWER = ("rita", "reviewer-password")
ROUTES = ("/api/statements", "/api/documents", "/api/provinces", "/api/quantities")


@pytest.fixture(scope="module")
def out(analyst_dataset, tmp_path_factory):
    """A copy of the dataset with accounts (the shared one stays as built)."""
    out = tmp_path_factory.mktemp("api") / "data"
    shutil.copytree(analyst_dataset, out)
    save_user(out, ANALYST[0], "analyst", ANALYST[1])
    save_user(out, REVIEWER[0], "reviewer", REVIEWER[1])
    return out


@pytest.fixture(scope="module")
def client(out) -> TestClient:
    """Signed in as the analyst through the login form: the session cookie spares a password hash per request."""
    client = TestClient(create_app(out))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    signed_in = client.post("/login", data={"name": ANALYST[0], "password": ANALYST[1], "csrf_token": token})
    assert signed_in.status_code in (200, 303)
    return client


@pytest.fixture(scope="module")
def anonymous(out) -> TestClient:
    return TestClient(create_app(out))


def get(client: TestClient, route: str, **params) -> dict | list:
    response = client.get(route, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_and_wrong_passwords_are_refused(anonymous, route):
    refused = anonymous.get(route)
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")
    assert anonymous.get(route, auth=(ANALYST[0], "wrong-password")).status_code == 401


def test_an_analyst_reads_with_basic_credentials_or_a_session_but_no_route_writes(anonymous, client):
    assert anonymous.get("/api/provinces", auth=ANALYST).status_code == 200
    assert client.get("/api/provinces").status_code == 200
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/statements").status_code == 405


def test_provinces_list_all_25_with_their_submission_status(client):
    provinces = get(client, "/api/provinces")
    assert [p["code"] for p in provinces] == [f"KH-{n}" for n in range(1, 26)]
    status = {p["name"]: p["status"] for p in provinces}
    assert status["Kep"] == "needs_ocr" and status["Pailin"] == "missing"
    assert sum(s == "reported" for s in status.values()) == 23
    phnom_penh = provinces[11]
    assert (
        phnom_penh["province_documents"] == 1 and phnom_penh["local_documents"] == 3 and phnom_penh["achievements"] > 0
    )


def test_statement_filters_narrow_the_list_and_agree_with_each_other(client):
    everything = get(client, "/api/statements", limit=1)["total"]
    by_code = get(client, "/api/statements", province="KH-7", kind="challenge", limit=1000)
    by_name = get(client, "/api/statements", province="kampot", kind="challenge", limit=1000)
    assert 0 < by_code["total"] < everything and by_code == by_name
    assert {(s["province_code"], s["kind"]) for s in by_code["items"]} == {("KH-7", "challenge")}
    flagged = get(client, "/api/statements", flagged=True, limit=1)["total"]
    unflagged = get(client, "/api/statements", flagged=False, limit=1)["total"]
    assert flagged + unflagged == everything and flagged > 0
    assert get(client, "/api/statements", year=2020, limit=1)["total"] == everything
    assert get(client, "/api/statements", year=2019, limit=1)["total"] == 0
    sector = get(client, "/api/statements", limit=1000, kind="goal")["items"][0]["sector"]
    in_sector = get(client, "/api/statements", sector=sector.upper(), limit=1000)
    assert in_sector["total"] > 0 and {s["sector"] for s in in_sector["items"]} == {sector}


def test_full_text_search_matches_words_and_treats_sql_and_wildcards_as_text(client):
    found = get(client, "/api/statements", q="LAND DISPUTE", limit=1000)
    assert found["total"] > 0 and all("land dispute" in s["text"].lower() for s in found["items"])
    percent = get(client, "/api/statements", q="%", limit=1000)
    assert percent["total"] > 0 and all("%" in s["text"] for s in percent["items"])
    assert get(client, "/api/statements", q="_", limit=1)["total"] == 0
    assert get(client, "/api/statements", q="' OR 1=1 --", limit=1)["total"] == 0


def test_pages_cover_every_match_once(client):
    whole = get(client, "/api/statements", kind="goal", limit=1000)
    pages = [
        get(client, "/api/statements", kind="goal", limit=25, offset=offset) for offset in range(0, whole["total"], 25)
    ]
    assert {page["total"] for page in pages} == {whole["total"]}
    ids = [s["statement_id"] for page in pages for s in page["items"]]
    assert ids == [s["statement_id"] for s in whole["items"]] and len(set(ids)) == whole["total"]
    assert get(client, "/api/statements", kind="goal", offset=whole["total"])["items"] == []
    assert client.get("/api/statements", params={"limit": 1001}).status_code == 422
    assert client.get("/api/statements", params={"kind": "gossip"}).status_code == 422


def test_review_status_filter_shows_reviewers_decisions(client, out):
    first = get(client, "/api/statements", flagged=True, kind="challenge", limit=1)["items"][0]
    assert first["review_status"] == "unreviewed"
    decide(
        out,
        reviewer=User(REVIEWER[0], "reviewer"),
        statement=first,
        new_values={**first, "kind": "goal"},
        base_version=0,
    )
    corrected = get(client, "/api/statements", review_status="corrected")
    assert [(s["statement_id"], s["kind"], s["reviewed_by"]) for s in corrected["items"]] == [
        (first["statement_id"], "goal", REVIEWER[0])
    ]
    assert get(client, "/api/statements", review_status="unreviewed", limit=1)["total"] == (
        get(client, "/api/statements", limit=1)["total"] - 1
    )


def test_documents_and_quantities_can_be_filtered(client):
    scans = get(client, "/api/documents", status="needs_ocr")
    assert [d["source_file"] for d in scans["items"]] == ["kep_2020_annual_report_scan.pdf"]
    khans = get(client, "/api/documents", level="khan", province="Phnom Penh")
    assert khans["total"] == 3 and {d["level"] for d in khans["items"]} == {"khan"}
    roads = get(client, "/api/quantities", unit="KM", kind="achievement", province="KH-21", limit=1000)
    assert roads["total"] > 0
    for quantity in roads["items"]:
        assert quantity["unit"] == "km" and quantity["province_code"] == "KH-21"
        assert quantity["text"] in quantity["statement_text"]


def test_the_openapi_description_lists_the_routes_and_their_filters_to_signed_in_users(anonymous, client):
    assert anonymous.get("/openapi.json").status_code == 401
    spec = client.get("/openapi.json").json()
    assert set(ROUTES) <= set(spec["paths"])
    parameters = {p["name"] for p in spec["paths"]["/api/statements"]["get"]["parameters"]}
    assert {"province", "kind", "sector", "year", "flagged", "review_status", "q", "limit", "offset"} <= parameters


@pytest.mark.parametrize("spelling", ["Siemreap", "Siem Reap", "kh-17", "SIEM-REAP", "Siem Reab"])
def test_a_province_is_found_by_any_spelling_the_gazetteer_knows(client, spelling):
    expected = get(client, "/api/statements", province="KH-17", limit=1000)
    assert expected["total"] > 0
    assert get(client, "/api/statements", province=spelling, limit=1000) == expected
    assert get(client, "/api/documents", province=spelling)["total"] == get(client, "/api/documents", province="KH-17")[
        "total"
    ]


@pytest.mark.parametrize(
    ("route", "parameter", "value", "suggestion"),
    [
        ("/api/statements", "province", "KH-99", "KH-9"),
        ("/api/statements", "province", "Siem Reep City", "Siem Reap (KH-17)"),
        ("/api/statements", "sector", "helth", "health"),
        ("/api/statements", "kind", "chalenge", "challenge"),
        ("/api/statements", "review_status", "acepted", "accepted"),
        ("/api/documents", "province", "Atlantis-99", None),
        ("/api/documents", "level", "distrikt", "district"),
        ("/api/quantities", "province", "KH-99", "KH-9"),
    ],
)
def test_an_unknown_filter_value_is_a_422_naming_the_nearest_valid_values(client, route, parameter, value, suggestion):
    refused = client.get(route, params={parameter: value})
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert value in body["detail"] and body["value"] == value
    if suggestion:
        assert any(suggestion in option for option in body["suggestions"]), body


def test_the_readme_curl_example_finds_statements(client):
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (url,) = re.findall(r'curl -u ana "http://127\.0\.0\.1:8000(/api/statements\?[^"]+)"', readme)
    found = client.get(url).json()
    assert found["total"] > 0 and all("flood" in s["text"].lower() for s in found["items"])
