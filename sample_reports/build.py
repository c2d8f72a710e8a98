"""Render the sample corpus and its gold annotations from the readable sources in ``source/``.

Each ``source/<name>.md`` (YAML front matter + the light markup described in ``README.md``) becomes one report
in this folder (``km/`` for Khmer sources) -- PDF, DOCX, TXT or MD, chosen by the extension of its ``file`` field
-- and contributes its statements and quantities to that folder's ``gold/``. Khmer PDFs are left to
``build_khmer_pdfs.py`` (LibreOffice); their gold is written here like any other. Every output is
byte-reproducible, so re-running the build on unchanged sources changes nothing that git could notice.

Usage::

    python sample_reports/build.py              # validate everything, render every report, write gold/
    python sample_reports/build.py --only NAME  # validate and render one source (stem or output file name)
    python sample_reports/build.py --check      # validate every source, write nothing
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import textwrap
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE / "source"
LANGUAGES = ("en", "km")
OUTPUT_DIRS = {"en": HERE, "km": HERE / "km"}
"""Each language's reports are their own reports folder with their own ``gold/``: the English folder is what
the pipeline (English-only so far) ingests, trains and scores on, so adding Khmer reports changes none of it."""

FORMATS = ("pdf", "docx", "txt", "md")
LEVELS = ("capital", "province", "municipality", "district", "khan", "working_group")
SPLITS = ("train", "dev", "test")
GENRES = ("template", "narrative", "press", "directive", "findings", "tables", "memo", "mixed_terms", "letter",
          "minutes", "progress", "sector", "speech", "briefing", "qa")
"""``template``: the first corpus's structured reports (headings per kind); the others are the "wild" genres of
reports nobody on the team templated: narrative without headings, press/news accounts in reported speech,
ministry directive and inspection letters, working-group findings with recommendations, reports whose
statements sit in tables, memos with distribution lists and contents, reports mixing Khmer terms and odd
number formats; letters submitting a report to a ministry, and minutes of a review meeting; quarterly or half-year
progress reports against an action plan (indicator | plan | achieved, % of plan, carry-over items), and a sector
office's report to the provincial hall in its own technical vocabulary; a governor's speech at the review meeting
(first person, urging and thanking), press briefings and wire accounts in reported speech, and question-and-answer
records of council forums."""
LABELS = {"A": "achievement", "C": "challenge", "G": "goal"}
ROLES = ("output", "target", "total", "part", "change", "affected", "baseline")
"""A quantity's role: ``output`` done in the year under review, ``target`` planned, ``total`` a stock or cumulative
count ("bringing the total to 92", "all 52"), ``part`` a share of another figure in the same statement
("including 36 km"), ``change`` a rise or fall ("fell by 27 %"), ``affected`` damage, victims or cases,
``baseline`` a starting value a change or target is measured from."""
UNITS = (
    "km", "m", "ha", "percent", "riel", "usd", "households", "people", "cases", "schools", "classrooms",
    "health_centres", "families", "tonnes", "villages", "communes", "wells", "projects", "count",
)
REQUIRED_FIELDS = ("file", "province_code", "province", "report_year", "level", "split")
HEADING_STYLES = ("styles", "bold", "numbered", "none")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")
LAYOUT_DEFAULTS = {
    "columns": 1,
    "headings": "styles",
    "header": "",
    "footer": "",
    "encoding": "utf-8",
    "font_size": 11,
    "literal_bullets": False,
    "scanned": False,
}
FIXED_DATE = datetime(2021, 1, 15, 8, 0, 0, tzinfo=timezone.utc)
"""Stamped into every DOCX (core properties and zip entries) so the bytes do not depend on the build time."""
TXT_WIDTH = 90

KHMER_LIST_MARKER = r"[០-៩]{1,2}\.(?:[០-៩]{1,2}\.?)?|[ក-អ][.)]|\([ក-អ០-៩]{1,2}\)"
LIST_ITEM = re.compile(rf"^(?P<marker>[-•o]|\d{{1,2}}\.|[a-z]\)|{KHMER_LIST_MARKER})\s+(?P<text>\S.*)$")
"""Latin markers (``-``, ``1.``, ``a)``) and Khmer ones (``១.``, ``២.១``, ``ក.``, ``ក)``, ``(ក)``, ``(១)``); a
marker needs a space after it, so the abbreviation "ព.ស." (Buddhist Era) at a line start stays text."""
HEADING = re.compile(r"^(?P<hashes>#{1,3})\s+(?P<text>\S.*)$")
TABLE_ROW = re.compile(r"^(?:(?P<label>[A-Za-z]{1,2})>\s*)?(?P<row>\|.*)$")
TABLE_SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")
STATEMENT_OPEN = re.compile(r"\{(?P<label>[^|{}\s]*)\|")
QUANTITY = re.compile(r"\[\[(?P<inner>.*?)\]\]")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
"""ASCII digits only: a gold value is a plain number even where the text writes Khmer digits ("៤៦" -> 46)."""
SENTENCE_BREAK = re.compile(r"[a-z0-9%)][.!?] +[A-Z]|(?<!។ល)[។៕] +\S")
"""Where a statement seems to hold a second sentence: English full stops, or a Khmer "។"/"៕" followed by more
text (not the "។ល។" of "etc.")."""


class SourceError(Exception):
    """A source file that cannot be rendered; ``messages`` are ``file:line: problem`` lines."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class Quantity:
    text: str
    value: float
    unit: str
    role: str | None = None
    """What the figure is (``ROLES``); ``None`` where the source does not say yet."""


