"""Stage 1 — read: one ``partition_<format>`` function per format, all returning a :class:`Document`.

``read_document`` picks the reader from the file's extension, checks the bytes look like that format,
and turns every failure into a :class:`ReadError` with a one-line message a person can act on.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.document import Document
from pipeline.errors import ReadError
from pipeline.vocabulary import DocumentStatus

SUPPORTED_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "md", ".markdown": "md"}
SIGNATURES = [  # (first bytes, format workreview reads or None, what the file is)
    (b"%PDF-", "pdf", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole", "an old Word or Excel file (.doc/.xls) or a protected Office file"),
    (b"\x89PNG\r\n\x1a\n", None, "a PNG image"),
    (b"\xff\xd8\xff", None, "a JPEG image"),
    (b"GIF87a", None, "a GIF image"),
    (b"GIF89a", None, "a GIF image"),
    (b"II*\x00", None, "a TIFF image"),
    (b"MM\x00*", None, "a TIFF image"),
    (b"{\\rtf", None, "an RTF document"),
    (b"Rar!\x1a\x07", None, "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", None, "a 7-Zip archive"),
    (b"\x1f\x8b", None, "a gzip archive"),
]
ZIP_CONTENTS = [  # (a part only that kind of package has, format, what the file is)
    ("word/document.xml", "docx", "a Word document (.docx)"),
    ("xl/workbook.xml", None, "an Excel workbook (.xlsx)"),
    ("ppt/presentation.xml", None, "a PowerPoint presentation (.pptx)"),
    ("content.xml", None, "an OpenDocument file (.odt/.ods)"),
]
SUFFIX_OF = {"pdf": ".pdf", "docx": ".docx"}


def sniff(path: Path) -> tuple[str | None, str] | None:
    """What the file's first bytes say it is: ``(format workreview reads or None, description)``; ``None`` when
    they match no known binary format (text, or damaged bytes the format's reader will explain)."""
    try:
        with path.open("rb") as file:
            start = file.read(16)
    except OSError:
        return None
    if start.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        return next(((fmt, what) for part, fmt, what in ZIP_CONTENTS if part in names), (None, "a zip archive"))
    return next(((fmt, what) for magic, fmt, what in SIGNATURES if start.startswith(magic)), None)


def check_label(path: Path, fmt: str) -> None:
    """Refuse a file whose bytes are another format than its extension says, naming what it really is."""
    found = sniff(path)
    if found is None or found[0] == fmt or found[0] == "ole" and fmt == "docx":  # the Word reader explains .doc
        return
    real_format, what = found
    named = path.suffix.lower()
    if real_format in SUFFIX_OF:
        raise ReadError(f"this is {what} named {named}: rename it to {SUFFIX_OF[real_format]}")
    raise ReadError(f"this is {what} named {named}, not a report workreview can read", DocumentStatus.UNSUPPORTED)


def detect_format(path: Path) -> str | None:
    return SUPPORTED_SUFFIXES.get(path.suffix.lower())


def read_document(path: Path, source_file: str) -> Document:
    """Read ``path`` into a document named ``source_file``; raise ``ReadError`` if it cannot be read."""
    fmt = detect_format(path)
    if fmt is None:
        raise ReadError(f"unsupported file type '{path.suffix or '(none)'}'", DocumentStatus.UNSUPPORTED)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"cannot open file: {exc.strerror or exc}") from exc
    if size == 0:
        raise ReadError("file is empty (0 bytes)")
    check_label(path, fmt)
    if fmt == "pdf":
        from pipeline.read.pdf import partition_pdf

        document = partition_pdf(path)
    elif fmt == "docx":
        from pipeline.read.docx import partition_docx

        document = partition_docx(path)
    else:
        from pipeline.read.text import partition_text

        document = partition_text(path, markdown=fmt == "md")
    document.source_file = source_file
    return document
