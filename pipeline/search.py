"""Full-text search over statements: an inverted index kept in DuckDB, written with each document, ranked by BM25.

Why not DuckDB's ``fts`` extension: the installed duckdb wheel does not bundle it (``LOAD fts`` wants a download
from the extension repository, which this deployment cannot reach), and a run must never depend on the network.
Why not tantivy: a second store beside the database would have to follow every version, withdrawal and restore
of a file; these two tables live in the same transaction as the statements they index, so they cannot drift.

``search_terms`` holds one row per (statement, term) with the term's count, ``search_lengths`` one row per
statement with its number of terms. Terms are lower-cased words with English plurals folded ("disputes" →
"dispute"); Khmer, written without spaces between words, is indexed as overlapping pairs of characters, so a
Khmer query matches where its characters appear in that order. A query matches statements holding all its terms;
words in double quotes must also appear together, as a phrase. Only current statements are searched and counted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import duckdb
import pandas as pd

BM25_K1 = 1.2
BM25_B = 0.75
"""The usual BM25 constants: how fast repeated terms saturate, and how much a long statement is discounted."""
INDEX_VERSION = "1"
"""Stored in ``meta``; a database indexed by another version (or none) is re-indexed by the next run."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_terms (
    document_id VARCHAR NOT NULL, source_file VARCHAR NOT NULL, statement_id VARCHAR NOT NULL,
    term VARCHAR NOT NULL, tf INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS search_lengths (
    document_id VARCHAR NOT NULL, source_file VARCHAR NOT NULL, statement_id VARCHAR NOT NULL,
    length INTEGER NOT NULL
);
"""

_TOKEN = re.compile(r"[\u1780-\u17ff]+|[^\W_]+")
_KHMER = re.compile(r"[\u1780-\u17ff]")


def _fold(word: str) -> str:
    """A light English plural fold: enough for "disputes"/"dispute" and "families"/"family", no stemmer needed."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The index terms of ``text`` in order (a query goes through the same function)."""
    found: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        if _KHMER.match(token):
            found.extend([token] if len(token) == 1 else [token[i : i + 2] for i in range(len(token) - 1)])
        else:
            found.append(_fold(token))
    return found


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What a user typed, split into the terms every match must hold and the phrases it must contain."""

    terms: tuple[str, ...]
    phrases: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> SearchQuery:
        phrases = tuple(phrase.strip() for phrase in re.findall(r'"([^"]+)"', text) if terms(phrase))
        return cls(tuple(dict.fromkeys(terms(text))), phrases)

    def __bool__(self) -> bool:
        return bool(self.terms)


def index_rows(statements: list[tuple[str, str, str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``search_terms`` and ``search_lengths`` rows for ``(document_id, source_file, statement_id, text)``."""
    term_rows: list[tuple[str, str, str, str, int]] = []
    length_rows: list[tuple[str, str, str, int]] = []
    for document_id, source_file, statement_id, text in statements:
        found = terms(text)
        length_rows.append((document_id, source_file, statement_id, len(found)))
        term_rows.extend((document_id, source_file, statement_id, term, tf) for term, tf in Counter(found).items())
    key = ["document_id", "source_file", "statement_id"]
    return (
        pd.DataFrame(term_rows, columns=[*key, "term", "tf"]),
        pd.DataFrame(length_rows, columns=[*key, "length"]),
    )


INDEX_TABLES = ("search_terms", "search_lengths")


def index_document(con: duckdb.DuckDBPyConnection, document_id: str, source_file: str, statements: list) -> None:
    """Replace one stored document's index rows, inside the caller's transaction (``store.save_document``)."""
    for table in INDEX_TABLES:
        con.execute(f"DELETE FROM {table} WHERE document_id = ? AND source_file = ?", [document_id, source_file])
    if statements:
        insert_index(con, [(document_id, source_file, s.statement_id, s.text) for s in statements])


def reindex(con: duckdb.DuckDBPyConnection) -> None:
    """Index every stored statement again (a database written before the index, or by another index version)."""
    rows = con.execute("SELECT document_id, source_file, statement_id, text FROM statements").fetchall()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM search_terms")
        con.execute("DELETE FROM search_lengths")
        if rows:
            insert_index(con, rows)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('search_index', ?)", [INDEX_VERSION])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def insert_index(con: duckdb.DuckDBPyConnection, statements: list[tuple[str, str, str, str]]) -> None:
    """Index rows for ``(document_id, source_file, statement_id, text)`` whose old rows are already gone."""
    term_frame, length_frame = index_rows(statements)
    con.register("search_term_frame", term_frame)
    con.register("search_length_frame", length_frame)
    try:
        con.execute("INSERT INTO search_terms SELECT * FROM search_term_frame")
        con.execute("INSERT INTO search_lengths SELECT * FROM search_length_frame")
    finally:
        con.unregister("search_term_frame")
        con.unregister("search_length_frame")


def ensure_index(con: duckdb.DuckDBPyConnection) -> None:
    """On a writable connection: re-index if the stored index is missing or of another version."""
    rows = con.execute("SELECT value FROM meta WHERE key = 'search_index'").fetchall()
    if rows != [(INDEX_VERSION,)]:
        reindex(con)


def scores_sql(query: SearchQuery) -> tuple[str, list]:
    """A subquery of ``(document_id, source_file, statement_id, score)`` for the current statements matching
    ``query``, with its parameters. BM25 with document frequencies and lengths over the current statements."""
    # Each phrase: a cheap ILIKE on its words in order first (DuckDB pushes these conditions down to the scan of
    # every statement), then the exact check on word boundaries for the few rows left.
    phrase_filter = "".join(
        " AND s.text ILIKE ? AND contains(' ' || regexp_replace(lower(s.text), '[^\\pL\\pN\\pM]+', ' ', 'g') || ' ', "
        "' ' || trim(regexp_replace(lower(?), '[^\\pL\\pN\\pM]+', ' ', 'g')) || ' ')"
        for _ in query.phrases
    )
    sql = f"""
        WITH query_terms AS (SELECT unnest(?::VARCHAR[]) AS term),
        current AS (SELECT document_id, source_file FROM documents WHERE current AND NOT withdrawn),
        hits AS (
            SELECT t.* FROM search_terms t SEMI JOIN current USING (document_id, source_file)
            WHERE t.term IN (SELECT term FROM query_terms)
        ),
        corpus AS (
            SELECT count(*) AS n, avg(length) AS average FROM search_lengths SEMI JOIN current
            USING (document_id, source_file)
        ),
        frequency AS (SELECT term, count(*) AS df FROM hits GROUP BY term),
        matched AS (
            SELECT h.document_id, h.source_file, h.statement_id,
                   sum(ln(1 + (c.n - f.df + 0.5) / (f.df + 0.5))
                       * h.tf * ({BM25_K1} + 1)
                       / (h.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * l.length / c.average))) AS score
            FROM hits h JOIN frequency f USING (term)
            JOIN search_lengths l USING (document_id, source_file, statement_id)
            CROSS JOIN corpus c
            GROUP BY ALL
            HAVING count(*) = (SELECT count(*) FROM query_terms)
        )
        SELECT m.* FROM matched m
        JOIN statements s USING (document_id, source_file, statement_id)
        WHERE true {phrase_filter}
    """
    phrase_params = []
    for phrase in query.phrases:
        words = re.findall(r"[^\W_]+", phrase)
        phrase_params += ["%" + "%".join(words) + "%", phrase]
    return sql, [list(query.terms), *phrase_params]