@dataclass
class Statement:
    label: str
    text: str
    quantities: list[Quantity] = field(default_factory=list)


@dataclass
class Block:
    """One rendered construct: a heading, paragraph, list item or whole table, with its markup removed."""

    kind: str  # heading | paragraph | list_item | table
    text: str = ""
    level: int = 0
    marker: str = ""
    rows: list[list[str]] = field(default_factory=list)
    line: int = 0


@dataclass
class Source:
    path: Path
    meta: dict
    layout: dict
    blocks: list[Block]
    statements: list[Statement]
    warnings: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.meta["file"]

    @property
    def format(self) -> str:
        return Path(self.file).suffix.lower().lstrip(".")

    @property
    def language(self) -> str:
        return self.meta["language"]

    @property
    def out_dir(self) -> Path:
        return OUTPUT_DIRS[self.language]

    @property
    def made_by_libreoffice(self) -> bool:
        """Khmer PDFs: build_khmer_pdfs.py converts the source's DOCX rendering (and scans it if asked)."""
        return self.format == "pdf" and self.language == "km"


# --------------------------------------------------------------------------------------------- parsing


def parse_source(path: Path, text: str | None = None) -> Source:
    """Parse and validate one source file; raise :class:`SourceError` listing every problem found."""
    text = path.read_text(encoding="utf-8") if text is None else text
    errors: list[str] = []
    meta, body_lines, body_start = _split_front_matter(path, text, errors)
    if meta is None:
        raise SourceError(errors)
    layout = _validate_meta(path, meta, errors)
    parser = _BodyParser(path, body_start, errors)
    blocks = parser.parse(body_lines)
    if layout.get("headings") == "none" and any(b.kind == "heading" for b in blocks):
        line = next(b.line for b in blocks if b.kind == "heading")
        errors.append(f"{path.name}:{line}: layout.headings is 'none' but the body has a '#' heading")
    if not parser.statements:
        errors.append(f"{path.name}:{body_start}: the body marks no statements")
    if errors:
        raise SourceError(errors)
    if _format_of(meta) == "pdf" and meta["language"] == "km":
        pass  # made from the DOCX by LibreOffice (build_khmer_pdfs.py), which shapes Khmer; reportlab cannot
    elif _format_of(meta) == "pdf":
        _check_renderable(path, blocks, _pdf_font_has, "the PDF font has no glyph for it", errors)
    elif _format_of(meta) in ("txt", "md"):
        _check_renderable(path, blocks, lambda char: _encodable(char, layout["encoding"]),
                          f"it cannot be encoded in {layout['encoding']}", errors)
    if errors:
        raise SourceError(errors)
    return Source(path, meta, layout, blocks, parser.statements, parser.warnings)


def _format_of(meta: dict) -> str:
    return Path(str(meta.get("file", ""))).suffix.lower().lstrip(".")


def _split_front_matter(path: Path, text: str, errors: list[str]):
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        errors.append(f"{path.name}:1: expected '---' opening the YAML front matter")
        return None, [], 0
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        errors.append(f"{path.name}:1: the front matter is never closed by a '---' line")
        return None, [], 0
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        errors.append(f"{path.name}:{line}: front matter is not valid YAML ({getattr(exc, 'problem', exc)})")
        return None, [], 0
    if not isinstance(meta, dict):
        errors.append(f"{path.name}:2: front matter must be a mapping of field: value")
        return None, [], 0
    return meta, lines[end + 1:], end + 2


