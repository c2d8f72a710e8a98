"""Reviewers' decisions: audit trail, conflicts, re-ingestion, export, accounts and the app's guards."""

from __future__ import annotations

import base64
import html
import re
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from review_fixtures import REPORT, build_dataset, csrf_of

from pipeline import boundaries, review, store
from pipeline.review import ReviewError, StaleDecision, User
from workreview.web.app import create_app

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
RITA = User("rita", "reviewer")
SAM = User("sam", "reviewer")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("review")
    reports = root / "reports"
    reports.mkdir()
    (reports / "kampot_2020.txt").write_text(REPORT, encoding="utf-8")
    build_dataset(reports, root / "out")
    return reports, root / "out"


@pytest.fixture
def out(built, tmp_path) -> Path:
    """A private copy of the dataset: each test writes its own decisions."""
    shutil.copytree(built[1], tmp_path / "out")
    return tmp_path / "out"


def statements(out: Path) -> dict[str, dict]:
    """Current statements by text."""
    con = duckdb.connect(str(out / store.DATABASE_NAME), read_only=True)
    try:
        frame = con.execute("SELECT * FROM current_statements").df()
    finally:
        con.close()
    return {row["text"]: row for row in frame.to_dict("records")}


def decide(out: Path, statement: dict, reviewer: User = RITA, base_version: int = 0, **changes) -> review.Decision:
    values = {name: statement[name] for name in review.EDITABLE_FIELDS} | changes
    return review.decide(out, reviewer=reviewer, statement=statement, new_values=values, base_version=base_version)


def audit_rows(out: Path) -> list[sqlite3.Row]:
    with review.connect(out) as con:
        return con.execute("SELECT * FROM reviews ORDER BY id").fetchall()


