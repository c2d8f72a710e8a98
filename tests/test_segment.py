import pytest

from pipeline.document import Block, BlockKind, Document
from pipeline.segment import (
    TABLE_CELL,
    ColumnKind,
    SectionKind,
    looks_like_heading,
    looks_like_table_header,
    section_kind_of,
    segment,
)


def make_document(*blocks: tuple[BlockKind, str] | tuple[BlockKind, str, int]) -> Document:
    built = [Block(kind=b[0], text=b[1], heading_level=b[2] if len(b) > 2 else None) for b in blocks]
    return Document(source_file="x.txt", format="txt", blocks=built).assemble()


def test_section_kind_from_heading_words():
    assert section_kind_of("I. ACHIEVEMENTS IN 2020") == SectionKind.ACHIEVEMENTS
    assert section_kind_of("Part 2: Challenges and proposed solutions") == SectionKind.CHALLENGES
    assert section_kind_of("3. Directions and priorities for 2021") == SectionKind.GOALS
    assert section_kind_of("Acknowledgements") == SectionKind.OTHER
    assert section_kind_of("1.1 Health") is None
    assert section_kind_of("Report on 2020 Work Results and 2021 Goal Setting") == SectionKind.OTHER


def test_numbering_styles_and_capitals_are_headings():
    for text in ("I. Achievements", "1.1 Education sector", "A. Roads", "Part 2 Challenges", "CHALLENGES"):
        assert looks_like_heading(Block(BlockKind.PARAGRAPH, text)), text
    for text in ("The district built 12 km of road.", "1. The council met 12 times and approved the budget."):
        assert not looks_like_heading(Block(BlockKind.PARAGRAPH, text)), text


def test_a_short_title_ending_on_its_year_is_a_heading_but_a_line_ending_on_a_figure_is_not():
    for text in ("Plans for 2026", "What we did in 2024", "Main difficulties of 2023"):
        assert looks_like_heading(Block(BlockKind.PARAGRAPH, text)), text
    for text in ("Wells drilled 32", "Budget 2025", "Planned 30 km for 2026", "Minutes of 12 May 2025"):
        assert not looks_like_heading(Block(BlockKind.PARAGRAPH, text)), text
    document = make_document(
        (BlockKind.PARAGRAPH, "Plans for 2026"),
        (BlockKind.PARAGRAPH, "We will pave 4 km of the market road."),
    )
    (statement,) = segment(document)
    assert (statement.section, statement.section_kind) == ("Plans for 2026", SectionKind.GOALS)


def test_sub_headings_inherit_their_parents_kind_and_spans_point_at_the_text():
    document = make_document(
        (BlockKind.PARAGRAPH, "Introduction"),
        (BlockKind.PARAGRAPH, "This report follows the Ministry's request. It covers 2020."),
        (BlockKind.PARAGRAPH, "I. CHALLENGES"),
        (BlockKind.PARAGRAPH, "1.1 Health"),
        (BlockKind.PARAGRAPH, "Staff remained limited. Drugs were short in No. 5 clinic."),
        (BlockKind.PARAGRAPH, "II. PLANS FOR 2021"),
        (BlockKind.LIST_ITEM, "Build two schools"),
        (BlockKind.TABLE_ROW, "Road | 10 km"),
    )
    statements = segment(document)
    by_text = {s.text: s for s in statements}
    assert list(by_text) == [
        "This report follows the Ministry's request.",
        "It covers 2020.",
        "Staff remained limited.",
        "Drugs were short in No. 5 clinic.",
        "Build two schools",
        "Road | 10 km",
    ]
    assert by_text["It covers 2020."].section_kind == SectionKind.OTHER
    assert by_text["Staff remained limited."].section_kind == SectionKind.CHALLENGES
    assert by_text["Staff remained limited."].section == "1.1 Health"
    assert by_text["Build two schools"].section_kind == SectionKind.GOALS
    assert by_text["Road | 10 km"].block_kind == "table_row"
    for statement in statements:
        assert document.text[statement.char_start : statement.char_end] == statement.text


