"""The DOCX reader: body content in order, headings, lists and tables recognised, headers and footers left out."""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement

from pipeline.document import BlockKind, Document
from pipeline.errors import ReadError
from pipeline.read.docx import partition_docx
from pipeline.vocabulary import DocumentStatus

CORPUS = Path(__file__).parent / "corpora" / "python-docx-tests"
HEADER = "Kampot Provincial Administration - Annual Report 2020"
FOOTER = "Page 1 of 3"


def blocks_of(document: Document) -> list[tuple[str, str, int | None]]:
    return [(block.kind.value, block.text, block.heading_level) for block in document.blocks]


def assert_spans_match(document: Document) -> None:
    assert document.blocks
    for block in document.blocks:
        assert document.text[block.char_start : block.char_end] == block.text


@pytest.fixture
def report(tmp_path: Path) -> Document:
    word = docx.Document()
    section = word.sections[0]
    section.header.paragraphs[0].text = HEADER
    section.footer.paragraphs[0].text = FOOTER
    word.add_heading("Annual Report 2020", 0)
    word.add_paragraph("This report reviews the work of Kampot province.")
    word.add_heading("I. Achievements", 1)
    word.add_heading("1.1 Roads", 2)
    word.add_paragraph("Built 25 km of laterite road.", style="List Bullet")
    word.add_paragraph("Repaired 12 schools.", style="List Number")
    word.add_paragraph("- Dug 40 wells in Chhuk district.")
    word.add_paragraph("• Trained 45 teachers.")
    word.add_paragraph("a) Vaccinated 3,000 children.")
    soft_break = word.add_paragraph("The bridge was finished")
    soft_break.runs[0].add_break()
    soft_break.add_run("in December.")
    word.add_paragraph().add_run("Challenges").bold = True
    word.add_paragraph().add_run("Floods delayed work on the bridge.").bold = True
    table = word.add_table(rows=3, cols=4)
    for row, values in zip(table.rows, [
        ("Indicator", "Target", "Result", "Remark"),
        ("Rural roads (km)", "30", "25", "Rain delayed work"),
        ("Note", "", "", ""),
    ]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    merged = table.cell(2, 1).merge(table.cell(2, 3))
    merged.text = "figures from the provincial department"
    word.add_paragraph("1. Goals for 2021")
    word.add_paragraph("The province will build 30 km of road.")
    path = tmp_path / "kampot_2020.docx"
    word.save(path)
    return partition_docx(path)


def test_body_is_read_in_order_with_headings_lists_and_tables(report: Document) -> None:
    assert blocks_of(report) == [
        ("heading", "Annual Report 2020", 1),
        ("paragraph", "This report reviews the work of Kampot province.", None),
        ("heading", "I. Achievements", 1),
        ("heading", "1.1 Roads", 2),
        ("list_item", "Built 25 km of laterite road.", None),
        ("list_item", "Repaired 12 schools.", None),
        ("list_item", "Dug 40 wells in Chhuk district.", None),
        ("list_item", "Trained 45 teachers.", None),
        ("list_item", "Vaccinated 3,000 children.", None),
        ("paragraph", "The bridge was finished in December.", None),
        ("heading", "Challenges", None),
        ("paragraph", "Floods delayed work on the bridge.", None),
        ("table_row", "Indicator | Target | Result | Remark", None),
        ("table_row", "Rural roads (km) | 30 | 25 | Rain delayed work", None),
        ("table_row", "Note | figures from the provincial department", None),
        ("paragraph", "1. Goals for 2021", None),
        ("paragraph", "The province will build 30 km of road.", None),
    ]
    assert report.format == "docx" and report.pages is None
    assert all(block.page is None and block.bbox is None for block in report.blocks)


def test_table_rows_keep_their_cells(report: Document) -> None:
    rows = [block.cells for block in report.blocks if block.kind == BlockKind.TABLE_ROW]
    assert rows[0] == ["Indicator", "Target", "Result", "Remark"]
    assert rows[2] == ["Note", "figures from the provincial department"]


def test_header_and_footer_text_is_left_out(report: Document) -> None:
    assert HEADER not in report.text
    assert FOOTER not in report.text


def test_spans_point_at_block_text(report: Document) -> None:
    assert_spans_match(report)


def test_bold_style_short_paragraph_is_a_heading(tmp_path: Path) -> None:
    word = docx.Document()
    style = word.styles.add_style("Part Title", WD_STYLE_TYPE.PARAGRAPH)
    style.font.bold = True
    word.add_paragraph("Goals for 2021", style="Part Title")
    word.add_paragraph("The province will build 30 km of road.", style="Part Title")
    path = tmp_path / "styled.docx"
    word.save(path)
    assert [(kind, text) for kind, text, _ in blocks_of(partition_docx(path))] == [
        ("heading", "Goals for 2021"),
        ("paragraph", "The province will build 30 km of road."),
    ]


def test_content_controls_and_tracked_insertions_are_read(tmp_path: Path) -> None:
    word = docx.Document()
    controlled = word.add_paragraph("Kampot built 25 km of road.")
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    controlled._p.addprevious(sdt)
    sdt.append(content)
    content.append(controlled._p)
    edited = word.add_paragraph("Wells dug: ")
    insertion = OxmlElement("w:ins")
    insertion.append(copy.deepcopy(word.add_paragraph("40").runs[0]._r))
    edited._p.append(insertion)
    path = tmp_path / "edited.docx"
    word.save(path)
    assert "Kampot built 25 km of road." in partition_docx(path).text
    assert "Wells dug: 40" in partition_docx(path).text


def test_file_without_styles_part_still_reads(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_paragraph("Kampot built 25 km of road.")
    full, stripped = tmp_path / "full.docx", tmp_path / "no-styles.docx"
    word.save(full)
    with zipfile.ZipFile(full) as source, zipfile.ZipFile(stripped, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "word/styles.xml":
                continue
            if entry.filename == "word/_rels/document.xml.rels":
                data = re.sub(rb"<Relationship [^>]*Target=\"styles.xml\"/>", b"", data)
            target.writestr(entry, data)
    assert partition_docx(stripped).text == "Kampot built 25 km of road."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a valid Word .docx file (corrupt or not a zip archive)"),
        (bytes(range(256)) * 8, "not a valid Word .docx file (corrupt or not a zip archive)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "old Word .doc"),
    ],
    ids=["zero-bytes", "random-bytes", "legacy-doc"],
)
def test_unreadable_files_raise_read_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=re.escape(message)):
        partition_docx(path)


def test_zip_without_word_parts_raises_read_error(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    with pytest.raises(ReadError, match="not a valid Word .docx file"):
        partition_docx(path)


def test_damaged_document_xml_raises_read_error(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_paragraph("Kampot built 25 km of road.")
    full, damaged = tmp_path / "full.docx", tmp_path / "damaged.docx"
    word.save(full)
    with zipfile.ZipFile(full) as source, zipfile.ZipFile(damaged, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            target.writestr(entry, data[: len(data) // 2] if entry.filename == "word/document.xml" else data)
    with pytest.raises(ReadError, match="not a valid Word .docx file"):
        partition_docx(damaged)


def test_document_of_only_images_needs_ocr(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_paragraph().add_run()._r.append(OxmlElement("w:drawing"))
    path = tmp_path / "scanned.docx"
    word.save(path)
    with pytest.raises(ReadError) as error:
        partition_docx(path)
    assert error.value.status == DocumentStatus.NEEDS_OCR


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.docx")), ids=lambda path: path.name)
def test_real_world_files_read_or_fail_cleanly(path: Path) -> None:
    try:
        document = partition_docx(path)
    except ReadError as error:
        assert str(error)
        return
    assert_spans_match(document)


def _header_footer_texts(path: Path) -> list[str]:
    texts = []
    for section in docx.Document(str(path)).sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            texts.extend(paragraph.text.strip() for paragraph in part.paragraphs if paragraph.text.strip())
    return texts


@pytest.mark.parametrize("name", ["hdr-header-footer.docx", "doc-odd-even-hdrs.docx", "sct-first-page-hdrftr.docx"])
def test_real_world_headers_and_footers_are_left_out(name: str) -> None:
    texts = _header_footer_texts(CORPUS / name)
    document = partition_docx(CORPUS / name)
    assert texts and document.blocks
    for text in texts:
        assert text not in document.text
