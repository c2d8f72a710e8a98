"""The sample-corpus build: bad sources are refused with a file:line message, every gold text really appears in
the rendered report (as a reader would extract it), and rebuilding reproduces the same bytes."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import docx
import pdfplumber
import pytest

BUILD_SCRIPT = Path(__file__).resolve().parents[1] / "sample_reports" / "build.py"


def _load_build_script():
    spec = importlib.util.spec_from_file_location("corpus_build", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_build"] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


build = _load_build_script()

FRONT_MATTER = """---
file: {file}
province_code: KH-7
province: Kampot
report_year: 2020
level: province
split: train
layout:
  header: "Kampot Provincial Administration - Annual Report 2020"
  footer: "Page {{page}} of {{pages}}"
{layout}---
"""

BODY = """KINGDOM OF CAMBODIA

NATION RELIGION KING

# I. Achievements in 2020

Pursuant to the Law on Administrative Management of the Capital, Provinces, Municipalities, Districts and Khans,
the Board of Governors reports as follows. {A|The provincial administration repaired [[12 km|12|km]] of laterite
road and spent [[1.5 million riel|1500000|riel]] on culverts.} The work was supervised by the Department of Rural
Development. {C|Revenue collection reached only [[45%|45|percent]] of the annual plan because of COVID-19.}

{filler}

- {A|The One Window Service Office issued [[3,450|3450|count]] licences – mostly for small businesses.}
• Registration of births was promoted in all communes.
1. {G|The province will build [[twenty-five|25|classrooms]] classrooms in 2021.}

## Indicators

| Indicator | Target 2020 | Result 2020 | Remark |
|---|---|---|---|
A> | Laterite road repaired | 10 km | [[12 km|12|km]] | exceeded |
C> | Wells drilled | 20 | 14 | delayed by the October 2020 floods in the lowland communes |
| Revenue (riel) | 2,000 million | 1,800 million | - |

# II. Goals for 2021

{G|The Board of Governors plans to connect [[USD 2.3 million|2300000|usd]] of irrigation works to the canal system.}
We thank all departments for their cooperation.
"""

FILLER = "\n\n".join(
    f"In commune {n} the council met monthly with the villagers. "
    f"{{A|Commune {n} repaired [[{n} km|{n}|km]] of rural road and cleaned {n + 3} wells.}} "
    f"{{C|Quarantine of returning migrant workers from Thailand was still a concern in commune {n}.}}"
    for n in range(1, 19)
)


def _source(tmp_path: Path, file: str, layout: str = "", body: str | None = None) -> Path:
    body = BODY.replace("{filler}", FILLER) if body is None else body
    path = tmp_path / f"{Path(file).stem}_{Path(file).suffix[1:]}.md"
    path.write_text(FRONT_MATTER.format(file=file, layout=layout) + body, encoding="utf-8")
    return path


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _extract(report: Path, source) -> tuple[str, list[str]]:
    """The report's running text and its table rows (cells joined by ' | '), as a reader would see them."""
    if report.suffix == ".pdf":
        text, rows = [], []
        with pdfplumber.open(report) as pdf:
            height = pdf.pages[0].height
            for page in pdf.pages:
                for x, y, width, box_height in build.pdf_frame_boxes(source.layout["columns"]):
                    text.append(
                        page.crop((x - 2, height - y - box_height - 2, x + width + 2, height - y + 2)).extract_text()
                    )
                for table in page.extract_tables():
                    rows += [" | ".join(_normalise(cell or "") for cell in row) for row in table]
        return "\n".join(text), rows
    if report.suffix == ".docx":
        document = docx.Document(report)
        rows = [
            " | ".join(_normalise(cell.text) for cell in row.cells) for table in document.tables for row in table.rows
        ]
        return "\n".join(p.text for p in document.paragraphs), rows
    text = report.read_bytes().decode(source.layout["encoding"])
    rows = [" | ".join(cell.strip() for cell in line.strip()[1:-1].split("|"))
            for line in text.splitlines() if line.startswith("|")]
    return text, rows


