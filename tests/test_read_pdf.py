"""partition_pdf: what a reader of the extracted text notices — order, headings, lists, tables, running headers —
on PDFs drawn for the purpose, and survival on real-world PDFs."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pdfplumber
import pytest
from pdf_fixtures import PAGE_HEIGHT, PAGE_WIDTH, ReportPdf, flowing_columns_pdf, two_column_pdf
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from pipeline.document import BlockKind, Document
from pipeline.errors import ReadError
from pipeline.read.pdf import partition_pdf
from pipeline.vocabulary import DocumentStatus

REAL_WORLD_PDFS = Path(__file__).parent / "corpora" / "pdfplumber-tests"
HEADER = "X Provincial Administration \u2014 Report 2020"
BROKEN_SENTENCE = (
    "The provincial administration completed the rehabilitation of twenty-five kilometres of rural roads in three "
    "districts, which improved access to markets, schools and health centres for many farming families in the "
    "remote communes along the border."
)
LIST_ITEMS = [
    ("\u2022", "Built 12 new classrooms in Chhuk district."),
    ("-", "Vaccinated 45% of the target population against measles, well ahead of the national schedule for the year."),
    ("1.", "Registered 3,200 households for the identification of poor households."),
    ("a)", "Repaired 8 wells."),
]
TABLE = [
    ["Indicator", "Target", "Result", "Remark"],
    ["Roads rehabilitated (km)", "30", "25", "Delayed by\nheavy rain"],
    ["Classrooms built", "10", "12", "Achieved"],
]


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory) -> Path:
    report = ReportPdf(HEADER)
    report.heading("Annual Work Review Results 2020", size=18)
    report.paragraph(
        "This report presents the results of the work of the provincial administration in 2020 and sets out the "
        "goals for 2021. It was prepared by the provincial board of governors with the support of all departments."
    )
    report.heading("I. Achievements")
    report.paragraph("In 2020 the province made progress in local governance and public services despite the pandemic.")
    for marker, text in LIST_ITEMS:
        report.list_item(marker, text)
    report.paragraph("Commune councils now cooperate with the sub-\nnational administration on every investment.")
    report.leave_lines(2)
    report.paragraph(BROKEN_SENTENCE)
    report.heading("II. Challenges")
    report.heading("Budget and staffing", size=11)
    report.paragraph("The budget for road maintenance was not sufficient and several projects were delayed by rain.")
    report.table(TABLE)
    report.heading("III. Goals for 2021")
    report.paragraph("The province will extend the road network and train all commune councils.")
    return report.save(tmp_path_factory.mktemp("report") / "report.pdf")


@pytest.fixture(scope="module")
def report(report_pdf) -> Document:
    return partition_pdf(report_pdf)


def blocks_of(document: Document, kind: BlockKind) -> list:
    return [block for block in document.blocks if block.kind == kind]


def test_the_fixture_really_breaks_a_sentence_over_the_page_and_repeats_header_and_footer(report_pdf):
    with pdfplumber.open(report_pdf) as pdf:
        pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) == 2
    assert all(HEADER in text and f"Page {n} of 2" in text for n, text in enumerate(pages, start=1))
    assert "twenty-five kilometres" in pages[0] and "remote communes" in pages[1]


def test_headings_come_from_bigger_or_bold_fonts_with_levels_by_size(report):
    levels = {block.text: block.heading_level for block in blocks_of(report, BlockKind.HEADING)}
    assert set(levels) == {
        "Annual Work Review Results 2020",
        "I. Achievements",
        "II. Challenges",
        "Budget and staffing",
        "III. Goals for 2021",
    }
    assert levels["Annual Work Review Results 2020"] < levels["I. Achievements"] < levels["Budget and staffing"]
    assert levels["I. Achievements"] == levels["II. Challenges"] == levels["III. Goals for 2021"]


def test_running_header_and_page_footer_are_gone(report):
    assert "Provincial Administration" not in report.text
    assert "Page 1" not in report.text and "of 2" not in report.text


def test_footer_with_a_page_number_inside_is_gone_even_from_two_pages(tmp_path):
    report = ReportPdf("", footer="Kampot District - Report 2020 - page {page}/{pages}")
    report.paragraph("The district repaired 8 wells.")
    report.new_page()
    report.paragraph("The district built 2 schools.")

    document = partition_pdf(report.save(tmp_path / "two-pages.pdf"))

    assert document.text == "The district repaired 8 wells.\nThe district built 2 schools."


def test_sentence_broken_by_the_page_break_is_one_block_on_its_first_page(report):
    [block] = [block for block in report.blocks if "twenty-five kilometres" in block.text]
    assert block.text == BROKEN_SENTENCE
    assert block.kind == BlockKind.PARAGRAPH and block.page == 1


def test_lines_of_a_paragraph_join_and_hyphenated_breaks_keep_the_hyphen(report):
    paragraphs = [block.text for block in blocks_of(report, BlockKind.PARAGRAPH)]
    assert paragraphs[0].startswith("This report presents") and paragraphs[0].endswith("support of all departments.")
    assert "Commune councils now cooperate with the sub-national administration on every investment." in paragraphs


def test_list_items_start_at_markers_which_are_stripped(report):
    assert [block.text for block in blocks_of(report, BlockKind.LIST_ITEM)] == [text for _, text in LIST_ITEMS]


def test_table_rows_have_cells_and_table_text_is_not_repeated_as_paragraphs(report):
    rows = blocks_of(report, BlockKind.TABLE_ROW)
    assert [row.cells for row in rows] == [[cell.replace("\n", " ") for cell in row] for row in TABLE]
    assert rows[1].text == "Roads rehabilitated (km) | 30 | 25 | Delayed by heavy rain"
    assert report.text.count("Classrooms built") == 1 and "Achieved" not in report.text.replace(rows[2].text, "")
    assert all(row.page == 2 for row in rows)


def test_blocks_follow_the_page_order_and_carry_spans_pages_and_boxes(report):
    assert report.blocks[-1].text == "The province will extend the road network and train all commune councils."
    assert [block.page for block in report.blocks] == sorted(block.page for block in report.blocks)
    for block in report.blocks:
        assert report.text[block.char_start : block.char_end] == block.text
        x0, top, x1, bottom = block.bbox
        assert 0 <= x0 < x1 <= PAGE_WIDTH and 0 <= top < bottom <= PAGE_HEIGHT
    heading = next(block for block in report.blocks if block.text == "I. Achievements")
    assert heading.bbox[0] == pytest.approx(72, abs=1) and heading.bbox[3] < PAGE_HEIGHT / 2


LEFT = [f"Left statement {k}: the district office trained {k} village chiefs on land records." for k in range(1, 5)]
RIGHT = [f"Right statement {k}: the health department supplied {k} health centres with medicines." for k in range(1, 5)]


def test_two_columns_are_read_one_after_the_other_between_full_width_text(tmp_path):
    intro = "This page reports the work of two district offices side by side, as the provincial bulletin prints it."
    closing = "Both offices will continue this work in 2021 with support from the province and its partners."
    path = two_column_pdf(tmp_path / "columns.pdf", "District Review 2020", intro, LEFT, RIGHT, closing)

    document = partition_pdf(path)

    assert [block.text for block in document.blocks] == ["District Review 2020", intro, *LEFT, *RIGHT, closing]
    assert document.blocks[0].kind == BlockKind.HEADING


def test_justified_paragraphs_flowing_through_columns_and_pages_come_back_whole_and_in_order(tmp_path):
    rng = random.Random(7)
    vocabulary = (
        "the district office repaired wells roads and classrooms for poor families in remote communes with support "
        "from development partners during the year"
    ).split()

    def sentence() -> str:
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 18)))
        return text[0].upper() + text[1:] + "."

    paragraphs = [" ".join(sentence() for _ in range(rng.randint(1, 4))) for _ in range(40)]
    path = flowing_columns_pdf(tmp_path / "flowing.pdf", "Kampot District Office - Annual Review 2020", paragraphs)

    document = partition_pdf(path)

    assert document.pages == 3
    assert [block.text for block in document.blocks] == paragraphs


def test_single_page_loses_only_its_page_number(tmp_path):
    path = tmp_path / "one.pdf"
    canvas = Canvas(str(path))
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, PAGE_HEIGHT - 40, "Kampot 2020")
    canvas.drawString(72, 700, "The district repaired 8 wells.")
    canvas.drawCentredString(PAGE_WIDTH / 2, 30, "- 1 -")
    canvas.save()

    assert partition_pdf(path).text == "Kampot 2020\nThe district repaired 8 wells."


def image_page(canvas: Canvas) -> None:
    canvas.drawImage(ImageReader(Image.new("RGB", (40, 40), "gray")), 72, 600, 200, 200)
    canvas.showPage()


def test_pages_without_text_need_ocr_or_get_a_warning(tmp_path, monkeypatch):
    scanned, mixed = tmp_path / "scanned.pdf", tmp_path / "mixed.pdf"
    canvas = Canvas(str(scanned))
    image_page(canvas)
    canvas.save()
    canvas = Canvas(str(mixed))
    canvas.drawString(72, 700, "The district repaired 8 wells.")
    canvas.showPage()
    image_page(canvas)
    canvas.save()
    from pipeline.read import ocr

    monkeypatch.setattr(ocr, "unavailable_reason", lambda: "OCR needs Tesseract: install tesseract-ocr")

    with pytest.raises(ReadError, match="no text layer") as error:
        partition_pdf(scanned)
    assert error.value.status == DocumentStatus.NEEDS_OCR
    document = partition_pdf(mixed)
    assert document.pages == 2 and document.text == "The district repaired 8 wells."
    assert document.warnings == [
        "page 2 has no text layer (an image only): it needs OCR (OCR needs Tesseract: install tesseract-ocr)"
    ]


def test_broken_files_raise_read_errors_with_one_line_messages(tmp_path, report_pdf):
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("just some notes")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(report_pdf.read_bytes()[:1500])

    with pytest.raises(ReadError, match="^not a valid PDF: "):
        partition_pdf(not_pdf)
    try:
        document = partition_pdf(truncated)
    except ReadError as error:
        assert "\n" not in str(error)
    else:
        assert document.format == "pdf"


@cache
def read_real_world(name: str) -> Document | ReadError:
    try:
        return partition_pdf(REAL_WORLD_PDFS / name)
    except ReadError as error:
        return error


LONG_PDFS = {"chelsea_pdta.pdf", "WARN-Report-for-7-1-2015-to-03-25-2016.pdf"}
"""65 and 16 pages: several seconds each, so they run with the slow tests."""


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.slow) if name in LONG_PDFS else name
        for name in sorted(path.name for path in REAL_WORLD_PDFS.iterdir())
    ],
)
def test_real_world_files_give_a_document_or_a_read_error(name):
    result = read_real_world(name)
    if isinstance(result, ReadError):
        assert name in {"password-example.pdf", "empty.pdf", "issue-948.zip", "issue-297-example.pdf", "LICENSE.txt"}
        assert result.status == DocumentStatus.FAILED and "\n" not in str(result)
        assert ("encrypted" in str(result)) == (name == "password-example.pdf")
    else:
        assert result.pages and all(result.text[b.char_start : b.char_end] == b.text for b in result.blocks)


def test_three_column_pages_read_down_each_column_without_running_headers():
    text = read_real_world("federal-register-2020-17221.pdf").text
    assert (
        "The FAA invites you to participate in this rulemaking by submitting written comments, data, or views about "
        "this proposal." in text
    )
    assert "Register /Vol. 85" not in text and "47699" not in text


def test_sideways_and_upside_down_pages_and_faux_bold_read_as_text():
    rotated = read_real_world("issue-848.pdf").text
    assert rotated.count("At the Metro West Precinct in Old Detroit, officers respond") == 8
    doubled = read_real_world("issue-71-duplicate-chars.pdf").text
    assert "项目描述" in doubled and "项项目目" not in doubled


def test_pdfium_and_pdfplumber_sources_give_the_same_blocks(report_pdf, tmp_path):
    columns = flowing_columns_pdf(tmp_path / "flowing.pdf", "Kampot District - Annual Review 2020", [LEFT[0]] * 30)
    for path in (report_pdf, columns):
        by_pdfium, by_pdfplumber = partition_pdf(path, source="pdfium"), partition_pdf(path, source="pdfplumber")
        assert [(b.kind, b.text, b.page, b.cells) for b in by_pdfium.blocks] == [
            (b.kind, b.text, b.page, b.cells) for b in by_pdfplumber.blocks
        ]
        for ours, theirs in zip(by_pdfium.blocks, by_pdfplumber.blocks):
            assert ours.bbox == pytest.approx(theirs.bbox, abs=1)