def _validate_meta(path: Path, meta: dict, errors: list[str]) -> dict:
    where = f"{path.name}:1"
    for name in REQUIRED_FIELDS:
        if meta.get(name) in (None, ""):
            errors.append(f"{where}: front matter lacks required field '{name}'")
    if meta.get("file"):
        fmt = _format_of(meta)
        if fmt not in FORMATS:
            errors.append(f"{where}: file '{meta['file']}' must end in one of {', '.join('.' + f for f in FORMATS)}")
        if "/" in str(meta["file"]) or "\\" in str(meta["file"]):
            errors.append(f"{where}: file '{meta['file']}' must be a bare file name, not a path")
    if meta.get("province_code") and not re.fullmatch(r"KH-\d{1,2}", str(meta["province_code"])):
        errors.append(f"{where}: province_code '{meta['province_code']}' is not like 'KH-7'")
    if meta.get("level") and meta["level"] not in LEVELS:
        errors.append(f"{where}: unknown level '{meta['level']}' (known: {', '.join(LEVELS)})")
    if meta.get("split") and meta["split"] not in SPLITS:
        errors.append(f"{where}: unknown split '{meta['split']}' (known: {', '.join(SPLITS)})")
    if meta.setdefault("language", "en") not in LANGUAGES:
        errors.append(f"{where}: unknown language '{meta['language']}' (known: {', '.join(LANGUAGES)})")
    if meta.setdefault("genre", "template") not in GENRES:
        errors.append(f"{where}: unknown genre '{meta['genre']}' (known: {', '.join(GENRES)})")
    if meta.get("report_year") and not (isinstance(meta["report_year"], int) and 2000 <= meta["report_year"] <= 2100):
        errors.append(f"{where}: report_year must be a year like 2020, not '{meta['report_year']}'")

    given = meta.get("layout") or {}
    if not isinstance(given, dict):
        errors.append(f"{where}: layout must be a mapping")
        given = {}
    unknown = sorted(set(given) - set(LAYOUT_DEFAULTS))
    if unknown:
        errors.append(f"{where}: unknown layout option(s) {', '.join(unknown)} (known: {', '.join(LAYOUT_DEFAULTS)})")
    layout = {**LAYOUT_DEFAULTS, **{k: v for k, v in given.items() if k in LAYOUT_DEFAULTS}}
    layout["header"] = layout["header"] or ""
    layout["footer"] = layout["footer"] or ""
    if layout["columns"] not in (1, 2):
        errors.append(f"{where}: layout.columns must be 1 or 2, not '{layout['columns']}'")
    if layout["headings"] not in HEADING_STYLES:
        errors.append(
            f"{where}: layout.headings must be one of {', '.join(HEADING_STYLES)}, not '{layout['headings']}'"
        )
    if layout["encoding"] not in ENCODINGS:
        errors.append(f"{where}: layout.encoding must be one of {', '.join(ENCODINGS)}, not '{layout['encoding']}'")
    if not isinstance(layout["font_size"], (int, float)) or not 7 <= layout["font_size"] <= 16:
        errors.append(f"{where}: layout.font_size must be a number between 7 and 16")
    if layout["scanned"] not in (True, False):
        errors.append(f"{where}: layout.scanned must be true or false")
    elif layout["scanned"] and not (_format_of(meta) == "pdf" and meta.get("language") == "km"):
        errors.append(f"{where}: layout.scanned is for Khmer PDFs (made by build_khmer_pdfs.py)")
    return layout


def _check_renderable(path: Path, blocks: list[Block], renderable, reason: str, errors: list[str]) -> None:
    """Report characters the output format would lose (a missing glyph or an unencodable byte)."""
    for block in blocks:
        texts = [block.text, block.marker] + [cell for row in block.rows for cell in row]
        bad = sorted({char for text in texts for char in text if not renderable(char)})
        if bad:
            errors.append(f"{path.name}:{block.line}: cannot render {', '.join(map(repr, bad))}: {reason}")


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


