"""The sample-corpus build: bad sources are refused with a file:line message, every gold text really appears in
the rendered report (as a reader would extract it), and rebuilding reproduces the same bytes."""

from __future__ import annotations

import importlib.util
import json
import re
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

| Problem | Cause | Solution |
|---|---|---|
| {C|Floods cut the road to Chhouk for [[two weeks|2|count]]} | Rain | {G|Raise the road by [[1 m|1|m]] in 2021} |
| {C|Rubbish piles up at the market} | {C|The market has no waste contract} | {G|Sign a waste contract} |

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
    table_cells = {cell for block in source.blocks if block.kind == "table" for row in block.rows for cell in row}
    rendered_cells = {cell for row in rows for cell in row.split(" | ")}

    def rendered(statement) -> bool:
        if statement.text in table_rows:
            return statement.text in rows
        if statement.text in table_cells:
            return statement.text in rendered_cells
        return _normalise(statement.text) in _normalise(text)

    missing = [s.text for s in source.statements if not rendered(s)]
    assert not missing
    assert len(source.statements) == 7 + 5 + 2 * 18
    cell_statements = [(s.label, s.text) for s in source.statements if s.text in table_cells]
    assert cell_statements == [
        ("challenge", "Floods cut the road to Chhouk for two weeks"), ("goal", "Raise the road by 1 m in 2021"),
        ("challenge", "Rubbish piles up at the market"), ("challenge", "The market has no waste contract"),
        ("goal", "Sign a waste contract"),
    ]
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
    ("| {C|Roads washed away} {C|Bridges fell} | 10 km |\n", "a table cell holds at most one"),
    ("C> | {C|Roads washed away} | 10 km |\n", "cannot also hold {X|...} markers in its cells"),
    ("| {C|Roads washed away} in Chhouk | 10 km |\n", "wraps the whole cell"),
]


@pytest.mark.parametrize(("body", "message"), BROKEN_SOURCES)
def test_malformed_markup_is_refused_with_its_line(tmp_path, body, message):
    table_header = "| Indicator | Target |\n" if re.match(r"(\w>\s*)?\|", body) else ""
    path = _source(tmp_path, "broken.pdf", body="Introduction.\n" + table_header + "\n" * (not table_header) + body)
    body_line = FRONT_MATTER.count("\n") + 3  # the broken construct is on the third body line

    with pytest.raises(build.SourceError) as caught:
        build.parse_source(path)

    assert any(m.startswith(f"{path.name}:{body_line}: ") and message in m for m in caught.value.messages), \
        caught.value.messages


def test_a_table_header_cannot_hold_cell_statements(tmp_path):
    path = _source(tmp_path, "header.pdf", body="Introduction.\n\n| {C|Problem} | Solution |\n| a | b |\n")

    with pytest.raises(build.SourceError, match="its cells cannot be statements"):
        build.parse_source(path)


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


# --------------------------------------------------------------------------------------------- Khmer

KHMER_FRONT_MATTER = """---
file: {file}
province_code: KH-7
province: Kampot
report_year: 2021
level: province
split: train
language: km
layout:
{layout}---
"""

KHMER_BODY = """ព្រះរាជាណាចក្រកម្ពុជា

# ១. លទ្ធផលការងារឆ្នាំ ២០២១

{A|រដ្ឋបាលខេត្តបានស្ថាបនាផ្លូវលំជនបទប្រវែង [[៤៦ គីឡូម៉ែត្រ|46|km|output]] ក្នុងស្រុកឈូក ស្រុកជុំគិរី
និងស្រុកទឹកឈូ ហើយបានសាងសង់លូបេតុងចំនួន [[៣៨ កន្លែង|38|count|output]] ដោយប្រើថវិកាមូលនិធិឃុំ សង្កាត់
និងវិភាគទានរបស់ប្រជាពលរដ្ឋក្នុងភូមិ។} {C|ទឹកជំនន់បានបំផ្លាញស្រូវ [[១.២៣០ ហិកតា|1230|ha|affected]]។}

១. {A|បានតភ្ជាប់ទឹកស្អាតជូន [[៣.៤៥០ គ្រួសារ|3450|households|output]]។}
(ក) {G|ខេត្តនឹងស្ថាបនាផ្លូវឱ្យបាន [[៦០ គីឡូម៉ែត្រ|60|km|target]] នៅឆ្នាំ ២០២២។}

| សូចនាករ | លទ្ធផល |
|---|---|
A> | ចំណូលពន្ធ | [[៣៤,៦ ពាន់លានរៀល|34600000000|riel|output]] |
"""


