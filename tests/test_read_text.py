"""The text and Markdown reader: any encoding decodes, and reports split into the blocks a reader would see."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import BlockKind, Document
from pipeline.errors import ReadError
from pipeline.read.markers import split_list_marker
from pipeline.read.text import partition_text

SENTENCE = "The province’s road works – 25 km in total – finished in 2020."

MARKDOWN_REPORT = """\
# Kampot Provincial Administration

Annual report on the **work review results** of 2020
and goals for 2021.

## I. Achievements

- Built **25 km** of laterite road.
* Dug 40 wells in
  Chhuk district.
1. Repaired 12 schools.
2) Trained 45 teachers.

| Indicator | Target | Result | Remark |
|-----------|:------:|-------:|--------|
| Rural roads (km) | 30 | 25 | Rain delayed work |

**Challenges**
Floods delayed the bridge.

Goals for 2021
--------------

The province will build 30 km of road.
"""

TEXT_REPORT = """\
KAMPOT PROVINCIAL ADMINISTRATION
Annual Report on Work Review Results 2020

I. ACHIEVEMENTS
In 2020 the province built 25 km of rural road and
repaired 12 schools in three districts.

1.1 Roads
Road works went well in the dry season.
1. Built 25 km of laterite road in
   Kampong Trach district.
2. Dug 40 wells.
II. CHALLENGES
Floods in October delayed the bridge
over the Kampot river.

1. Goals for 2021

The province will build 30 km of road.

1. Build 30 km of road.

2. Dig 50 wells.
"""


def blocks_of(document: Document) -> list[tuple[str, str, int | None]]:
    return [(block.kind.value, block.text, block.heading_level) for block in document.blocks]


def read(tmp_path: Path, content: str | bytes, markdown: bool = False, encoding: str = "utf-8") -> Document:
    path = tmp_path / ("report.md" if markdown else "report.txt")
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return partition_text(path, markdown)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "cp1252"])
def test_common_encodings_decode_without_warnings(tmp_path: Path, encoding: str) -> None:
    document = read(tmp_path, f"{SENTENCE}\r\nSecond line.\n", encoding=encoding)
    assert document.text == f"{SENTENCE} Second line."
    assert document.warnings == []


def test_utf16_without_byte_order_mark_decodes(tmp_path: Path) -> None:
    document = read(tmp_path, "Kampot built 25 km of road.\nThe province dug 40 wells.\n".encode("utf-16-le"))
    assert document.text == "Kampot built 25 km of road. The province dug 40 wells."


def test_invalid_bytes_are_replaced_with_a_warning(tmp_path: Path) -> None:
    document = read(tmp_path, b"Kampot built 25 km \x81 of road at the caf\xe9.\n")
    assert document.text == "Kampot built 25 km \ufffd of road at the café."
    assert len(document.warnings) == 1 and "replaced" in document.warnings[0]


def test_binary_content_raises_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="not a text file"):
        read(tmp_path, bytes(range(1, 256)) * 8)


def test_blank_file_raises_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no text"):
        read(tmp_path, "\ufeff \n\n", encoding="utf-8-sig")


def test_old_mac_newlines_separate_lines(tmp_path: Path) -> None:
    assert blocks_of(read(tmp_path, "First paragraph.\r\rSecond paragraph.\r")) == [
        ("paragraph", "First paragraph.", None),
        ("paragraph", "Second paragraph.", None),
    ]


def test_markdown_report_blocks(tmp_path: Path) -> None:
    document = read(tmp_path, MARKDOWN_REPORT, markdown=True)
    assert blocks_of(document) == [
        ("heading", "Kampot Provincial Administration", 1),
        ("paragraph", "Annual report on the work review results of 2020 and goals for 2021.", None),
        ("heading", "I. Achievements", 2),
        ("list_item", "Built 25 km of laterite road.", None),
        ("list_item", "Dug 40 wells in Chhuk district.", None),
        ("list_item", "Repaired 12 schools.", None),
        ("list_item", "Trained 45 teachers.", None),
        ("table_row", "Indicator | Target | Result | Remark", None),
        ("table_row", "Rural roads (km) | 30 | 25 | Rain delayed work", None),
        ("heading", "Challenges", None),
        ("paragraph", "Floods delayed the bridge.", None),
        ("heading", "Goals for 2021", 2),
        ("paragraph", "The province will build 30 km of road.", None),
    ]
    rows = [block.cells for block in document.blocks if block.kind == BlockKind.TABLE_ROW]
    assert rows[1] == ["Rural roads (km)", "30", "25", "Rain delayed work"]
    assert document.format == "md" and document.pages is None


def test_plain_text_report_blocks(tmp_path: Path) -> None:
    assert blocks_of(read(tmp_path, TEXT_REPORT)) == [
        ("paragraph", "KAMPOT PROVINCIAL ADMINISTRATION", None),
        ("paragraph", "Annual Report on Work Review Results 2020", None),
        ("paragraph", "I. ACHIEVEMENTS", None),
        ("paragraph",
         "In 2020 the province built 25 km of rural road and repaired 12 schools in three districts.", None),
        ("paragraph", "1.1 Roads", None),
        ("paragraph", "Road works went well in the dry season.", None),
        ("list_item", "Built 25 km of laterite road in Kampong Trach district.", None),
        ("list_item", "Dug 40 wells.", None),
        ("paragraph", "II. CHALLENGES", None),
        ("paragraph", "Floods in October delayed the bridge over the Kampot river.", None),
        ("paragraph", "1. Goals for 2021", None),
        ("paragraph", "The province will build 30 km of road.", None),
        ("list_item", "Build 30 km of road.", None),
        ("list_item", "Dig 50 wells.", None),
    ]


def test_markdown_syntax_is_kept_in_plain_text(tmp_path: Path) -> None:
    assert blocks_of(read(tmp_path, "# Not a heading in a .txt file\n\n**Kampot** built roads.\n")) == [
        ("paragraph", "# Not a heading in a .txt file", None),
        ("paragraph", "**Kampot** built roads.", None),
    ]


def test_markdown_sentence_with_bold_words_is_no_heading(tmp_path: Path) -> None:
    assert blocks_of(read(tmp_path, "**Kampot** built **25 km** of road\n", markdown=True)) == [
        ("paragraph", "Kampot built 25 km of road", None),
    ]


@pytest.mark.parametrize("markdown", [False, True], ids=["txt", "md"])
def test_spans_point_at_block_text(tmp_path: Path, markdown: bool) -> None:
    document = read(tmp_path, MARKDOWN_REPORT if markdown else TEXT_REPORT, markdown=markdown)
    assert document.blocks
    for block in document.blocks:
        assert document.text[block.char_start : block.char_end] == block.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- Built roads", ("-", "Built roads")),
        ("• Built roads", ("•", "Built roads")),
        ("o Built roads", ("o", "Built roads")),
        ("▪ Built roads", ("▪", "Built roads")),
        ("12. Built roads", ("12.", "Built roads")),
        ("3) Built roads", ("3)", "Built roads")),
        ("a) Built roads", ("a)", "Built roads")),
        ("(b) Built roads", ("(b)", "Built roads")),
        ("-5% fewer floods", (None, "-5% fewer floods")),
        ("1.5 million riel spent", (None, "1.5 million riel spent")),
        ("I. ACHIEVEMENTS", (None, "I. ACHIEVEMENTS")),
        ("other roads", (None, "other roads")),
    ],
)
def test_split_list_marker(line: str, expected: tuple[str | None, str]) -> None:
    assert split_list_marker(line) == expected