class _BodyParser:
    """Turns body lines into blocks, collecting statements and reporting errors with line numbers."""

    def __init__(self, path: Path, first_line: int, errors: list[str]):
        self.path = path
        self.first_line = first_line
        self.errors = errors
        self.warnings: list[str] = []
        self.statements: list[Statement] = []

    def parse(self, lines: list[str]) -> list[Block]:
        blocks: list[Block] = []
        paragraph: list[tuple[int, str]] = []
        table: list[tuple[int, str | None, list[str]]] = []

        def flush_paragraph():
            if paragraph:
                blocks.append(self._paragraph(paragraph))
                paragraph.clear()

        def flush_table():
            if table:
                blocks.append(self._table(table))
                table.clear()

        for offset, raw in enumerate(lines):
            number = self.first_line + offset
            line = raw.strip()
            row = TABLE_ROW.match(line)
            if row:
                flush_paragraph()
                if TABLE_SEPARATOR.match(row.group("row")):
                    if row.group("label"):
                        self._error(number, "a table separator line cannot be marked as a statement")
                    continue
                table.append((number, row.group("label"), self._cells(row.group("row"), number)))
                continue
            flush_table()
            if not line:
                flush_paragraph()
                continue
            heading = HEADING.match(line)
            item = LIST_ITEM.match(line)
            if heading or item:
                flush_paragraph()
            if heading:
                text, _, _ = self._inline(heading.group("text"), [(number, 0)], allow_statements=False)
                blocks.append(Block("heading", text, level=len(heading.group("hashes")), line=number))
            elif line.startswith("#"):
                self._error(
                    number, "headings are '# Title', '## Sub-title' or '### Sub-sub-title' ('#'s, then a space)"
                )
            elif item:
                text, found, _ = self._inline(item.group("text"), [(number, 0)])
                self.statements.extend(found)
                blocks.append(Block("list_item", text, marker=item.group("marker"), line=number))
            else:
                paragraph.append((number, line))
        flush_paragraph()
        flush_table()
        return blocks

    def _error(self, line: int, message: str) -> None:
        self.errors.append(f"{self.path.name}:{line}: {message}")

    def _paragraph(self, lines: list[tuple[int, str]]) -> Block:
        starts, pieces, offset = [], [], 0
        for number, text in lines:
            starts.append((number, offset))
            pieces.append(text)
            offset += len(text) + 1
        text, found, _ = self._inline(" ".join(pieces), starts)
        self.statements.extend(found)
        return Block("paragraph", text, line=lines[0][0])

    def _table(self, rows: list[tuple[int, str | None, list[str]]]) -> Block:
        first_line, header_label, header = rows[0]
        if header_label:
            self._error(first_line, "the first row of a table is its header and cannot be a statement")
        rendered: list[list[str]] = []
        for number, label, cells in rows:
            if len(cells) != len(header):
                self._error(number, f"table row has {len(cells)} cells but the table's header has {len(header)}")
            if label and label not in LABELS:
                self._error(number, f"unknown statement label '{label}>' (use A>, C> or G>)")
                label = None
            texts = []
            quantities: list[Quantity] = []
            cell_statements: list[Statement] = []
            for cell in cells:
                text, found, loose = self._inline(cell, [(number, 0)], row_statement=bool(label))
                texts.append(text)
                quantities.extend(loose)
                if not found:
                    continue
                if number == first_line:
                    self._error(number, "the first row of a table is its header and its cells cannot be statements")
                elif label:
                    self._error(number, f"a row marked {label}> cannot also hold {{X|...}} markers in its cells; "
                                "mark either the whole row or single cells")
                elif len(found) > 1:
                    self._error(number, "a table cell holds at most one {X|...} marker")
                elif found[0].text != text:
                    self._error(number, f"a {{X|...}} marker in a table cell wraps the whole cell, not part of it: "
                                f"{text[:70]!r}")
                else:
                    cell_statements.append(found[0])
            if label:
                self.statements.append(Statement(LABELS[label], " | ".join(texts), quantities))
            self.statements.extend(cell_statements)
            rendered.append(texts)
        return Block("table", rows=rendered, line=first_line)

    def _inline(self, text: str, line_starts: list[tuple[int, int]], allow_statements: bool = True,
                row_statement: bool = False) -> tuple[str, list[Statement], list[Quantity]]:
        """Remove statement and quantity markup from ``text``.

        Returns the rendered text, its statements, and the quantities outside any {X|...} marker (allowed only
        in the cells of a row marked as a statement, which the row then owns).
        """

        def line_at(pos: int) -> int:
            return max((n for n, start in line_starts if start <= pos), default=line_starts[0][0])

        out: list[str] = []
        found: list[Statement] = []
        loose: list[Quantity] = []
        open_label, open_at, open_pos, open_quantities = None, 0, 0, []
        pos = 0
        while pos < len(text):
            char = text[pos]
            if char == "{":
                match = STATEMENT_OPEN.match(text, pos)
                if open_label is not None:
                    self._error(line_at(pos), f"marker inside a marker: '{{' at column {pos + 1} while the "
                                f"statement opened on line {line_at(open_pos)} is still open")
                elif not match:
                    self._error(line_at(pos), "'{' must open a statement marker like {A|...}, {C|...} or {G|...}")
                elif match.group("label") not in LABELS:
                    self._error(line_at(pos), f"unknown statement label '{match.group('label')}' in "
                                f"'{match.group(0)}' (use A, C or G)")
                elif not allow_statements:
                    self._error(line_at(pos), "headings cannot be statements")
                else:
                    open_label, open_at, open_pos, open_quantities = match.group("label"), len("".join(out)), pos, []
                pos = match.end() if match else pos + 1
            elif char == "}":
                if open_label is None:
                    self._error(line_at(pos), "'}' without an opening {A|, {C| or {G|")
                else:
                    statement_text = _normalise("".join(out)[open_at:])
                    if not statement_text:
                        self._error(line_at(open_pos), "empty statement marker")
                    elif SENTENCE_BREAK.search(statement_text):
                        self.warnings.append(f"{self.path.name}:{line_at(open_pos)}: statement may hold more than "
                                             f"one sentence: {statement_text[:70]!r}")
                    found.append(Statement(LABELS[open_label], statement_text, open_quantities))
                    open_label = None
                pos += 1
            elif text.startswith("[[", pos):
                match = QUANTITY.match(text, pos)
                if not match:
                    self._error(line_at(pos), "'[[' without a closing ']]'")
                    pos += 2
                    continue
                quantity = self._quantity(match.group("inner"), line_at(pos))
                if quantity:
                    if open_label is None and not row_statement:
                        self._error(line_at(pos), f"quantity '{match.group(0)}' is outside a statement")
                    (open_quantities if open_label is not None else loose).append(quantity)
                    out.append(quantity.text)
                pos = match.end()
            elif text.startswith("]]", pos):
                self._error(line_at(pos), "']]' without an opening '[['")
                pos += 2
            else:
                out.append(char)
                pos += 1
        if open_label is not None:
            self._error(line_at(open_pos), f"statement marker '{{{open_label}|' is never closed with '}}'")
        return _normalise("".join(out)), found, loose

    def _quantity(self, inner: str, line: int) -> Quantity | None:
        parts = [part.strip() for part in inner.split("|")]
        if len(parts) not in (3, 4):
            self._error(line, f"quantity '[[{inner}]]' must be [[text|value|unit]] or [[text|value|unit|role]]")
            return None
        text, value, unit = parts[:3]
        role = parts[3] if len(parts) == 4 else None
        ok = True
        if role is not None and role not in ROLES:
            self._error(line, f"unknown quantity role '{role}' (known: {', '.join(ROLES)})")
            ok = False
        if not text:
            self._error(line, f"quantity '[[{inner}]]' has no text")
            ok = False
        number = float(value) if PLAIN_NUMBER.fullmatch(value) else None
        if number is None:
            self._error(line, f"quantity value '{value}' is not a plain number (write 1500000, not '1.5 million')")
            ok = False
        if unit not in UNITS:
            self._error(line, f"unknown unit '{unit}' (known: {', '.join(UNITS)})")
            ok = False
        return Quantity(text, int(number) if number.is_integer() else number, unit, role) if ok else None

    def _cells(self, row: str, line: int) -> list[str]:
        row = row.strip()
        if not row.endswith("|") or len(row) < 2:
            self._error(line, "a table row starts and ends with '|'")
            row = row.rstrip("|") + "|"
        return [cell.strip() for cell in _split_outside_markup(row[1:-1])]