def _khmer_source(tmp_path: Path, file: str, layout: str = "  headings: styles\n", body: str = KHMER_BODY) -> Path:
    path = tmp_path / f"{Path(file).stem}_{Path(file).suffix[1:]}.md"
    path.write_text(KHMER_FRONT_MATTER.format(file=file, layout=layout) + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("file", ["khmer.docx", "khmer.txt", "khmer.md"])
def test_khmer_gold_text_appears_unchanged_in_the_rendered_report(tmp_path, file):
    source = build.parse_source(_khmer_source(tmp_path, file))
    text, rows = _extract(build.render(source, tmp_path), source)

    missing = [s.text for s in source.statements if s.text not in rows and _normalise(s.text) not in _normalise(text)]
    assert not missing
    assert [(q.text, q.value, q.unit) for s in source.statements for q in s.quantities][:3] == [
        ("៤៦ គីឡូម៉ែត្រ", 46, "km"), ("៣៨ កន្លែង", 38, "count"), ("១.២៣០ ហិកតា", 1230, "ha")]


def test_khmer_txt_lines_break_only_at_spaces(tmp_path):
    unbroken = "ការអភិវឌ្ឍហេដ្ឋារចនាសម្ព័ន្ធជនបទ" * 5  # one phrase far longer than a line, no space to break at
    body = KHMER_BODY + f"\n{{A|{unbroken} បានបញ្ចប់។}}\n"
    source = build.parse_source(_khmer_source(tmp_path, "wrapped.txt", "  encoding: utf-8\n", body))
    chunks = build.render(source, tmp_path).read_text(encoding="utf-8").split("\n\n")

    paragraph = next(b.text for b in source.blocks if b.kind == "paragraph" and "ស្រុកឈូក" in b.text)
    lines = next(chunk for chunk in chunks if "ស្រុកឈូក" in chunk).split("\n")
    assert len(lines) > 1, "the long paragraph is wrapped"
    assert " ".join(lines) == paragraph, "joining the lines with the spaces they broke at gives the text back"
    assert all(build.display_width(line) <= build.TXT_WIDTH for line in lines)
    assert any(line.startswith(unbroken) for chunk in chunks for line in chunk.split("\n")), \
        "a phrase longer than a line is not cut"


def test_khmer_docx_uses_a_khmer_complex_script_font_and_keeps_khmer_numbering(tmp_path):
    source = build.parse_source(_khmer_source(tmp_path, "fonts.docx"))
    document = docx.Document(build.render(source, tmp_path))
    qn = docx.oxml.ns.qn

    default_fonts = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    heading_fonts = document.styles["Heading 1"].element.find(".//" + qn("w:rFonts"))
    assert default_fonts.get(qn("w:cs")) == "Khmer OS Siemreap"
    assert heading_fonts.get(qn("w:cs")) == "Khmer OS Muol Light"
    assert heading_fonts.get(qn("w:cstheme")) is None  # a theme font would win over w:cs
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("១. បានតភ្ជាប់") for t in texts) and any(t.startswith("(ក) ខេត្តនឹង") for t in texts)


def test_english_docx_fonts_are_left_alone(tmp_path):
    document = docx.Document(build.render(build.parse_source(_source(tmp_path, "english.docx")), tmp_path))
    qn = docx.oxml.ns.qn

    fonts = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert fonts.get(qn("w:cs")) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{A|បានស្ថាបនាផ្លូវ [[៤៦ គីឡូម៉ែត្រ|៤៦|km]]។}\n", "quantity value '៤៦' is not a plain number"),
        ("{A|បានស្ថាបនាផ្លូវ [[៤៦ គីឡូម៉ែត្រ|46|km|built]]។}\n", "unknown quantity role 'built'"),
    ],
)
def test_khmer_quantity_values_are_ascii_numbers_with_known_roles(tmp_path, body, message):
    with pytest.raises(build.SourceError) as caught:
        build.parse_source(_khmer_source(tmp_path, "bad.txt", "  encoding: utf-8\n", body))
    assert any(message in m for m in caught.value.messages), caught.value.messages


