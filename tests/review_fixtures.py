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
