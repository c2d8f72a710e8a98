"""The national summary: who reported, totals that add up to their statements, themes, review progress, escaping."""

import base64
import re
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_REPORTS

from pipeline import store, summarize
from pipeline.dataset import LEVEL_GROUPS, load_dataset
from pipeline.process import process_file
from pipeline.review import User, decide
from pipeline.summary_quantities import counted, surroundings
from pipeline.summary_themes import key_phrases

INJECTED_REPORT = """Kampot Provincial Administration
Report on the Results of Work in 2020

I. ACHIEVEMENTS IN 2020

The province built 12 km of rural roads <script>alert("pwned")</script> in Chhuk district.
The health department vaccinated <img src=x onerror=alert(1)> 3,000 children against measles.

II. CHALLENGES

Floods in October damaged 300 ha of rice fields [click](javascript:alert(1)) | and *bridges*.
"""


@pytest.fixture(scope="module")
def summary(analyst_dataset):
    return summarize.build_summary(load_dataset(analyst_dataset, include_other=True))


def submission_rows(html: str) -> dict[str, str]:
    """Code → status, from the HTML submission table."""
    rows = re.findall(r'<tr data-code="(KH-\d+)">.*?class="status status-(\w+)"', html, re.DOTALL)
    return dict(rows)


def markdown_section(text: str, title: str) -> str:
    start = text.index(f"## {title}")
    return text[start : text.index("\n## ", start + 1)]


def test_the_submission_table_lists_every_province_with_its_status(analyst_dataset):
    markdown = (analyst_dataset / "summary.md").read_text(encoding="utf-8")
    rows = [
        line.split(" | ")
        for line in markdown_section(markdown, "Submission status").splitlines()
        if line.startswith("| KH-")
    ]
    assert [row[0].strip("| ") for row in rows] == [f"KH-{n}" for n in range(1, 26)]
    status = {row[1]: row[2] for row in rows}
    assert status["Kep"] == "needs OCR" and status["Pailin"] == "missing"
    assert sum(value == "reported" for value in status.values()) == 23
    assert "Kep (KH-23), Pailin (KH-24)" in markdown_section(markdown, "Provinces that sent nothing readable")
    assert "kep\\_2020\\_annual\\_report\\_scan.pdf | needs_ocr" in markdown