def _split_outside_markup(row: str) -> list[str]:
    """Split a row on '|' except inside [[text|value|unit]] quantities and {X|...} statement markers."""
    cells, current, depth, pos = [], [], 0, 0
    while pos < len(row):
        opening = "[[" if row.startswith("[[", pos) else "{" if row[pos] == "{" else None
        closing = "]]" if row.startswith("]]", pos) else "}" if row[pos] == "}" else None
        if opening:
            depth += 1
            current.append(opening)
            pos += len(opening)
        elif closing and depth:
            depth -= 1
            current.append(closing)
            pos += len(closing)
        elif row[pos] == "|" and not depth:
            cells.append("".join(current))
            current = []
            pos += 1
        else:
            current.append(row[pos])
            pos += 1
    cells.append("".join(current))
    return cells


def _normalise(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------- rendering


def render(source: Source, out_dir: Path) -> Path:
    """Write the report for ``source`` into ``out_dir``; return its path."""
    if source.made_by_libreoffice:
        raise SourceError([f"{source.path.name}:1: {source.file} is a Khmer PDF: reportlab cannot shape Khmer, "
                           "so sample_reports/build_khmer_pdfs.py makes it from the DOCX rendering"])
    target = out_dir / source.file
    renderer = {"pdf": render_pdf, "docx": render_docx, "txt": render_text, "md": render_text}[source.format]
    renderer(source, target)
    return target


# PDF -------------------------------------------------------------------------------------------------

PAGE_MARGIN = 56.7  # 2 cm
PDF_FONTS = {"regular": ("Vera", "Vera.ttf"), "bold": ("Vera-Bold", "VeraBd.ttf")}
"""Bitstream Vera ships with reportlab; embedded TrueType keeps a ToUnicode map, so bullets and dashes
extract as themselves (the built-in Helvetica writes '•' as an unmappable code)."""


def _register_pdf_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in PDF_FONTS.values():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, file))


def _pdf_font_has(char: str) -> bool:
    from reportlab.pdfbase import pdfmetrics

    _register_pdf_fonts()
    return char.isspace() or ord(char) in pdfmetrics.getFont(PDF_FONTS["regular"][0]).face.charToGlyph
COLUMN_GAP = 18.0


def pdf_frame_boxes(columns: int) -> list[tuple[float, float, float, float]]:
    """Text frames of a page as ``(x, y, width, height)`` in reportlab points (origin bottom-left)."""
    from reportlab.lib.pagesizes import A4

    page_width, page_height = A4
    width = page_width - 2 * PAGE_MARGIN
    height = page_height - 2 * PAGE_MARGIN
    if columns == 1:
        return [(PAGE_MARGIN, PAGE_MARGIN, width, height)]
    column = (width - COLUMN_GAP) / 2
    return [(PAGE_MARGIN, PAGE_MARGIN, column, height),
            (PAGE_MARGIN + column + COLUMN_GAP, PAGE_MARGIN, column, height)]


def render_pdf(source: Source, target: Path) -> None:
    """Two passes: the first counts the pages so the footer can say "Page N of M"."""
    pages = _build_pdf(source, io.BytesIO(), total_pages=0)
    buffer = io.BytesIO()
    _build_pdf(source, buffer, total_pages=pages)
    target.write_bytes(buffer.getvalue())


def _build_pdf(source: Source, stream: io.BytesIO, total_pages: int) -> int:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    _register_pdf_fonts()
    layout = source.layout
    page_width, page_height = A4
    frames = [Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=f"col{i}")
              for i, (x, y, w, h) in enumerate(pdf_frame_boxes(layout["columns"]))]

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(PDF_FONTS["regular"][0], 8.5)
        if layout["header"]:
            canvas.drawString(
                PAGE_MARGIN, page_height - PAGE_MARGIN + 18, _fill_page(layout["header"], doc.page, total_pages)
            )
            canvas.setLineWidth(0.4)
            canvas.line(
                PAGE_MARGIN, page_height - PAGE_MARGIN + 12, page_width - PAGE_MARGIN, page_height - PAGE_MARGIN + 12
            )
        if layout["footer"]:
            canvas.drawCentredString(
                page_width / 2, PAGE_MARGIN - 28, _fill_page(layout["footer"], doc.page, total_pages)
            )
        canvas.restoreState()

    doc = BaseDocTemplate(
        stream, pagesize=A4, invariant=1, title=Path(source.file).stem, author=str(source.meta["province"]),
        creator="", producer="", subject="", leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN, bottomMargin=PAGE_MARGIN,
    )
    doc.addPageTemplates([PageTemplate(id="report", frames=frames, onPage=decorate)])
    doc.build(_pdf_flowables(source, frames[0].width))
    return doc.page


