"""Make the Khmer corpus's PDFs: LibreOffice converts each Khmer PDF source's DOCX rendering, and sources with
``layout.scanned: true`` are then printed, "scanned" and saved as image-only PDFs.

reportlab (which ``build.py`` uses for the English PDFs) cannot shape Khmer -- vowel signs and subscript
consonants come out in the wrong place -- so Khmer PDFs come from the same engine a Cambodian office would use:
a word processor exporting its DOCX. Needs ``libreoffice`` (with ``fonts-khmeros``) and ``pdftoppm`` (poppler),
which is why this is a separate script; the outputs are committed, and ``build.py`` writes their gold.

The output is reproducible: LibreOffice's creation date and document ID are replaced by fixed values of the same
length, and the scan noise and rotation come from a seed derived from the file name.

Usage::

    python sample_reports/build_khmer_pdfs.py              # every Khmer PDF source
    python sample_reports/build_khmer_pdfs.py --only NAME  # one source (stem or output file name)
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

SCAN_DPI = 200
"""A common office-scanner setting."""
SCAN_JPEG_QUALITY = 25
"""Grey JPEG at this quality keeps an A4 page of Khmer text near 150 KB (measured), so a two-page scan stays under
the corpus's 300 KB a file; the text stays sharp enough to read."""
MAX_ROTATION_DEGREES = 1.2
"""A page fed slightly askew: enough for OCR to need deskewing, little enough for a person not to mind."""
INK_NOISE_SIGMA = 3.0
"""Grey-level standard deviation (0-255) of the sensor noise on ink; per-pixel noise on the blank paper would
cost JPEG more bytes than the text itself, so the paper gets a blotchy tone in 16-pixel blocks instead."""
PAPER_TONE, PAPER_TONE_SIGMA = 236.0, 2.0
SPECK_RATE = 0.0001
"""Share of pixels turned into dark dust specks."""
FIXED_PDF_DATE = b"D:20210115080000Z'"
"""Same length as LibreOffice's ``D:YYYYMMDDhhmmssZ'`` so byte offsets in the PDF's cross-reference stay valid."""


def _load_build():
    spec = importlib.util.spec_from_file_location("corpus_build", HERE / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_build"] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


build = _load_build()


def convert_with_libreoffice(docx: Path, out_dir: Path, profile: Path) -> Path:
    """DOCX -> PDF with a private LibreOffice profile (so a running LibreOffice or another build cannot interfere)."""
    command = ["libreoffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(out_dir), str(docx)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    pdf = out_dir / f"{docx.stem}.pdf"
    if done.returncode != 0 or not pdf.is_file():
        raise RuntimeError(f"LibreOffice could not convert {docx.name}: {done.stderr.strip() or done.stdout.strip()}")
    return pdf


def stable_pdf(data: bytes) -> bytes:
    """Replace LibreOffice's creation date, document ID and checksum with values that depend on the content only."""
    data = re.sub(rb"/CreationDate\(D:\d{14}Z'\)", b"/CreationDate(" + FIXED_PDF_DATE + b")", data)
    hex_fields = re.compile(rb"(/ID \[ <)[0-9A-F]{32}(>\s*<)[0-9A-F]{32}(> \])|(/DocChecksum /)[0-9A-F]{32}")
    blank = hex_fields.sub(lambda m: re.sub(rb"[0-9A-F]{32}", b"0" * 32, m.group(0)), data)
    digest = hashlib.md5(blank).hexdigest().upper().encode()

    def fill(match: re.Match) -> bytes:
        if match.group(4):
            return match.group(4) + digest
        return match.group(1) + digest + match.group(2) + digest + match.group(3)

    return hex_fields.sub(fill, data)


def scan(pdf: Path, seed: int, work_dir: Path) -> bytes:
    """Rasterise ``pdf`` and make it look scanned: grey, slightly rotated, noisy, JPEG-compressed, image-only."""
    import numpy as np
    from PIL import Image

    prefix = work_dir / "page"
    subprocess.run(["pdftoppm", "-r", str(SCAN_DPI), "-gray", "-png", str(pdf), str(prefix)], check=True,
                   capture_output=True, timeout=300)
    random = np.random.default_rng(seed)
    pages = []
    for path in sorted(work_dir.glob("page-*.png")):
        image = Image.open(path).convert("L")
        angle = float(random.uniform(-MAX_ROTATION_DEGREES, MAX_ROTATION_DEGREES))
        pixels = np.asarray(image.rotate(angle, resample=Image.BICUBIC, fillcolor=255), dtype=np.float32)
        height, width = pixels.shape
        blocks = random.normal(PAPER_TONE, PAPER_TONE_SIGMA, (height // 16 + 1, width // 16 + 1)).round()
        paper = blocks.repeat(16, axis=0).repeat(16, axis=1)[:height, :width]
        scanned = np.where(pixels > 240, paper, pixels * 0.92 + random.normal(0.0, INK_NOISE_SIGMA, pixels.shape))
        scanned[random.random(pixels.shape) < SPECK_RATE] = 60
        jpeg = io.BytesIO()
        Image.fromarray(np.clip(scanned, 0, 255).astype(np.uint8), mode="L").save(jpeg, format="JPEG",
                                                                                  quality=SCAN_JPEG_QUALITY)
        pages.append(Image.open(io.BytesIO(jpeg.getvalue())))
    out = io.BytesIO()
    fixed_date = build.FIXED_DATE.timetuple()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=SCAN_DPI,
                  quality=SCAN_JPEG_QUALITY, title=pdf.stem, creationDate=fixed_date, modDate=fixed_date)
    return out.getvalue()


def make_pdf(source, out_dir: Path, work_dir: Path) -> Path:
    docx_source = build.Source(source.path, {**source.meta, "file": Path(source.file).stem + ".docx"},
                               source.layout, source.blocks, source.statements)
    docx = work_dir / docx_source.file
    build.render_docx(docx_source, docx)
    pdf = convert_with_libreoffice(docx, work_dir, work_dir / "profile")
    if source.layout["scanned"]:
        seed = int.from_bytes(hashlib.sha256(source.file.encode()).digest()[:4], "big")
        page_dir = work_dir / "pages"
        page_dir.mkdir()
        data = scan(pdf, seed, page_dir)
    else:
        data = stable_pdf(pdf.read_bytes())
    target = out_dir / source.file
    target.write_bytes(data)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="NAME", help="make only this source's PDF (file stem or output file name)")
    args = parser.parse_args(argv)
    for tool in ("libreoffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed; it is needed to make the Khmer PDFs", file=sys.stderr)
            return 1
    try:
        sources = [s for s in build.load_sources(build.SOURCE_DIR, args.only) if s.made_by_libreoffice]
    except build.SourceError as exc:
        print("\n".join(exc.messages), file=sys.stderr)
        return 1
    for source in sources:
        with tempfile.TemporaryDirectory(prefix="khmer_pdf_") as work:
            source.out_dir.mkdir(exist_ok=True)
            target = make_pdf(source, source.out_dir, Path(work))
        kind = "scanned" if source.layout["scanned"] else "text"
        print(f"{target.relative_to(HERE.parent)}: {kind} PDF, {target.stat().st_size // 1024} KB")
    print(f"made {len(sources)} Khmer PDF(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
