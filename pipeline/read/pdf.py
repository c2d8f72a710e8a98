"""Read a PDF's text layer into blocks in reading order.

A text source reads each page's words (with their boxes, font sizes and weights) and ruled tables: pdfium
(``pdf_pdfium``, the default) or pdfplumber (``pdf_plumber``, about ten times slower, kept to compare against).
Then each page goes through the same layout steps, whichever source read it:

1. A page whose text runs sideways or upside down is read in its own *reading frame*, where lines run left to
   right (the source gives the words in that frame, leaving out words set in another direction).
2. Ruled tables (upright pages) claim the words inside their cells; each row becomes a ``table_row`` block.
3. The other words form *pieces*: runs of words on one line, cut wherever a gap may be a column gutter, so that
   two columns never share a piece.
4. Running headers and footers are peeled off the page edges, a line at a time, while the edge line repeats across
   pages (digits aside) or is a page number ("Page 3 of 9", "- 3 -", a bare number).
5. A page with a vertical gutter that text lines on both sides keep clear of is read column by column (and each
   column again, so three columns work too); pieces and tables that cross the gutter stay where they are, above,
   between or below the columns.
6. Within a column, pieces on the same line are joined and lines group into headings (bigger or bold font), list
   items (a bullet or number starts the line) and paragraphs (split at wider gaps, indents, style changes and lines
   that stop short).

A paragraph cut by a column or page break is rejoined into one block, which keeps the page and bounding box of its
first part. A hyphen or dash ending a line within a word is kept and joins the next line without a space
("sub-\\nnational" → "sub-national", "737–\\n9" → "737–9"): word processors hyphenate automatically only when
told to, so a line mostly breaks at a hyphen the word really has.
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from statistics import median
from typing import Callable, Iterable, Iterator, Literal

from pipeline.document import BBox, Block, BlockKind, Document
from pipeline.errors import ReadError
from pipeline.read.markers import keep_lone_numbered_headings
from pipeline.read.pdf_page import KHMER, UNMAPPED_GLYPH, FoundTable, Frame, PageContent, Word, normalise_text
from pipeline.vocabulary import DocumentStatus

MARGIN_BAND = 0.12
"""Share of the page height, at the top and at the bottom, where running headers and footers sit."""
HEADER_MAX_LINES = 3
REPEATS_ON_SHARE, REPEATS_ON_PAGES = 0.4, 4
"""A line at the page edge is a running header or footer when it repeats on this share of the pages (and on two at
least), or on this many (a long report's annexes may carry other headers)..."""
REPEATS_WITH_DIGITS_SHARE = 0.5
"""... or when it repeats with only its digits changing on this share of the pages (and on three at least)."""
GUTTER_GAP = 0.8
GUTTER_GAP_VS_SPACES = 1.5
"""A gap between two words on a line may be a column gutter if wider than this many font sizes and than this many
times the line's other gaps."""
COLUMN_MIN_LINES = 2
COLUMN_MIN_WORDS = 3
"""A column holds text: at least this many lines, with at least this many words on its typical line."""
COLUMNS_SHARE = 0.3
"""Columns side by side hold at least this share of a page's lines and tables."""
GARBAGE_SHARE = 0.3
"""A page whose text is more than this share unmapped glyphs (``\ufffd``, pdfminer's ``(cid:N)``) goes through OCR."""
HEADING_SIZE_RATIO = 1.15
"""A line is set in a heading font when its size is at least this many times the body size."""
HEADING_MAX_WORDS, BOLD_HEADING_MAX_WORDS = 30, 15
"""Longer blocks are paragraphs, however big or bold their font."""
SPACE_GAP = 0.12
"""Words closer than this many font sizes were split by a font change, not by a space (when the source does not
say, see ``Word.spaced``)."""

_LIST_MARKER = re.compile(
    r"^(?:(?:[•▪■◦●○◆❖➢►✓·\uf000-\uf0ff\ufffd]|\(cid:\d+\))\s*"  # symbol-font and unmapped glyphs too
    r"|[-–—*o]\s+"
    r"|(?:\d{1,2}|[a-z])[.)]\s+|\((?:\d{1,2}|[a-z])\)\s+)"  # 1. 1) a. a) (1) (a)
)
_PAGE_LABEL = re.compile(
    r"^(?:(?:page|p\.|pg\.?)\s*\|?\s*\d+(?:\s*(?:of|/)\s*\d+)?|\d+\s*(?:of|/)\s*\d+|[-–—]\s*\d+\s*[-–—])$",
    re.IGNORECASE,
)
_PAGE_LABEL_WITHIN = re.compile(r"\b(?:page|p\.|pg\.?)\s*\|?\s*\d+(?:\s*(?:of|/)\s*\d+)?\b", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^(?:\d{1,5}|(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3}))$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_KHMER = re.compile(f"[{KHMER}]")
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")


Source = Literal["pdfium", "pdfplumber"]


def partition_pdf(path: Path, source: Source = "pdfium") -> Document:
    """Read the PDF at ``path`` into blocks; raise ``ReadError`` for encrypted, broken or image-only files."""
    _check_pdf_header(path)
    if source == "pdfium":
        from pipeline.read.pdf_pdfium import read_pages
    else:
        from pipeline.read.pdf_plumber import read_pages
    contents = read_pages(path)
    if not contents:
        raise ReadError("not a valid PDF: it has no pages")
    ocr_confidences, no_ocr = _ocr(path, contents)
    warnings = [warning for content in contents for warning in _page_warnings(content, no_ocr)]
    pages = [_page_layout(content) for content in contents]
    if not any(page.pieces or page.tables for page in pages):
        unreadable = next((content.error for content in contents if content.error), None)
        if unreadable:
            raise ReadError(f"not a valid PDF: no page could be read ({unreadable})")
        if not any(content.image_only for content in contents):
            raise ReadError("no text: every page of the PDF is blank")
        if ocr_confidences:
            raise ReadError("no text: OCR found none on the scanned pages", DocumentStatus.NEEDS_OCR)
        raise ReadError(f"no text layer: scanned PDF needs OCR ({no_ocr})", DocumentStatus.NEEDS_OCR)
    _drop_running_headers(pages)
    gutters = _gutters_by_page_width(pages)
    flows = [
        [_region_lines(region) for region in _regions(page.pieces + page.tables, gutters[round(page.frame.width)])]
        for page in pages
    ]
    style = _BodyStyle.of(pages, flows)
    headings: list[tuple[Block, float]] = []
    markers: dict[int, str] = {}
    blocks = _rejoin(
        _flow_blocks(items, page, style, headings, markers)
        for page, page_flows in zip(pages, flows)
        for items in page_flows
    )
    _assign_heading_levels(headings)
    blocks = keep_lone_numbered_headings([(block, markers.get(id(block))) for block in blocks])
    return Document(
        source_file="", format="pdf", blocks=blocks, pages=len(pages), ocr_pages=ocr_confidences, warnings=warnings
    ).assemble()


def _check_pdf_header(path: Path) -> None:
    try:
        with path.open("rb") as file:
            start = file.read(1024)
    except OSError as exc:
        raise ReadError(f"cannot open file: {exc.strerror or exc}") from exc
    if b"%PDF-" not in start:
        raise ReadError("not a valid PDF: the file does not start with a PDF header")


def _needs_ocr(content: PageContent) -> bool:
    """A scan (images, no text), or a text layer of mostly unmapped glyphs."""
    if content.image_only:
        return True
    characters = sum(len(word.text) for word in content.words)
    unmapped = sum(word.text.count(UNMAPPED_GLYPH) + 7 * word.text.count("(cid:") for word in content.words)
    return characters > 0 and unmapped > GARBAGE_SHARE * characters


def _ocr(path: Path, contents: list[PageContent]) -> tuple[dict[int, float | None], str | None]:
    """OCR the pages that need it, in place in ``contents``; their mean confidences, and why OCR could not run
    (``None`` when it could, or when no page needed it)."""
    wanted = [content.number for content in contents if not content.error and _needs_ocr(content)]
    if not wanted:
        return {}, None
    from pipeline.read import ocr

    reason = ocr.unavailable_reason()
    if reason:
        return {}, reason
    confidences = {}
    for number, page in ocr.ocr_pages(path, wanted).items():
        image_only = contents[number - 1].image_only and not page.content.words
        contents[number - 1] = page.content
        contents[number - 1].image_only = image_only
        confidences[number] = page.confidence
    return confidences, None


def _page_warnings(content: PageContent, no_ocr: str | None) -> list[str]:
    if content.error:
        return [f"page {content.number} could not be read ({content.error})"]
    if content.image_only and no_ocr:
        return [f"page {content.number} has no text layer (an image only): it needs OCR ({no_ocr})"]
    if content.image_only:
        return [f"page {content.number} has no text layer (an image only) and OCR found no text on it"]
    return []


# --- 1-3: one page's words, tables and pieces ---------------------------------------------------------------


class _Line:
    """Words on one line (or one piece of a line), left to right, in reading-frame coordinates."""

    __slots__ = ("words", "text", "x0", "top", "x1", "bottom", "size", "bold")

    def __init__(self, words: list[Word]):
        self.words = sorted(words, key=attrgetter("x0"))
        self.text = _line_text(self.words)
        self.x0 = min(word.x0 for word in words)
        self.top = min(word.top for word in words)
        self.x1 = max(word.x1 for word in words)
        self.bottom = max(word.bottom for word in words)
        chars_by_size: Counter[float] = Counter()
        bold_chars = 0
        for word in words:
            chars_by_size[word.size] += len(word.text)
            bold_chars += len(word.text) if word.bold else 0
        self.size = chars_by_size.most_common(1)[0][0]
        self.bold = bold_chars >= 0.9 * sum(chars_by_size.values())

    def joined(self, other: _Line) -> _Line:
        return _Line(self.words + other.words)


@dataclass(slots=True)
class _Table:
    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[tuple[list[str], BBox]]


@dataclass(slots=True)
class _Page:
    number: int
    frame: Frame
    pieces: list[_Line]
    tables: list[_Table]


def _page_layout(content: PageContent) -> _Page:
    words = [word if word.text.isascii() else word._replace(text=normalise_text(word.text)) for word in content.words]
    tables, free_words = _claim_table_words(content.tables, [word for word in words if word.text])
    return _Page(content.number, content.frame, _pieces(free_words), tables)


def _claim_table_words(
    found_tables: list[FoundTable], words: list[Word]
) -> tuple[list[_Table], list[Word]]:
    """Give the words inside each ruled data table to its cells; return the tables and the words outside them."""
    tables = []
    for found in found_tables:
        inside = [word for word in words if _inside(*_middle(word), found.bbox)]
        table = _data_table(found, inside)
        if table:
            tables.append(table)
            claimed = set(map(id, inside))
            words = [word for word in words if id(word) not in claimed]
    return tables, words


def _data_table(found: FoundTable, words: list[Word]) -> _Table | None:
    """The table's rows of cell texts, or None for a mere frame around text (no row with two filled cells)."""
    rows = found.rows
    row_tops = [row.bbox[1] for row in rows]
    cell_words: dict[tuple[int, int], list[Word]] = {}
    for word in words:
        x, y = _middle(word)
        # a cell merged across rows belongs to the row it starts in, so look upwards from the word's row
        for row_index in range(bisect_right(row_tops, y) - 1, -1, -1):
            column = next((j for j, cell in enumerate(rows[row_index].cells) if cell and _inside(x, y, cell)), None)
            if column is not None:
                cell_words.setdefault((row_index, column), []).append(word)
                break
    texts = [
        [" ".join(line.text for line in _lines_of(cell_words.get((r, c), []))) for c in range(len(row.cells))]
        for r, row in enumerate(rows)
    ]
    if not any(sum(map(bool, cells)) >= 2 for cells in texts):
        return None
    filled_columns = [c for c in range(len(rows[0].cells)) if any(cells[c] for cells in texts)]
    table_rows = [
        ([cells[c] for c in filled_columns], _rounded(row.bbox))
        for cells, row in zip(texts, rows)
        if any(cells)
    ]
    return _Table(*found.bbox, rows=table_rows)


def _rounded(box: BBox) -> BBox:
    x0, top, x1, bottom = box
    return round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)


