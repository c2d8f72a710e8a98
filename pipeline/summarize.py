"""Stage 6 — summarize: the national summary, ``summary.html`` (charts embedded) and ``summary.md``.

Written for leadership, who should get the picture in five minutes: who reported, what the country achieved
and struggled with, what it plans, and how far review has got. Every number can be traced to the statements it
comes from. Report text is untrusted: the HTML template escapes everything it shows and the Markdown escapes its
syntax characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from pipeline.dataset import LEVEL_GROUPS, Dataset, add_analysis_tables, read_dataset, records
from pipeline.evaluate import file_name
from pipeline.summary_charts import bar_panels, heat_map
from pipeline.summary_quantities import QuantityTotal, key_quantity_totals
from pipeline.summary_themes import Theme, find_themes
from pipeline.vocabulary import REPORTED_KINDS

KIND_TITLES = {"achievement": "Achievements", "challenge": "Challenges", "goal": "Goals"}
STATUS_TITLES = {"reported": "reported", "needs_ocr": "needs OCR", "failed": "failed", "missing": "missing"}
LEVEL_TITLES = {"province": "capital/province", "local": "municipality/district/khan", "working_group": "working group"}
TOP_SECTORS = 8
THEMES_PER_KIND = 5
EXAMPLES_PER_THEME = 3
PROFILE_EXAMPLES = 3
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


@dataclass(slots=True)
class ReviewProgress:
    flagged: int
    decided: int
    by_status: dict[str, int]
    """Decisions on flagged statements by outcome: accepted / corrected / rejected."""

    @property
    def pending(self) -> int:
        return self.flagged - self.decided


@dataclass(slots=True)
class NationalSummary:
    provinces: list[dict]
    """Rows of ``Dataset.provinces`` with ``statements`` per kind, ``review`` progress, documents, examples."""
    unread: list[dict]
    unattributed: list[dict]
    kind_counts: dict[str, int]
    documents_read: int
    pages: int
    years: list[int]
    review: ReviewProgress
    sectors: dict[str, pd.Series]
    """Per kind (challenge, goal), statements per sector, most frequent first; empty before sectors exist."""
    quantities: list[QuantityTotal]
    themes: dict[str, list[Theme]]
    province_kind_counts: pd.DataFrame


# --- facts ------------------------------------------------------------------------------------------------------


def build_summary(data: Dataset) -> NationalSummary:
    """Everything the summary says, from a dataset loaded with ``include_other=True``."""
    everything = data.statements
    statements = everything[everything["kind"].isin(REPORTED_KINDS)]
    documents = data.documents
    read = documents[documents["status"] == "ok"].drop_duplicates("source_file", keep="last")
    unread = documents[documents["status"] != "ok"].drop_duplicates("source_file", keep="last")
    quantities = key_quantity_totals(data.quantities, documents)
    return NationalSummary(
        provinces=_province_profiles(data.provinces, read, statements, everything, quantities),
        unread=records(unread),
        unattributed=records(read[read["province_code"].isna()]),
        kind_counts={kind: int((statements["kind"] == kind).sum()) for kind in REPORTED_KINDS},
        documents_read=len(read),
        pages=int(read["pages"].fillna(0).sum()),
        years=sorted(int(year) for year in read["report_year"].dropna().unique()),
        review=review_progress(everything),
        sectors={kind: _sector_counts(statements, kind) for kind in ("challenge", "goal")},
        quantities=quantities,
        themes={
            kind: find_themes(statements[statements["kind"] == kind], THEMES_PER_KIND, EXAMPLES_PER_THEME)
            for kind in REPORTED_KINDS
        },
        province_kind_counts=_province_kind_counts(data.provinces, statements),
    )


def review_progress(statements: pd.DataFrame) -> ReviewProgress:
    """The reviewers' queue: flagged statements of every kind (``other`` too: it may hide a missed statement)."""
    reviewed = statements["review_status"].fillna("unreviewed") != "unreviewed"
    flagged = statements["flagged"].astype(bool)
    decided = statements[flagged & reviewed]
    return ReviewProgress(
        flagged=int(flagged.sum()),
        decided=len(decided),
        by_status={
            status: int(count) for status, count in decided["review_status"].value_counts().sort_index().items()
        },
    )


def _province_profiles(
    provinces: pd.DataFrame,
    read: pd.DataFrame,
    statements: pd.DataFrame,
    everything: pd.DataFrame,
    quantities: list[QuantityTotal],
) -> list[dict]:
    profiles = []
    for province in records(provinces):
        code = province["code"]
        own = statements[statements["province_code"] == code]
        profiles.append(
            {
                **province,
                "status_title": STATUS_TITLES[province["status"]],
                "documents_list": records(
                    read[read["province_code"] == code].assign(
                        level_title=lambda frame: frame["level"].map(LEVEL_GROUPS).map(LEVEL_TITLES)
                    )
                ),
                "counts": {kind: int((own["kind"] == kind).sum()) for kind in REPORTED_KINDS},
                "review": review_progress(everything[everything["province_code"] == code]),
                "statements": {kind: _best_first(own[own["kind"] == kind]) for kind in REPORTED_KINDS},
                "quantities": [
                    (total.quantity, row["total"])
                    for total in quantities
                    for row in total.by_province
                    if row["code"] == code
                ],
            }
        )
    return profiles


