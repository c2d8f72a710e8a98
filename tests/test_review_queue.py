"""The reviewers' queue and item pages as a reviewer meets them: pages and search, progress, claims that end when
the reviewer leaves, refused decisions that keep what was typed, and honest sign-in errors."""

from __future__ import annotations

import html
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from review_fixtures import REPORT, build_dataset, csrf_of, many_statements_report

from pipeline import review, store
from workreview.web import queue as q
from workreview.web.app import create_app

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ROW = re.compile(r'<tr data-href="/item/([0-9a-f]+)')


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Two reports: Kampot's, and a district report whose 74 statements are all flagged (more than a page)."""
    root = tmp_path_factory.mktemp("review-queue")
    reports = root / "reports"
    reports.mkdir()
    (reports / "kampot_2020.txt").write_text(REPORT, encoding="utf-8")
    (reports / "district_2020.txt").write_text(many_statements_report(), encoding="utf-8")
    build_dataset(reports, root / "out")
    return root / "out"


@pytest.fixture
def out(built, tmp_path, monkeypatch) -> Path:
    """A private copy of the dataset with three accounts: each test writes its own decisions and claims."""
    shutil.copytree(built, tmp_path / "out")
    out = tmp_path / "out"
    monkeypatch.setattr(review, "_hasher", FAST_HASHER)
    for name in ("rita", "sam"):
        review.save_user(out, name, "reviewer", f"{name}-password")
    review.save_user(out, "ana", "analyst", "ana-password")
    return out


def signed_in(out: Path, name: str) -> TestClient:
    client = TestClient(create_app(out))
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": f"{name}-password", "csrf_token": token})
    assert response.status_code == 200 and f"{name} ·" in response.text
    return client


def flagged_ids(out: Path) -> list[str]:
    """The flagged statements' ids in review order."""
    with q.open_dataset(out) as con:
        return [statement["statement_id"] for statement in q.flagged_statements(con)]


def text_of(out: Path, statement_id: str) -> str:
    with q.open_dataset(out) as con:
        return q.statement(con, statement_id)["text"]


def progress(page: str) -> tuple[int, int]:
    left, total = re.search(r'id="progress"><strong>(\d+)</strong> of (\d+) left', page).groups()
    return int(left), int(total)


def decision_form(page: str, choice: str) -> dict:
    text = re.search(r'<textarea name="text"[^>]*>([^<]*)</textarea>', page).group(1)
    return {
        "csrf_token": csrf_of(page),
        "base_version": re.search(r'name="base_version" value="(\d+)"', page).group(1),
        "kind": re.search(r'name="kind" value="([^"]+)"', page).group(1),
        "text": html.unescape(text),
        "choice": choice,
        "view": html.unescape(re.search(r'name="view" value="([^"]*)"', page).group(1)),
    }


# --- pages and search -------------------------------------------------------------------------------------------


def test_the_queue_shows_fifty_rows_a_page_and_every_row_on_some_page(out):
    ids = flagged_ids(out)
    assert len(ids) == 74
    client = signed_in(out, "ana")
    first, second = client.get("/"), client.get("/?page=2")
    assert ROW.findall(first.text) == ids[:50] and ROW.findall(second.text) == ids[50:]
    assert "Rows 1–50 of 74" in first.text and "Rows 51–74 of 74" in second.text
    assert 'href="/?page=2" rel="next"' in first.text and 'href="/?page=1" rel="prev"' in second.text
    assert 'aria-current="page">2<' in second.text
    assert ROW.findall(client.get("/?page=9").text) == ids[50:], "a page past the end shows the last one"
    assert 'href="/?page=2" data-key="q"' in client.get(f"/item/{ids[60]}").text, "q returns to the item's page"
    assert 'href="/" data-key="q"' in client.get(f"/item/{ids[49]}").text
    assert client.get("/?page=0").status_code == 422


def test_page_links_keep_the_filters_and_name_the_first_last_and_nearby_pages(out):
    client = signed_in(out, "ana")
    page = client.get("/?status=all&reason=province_unresolved").text
    assert 'href="/?reason=province_unresolved&amp;status=all&amp;page=2"' in page
    numbers = q.paginate([{}] * 1000, 10).links()
    assert numbers == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert q.paginate([{}] * 120, 1).links() == [1, 2, 3]
    assert q.paginate([], 1).links() == [1]


