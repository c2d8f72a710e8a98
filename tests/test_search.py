"""Full-text search: terms, ranking, phrases, and an index that follows every new version, withdrawal and old
database."""

from pathlib import Path

import pytest

from pipeline import search, store
from pipeline.dataset import connect_read_only
from pipeline.errors import InvalidInput
from pipeline.inbox import discover
from pipeline.process import process_file
from pipeline.query import StatementFilter, select_statements

REPORT = """Kampot Provincial Administration
Report on the Results of Work in 2020

I. ACHIEVEMENTS

The province built 42 km of rural roads in four districts.
Land disputes in Chhuk district were settled by the cadastral commission.

II. CHALLENGES

Land disputes between villagers and a salt company remained unresolved in Kampong Trach.
A dispute over land titles in Chhuk delayed the market project.

III. GOALS

The province will repair 30 km of rural road in 2021.
"""


def test_terms_fold_plurals_and_split_khmer_into_character_pairs():
    assert search.terms("Land DISPUTES, families; 42 km!") == ["land", "dispute", "family", "42", "km"]
    assert search.terms("ខេត្ត") == ["ខេ", "េត", "ត្", "្ត"]
    assert search.terms("status bus process") == ["status", "bus", "process"]
    query = search.SearchQuery.parse('roads "land disputes" roads')
    assert query.terms == ("road", "land", "dispute") and query.phrases == ("land disputes",)


def store_report(out: Path, reports: Path, text: str) -> None:
    (reports / "kampot_2020.txt").write_text(text, encoding="utf-8")
    con = store.connect(out)
    try:
        for inbox_file in discover(reports):
            store.save_document(con, process_file(inbox_file.path, inbox_file.source_file))
        store.sync_inbox(con, {f.source_file: f.document_id for f in discover(reports)})
    finally:
        con.close()


def found(out: Path, text: str) -> list[str]:
    con = connect_read_only(out)
    try:
        return list(select_statements(con, StatementFilter(search=text))[1]["text"])
    finally:
        con.close()


@pytest.fixture
def dataset(tmp_path) -> tuple[Path, Path]:
    reports, out = tmp_path / "reports", tmp_path / "out"
    reports.mkdir()
    store_report(out, reports, REPORT)
    return reports, out


def test_every_word_must_match_and_the_best_match_comes_first(dataset):
    _, out = dataset
    disputes = found(out, "land disputes")
    assert len(disputes) == 3 and all("land" in text.lower() and "dispute" in text.lower() for text in disputes)
    assert found(out, '"land disputes"') == [text for text in disputes if "land disputes" in text.lower()]
    roads = found(out, "rural roads")
    assert len(roads) == 2
    assert found(out, "rural roads salt") == [] and found(out, "!!!") == []


def test_a_new_version_replaces_the_old_statements_in_the_index_and_a_withdrawn_file_leaves_it(dataset):
    reports, out = dataset
    store_report(out, reports, REPORT.replace("salt company", "pepper farm"))
    assert found(out, "salt") == [] and len(found(out, "pepper farm")) == 1
    (reports / "kampot_2020.txt").unlink()
    con = store.connect(out)
    try:
        store.sync_inbox(con, {f.source_file: f.document_id for f in discover(reports)})
    finally:
        con.close()
    assert found(out, "pepper") == []


def test_a_database_written_before_the_index_is_indexed_by_the_next_writer(dataset):
    _, out = dataset
    con = store.connect(out)
    try:
        con.execute("DROP TABLE search_terms")
        con.execute("DROP TABLE search_lengths")
        con.execute("DELETE FROM meta WHERE key = 'search_index'")
    finally:
        con.close()
    with pytest.raises(InvalidInput, match="no search index yet"):
        found(out, "land")
    store.connect(out).close()
    assert len(found(out, "land disputes")) == 3