def table_row(*cells: str) -> tuple[BlockKind, str, None, list[str]]:
    return (BlockKind.TABLE_ROW, " | ".join(cells), None, list(cells))


def make_table_document(*blocks) -> Document:
    built = [
        Block(kind=b[0], text=b[1], heading_level=b[2] if len(b) > 2 else None, cells=b[3] if len(b) > 3 else None)
        for b in blocks
    ]
    return Document(source_file="x.pdf", format="pdf", blocks=built).assemble()


def assert_spans_point_at_the_text(document: Document, statements) -> None:
    for statement in statements:
        assert document.text[statement.char_start : statement.char_end] == statement.text


@pytest.mark.parametrize(
    ("cells", "header"),
    [
        (["Challenge", "Cause", "Solution"], True),
        (["Indicator", "Plan 2021", "Achieved 2021", "%"], True),
        (["No.", "Activity in 2023", "Indicator"], True),
        (["Project", "Budget (riel)", "Status at 31 December 2021"], True),
        (["Rural road maintained (km)", "140", "152.5"], False),
        (["Roads", "The district repaired the road to Chhouk."], False),
        (["Kampot", "Takeo"], False),  # short, but no column label
        (["", ""], False),
    ],
)
def test_a_table_header_is_a_row_of_short_column_labels(cells, header):
    assert looks_like_table_header(cells) is header


def test_header_rows_are_never_statements_and_indicator_rows_stay_whole():
    document = make_table_document(
        (BlockKind.PARAGRAPH, "RESULTS"),
        table_row("Indicator", "Plan 2021", "Achieved 2021"),
        table_row("Rural road maintained (km)", "140", "152.5"),
        table_row("Indicator", "Plan 2021", "Achieved 2021"),  # the header again, on the next page
        table_row("New wells", "260", "241"),
    )
    statements = segment(document)

    assert [s.text for s in statements] == ["Rural road maintained (km) | 140 | 152.5", "New wells | 260 | 241"]
    assert all(s.block_kind == "table_row" and s.column_kind is None for s in statements)


def test_a_challenge_cause_solution_table_gives_one_statement_per_cell_with_its_column_kind():
    document = make_table_document(
        (BlockKind.PARAGRAPH, "Difficulties and ways to solve them"),
        table_row("Topic", "Problem", "Root cause", "Proposed action"),
        table_row("Schools", "Floating schools had no teacher for three months",
                  "Teachers are posted after the October transfers", "Pay a hardship bonus"),
        table_row("Health", "The ambulance boat broke down", "-", "Repair the boat before August"),
        table_row("", "", "", "Ask an NGO partner for a second boat"),
    )
    statements = segment(document)

    assert [(s.text, s.column_kind, s.section_kind) for s in statements] == [
        ("Floating schools had no teacher for three months", ColumnKind.CHALLENGE, SectionKind.CHALLENGES),
        ("Teachers are posted after the October transfers", ColumnKind.CAUSE, SectionKind.CHALLENGES),
        ("Pay a hardship bonus", ColumnKind.SOLUTION, SectionKind.GOALS),
        ("The ambulance boat broke down", ColumnKind.CHALLENGE, SectionKind.CHALLENGES),
        ("Repair the boat before August", ColumnKind.SOLUTION, SectionKind.GOALS),
        ("Ask an NGO partner for a second boat", ColumnKind.SOLUTION, SectionKind.GOALS),
    ]
    assert {s.block_kind for s in statements} == {TABLE_CELL}
    assert_spans_point_at_the_text(document, statements)


