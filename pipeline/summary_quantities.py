"""National totals of key quantities (km of road built, classrooms, households reached …), each traceable to its
statements.

Adding up what reports say needs these rules, or the totals mislead:

- only achievements of the capital/provincial administrations' own reports count: district, municipality and
  working-group reports usually repeat parts of those figures;
- only figures whose role (``pipeline.quantity_roles``) is ``output`` — done in the year — are added: never a plan
  (``target``), a stock or running total ("bringing the total to 92", "all 52 health centres"), a part of another
  figure ("including 36 km"), a change, damage ("floods damaged 62 km") or a baseline;
- like is added to like: the same unit and the same object — km of *road*, not of canal: the quantity's ``object``
  ("46 km of rural roads" → road), else the words around it (its clause in prose, its row's label in a table);
- one report per province: where several reports of one province review the same year (a provincial report and
  a memo or news account of it), they overlap, so the province's total is taken from the fullest and the summary
  names the others;
- labels say exactly what is counted ("Households given cash transfers", "Schools built or repaired"), and a figure
  counts only if the words around it say so (``KeyQuantity.done``);
- figures of one year only: the year most capital/provincial reports review (a report on 2019 is not added to one
  on 2020);
- a figure given twice in a report (in the text and again in a summary table) counts once: within one report, a
  value repeated with the same unit is taken to be the same figure;
- plans for the year under review (``target`` figures of achievements and challenges, such as the plan column of a
  "plan | achieved" table) are totalled the same way and shown beside the result ("planned 120 km, built 138 km").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from pipeline.dataset import LEVEL_GROUPS, records
from pipeline.quantities import find_quantities

CLAUSE_BOUNDARY = re.compile(r"[.;!?](?=\s|$)")
TABLE_CELL_SEPARATOR = " | "


@dataclass(frozen=True, slots=True)
class KeyQuantity:
    label: str
    """Says exactly what is counted: an official may quote it as it stands."""
    unit: str
    """The unit as shown, e.g. ``km``."""
    unit_key: str
    """The unit in the ``quantities`` table (``pipeline.quantities.UNITS``)."""
    objects: frozenset[str] = frozenset()
    """What the quantity must count (its ``object``: road, not canal); empty when the unit says it all."""
    describes: str | None = None
    """For a quantity whose object is not known: a pattern the words around it must match."""
    done: str | None = None
    """What must have been done to the figure, read in the words that say it (``deciding_words``): "Schools built or
    repaired" takes "repaired four schools", not "12 schools received new toilets"."""
    about: str | None = None
    """A pattern the words around the figure (``surroundings``) must match: households of a cash transfer."""


WORK_DONE = (
    r"\b(?:buil[dt]|construct\w*|repair\w*|renovat\w*|rehabilitat\w*|upgrad\w*|rebuil[dt]|added|finished|opened"
    r"|completed|extended|equipped|paved|widened|resurfaced|laid|maintained|handed\s+over|drill\w*|dug)\b"
)
"""Verbs of work done; "new" also counts, but only in the figure's own words ("two new lower secondary schools") or
its table row ("New classrooms | 40 | 46")."""
KEY_QUANTITIES = (
    KeyQuantity(
        "Roads built or repaired", "km", "km", frozenset({"road", "street"}), r"\b(?:roads?|streets?)\b", WORK_DONE
    ),
    KeyQuantity("Classrooms built or repaired", "classrooms", "classrooms", done=WORK_DONE),
    KeyQuantity("Schools built or repaired", "schools", "schools", done=WORK_DONE),
    KeyQuantity("Health centres built or upgraded", "health centres", "health_centres", done=WORK_DONE),
    KeyQuantity(
        "Households given cash transfers", "households", "households", about=r"\b(?:cash|transfers?|allowances?)\b"
    ),
    KeyQuantity(
        "Families evacuated or given disaster relief", "families", "families",
        done=r"\b(?:evacuat\w*|moved|relocated|distributed|supplied|delivered|provided|gave|given|helped|assisted)\b",
        about=r"\b(?:disasters?|floods?|storms?|drought|evacuat\w*|relief|emergency|aid|safe)\b",
    ),
    KeyQuantity("Wells drilled or dug", "wells", "wells", done=WORK_DONE),
)
ADDED_ROLE = "output"
PLANNED_ROLE = "target"


@dataclass(slots=True)
class QuantityTotal:
    quantity: KeyQuantity
    year: int | None = None
    """The year under review the figures are of."""
    by_province: list[dict] = field(default_factory=list)
    """``{"code", "name", "total", "statements", "sources": [quantity rows with their statement], "planned",
    "planned_sources", "source_file", "left_out": [other reports of the province and year]}``, largest first;
    ``planned`` is ``None`` when the province gave no plan for the year."""

    @property
    def national(self) -> float:
        return sum(row["total"] for row in self.by_province)


