"""Khmer text layers: a PDF exported by LibreOffice reads back as the Khmer that was typed, in canonical form."""

from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2

from pipeline.read.pdf import partition_pdf
from pipeline.read.pdf_page import normalise_text

FIXTURES = Path(__file__).parent / "fixtures" / "khmer"
sys.path.insert(0, str(FIXTURES))
from make_khmer_pdf import KHMER_LINES, PDF  # noqa: E402
from scan_fixtures import character_error_rate  # noqa: E402


def test_the_fixture_is_a_libreoffice_export():
    pdf = pypdfium2.PdfDocument(PDF)
    try:
        assert "LibreOffice" in pdf.get_metadata_dict().get("Producer", "")
    finally:
        pdf.close()


def test_a_libreoffice_khmer_pdf_reads_back_as_typed():
    document = partition_pdf(PDF)

    typed = "".join("".join(KHMER_LINES).split())
    assert character_error_rate(typed, "".join(document.text.split())) < 0.02
    lines = document.text.splitlines()
    assert "មន្ទីរសុខាភិបាលបានផ្គត់ផ្គង់ថ្នាំពេទ្យឱ្យមណ្ឌលសុខភាពចំនួន ១២ ។" in lines
    assert KHMER_LINES[2] in lines  # a typed space between Khmer words stays
    assert "ខេត្តនឹងពង្រីកបណ្តាញទឹកស្អាតដល់គ្រួសារចំនួន ២០០០ ។" in lines
    assert lines[0] == KHMER_LINES[0]  # words pdfium spaced apart are whole again
    assert "(cid:" not in document.text and "\u200b" not in document.text
    assert document.ocr_pages == {}  # the text layer was good enough: no OCR


def test_khmer_text_is_canonical_without_zero_width_spaces_and_with_one_spelling_of_qoo():
    assert normalise_text("ឲ្យ\u200bមណ្ឌល") == "ឱ្យមណ្ឌល"
    decomposed = "e\u0301"
    assert normalise_text(decomposed) == "\u00e9"
    assert normalise_text("Kampot 2020") == "Kampot 2020"
