"""Read-only SQL and exports: the README's cookbook answers its questions on the sample corpus; writes are refused."""

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO, SAMPLE_REPORTS
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.dataset import connect_read_only
from pipeline.query import QueryRefused, run_query, write_workbook
from workreview.cli import app


def cookbook() -> dict[str, str]:
    """Question → SQL, for every ```sql block under the README's "Querying the data"."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Querying the data")
    section = readme[start : readme.index("\n## ", start + 1)]
    return dict(re.findall(r"^#### (.+?)\n\n```sql\n(.*?)```", section, re.MULTILINE | re.DOTALL))


COOKBOOK = cookbook()


@pytest.fixture(scope="module")
def answers(analyst_dataset) -> dict[str, pd.DataFrame]:
    return {question: run_query(analyst_dataset, sql) for question, sql in COOKBOOK.items()}


def answer(answers: dict[str, pd.DataFrame], words: str) -> pd.DataFrame:
    (question,) = [question for question in answers if words in question]
    return answers[question]


def gold(name: str) -> pd.DataFrame:
    return pd.read_json(SAMPLE_REPORTS / "gold" / f"{name}.jsonl", lines=True)


def gold_statements_of_ingested_documents() -> pd.DataFrame:
    from analyst_fixtures import NOT_YET_ARRIVED, template_reports

    documents = gold("documents")[["document", "province"]]
    statements = gold("statements").merge(documents, on="document")
    ingested = template_reports(SAMPLE_REPORTS) - set(NOT_YET_ARRIVED)
    return statements[statements["document"].isin(ingested)]


def test_every_cookbook_query_answers_with_rows(answers):
    assert len(answers) >= 5
    assert {question: len(rows) for question, rows in answers.items() if rows.empty} == {}


def test_land_disputes_are_found_where_the_reports_put_them(answers):
    found = answer(answers, "land disputes as a challenge")
    gold_statements = gold_statements_of_ingested_documents()
    disputes = gold_statements[gold_statements["text"].str.contains("land dispute", case=False)]
    as_challenge = set(disputes.loc[disputes["label"] == "challenge", "province"])
    assert set(found["province"]) <= set(disputes["province"])
    assert len(set(found["province"]) & as_challenge) >= len(as_challenge) / 2
    assert found.set_index("province").loc["Battambang", "challenges"] >= 2  # its provincial and municipal reports
    assert found["example"].str.contains("land dispute", case=False).all()


def test_provinces_that_have_not_reported_are_the_ones_whose_reports_are_missing_or_unreadable(answers):
    missing = answer(answers, "not reported yet")
    assert dict(zip(missing["name"], missing["status"])) == {"Kep": "needs_ocr", "Pailin": "missing"}


def test_rural_road_km_come_with_the_sentences_that_report_them(answers):
    roads = answer(answers, "km of rural road")
    by_province = roads.set_index("province")
    documents = gold("documents")
    provincial = documents.loc[documents["level"].isin(["capital", "province"]), ["document", "province"]]
    quantities = gold("quantities").merge(provincial, on="document")
    reported = quantities[
        (quantities["unit"] == "km") & (quantities["role"] == "output")
        & quantities["statement"].str.contains("rural road", case=False)
        & quantities["statement"].isin(gold_statements_of_ingested_documents().query("label == 'achievement'")["text"])
    ].drop_duplicates(["document", "value"])  # a figure repeated in a table counts once
    assert len(reported) >= 5
    traced = [
        row.province in by_province.index and row.statement in by_province.loc[row.province, "sources"]
        for row in reported.itertuples()
    ]
    assert sum(traced) >= 0.8 * len(traced)
    for province, row in by_province.iterrows():
        values = [float(value) for value in re.findall(r"(?:^| \| )([\d.]+) km: ", row["sources"])]
        assert sum(values) == pytest.approx(row["km"]) and len(values) == row["figures"], province
    # Takeo reports 138 km in its text and again in a table beside a 120 km plan; Siem Reap's table reads
    # "90 | 104 | Includes 18 km after the floods": the plan, the repeat and the part are not added
    assert by_province.loc["Takeo", "km"] == 138 and by_province.loc["Siem Reap", "km"] == 104


def test_road_built_is_set_against_the_plan_of_the_same_report(answers):
    plans = answer(answers, "than they planned").set_index("province")
    assert plans.loc["Takeo", ["planned_km", "built_km"]].tolist() == [120, 138]
    assert plans.loc["Siem Reap", ["planned_km", "built_km"]].tolist() == [90, 104]


def test_challenges_by_sector_account_for_every_challenge(answers, analyst_dataset):
    sectors = answer(answers, "challenges by sector")
    challenges = run_query(analyst_dataset, "SELECT count(*) AS n FROM reviewed_statements WHERE kind = 'challenge'")
    assert sectors["challenges"].sum() == challenges["n"][0]
    assert sectors["challenges"].is_monotonic_decreasing


def test_goals_with_a_target_year_are_due_after_the_year_under_review(answers):
    goals = answer(answers, "target year")
    assert (goals["target_year"] > 2020).all()
    gold_statements = gold_statements_of_ingested_documents()
    naming_2021 = gold_statements[
        (gold_statements["label"] == "goal") & gold_statements["text"].str.contains("in 2021")
    ]
    found = goals[goals["text"].isin(naming_2021["text"])]
    assert len(found) >= 0.5 * len(naming_2021) and (found["target_year"] == 2021).all()


def test_review_progress_per_province_covers_all_25(answers):
    progress = answer(answers, "review got")
    assert len(progress) == 25
    assert (progress["flagged"] == progress["decided"] + progress["pending"]).all()


# --- read-only ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM statements",
        "UPDATE statements SET kind = 'goal'",
        "INSERT INTO documents SELECT * FROM documents",
        "CREATE TABLE stolen AS SELECT * FROM statements",
        "DROP TABLE statements",
        "COPY statements TO '{tmp}/stolen.csv'",
        "EXPLAIN ANALYZE COPY (SELECT 1) TO '{tmp}/stolen.csv'",
        "ATTACH '{tmp}/other.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "PRAGMA show_tables",
        "SELECT 1; DELETE FROM statements",
    ],
)
def test_anything_but_one_read_is_refused_and_changes_nothing(analyst_dataset, tmp_path, sql):
    database = analyst_dataset / "national.duckdb"
    before = database.stat().st_mtime_ns, database.stat().st_size
    with pytest.raises(QueryRefused):
        run_query(analyst_dataset, sql.format(tmp=tmp_path))
    assert (database.stat().st_mtime_ns, database.stat().st_size) == before
    assert list(tmp_path.iterdir()) == []


def test_the_connection_itself_cannot_write_read_files_or_unlock_itself(analyst_dataset, tmp_path):
    """Behind the statement check: even SQL that reached DuckDB could not write or leave the database."""
    con = connect_read_only(analyst_dataset)
    try:
        for sql in (
            f"COPY (SELECT 1) TO '{tmp_path}/stolen.csv'",
            "SELECT * FROM read_csv('/etc/passwd')",
            f"ATTACH '{tmp_path}/other.duckdb' AS other",
            "DELETE FROM statements",
            "SET enable_external_access = true",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        assert con.execute("SELECT count(*) FROM statements").fetchone()[0] > 0
    finally:
        con.close()
    assert list(tmp_path.iterdir()) == []


def test_the_query_command_prints_csv_and_json_and_refuses_writes_with_a_clear_message(analyst_dataset):
    runner = CliRunner()
    sql = "SELECT code, status FROM provinces WHERE status <> 'reported' ORDER BY ordinal"
    as_csv = runner.invoke(app, ["query", sql, "--out", str(analyst_dataset), "--format", "csv"])
    assert as_csv.exit_code == 0 and as_csv.stdout.splitlines() == ["code,status", "KH-23,needs_ocr", "KH-24,missing"]
    as_json = runner.invoke(app, ["query", sql, "--out", str(analyst_dataset), "--format", "json"])
    assert json.loads(as_json.stdout) == [
        {"code": "KH-23", "status": "needs_ocr"},
        {"code": "KH-24", "status": "missing"},
    ]
    refused = runner.invoke(app, ["query", "DELETE FROM statements", "--out", str(analyst_dataset)])
    assert refused.exit_code == 2 and "read-only" in refused.output and "DELETE" in refused.output
    broken = runner.invoke(app, ["query", "SELECT nope FROM provinces", "--out", str(analyst_dataset)])
    assert broken.exit_code == 2 and "nope" in broken.output


# --- exports ------------------------------------------------------------------------------------------------------


def test_export_filters_by_province_name_and_kind_into_an_excel_workbook(analyst_dataset, tmp_path):
    target = tmp_path / "kampot.xlsx"
    result = CliRunner().invoke(
        app,
        ["export", "--format", "xlsx", "--province", "kampot", "--kind", "challenge",
         "--out", str(analyst_dataset), "--to", str(target)],
    )
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(target, sheet_name=None)
    assert list(sheets) == ["statements", "quantities", "documents"]
    statements = sheets["statements"]
    assert (
        len(statements) > 0
        and set(statements["province_code"]) == {"KH-7"}
        and set(statements["kind"]) == {"challenge"}
    )
    assert set(sheets["quantities"]["statement_id"]) <= set(statements["statement_id"])
    assert set(sheets["documents"]["source_file"]) == set(statements["source_file"])


def test_export_to_parquet_by_default_lands_in_the_dataset_folder(analyst_dataset, tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "national.duckdb").write_bytes((analyst_dataset / "national.duckdb").read_bytes())
    result = CliRunner().invoke(app, ["export", "--format", "parquet", "--province", "KH-12", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = pd.read_parquet(out / "exports" / "statements-KH-12.parquet")
    assert set(exported["province"]) == {"Phnom Penh"} and set(exported["kind"]) <= {"achievement", "challenge", "goal"}


def test_a_statement_that_looks_like_a_formula_stays_text_in_excel(tmp_path: Path):
    frame = pd.DataFrame({"text": ['=HYPERLINK("http://evil.example","click")', "bell\x07 rings"], "page": [1, None]})
    write_workbook({"statements": frame}, tmp_path / "x.xlsx")
    sheet = load_workbook(tmp_path / "x.xlsx")["statements"]
    # typed as text, and prefixed as OWASP advises, so it stays text even when someone edits the cell
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert sheet["A3"].value == "bell rings" and sheet["B3"].value is None


def test_the_readme_pandas_example_runs_as_written(analyst_dataset, capsys):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## pandas")
    (example,) = re.findall(r"```python\n(.*?)```", readme[start : readme.index("\n## ", start + 1)], re.DOTALL)
    assert 'load_dataset("data")' in example
    exec(example.replace('load_dataset("data")', f"load_dataset({str(analyst_dataset)!r})"), {})
    printed = capsys.readouterr().out
    assert "Phnom Penh" in printed and "KH-24" in printed and "missing" in printed


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--province", "Siemreap City"], "Siem Reap (KH-17)"),
        (["--province", "KH-99"], "KH-9"),
        (["--sector", "helth"], "health"),
        (["--kind", "other"], "achievement, challenge, goal"),
    ],
)
def test_export_refuses_an_unknown_filter_value_and_names_the_nearest(analyst_dataset, tmp_path, options, words):
    target = tmp_path / "x.csv"
    result = CliRunner().invoke(app, ["export", *options, "--out", str(analyst_dataset), "--to", str(target)])
    assert result.exit_code == 2 and "unknown" in result.output and words in result.output, result.output
    assert not target.exists()


@pytest.mark.parametrize("spelling", ["Siemreap", "Siem Reap", "kh-17", "siem-reap"])
def test_export_takes_any_spelling_of_a_province_and_names_the_file_by_its_code(analyst_dataset, tmp_path, spelling):
    out = tmp_path / "data"
    out.mkdir()
    (out / "national.duckdb").write_bytes((analyst_dataset / "national.duckdb").read_bytes())
    options = ["--province", spelling, "--sector", "Roads infrastructure", "--out", str(out)]
    result = CliRunner().invoke(app, ["export", *options])
    assert result.exit_code == 0, result.output
    exported = pd.read_csv(out / "exports" / "statements-KH-17-roads_infrastructure.csv")
    assert len(exported) > 0 and set(exported["province_code"]) == {"KH-17"}
    assert set(exported["sector"]) == {"roads_infrastructure"}


# --- every reading statement, and views that mean what they say ----------------------------------------------------


def test_statements_by_province_and_kind_match_the_exported_dataset(answers, analyst_dataset):
    pivot = answer(answers, "each province report").set_index("province")
    exported = pd.read_csv(analyst_dataset / "statements.csv")
    expected = exported.assign(province=exported["province"].fillna("(unresolved)")).pivot_table(
        index="province", columns="kind", values="statement_id", aggfunc="count", fill_value=0
    )
    assert set(exported["kind"]) == {"achievement", "challenge", "goal"}
    assert pivot[["achievement", "challenge", "goal"]].astype(int).sort_index().equals(
        expected[["achievement", "challenge", "goal"]].astype(int).sort_index()
    )


def test_reviewed_statements_hold_no_other_which_has_its_own_view(analyst_dataset):
    kinds = run_query(
        analyst_dataset,
        "SELECT (SELECT list(DISTINCT kind ORDER BY kind) FROM reviewed_statements) AS reviewed, "
        "(SELECT list(DISTINCT kind) FROM other_statements) AS other, "
        "(SELECT count(*) FROM all_reviewed_statements) AS everything, "
        "(SELECT count(*) FROM reviewed_statements) + (SELECT count(*) FROM other_statements) AS together",
    ).iloc[0]
    assert list(kinds["reviewed"]) == ["achievement", "challenge", "goal"] and list(kinds["other"]) == ["other"]
    assert kinds["everything"] == kinds["together"]


@pytest.mark.parametrize(
    "sql",
    [
        "PIVOT reviewed_statements ON kind USING count(*) GROUP BY province",
        "WITH counts AS (PIVOT reviewed_statements ON kind USING count(*) GROUP BY province) SELECT * FROM counts",
        "UNPIVOT provinces ON documents, unread_documents INTO NAME what VALUE n",
        "EXPLAIN PIVOT reviewed_statements ON kind USING count(*)",
        "SUMMARIZE provinces",
        "DESCRIBE reviewed_statements",
    ],
)
def test_every_reading_statement_runs(analyst_dataset, sql):
    assert len(run_query(analyst_dataset, sql)) > 0


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE stolen AS PIVOT reviewed_statements ON kind USING count(*)",
        "INSERT INTO documents PIVOT reviewed_statements ON kind USING count(*)",
        "COPY (PIVOT reviewed_statements ON kind USING count(*)) TO '{tmp}/stolen.csv'",
        "CALL pragma_version()",
    ],
)
def test_a_pivot_cannot_carry_a_write(analyst_dataset, tmp_path, sql):
    with pytest.raises(QueryRefused):
        run_query(analyst_dataset, sql.format(tmp=tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_the_saved_queries_of_the_sql_page_are_the_readme_cookbook_word_for_word():
    from pipeline.cookbook import saved_queries

    assert {query.question: query.sql for query in saved_queries()} == {
        question: sql.strip() for question, sql in COOKBOOK.items()
    }
