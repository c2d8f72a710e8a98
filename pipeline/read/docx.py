"""Word (.docx) reader: the body's paragraphs and tables in document order.

Running headers and footers live in their own parts, outside the body, so they never reach the text. Headings
come from Word's heading styles ("Title" and "Heading 1" are both level 1) or outline levels, or from a short
paragraph set entirely in bold (level unknown). Lists come from list styles, Word numbering, or bullets and
numbers typed by hand (stripped from the text). Each table row becomes one block.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.styles.style import CharacterStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from pipeline.document import Block, BlockKind, Document
from pipeline.errors import ReadError
from pipeline.read.markers import is_ordered_marker, keep_lone_numbered_headings, split_list_marker
from pipeline.vocabulary import DocumentStatus

_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, and password-protected .docx
_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list (bullet|number|paragraph)", re.IGNORECASE)
_CONTENTS_STYLE = re.compile(r"^toc\s*\d", re.IGNORECASE)  # table-of-contents lines repeat the headings
_BOLD_HEADING_MAX_WORDS = 15
_STYLE_CHAIN_LIMIT = 10  # guards against a style based on itself

Item = tuple[Block, str | None]
"""A block and the list marker typed at its start, if one was stripped."""


def partition_docx(path: Path) -> Document:
    """Read a ``.docx`` file into a document; raise ``ReadError`` if it is not a readable Word file."""
    word = _open(path)
    try:
        items = list(_items(word.element.body, word))
        has_images = bool(word.element.body.xpath(".//w:drawing | .//w:pict"))
    except Exception as exc:  # python-docx and lxml raise many kinds of error on damaged XML
        raise ReadError(f"not a valid Word .docx file ({_first_line(exc)})") from exc
    document = Document(source_file=path.name, format="docx", blocks=keep_lone_numbered_headings(items)).assemble()
    if not document.blocks:
        if has_images:
            raise ReadError("the Word document has no text, only images (scanned pages?)", DocumentStatus.NEEDS_OCR)
        raise ReadError("the Word document has no text")
    return document


def _open(path: Path) -> WordDocument:
    try:
        with path.open("rb") as file:
            signature = file.read(len(_OLE2_SIGNATURE))
    except OSError as exc:
        raise ReadError(f"cannot open file: {exc.strerror or exc}") from exc
    if signature == _OLE2_SIGNATURE:
        raise ReadError(
            "this is an old Word .doc or a password-protected file, not a .docx; save it as .docx without a password",
            DocumentStatus.UNSUPPORTED,
        )
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile) as exc:
        raise ReadError("not a valid Word .docx file (corrupt or not a zip archive)") from exc
    except Exception as exc:  # a zip without Word's parts, or with damaged XML in them
        raise ReadError(f"not a valid Word .docx file ({_first_line(exc)})") from exc


_UNSAFE_XML = ("amplification", "xml_parse_huge", "resource limit", "entity", "huge input lookup", "depth")
"""Signs in libxml2's messages that the XML was refused for its size or entity expansion (the billion laughs)."""


def _first_line(exc: Exception) -> str:
    """The library's reason, or a plain one when libxml2 refused oversized or self-expanding XML."""
    message = str(exc).strip().splitlines()
    reason = (message[0] if message else type(exc).__name__)[:200]
    if any(sign in reason.lower() for sign in _UNSAFE_XML):
        return "its XML is oversized or expands entities without end, which is refused"
    return reason


def _items(container, parent) -> Iterator[Item]:
    """Paragraphs and tables under ``container`` (the body or a cell) in order, inside content controls too."""
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield _paragraph_item(Paragraph(child, parent))
        elif child.tag == qn("w:tbl"):
            yield from _table_items(Table(child, parent))
        elif child.tag == qn("w:sdt"):
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _items(content, parent)


