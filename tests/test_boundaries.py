"""Reviewers' statement boundaries (``pipeline.boundaries``): split, merge, add, adjust, undo, their replay on the
stored dataset, re-runs of the same and of a changed file, the export and the training examples."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from review_fixtures import build_dataset, csrf_of

from pipeline import boundaries, review, store
from pipeline.dataset import load_dataset
from pipeline.review import ReviewError, User
from pipeline.train import labelled_statements
from workreview.web.app import create_app

RITA = User("rita", "reviewer")
ANNA = User("anna", "analyst")
REPORT = """Kratie Provincial Administration
Report on the Results of Work in 2020

I. ACHIEVEMENTS IN 2020

The province rebuilt 14 km of dyke and the fisheries office freed 3 fishing lots.
Teachers at 12 schools received new textbooks.
Two new markets opened in Sambour district.

II. CHALLENGES

Dry spells cut the maize harvest; traders paid late for cassava.

III. GOALS FOR 2021

Rebuild 9 km of dyke before the rainy season.
"""
SPLIT = "The province rebuilt 14 km of dyke and the fisheries office freed 3 fishing lots."
FIRST, SECOND = "Teachers at 12 schools received new textbooks.", "Two new markets opened in Sambour district."
SWALLOWED = "Dry spells cut the maize harvest; traders paid late for cassava."
MISSED = "traders paid late for cassava."


@pytest.fixture
def out(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "kratie_2020.txt").write_text(REPORT, encoding="utf-8")
    build_dataset(reports, tmp_path / "out")
    return tmp_path / "out"


def rerun(out: Path, text: str = REPORT) -> None:
    reports = out.parent / "reports"
    (reports / "kratie_2020.txt").write_text(text, encoding="utf-8")
    build_dataset(reports, out)


def edited(out: Path) -> pd.DataFrame:
    """The statements as reviewers shaped them, by text."""
    con = store.connect(out, read_only=True)
    try:
        boundaries.edit_statements(con, out)
        return con.execute("SELECT * FROM edited_statements ORDER BY char_start").df().set_index("text")
    finally:
        con.close()


def act(out: Path, change, *arguments):
    """One boundary change through a read-only connection, as the review app makes it."""
    con = store.connect(out, read_only=True)
    try:
        boundaries.edit_statements(con, out)
        return change(con, out, *arguments)
    finally:
        con.close()


def split_at(out: Path, text: str, before: str, reviewer: User = RITA) -> boundaries.Action:
    row = edited(out).loc[text]
    return act(out, boundaries.split, reviewer, row["statement_id"], row["char_start"] + text.index(before))


def make_all_changes(out: Path) -> None:
    """The four kinds of change: split, merge, shorten a statement, add the words it no longer covers."""
    split_at(out, SPLIT, "and the fisheries")
    act(out, boundaries.merge_with_next, RITA, edited(out).loc[FIRST, "statement_id"])
    row = edited(out).loc[SWALLOWED]
    end = row["char_start"] + SWALLOWED.index(";") + 1
    act(out, boundaries.adjust, RITA, row["statement_id"], row["char_start"], end)
    start = end + 1
    act(out, boundaries.add, RITA, row["document_id"], start, start + len(MISSED), "challenge")


MADE = {
    "The province rebuilt 14 km of dyke",
    "and the fisheries office freed 3 fishing lots.",
    f"{FIRST} {SECOND}",
    "Dry spells cut the maize harvest;",
    MISSED,
}
CHANGED = {SPLIT, FIRST, SECOND, SWALLOWED}


def test_split_merge_adjust_and_add_reshape_the_statements(out: Path):
    before = edited(out)
    assert MISSED not in before.index
    make_all_changes(out)
    after = edited(out)
    assert set(after.index) == (set(before.index) - CHANGED) | MADE
    assert set(after.loc[sorted(MADE), "edited_by"]) == {"rita"}
    assert after.loc[MISSED, "kind"] == "challenge"
    assert after.loc["and the fisheries office freed 3 fishing lots.", "kind"] == before.loc[SPLIT, "kind"]
    assert after.loc["The province rebuilt 14 km of dyke", "section"] == before.loc[SPLIT, "section"]
    assert after["statement_id"].is_unique
    text = boundaries.document_text(store.connect(out, read_only=True), after.iloc[0]["document_id"])
    for statement, row in after.iterrows():
        assert text[row["char_start"] : row["char_end"]] == statement, "every span slices its own text"


def test_each_change_is_audited_with_who_and_when(out: Path):
    make_all_changes(out)
    with sqlite3.connect(out / review.REVIEWS_DATABASE) as con:
        rows = con.execute("SELECT action, reviewer, acted_at, kind, reference_text FROM boundary_actions").fetchall()
    assert [row[0] for row in rows] == ["split", "merged", "adjusted", "added"]
    assert {row[1] for row in rows} == {"rita"} and all(row[2] for row in rows)
    assert rows[0][4] == SPLIT and rows[3][3:] == ("challenge", MISSED)
    made = [action.result_text for action in boundaries.actions(out)]
    assert made == ["and the fisheries office freed 3 fishing lots.", f"{FIRST} {SECOND}", SWALLOWED[:33], MISSED]


def test_impossible_changes_are_refused_and_store_nothing(out: Path):
    rows = edited(out)
    split_row = rows.loc[SPLIT]
    with pytest.raises(ReviewError, match="inside the statement"):
        act(out, boundaries.split, RITA, split_row["statement_id"], split_row["char_end"] + 3)
    with pytest.raises(ReviewError, match="overlaps"):
        act(out, boundaries.add, RITA, split_row["document_id"], split_row["char_start"], split_row["char_end"], "goal")
    with pytest.raises(ReviewError, match="white space"):
        act(out, boundaries.adjust, RITA, split_row["statement_id"], split_row["char_end"], split_row["char_end"] + 1)
    with pytest.raises(ReviewError, match="cannot change"):
        split_at(out, SPLIT, "and the", reviewer=ANNA)
    last = rows.index[-1]
    with pytest.raises(ReviewError, match="last statement"):
        act(out, boundaries.merge_with_next, RITA, rows.loc[last, "statement_id"])
    assert boundaries.actions(out, include_undone=True) == []
    assert list(edited(out).index) == list(rows.index)


def test_undo_brings_the_statement_back_and_stays_in_the_audit(out: Path):
    before = edited(out)
    action = split_at(out, SPLIT, "and the fisheries")
    assert SPLIT not in edited(out).index
    undone = boundaries.undo(out, RITA, action.id)
    assert undone.undone_by == "rita" and undone.undone_at
    assert list(edited(out).index) == list(before.index)
    assert edited(out).loc[SPLIT, "statement_id"] == before.loc[SPLIT, "statement_id"]
    with pytest.raises(ReviewError, match="already undid"):
        boundaries.undo(out, RITA, action.id)
    assert [a.id for a in boundaries.actions(out, include_undone=True)] == [action.id]
    assert boundaries.actions(out) == []


def test_a_rerun_of_the_same_file_keeps_the_changes_and_their_ids(out: Path):
    make_all_changes(out)
    ids = edited(out)["statement_id"].to_dict()
    rerun(out)
    assert edited(out)["statement_id"].to_dict() == ids


def test_a_changed_file_keeps_changes_whose_text_moved_and_orphans_those_whose_text_is_gone(out: Path):
    make_all_changes(out)
    changed = REPORT.replace("I. ACHIEVEMENTS IN 2020\n", "I. ACHIEVEMENTS IN 2020\n\nThe year began with floods.\n")
    changed = changed.replace(FIRST, "Teachers at 15 schools received new textbooks.")
    rerun(out, changed)
    after = edited(out)
    assert {"The province rebuilt 14 km of dyke", MISSED, "Dry spells cut the maize harvest;"} <= set(after.index)
    assert "Teachers at 15 schools received new textbooks." in after.index, "the merge no longer applies"
    assert "The year began with floods." in after.index
    con = store.connect(out, read_only=True)
    try:
        outcomes = boundaries.edit_statements(con, out)
    finally:
        con.close()
    orphaned = {outcome.action.action: outcome.orphaned for outcome in outcomes if outcome.orphaned}
    assert list(orphaned) == ["merged"] and "no longer in the report" in orphaned["merged"]
    rerun(out)  # the text comes back: so does the merge
    assert f"{FIRST} {SECOND}" in edited(out).index


def test_the_export_and_the_dataset_hold_the_reshaped_statements_and_their_quantities(out: Path):
    make_all_changes(out)
    con = store.connect(out)
    try:
        store.export(con, out, include_other=True)
    finally:
        con.close()
    exported = pd.read_parquet(out / "statements.parquet").set_index("text")
    assert MADE <= set(exported.index) and not CHANGED & set(exported.index)
    assert set(exported.loc[sorted(MADE), "review_status"]) == {"corrected"}
    assert set(exported.loc[sorted(MADE), "reviewed_by"]) == {"rita"}
    quantities = pd.read_csv(out / "quantities.csv")
    piece = exported.loc["The province rebuilt 14 km of dyke", "statement_id"]
    other = exported.loc["and the fisheries office freed 3 fishing lots.", "statement_id"]
    assert quantities.loc[quantities["statement_id"] == piece, "text"].tolist() == ["14 km"]
    assert quantities.loc[quantities["statement_id"] == other, "value"].tolist() == [3.0]
    assert exported.loc["The province rebuilt 14 km of dyke", "quantities"] == "14 km"
    data = load_dataset(out, include_other=True)
    assert MADE <= set(data.statements["text"])
    assert piece in set(data.quantities["statement_id"])


def test_a_decision_on_a_reshaped_statement_applies_to_it(out: Path):
    make_all_changes(out)
    row = edited(out).loc[[MISSED]].reset_index().iloc[0].to_dict()
    values = {name: row[name] for name in review.EDITABLE_FIELDS} | {"kind": "achievement"}
    review.decide(out, reviewer=RITA, statement=row, new_values=values, base_version=0)
    data = load_dataset(out, include_other=True).statements.set_index("text")
    assert data.loc[MISSED, ["kind", "review_status"]].tolist() == ["achievement", "corrected"]


def test_the_parts_of_a_statement_take_the_kind_a_reviewer_decided_for_it(out: Path):
    row = edited(out).loc[[SPLIT]].reset_index().iloc[0].to_dict()
    values = {name: row[name] for name in review.EDITABLE_FIELDS} | {"kind": "goal"}
    review.decide(out, reviewer=RITA, statement=row, new_values=values, base_version=0)
    split_at(out, SPLIT, "and the fisheries")
    after = edited(out)
    assert after.loc["The province rebuilt 14 km of dyke", "kind"] == "goal"
    assert after.loc["and the fisheries office freed 3 fishing lots.", "kind"] == "goal"


def test_training_examples_follow_the_reviewers_boundaries(out: Path, tmp_path: Path):
    make_all_changes(out)
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    rows = [{"document": "kratie_2020.txt", "label": "achievement", "text": "The province rebuilt 14 km of dyke"}]
    (gold_dir / "statements.jsonl").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    reports = out.parent / "reports"
    plain = labelled_statements(reports, gold_dir, ["kratie_2020.txt"])
    shaped = labelled_statements(
        reports, gold_dir, ["kratie_2020.txt"], boundary_edits=boundaries.training_edits(out)
    )
    assert {e.statement.text for e in shaped} == ({e.statement.text for e in plain} - CHANGED) | MADE
    labels = {e.statement.text: e.label for e in shaped}
    assert labels["The province rebuilt 14 km of dyke"] == "achievement", "a part is labelled by the gold"
    assert labels[MISSED] == "challenge", "an added statement carries the reviewer's kind"
    assert labels["and the fisheries office freed 3 fishing lots."] == "other"


def test_the_app_guards_boundary_changes_and_undoes_them_from_the_list(out: Path, monkeypatch):
    monkeypatch.setattr(review, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    review.save_user(out, "rita", "reviewer", "rita-password")
    review.save_user(out, "ana", "analyst", "ana-password")
    row = edited(out).loc[SPLIT]
    at = str(row["char_start"] + SPLIT.index("and the"))

    def signed_in(name: str) -> tuple[TestClient, str]:
        client = TestClient(create_app(out))
        token = csrf_of(client.get("/login").text)
        client.post("/login", data={"name": name, "password": f"{name}-password", "csrf_token": token})
        return client, csrf_of(client.get(f"/item/{row['statement_id']}").text)

    analyst, token = signed_in("ana")
    assert 'id="split"' not in analyst.get(f"/item/{row['statement_id']}").text
    refused = analyst.post(f"/item/{row['statement_id']}/split", data={"at": at, "csrf_token": token})
    assert refused.status_code == 403
    rita, token = signed_in("rita")
    forged = rita.post(f"/item/{row['statement_id']}/split", data={"at": at, "csrf_token": "forged"})
    assert forged.status_code == 403 and boundaries.actions(out) == []

    page = rita.get(f"/item/{row['statement_id']}").text
    assert f'<option value="{at}">' in page, "the split points are the statement's word starts"
    done = rita.post(f"/item/{row['statement_id']}/split", data={"at": at, "csrf_token": token})
    assert "Split the statement in two" in done.text and SPLIT not in edited(out).index
    outside = rita.post(f"/item/{row['statement_id']}/split", data={"at": at, "csrf_token": token})
    assert "Nothing was changed" in outside.text, "the statement is gone: the error is shown, nothing stored"
    assert len(boundaries.actions(out)) == 1

    listed = rita.get("/boundaries").text
    assert "second part: and the fisheries office freed 3 fishing lots." in listed and "applied" in listed
    (action,) = boundaries.actions(out)
    undone = rita.post(f"/boundaries/{action.id}/undo", data={"csrf_token": token})
    assert f"Undid change {action.id}" in undone.text and "undone by rita" in undone.text
    assert SPLIT in edited(out).index


def test_a_report_stored_before_texts_were_kept_is_read_again_and_cannot_be_reshaped_until_then(out: Path):
    row = edited(out).loc[SPLIT]
    con = store.connect(out)
    try:
        assert {version for _, version in store.stored_versions(con).values()} != {None}
        con.execute("DELETE FROM document_texts")
        assert {version for _, version in store.stored_versions(con).values()} == {None}, "the next run reads it"
    finally:
        con.close()
    with pytest.raises(ReviewError, match="re-run"):
        split_at(out, SPLIT, "and the fisheries")
    assert "and the fisheries office freed 3 fishing lots." not in edited(out).index
    assert row["statement_id"] == edited(out).loc[SPLIT, "statement_id"]
