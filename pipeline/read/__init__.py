"""Stage 1 — read: one ``partition_<format>`` function per format, all returning a :class:`Document`.

``read_document`` picks the reader from the file's extension, checks the bytes look like that format,
and turns every failure into a :class:`ReadError` with a one-line message a person can act on.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.document import Document
from pipeline.errors import ReadError
from pipeline.vocabulary import DocumentStatus

SUPPORTED_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "md", ".markdown": "md"}


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
