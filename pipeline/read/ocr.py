"""OCR for PDF pages without a usable text layer: Tesseract (``khm+eng``) on the page rendered by pdfium.

A page goes through OCR when it has no text but images (a scan), or when its text layer is garbage (mostly glyphs
its fonts map to no character). Tesseract returns words with boxes and confidences (its TSV output); they become
:class:`Word` objects like any source's, so the same layout steps read the page. Line heights stand in for font
sizes: a line within ``SAME_SIZE_BAND`` of the page's median is body text (OCR'd glyph boxes vary with ascenders
and descenders, which would otherwise split paragraphs), a taller one keeps its height and may be a heading.

Results are cached per page, keyed by the file's content hash and every OCR setting (languages, page
segmentation, resolution, Tesseract's version), under ``$WORKREVIEW_OCR_CACHE`` (default
``$XDG_CACHE_HOME/workreview/ocr``): a run that timed out part-way, or a re-read with a new model, OCRs no page
twice. Tesseract runs with ``OMP_THREAD_LIMIT=1`` (four times faster on a shared machine than with its default
threads) and dies with the reader process if that is killed at the document's time limit.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import signal
import subprocess
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from statistics import mean, median

from pipeline.inbox import file_digest
from pipeline.read.pdf_page import PageContent, Word, upright_frame

LANGUAGES = "khm+eng"
PAGE_SEGMENTATION = 4
"""Tesseract's ``--psm 4`` (one column of text of varying sizes). On generated scans (``benchmarks/ocr.py``) it read
Khmer at 1.1 % character errors against 2.3 % for the default automatic layout (``3``), and English equally well
(0.23 %) at 300 dpi."""
DPI = 300
"""Rendering resolution: Tesseract is trained on text about 20-30 pixels high, i.e. 10-12 pt body text at 300 dpi."""
SAME_SIZE_BAND = (0.7, 1.35)
"""A line whose height is within these multiples of the page's median line height is body text."""
PACKAGES = "tesseract-ocr tesseract-ocr-khm"
"""The Debian packages that provide OCR (``tesseract-ocr-eng`` comes with ``tesseract-ocr``)."""
CACHE_ENV = "WORKREVIEW_OCR_CACHE"


@dataclass(frozen=True, slots=True)
class OcrSettings:
    languages: str = LANGUAGES
    page_segmentation: int = PAGE_SEGMENTATION
    dpi: int = DPI

    def key(self) -> str:
        return hashlib.sha256(json.dumps([asdict(self), _tesseract_version()]).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class OcrPage:
    content: PageContent
    confidence: float | None
    """Tesseract's mean word confidence on the page, in [0, 1]; ``None`` when it found no word."""


@cache
def unavailable_reason(languages: str = LANGUAGES) -> str | None:
    """Why OCR cannot run here (naming the packages to install), or ``None`` when it can."""
    if shutil.which("tesseract") is None:
        return f"OCR needs Tesseract: install the Debian packages {PACKAGES}"
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return f"Tesseract does not run: reinstall the Debian packages {PACKAGES}"
    missing = [language for language in languages.split("+") if language not in listed.split()]
    if missing:
        packages = " ".join(f"tesseract-ocr-{language}" for language in missing)
        return f"OCR needs Tesseract's {'+'.join(missing)} model: install the Debian packages {packages}"
    return None


def ocr_pages(path: Path, numbers: list[int], settings: OcrSettings = OcrSettings()) -> dict[int, OcrPage]:
    """OCR the pages ``numbers`` (1-based) of the PDF at ``path``, from the cache where it has them."""
    import pypdfium2

    cache_dir = _cache_dir()
    prefix = f"{file_digest(path)}-{settings.key()}"
    pages: dict[int, OcrPage] = {}
    pdf = None
    try:
        for number in numbers:
            cached = cache_dir / f"{prefix}-p{number}.json"
            try:
                tsv, width, height = json.loads(cached.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pdf = pdf or pypdfium2.PdfDocument(path)
                tsv, width, height = _recognise(pdf[number - 1], settings)
                _write_atomically(cached, json.dumps([tsv, width, height]))
            pages[number] = _page_from_tsv(number, tsv, width, height, settings.dpi)
    finally:
        if pdf is not None:
            pdf.close()
    return pages


def _recognise(page, settings: OcrSettings) -> tuple[str, float, float]:
    """Tesseract's TSV for the page rendered at ``settings.dpi``, and the page's size in points."""
    width, height = page.get_size()
    image = page.render(scale=settings.dpi / 72, grayscale=True).to_pil()
    page.close()
    return recognise_image(image, settings), width, height


def recognise_image(image, settings: OcrSettings = OcrSettings()) -> str:
    """Tesseract's TSV output (one row per block, paragraph, line and word) for a PIL image."""
    from io import BytesIO

    png = BytesIO()
    image.save(png, format="PNG")
    command = [
        "tesseract", "stdin", "stdout", "-l", settings.languages, "--psm", str(settings.page_segmentation),
        "--dpi", str(settings.dpi), "tsv",
    ]
    result = subprocess.run(
        command, input=png.getvalue(), capture_output=True, check=False,
        env=dict(os.environ, OMP_THREAD_LIMIT="1"), preexec_fn=_die_with_parent,
    )
    if result.returncode != 0:
        raise RuntimeError(f"tesseract failed: {result.stderr.decode(errors='replace').strip()[:200]}")
    return result.stdout.decode("utf-8", errors="replace")


def _page_from_tsv(number: int, tsv: str, width: float, height: float, dpi: int) -> OcrPage:
    points = 72 / dpi
    lines: dict[tuple[str, str, str], list[tuple[str, float, float]]] = {}
    line_boxes: dict[tuple[str, str, str], tuple[float, float]] = {}
    confidences = []
    for row in tsv.splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) != 12:
            continue
        level, _, block, paragraph, line, _, left_px, top_px, width_px, height_px, confidence, text = fields
        key = (block, paragraph, line)
        if level == "4":
            line_boxes[key] = (float(top_px) * points, (float(top_px) + float(height_px)) * points)
        elif level == "5" and text.strip():
            left = float(left_px) * points
            lines.setdefault(key, []).append((text.strip(), left, left + float(width_px) * points))
            if float(confidence) >= 0:
                confidences.append(float(confidence) / 100)
    heights = [bottom - top for key, (top, bottom) in line_boxes.items() if key in lines]
    typical = median(heights) if heights else 0.0
    words = []
    for key, line_words in lines.items():
        top, bottom = line_boxes[key]
        size = bottom - top
        if SAME_SIZE_BAND[0] * typical <= size <= SAME_SIZE_BAND[1] * typical:
            size = typical
        for text, x0, x1 in line_words:
            words.append(Word(text, x0, top, x1, bottom, round(size, 1), False))
    content = PageContent(number, upright_frame(width, height), words)
    return OcrPage(content, round(mean(confidences), 3) if confidences else None)


def _die_with_parent() -> None:
    """Linux: have the kernel kill Tesseract when the reader process that started it dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@cache
def _tesseract_version() -> str:
    try:
        return subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    except OSError:
        return ""


def _cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    base = Path(configured) if configured else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    directory = base if configured else base / "workreview" / "ocr"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
