"""The pdfplumber text source: the reader's original one, about ten times slower than pdfium's.

Kept to compare against (``partition_pdf(path, source="pdfplumber")``, ``benchmarks/``): both must give the
layout steps the same words and tables.
"""

from __future__ import annotations

import itertools
from operator import itemgetter
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils import cluster_objects, extract_words

from pipeline.errors import ReadError
from pipeline.read.pdf_page import (
    BOLD_FONT,
    FoundRow,
    FoundTable,
    Frame,
    PageContent,
    Word,
    one_line,
    reading_frame,
    text_directions,
    upright_frame,
)

_FAUX_BOLD = "+FauxBold"


def read_pages(path: Path) -> list[PageContent]:
    try:
        with pdfplumber.open(path) as pdf:
            return [_page_content(page, number) for number, page in enumerate(pdf.pages, start=1)]
    except Exception as exc:  # pdfminer raises many exception types on damaged files
        raise _open_error(exc) from exc


def _open_error(exc: Exception) -> ReadError:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return ReadError("PDF is encrypted (password-protected)")
    return ReadError(f"not a valid PDF: {one_line(str(cause)) or type(cause).__name__}")


def _page_content(page: pdfplumber.page.Page, number: int) -> PageContent:
    frame = upright_frame(float(page.width), float(page.height))
    try:
        chars = _without_doubled_glyphs(page.chars)
        if not chars:
            return PageContent(number, frame, image_only=bool(page.images))
        sample = chars[:: max(1, len(chars) // 200)]
        frame = reading_frame((text_directions(char["matrix"]) for char in sample), frame.page_width, frame.page_height)
        # An upright page keeps pdfplumber's own directions (None) for its sideways text.
        found = extract_words(
            chars,
            extra_attrs=["fontname"],
            line_dir=frame.line_dir,
            char_dir=frame.char_dir,
            line_dir_rotated=None if frame.upright else frame.line_dir,
            char_dir_rotated=None if frame.upright else frame.char_dir,
        )
        words = [
            _frame_word(word, frame)
            for word in found
            if word["direction"] == frame.char_dir  # stray sideways labels would scramble the lines they cross
        ]
        tables = [_found_table(table) for table in page.find_tables()] if frame.upright else []
        return PageContent(number, frame, words, tables)
    except Exception as exc:  # pdfminer raises many exception types on damaged content streams
        return PageContent(number, frame, error=one_line(f"{type(exc).__name__}: {exc}"))
    finally:
        page.close()


def _found_table(table: pdfplumber.table.Table) -> FoundTable:
    return FoundTable(table.bbox, [FoundRow(row.bbox, list(row.cells)) for row in table.rows])


def _frame_word(word: dict, frame: Frame) -> Word:
    """A pdfplumber word in frame coordinates. Its height there is its font size, whichever way the text runs
    (pdfminer's ``size`` is not, for sideways glyphs)."""
    x0, top, x1, bottom = frame.to_frame((word["x0"], word["top"], word["x1"], word["bottom"]))
    bold = bool(BOLD_FONT.search(word["fontname"] or ""))
    return Word(word["text"], x0, top, x1, bottom, round(bottom - top, 1), bold)


def _without_doubled_glyphs(chars: list[dict], tolerance: float = 1) -> list[dict]:
    """Drop faux-bold doubles (a glyph drawn again within ``tolerance``) and mark the glyphs they doubled bold.

    Same rule as pdfplumber's ``dedupe_chars``, which restores the order with ``list.index`` and so takes
    quadratic time (15 s on a 16-page table). Order matters: ``extract_words`` splits words at font changes in it.
    """
    if len({(char["text"], round(char["x0"]), round(char["top"])) for char in chars}) == len(chars):
        return chars
    order = {id(char): index for index, char in enumerate(chars)}
    kept: list[tuple[int, dict]] = []
    for _, same_glyph in itertools.groupby(sorted(chars, key=_glyph), key=_glyph):
        for row in cluster_objects(list(same_glyph), itemgetter("doctop"), tolerance):
            for spot in cluster_objects(row, itemgetter("x0"), tolerance):
                first = min(spot, key=itemgetter("doctop", "x0"))
                doubled = {**first, "fontname": f"{first['fontname']}{_FAUX_BOLD}"} if len(spot) > 1 else first
                kept.append((order[id(first)], doubled))
    return [char for _, char in sorted(kept, key=itemgetter(0))]


def _glyph(char: dict) -> tuple:
    return char["upright"], char["text"], char["fontname"] or "", char["size"]
