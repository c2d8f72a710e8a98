"""Probes of the review app and API as a hostile user would send them: stolen or stale sessions, password
guessing, simultaneous page views, out-of-range and misspelled parameters, file modes and response headers."""

from __future__ import annotations

import base64
import io
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
from argon2 import PasswordHasher
from conftest import SAMPLE_REPORTS
from fastapi.testclient import TestClient
from PIL import Image
from reportlab.pdfgen.canvas import Canvas
from review_fixtures import REPORT, build_dataset, csrf_of

from pipeline import review, store
from workreview.web.app import create_app
from workreview.web.page_images import MAX_SIDE_PX
from workreview.web.throttle import LoginThrottle

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "rita-password"


class CountingHasher(PasswordHasher):
    """Counts the hashes computed: an anonymous request must cost none."""

    calls = 0

    def hash(self, *args, **kwargs):
        CountingHasher.calls += 1
        return super().hash(*args, **kwargs)

    def verify(self, *args, **kwargs):
        CountingHasher.calls += 1
        return super().verify(*args, **kwargs)


def big_page_pdf(path: Path) -> None:
    """One 3,600-point-square page (50 inches): drawn at the usual 1.5 px per point it would be 5,400 px wide."""
    canvas = Canvas(str(path), pagesize=(3600, 3600))
    canvas.setFont("Helvetica", 40)
    canvas.drawString(100, 3400, "I. ACHIEVEMENTS")
    canvas.drawString(100, 3300, "The province built 42 km of rural roads in 2020.")
    canvas.save()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web-security")
    reports = root / "reports"
    reports.mkdir()
    (reports / "kampot_2020.txt").write_text(REPORT, encoding="utf-8")
    shutil.copy(SAMPLE_REPORTS / "Kampot_2020_review_final.pdf", reports / "Kampot_2020_review_final.pdf")
    big_page_pdf(reports / "poster.pdf")
    build_dataset(reports, root / "out")
    return root / "out"


@pytest.fixture
def out(built, tmp_path, monkeypatch) -> Path:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    monkeypatch.setattr(review, "_hasher", FAST_HASHER)
    review.save_user(out, "rita", "reviewer", PASSWORD)
    review.save_user(out, "ana", "analyst", "ana-password")
    return out


def app_for(out: Path) -> TestClient:
    app = create_app(out)
    app.state.login_throttle = LoginThrottle(delay_step_s=0.001, delay_max_s=0.01)  # the counts, without the wait
    return TestClient(app)


def sign_in(client: TestClient, name: str = "rita", password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token}, follow_redirects=False)


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def signed_in(out: Path) -> TestClient:
    client = app_for(out)
    assert sign_in(client).status_code == 303
    return client


def test_signing_out_ends_the_session_everywhere_even_a_copied_cookie(out):
    client = signed_in(out)
    stolen = app_for(out)
    stolen.cookies.update(client.cookies)
    assert stolen.get("/", follow_redirects=False).status_code == 200
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert stolen.get("/", follow_redirects=False).status_code == 303  # back to the sign-in form
    assert stolen.get("/api/statements").status_code == 401


def test_a_password_reset_ends_the_old_sessions(out):
    client = signed_in(out)
    assert client.get("/api/provinces").status_code == 200
    review.save_user(out, "rita", "reviewer", "a-brand-new-password")  # `workreview users add rita` again
    assert client.get("/api/provinces").status_code == 401
    assert sign_in(client, password="a-brand-new-password").status_code == 303
    assert client.get("/api/provinces").status_code == 200


def test_the_eleventh_wrong_password_within_a_minute_gets_429_even_with_the_right_one_after(out):
    client = app_for(out)
    answers = [sign_in(client, password=f"guess-{n}").status_code for n in range(10)]
    assert answers == [401] * 10
    refused = sign_in(client, password="guess-11")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert sign_in(client).status_code == 429  # the account stays shut for the rest of the minute


def test_guessing_through_basic_auth_or_across_accounts_is_throttled_by_address(out):
    client = app_for(out)
    answers = [client.get("/api/provinces", headers=basic(f"user{n}", "guess")).status_code for n in range(10)]
    assert answers == [401] * 10
    assert client.get("/api/provinces", headers=basic("ana", "ana-password")).status_code == 429


def test_a_request_without_credentials_costs_no_password_hash(out, monkeypatch):
    monkeypatch.setattr(review, "_hasher", CountingHasher(time_cost=1, memory_cost=8, parallelism=1))
    client = app_for(out)
    CountingHasher.calls = 0
    for route in ("/api/statements", "/api/provinces", "/openapi.json"):
        assert client.get(route).status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303
    assert CountingHasher.calls == 0


