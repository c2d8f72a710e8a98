"""The analysts' test dataset: the sample corpus as a ministry might hold it midway through the reporting season.

Kep's report arrived only as a scan (no text layer) and Pailin's has not arrived, so every submission status
but ``failed`` shows up; everything else is the sample corpus read through the library path (no Prefect).
"""

from __future__ import annotations

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


def build_analyst_dataset(sample_reports: Path, out_dir: Path) -> Path:
    """Read the corpus (minus Kep and Pailin, plus Kep's scan) into ``out_dir`` with exports and summaries."""
    scan = scanned_pdf(out_dir.parent / SCANNED_REPORT)
    con = store.connect(out_dir)
    try:
        for inbox_file in discover(sample_reports):
            if inbox_file.source_file not in NOT_YET_ARRIVED:
                store.save_document(con, process_file(inbox_file.path, inbox_file.source_file))
        store.save_document(con, process_file(scan, SCANNED_REPORT))
        store.export(con, out_dir)
        summarize.write_summaries(con, out_dir)
    finally:
        con.close()
    return out_dir
