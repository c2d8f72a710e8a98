"""Stage 6 — summarize: the national summary (``summary.md``) read straight from the database."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipeline.gazetteer import provinces

EXAMPLES_PER_KIND = 3
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def md_escape(text: str | None) -> str:
    """Report text is untrusted: neutralise Markdown/HTML syntax so it shows as the words it is."""
    if text is None:
        return ""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if cell is None else str(cell) for cell in row) + " |" for row in rows]
    return lines


def build_summary(con: duckdb.DuckDBPyConnection) -> str:
    counts = {
        code: (docs, ach, cha, goal, flagged)
        for code, docs, ach, cha, goal, flagged in con.execute(
            """
            SELECT d.province_code,
                   count(DISTINCT d.source_file),
                   count(*) FILTER (WHERE s.kind = 'achievement'),
                   count(*) FILTER (WHERE s.kind = 'challenge'),
                   count(*) FILTER (WHERE s.kind = 'goal'),
                   count(*) FILTER (WHERE s.flagged AND s.kind <> 'other')
            FROM current_documents d LEFT JOIN current_statements s USING (document_id, source_file)
            WHERE d.province_code IS NOT NULL
            GROUP BY 1
            """
        ).fetchall()
    }
    totals = con.execute(
        """
        SELECT count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status <> 'ok'),
               coalesce(sum(pages) FILTER (WHERE status = 'ok'), 0)
        FROM (SELECT * FROM current_documents UNION SELECT * FROM latest_documents)
        """
    ).fetchone()
    lines = [
        "# National summary of work-review reports",
        "",
        f"Documents read: {totals[0]} ({totals[2]} PDF pages); documents that could not be read: {totals[1]}.",
        "",
        "## Statements by province",
        "",
    ]
    rows = []
    for province in provinces():
        docs, ach, cha, goal, flagged = counts.get(province.code, (0, 0, 0, 0, 0))
        rows.append([province.code, province.name, docs, ach, cha, goal, flagged])
    lines += _table(["Code", "Province", "Documents", "Achievements", "Challenges", "Goals", "Flagged"], rows)

    missing = [f"{p.name} ({p.code})" for p in provinces() if p.code not in counts]
    lines += ["", "## Provinces that sent nothing", ""]
    lines.append(", ".join(missing) if missing else "Every capital/province sent at least one report.")

    unattributed = con.execute(
        "SELECT source_file FROM current_documents WHERE province_code IS NULL ORDER BY source_file"
    ).fetchall()
    if unattributed:
        lines += ["", "## Documents whose province could not be determined", ""]
        lines += [f"- {md_escape(source)}" for (source,) in unattributed]

    failures = con.execute(
        "SELECT source_file, status, error FROM latest_documents WHERE status <> 'ok' ORDER BY source_file"
    ).fetchall()
    lines += ["", "## Documents that could not be read", ""]
    if failures:
        lines += _table(["File", "Status", "Error"], [[md_escape(f), s, md_escape(e)] for f, s, e in failures])
    else:
        lines.append("None.")

    lines += ["", "## Example statements", ""]
    for kind in ("achievement", "challenge", "goal"):
        lines += [f"### {kind.capitalize()}s", ""]
        examples = con.execute(
            """
            SELECT text, province, source_file, page FROM current_statements
            WHERE kind = ? AND NOT flagged
            ORDER BY confidence DESC, source_file, char_start LIMIT ?
            """,
            [kind, EXAMPLES_PER_KIND],
        ).fetchall()
        for text, province, source, page in examples:
            where = md_escape(source) + (f", page {page}" if page else "")
            lines.append(f"- {md_escape(text)} — *{md_escape(province) or 'province unknown'}; {where}*")
        if not examples:
            lines.append("- None.")
        lines.append("")
    return "\n".join(lines)


def write_summary(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    path = out_dir / "summary.md"
    path.write_text(build_summary(con), encoding="utf-8")
    return path