def test_a_statement_holding_two_khmer_sentences_is_flagged(tmp_path):
    body = ("{A|បានស្ថាបនាផ្លូវ។ បានសាងសង់ស្ពាន។}\n\n"
            "{A|បានចែកពូជស្រូវ ពោត សណ្តែក ។ល។ ដល់កសិករ។}\n")
    source = build.parse_source(_khmer_source(tmp_path, "two.txt", "  encoding: utf-8\n", body))

    assert len(source.warnings) == 1 and "បានស្ថាបនាផ្លូវ" in source.warnings[0]


def test_khmer_front_matter_is_checked(tmp_path):
    path = _khmer_source(tmp_path, "lang.docx")
    path.write_text(path.read_text(encoding="utf-8").replace("language: km", "language: khmer"), encoding="utf-8")
    with pytest.raises(build.SourceError, match="unknown language 'khmer'"):
        build.parse_source(path)

    scanned_docx = _khmer_source(tmp_path, "scan.docx", "  scanned: true\n")
    with pytest.raises(build.SourceError, match="layout.scanned is for Khmer PDFs"):
        build.parse_source(scanned_docx)


def test_a_khmer_pdf_is_left_to_libreoffice_but_gets_gold(tmp_path):
    source = build.parse_source(_khmer_source(tmp_path, "scan.pdf", "  scanned: true\n"))

    with pytest.raises(build.SourceError, match="build_khmer_pdfs.py"):
        build.render(source, tmp_path)
    document = build.gold_records([source])["documents"][0]
    assert (document["format"], document["language"], document["scanned"]) == ("pdf", "km", True)


# The committed corpus ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def committed_sources():
    return build.load_sources(build.SOURCE_DIR)


def _gold_lines(language: str, name: str) -> list[dict]:
    path = build.gold_dir_of(language) / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_committed_gold_is_what_the_sources_give(committed_sources):
    for language in build.LANGUAGES:
        records = build.gold_records([s for s in committed_sources if s.language == language])
        for name, expected in records.items():
            assert _gold_lines(language, name) == json.loads(json.dumps(expected)), (language, name)


def test_the_english_reports_folder_holds_no_khmer_report(committed_sources):
    english_gold = _gold_lines("en", "documents")
    assert {d["language"] for d in english_gold} == {"en"}
    assert not [p.name for p in build.OUTPUT_DIRS["en"].iterdir() if p.name.startswith("km_")]


def test_khmer_corpus_covers_every_province_format_and_split(committed_sources):
    khmer = [s for s in committed_sources if s.language == "km"]
    kinds = {(s.format + ("-scanned" if s.layout["scanned"] else ""), s.meta["split"]) for s in khmer}

    assert len(khmer) >= 30
    assert len({s.meta["province_code"] for s in khmer}) == 25
    assert {s.meta["report_year"] for s in khmer} == {2019, 2020, 2021, 2022, 2023}
    assert kinds == {(kind, split) for kind in ("docx", "txt", "md", "pdf", "pdf-scanned")
                     for split in ("train", "dev", "test")}
    assert all(q.role for s in khmer for statement in s.statements for q in statement.quantities)


def test_committed_khmer_reports_match_their_sources(tmp_path, committed_sources):
    for source in committed_sources:
        if source.language != "km" or source.made_by_libreoffice:
            continue
        committed = source.out_dir / source.file
        assert build.render(source, tmp_path).read_bytes() == committed.read_bytes(), source.file
        text, rows = _extract(committed, source)
        missing = [s.text for s in source.statements
                   if s.text not in rows and _normalise(s.text) not in _normalise(text)]
        assert not missing, source.file


def test_committed_khmer_pdfs_are_small_and_scans_are_images_only(committed_sources):
    pdfs = [s for s in committed_sources if s.made_by_libreoffice]
    assert sum(s.layout["scanned"] for s in pdfs) >= 4
    for source in pdfs:
        path = source.out_dir / source.file
        assert path.stat().st_size < 300_000, source.file
        with pdfplumber.open(path) as pdf:
            characters = sum(len(page.chars) for page in pdf.pages)
            images = [len(page.images) for page in pdf.pages]
        if source.layout["scanned"]:
            assert characters == 0 and set(images) == {1}, source.file
        else:
            assert characters > 200, source.file
