"""Scanned-looking PDF pages made here: text rendered with Pillow (Khmer shaped by libraqm, Khmer OS font from
Debian's fonts-khmeros), turned 1°, speckled and saved as a JPEG inside a PDF, as a photocopier would."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

KHMER_FONT = Path("/usr/share/fonts/truetype/khmeros/KhmerOS.ttf")
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
A4_INCHES = (8.27, 11.69)


def scanned_page(lines: list[tuple[str, float]], font: Path, dpi: int = 300, seed: int = 0) -> Image.Image:
    """One A4 page of ``lines`` (text, size in points), 1 inch margins, turned 1°, speckled and JPEG-compressed."""
    rng = random.Random(seed)
    width, height = (round(side * dpi) for side in A4_INCHES)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    y = dpi
    for text, size in lines:
        face = ImageFont.truetype(str(font), round(size * dpi / 72), layout_engine=ImageFont.Layout.RAQM)
        draw.text((dpi, y), text, font=face, fill=rng.randint(0, 40))
        y += round(size * 2.0 * dpi / 72)
    page = page.rotate(1, resample=Image.Resampling.BICUBIC, fillcolor=255)
    pixels = page.load()
    for _ in range(width * height // 400):  # speckle: dust and toner
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = rng.choice((0, 90, 200))
    jpeg = io.BytesIO()
    page.save(jpeg, format="JPEG", quality=60)
    return Image.open(io.BytesIO(jpeg.getvalue()))


def scanned_pdf(path: Path, pages: list[Image.Image], dpi: int = 300) -> Path:
    pages[0].save(path, format="PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return path


def character_error_rate(expected: str, found: str) -> float:
    """Levenshtein distance over the expected text's length."""
    previous = list(range(len(found) + 1))
    for i, wanted in enumerate(expected, start=1):
        current = [i]
        for j, got in enumerate(found, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (wanted != got)))
        previous = current
    return previous[-1] / max(1, len(expected))