def _best_first(statements: pd.DataFrame) -> list[dict]:
    """Statements most worth quoting first: unflagged, confident; then in document order."""
    return records(
        statements.sort_values(
            ["flagged", "confidence", "source_file", "char_start"], ascending=[True, False, True, True], kind="stable"
        )
    )


def _sector_counts(statements: pd.DataFrame, kind: str) -> pd.Series:
    """Statements per sector (by label), most first; ``other`` says nothing about a sector and is left out."""
    sectors = statements.loc[statements["kind"] == kind, "sector"].dropna().astype(str).str.strip()
    sectors = sectors[(sectors != "") & (sectors != "other")].map(sector_label)
    counts = sectors.value_counts()
    return counts.sort_index().sort_values(ascending=False, kind="stable").head(TOP_SECTORS)


def sector_label(sector: str | None) -> str:
    """A sector key as people write it: ``roads_infrastructure`` → "roads infrastructure"."""
    return (sector or "").replace("covid19", "COVID-19").replace("_", " ")


def _province_kind_counts(provinces: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    counts = pd.crosstab(statements["province_code"], statements["kind"])
    counts = counts.reindex(index=provinces["code"], columns=list(REPORTED_KINDS), fill_value=0)
    counts.index = provinces["name"].tolist()
    counts.columns = [KIND_TITLES[kind].lower() for kind in REPORTED_KINDS]
    return counts


# --- writing ----------------------------------------------------------------------------------------------------


def write_summaries(con: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, Path]:
    """Write ``summary.html`` and ``summary.md`` from the database ``con`` is connected to."""
    add_analysis_tables(con, out_dir)
    summary = build_summary(read_dataset(con, include_other=True))
    paths = {"summary_html": out_dir / "summary.html", "summary_md": out_dir / "summary.md"}
    for key, text in (("summary_html", render_html(summary)), ("summary_md", render_markdown(summary))):
        tmp = paths[key].with_name(paths[key].name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(paths[key])
    return paths


def render_html(summary: NationalSummary) -> str:
    charts = {
        "province_kind": heat_map(summary.province_kind_counts, "Statements by capital/province and kind"),
        "sectors": _sector_chart(summary),
        "quantities": {
            total.quantity.label: bar_panels(
                [(total.quantity.label, pd.Series({row["name"]: row["total"] for row in total.by_province}))],
                total.quantity.unit,
            )
            for total in summary.quantities
        },
    }
    return _templates().get_template("summary.html.j2").render(
        s=summary, charts=charts, kinds=REPORTED_KINDS, kind_titles=KIND_TITLES, quantity_table=_quantity_table(summary)
    )


def _quantity_table(summary: NationalSummary) -> list[dict]:
    """One row per capital/province with any key quantity: its total of each (``None`` if it reported none)."""
    totals = [{row["code"]: row["total"] for row in total.by_province} for total in summary.quantities]
    return [
        {"code": p["code"], "name": p["name"], "values": [by_code.get(p["code"]) for by_code in totals]}
        for p in summary.provinces
        if any(p["code"] in by_code for by_code in totals)
    ]


def _sector_chart(summary: NationalSummary) -> str | None:
    panels = [(f"{KIND_TITLES[kind]}: top sectors", counts) for kind, counts in summary.sectors.items() if len(counts)]
    return bar_panels(panels, "statements") if panels else None


def _templates() -> Environment:
    environment = Environment(
        loader=PackageLoader("pipeline", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["number"] = format_number
    environment.filters["where"] = where
    environment.filters["sector"] = sector_label
    environment.filters["basename"] = file_name
    return environment


def format_number(value: float | int) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def where(row: dict) -> str:
    """Where a statement was found, as quoted: "Kampot, Kampot_2020_review_final.pdf, p. 3"."""
    parts = [row.get("province") or "province unknown", row["source_file"]]
    if row.get("page") is not None:
        parts.append(f"p. {int(row['page'])}")
    return ", ".join(parts)


# --- Markdown ---------------------------------------------------------------------------------------------------


def md_escape(text: object) -> str:
    """Report text is untrusted: neutralise Markdown/HTML syntax so it shows as the words it is."""
    if text is None:
        return ""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if cell is None else str(cell) for cell in row) + " |" for row in rows]
    return lines


def _quote(row: dict) -> str:
    return f"«{md_escape(row['text'])}» — *{md_escape(where(row))}*"


def render_markdown(summary: NationalSummary) -> str:
    reported = sum(p["status"] == "reported" for p in summary.provinces)
    counts = summary.kind_counts
    lines = [
        "# National summary of work-review reports",
        "",
        f"Year(s) under review: {', '.join(map(str, summary.years)) or 'unknown'}. "
        f"{reported} of {len(summary.provinces)} capital/provinces reported; {summary.documents_read} documents read "
        f"({summary.pages} PDF pages), {len(summary.unread)} could not be read.",
        f"{counts['achievement']} achievements, {counts['challenge']} challenges and {counts['goal']} goals. "
        f"Review: {summary.review.flagged} flagged, {summary.review.decided} decided, "
        f"{summary.review.pending} pending.",
        "",
        "## Submission status",
        "",
    ]
    lines += _table(
        ["Code", "Capital/province", "Status", "Capital/province docs", "Municipality/district/khan docs",
         "Working group docs", "Unread files", "Achievements", "Challenges", "Goals", "Flagged", "Decided"],
        [
            [p["code"], p["name"], p["status_title"], p["province_documents"], p["local_documents"],
             p["working_group_documents"], p["unread_documents"], *p["counts"].values(), p["review"].flagged,
             p["review"].decided]
            for p in summary.provinces
        ],
    )
    missing = [f"{p['name']} ({p['code']})" for p in summary.provinces if p["status"] != "reported"]
    lines += ["", "## Provinces that sent nothing readable", ""]
    lines.append(", ".join(missing) if missing else "Every capital/province sent at least one readable report.")
    lines += ["", "## Documents that could not be read", ""]
    if summary.unread:
        lines += _table(
            ["File", "Status", "Error"],
            [[md_escape(d["source_file"]), d["status"], md_escape(d["error"])] for d in summary.unread],
        )
    else:
        lines.append("None.")
    if summary.unattributed:
        lines += ["", "## Documents whose province could not be determined", ""]
        lines += [f"- {md_escape(d['source_file'])}" for d in summary.unattributed]

    lines += ["", "## Top sectors", ""]
    if any(len(counts) for counts in summary.sectors.values()):
        for kind, sectors in summary.sectors.items():
            listed = ", ".join(f"{md_escape(sector)} ({count})" for sector, count in sectors.items())
            lines.append(f"- {KIND_TITLES[kind]}: {listed or 'none'}")
    else:
        lines.append("Statements have no sector yet.")

    year = next((total.year for total in summary.quantities if total.year), None)
    of_year = f", {year}" if year else ""
    lines += ["", f"## Key quantities (achievements in capital/provincial reports{of_year})", ""]
    if not summary.quantities:
        lines.append("No quantities in the dataset yet.")
    for total in summary.quantities:
        unit = total.quantity.unit
        lines += [f"### {total.quantity.label}: {format_number(total.national)} {unit}", ""]
        for row in total.by_province:
            ids = ", ".join(
                f"`{statement_id}`" for statement_id in dict.fromkeys(s["statement_id"] for s in row["sources"])
            )
            planned = "" if row["planned"] is None else f"planned {format_number(row['planned'])} {unit}, done "
            source = f" (from {md_escape(file_name(row['source_file']))}"
            if row["left_out"]:
                others = ", ".join(md_escape(file_name(other)) for other in row["left_out"])
                source += f"; not added, as it covers the same province and year: {others}"
            lines.append(f"- {row['name']}: {planned}{format_number(row['total'])} {unit}{source}) — statements {ids}")
        lines.append("")

    lines += ["", "## Themes", ""]
    for kind, themes in summary.themes.items():
        lines += [f"### {KIND_TITLES[kind]}", ""]
        for theme in themes:
            sector = f", mostly {md_escape(sector_label(theme.sector))}" if theme.sector else ""
            lines.append(
                f"- **{md_escape(theme.phrase)}** — {theme.statements} statements from {theme.provinces} "
                f"provinces{sector}"
            )
            lines += [f"  - {_quote(example)}" for example in theme.examples]
        if not themes:
            lines.append("- No theme shared by two provinces.")
        lines.append("")

    lines += ["## Provinces", ""]
    for p in summary.provinces:
        lines += [f"### {p['name']} ({p['code']}) — {p['status_title']}", ""]
        if p["status"] != "reported":
            lines += ["No readable report received.", ""]
            continue
        kind_counts = ", ".join(f"{n} {KIND_TITLES[kind].lower()}" for kind, n in p["counts"].items())
        lines.append(
            f"{p['documents']} documents; {kind_counts}; {p['review'].flagged} flagged, {p['review'].decided} decided."
        )
        lines.append("")
        for kind, rows in p["statements"].items():
            for row in rows[:PROFILE_EXAMPLES]:
                lines.append(f"- {KIND_TITLES[kind][:-1]}: {_quote(row)}")
        lines.append("")

    review = summary.review
    lines += ["## Review progress", ""]
    lines.append(f"{review.flagged} statements flagged for review: {review.decided} decided, {review.pending} pending.")
    if review.by_status:
        lines.append("Decisions: " + ", ".join(f"{count} {status}" for status, count in review.by_status.items()) + ".")
    return "\n".join(lines) + "\n"