def _fill_page(template: str, page: int, pages: int) -> str:
    return template.replace("{page}", str(page)).replace("{pages}", str(pages or "?"))


def _pdf_flowables(source: Source, frame_width: float) -> list:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer, Table, TableStyle

    size = float(source.layout["font_size"])
    regular, bold = PDF_FONTS["regular"][0], PDF_FONTS["bold"][0]
    body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.3, alignment=TA_LEFT,
                          spaceAfter=size * 0.6, splitLongWords=0)
    item = ParagraphStyle(
        "item", parent=body, leftIndent=size * 2.2, firstLineIndent=-size * 1.2, spaceAfter=size * 0.3
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=size - 1.5, leading=(size - 1.5) * 1.25, spaceAfter=0)
    header_cell = ParagraphStyle("header_cell", parent=cell, fontName=bold)
    plain_heading = ParagraphStyle("plain_heading", parent=body)
    bold_heading = ParagraphStyle("bold_heading", parent=plain_heading, fontName=bold)
    headings = {
        "styles": {1: ParagraphStyle("h1", parent=bold_heading, fontSize=size + 4, leading=(size + 4) * 1.25,
                                     spaceBefore=size * 0.8, spaceAfter=size * 0.5),
                   2: ParagraphStyle("h2", parent=bold_heading, fontSize=size + 1.5, leading=(size + 1.5) * 1.25,
                                     spaceBefore=size * 0.5, spaceAfter=size * 0.4),
                   3: bold_heading},
        "bold": {1: bold_heading, 2: bold_heading, 3: bold_heading},
    }.get(source.layout["headings"], {1: plain_heading, 2: plain_heading, 3: plain_heading})

    flowables: list = []
    for block in source.blocks:
        if block.kind == "heading":
            style = headings[block.level]
            # Like Word's "keep with next", but only for the next few lines, so body text still breaks over pages.
            flowables += [CondPageBreak(style.spaceBefore + style.leading + 3 * body.leading),
                          Paragraph(_xml(block.text), style)]
        elif block.kind == "paragraph":
            flowables.append(Paragraph(_xml(block.text), body))
        elif block.kind == "list_item":
            flowables.append(Paragraph(_xml(f"{block.marker} {block.text}"), item))
        elif block.kind == "table":
            rows = [[Paragraph(_xml(text), header_cell if r == 0 else cell) for text in row]
                    for r, row in enumerate(block.rows)]
            table = Table(rows, colWidths=_column_widths(block.rows, cell, frame_width), repeatRows=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
            ]))
            flowables += [table, Spacer(1, size * 0.8)]
    return flowables


CELL_PADDING = 6.0  # reportlab's default left + right cell padding is 6 pt each


