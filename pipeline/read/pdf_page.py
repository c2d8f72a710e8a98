"""What a PDF text source hands the layout steps (``pipeline.read.pdf``): per page, its words and ruled tables.

Two sources fill it — pdfium (``pdf_pdfium``, the default) and pdfplumber (``pdf_plumber``, the older and slower
one, kept to compare against) — so the layout works on one neutral shape whichever library read the page.
Coordinates are PDF points with the origin at the top-left corner of the page as displayed (``/Rotate`` applied);
words are given in the page's *reading frame* (see :class:`Frame`), tables in page coordinates.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

from pipeline.document import BBox

BOLD_FONT = re.compile(r"bold|black|heavy", re.IGNORECASE)
"""A font whose name says so is bold (pdfium also takes a weight of 600 or more)."""
UNMAPPED_GLYPH = "\ufffd"
KHMER = "\u1780-\u17ff\u19e0-\u19ff"
"""Khmer letters, signs and digits, and the Khmer lunar-date symbols (a regex character range)."""
_INVISIBLE = str.maketrans({"\u200b": None, "\ufeff": None, "\u17b2": "\u17b1"})
"""Zero-width spaces (word separators Khmer typists insert, invisible on the page) go; ឲ (the older spelling of
QOO in ឲ្យ) becomes ឱ, so both spellings of a word search and count as one."""
"""What a source writes for a glyph its font does not map to any character."""


class Word(NamedTuple):
    """A word in reading-frame coordinates; its height there is its font size."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    spaced: bool | None = None
    """Whether a space separates the word from the one before it on its line: ``None`` when the source does not
    know (pdfplumber also splits words at font changes), and the gap between them decides."""


class FoundRow(NamedTuple):
    bbox: BBox
    cells: list[BBox | None]
    """Left to right; ``None`` where a cell merged across columns or rows leaves a gap in the grid."""


class FoundTable(NamedTuple):
    """A ruled table's grid: its box and its rows, top to bottom."""

    bbox: BBox
    rows: list[FoundRow]


@dataclass(frozen=True, slots=True)
class Frame:
    """Maps page coordinates to a frame in which the page's text runs left to right and lines top to bottom."""

    char_dir: str
    line_dir: str
    page_width: float
    page_height: float

    @property
    def upright(self) -> bool:
        return (self.char_dir, self.line_dir) == ("ltr", "ttb")

    @property
    def width(self) -> float:
        return self.page_width if self.char_dir in ("ltr", "rtl") else self.page_height

    @property
    def height(self) -> float:
        return self.page_height if self.line_dir in ("ttb", "btt") else self.page_width

    def _span(self, low: float, high: float, direction: str) -> tuple[float, float]:
        """The range ``low..high`` measured along ``direction`` (the mapping is its own inverse)."""
        if direction == "rtl":
            return self.page_width - high, self.page_width - low
        if direction == "btt":
            return self.page_height - high, self.page_height - low
        return low, high

    def _along(self, box: BBox, direction: str) -> tuple[float, float]:
        x0, top, x1, bottom = box
        low, high = (x0, x1) if direction in ("ltr", "rtl") else (top, bottom)
        return self._span(low, high, direction)

    def to_frame(self, box: BBox) -> BBox:
        (x0, x1), (top, bottom) = self._along(box, self.char_dir), self._along(box, self.line_dir)
        return x0, top, x1, bottom

    def to_page(self, box: BBox) -> BBox:
        x0, top, x1, bottom = box
        spans = {}
        for (low, high), direction in (((x0, x1), self.char_dir), ((top, bottom), self.line_dir)):
            axis = "x" if direction in ("ltr", "rtl") else "y"
            spans[axis] = self._span(low, high, direction)
        (page_x0, page_x1), (page_top, page_bottom) = spans["x"], spans["y"]
        return round(page_x0, 2), round(page_top, 2), round(page_x1, 2), round(page_bottom, 2)


def upright_frame(width: float, height: float) -> Frame:
    return Frame("ltr", "ttb", width, height)


def text_directions(matrix: tuple[float, ...]) -> tuple[str, str]:
    """Which way a glyph's text runs and which way its lines follow each other, from its text matrix (PDF space,
    y upwards)."""
    a, b, c, d = matrix[:4]
    char_dir = ("ltr" if a > 0 else "rtl") if abs(a) >= abs(b) else ("ttb" if b < 0 else "btt")
    line_dir = ("ttb" if d > 0 else "btt") if abs(d) >= abs(c) else ("rtl" if c > 0 else "ltr")
    return char_dir, line_dir


def reading_frame(directions: Iterable[tuple[str, str]], width: float, height: float) -> Frame:
    """The frame most of the page's glyphs (``directions``, a sample of them) are set in."""
    counts = Counter(directions)
    if not counts:
        return upright_frame(width, height)
    char_dir, line_dir = counts.most_common(1)[0][0]
    if (char_dir in ("ltr", "rtl")) == (line_dir in ("ltr", "rtl")):  # a degenerate matrix
        char_dir, line_dir = "ltr", "ttb"
    return Frame(char_dir, line_dir, width, height)


@dataclass(slots=True)
class PageContent:
    """What a source found on one page."""

    number: int
    frame: Frame
    words: list[Word] = field(default_factory=list)
    tables: list[FoundTable] = field(default_factory=list)
    error: str | None = None
    """Why the page could not be read, if it could not."""
    image_only: bool = False
    """No text at all, but images: a scan."""


def one_line(message: str, limit: int = 160) -> str:
    """Library messages may hold control characters and whole dictionaries."""
    line = " ".join("".join(c if c.isprintable() else " " for c in message).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def normalise_text(text: str) -> str:
    """Canonical Unicode (NFC) without zero-width spaces, with one spelling of ឱ; ASCII text as it is."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE))
