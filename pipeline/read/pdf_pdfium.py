"""The pdfium text source (pypdfium2): words with their boxes, font sizes and weights, and ruled tables.

pdfium orders a page's characters as its content stream draws them, inserting a space or a line break where the
glyphs' positions leave one, and honours ``/ActualText`` (Khmer and other complex scripts whose glyphs are drawn
in another order than they are read). A word is a run of characters between two of those spaces; its box is the
union of its first and last character's, which is all the layout steps use, so only two boxes are asked for per
word rather than one per character (the per-call cost of the C library dominates). Ruled tables come from the
page's path objects: their horizontal and vertical segments are the edges pdfplumber's table finder turns into
cells, so table detection needs no second parse of the page.

pdfium is not thread-safe: call this from one thread per process (``pipeline.guard`` reads in a child process).
"""

from __future__ import annotations

import ctypes
import math
import re
from pathlib import Path
from typing import Any, Callable, NamedTuple, cast

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfplumber.page import Page
from pdfplumber.table import TableFinder, TableSettings

from pipeline.document import BBox
from pipeline.errors import ReadError
from pipeline.read.pdf_page import (
    BOLD_FONT,
    KHMER,
    UNMAPPED_GLYPH,
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

BOLD_WEIGHT = 600
"""A font of this weight or more (CSS scale: 400 regular, 700 bold) is bold, whatever its name."""
KHMER_SPACE_GAP = 0.45
"""Two Khmer letters more than this many font sizes apart have a typed space between them (a space is about 0.3 em
wide, but the box of a Khmer letter's last sign ends short of the letter's advance; spaces pdfium made up inside
words measured 0.14-0.39 em on LibreOffice exports, typed ones 0.54-0.64)."""
EDGE_TOLERANCE = 0.01
"""A path segment whose ends differ by less than this many points across it is horizontal (or vertical)."""
_WORD = re.compile(r"[^\s\ufffe]+\ufffe?|\ufffe")
"""A word ends at a space or line break, or after a hyphen that ends a line: pdfium writes that hyphen as U+FFFE
and, instead of a line break after it, goes straight on with the next line's first word."""
_TABLE_SETTINGS = TableSettings.resolve(None)
_UNMAPPED = {"\x00", "\uffff", "\x02"}
"""What pdfium gives for a glyph with no Unicode mapping."""
_LINE_END_HYPHEN = "\ufffe"
_KHMER_GAP = re.compile(f"(?<=[{KHMER}]) (?=[{KHMER}])")


def read_pages(path: Path) -> list[PageContent]:
    try:
        pdf = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as exc:
        raise _open_error(exc) from exc
    try:
        return [_page_content(pdf, index) for index in range(len(pdf))]
    finally:
        pdf.close()


def _open_error(exc: pypdfium2.PdfiumError) -> ReadError:
    if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
        return ReadError("PDF is encrypted (password-protected)")
    return ReadError(f"not a valid PDF: {one_line(str(exc))}")


def _page_content(pdf: pypdfium2.PdfDocument, index: int) -> PageContent:
    number = index + 1
    frame = upright_frame(612.0, 792.0)
    try:
        page = pdf[index]
    except Exception as exc:  # a damaged page object
        return PageContent(number, frame, error=one_line(f"{type(exc).__name__}: {exc}"))
    try:
        to_page = _PageSpace(page)
        frame = upright_frame(to_page.width, to_page.height)
        textpage = page.get_textpage()
        try:
            words, frame = _words(textpage, to_page)
        finally:
            textpage.close()
        paths, images = _page_objects(page)
        if not words:
            return PageContent(number, frame, image_only=images > 0)
        tables = _tables(paths, to_page) if frame.upright and paths else []
        return PageContent(number, frame, words, tables)
    except Exception as exc:  # pdfium reports damaged content through many error paths
        return PageContent(number, frame, error=one_line(f"{type(exc).__name__}: {exc}"))
    finally:
        page.close()


class _PageSpace:
    """Maps PDF user space (origin bottom-left, unrotated) to the page as displayed: origin top-left, ``/Rotate``
    applied, relative to the media box (pdfplumber's coordinates)."""

    def __init__(self, page: pypdfium2.PdfPage):
        self.left, self.bottom, right, self.top = page.get_mediabox()
        self.raw_width, self.raw_height = right - self.left, self.top - self.bottom
        self.rotation = page.get_rotation() % 360
        sideways = self.rotation in (90, 270)
        self.width, self.height = (self.raw_height, self.raw_width) if sideways else (self.raw_width, self.raw_height)

    def point(self, x: float, y: float) -> tuple[float, float]:
        u, v = x - self.left, self.top - y
        if self.rotation == 90:
            return self.raw_height - v, u
        if self.rotation == 180:
            return self.raw_width - u, self.raw_height - v
        if self.rotation == 270:
            return v, self.raw_width - u
        return u, v

    def box(self, left: float, bottom: float, right: float, top: float) -> BBox:
        (xa, ya), (xb, yb) = self.point(left, bottom), self.point(right, top)
        return min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)

    def directions(self, matrix: pdfium_c.FS_MATRIX) -> tuple[str, str]:
        """Text directions on the displayed page: the glyph matrix turned by the page's rotation."""
        a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
        for _ in range(self.rotation // 90):  # a quarter turn clockwise maps (x, y) to (y, -x)
            a, b, c, d = b, -a, d, -c
        return text_directions((a, b, c, d))


def _words(textpage: pypdfium2.PdfTextPage, to_page: _PageSpace) -> tuple[list[Word], Frame]:
    """The page's words in its reading frame, and that frame; words set in another direction are left out (stray
    sideways labels would scramble the lines they cross)."""
    handle = textpage.raw
    count = pdfium_c.FPDFText_CountChars(handle)
    if count <= 0:
        return [], upright_frame(to_page.width, to_page.height)
    text = textpage.get_text_range(0, count)
    if len(text) != count:  # characters outside the Basic Multilingual Plane, or ones pdfium leaves out
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(handle, i) or 0xFFFD) for i in range(count))
    if _KHMER_GAP.search(text):
        text = _join_khmer_words(handle, text)
    spans = [match.span() for match in _WORD.finditer(text)]
    text = text.translate(_READABLE)
    runs = _TextRuns(handle, to_page)
    sample = spans[:: max(1, len(spans) // 200)]
    frame = reading_frame((runs.of(start).directions for start, _ in sample), to_page.width, to_page.height)
    first_box, last_box = pdfium_c.FS_RECTF(), pdfium_c.FS_RECTF()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    get_box, get_origin = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharOrigin
    simple = frame.upright and to_page.rotation == 0
    left, top_edge = to_page.left, to_page.top
    words = []
    for start, end in spans:
        run = runs.of(start)
        if run.directions[0] != frame.char_dir:
            continue
        get_box(handle, start, first_box)
        get_box(handle, end - 1, last_box)
        get_origin(handle, start, origin_x, origin_y)
        size = run.size
        if simple:  # most pages: only the origin moves
            x0, x1 = min(first_box.left, last_box.left) - left, max(first_box.right, last_box.right) - left
            baseline = top_edge - origin_y.value
        else:
            x0, _, x1, _ = frame.to_frame(
                to_page.box(
                    min(first_box.left, last_box.left),
                    min(first_box.bottom, last_box.bottom),
                    max(first_box.right, last_box.right),
                    max(first_box.top, last_box.top),
                )
            )
            origin = to_page.box(origin_x.value, origin_y.value, origin_x.value, origin_y.value)
            _, baseline, _, _ = frame.to_frame(origin)
        bottom = baseline - run.descent * size  # as pdfminer boxes a glyph: from its font's descent, one size high
        # after a space, the word is spaced from the one before it; after a line break pdfium's order says nothing
        # about the word it follows on the line (mirrored text comes out of order)
        spaced = True if start and text[start - 1] not in "\r\n" else None
        words.append(Word(text[start:end], x0, bottom - size, x1, bottom, size, run.bold, spaced))
    return words, frame


def _join_khmer_words(handle, text: str) -> str:
    """Khmer writes no space between words, and pdfium makes up spaces inside Khmer words (its glyphs are drawn
    out of reading order). A space pdfium made up (not in the PDF) between two Khmer letters becomes a zero-width
    space, which keeps the word whole and is then dropped, unless the letters stand a typed space apart
    (``KHMER_SPACE_GAP``): LibreOffice positions Khmer words instead of drawing their spaces."""
    characters = list(text)
    before, after, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    for match in _KHMER_GAP.finditer(text):
        space = match.start()
        if pdfium_c.FPDFText_IsGenerated(handle, space) != 1:
            continue
        pdfium_c.FPDFText_GetLooseCharBox(handle, space - 1, before)
        pdfium_c.FPDFText_GetLooseCharBox(handle, space + 1, after)
        pdfium_c.FPDFText_GetMatrix(handle, space + 1, matrix)
        size = pdfium_c.FPDFText_GetFontSize(handle, space + 1) * math.hypot(matrix.c, matrix.d)
        if not after.left - before.right > KHMER_SPACE_GAP * size:
            characters[space] = "\u200b"
    return "".join(characters)


_READABLE = str.maketrans({"\ufffe": "-", **{char: UNMAPPED_GLYPH for char in _UNMAPPED}})


class _Run(NamedTuple):
    """What the characters of one text object share."""

    directions: tuple[str, str]
    size: float
    bold: bool
    descent: float
    """The font's descent per point of size (negative)."""


class _TextRuns:
    """The style of the text object a character belongs to, looked up once per text object (and its font once per
    font): the C calls, not the Python around them, are what a page's reading costs."""

    def __init__(self, textpage, to_page: _PageSpace):
        self._textpage = textpage
        self._address = ctypes.cast(textpage, ctypes.c_void_p).value
        self._to_page = to_page
        self._runs: dict[int | None, _Run] = {}
        self._fonts: dict[int | None, tuple[bool, float]] = {}
        self._matrix = pdfium_c.FS_MATRIX()
        self._name = ctypes.create_string_buffer(256)
        self._descent = ctypes.c_float()

    def of(self, index: int) -> _Run:
        text_object = _text_object(self._address, index)
        run = self._runs.get(text_object)
        if run is None or text_object is None:
            run = self._runs[text_object] = self._look_up(index, text_object)
        return run

    def _look_up(self, index: int, text_object: int | None) -> _Run:
        matrix = self._matrix
        pdfium_c.FPDFText_GetMatrix(self._textpage, index, matrix)
        size = round(pdfium_c.FPDFText_GetFontSize(self._textpage, index) * math.hypot(matrix.c, matrix.d), 1)
        font = _font(text_object) if text_object else None
        if font not in self._fonts:
            self._fonts[font] = self._font_style(font) if font else (False, 0.0)
        bold, descent = self._fonts[font]
        return _Run(self._to_page.directions(matrix), size, bold, descent)

    def _font_style(self, font: int) -> tuple[bool, float]:
        length = _font_name(font, self._name, len(self._name))
        name = self._name.value.decode("latin-1") if 0 < length <= len(self._name) else ""
        bold = bool(BOLD_FONT.search(name)) or _font_weight(font) >= BOLD_WEIGHT
        descent = self._descent.value if _font_descent(font, ctypes.c_float(1.0), ctypes.byref(self._descent)) else 0.0
        return bold, max(-1.0, min(0.0, descent))


def _c_function(function, restype, *argtypes):
    """pypdfium2's ``function`` taking and returning handles as plain integers: its typed handles cost a
    ``ctypes.cast`` each to compare or to use as a dictionary key."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    if address is None:
        raise ImportError(f"pdfium has no {function.__name__}")
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_handle, _int, _c_float = ctypes.c_void_p, ctypes.c_int, ctypes.c_float
_text_object = _c_function(pdfium_c.FPDFText_GetTextObject, _handle, _handle, _int)
_font = _c_function(pdfium_c.FPDFTextObj_GetFont, _handle, _handle)
_font_name = _c_function(pdfium_c.FPDFFont_GetBaseFontName, ctypes.c_size_t, _handle, ctypes.c_char_p, ctypes.c_size_t)
_font_weight = _c_function(pdfium_c.FPDFFont_GetWeight, _int, _handle)
_font_descent = _c_function(pdfium_c.FPDFFont_GetDescent, _int, _handle, _c_float, ctypes.POINTER(_c_float))


# --- ruled tables -----------------------------------------------------------------------------------------------

_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _page_objects(page: pypdfium2.PdfPage) -> tuple[list[tuple], int]:
    """The page's path objects (with the matrix of the forms they sit in) and how many images it draws."""
    paths: list[tuple] = []
    images = 0
    pending: list[tuple[int, Callable[[int], Any], _Matrix]] = [
        (pdfium_c.FPDFPage_CountObjects(page.raw), lambda i: pdfium_c.FPDFPage_GetObject(page.raw, i), _IDENTITY)
    ]
    while pending:
        count, get, outer = pending.pop()
        for i in range(count):
            obj = get(i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                paths.append((obj, outer))
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                images += 1
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                pending.append(
                    (pdfium_c.FPDFFormObj_CountObjects(obj), _form_member(obj), _compose(_object_matrix(obj), outer))
                )
    return paths, images


def _form_member(form) -> Callable[[int], Any]:
    return lambda index: pdfium_c.FPDFFormObj_GetObject(form, index)


def _object_matrix(obj) -> _Matrix:
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
        return _IDENTITY
    return matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f


def _compose(inner: _Matrix, outer: _Matrix) -> _Matrix:
    """``inner`` then ``outer`` (PDF's row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _tables(paths: list[tuple], to_page: _PageSpace) -> list[FoundTable]:
    edges = [edge for obj, outer in paths for edge in _path_edges(obj, outer, to_page)]
    if sum(edge["orientation"] == "h" for edge in edges) < 2 or sum(edge["orientation"] == "v" for edge in edges) < 2:
        return []
    page = cast(Page, _EdgesOnly(edges, (0.0, 0.0, to_page.width, to_page.height)))  # all the finder reads
    finder = TableFinder(page, _TABLE_SETTINGS)
    return [
        FoundTable(table.bbox, [FoundRow(row.bbox, list(row.cells)) for row in table.rows]) for table in finder.tables
    ]


class _EdgesOnly:
    """All of a page pdfplumber's table finder looks at with the default ("lines") strategy."""

    def __init__(self, edges: list[dict], bbox: BBox):
        self.edges = edges
        self.bbox = bbox


def _path_edges(obj, outer: _Matrix, to_page: _PageSpace) -> list[dict]:
    """The horizontal and vertical segments of a path (rectangles and lines alike), in page coordinates."""
    matrix = _compose(_object_matrix(obj), outer)
    point_x, point_y = ctypes.c_float(), ctypes.c_float()
    edges: list[dict] = []
    start = previous = None
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, point_x, point_y)
        a, b, c, d, e, f = matrix
        x, y = point_x.value, point_y.value
        point = to_page.point(x * a + y * c + e, x * b + y * d + f)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif previous is not None and kind == pdfium_c.FPDF_SEGMENT_LINETO:
            _add_edge(edges, previous, point)
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            _add_edge(edges, point, start)
        previous = point
    return edges


def _add_edge(edges: list[dict], one: tuple[float, float], other: tuple[float, float]) -> None:
    (xa, ya), (xb, yb) = one, other
    x0, x1, top, bottom = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
    if bottom - top < EDGE_TOLERANCE:
        orientation, top = "h", bottom
    elif x1 - x0 < EDGE_TOLERANCE:
        orientation, x0 = "v", x1
    else:
        return
    edges.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "width": x1 - x0,
                  "height": bottom - top, "orientation": orientation, "object_type": "line"})
