"""A hostile inbox, generated at test time (nothing large is committed): the files an attacker or a tired operator
puts in a reports folder, each with the status and message a run must give it.

``build_hostile_corpus(inbox, outside)`` writes the files into ``inbox`` (and one file outside it, which must
never be read) and returns the cases. Sizes are chosen to trip each limit at its default, not to be slow: the
largest generated file is about 1 MB on disk. Fixed seed, so every build is byte-identical.
"""

from __future__ import annotations

import io
import os
import random
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

OUTSIDE_CANARY = "Quarterly canary sentence from outside the inbox number 7731."
"""Written to a file outside the inbox that a symbolic link points at: it must never reach the dataset."""
SEED = 13
LONG_TEXT_CHARS = 1_100_000
"""Over spaCy's default ``max_length`` (1,000,000), which one paragraph used to exceed and stop the run."""
BOMB_INFLATED_BYTES = 1 << 30
"""What the zip bomb's document part and the PDF's flate stream inflate to (1 GiB), from about 1 MB each."""


@dataclass(frozen=True, slots=True)
class HostileCase:
    name: str
    source_file: str
    """How the dataset names the file (non-UTF-8 bytes and control characters shown escaped)."""
    status: str
    """``ok``, ``failed``, ``unsupported`` or ``skipped``."""
    message: str | None
    """Words the one-line reason must contain (``None`` for a file read fine)."""
    contains: str | None = None
    """For a file read fine: words one of its statements must hold (after cleaning)."""


def _sentences(count: int, rng: random.Random) -> str:
    """Varied, plausible sentences, so the text neither compresses like a bomb nor repeats one statement."""
    places = ["Kampot", "Takeo", "Kep", "Pursat", "Kratie", "Stung Treng", "Svay Rieng", "Prey Veng"]
    works = ["rural roads", "wells", "classrooms", "health posts", "irrigation canals", "market stalls"]
    verbs = ["built", "repaired", "inspected", "planned", "handed over", "cleaned"]
    return " ".join(
        f"In {rng.choice(places)} the district {rng.choice(verbs)} {rng.randint(2, 980)} "
        f"{rng.choice(works)} in month {rng.randint(1, 12)} of cycle {index}."
        for index in range(count)
    )


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_bomb() -> bytes:
    """A valid Word package whose ``word/document.xml`` inflates from about 1 MB to 1 GiB of text."""
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes(["Cover page."])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                bomb.writestr(info, source.read(info))
                continue
            head = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                b"<w:body><w:p><w:r><w:t>"
            )
            tail = b"</w:t></w:r></w:p></w:body></w:document>"
            with bomb.open("word/document.xml", "w", force_zip64=True) as member:
                member.write(head)
                chunk = b"A" * (1 << 20)
                for _ in range(BOMB_INFLATED_BYTES // len(chunk)):
                    member.write(chunk)
                member.write(tail)
    return buffer.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered objects (1-based; object 1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _pdf_lying_page_count(pages: int) -> bytes:
    """``pages`` pages, each with a line of text, under a page tree whose ``/Count`` says 1."""
    first_page = 4
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * index) for index in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [" + kids + b"] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for index in range(pages):
        content = b"BT /F1 12 Tf 72 720 Td (Page %d of the district report.) Tj ET" % (index + 1)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (first_page + 2 * index + 1)
        )
        objects.append(_stream(content))
    return _pdf(objects)


def _pdf_flate_bomb() -> bytes:
    """One page whose content stream inflates from about 1 MB to 1 GiB."""
    compressor = zlib.compressobj(9)
    chunk = b"0" * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(BOMB_INFLATED_BYTES // len(chunk)))
    data += compressor.flush()
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            _stream(data, b"/Filter /FlateDecode "),
        ]
    )


def _text(lines: list[str]) -> bytes:
    return ("\n\n".join(lines) + "\n").encode("utf-8")


REPORT_HEAD = ["Kampot Provincial Administration", "Work review results 2020", "I. ACHIEVEMENTS"]


