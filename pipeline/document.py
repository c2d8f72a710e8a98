"""The one document model every stage passes along.

Readers (``pipeline.read``) turn a file of any format into a :class:`Document`: an ordered list of
:class:`Block` objects whose texts, joined by newlines, form ``Document.text``. Every block keeps where
its words came from (page, bounding box, character span), so every later stage can point back at the
exact place in the source file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pipeline.hygiene import clean_text


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"


BBox = tuple[float, float, float, float]
"""``(x0, top, x1, bottom)`` in PDF points, origin at the page's top-left corner (pdfplumber's convention)."""


@dataclass(slots=True)
class Block:
    kind: BlockKind
    text: str
    page: int | None = None
    """1-based page number; ``None`` for formats without pages (DOCX, TXT)."""
    bbox: BBox | None = None
    heading_level: int | None = None
    """1 = top level; only for headings, and only when the source says (style, font size, ``#`` count)."""
    cells: list[str] | None = None
    """For table rows: the text of each cell, in column order (``text`` joins them with `` | ``)."""
    index: int = -1
    char_start: int = -1
    char_end: int = -1


@dataclass(slots=True)
class Document:
    source_file: str
    """Path relative to the reports folder, with forward slashes."""
    format: str
    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None
    text: str = ""
    ocr_pages: dict[int, float | None] = field(default_factory=dict)
    """PDF pages read by OCR (1-based), with Tesseract's mean word confidence on each, in [0, 1]."""
    warnings: list[str] = field(default_factory=list)
    """Things a reader noticed but could recover from (e.g. a page without a text layer)."""

    def assemble(self) -> "Document":
        """Number the blocks and join their texts into ``text``, recording each block's character span.

        Control and bidi-override characters are dropped here, once for every reader (``pipeline.hygiene``).
        """
        parts: list[str] = []
        offset = 0
        kept: list[Block] = []
        for block in self.blocks:
            block.text = clean_text(block.text).strip()
            if block.cells is not None:
                block.cells = [clean_text(cell) for cell in block.cells]
            if not block.text:
                continue
            block.index = len(kept)
            block.char_start = offset
            block.char_end = offset + len(block.text)
            parts.append(block.text)
            offset = block.char_end + 1  # the joining newline
            kept.append(block)
        self.blocks = kept
        self.text = "\n".join(parts)
        return self