def test_search_narrows_the_queue_the_item_progress_and_the_next_item(out):
    client = signed_in(out, "rita")
    ids = {text_of(out, statement_id): statement_id for statement_id in flagged_ids(out)}
    mangroves = ids["Fishers replanted 4 ha of mangroves along the estuary."]
    assert ROW.findall(client.get("/?search=mangrove").text) == [mangroves], "plurals fold"
    ponds = ROW.findall(client.get("/", params={"search": "ponds dry"}).text)
    assert len(ponds) == 12 and all("ponds" in text_of(out, statement_id) for statement_id in ponds)
    assert ROW.findall(client.get("/", params={"search": '"water through the dry"'}).text) == ponds
    assert ROW.findall(client.get("/", params={"search": '"dry water"'}).text) == []
    assert "No flagged statement matches" in client.get("/?search=tsunami").text

    item = client.get(f"/item/{ponds[0]}", params={"search": "ponds"}).text
    assert progress(item) == (12, 12)
    assert 'name="view" value="search=ponds"' in item
    response = client.post(f"/item/{ponds[0]}/decide", data=decision_form(item, "accept"), follow_redirects=True)
    assert str(response.url).split("?")[0].endswith(f"/item/{ponds[1]}"), "the next item is the search's next"
    assert progress(response.text) == (11, 12)


def test_the_queue_search_is_answered_by_the_index_built_at_store_time(out):
    """Take a statement's terms out of the index and the search no longer finds it: no scan of every text."""
    ids = {text_of(out, statement_id): statement_id for statement_id in flagged_ids(out)}
    mangroves = ids["Fishers replanted 4 ha of mangroves along the estuary."]
    client = signed_in(out, "ana")
    assert ROW.findall(client.get("/?search=estuary").text) == [mangroves]
    con = duckdb.connect(str(out / store.DATABASE_NAME))
    con.execute("DELETE FROM search_terms WHERE statement_id = ?", [mangroves])
    con.close()
    assert ROW.findall(client.get("/?search=estuary").text) == []
    con = duckdb.connect(str(out / store.DATABASE_NAME))
    con.execute("DROP TABLE search_terms")
    con.close()
    refused = client.get("/?search=estuary")
    assert refused.status_code == 400 and "no search index yet" in refused.text


# --- progress ---------------------------------------------------------------------------------------------------


def test_progress_counts_down_with_each_decision_and_up_again_with_undo(out):
    client = signed_in(out, "rita")
    ids = flagged_ids(out)
    page = client.get("/next", follow_redirects=True)
    assert progress(page.text) == (74, 74)
    for expected_left in (73, 72):
        page = client.post(page.url.path + "/decide", data=decision_form(page.text, "accept"), follow_redirects=True)
        assert progress(page.text) == (expected_left, 74)
    decided = client.get("/?status=decided").text
    assert progress(client.get(f"/item/{ids[0]}?status=decided").text) == (72, 74)
    assert len(ROW.findall(decided)) == 2
    undone = client.post("/undo", data={"csrf_token": csrf_of(page.text), "view": ""}, follow_redirects=True)
    assert progress(undone.text) == (73, 74)


# --- claims -----------------------------------------------------------------------------------------------------


def being_reviewed(client: TestClient) -> list[str]:
    return re.findall(r"being reviewed by (\w+)", client.get("/?status=all").text)


def test_a_claim_ends_when_its_reviewer_moves_on_decides_goes_back_or_signs_out(out):
    rita, sam = signed_in(out, "rita"), signed_in(out, "sam")
    first, second = flagged_ids(out)[:2]

    rita.get(f"/item/{first}")
    assert being_reviewed(sam) == ["rita"]
    assert "rita is reviewing this statement" in sam.get(f"/item/{first}").text
    assert sam.get("/next", follow_redirects=False).headers["location"].startswith("/item/"), "sam gets another"
    assert sam.get("/next", follow_redirects=False).headers["location"] != f"/item/{first}"

    rita.get(f"/item/{second}")  # moved on (skipped): only the item she is on is hers
    assert review.active_claims(out) == {second: "rita"}

    rita.get("/")  # back on the queue: reviewing nothing
    assert "rita" not in being_reviewed(sam)

    page = rita.get(f"/item/{second}").text
    rita.post(f"/item/{second}/decide", data=decision_form(page, "accept"), follow_redirects=False)
    assert second not in review.active_claims(out), "a decision releases the item"

    rita.get(f"/item/{first}")
    assert being_reviewed(sam) == ["rita"]
    rita.post("/logout", data={"csrf_token": csrf_of(rita.get(f"/item/{first}").text)})
    assert "rita" not in being_reviewed(sam), "signing out releases the item"

    rita = signed_in(out, "rita")
    rita.get(f"/item/{first}")
    review.save_user(out, "rita", "reviewer", "rita-password")  # a new password ends her sessions
    assert "rita" not in being_reviewed(sam)
    rita = signed_in(out, "rita")
    rita.get(f"/item/{first}")
    review.delete_user(out, "rita")
    assert "rita" not in being_reviewed(sam)