def _column_widths(rows: list[list[str]], style, total: float) -> list[float]:
    """Share the frame width between columns by content, never narrower than a column's longest word."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def width(text: str, bold: bool) -> float:
        return stringWidth(text, PDF_FONTS["bold" if bold else "regular"][0], style.fontSize) + 2 * CELL_PADDING

    columns = range(len(rows[0]))
    shortest = [max(width(word, r == 0) for r, row in enumerate(rows) for word in row[c].split() or [""])
                for c in columns]
    wanted = [max(width(row[c], r == 0) for r, row in enumerate(rows)) for c in columns]
    if sum(wanted) <= total:
        return [w * total / sum(wanted) for w in wanted]
    spare = total - sum(shortest)
    flexible = sum(w - s for w, s in zip(wanted, shortest)) or 1.0
    return [s + max(spare, 0.0) * (w - s) / flexible for w, s in zip(wanted, shortest)]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# DOCX ------------------------------------------------------------------------------------------------


def render_docx(source: Source, target: Path) -> None:
    import docx
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    layout = source.layout
    _add_page_fields(section.header.paragraphs[0], layout["header"])
    _add_page_fields(section.footer.paragraphs[0], layout["footer"])

    for block in source.blocks:
        if block.kind == "heading":
            _docx_heading(document, block, layout["headings"])
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "list_item":
            if layout["literal_bullets"]:
                paragraph = document.add_paragraph(f"{block.marker} {block.text}")
                paragraph.paragraph_format.left_indent = Pt(18)
            elif not block.marker.isascii():  # Word's List Number would renumber "១." or "(ក)" as "1."
                paragraph = document.add_paragraph(f"{block.marker} {block.text}")
                paragraph.paragraph_format.left_indent = Pt(18)
            else:
                numbered = block.marker[0].isalnum() and block.marker != "o"
                document.add_paragraph(block.text, style="List Number" if numbered else "List Bullet")
        elif block.kind == "table":
            table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, text in enumerate(row):
                    cell_paragraph = table.cell(r, c).paragraphs[0]
                    cell_paragraph.add_run(text).bold = r == 0 or None
            document.add_paragraph()
    if source.language == "km":
        _use_khmer_fonts(document)

    properties = document.core_properties
    properties.author = f"{source.meta['province']} administration"
    properties.last_modified_by = properties.author
    properties.title = Path(source.file).stem
    properties.created = properties.modified = FIXED_DATE.replace(tzinfo=None)
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    target.write_bytes(_stable_zip(buffer.getvalue()))


KHMER_FONTS = {"body": "Khmer OS Siemreap", "heading": "Khmer OS Muol Light"}
"""The fonts of Cambodian government documents (fonts-khmeros; LibreOffice falls back to another Khmer OS font
where "Muol Light" is missing). Word picks the complex-script font (``w:cs``) for Khmer characters."""
HEADING_STYLE_PREFIXES = ("Heading", "Title")


def _use_khmer_fonts(document) -> None:
    """Set the complex-script font and language on the document defaults and on every style that names fonts.

    The default template's theme attributes (``w:cstheme``) would override ``w:cs``, so they are removed.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def khmer_run_properties(rpr, font: str) -> None:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        fonts.attrib.pop(qn("w:cstheme"), None)
        fonts.set(qn("w:cs"), font)
        size = rpr.find(qn("w:sz"))
        if size is not None and rpr.find(qn("w:szCs")) is None:
            size_cs = OxmlElement("w:szCs")
            size_cs.set(qn("w:val"), size.get(qn("w:val")))
            size.addnext(size_cs)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:bidi"), "km-KH")

    default_rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    khmer_run_properties(default_rpr, KHMER_FONTS["body"])
    for style in document.styles:
        if style.type != 1 and style.type != 3:  # paragraph and table styles
            continue
        rpr = style.element.find(qn("w:rPr"))
        if rpr is None:
            continue
        heading = style.name.startswith(HEADING_STYLE_PREFIXES)
        khmer_run_properties(rpr, KHMER_FONTS["heading" if heading else "body"])


def _docx_heading(document, block: Block, style: str) -> None:
    if style == "styles":
        document.add_heading(block.text, level=block.level)
    elif style == "bold":
        document.add_paragraph().add_run(block.text).bold = True
    else:
        document.add_paragraph(block.text)


def _add_page_fields(paragraph, template: str) -> None:
    """Write ``template`` into ``paragraph`` with {page}/{pages} as Word PAGE/NUMPAGES fields."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece in ("{page}", "{pages}"):
            field_element = OxmlElement("w:fldSimple")
            field_element.set(qn("w:instr"), "PAGE" if piece == "{page}" else "NUMPAGES")
            run = OxmlElement("w:r")
            text = OxmlElement("w:t")
            text.text = "1"
            run.append(text)
            field_element.append(run)
            paragraph._p.append(field_element)
        elif piece:
            paragraph.add_run(piece)


def _stable_zip(data: bytes) -> bytes:
    """Re-pack a zip with fixed entry timestamps (python-docx stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# TXT / MD --------------------------------------------------------------------------------------------


def render_text(source: Source, target: Path) -> None:
    markdown = source.format == "md"
    wrap = _wrap if source.language == "en" else _wrap_khmer
    chunks: list[str] = []
    for block in source.blocks:
        if block.kind == "heading":
            chunks.append(f"{'#' * block.level} {block.text}" if markdown else block.text)
        elif block.kind == "paragraph":
            chunks.append(block.text if markdown else wrap(block.text))
        elif block.kind == "list_item":
            line = f"{block.marker} {block.text}"
            chunks.append(line if markdown else wrap(line, indent=" " * (display_width(block.marker) + 1)))
        elif block.kind == "table":
            chunks.append(_pipe_table(block.rows, markdown))
    # List items stay in one run; everything else is separated by a blank line.
    text = ""
    previous = None
    for block, chunk in zip(source.blocks, chunks):
        if previous is not None:
            text += "\n" if block.kind == previous == "list_item" else "\n\n"
        text += chunk
        previous = block.kind
    target.write_bytes((text + "\n").encode(source.layout["encoding"]))


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, width=TXT_WIDTH, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced view: Khmer vowel signs, diacritics and a coeng with its subscript
    consonant sit on or under the base letter, so they take none. Equals ``len`` for text without marks."""
    width, subscript = 0, False
    for char in text:
        if subscript:  # the consonant after a coeng is written under the previous letter
            subscript = False
            continue
        if char == COENG:
            subscript = True
        elif unicodedata.category(char) not in ("Mn", "Mc", "Me", "Cf"):
            width += 1
    return width


COENG = "\u17d2"


def _wrap_khmer(text: str, indent: str = "") -> str:
    """Greedy wrap at spaces only, measuring :func:`display_width`: Khmer writes words without spaces between them,
    so a space is the one place a line may break without cutting a word or a cluster. A phrase longer than the
    line stays whole."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        prefix = indent if lines else ""
        if line and display_width(prefix + candidate) > TXT_WIDTH:
            lines.append(prefix + line)
            line = word
        else:
            line = candidate
    lines.append((indent if lines else "") + line)
    return "\n".join(lines)


def _pipe_table(rows: list[list[str]], markdown: bool) -> str:
    widths = [max(display_width(row[c]) for row in rows if c < len(row)) for c in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell + " " * (widths[c] - display_width(cell)) for c, cell in enumerate(row)) + " |"
             for row in rows]
    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    if markdown or len(rows) > 1:
        lines.insert(1, separator)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- gold


