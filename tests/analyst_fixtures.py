"""The analysts' test dataset: the sample corpus as a ministry might hold it midway through the reporting season.

Only the corpus's ``template`` genre (one structured report per administration; the "wild" genres would report for
every province). Kep's report arrived only as a scan (no text layer) and Pailin's has not arrived, so every
submission status but ``failed`` shows up; everything else is read through the library path (no Prefect).
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from pipeline import store, summarize
from pipeline.inbox import discover
from pipeline.process import process_file

NOT_YET_ARRIVED = {"annual_review_2020_final_v3.docx": "Kep", "Pailin-Report-2020.pdf": "Pailin"}
SCANNED_REPORT = "kep_2020_annual_report_scan.pdf"


def scanned_pdf(path: Path) -> Path:
    canvas = Canvas(str(path))
    canvas.drawImage(ImageReader(Image.new("RGB", (40, 40), "gray")), 72, 600, 200, 200)
    canvas.showPage()
    canvas.save()
    return path


def template_reports(sample_reports: Path) -> set[str]:
    lines = (sample_reports / "gold" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["document"] for row in map(json.loads, lines) if row["genre"] == "template"}


def build_analyst_dataset(sample_reports: Path, out_dir: Path) -> Path:
    """Read the template reports (minus Kep and Pailin, plus Kep's scan) into ``out_dir`` with exports and
    summaries."""
    scan = scanned_pdf(out_dir.parent / SCANNED_REPORT)
    arrived = template_reports(sample_reports) - set(NOT_YET_ARRIVED)
    con = store.connect(out_dir)
    try:
        for inbox_file in discover(sample_reports):
            if inbox_file.source_file in arrived:
                store.save_document(con, process_file(inbox_file.path, inbox_file.source_file))
        store.save_document(con, process_file(scan, SCANNED_REPORT))
        store.export(con, out_dir)
        summarize.write_summaries(con, out_dir)
    finally:
        con.close()
    return out_dir