def test_the_html_summary_is_one_file_that_needs_no_network(analyst_dataset):
    html = (analyst_dataset / "summary.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<script" not in html and "<link" not in html
    charts = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(charts) >= 3
    assert all(base64.b64decode(chart).lstrip().startswith(b"<?xml") for chart in charts)
    assert list(submission_rows(html)) == [f"KH-{n}" for n in range(1, 26)]


def test_every_quantity_total_is_the_sum_of_the_statements_listed_under_it(summary, analyst_dataset):
    html = (analyst_dataset / "summary.html").read_text(encoding="utf-8")
    data = load_dataset(analyst_dataset)
    levels = data.documents.set_index("source_file")["level"].map(LEVEL_GROUPS)
    assert {total.quantity.label for total in summary.quantities} >= {
        "Roads built or repaired", "Classrooms built or repaired", "Wells drilled or dug"
    }
    for total in summary.quantities:
        for row in total.by_province:
            assert row["total"] == pytest.approx(sum(source["value"] for source in row["sources"]))
            assert {source["source_file"] for source in row["sources"]} == {row["source_file"]}
            assert row["source_file"] not in row["left_out"]
            for source in row["sources"]:
                assert source["kind"] == "achievement" and levels[source["source_file"]] == "province"
                assert source["province_code"] == row["code"] and source["text"] in source["statement_text"]
                assert source["statement_id"] in html
    roads = {row["name"]: row for row in summary.quantities[0].by_province}
    # Takeo reports 138 km of rural road twice (text and table, beside a 120 km plan) and 64 km of canals.
    assert roads["Takeo"]["total"] == 138


def test_a_figure_counts_for_its_own_words_and_once_per_report():
    def quantity(statement: str, text: str, occurrence: int = 0, source: str = "a.pdf", statement_start: int = 1000):
        start = [m.start() for m in re.finditer(re.escape(text), statement)][occurrence]
        value = float(re.sub(r"[^\d.]", "", text))
        return {"statement_id": statement[:12], "source_file": source, "unit": "km", "value": value, "text": text,
                "statement_text": statement, "statement_start": statement_start, "char_start": statement_start + start}

    prose = "Workers cleaned 64 km of canals. The department built 138 km of rural roads."
    table = "Rural roads repaired (km) | 120 | 138 | Exceeded, includes 18 km after the floods"
    assert "road" not in surroundings(quantity(prose, "64 km")) and "road" in surroundings(quantity(prose, "138 km"))
    assert surroundings(quantity(table, "120")) == "Rural roads repaired (km) 120"
    rows = [quantity(prose, "138 km"), quantity(table, "138", statement_start=2000),
            quantity(table, "18 km", statement_start=2000), quantity(prose, "138 km", source="b.pdf")]
    kept = [(row["source_file"], row["value"]) for row in counted(rows)]
    assert kept == [("a.pdf", 138), ("a.pdf", 18), ("b.pdf", 138)]


def test_themes_quote_statements_sharing_the_phrase_from_different_provinces(summary, analyst_dataset):
    markdown = (analyst_dataset / "summary.md").read_text(encoding="utf-8")
    for kind, themes in summary.themes.items():
        assert len(themes) >= 3, kind
        for theme in themes:
            assert theme.provinces >= 2 and 2 <= len(theme.examples) <= 3
            assert len({example["province_code"] for example in theme.examples}) == len(theme.examples)
            assert all(
                theme.key in key_phrases(example["text"]) and example["kind"] == kind for example in theme.examples
            )
            assert f"**{summarize.md_escape(theme.phrase)}**" in markdown
    challenge_phrases = {theme.key for theme in summary.themes["challenge"]}
    assert "land dispute" in challenge_phrases


def test_province_profiles_and_review_progress_count_decisions(analyst_dataset, tmp_path):
    out = tmp_path / "data"
    shutil.copytree(analyst_dataset, out)
    data = load_dataset(out)
    flagged = data.statements[data.statements["flagged"] & (data.statements["province"] == "Kampot")]
    rows = flagged.head(2).to_dict("records")
    corrections = (next(kind for kind in ("goal", "challenge") if kind != rows[0]["kind"]), "other")
    for row, new_kind in zip(rows, corrections):
        decide(
            out, reviewer=User("rita", "reviewer"), statement=row, new_values={**row, "kind": new_kind}, base_version=0
        )

    summary = summarize.build_summary(load_dataset(out, include_other=True))
    assert (summary.review.decided, summary.review.by_status) == (2, {"corrected": 1, "rejected": 1})
    everything = load_dataset(analyst_dataset, include_other=True).statements
    assert summary.review.pending == summary.review.flagged - 2 == everything["flagged"].sum() - 2
    kampot = next(p for p in summary.provinces if p["code"] == "KH-7")
    assert kampot["review"].decided == 2 and kampot["counts"]["challenge"] > 0 and kampot["statements"]["goal"]
    markdown = summarize.render_markdown(summary)
    assert f"{summary.review.flagged} statements flagged for review: 2 decided" in markdown
    assert "1 corrected, 1 rejected" in markdown


def test_report_text_shows_as_text_in_both_summaries(tmp_path):
    report = tmp_path / "kampot_2020.txt"
    report.write_text(INJECTED_REPORT, encoding="utf-8")
    out = tmp_path / "data"
    con = store.connect(out)
    try:
        store.save_document(con, process_file(report, report.name))
        paths = summarize.write_summaries(con, out)
    finally:
        con.close()
    html = paths["summary_html"].read_text(encoding="utf-8")
    assert "<script" not in html and "<img src=x" not in html
    assert (
        "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    )
    markdown = paths["summary_md"].read_text(encoding="utf-8")
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert "\\[click\\](javascript:alert(1)) \\| and \\*bridges\\*" in markdown


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_writes_both_summaries(tmp_path):
    from flows.ingest import run_ingestion

    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("kampong-thom-work-review-2020.md", "svay_rieng_review2020.txt"):
        shutil.copy(SAMPLE_REPORTS / name, reports / name)
    report = run_ingestion(str(reports), str(tmp_path / "out"))
    html = Path(report.outputs["summary_html"]).read_text(encoding="utf-8")
    status = submission_rows(html)
    assert {code for code, value in status.items() if value == "reported"} == {"KH-6", "KH-20"}
    assert Path(report.outputs["summary_md"]).is_file()