@pytest.mark.parametrize(
    ("file", "layout"),
    [
        ("one_column.pdf", "  headings: numbered\n"),
        ("two_columns.pdf", "  columns: 2\n  font_size: 12\n"),
        ("styles.docx", ""),
        ("literal_bullets.docx", "  headings: bold\n  literal_bullets: true\n"),
        ("wide.txt", "  encoding: utf-16\n"),
        ("windows.txt", "  encoding: cp1252\n"),
        ("notes.md", "  encoding: utf-8-sig\n"),
    ],
)
def test_every_gold_text_appears_in_the_rendered_report(tmp_path, file, layout):
    source = build.parse_source(_source(tmp_path, file, layout))
    report = build.render(source, tmp_path)
    text, rows = _extract(report, source)
    table_rows = {" | ".join(row) for block in source.blocks if block.kind == "table" for row in block.rows}

    missing = [s.text for s in source.statements
               if (s.text not in rows if s.text in table_rows else _normalise(s.text) not in _normalise(text))]
    assert not missing
    assert len(source.statements) == 7 + 2 * 18
    assert {q.text for s in source.statements for q in s.quantities} >= {"1.5 million riel", "twenty-five", "45%"}


def test_pdf_runs_over_pages_with_a_numbered_footer(tmp_path):
    report = build.render(build.parse_source(_source(tmp_path, "long.pdf")), tmp_path)
    with pdfplumber.open(report) as pdf:
        pages = len(pdf.pages)
        last_page_text = pdf.pages[-1].extract_text()
    assert pages >= 2
    assert f"Page {pages} of {pages}" in last_page_text
    assert "Kampot Provincial Administration - Annual Report 2020" in last_page_text


def test_rebuilding_reproduces_identical_bytes(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    sources = [build.parse_source(_source(tmp_path, name)) for name in ("same.docx", "same.pdf", "same.txt")]
    started = time.monotonic()
    first_bytes = {s.file: build.render(s, first).read_bytes() for s in sources}
    time.sleep(max(0.0, 2.1 - (time.monotonic() - started)))  # zip timestamps have a 2-second resolution
    second_bytes = {s.file: build.render(s, second).read_bytes() for s in sources}
    assert first_bytes == second_bytes


# (body after an introduction paragraph and a blank line, the message expected on the construct's line)
BROKEN_SOURCES = [
    ("{A|The district repaired 12 km of road.\n", "statement marker '{A|' is never closed"),
    ("{X|The district repaired 12 km of road.}\n", "unknown statement label 'X'"),
    ("{A|The district repaired [[12 km|12|kilometres]] of road.}\n", "unknown unit 'kilometres'"),
    ("{A|The district repaired [[12 km|twelve|km]] of road.}\n", "'twelve' is not a plain number"),
    ("{A|The district {C|repaired} roads.}\n", "marker inside a marker"),
    ("The district repaired [[12 km|12|km]] of road.\n", "is outside a statement"),
    ("The district repaired 12 km of road.}\n", "'}' without an opening"),
    ("A> | Roads | 10 km | 12 km |\n", "table row has 3 cells but the table's header has 2"),
    ("B> | Roads | 10 km |\n", "unknown statement label 'B>'"),
]


@pytest.mark.parametrize(("body", "message"), BROKEN_SOURCES)
def test_malformed_markup_is_refused_with_its_line(tmp_path, body, message):
    table_header = "| Indicator | Target |\n" if ">" in body else ""
    path = _source(tmp_path, "broken.pdf", body="Introduction.\n" + table_header + "\n" * (not table_header) + body)
    body_line = FRONT_MATTER.count("\n") + 3  # the broken construct is on the third body line

    with pytest.raises(build.SourceError) as caught:
        build.parse_source(path)

    assert any(m.startswith(f"{path.name}:{body_line}: ") and message in m for m in caught.value.messages), \
        caught.value.messages


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("level: province", "level: county", "unknown level 'county'"),
        ("split: train\n", "", "lacks required field 'split'"),
        ("file: bad.pdf", "file: bad.rtf", "must end in one of"),
        ("layout:\n", "layout:\n  encoding: latin-9\n", "layout.encoding must be one of"),
    ],
)
def test_bad_front_matter_is_refused(tmp_path, old, new, message):
    path = _source(tmp_path, "bad.pdf", body="{A|The district repaired 12 km of road.}\n")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    with pytest.raises(build.SourceError) as caught:
        build.parse_source(path)

    assert any(message in m for m in caught.value.messages), caught.value.messages


def test_pdf_refuses_characters_its_font_cannot_draw(tmp_path):
    path = _source(tmp_path, "khmer.pdf", body="{A|The district repaired roads in ស្រុក Kampong Trach.}\n")

    with pytest.raises(build.SourceError, match="the PDF font has no glyph"):
        build.parse_source(path)


def test_every_committed_source_is_valid():
    sources = build.load_sources(build.SOURCE_DIR)

    assert all(source.statements for source in sources)