def test_a_claim_left_idle_lapses_after_claim_minutes(out):
    rita, sam = signed_in(out, "rita"), signed_in(out, "sam")
    first = flagged_ids(out)[0]
    rita.get(f"/item/{first}")
    assert being_reviewed(sam) == ["rita"]
    almost = (datetime.now(UTC) - timedelta(minutes=review.CLAIM_MINUTES - 1)).isoformat(timespec="seconds")
    lapsed = (datetime.now(UTC) - timedelta(minutes=review.CLAIM_MINUTES + 1)).isoformat(timespec="seconds")
    with review.connect(out) as con:
        con.execute("UPDATE claims SET claimed_at = ?", [almost])
    assert being_reviewed(sam) == ["rita"]
    with review.connect(out) as con:
        con.execute("UPDATE claims SET claimed_at = ?", [lapsed])
    assert being_reviewed(sam) == []
    assert "is reviewing this statement" not in sam.get(f"/item/{first}").text
    assert review.active_claims(out) == {first: "sam"}


# --- refused decisions keep what was typed ----------------------------------------------------------------------


def test_a_refused_decision_keeps_every_field_the_reviewer_set(out):
    statement_id = next(
        statement_id for statement_id in flagged_ids(out) if text_of(out, statement_id).startswith("Farmers near")
    )
    client = signed_in(out, "rita")
    url = f"/item/{statement_id}"
    page = client.get(url, params={"search": "rice seed"}).text
    (offset, model_role), = re.findall(r'<option value="(\d+):(\w+)" selected>', page)
    other_role = next(role for role in review.QUANTITY_ROLE_NAMES if role != model_role)
    typed = "Farmers near the river received improved rice seed."
    form = decision_form(page, "goal") | {
        "text": typed,
        "note": "seed came late",
        "sector": "agriculture",
        "province_code": "KH-7",
        "quantity_role": f"{offset}:{other_role}",
    }
    refused = client.post(f"{url}/decide", data=form)
    assert refused.status_code == 400 and "words of the report" in refused.text
    kept = refused.text
    assert html.unescape(re.search(r'<textarea name="text"[^>]*>([^<]*)</textarea>', kept).group(1)) == typed
    assert 'name="note" data-focus-key="n" autocomplete="off" value="seed came late"' in kept
    assert 'name="kind" value="goal"' in kept and '<option value="agriculture" selected>' in kept
    assert '<option value="KH-7" selected>' in kept
    assert f'<option value="{offset}:{other_role}" selected>' in kept
    assert 'name="view" value="search=rice+seed"' in kept, "the queue view (the search) is kept too"

    emptied = client.post(f"{url}/decide", data=form | {"text": " "})
    assert emptied.status_code == 400 and "cannot be empty" in emptied.text
    assert 'value="seed came late"' in emptied.text and '<option value="KH-7" selected>' in emptied.text
    with review.connect(out) as con:
        assert con.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


# --- signing in -------------------------------------------------------------------------------------------------


def login(client: TestClient, name: str, password: str, next_page: str | None = None):
    token = csrf_of(client.get("/login").text)
    form = {"name": name, "password": password, "csrf_token": token}
    if next_page is not None:
        form["next"] = next_page
    return client.post("/login", data=form, follow_redirects=False)


def test_a_wrong_password_or_name_says_so(out):
    client = TestClient(create_app(out))
    for name, password in (("rita", "not-her-password"), ("nobody", "rita-password")):
        refused = login(client, name, password)
        assert refused.status_code == 401 and "Wrong user name or password." in refused.text
        assert f'value="{name}"' in refused.text, "the name typed is kept"
        assert "sign in first" not in refused.text
    api = client.get("/api/statements", auth=("rita", "not-her-password"))
    assert api.status_code == 401 and api.json()["detail"] == "wrong user name or password"
    assert client.get("/api/statements").json()["detail"] == "sign in first"


def test_a_locked_account_is_told_it_is_locked_and_for_how_long(out):
    client = TestClient(create_app(out))
    for _ in range(10):
        assert login(client, "rita", "guess-again").status_code == 401
    locked = login(client, "rita", "rita-password")
    assert locked.status_code == 429 and "sign-in is locked" in locked.text
    assert 0 < int(locked.headers["retry-after"]) <= 60
    assert 'name="name"' in locked.text, "the sign-in form is shown again"


def test_after_signing_in_the_reviewer_returns_to_the_page_they_asked_for(out):
    client = TestClient(create_app(out))
    statement_id = flagged_ids(out)[3]
    asked = f"/item/{statement_id}?status=all&search=ponds"
    sent = client.get(asked, follow_redirects=False)
    assert sent.headers["location"] == f"/login?next={quote(asked, safe='')}"
    form = client.get(sent.headers["location"]).text
    assert f'name="next" value="{html.escape(asked)}"' in form
    assert login(client, "rita", "rita-password", asked).headers["location"] == asked


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "/ /evil.example", "javascript:alert(1)", ""],
)
def test_after_signing_in_an_outside_address_leads_to_the_queue_instead(out, target):
    client = TestClient(create_app(out))
    assert login(client, "rita", "rita-password", target).headers["location"] == "/"
