from pipeline.document import Block, BlockKind, Document
from pipeline.segment import SectionKind, looks_like_heading, section_kind_of, segment


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