def test_passwords_are_stored_as_argon2_hashes(tmp_path):
    assert review.save_user(tmp_path, "rita", "reviewer", "correct horse") is True
    with review.connect(tmp_path) as con:
        stored = con.execute("SELECT password_hash FROM users WHERE name = 'rita'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert review.authenticate(tmp_path, "rita", "correct horse") == RITA
    assert review.authenticate(tmp_path, "rita", "wrong horse") is None
    assert review.authenticate(tmp_path, "nobody", "correct horse") is None
    with pytest.raises(ReviewError, match="at least 8"):
        review.save_user(tmp_path, "sam", "reviewer", "short")
    with pytest.raises(ReviewError, match="unknown role"):
        review.save_user(tmp_path, "sam", "superuser", "long enough")


def test_reingestion_keeps_every_decision(built, tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    shutil.copytree(built[0], reports)
    out = tmp_path / "out"
    shutil.copytree(built[1], out)
    by_text = statements(out)
    roads = by_text["The province built 42 km of rural roads with the provincial budget."]
    floods = by_text["Floods in October damaged 300 ha of rice fields."]
    wells = by_text["Commune councils repaired 31 wells in Chhuk district."]
    revenue = by_text["Revenue from the salt tax fell short of the target by 12%."]
    decide(out, roads)
    decide(out, floods, kind="goal", sector="disaster_management")
    decide(out, wells, kind="other")
    decide(out, revenue, kind="challenge", text="Revenue from the salt tax fell short of the target")

    # Same file again, then a new version whose revenue sentence was rewritten and a sentence added.
    build_dataset(reports, out)
    changed = REPORT.replace("fell short of the target by 12%", "fell short of the target by 15%")
    changed = changed.replace("III. GOALS", "Two bridges were closed for repair.\n\nIII. GOALS")
    (reports / "kampot_2020.txt").write_text(changed, encoding="utf-8")
    build_dataset(reports, out)

    assert len(audit_rows(out)) == 4, "re-ingestion must not touch the audit trail"
    exported = pd.read_parquet(out / "statements.parquet").set_index("statement_id")
    assert exported.loc[roads["statement_id"], ["review_status", "reviewed_by"]].tolist() == ["accepted", "rita"]
    assert exported.loc[floods["statement_id"], ["kind", "sector", "review_status"]].tolist() == [
        "goal", "disaster_management", "corrected",
    ]
    assert wells["statement_id"] not in exported.index, "a rejected statement leaves the default export"
    unreviewed = exported[exported["review_status"] == "unreviewed"]
    assert unreviewed["reviewed_by"].isna().all() and len(unreviewed) >= 3
    csv = pd.read_csv(out / "statements.csv")
    assert {"review_status", "reviewed_by"} <= set(csv.columns)

    con = store.connect(out, read_only=True)
    try:
        boundaries.edit_statements(con, out)
        orphans = review.orphaned_decisions(con, out)
    finally:
        con.close()
    assert [o.statement_id for o in orphans] == [revenue["statement_id"]]
    assert orphans[0].statement_text == revenue["text"]
    monkeypatch.setattr(review, "_hasher", FAST_HASHER)
    review.save_user(out, "ana", "analyst", "ana-password")
    page = TestClient(create_app(out)).get("/orphans", auth=("ana", "ana-password"))
    assert revenue["text"] in page.text and "rita" in page.text

    examples = {example["text"]: example["label"] for example in review.reviewed_examples(out)}
    assert examples[floods["text"]] == "goal" and examples[wells["text"]] == "other"
    assert examples[revenue["text"]] == "challenge", "examples carry the text as extracted, not the edited span"


def test_a_decision_on_a_stale_version_is_refused(out):
    statement = statements(out)["Build 50 km of laterite roads in 2021."]
    first = decide(out, statement, reviewer=RITA, base_version=0)
    with pytest.raises(StaleDecision, match="rita recorded 'accepted'"):
        decide(out, statement, reviewer=SAM, base_version=0, kind="achievement")
    assert [row["reviewer"] for row in audit_rows(out)] == ["rita"]
    decide(out, statement, reviewer=SAM, base_version=first.id, kind="achievement")
    assert review.latest_decisions(out)[statement["statement_id"]].reviewer == "sam"


def test_undo_restores_the_previous_decision(out):
    statement = statements(out)["Floods in October damaged 300 ha of rice fields."]
    first = decide(out, statement, reviewer=RITA)
    decide(out, statement, reviewer=SAM, base_version=first.id, kind="other")
    with pytest.raises(StaleDecision):
        review.undo_last(out, RITA)  # sam decided after rita: rita's undo would overwrite sam
    undone = review.undo_last(out, SAM)
    assert undone.status == "rejected"
    in_force = review.latest_decisions(out)[statement["statement_id"]]
    assert (in_force.id, in_force.status) == (first.id, "accepted")
    rows = audit_rows(out)
    assert [row["action"] for row in rows] == ["accepted", "rejected", "undo"]
    assert rows[1]["undone_by"] == rows[2]["id"]
    assert review.undo_last(out, SAM) is None


def test_an_item_being_reviewed_is_not_handed_to_a_second_reviewer(out):
    first, second = sorted(statements(out))[:2]
    ids = statements(out)
    assert review.claim(out, ids[first]["statement_id"], RITA) is None
    assert review.claim(out, ids[first]["statement_id"], SAM) == "rita"
    assert review.claim(out, ids[second]["statement_id"], RITA) is None  # rita moved on: her first claim lapses
    assert review.claim(out, ids[first]["statement_id"], SAM) is None


# --- the app's guards -------------------------------------------------------------------------------------------


@pytest.fixture
def app_client(out, monkeypatch):
    monkeypatch.setattr(review, "_hasher", FAST_HASHER)  # argon2's default cost is for real accounts, not tests
    review.save_user(out, "rita", "reviewer", "rita-password")
    review.save_user(out, "ana", "analyst", "ana-password")
    review.save_user(out, "sam", "reviewer", "sam-password")
    return lambda: TestClient(create_app(out))


def signed_in(client: TestClient, name: str) -> TestClient:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": f"{name}-password", "csrf_token": token})
    assert response.status_code == 200 and f"{name} ·" in response.text
    return client


def selected(page: str, name: str) -> str:
    options = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)" selected>', options)
    return chosen.group(1) if chosen else ""


def decision_form(page: str, choice: str) -> dict:
    text = re.search(r'<textarea name="text"[^>]*>([^<]*)</textarea>', page).group(1)
    return {
        "csrf_token": csrf_of(page),
        "base_version": re.search(r'name="base_version" value="(\d+)"', page).group(1),
        "kind": re.search(r'name="kind" value="([^"]+)"', page).group(1),
        "province_code": selected(page, "province_code"),
        "sector": selected(page, "sector"),
        "text": html.unescape(text),
        "choice": choice,
    }


def test_anonymous_users_are_sent_to_sign_in_and_basic_credentials_work(app_client):
    client = app_client()
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    credentials = base64.b64encode(b"ana:ana-password").decode()
    assert client.get("/", headers={"Authorization": f"Basic {credentials}"}).status_code == 200
    wrong = base64.b64encode(b"ana:guess").decode()
    assert client.get("/", headers={"Authorization": f"Basic {wrong}"}, follow_redirects=False).status_code == 303
    cookie = app_client().get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_analysts_read_but_cannot_decide(app_client, out):
    statement = statements(out)["Build 50 km of laterite roads in 2021."]
    client = signed_in(app_client(), "ana")
    page = client.get(f"/item/{statement['statement_id']}")
    assert page.status_code == 200 and 'id="decision"' not in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "base_version": "0",
        "kind": "goal",
        "text": statement["text"],
        "choice": "accept",
    }
    response = client.post(f"/item/{statement['statement_id']}/decide", data=form)
    assert response.status_code == 403
    assert audit_rows(out) == []


