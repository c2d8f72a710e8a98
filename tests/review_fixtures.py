"""Small datasets for the review app's tests, built through the library path (no Prefect)."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline import store
from pipeline.process import process_file

REPORT = """Kampot Provincial Administration
Report on the Results of Work in 2020 and Direction for 2021

I. ACHIEVEMENTS IN 2020

The province built 42 km of rural roads with the provincial budget.
The health department vaccinated 12,000 children against measles.
Commune councils repaired 31 wells in Chhuk district.

II. CHALLENGES

Floods in October damaged 300 ha of rice fields.
Revenue from the salt tax fell short of the target by 12%.

III. GOALS FOR 2021

Build 50 km of laterite roads in 2021.
Vaccinate all children under five against measles.
"""


def build_dataset(reports_dir: Path, out_dir: Path) -> None:
    """Read every file of ``reports_dir`` into the dataset in ``out_dir`` and export it, as a run would."""
    con = store.connect(out_dir)
    try:
        store.set_meta(con, "reports_dir", str(reports_dir.resolve()))
        for path in sorted(p for p in reports_dir.iterdir() if p.is_file()):
            store.save_document(con, process_file(path, path.name))
        store.export(con, out_dir)
    finally:
        con.close()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


VILLAGES = (
    "Prey Kdei", "Trapeang Thum", "Ou Ampil", "Chamkar Leu", "Kouk Trach", "Boeng Sala", "Tuol Krasang",
    "Phum Thmei", "Srae Chaeng", "Angk Ta Som", "Krang Ponley", "Doun Kaev",
)
WORKS = (
    "The commune council graded {n} km of laterite road leading to {village}.",
    "Health staff gave {n} pregnant women antenatal checks at the post in {village}.",
    "Volunteers dug {n} ponds so that {village} could keep water through the dry months.",
    "The district office issued {n} birth certificates to families from {village}.",
    "Teachers in {village} ran evening classes that {n} adults finished.",
    "Farmers near {village} received {n} bags of improved rice seed.",
)


def many_statements_report() -> str:
    """A district report that names no province, so every one of its 72 statements is flagged
    (``province_unresolved``): enough for more than one page of the queue. One statement mentions mangroves."""
    lines = [
        "District Administration",
        "Report on the Results of Work in 2020",
        "",
        "I. ACHIEVEMENTS",
        "",
    ]
    for index, (village, work) in enumerate((v, w) for v in VILLAGES for w in WORKS):
        lines.append(work.format(n=index + 3, village=village))
    lines.append("Fishers replanted 4 ha of mangroves along the estuary.")
    return "\n".join(lines) + "\n"
