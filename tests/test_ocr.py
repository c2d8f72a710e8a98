"""Scanned pages go through Tesseract: the text read back is within 3 % of what was printed, statements carry the
``ocr`` flag and the page's confidence, results are cached, and without Tesseract the old needs-OCR answer stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from scan_fixtures import KHMER_FONT, LATIN_FONT, character_error_rate, scanned_page, scanned_pdf

from pipeline.errors import ReadError
from pipeline.process import process_file
from pipeline.read import ocr
from pipeline.read.pdf import partition_pdf
from pipeline.vocabulary import DocumentStatus

pytestmark = pytest.mark.skipif(ocr.unavailable_reason() is not None, reason=str(ocr.unavailable_reason()))

ENGLISH = [
    ("Kampot Provincial Administration", 16),
    ("Work Review Results 2020", 16),
    ("I. Achievements", 13),
    ("The province built 25 km of rural roads in three districts.", 11),
    ("Commune councils trained 40 village chiefs on land records.", 11),
    ("II. Challenges", 13),
    ("The budget for road maintenance was not sufficient.", 11),
    ("III. Goals for 2021", 13),
    ("The province will repair 12 health centres by 2021.", 11),
]
KHMER = [  # a title, two results, a shortfall and a goal
    ("របាយការណ៍លទ្ធផលការងារឆ្នាំ២០២០", 15),
    ("រដ្ឋបាលខេត្តបានសាងសង់ផ្លូវជនបទប្រវែង ២៥ គីឡូម៉ែត្រ។", 12),
    ("សាលាស្រុកបានបណ្តុះបណ្តាលមេភូមិចំនួន ៤០ នាក់។", 12),
    ("ថវិកាសម្រាប់ថែទាំផ្លូវនៅមិនទាន់គ្រប់គ្រាន់នៅឡើយ។", 12),
    ("នៅឆ្នាំ២០២១ ខេត្តនឹងពង្រីកបណ្តាញផ្លូវ និងជួសជុលអណ្តូងទឹក។", 12),
]


@pytest.fixture(autouse=True)
def ocr_cache(tmp_path_factory, monkeypatch) -> Path:
    cache = tmp_path_factory.getbasetemp() / "ocr-cache"
    monkeypatch.setenv(ocr.CACHE_ENV, str(cache))
    return cache


@pytest.fixture(scope="module")
def english_scan(tmp_path_factory) -> Path:
    return scanned_pdf(tmp_path_factory.mktemp("scan") / "kampot-scan.pdf", [scanned_page(ENGLISH, LATIN_FONT)])


@pytest.fixture(scope="module")
def khmer_scan(tmp_path_factory) -> Path:
    return scanned_pdf(tmp_path_factory.mktemp("scan") / "khmer-scan.pdf", [scanned_page(KHMER, KHMER_FONT, seed=1)])


def test_an_english_scan_reads_back_within_three_percent_and_records_its_ocr_page(english_scan):
    document = partition_pdf(english_scan)

    expected = " ".join(text for text, _ in ENGLISH)
    assert character_error_rate(expected, " ".join(document.text.split())) < 0.03
    assert list(document.ocr_pages) == [1] and document.ocr_pages[1] > 0.8
    assert document.warnings == []
    headings = [block.text for block in document.blocks if block.kind == "heading"]
    assert "I. Achievements" in headings or "I. Achievements" in document.text.splitlines()


def test_a_khmer_scan_reads_back_within_three_percent(khmer_scan):
    document = partition_pdf(khmer_scan)

    expected = "".join(text for text, _ in KHMER)
    found = "".join(document.text.split())
    assert character_error_rate("".join(expected.split()), found) < 0.03
    assert document.ocr_pages[1] is not None


def test_statements_from_a_scan_are_flagged_ocr_with_their_page_confidence(english_scan):
    result = process_file(english_scan, "kampot-scan.pdf")

    assert result.document.status == DocumentStatus.OK and result.document.ocr_pages == "1"
    by_text = {statement.text: statement for statement in result.statements}
    road = by_text["The province built 25 km of rural roads in three districts."]
    goal = by_text["The province will repair 12 health centres by 2021."]
    assert (road.kind, goal.kind) == ("achievement", "goal")
    for statement in result.statements:
        assert "ocr" in statement.flag_reasons.split(";") and statement.flagged
        assert statement.ocr_confidence is not None and 0.8 < statement.ocr_confidence <= 1


def test_ocr_results_are_cached_by_file_and_settings(english_scan, monkeypatch):
    first = partition_pdf(english_scan).text
    monkeypatch.setattr(ocr, "_recognise", lambda *args: pytest.fail("the page was OCR'd again"))
    assert partition_pdf(english_scan).text == first
    with pytest.raises(pytest.fail.Exception, match="OCR'd again"):
        ocr.ocr_pages(english_scan, [1], ocr.OcrSettings(page_segmentation=3))


def test_without_tesseract_a_scan_still_needs_ocr_and_says_which_packages(english_scan, monkeypatch):
    monkeypatch.setattr(ocr, "unavailable_reason", lambda: f"OCR needs Tesseract: install {ocr.PACKAGES}")

    with pytest.raises(ReadError, match="no text layer: scanned PDF needs OCR .*tesseract-ocr-khm") as error:
        partition_pdf(english_scan)
    assert error.value.status == DocumentStatus.NEEDS_OCR


def test_a_garbage_text_layer_goes_through_ocr():
    """pdfplumber reads the LibreOffice Khmer fixture as mostly ``(cid:N)`` placeholders: that page is OCR'd."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "khmer"))
    from make_khmer_pdf import KHMER_LINES, PDF

    document = partition_pdf(PDF, source="pdfplumber")

    assert list(document.ocr_pages) == [1] and "(cid:" not in document.text
    typed = "".join("".join(KHMER_LINES).split())
    assert character_error_rate(typed, "".join(document.text.split())) < 0.03