def test_distribution_lists_contents_and_notes_are_not_statements():
    document = make_document(
        (BlockKind.PARAGRAPH, "This report consists of five parts: results, problems, plans, budget and annexes."),
        (BlockKind.HEADING, "Contents", 1),
        (BlockKind.LIST_ITEM, "Results of 2021"),
        (BlockKind.LIST_ITEM, "Difficulties"),
        (BlockKind.LIST_ITEM, "Results of 2021"),  # the contents' first entry again: now the section's heading
        (BlockKind.PARAGRAPH, "The district repaired 26 km of road. Figures were provided by the commune clerks."),
        (BlockKind.LIST_ITEM, "Buy a CT scanner for the hospital. Notes: visitor figures come from the tourism "
                              "department. Pepper areas are estimates."),
        (BlockKind.PARAGRAPH, "For more detail, see Annex 2 (photos of defects)."),
        (BlockKind.PARAGRAPH, "NB: commune figures are in Annex A. They were compiled by the clerks."),
        (BlockKind.PARAGRAPH, "Copy to:"),
        (BlockKind.LIST_ITEM, "Office of the Council of Ministers"),
        (BlockKind.PARAGRAPH, "Provincial Council"),
        (BlockKind.PARAGRAPH, "File"),
        (BlockKind.PARAGRAPH, "cc: Deputy Governors; Provincial Department of Planning"),
    )
    statements = segment(document)

    assert [s.text for s in statements] == [
        "The district repaired 26 km of road.", "Buy a CT scanner for the hospital."
    ]
    assert statements[0].section == "Results of 2021"
    assert statements[0].section_kind == SectionKind.ACHIEVEMENTS
    assert_spans_point_at_the_text(document, statements)


def test_a_numbered_heading_read_as_a_list_item_opens_its_section():
    document = make_document(
        (BlockKind.PARAGRAPH, "The district still has no fire truck."),
        (BlockKind.LIST_ITEM, "Priorities for 2022"),
        (BlockKind.LIST_ITEM, "Desilt 14 km of the secondary canal before February."),
    )
    statements = segment(document)

    assert [(s.text, s.section_kind) for s in statements] == [
        ("The district still has no fire truck.", SectionKind.OTHER),
        ("Desilt 14 km of the secondary canal before February.", SectionKind.GOALS),
    ]


@pytest.mark.parametrize(
    ("kind", "text", "pieces"),
    [
        (BlockKind.PARAGRAPH, "The district paved 22 km of road, but the road to the border post is still closed.",
         ["The district paved 22 km of road", "but the road to the border post is still closed."]),
        (BlockKind.PARAGRAPH, "Titles were handed to 2,214 families, while disputes in Ta Meun were not settled.",
         ["Titles were handed to 2,214 families", "while disputes in Ta Meun were not settled."]),
        (BlockKind.PARAGRAPH, "Revenue rose by 12%; however, spending on roads remained low.",
         ["Revenue rose by 12%", "however, spending on roads remained low."]),
        # Not a clause on both sides, or "however" inside a clause: one statement.
        (BlockKind.PARAGRAPH, "All communes were connected, but not the islands.",
         ["All communes were connected, but not the islands."]),
        (BlockKind.PARAGRAPH, "Collection of the tax, however, stayed under 40% of what was due.",
         ["Collection of the tax, however, stayed under 40% of what was due."]),
        (BlockKind.PARAGRAPH, "Not only roads were repaired, but also schools were painted.",
         ["Not only roads were repaired, but also schools were painted."]),
        # A list item holding two goals.
        (BlockKind.LIST_ITEM, "Pave 6 km of the busiest streets; water the others in the dry season",
         ["Pave 6 km of the busiest streets", "water the others in the dry season"]),
        (BlockKind.LIST_ITEM, "The province will open a drying plant and will look for buyers in Thailand.",
         ["The province will open a drying plant", "and will look for buyers in Thailand."]),
        (BlockKind.LIST_ITEM, "Roads: 12 km; wells: 40", ["Roads: 12 km; wells: 40"]),
    ],
)
def test_a_sentence_joining_two_clauses_of_different_kinds_is_two_statements(kind, text, pieces):
    document = make_document((BlockKind.PARAGRAPH, "Introduction"), (kind, text))
    statements = segment(document)

    assert [s.text for s in statements] == pieces
    assert_spans_point_at_the_text(document, statements)


def test_khmer_sentences_end_at_khan_but_not_at_etc():
    document = make_document(
        (BlockKind.HEADING, "១. លទ្ធផលការងារ"),
        (BlockKind.PARAGRAPH, "ស្រុកបានស្ថាបនាផ្លូវ ១៤ គីឡូម៉ែត្រ។ សាលា មណ្ឌលសុខភាព ។ល។ ត្រូវបានជួសជុល។ ការងារបានបញ្ចប់៕"),
    )
    texts = [statement.text for statement in segment(document)]
    assert texts == ["ស្រុកបានស្ថាបនាផ្លូវ ១៤ គីឡូម៉ែត្រ។", "សាលា មណ្ឌលសុខភាព ។ល។ ត្រូវបានជួសជុល។", "ការងារបានបញ្ចប់៕"]