def build_hostile_corpus(inbox: Path, outside: Path) -> list[HostileCase]:
    """Write the hostile files into ``inbox`` and the link target into ``outside``; return the expected outcomes."""
    rng = random.Random(SEED)
    inbox.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    cases: list[HostileCase] = []

    def expect(*outcome) -> None:
        cases.append(HostileCase(*outcome))

    def write(name: str | bytes, data: bytes) -> None:
        path = os.path.join(os.fsencode(inbox), os.fsencode(name))
        with open(path, "wb") as file:
            file.write(data)

    # One paragraph longer than spaCy's max_length, as plain text (no line break at all) and in Word.
    long_text = _sentences(LONG_TEXT_CHARS // 70, rng)
    assert len(long_text) > 1_000_000
    write("one-line-report.txt", long_text.encode())
    expect("1.1 M-character one-line TXT", "one-line-report.txt", "ok", None, "cycle 0.")
    write("one-paragraph-report.docx", _docx_bytes([long_text]))
    expect("1.1 M-character one-paragraph DOCX", "one-paragraph-report.docx", "ok", None, "cycle 1.")

    # File names a file system allows but UTF-8 does not (a Latin-1 name copied from an old share), or with a
    # line break in them.
    write(b"kampot-r\xe9sum\xe9.txt", _text([*REPORT_HEAD, "The commune repaired 14 km of laterite road."]))
    expect("non-UTF-8 file name", "kampot-r\\xe9sum\\xe9.txt", "ok", None, "14 km of laterite road")
    write("two\nlines.txt", _text([*REPORT_HEAD, "The district drilled 31 new wells for schools."]))
    expect("line break in the file name", "two\\nlines.txt", "ok", None, "31 new wells")

    # Links and special files.
    (outside / "secret.txt").write_text(f"{OUTSIDE_CANARY}\n", encoding="utf-8")
    os.symlink(outside / "secret.txt", inbox / "takeo-report.txt")
    expect("link to a file outside the inbox", "takeo-report.txt", "skipped", "outside the reports folder")
    write("kep-report.txt", _text([*REPORT_HEAD, "Kep trained 260 village health volunteers."]))
    expect("regular file (link target)", "kep-report.txt", "ok", None, "260 village health volunteers")
    os.symlink("kep-report.txt", inbox / "kep-report-copy.txt")
    expect("link to a file inside the inbox", "kep-report-copy.txt", "ok", None, "260 village health")
    os.mkfifo(inbox / "pursat-report.txt")
    expect("named pipe (FIFO)", "pursat-report.txt", "skipped", "not a regular file (a named pipe)")
    os.symlink(inbox / "no-such-report.pdf", inbox / "kratie-report.pdf")
    expect("dangling link", "kratie-report.pdf", "skipped", "a link to a file that does not exist")
    os.symlink("loop-b.txt", inbox / "loop-a.txt")
    os.symlink("loop-a.txt", inbox / "loop-b.txt")
    expect("link loop (a)", "loop-a.txt", "skipped", "a link that loops")
    expect("link loop (b)", "loop-b.txt", "skipped", "a link that loops")

    # Limits that must hold whatever the file claims.
    write("lying-page-count.pdf", _pdf_lying_page_count(3000))
    expect("PDF declaring /Count 1 with 3,000 pages", "lying-page-count.pdf", "failed",
                             "too many pages: 3000 > 500 page limit")
    write("zip-bomb.docx", _docx_bomb())
    expect("DOCX zip bomb (1 GiB inflated)", "zip-bomb.docx", "failed", "would unpack to")
    write("flate-bomb.pdf", _pdf_flate_bomb())
    expect("PDF with a 1 GiB flate stream", "flate-bomb.pdf", "failed", "more memory than")

    # Content that must come out clean.
    write("nul-bytes.txt", _text([*REPORT_HEAD, "The province\x00 vaccinated 5,400\x00 children against measles."]))
    expect("NUL bytes in the text", "nul-bytes.txt", "ok", None, "vaccinated 5,400 children")
    write("formulas.txt", _text([
        *REPORT_HEAD,
        '=HYPERLINK("http://example.invalid/x","Click for the annex") built 12 classrooms.',
        "@SUM(1+1) households received rice seed in 2020.",
        "+855 families were connected to clean water.",
        "-12 percent fewer traffic accidents were recorded.",
    ]))
    expect("spreadsheet formulas in statements", "formulas.txt", "ok", None, "=HYPERLINK(")
    disguised = "The district \u202efdp.exe\u202c repaired 9 bridges \u2066in 2020\u2069."
    write("bidi-override.txt", _text([*REPORT_HEAD, disguised]))
    expect("bidi override characters", "bidi-override.txt", "ok", None, "repaired 9 bridges")

    # Mislabelled and broken files: the message says what the file really is.
    write("svay-rieng-report.pdf", _docx_bytes(["Svay Rieng Provincial Administration", "Annual report."]))
    expect("Word file named .pdf", "svay-rieng-report.pdf", "failed",
                             "this is a Word document (.docx) named .pdf")
    write("prey-veng-report.docx", _pdf_lying_page_count(1))
    expect("PDF named .docx", "prey-veng-report.docx", "failed", "this is a PDF document named .docx")
    write("kratie-scan.pdf", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2000)))
    expect("PNG image named .pdf", "kratie-scan.pdf", "unsupported", "this is a PNG image named .pdf")
    write("billion-laughs.docx", _docx_billion_laughs())
    expect("DOCX with an entity-expansion bomb", "billion-laughs.docx", "failed",
                             "its XML is oversized or expands entities without end")
    write("empty.txt", b"")
    expect("empty file", "empty.txt", "failed", "file is empty (0 bytes)")
    return cases


def _docx_billion_laughs() -> bytes:
    """A Word package whose document part defines nested entities (the "billion laughs")."""
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes(["Cover page."])))
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<!DOCTYPE w:document [{entities}]>"
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            data = xml if info.filename == "word/document.xml" else source.read(info)
            package.writestr(info.filename, data)
    return buffer.getvalue()