def key_quantity_totals(quantities: pd.DataFrame, documents: pd.DataFrame) -> list[QuantityTotal]:
    """Per key quantity that any province reported, each province's total with the quantities that make it up."""
    if quantities.empty:
        return []
    levels = documents.drop_duplicates("source_file").set_index("source_file")["level"].map(LEVEL_GROUPS)
    eligible = quantities[
        quantities["kind"].isin(("achievement", "challenge"))
        & (quantities["source_file"].map(levels) == "province")
        & quantities["province_code"].notna()
        & quantities["value"].notna()
    ]
    years = eligible.drop_duplicates("source_file")["report_year"].dropna()
    year = int(years.mode().min()) if len(years) else None
    rows = with_roles(records(eligible[eligible["report_year"] == year] if year is not None else eligible))
    outputs = [row for row in rows if row["role"] == ADDED_ROLE and row["kind"] == "achievement"]
    plans = [row for row in rows if row["role"] == PLANNED_ROLE]
    totals = []
    for quantity in KEY_QUANTITIES:
        matching = [row for row in outputs if is_key_quantity(row, quantity)]
        planned = [row for row in plans if is_key_quantity(row, quantity)]
        total = QuantityTotal(quantity, year=year)
        for code in sorted({row["province_code"] for row in matching}):
            source_file, left_out = fullest_report([row for row in matching if row["province_code"] == code])
            sources = counted([row for row in matching if row["source_file"] == source_file])
            plan_sources = counted([row for row in planned if row["source_file"] == source_file])
            total.by_province.append(
                {
                    "code": code,
                    "name": sources[0]["province"],
                    "total": sum(source["value"] for source in sources),
                    "statements": len({source["statement_id"] for source in sources}),
                    "sources": sources,
                    "planned": sum(source["value"] for source in plan_sources) if plan_sources else None,
                    "planned_sources": plan_sources,
                    "source_file": source_file,
                    "left_out": left_out,
                }
            )
        total.by_province.sort(key=lambda row: -row["total"])
        if total.by_province:
            totals.append(total)
    return totals


def fullest_report(rows: list[dict]) -> tuple[str, list[str]]:
    """The report whose figures a province's total is taken from, and the province's other reports of the year:
    two reports of one province and year (a provincial report and a news account or memo of it) overlap, and
    adding both would count the same work twice; the fullest (largest sum, then most figures) is kept."""
    sums: dict[str, tuple[float, int]] = {}
    for source in {row["source_file"] for row in rows}:
        figures = counted([row for row in rows if row["source_file"] == source])
        sums[source] = (sum(row["value"] for row in figures), len(figures))
    ordered = sorted(sums, key=lambda source: (-sums[source][0], -sums[source][1], source))
    return ordered[0], ordered[1:]


def with_roles(rows: list[dict]) -> list[dict]:
    """Rows with a role; a quantity stored before roles existed gets one from its statement as it stands now."""
    missing = [row for row in rows if not isinstance(row.get("role"), str)]
    found: dict[tuple[str, int | None], dict] = {}
    for statement_id, text, kind in {(row["statement_id"], row["statement_text"], row["kind"]) for row in missing}:
        for quantity in find_quantities(text, kind):
            found[(statement_id, quantity.start)] = {"role": quantity.role, "object": quantity.object}
    for row in missing:
        start = _offset(row)
        row.update(found.get((row["statement_id"], start), {"role": ADDED_ROLE, "object": None}))
    return rows


def counted(rows: list[dict]) -> list[dict]:
    """Each figure once per province (or report) and year: a value repeated with the same unit (in the text and
    again in a table) is its first mention only."""
    first_mentions: dict[tuple, dict] = {}
    for row in sorted(rows, key=lambda row: (row["source_file"], row["char_start"])):
        key = (row.get("province_code") or row["source_file"], row.get("report_year"), row["unit"], row["value"])
        first_mentions.setdefault(key, row)
    return list(first_mentions.values())


def is_key_quantity(row: dict, quantity: KeyQuantity) -> bool:
    if row["unit"] != quantity.unit_key:
        return False
    if quantity.about is not None and not re.search(quantity.about, surroundings(row), re.IGNORECASE):
        return False
    if quantity.done is not None:
        words = deciding_words(row)
        if not re.search(quantity.done, words, re.IGNORECASE) and not NEW.search(words):
            return False
    if not quantity.objects:
        return True
    counted_object = row.get("object")
    if isinstance(counted_object, str) and counted_object:
        return counted_object in quantity.objects
    if quantity.describes is None:
        return False
    return re.search(quantity.describes, surroundings(row), re.IGNORECASE) is not None


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


VERB_WORD = re.compile(
    r"\b(?:[a-z]{2,}(?<!e)(?<!hundr)ed|built|dug|paid|laid|made|held|gave|got|sent|won)\b", re.IGNORECASE
)
"""A past verb or participle ("repaired", "built"); not "seed", "need" or "hundred"."""
SUBJECT_START = re.compile(r"(?:^|\band|,)\s*$")
NEW = re.compile(r"\bnew\b", re.IGNORECASE)


def deciding_words(row: dict) -> str:
    """The words that say what was done to a figure: its own words; in prose the nearest verb before it in its
    clause and what follows, or, for a figure that starts its clause or a coordinated part ("... and 12 schools
    received new toilets"), the words after it; in a table its row's label and the remark cells, provided the
    figure leads its cell ("28 classrooms in 9 schools" counts classrooms, not schools)."""
    own = row["text"]
    if _is_table_row(row):
        if not _cell(row).strip().startswith(own):
            return ""
        return row["statement_text"]
    start = _offset(row)
    if start is None:
        return own
    text = row["statement_text"]
    clause = surroundings(row)
    clause_start = text.find(clause)
    before = text[clause_start:start] if 0 <= clause_start <= start else ""
    after = text[start + len(own) : clause_start + len(clause)] if clause_start >= 0 else ""
    verbs = list(VERB_WORD.finditer(before))
    own_part = re.split(r",|\band\b", after, maxsplit=1)[0]
    if not verbs or (SUBJECT_START.search(before) and VERB_WORD.search(own_part)):
        deciding = own_part
    else:
        deciding = before[verbs[-1].start() :]
    return NEW.sub("", deciding) + " " + own


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