def _pdf_page_url(out: Path, source_file: str) -> str:
    with duckdb.connect(str(out / store.DATABASE_NAME), read_only=True) as con:
        (document_id,) = con.execute(
            "SELECT document_id FROM current_documents WHERE source_file = ?", [source_file]
        ).fetchone()
    return f"/page-image/{document_id}/1.png"


def test_twenty_simultaneous_first_views_of_a_page_get_the_same_valid_png(out):
    client = signed_in(out)
    url = _pdf_page_url(out, "Kampot_2020_review_final.pdf")
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: client.get(url), range(20)))
    assert [response.status_code for response in responses] == [200] * 20
    assert len({response.content for response in responses}) == 1
    image = Image.open(io.BytesIO(responses[0].content))
    image.verify()
    assert not list((out / ".page_cache").glob("*.tmp"))


def test_a_huge_page_is_drawn_within_the_pixel_limit(out):
    client = signed_in(out)
    response = client.get(_pdf_page_url(out, "poster.pdf"))
    assert response.status_code == 200
    assert max(Image.open(io.BytesIO(response.content)).size) == MAX_SIDE_PX


@pytest.mark.parametrize(
    ("route", "params"),
    [
        ("/api/statements", {"offset": "9223372036854775808"}),
        ("/api/documents", {"offset": "9223372036854775808"}),
        ("/api/quantities", {"offset": "9223372036854775808"}),
        ("/api/statements", {"offset": "-1"}),
        ("/api/statements", {"limit": "0"}),
        ("/api/statements", {"limit": "100000000000000000000"}),
        ("/api/statements", {"year": "100000000000000000000000000000"}),
        ("/api/documents", {"year": "-5"}),
        ("/api/quantities", {"year": "1e30"}),
        ("/api/statements", {"q": "x" * 201}),
        ("/api/statements", {"province": "K" * 101}),
        ("/api/statements", {"provnce": "Kampot"}),
        ("/api/documents", {"status": "ok", "levle": "district"}),
        ("/api/provinces", {"anything": "1"}),
    ],
)
def test_out_of_range_and_unknown_api_parameters_are_422_never_500(out, route, params):
    response = signed_in(out).get(route, params=params)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("page", ["0", "-1", "100000000000000000000", "two"])
def test_out_of_range_page_numbers_are_422(out, page):
    client = signed_in(out)
    url = _pdf_page_url(out, "Kampot_2020_review_final.pdf").replace("/1.png", f"/{page}.png")
    assert client.get(url).status_code == 422


@pytest.mark.parametrize(("base_version", "status"), [("-1", 422), ("1e30", 422), ("99999999999999999999", 422),
                                                       ("7", 409)])
def test_a_decision_on_a_version_that_never_was_is_refused_without_a_500(out, base_version, status):
    client = signed_in(out)
    with duckdb.connect(str(out / store.DATABASE_NAME), read_only=True) as con:
        statement_id, text, kind = con.execute(
            "SELECT statement_id, text, kind FROM current_statements WHERE source_file = 'kampot_2020.txt' "
            "ORDER BY char_start LIMIT 1"
        ).fetchone()
    page = client.get(f"/item/{statement_id}").text
    form = {"csrf_token": csrf_of(page), "base_version": base_version, "choice": "a", "kind": kind, "text": text}
    assert client.post(f"/item/{statement_id}/decide", data=form).status_code == status


def test_the_reviews_database_and_its_journal_are_readable_by_their_owner_only(tmp_path):
    review.save_user(tmp_path, "ana", "analyst", "ana-password")
    with review.connect(tmp_path) as con:  # the journal files exist while a connection is open
        con.execute("INSERT INTO claims VALUES ('s1', 'ana', '2021-01-01T00:00:00')")
        files = [tmp_path / name for name in ("reviews.sqlite", "reviews.sqlite-wal", "reviews.sqlite-shm")]
        assert all(file.exists() for file in files)
        assert {oct(stat.S_IMODE(file.stat().st_mode)) for file in files} == {"0o600"}


def test_a_reviews_database_left_readable_by_an_older_version_is_tightened(out):
    (out / "reviews.sqlite").chmod(0o644)
    review.list_users(out)
    assert stat.S_IMODE((out / "reviews.sqlite").stat().st_mode) == 0o600


def test_api_answers_are_not_sniffed_or_cached_and_the_schema_needs_an_account(out):
    anonymous = app_for(out)
    assert anonymous.get("/openapi.json").status_code == 401
    refused = anonymous.get("/api/statements")
    assert refused.headers["x-content-type-options"] == "nosniff" and refused.headers["cache-control"] == "no-store"
    client = signed_in(out)
    for route in ("/api/statements", "/api/provinces", "/openapi.json"):
        response = client.get(route)
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
    assert "/api/statements" in client.get("/openapi.json").json()["paths"]