def test_a_form_without_the_csrf_token_is_refused(app_client, out):
    statement = statements(out)["Build 50 km of laterite roads in 2021."]
    client = signed_in(app_client(), "rita")
    form = decision_form(client.get(f"/item/{statement['statement_id']}").text, "accept")
    del form["csrf_token"]
    assert client.post(f"/item/{statement['statement_id']}/decide", data=form).status_code == 403
    assert (
        client.post(f"/item/{statement['statement_id']}/decide", data={**form, "csrf_token": "forged"}).status_code
        == 403
    )
    assert audit_rows(out) == []


def test_a_double_decision_in_the_app_is_a_conflict(app_client, out):
    statement = statements(out)["Build 50 km of laterite roads in 2021."]
    rita, sam = signed_in(app_client(), "rita"), signed_in(app_client(), "sam")
    url = f"/item/{statement['statement_id']}"
    rita_form, sam_form = decision_form(rita.get(url).text, "accept"), decision_form(sam.get(url).text, "other")
    assert "rita is reviewing this statement" in sam.get(url).text
    assert rita.post(f"{url}/decide", data=rita_form, follow_redirects=False).status_code == 303
    refused = sam.post(f"{url}/decide", data=sam_form)
    assert refused.status_code == 409 and "nothing was saved" in refused.text
    assert [row["action"] for row in audit_rows(out)] == ["accepted"]


def test_a_reviewer_corrects_a_quantity_role_and_the_export_and_queries_follow(app_client, out):
    from pipeline.dataset import load_dataset

    statement = statements(out)["Revenue from the salt tax fell short of the target by 12%."]
    client = signed_in(app_client(), "rita")
    url = f"/item/{statement['statement_id']}"
    page = client.get(url).text
    (offset, model_role), = re.findall(r'<option value="(\d+):(\w+)" selected>', page)
    assert statement["text"][int(offset):].startswith("12%") and model_role != "affected"
    form = decision_form(page, "accept") | {"quantity_role": f"{offset}:affected"}
    assert client.post(f"{url}/decide", data=form, follow_redirects=False).status_code == 303
    (row,) = audit_rows(out)
    assert row["action"] == "corrected"
    assert '"quantity_roles": {"%s": "affected"}' % offset in row["new_values"]
    assert '"quantity_roles": {"%s": "%s"}' % (offset, model_role) in row["old_values"]
    con = store.connect(out)
    try:
        store.export(con, out)
    finally:
        con.close()
    exported = pd.read_csv(out / "quantities.csv")
    assert exported.loc[exported["text"] == "12%", "role"].tolist() == ["affected"]
    queried = load_dataset(out).quantities
    assert queried.loc[queried["text"] == "12%", "role"].tolist() == ["affected"]
    assert f'value="{offset}:affected" selected' in client.get(url).text
    forged = decision_form(client.get(url).text, "accept") | {"quantity_role": "999:output"}
    assert client.post(f"{url}/decide", data=forged).status_code == 400


def test_a_refused_decision_keeps_what_the_reviewer_typed(app_client, out):
    statement = statements(out)["Build 50 km of laterite roads in 2021."]
    client = signed_in(app_client(), "rita")
    url = f"/item/{statement['statement_id']}"
    form = decision_form(client.get(url).text, "challenge")
    form.update(text="Build 50 km of laterite roads by the sea in 2021.", note="goes to Kep <b>", sector="health")
    refused = client.post(f"{url}/decide", data=form)
    assert refused.status_code == 400 and "words of the report" in refused.text
    assert html.unescape(re.search(r'<textarea name="text"[^>]*>([^<]*)</textarea>', refused.text).group(1)) == form[
        "text"
    ]
    assert 'value="goes to Kep &lt;b&gt;"' in refused.text
    assert selected(refused.text, "sector") == "health" and 'name="kind" value="challenge"' in refused.text
    assert audit_rows(out) == []

