"""National totals of key quantities (km of road, classrooms, households reached …), each traceable to its statements.

Adding up what reports say needs three rules, or the totals mislead:

- only achievements of the capital/provincial administrations' own reports count: district, municipality and
  working-group reports usually repeat parts of those figures;
- a quantity counts for what the words around it describe — its clause in prose, its row's label in a table — not
  for anything its statement mentions ("19 canals, 64 km long; 138 km of rural roads" is 138 km of road);
- a table row usually reads "indicator | plan | achieved | remarks": of the cells holding nothing but a number,
  only the last one (the result) counts, not the plan;
- a report that gives the same figure twice (in the text and again in a summary table) counts it once: within one
  document, a value repeated with the same unit is taken to be the same figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from pipeline.dataset import LEVEL_GROUPS, records

CLAUSE_BOUNDARY = re.compile(r"[.;!?](?=\s|$)")
TABLE_CELL_SEPARATOR = " | "


@dataclass(frozen=True, slots=True)
class KeyQuantity:
    label: str
    unit: str
    """The unit as shown, e.g. ``km``."""
    unit_key: str
    """The unit in the ``quantities`` table (``pipeline.quantities.UNITS``)."""
    describes: str | None = None
    """A pattern the words around the quantity must match (km of *road*, not of canal)."""


KEY_QUANTITIES = (
    KeyQuantity("Roads built or repaired", "km", "km", r"\b(?:roads?|streets?)\b"),
    KeyQuantity("Classrooms", "classrooms", "classrooms"),
    KeyQuantity("Schools", "schools", "schools"),
    KeyQuantity("Health centres", "health centres", "health_centres"),
    KeyQuantity("Households reached", "households", "households"),
    KeyQuantity("Families assisted", "families", "families"),
    KeyQuantity("Wells", "wells", "wells"),
)


@dataclass(slots=True)
class QuantityTotal:
    quantity: KeyQuantity
    by_province: list[dict] = field(default_factory=list)
    """``{"code", "name", "total", "statements", "sources": [quantity rows with their statement]}``, largest first."""

    @property
    def national(self) -> float:
        return sum(row["total"] for row in self.by_province)


def key_quantity_totals(quantities: pd.DataFrame, documents: pd.DataFrame) -> list[QuantityTotal]:
    """Per key quantity that any province reported, each province's total with the quantities that make it up."""
    if quantities.empty:
        return []
    levels = documents.drop_duplicates("source_file").set_index("source_file")["level"].map(LEVEL_GROUPS)
    eligible = quantities[
        (quantities["kind"] == "achievement")
        & (quantities["source_file"].map(levels) == "province")
        & quantities["province_code"].notna()
        & quantities["value"].notna()
    ]
    rows = counted(records(eligible))
    totals = []
    for quantity in KEY_QUANTITIES:
        matching = [row for row in rows if row["unit"] == quantity.unit_key and _describes(row, quantity.describes)]
        total = QuantityTotal(quantity)
        for code in sorted({row["province_code"] for row in matching}):
            sources = [row for row in matching if row["province_code"] == code]
            total.by_province.append(
                {
                    "code": code,
                    "name": sources[0]["province"],
                    "total": sum(source["value"] for source in sources),
                    "statements": len({source["statement_id"] for source in sources}),
                    "sources": sources,
                }
            )
        total.by_province.sort(key=lambda row: -row["total"])
        if total.by_province:
            totals.append(total)
    return totals


def counted(rows: list[dict]) -> list[dict]:
    """The quantities that add to a total: in a table row only the last cell that is nothing but a number (per
    unit), everywhere else all of them; and each figure once per document."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["statement_id"], row["source_file"], row["unit"]), []).append(row)
    kept = []
    for group in groups.values():
        whole_cells = [row for row in group if _is_table_row(row) and _cell(row).strip() == row["text"].strip()]
        kept += [max(whole_cells, key=lambda row: row["char_start"])] if whole_cells else group
    first_mentions: dict[tuple, dict] = {}
    for row in sorted(kept, key=lambda row: (row["source_file"], row["char_start"])):
        first_mentions.setdefault((row["source_file"], row["unit"], row["value"]), row)
    return list(first_mentions.values())


def surroundings(row: dict) -> str:
    """The words a quantity belongs to: its clause in prose; its row's label and its own cell in a table."""
    text = row["statement_text"]
    if _is_table_row(row):
        return text.split(TABLE_CELL_SEPARATOR)[0] + " " + _cell(row)
    start = _offset(row)
    if start is None:
        return text
    before = [match.end() for match in CLAUSE_BOUNDARY.finditer(text, 0, start)]
    after = CLAUSE_BOUNDARY.search(text, start + len(row["text"]))
    return text[before[-1] if before else 0 : after.start() if after else len(text)]


def _describes(row: dict, pattern: str | None) -> bool:
    return pattern is None or re.search(pattern, surroundings(row), re.IGNORECASE) is not None


def _is_table_row(row: dict) -> bool:
    return TABLE_CELL_SEPARATOR in row["statement_text"]


def _cell(row: dict) -> str:
    """The table cell the quantity sits in."""
    text, start = row["statement_text"], _offset(row)
    if start is None:
        return text
    cell_start = text.rfind(TABLE_CELL_SEPARATOR, 0, start)
    cell_start = 0 if cell_start < 0 else cell_start + len(TABLE_CELL_SEPARATOR)
    cell_end = text.find(TABLE_CELL_SEPARATOR, start)
    return text[cell_start : cell_end if cell_end >= 0 else len(text)]


def _offset(row: dict) -> int | None:
    """Where the quantity starts in its statement's text (spans are in the document's text); ``None`` if unsure."""
    start = row["char_start"] - row["statement_start"]
    text = row["statement_text"]
    return start if 0 <= start and text[start : start + len(row["text"])] == row["text"] else None