def test_khmer_headings_name_their_section_kind():
    assert section_kind_of("៣. បញ្ហាប្រឈម") == SectionKind.CHALLENGES
    assert section_kind_of("ឧបសគ្គក្នុងការអនុវត្ត") == SectionKind.CHALLENGES
    assert section_kind_of("៤. ទិសដៅ\u200bការងារឆ្នាំ ២០២២") == SectionKind.GOALS  # a zero-width space inside
    assert section_kind_of("ផែនការសកម្មភាពឆ្នាំ ២០២១") == SectionKind.GOALS
    assert section_kind_of("ក. លទ្ធផលការងារ") == SectionKind.ACHIEVEMENTS
    assert section_kind_of("របាយការណ៍លទ្ធផលការងារឆ្នាំ ២០២១ និងទិសដៅការងារឆ្នាំ ២០២២") == SectionKind.OTHER
    assert section_kind_of("សេចក្តីផ្តើម") == SectionKind.OTHER


def test_khmer_plain_lines_become_headings_by_number_or_kind_words():
    document = make_document(
        (BlockKind.PARAGRAPH, "ខ. បញ្ហាប្រឈម"),
        (BlockKind.PARAGRAPH, "ការខ្វះថវិកាធ្វើឱ្យការជួសជុលផ្លូវយឺតយ៉ាវ។"),
        (BlockKind.PARAGRAPH, "ទិសដៅការងារឆ្នាំ ២០២២"),
        (BlockKind.LIST_ITEM, "ស្ថាបនាផ្លូវបេតុង ៥ គីឡូម៉ែត្រ។"),
    )
    statements = segment(document)
    assert [(s.text, s.section_kind) for s in statements] == [
        ("ការខ្វះថវិកាធ្វើឱ្យការជួសជុលផ្លូវយឺតយ៉ាវ។", SectionKind.CHALLENGES),
        ("ស្ថាបនាផ្លូវបេតុង ៥ គីឡូម៉ែត្រ។", SectionKind.GOALS),
    ]


def test_cells_of_a_column_whose_header_names_no_kind_are_kept_when_they_say_something():
    document = make_table_document(
        (BlockKind.PARAGRAPH, "PROBLEMS"),
        table_row("Sangkat", "Problem", "What the municipality proposes"),
        table_row("Sangkat Boeung Keng Kang", "Drains overflow in every heavy rain",
                  "Widen the drain along Street 51 before the wet season"),
        table_row("Sangkat Olympic", "Street vendors block the pavement", "Move the vendors to a night market"),
    )
    statements = segment(document)

    assert [(s.text, s.column_kind) for s in statements] == [
        ("Drains overflow in every heavy rain", ColumnKind.CHALLENGE),
        ("Widen the drain along Street 51 before the wet season", ColumnKind.SOLUTION),
        ("Street vendors block the pavement", ColumnKind.CHALLENGE),
        ("Move the vendors to a night market", ColumnKind.SOLUTION),
    ]


def test_a_column_of_unnamed_kind_keeps_its_sentences_and_drops_its_labels():
    document = make_table_document(
        (BlockKind.PARAGRAPH, "Difficulties"),
        table_row("Sangkat", "Problem", "Cause", "Follow-up by the district"),
        table_row("Sangkat Boeung Keng Kang", "Drains overflow in every heavy rain", "Old pipes",
                  "Ask the ministry for a new pump"),
    )
    statements = segment(document)

    assert [(s.text, s.column_kind) for s in statements] == [
        ("Drains overflow in every heavy rain", ColumnKind.CHALLENGE),
        ("Old pipes", ColumnKind.CAUSE),
        ("Ask the ministry for a new pump", None),
    ]
    assert statements[-1].block_kind == TABLE_CELL
