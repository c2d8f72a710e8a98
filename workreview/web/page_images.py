"""The source PDF page as an image, so the reviewer sees exactly what the ministry received.

pdfium is not thread-safe and the app serves requests from a thread pool, so rendering happens under one
process-wide lock; each page is rendered once and cached on disk under ``OUT/.page_cache/``. Under the same lock
the image is written to a temporary file of its own and renamed into place, its size file first, so simultaneous
first views all get the one complete image. A page is drawn at most ``MAX_SIDE_PX`` pixels on its longer side
(a PDF page may be 200 inches wide), which bounds the memory and time one view can take.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from pipeline.process import file_digest

CACHE_DIR = ".page_cache"
SCALE = 1.5
"""Pixels per PDF point (108 dpi): sharp enough to read body text."""
MAX_SIDE_PX = 3000
"""Longest side of a rendered page; larger pages are drawn at a smaller scale (A4 at ``SCALE`` is 893 × 1263)."""

_pdfium_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class PageImage:
    path: Path
    width: float
    """Page size in PDF points: the statement's box is positioned as a fraction of it."""
    height: float


def page_image(out_dir: Path, pdf_path: Path, document_id: str, page: int) -> PageImage | None:
    """The cached PNG of ``page`` (1-based), rendering it first if needed.

    ``None`` when the file is gone or its bytes changed since it was read (``document_id`` is their sha256):
    showing another version of the page would mislead the reviewer.
    """
    cache = out_dir / CACHE_DIR
    png, sizes = cache / f"{document_id}-{page}.png", cache / f"{document_id}-{page}.json"
    if png.is_file() and sizes.is_file():
        return PageImage(png, **json.loads(sizes.read_text(encoding="utf-8")))
    try:
        if file_digest(pdf_path) != document_id:
            return None
    except OSError:
        return None
    cache.mkdir(parents=True, exist_ok=True)
    with _pdfium_lock:
        if png.is_file() and sizes.is_file():  # drawn by another request while this one waited
            return PageImage(png, **json.loads(sizes.read_text(encoding="utf-8")))
        try:
            pdf = pdfium.PdfDocument(str(pdf_path))
        except pdfium.PdfiumError:
            return None
        try:
            if not 1 <= page <= len(pdf):
                return None
            pdf_page = pdf[page - 1]
            width, height = pdf_page.get_size()
            scale = min(SCALE, MAX_SIDE_PX / max(width, height, 1))
            image = pdf_page.render(scale=scale).to_pil()
            pdf_page.close()
        finally:
            pdf.close()
        _write_atomically(sizes, json.dumps({"width": width, "height": height}).encode())
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        _write_atomically(png, buffer.getvalue())
    return PageImage(png, width, height)


def _write_atomically(target: Path, data: bytes) -> None:
    """``target`` appears whole or not at all: written under a name no other render uses, then renamed."""
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def box_percentages(image: PageImage, x0: float, top: float, x1: float, bottom: float) -> dict[str, float]:
    """The statement's box as percentages of the page, for a box laid over the scaled image."""
    return {
        "left": 100 * x0 / image.width,
        "top": 100 * top / image.height,
        "width": 100 * (x1 - x0) / image.width,
        "height": 100 * (bottom - top) / image.height,
    }