def _paragraph_item(paragraph: Paragraph) -> Item:
    runs = _runs(paragraph)
    text = _text(runs)
    style = paragraph.style
    if style is not None and _CONTENTS_STYLE.match(style.name or ""):
        return Block(BlockKind.PARAGRAPH, ""), None  # empty blocks are dropped by Document.assemble()
    level = _heading_level(paragraph, style)
    if level is not None:
        return Block(BlockKind.HEADING, text, heading_level=level), None
    marker, rest = split_list_marker(text)
    list_style = any(_LIST_STYLE.match(s.name or "") for s in _style_chain(style))
    bulleted = marker is not None and not is_ordered_marker(marker)
    if not list_style and not bulleted and _is_bold_title(text, runs, style):
        return Block(BlockKind.HEADING, text), None
    if marker is not None:
        return Block(BlockKind.LIST_ITEM, rest), marker
    if list_style or _is_numbered(paragraph, style):
        return Block(BlockKind.LIST_ITEM, text), None
    return Block(BlockKind.PARAGRAPH, text), None


def _runs(paragraph: Paragraph) -> list[Run]:
    """Every run of the paragraph — in hyperlinks, fields and tracked insertions too — but not in text boxes."""
    elements = paragraph._p.xpath(".//w:r[not(ancestor::w:txbxContent)]")
    return [Run(element, paragraph) for element in elements]


def _text(runs: list[Run]) -> str:
    """The runs' text on one line: soft line breaks and tabs become spaces."""
    return " ".join("".join(run.text for run in runs).split())


def _style_chain(style: CharacterStyle | None) -> Iterator[CharacterStyle]:
    for _ in range(_STYLE_CHAIN_LIMIT):
        if style is None:
            return
        yield style
        style = style.base_style


def _heading_level(paragraph: Paragraph, style: CharacterStyle | None) -> int | None:
    for element in [paragraph._p, *(s.element for s in _style_chain(style))]:
        outline = element.xpath("./w:pPr/w:outlineLvl/@w:val")
        if outline and outline[0].isdigit() and int(outline[0]) < 9:  # 9 means body text
            return int(outline[0]) + 1
    for s in _style_chain(style):
        name = (s.name or "").strip()
        if name.lower() == "title":
            return 1
        if match := _HEADING_STYLE.match(name):
            return int(match[1])
    return None


def _is_numbered(paragraph: Paragraph, style: CharacterStyle | None) -> bool:
    """Word numbering on the paragraph or its style; numbering id 0 switches inherited numbering off."""
    for element in [paragraph._p, *(s.element for s in _style_chain(style))]:
        numbering = element.xpath("./w:pPr/w:numPr/w:numId/@w:val")
        if numbering:
            return numbering[0] != "0"
    return False


def _is_bold_title(text: str, runs: list[Run], style: CharacterStyle | None) -> bool:
    """A short line, not a sentence, whose every visible run is bold: a heading typed without a heading style."""
    if not text or text.endswith(".") or len(text.split()) >= _BOLD_HEADING_MAX_WORDS:
        return False
    return all(_is_bold(run, style) for run in runs if run.text.strip())


def _is_bold(run: Run, paragraph_style: CharacterStyle | None) -> bool:
    if run.bold is not None:
        return run.bold
    for style in [*_style_chain(run.style), *_style_chain(paragraph_style)]:
        if style.font.bold is not None:
            return style.font.bold
    return False


def _table_items(table: Table) -> Iterator[Item]:
    """One block per row; a one-column table is only a frame around paragraphs, so its content is read as such."""
    rows = [_row_cells(row) for row in table.rows]
    if all(len(cells) <= 1 for cells in rows):
        for cells in rows:
            for cell in cells:
                yield from _items(cell._tc, cell)
        return
    for cells in rows:
        texts = [_cell_text(cell) for cell in cells]
        if any(texts):
            yield Block(BlockKind.TABLE_ROW, " | ".join(texts), cells=texts), None


def _row_cells(row) -> list[_Cell]:
    """The row's cells once each: python-docx repeats a merged cell for every grid column it spans."""
    cells: list[_Cell] = []
    for cell in row.cells:
        if not cells or cell is not cells[-1]:
            cells.append(cell)
    return cells


def _cell_text(cell: _Cell) -> str:
    parts = []
    for item in cell.iter_inner_content():
        if isinstance(item, Paragraph):
            parts.append(_text(_runs(item)))
        else:
            parts.extend(_cell_text(nested) for row in item.rows for nested in _row_cells(row))
    return " ".join(part for part in parts if part)