def _middle(word: Word) -> tuple[float, float]:
    return (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2


def _inside(x: float, y: float, box: BBox) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _lines_of(words: list[Word]) -> list[_Line]:
    """Group words into text lines, top to bottom: a word whose middle is above the bottom of the line's first
    (highest) word joins it. The line does not grow with the words that join it: columns whose baselines are
    staggered by less than half a line would otherwise chain into one line down the page."""
    groups: list[list[Word]] = []
    bottom = -math.inf
    for word in sorted(words, key=attrgetter("top")):
        if groups and (word.top + word.bottom) / 2 < bottom:
            groups[-1].append(word)
        else:
            groups.append([word])
            bottom = word.bottom
    return [_Line(group) for group in groups]


def _line_text(words: list[Word]) -> str:
    parts = [words[0].text]
    for before, word in itertools.pairwise(words):
        if word.spaced if word.spaced is not None else word.x0 - before.x1 > SPACE_GAP * max(before.size, word.size):
            parts.append(" ")
        parts.append(word.text)
    return "".join(parts)


def _pieces(words: list[Word]) -> list[_Line]:
    """Cut every text line at the gaps that may be a column gutter: wide, and far wider than the gaps on either side
    of them (justified text stretches all the gaps of a line alike)."""
    pieces = []
    for line in _lines_of(words):
        gaps = [word.x0 - before.x1 for before, word in itertools.pairwise(line.words)]
        start = 0
        for index, gap in enumerate(gaps):
            if gap > GUTTER_GAP * max(line.words[index].size, line.words[index + 1].size) and all(
                gap > GUTTER_GAP_VS_SPACES * median(side) for side in (gaps[:index], gaps[index + 1 :]) if side
            ):
                pieces.append(_Line(line.words[start : index + 1]))
                start = index + 1
        pieces.append(line if start == 0 else _Line(line.words[start:]))
    return pieces


# --- 4: running headers and footers ---------------------------------------------------------------------------


def _drop_running_headers(pages: list[_Page]) -> None:
    """Peel running headers and footers off the pages' top and bottom edges, a line at a time, while the edge line
    is a page number or repeats across pages, page numbers aside (as it is, or with only its digits changing)."""
    for at_top in (True, False):
        peeling = pages
        for _ in range(HEADER_MAX_LINES):
            edges = [_edge_line(page, at_top) for page in peeling]
            texts = [_without_page_number(line) for line in edges]
            is_running = _running_texts(texts, len(pages))
            peeled = []
            for page, line, text in zip(peeling, edges, texts):
                if line and (is_running(text) if text else len(line) == 1):
                    page.pieces = [piece for piece in page.pieces if piece not in line]
                    peeled.append(page)
            peeling = peeled


def _without_page_number(line: list[_Line]) -> str:
    """The line's text without page numbers, standing alone ("3", "- 3 -") or within ("Report 2020 - page 3/9")."""
    pieces = [piece.text for piece in line if not (_PAGE_LABEL.match(piece.text) or _BARE_NUMBER.match(piece.text))]
    return _PAGE_LABEL_WITHIN.sub("", " ".join(pieces)).strip()


def _edge_line(page: _Page, at_top: bool) -> list[_Line]:
    """The pieces of the page's first (or last) line, if it lies in the top (or bottom) margin."""
    band = MARGIN_BAND * page.frame.height
    if at_top:
        margin = [piece for piece in page.pieces if piece.top < band]
        edge = min(margin, key=attrgetter("top"), default=None)
    else:
        margin = [piece for piece in page.pieces if piece.bottom > page.frame.height - band]
        edge = max(margin, key=attrgetter("bottom"), default=None)
    return [piece for piece in margin if edge and edge.top < (piece.top + piece.bottom) / 2 < edge.bottom]


def _running_texts(texts: list[str], page_count: int) -> Callable[[str], bool]:
    """Whether a text repeats among these (one per page) enough to be a running header or footer."""
    as_is = Counter(map(_plain, texts))
    digits_aside = Counter(_without_digits(text) for text in texts if _DIGITS.search(text))
    return lambda text: (
        as_is[_plain(text)] >= min(REPEATS_ON_PAGES, max(2, REPEATS_ON_SHARE * page_count))
        or digits_aside[_without_digits(text)] >= max(3, REPEATS_WITH_DIGITS_SHARE * page_count)
    )


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def _without_digits(text: str) -> str:
    return _DIGITS.sub("#", _plain(text))


# --- 5: columns -------------------------------------------------------------------------------------------------

_Item = _Line | _Table


def _gutters_by_page_width(pages: list[_Page]) -> dict[int, list[float]]:
    """The column gutters of the document's pages, by page width, for pages whose own columns are too short to
    tell (the last page of a two-column report)."""
    gutters: dict[int, set[float]] = defaultdict(set)
    for page in pages:
        gutter = _find_gutter(page.pieces + page.tables)
        if gutter is not None:
            gutters[round(page.frame.width)].add(round(gutter))
    return defaultdict(list, {width: sorted(found) for width, found in gutters.items()})


def _regions(items: list[_Item], known_gutters: list[float]) -> list[list[_Item]]:
    """Split a page's pieces and tables into regions read one after another: full-width runs and columns."""
    gutter = _find_gutter(items)
    if gutter is None:
        gutter = next((known for known in known_gutters if all(_side_by_side(items, known))), None)
    if gutter is None:
        return [items] if items else []
    regions: list[list[_Item]] = []
    for band in _bands(items, gutter):
        if isinstance(band, tuple):
            regions += _regions(band[0], known_gutters) + _regions(band[1], known_gutters)
        else:
            regions.append(band)
    return regions


def _bands(items: list[_Item], gutter: float) -> list[list[_Item] | tuple[list[_Item], list[_Item]]]:
    """Top to bottom: runs of items crossing ``gutter`` (lists) and the (left, right) columns between them.

    A piece with a wide gap at the gutter does not cross it: it is a line of each column that ``_pieces`` left whole
    (stretched justified lines have gaps almost as wide as the gutter), and is cut in two.
    """
    bands: list = []
    for item in sorted(items, key=attrgetter("top")):
        crosses = item.x0 < gutter < item.x1
        if crosses and isinstance(item, _Line):
            cut = sum(word.x1 <= gutter for word in item.words)
            before, after = item.words[cut - 1], item.words[cut]
            if after.x0 >= gutter and after.x0 - before.x1 > GUTTER_GAP * max(before.size, after.size):
                _add_to_columns(bands, _Line(item.words[:cut]), _Line(item.words[cut:]))
                continue
        if crosses and bands and isinstance(bands[-1], list):
            bands[-1].append(item)
        elif crosses:
            bands.append([item])
        else:
            _add_to_columns(bands, *((item, None) if item.x1 <= gutter else (None, item)))
    return bands


def _add_to_columns(bands: list, left: _Item | None, right: _Item | None) -> None:
    if not bands or isinstance(bands[-1], list):
        bands.append(([], []))
    for column, item in zip(bands[-1], (left, right)):
        if item is not None:
            column.append(item)


def _find_gutter(items: list[_Item]) -> float | None:
    """The x of a vertical gutter with columns of text on both sides, or None for a single column."""
    if len(items) < 2 * COLUMN_MIN_LINES:
        return None
    left_edge = min(item.x0 for item in items)
    span = math.ceil(max(item.x1 for item in items) - left_edge)
    crossings = [0] * (span + 2)
    for item in items:
        first, last = int(item.x0 - left_edge) + 1, math.ceil(item.x1 - left_edge) - 1
        if first <= last:
            crossings[first] += 1
            crossings[last + 1] -= 1
    crossing_counts = list(itertools.accumulate(crossings))
    low, high = int(span * 0.2), int(span * 0.8)
    if high <= low:
        return None
    fewest = min(crossing_counts[low : high + 1])
    runs = [
        list(run)
        for is_fewest, run in itertools.groupby(range(low, high + 1), key=lambda x: crossing_counts[x] == fewest)
        if is_fewest
    ]
    widest = max(runs, key=len)
    gutter = left_edge + (widest[0] + widest[-1]) / 2
    return gutter if _columns_hold_text(items, gutter) else None


def _columns_hold_text(items: list[_Item], gutter: float) -> bool:
    """Whether both sides of ``gutter`` hold lines of running text, not table cells or form labels."""
    columns = [[item for item in column if isinstance(item, _Line)] for column in _side_by_side(items, gutter)]
    return all(
        len(lines) >= COLUMN_MIN_LINES and median(len(line.words) for line in lines) >= COLUMN_MIN_WORDS
        for lines in columns
    )


def _side_by_side(items: list[_Item], gutter: float) -> tuple[list[_Item], list[_Item]]:
    """The items on each side of ``gutter`` where both sides have some, if they are a fair share of the page's items
    (a few lines whose word gaps happen to line up do not make columns)."""
    sides: tuple[list[_Item], list[_Item]] = ([], [])
    for band in _bands(items, gutter):
        if isinstance(band, tuple) and all(band):
            sides[0].extend(band[0])
            sides[1].extend(band[1])
    return sides if len(sides[0]) + len(sides[1]) >= COLUMNS_SHARE * len(items) else ([], [])


def _region_lines(items: list[_Item]) -> list[_Item]:
    """The region's items top to bottom, with the pieces that share a line joined into one."""
    joined: list[_Item] = []
    for item in sorted(items, key=attrgetter("top")):
        previous = joined[-1] if joined else None
        if (
            isinstance(item, _Line)
            and isinstance(previous, _Line)
            and (item.top + item.bottom) / 2 < previous.bottom
        ):
            joined[-1] = previous.joined(item)
        else:
            joined.append(item)
    return joined


# --- 6: blocks --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BodyStyle:
    """The document's body text: font size, usual gap between lines, and whether bold sets headings apart."""

    size: float
    line_gap: float
    bold_marks_headings: bool

    @classmethod
    def of(cls, pages: list[_Page], flows: list[list[list[_Item]]]) -> _BodyStyle:
        chars_by_size: Counter[float] = Counter()
        bold_chars_by_size: Counter[float] = Counter()
        for page in pages:
            for piece in page.pieces:
                for word in piece.words:
                    chars_by_size[word.size] += len(word.text)
                    bold_chars_by_size[word.size] += len(word.text) if word.bold else 0
        size = chars_by_size.most_common(1)[0][0] if chars_by_size else 10.0
        gaps = [
            line.top - before.bottom
            for regions in flows
            for region in regions
            for before, line in itertools.pairwise(region)
            if isinstance(before, _Line) and isinstance(line, _Line) and before.size == line.size == size
            and -size < line.top - before.bottom < 2 * size
        ]
        mostly_bold = bold_chars_by_size[size] > 0.5 * chars_by_size[size]
        return cls(size, median(gaps) if gaps else 0.25 * size, bold_marks_headings=not mostly_bold)

    def is_heading_size(self, line: _Line) -> bool:
        return line.size >= HEADING_SIZE_RATIO * self.size and line.size >= self.size + 1


def _flow_blocks(
    items: list[_Item], page: _Page, style: _BodyStyle, headings: list[tuple[Block, float]], markers: dict[int, str]
) -> list[Block]:
    """The blocks of one region: table rows, and its lines grouped into headings, list items and paragraphs."""
    blocks: list[Block] = []
    for group in _line_groups(items, style):
        if isinstance(group, _Table):
            blocks += [
                Block(BlockKind.TABLE_ROW, " | ".join(cells), page.number, page.frame.to_page(bbox), cells=cells)
                for cells, bbox in group.rows
            ]
        else:
            blocks.append(_group_block(group, page, style, headings, markers))
    return blocks


def _line_groups(items: list[_Item], style: _BodyStyle) -> Iterator[_Table | list[_Line]]:
    """The region's tables, and its runs of lines that make one block each."""
    line_ends = sorted(item.x1 for item in items if isinstance(item, _Line))
    right_edge = line_ends[int(0.9 * (len(line_ends) - 1))] if line_ends else 0.0  # robust to a line sticking out
    group: list[_Line] = []
    for item in items:
        if isinstance(item, _Line) and group and not _starts_block(group, item, style, right_edge):
            group.append(item)
            continue
        if group:
            yield group
        group = [item] if isinstance(item, _Line) else []
        if isinstance(item, _Table):
            yield item
    if group:
        yield group


def _starts_block(group: list[_Line], line: _Line, style: _BodyStyle, right_edge: float) -> bool:
    before = group[-1]
    first_word = line.words[0]
    return (
        abs(line.size - before.size) > 0.6
        or line.bold != before.bold
        or bool(_LIST_MARKER.match(line.text))
        or line.top - before.bottom > style.line_gap + 0.4 * style.size
        or (not _LIST_MARKER.match(group[0].text) and line.x0 > before.x0 + 0.9 * line.size)  # a first-line indent
        or (  # the line before stopped short although this line's first word had room on it
            not before.text.endswith("-")
            and before.x1 + 0.3 * before.size + first_word.x1 - first_word.x0 < right_edge
        )
    )


def _group_block(
    lines: list[_Line], page: _Page, style: _BodyStyle, headings: list[tuple[Block, float]], markers: dict[int, str]
) -> Block:
    """One block from its lines; list markers are stripped and remembered (by block id) in ``markers``."""
    first = lines[0]
    text = _join_lines([line.text for line in lines])
    bbox = page.frame.to_page(
        (min(ln.x0 for ln in lines), first.top, max(ln.x1 for ln in lines), max(ln.bottom for ln in lines))
    )
    words = sum(len(line.words) for line in lines)
    bold_heading = (
        style.bold_marks_headings
        and all(line.bold for line in lines)
        and words <= BOLD_HEADING_MAX_WORDS
        and not text.endswith((".", ",", ";"))
    )
    if (style.is_heading_size(first) and words <= HEADING_MAX_WORDS) or bold_heading:
        block = Block(BlockKind.HEADING, text, page.number, bbox)
        headings.append((block, max(first.size, style.size)))
        return block
    marker = _LIST_MARKER.match(text)
    if marker:
        block = Block(BlockKind.LIST_ITEM, text[marker.end() :], page.number, bbox)
        markers[id(block)] = marker.group().strip()
        return block
    return Block(BlockKind.PARAGRAPH, text, page.number, bbox)


def _join_lines(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        if text.endswith("\u00ad"):  # a soft hyphen only shows where the line broke
            text = text[:-1] + line
        elif text.endswith(("-", "–")) and text[-2:-1].isalnum() and line[:1].isalnum():
            text += line
        elif _KHMER.match(text[-1:]) and _KHMER.match(line[:1]):  # Khmer breaks lines between words, unspaced
            text += line
        else:
            text += " " + line
    return text


def _rejoin(flows: Iterable[list[Block]]) -> list[Block]:
    """Chain the regions' blocks, rejoining a paragraph that a column or page break cut in two."""
    blocks: list[Block] = []
    for flow in flows:
        if blocks and flow and _runs_on(blocks[-1], flow[0]):
            blocks[-1].text = _join_lines([blocks[-1].text, flow[0].text])
            flow = flow[1:]
        blocks += flow
    return blocks


def _runs_on(before: Block, block: Block) -> bool:
    return (
        before.kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM)
        and block.kind == BlockKind.PARAGRAPH
        and not _SENTENCE_END.search(before.text)
    )


def _assign_heading_levels(headings: list[tuple[Block, float]]) -> None:
    """Level 1 for the biggest heading font, 2 for the next, and so on (bold body-size headings come last)."""
    sizes = sorted({round(size * 2) / 2 for _, size in headings}, reverse=True)
    for block, size in headings:
        block.heading_level = sizes.index(round(size * 2) / 2) + 1
