"""Grow the sample corpus to any size with copies whose bytes differ but whose text does not.

Each copy of a report gets a different content hash (so the pipeline treats it as a new document, as it would
a real submission) while reading to exactly the same text (so every copy costs the same to process):

- PDF: a comment line after ``%%EOF`` (readers find the trailer from the end and skip it);
- DOCX: a zip archive comment (outside every part Word or python-docx reads);
- TXT/MD: a trailing line of spaces, encoded like the rest of the file (a blank line, which no reader keeps).
"""

from __future__ import annotations

import codecs
import shutil
import zipfile
from pathlib import Path

from pipeline import inbox

_UNICODE_MARKS = [  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def report_files(corpus: Path) -> list[inbox.InboxFile]:
    """The files a run would read (the corpus's ``.workreviewignore`` leaves out sources, gold and tooling)."""
    return inbox.discover(corpus)


def _text_encoding(data: bytes) -> str:
    for mark, encoding in _UNICODE_MARKS:
        if data.startswith(mark):
            return encoding
    return "ascii"  # spaces and a newline are the same bytes in UTF-8, UTF-8-SIG and Windows-1252


def write_copy(source: Path, target: Path, copy: int) -> None:
    """Write ``source`` to ``target`` with bytes that identify ``copy`` and the same readable content."""
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = source.suffix.lower()
    if suffix == ".docx":
        shutil.copyfile(source, target)
        with zipfile.ZipFile(target, "a") as archive:
            archive.comment = f"workreview benchmark copy {copy}".encode()
        return
    data = source.read_bytes()
    if suffix == ".pdf":
        data += f"\n% workreview benchmark copy {copy}\n".encode()
    else:
        data += (" " * (copy + 1) + "\n").encode(_text_encoding(data))
    target.write_bytes(data)


def replicate(sample: Path, target: Path, copies: int, limit: int | None = None) -> list[Path]:
    """Fill ``target`` with ``copies`` copies of the sample's reports (``copy-000/…``), at most ``limit`` files."""
    reports = report_files(sample)
    written = []
    for copy in range(copies):
        for report in reports:
            if limit is not None and len(written) >= limit:
                return written
            destination = target / f"copy-{copy:03d}" / report.source_file
            write_copy(report.path, destination, copy)
            written.append(destination)
    return written


def check_copies_read_the_same(sample: Path, scratch: Path) -> list[str]:
    """Problems found when a marked copy of each report does not hash differently or read to the same text."""
    from pipeline.process import file_digest
    from pipeline.read import read_document

    problems = []
    for report in report_files(sample):
        copy = scratch / report.source_file
        write_copy(report.path, copy, 7)
        if file_digest(copy) == report.document_id:
            problems.append(f"{report.source_file}: copy has the same content hash")
        if read_document(copy, report.source_file).text != read_document(report.path, report.source_file).text:
            problems.append(f"{report.source_file}: copy reads to different text")
        if copy.suffix.lower() == ".pdf":
            import pypdfium2

            pypdfium2.PdfDocument(str(copy)).close()  # raises if pdfium rejects the appended bytes
    shutil.rmtree(scratch, ignore_errors=True)
    return problems
