"""Small PDFs drawn with reportlab for the PDF reader's tests, each with exactly the layout under test."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Table, TableStyle

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 72
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BODY_FONT, BODY_SIZE, LEADING = "Helvetica", 11, 14
PARAGRAPH_SPACE = 8


class ReportPdf:
    """Lays out headings, paragraphs, list items and ruled tables down the page, page after page, with a running
    header and footer (drawn at ``save``, once the page count is known to fill in ``{page}`` and ``{pages}``)."""

    def __init__(self, header: str, footer: str = "Page {page} of {pages}"):
        self.header = header
        self.footer = footer
        self.pages: list[list[tuple]] = [[]]
        self.y = PAGE_HEIGHT - MARGIN

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_HEIGHT - MARGIN

    def heading(self, text: str, size: float = 14) -> None:
        self.y -= 6
        self._line(text, MARGIN, "Helvetica-Bold", size, size * 1.3)
        self.y -= 4

    def paragraph(self, text: str, font: str = BODY_FONT) -> None:
        for line in simpleSplit(text, font, BODY_SIZE, TEXT_WIDTH):
            self._line(line, MARGIN, font, BODY_SIZE, LEADING)
        self.y -= PARAGRAPH_SPACE

    def list_item(self, marker: str, text: str) -> None:
        indent = 18
        for number, line in enumerate(simpleSplit(text, BODY_FONT, BODY_SIZE, TEXT_WIDTH - indent)):
            self._line(line, MARGIN + indent, BODY_FONT, BODY_SIZE, LEADING)
            if number == 0:
                self.pages[-1].append(("text", MARGIN, self.y, BODY_FONT, BODY_SIZE, marker))
        self.y -= 3

    def leave_lines(self, count: int) -> None:
        """Skip down so that only ``count`` body lines still fit on this page."""
        self.y = MARGIN + count * LEADING + 1

    def table(self, rows: list[list[str]]) -> None:
        table = Table(rows, style=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                              ("FONT", (0, 0), (-1, -1), BODY_FONT, 10)]))
        _, height = table.wrap(TEXT_WIDTH, PAGE_HEIGHT)
        if self.y - height < MARGIN:
            self.new_page()
        self.y -= height
        self.pages[-1].append(("table", table, MARGIN, self.y))
        self.y -= PARAGRAPH_SPACE

    def save(self, path: Path) -> Path:
        canvas = Canvas(str(path), pagesize=A4)
        for number, drawings in enumerate(self.pages, start=1):
            canvas.setFont(BODY_FONT, 9)
            canvas.drawString(MARGIN, PAGE_HEIGHT - 40, self.header)
            canvas.drawCentredString(PAGE_WIDTH / 2, 30, self.footer.format(page=number, pages=len(self.pages)))
            for kind, *args in drawings:
                if kind == "text":
                    x, y, font, size, text = args
                    canvas.setFont(font, size)
                    canvas.drawString(x, y, text)
                else:
                    table, x, y = args
                    table.drawOn(canvas, x, y)
            canvas.showPage()
        canvas.save()
        return path

    def _line(self, text: str, x: float, font: str, size: float, leading: float) -> None:
        if self.y - leading < MARGIN:
            self.new_page()
        self.y -= leading
        self.pages[-1].append(("text", x, self.y, font, size, text))


def two_column_pdf(path: Path, title: str, intro: str, left: list[str], right: list[str], closing: str) -> Path:
    """One page: a full-width title and intro, two columns of paragraphs with level baselines, a full-width closing."""
    canvas = Canvas(str(path), pagesize=A4)
    gutter = 18
    column_width = (TEXT_WIDTH - gutter) / 2
    y = PAGE_HEIGHT - MARGIN - 20
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(MARGIN, y, title)
    y = _draw_paragraph(canvas, intro, MARGIN, y - 28, TEXT_WIDTH)
    column_bottoms = [
        _draw_paragraphs(canvas, paragraphs, MARGIN + index * (column_width + gutter), y - 10, column_width)
        for index, paragraphs in enumerate((left, right))
    ]
    _draw_paragraph(canvas, closing, MARGIN, min(column_bottoms) - 10, TEXT_WIDTH)
    canvas.save()
    return path


def _draw_paragraphs(canvas: Canvas, paragraphs: list[str], x: float, y: float, width: float) -> float:
    for paragraph in paragraphs:
        y = _draw_paragraph(canvas, paragraph, x, y, width) - PARAGRAPH_SPACE
    return y


def _draw_paragraph(canvas: Canvas, text: str, x: float, y: float, width: float) -> float:
    """Draw ``text`` wrapped to ``width`` with its first baseline one line below ``y``; return the last baseline."""
    canvas.setFont(BODY_FONT, BODY_SIZE)
    for line in simpleSplit(text, BODY_FONT, BODY_SIZE, width):
        y -= LEADING
        canvas.drawString(x, y, line)
    return y


def flowing_columns_pdf(path: Path, header: str, paragraphs: list[str]) -> Path:
    """Justified paragraphs flowing through pages of two columns (reportlab platypus, as a report builder would lay
    them out), under a running header and above a page-number footer."""
    style = ParagraphStyle("body", fontName=BODY_FONT, fontSize=BODY_SIZE, leading=LEADING, alignment=TA_JUSTIFY,
                           spaceAfter=PARAGRAPH_SPACE)
    document = BaseDocTemplate(str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN)
    gutter = 18
    width = (document.width - gutter) / 2
    frames = [
        Frame(document.leftMargin + index * (width + gutter), document.bottomMargin, width, document.height)
        for index in range(2)
    ]

    def running_header_and_footer(canvas: Canvas, _document: BaseDocTemplate) -> None:
        canvas.setFont(BODY_FONT, 9)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 40, header)
        canvas.drawCentredString(PAGE_WIDTH / 2, 30, f"- {canvas.getPageNumber()} -")

    document.addPageTemplates([PageTemplate(frames=frames, onPage=running_header_and_footer)])
    document.build([Paragraph(text, style) for text in paragraphs])
    return path