def gold_records(sources: list[Source]) -> dict[str, list[dict]]:
    """The three gold tables, ordered by document and then by position in the document."""
    documents, statements, quantities = [], [], []
    for source in sorted(sources, key=lambda s: s.file):
        meta = source.meta
        documents.append({
            "document": source.file, "province_code": meta["province_code"], "province": meta["province"],
            "report_year": meta["report_year"], "level": meta["level"], "split": meta["split"],
            "genre": meta["genre"], "format": source.format, "language": source.language,
            "scanned": source.layout["scanned"],
        })
        for statement in source.statements:
            statements.append({"document": source.file, "label": statement.label, "text": statement.text})
            for quantity in statement.quantities:
                quantities.append({"document": source.file, "statement": statement.text, "text": quantity.text,
                                   "value": quantity.value, "unit": quantity.unit, "role": quantity.role})
    return {"documents": documents, "statements": statements, "quantities": quantities}


def write_gold(sources: list[Source], gold_dir: Path) -> None:
    gold_dir.mkdir(parents=True, exist_ok=True)
    for name, records in gold_records(sources).items():
        lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        (gold_dir / f"{name}.jsonl").write_text(lines, encoding="utf-8")


def gold_dir_of(language: str) -> Path:
    return OUTPUT_DIRS[language] / "gold"


# --------------------------------------------------------------------------------------------- driver


def load_sources(source_dir: Path, only: str | None = None) -> list[Source]:
    """Parse every source (or just ``only``); raise :class:`SourceError` with all problems of all files."""
    paths = sorted(source_dir.glob("*.md"))
    if only:
        paths = [p for p in paths if only in (p.name, p.stem)] or [
            p for p in paths if _declared_file(p) == only]
        if not paths:
            raise SourceError([f"no source named '{only}' in {source_dir}"])
    sources, errors = [], []
    for path in paths:
        try:
            sources.append(parse_source(path))
        except SourceError as exc:
            errors.extend(exc.messages)
    seen: dict[str, str] = {}
    for source in sources:
        if source.file in seen:
            errors.append(f"{source.path.name}:1: output file '{source.file}' is also produced by {seen[source.file]}")
        seen[source.file] = source.path.name
    if errors:
        raise SourceError(errors)
    return sources


def _declared_file(path: Path) -> str | None:
    match = re.search(r"^file:\s*(\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None


def stale_reports(out_dir: Path, sources: list[Source]) -> list[str]:
    """Report-like files no source produces (e.g. left behind by a renamed source): the pipeline would ingest them."""
    produced = {source.file for source in sources}
    return sorted(p.name for p in out_dir.iterdir() if p.is_file() and p.suffix.lstrip(".").lower() in FORMATS
                  and p.name != "README.md" and p.name not in produced)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="NAME", help="render only this source (file stem or output file name)")
    parser.add_argument("--check", action="store_true", help="validate the sources without writing anything")
    args = parser.parse_args(argv)
    try:
        sources = load_sources(SOURCE_DIR, args.only)
    except SourceError as exc:
        print("\n".join(exc.messages), file=sys.stderr)
        print(f"{len(exc.messages)} problem(s); nothing written.", file=sys.stderr)
        return 1
    for source in sources:
        for warning in source.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    if not args.check:
        for source in sources:
            if source.made_by_libreoffice:
                if not (source.out_dir / source.file).is_file():
                    print(f"warning: {source.file} is missing: run sample_reports/build_khmer_pdfs.py", file=sys.stderr)
                continue
            source.out_dir.mkdir(exist_ok=True)
            render(source, source.out_dir)
        if not args.only:
            for language, out_dir in OUTPUT_DIRS.items():
                in_language = [source for source in sources if source.language == language]
                write_gold(in_language, gold_dir_of(language))
                for name in stale_reports(out_dir, in_language):
                    print(f"warning: {out_dir.relative_to(HERE.parent)}/{name} is not produced by any source; "
                          "delete it if it is a leftover", file=sys.stderr)
    _print_summary(sources, written=not args.check)
    return 0


def _print_summary(sources: list[Source], written: bool) -> None:
    statements = [s for source in sources for s in source.statements]
    by_label = {label: sum(s.label == label for s in statements) for label in LABELS.values()}
    quantities = sum(len(s.quantities) for s in statements)
    verb = "rendered" if written else "checked"
    print(f"{verb} {len(sources)} report(s): {len(statements)} statements "
          f"({', '.join(f'{n} {label}' for label, n in by_label.items())}), {quantities} quantities")


if __name__ == "__main__":
    sys.exit(main())
