"""The gazetteer and document attribution: which province sent a report, at what level, about which year."""

from __future__ import annotations

import pytest

from pipeline.document import Block, BlockKind, Document
from pipeline.gazetteer import districts, find_places, province_by_code, provinces
from pipeline.normalize import attribute_document

LETTERHEAD = ("KINGDOM OF CAMBODIA", "NATION RELIGION KING")


def heading(text: str) -> Block:
    return Block(BlockKind.HEADING, text)


def paragraph(text: str) -> Block:
    return Block(BlockKind.PARAGRAPH, text)


def make_document(*blocks: Block | str, source_file: str = "report.docx") -> Document:
    """Letterhead first, as every Cambodian administration writes it; plain strings become paragraphs."""
    built = [heading(line) for line in LETTERHEAD]
    built += [block if isinstance(block, Block) else paragraph(block) for block in blocks]
    return Document(source_file=source_file, format="docx", blocks=built).assemble()


BODY = paragraph(
    "During the year the administration repaired rural roads, built classrooms and vaccinated children against "
    "measles in every commune, with the support of development partners and the community. " * 2
)


# --- the gazetteer ---------------------------------------------------------------------------------------------


def test_all_25_iso_codes_exist_exactly_once():
    codes = [province.code for province in provinces()]
    assert codes == [f"KH-{number}" for number in range(1, 26)]
    assert [province.name for province in provinces() if province.is_capital] == ["Phnom Penh"]
    assert province_by_code("KH-25").name == "Tbong Khmum"
    assert province_by_code("KH-26") is None


def test_every_district_belongs_to_a_known_province_and_type():
    known = {province.code for province in provinces()}
    rows = districts()
    assert len(rows) > 200
    assert all(row.province_code in known and row.type in ("municipality", "district", "khan") for row in rows)
    assert sum(row.type == "khan" for row in rows) == 14
    assert {row.province_code for row in rows if row.type == "khan"} == {"KH-12"}


@pytest.mark.parametrize(
    ("text", "code", "district_type"),
    [
        ("Mongkol Borei", "KH-1", "district"),
        ("Poipet", "KH-1", "municipality"),
        ("Paoy Paet", "KH-1", "municipality"),
        ("Serei Saophoan Municipality", "KH-1", "municipality"),
        ("Krong Battambang", "KH-2", "municipality"),
        ("Moung Russei", "KH-2", "district"),
        ("Sangkae", "KH-2", "district"),
        ("Kampong Siem", "KH-3", "district"),
        ("Cheung Prey", "KH-3", "district"),
        ("Kampong Cham Municipality", "KH-3", "municipality"),
        ("Kampong Chhnang Municipality", "KH-4", "municipality"),
        ("Chbar Mon", "KH-5", "municipality"),
        ("Stueng Saen", "KH-6", "municipality"),
        ("Kampong Trach", "KH-7", "district"),
        ("Kampot Municipality", "KH-7", "municipality"),
        ("Chhuk", "KH-7", "district"),
        ("Ta Khmau", "KH-8", "municipality"),
        ("Kien Svay", "KH-8", "district"),
        ("Ang Snuol", "KH-8", "district"),
        ("Khemara Phoumin", "KH-9", "municipality"),
        ("Chitr Borei", "KH-10", "district"),
        ("Sen Monorom", "KH-11", "municipality"),
        ("Khan Chamkar Mon", "KH-12", "khan"),
        ("Khan Dangkao", "KH-12", "khan"),
        ("Khan Sen Sok", "KH-12", "khan"),
        ("Khan Daun Penh", "KH-12", "khan"),
        ("Khan Meanchey", "KH-12", "khan"),
        ("Khan Por Senchey", "KH-12", "khan"),
        ("Tbaeng Mean Chey", "KH-13", "district"),
        ("Peam Ro", "KH-14", "district"),
        ("Bakan", "KH-15", "district"),
        ("Banlung", "KH-16", "municipality"),
        ("Siem Reap Municipality", "KH-17", "municipality"),
        ("Kralanh", "KH-17", "district"),
        ("Angkor Thom", "KH-17", "district"),
        ("Puok", "KH-17", "district"),
        ("Prey Nob", "KH-18", "district"),
        ("Stung Treng Municipality", "KH-19", "municipality"),
        ("Bavet", "KH-20", "municipality"),
        ("Svay Rieng Municipality", "KH-20", "municipality"),
        ("Bati", "KH-21", "district"),
        ("Doun Kaev", "KH-21", "municipality"),
        ("Samraong Municipality", "KH-22", "municipality"),
        ("Ponhea Kraek", "KH-25", "district"),
        ("Memot", "KH-25", "district"),
        ("Suong", "KH-25", "municipality"),
    ],
)
def test_districts_municipalities_and_khans_resolve_to_their_province(text, code, district_type):
    [mention] = find_places(f"Officials of {text} attended.")
    assert (mention.kind, mention.province_code, mention.district_type) == ("district", code, district_type)
    assert mention.text == text


def test_matching_ignores_case_hyphens_and_spacing_and_respects_word_boundaries():
    text = "Kampong-Cham, KAMPONG  CHAM, Kg. Cham and Kompong Cham; Kampotian and Kepler are not places."
    mentions = find_places(text)
    assert [m.text for m in mentions] == ["Kampong-Cham", "KAMPONG  CHAM", "Kg. Cham", "Kompong Cham"]
    assert {m.province_code for m in mentions} == {"KH-3"}
    assert all(text[m.start : m.end] == m.text for m in mentions)


def test_a_district_named_like_a_common_word_needs_its_unit_word():
    text = "Oral District gave oral rehydration salts to 300 children; Srok Oral has no clinic."
    mentions = find_places(text)
    assert [m.text for m in mentions] == ["Oral District", "Srok Oral"]
    assert {m.province_code for m in mentions} == {"KH-5"}


def test_the_longest_name_wins():
    mentions = find_places("Siem Reap Municipality, Siem Reap, Preah Sihanouk and Banteay Meanchey")
    assert [(m.text, m.kind, m.province_code) for m in mentions] == [
        ("Siem Reap Municipality", "district", "KH-17"),
        ("Siem Reap", "province", "KH-17"),
        ("Preah Sihanouk", "province", "KH-18"),
        ("Banteay Meanchey", "province", "KH-1"),  # not the Phnom Penh khan Mean Chey
    ]


def test_a_name_shared_by_two_provinces_needs_its_qualifier():
    assert find_places("Samraong") == []
    assert [m.province_code for m in find_places("Samraong District and Krong Samraong")] == ["KH-21", "KH-22"]


def test_a_bare_name_shared_with_a_municipality_is_the_province():
    [bare, qualified] = find_places("Battambang and Battambang City")
    assert (bare.kind, bare.province_code) == ("province", "KH-2")
    assert (qualified.kind, qualified.district_type, qualified.province_code) == ("district", "municipality", "KH-2")


# --- province attribution ----------------------------------------------------------------------------------------

VARIANTS = [
    ("Kompong Cham", "KH-3"), ("Kg. Cham", "KH-3"), ("Kampong Chaam", "KH-3"),
    ("Kompong Chhnang", "KH-4"), ("Kampong Spueu", "KH-5"), ("Kampong Thum", "KH-6"), ("Kompong Thom", "KH-6"),
    ("Sihanoukville", "KH-18"), ("Kampong Som", "KH-18"), ("Kompong Som", "KH-18"),
    ("Rattanakiri", "KH-16"), ("Ratanakiri", "KH-16"), ("Ratanak Kiri", "KH-16"), ("Rotanak Kiri", "KH-16"),
    ("Mondulkiri", "KH-11"), ("Mondol Kiri", "KH-11"), ("Mondolkiri", "KH-11"),
    ("Steung Treng", "KH-19"), ("Stoeng Treng", "KH-19"), ("Stueng Treng", "KH-19"), ("Stung Treng", "KH-19"),
    ("Otdar Meanchey", "KH-22"), ("Oddar Meanchey", "KH-22"), ("Otdar Mean Chey", "KH-22"),
    ("Tboung Khmum", "KH-25"), ("Tbong Khmum", "KH-25"),
    ("Kracheh", "KH-10"), ("Kratié", "KH-10"), ("Pouthisat", "KH-15"), ("Pousat", "KH-15"),
    ("Takev", "KH-21"), ("Takeo", "KH-21"), ("Batdambang", "KH-2"), ("Battambang", "KH-2"),
    ("Banteay Mean Chey", "KH-1"), ("Krong Kep", "KH-23"), ("Kaeb", "KH-23"), ("Krong Pailin", "KH-24"),
    ("Koh Kong", "KH-9"), ("Kaoh Kong", "KH-9"), ("Siemreap", "KH-17"), ("Siem Reab", "KH-17"),
    ("Svaay Rieng", "KH-20"), ("Kandaal", "KH-8"), ("Prey Veaeng", "KH-14"), ("Preah Vihear", "KH-13"),
    ("Kampot", "KH-7"), ("Phnom Penh", "KH-12"),
]


@pytest.mark.parametrize(("spelling", "code"), VARIANTS)
def test_each_spelling_of_a_province_resolves_to_its_code(spelling, code):
    attribution = attribute_document(make_document(heading(f"{spelling} Provincial Administration"), BODY))
    assert attribution.province_code == code
    assert attribution.province == province_by_code(code).name
    assert attribution.province_evidence == f"title: '{spelling} Provincial Administration'"


def test_provincial_report_with_title_and_year():
    document = make_document(
        heading("Kampot Provincial Administration"),
        heading("Report on the 2020 Work Review Results and 2021 Goal Setting"),
        BODY,
        source_file="kampot_2020_review_final.pdf",
    )
    attribution = attribute_document(document)
    assert (attribution.province_code, attribution.province, attribution.level) == ("KH-7", "Kampot", "province")
    assert attribution.report_year == 2020
    assert attribution.title == "Report on the 2020 Work Review Results and 2021 Goal Setting"
    assert attribution.unresolved == []


def test_khan_report_is_phnom_penh_at_khan_level():
    attribution = attribute_document(
        make_document(heading("Khan Chamkar Mon Administration"), heading("Annual Report 2020"), BODY)
    )
    assert (attribution.province_code, attribution.level) == ("KH-12", "khan")


def test_capital_report_is_capital_level():
    attribution = attribute_document(
        make_document(heading("Phnom Penh Capital Administration"), heading("Results of Work in 2020"), BODY)
    )
    assert (attribution.province_code, attribution.level) == ("KH-12", "capital")


def test_district_named_without_its_province_resolves_through_the_district_table():
    attribution = attribute_document(
        make_document(heading("Board of Governors of Kampong Trach District"), heading("Annual Report 2020"), BODY)
    )
    assert (attribution.province_code, attribution.province, attribution.level) == ("KH-7", "Kampot", "district")
    assert attribution.province_evidence == "title: 'Board of Governors of Kampong Trach District'"


def test_district_letterhead_under_its_province_is_district_level():
    attribution = attribute_document(
        make_document(
            heading("Kampot Province"),
            heading("Chhuk District Administration"),
            heading("Report on the Results of Work in 2020 and Directions for 2021"),
            BODY,
        )
    )
    assert (attribution.province_code, attribution.level) == ("KH-7", "district")


def test_municipal_report_is_municipality_level():
    attribution = attribute_document(
        make_document(heading("Siem Reap Municipal Administration"), heading("Annual Report 2020"), BODY)
    )
    assert (attribution.province_code, attribution.level) == ("KH-17", "municipality")


def test_working_group_assigned_to_a_province():
    attribution = attribute_document(
        make_document(
            heading("Ministry of Interior"),
            heading("National-Level Working Group of the Ministry of Interior assigned to Kratie Province"),
            heading("Report on the Results of Work in 2020"),
            "Phnom Penh, 20 January 2021",
            BODY,
        )
    )
    assert (attribution.province_code, attribution.level, attribution.report_year) == ("KH-10", "working_group", 2020)


def test_file_name_is_the_last_resort():
    attribution = attribute_document(
        make_document(heading("Annual Report 2020"), BODY, source_file="2021/kampong_trach-district_2020.docx")
    )
    assert attribution.province_code == "KH-7"
    assert attribution.level == "district"
    assert attribution.province_evidence == "file name: '2021/kampong_trach-district_2020.docx'"


def test_body_mentions_of_another_province_do_not_override_the_letterhead():
    body = paragraph(
        "Migrant workers returned from Thailand via Banteay Meanchey; Banteay Meanchey health teams screened "
        "them and Banteay Meanchey police escorted the buses."
    )
    attribution = attribute_document(
        make_document(heading("Kampot Provincial Administration"), heading("Annual Report 2020"), body, BODY)
    )
    assert attribution.province_code == "KH-7"


def test_the_body_decides_when_the_header_names_no_place():
    body = paragraph("Chhuk district and Kampot municipality repaired 12 km of road; Kep sent two engineers.")
    attribution = attribute_document(make_document(heading("Annual Report 2020"), body, BODY))
    assert attribution.province_code == "KH-7"
    assert attribution.province_evidence == "body: 2 mentions of Kampot places"


def test_memo_sender_wins_over_the_addressee():
    attribution = attribute_document(
        make_document(
            heading("MEMO"),
            "To: H.E. Minister of Interior, Ministry of Interior",
            "Through: H.E. Governor of Kampot Province",
            "From: Kep Provincial Administration",
            "Subject: Report on the results of work in 2020",
            BODY,
        )
    )
    assert attribution.province_code == "KH-23"
    assert attribution.province_evidence == "from: 'Kep Provincial Administration'"
    assert attribution.title == "Report on the results of work in 2020"
    assert attribution.level == "province"


def test_memo_addressed_to_a_province_is_not_attributed_to_it():
    attribution = attribute_document(make_document("To: Kampot Provincial Administration", BODY))
    assert attribution.province_code is None
    assert "province" in attribution.unresolved


def test_no_evidence_leaves_everything_unresolved_instead_of_guessing():
    attribution = attribute_document(make_document(BODY, source_file="scan0001.pdf"))
    assert (attribution.province_code, attribution.province, attribution.province_evidence) == (None, None, None)
    assert attribution.unresolved == ["province", "report_year", "level", "title"]


def test_an_even_split_is_left_unresolved_but_a_later_tier_can_break_it():
    header = heading("Joint Report of Kampot Province and Takeo Province on the Results of Work in 2020")
    split = attribute_document(make_document(header, BODY, source_file="joint.pdf"))
    assert split.province_code is None and "province" in split.unresolved

    broken = attribute_document(make_document(header, BODY, source_file="takeo/joint.pdf"))
    assert broken.province_code == "KH-21"
    assert broken.province_evidence == "file name: 'takeo/joint.pdf' (the title named Kampot / Takeo)"


# --- report year and title ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("2020 Work Review Results and 2021 Goal Setting", 2020),
        ("Results of Work in 2020", 2020),
        ("Annual Report 2020", 2020),
        ("Report for the Year 2019", 2019),
        ("Review of the Implementation in 2020 and Directions for 2021", 2020),
        ("Report on Achievements in 2021 and Plans for 2022", 2021),
        ("Report 2020", 2020),
    ],
)
def test_report_year_is_the_year_under_review(title, year):
    attribution = attribute_document(
        make_document(heading("Kampot Provincial Administration"), heading(title), "Kampot, 15 January 2021", BODY)
    )
    assert attribution.report_year == year


def test_report_year_from_the_body_when_the_title_has_none():
    body = paragraph("This report presents the results of work in 2019 and sets goals for the coming year.")
    attribution = attribute_document(make_document(heading("Kampot Provincial Administration"), body, BODY))
    assert attribution.report_year == 2019


def test_report_year_unresolved_when_no_year_is_written():
    attribution = attribute_document(make_document(heading("Kampot Provincial Administration"), BODY))
    assert attribution.report_year is None
    assert attribution.unresolved == ["report_year"]


def test_title_skips_the_royal_letterhead_and_joins_a_title_split_over_lines():
    attribution = attribute_document(
        make_document(
            heading("Takeo Provincial Administration"),
            heading("REPORT"),
            heading("ON THE RESULTS OF WORK IN 2020"),
            heading("AND DIRECTIONS FOR 2021"),
            heading("I. INTRODUCTION"),
            BODY,
        )
    )
    assert attribution.title == "REPORT ON THE RESULTS OF WORK IN 2020 AND DIRECTIONS FOR 2021"
    assert (attribution.province_code, attribution.report_year) == ("KH-21", 2020)


def test_a_long_report_full_of_other_places_keeps_its_letterhead_province():
    # Its speed is measured in benchmarks/ (normalize stage), not timed here: a test clock on a shared machine lies.
    blocks = [heading("Kampot Provincial Administration"), heading("Annual Report 2020")]
    blocks += [paragraph(f"Chhuk district repaired {n} km of road near Kampong Trach and Kep.") for n in range(3000)]
    attribution = attribute_document(make_document(*blocks))
    assert attribution.province_code == "KH-7"


def test_khmer_names_with_their_unit_prefixes():
    mentions = find_places("រដ្ឋបាលខេត្ត\u200bកំពត ក្រុងបាត់ដំបង ស្រុកពួក ខណ្ឌមានជ័យ រាជធានីភ្នំពេញ ខេត្ត កែប")
    assert [(m.text, m.province_code, m.district_type) for m in mentions] == [
        ("ខេត្ត\u200bកំពត", "KH-7", None),
        ("ក្រុងបាត់ដំបង", "KH-2", "municipality"),
        ("ស្រុកពួក", "KH-17", "district"),
        ("ខណ្ឌមានជ័យ", "KH-12", "khan"),
        ("រាជធានីភ្នំពេញ", "KH-12", None),
        ("ខេត្ត កែប", "KH-23", None),
    ]


def test_short_khmer_names_need_their_prefix_and_a_cluster_edge():
    # "ពួកគេ" (they) holds the district name ពួក, "កែប្រែ" (to amend) the province name កែប
    assert find_places("ពួកគេបានកែប្រែផែនការ។") == []
    # "បន្ទាយមានជ័យ" is the province, not the khan "មានជ័យ" inside it
    assert [m.name for m in find_places("ខេត្តបន្ទាយមានជ័យ")] == ["Banteay Meanchey"]


def test_a_khmer_letterhead_and_title_decide_province_level_and_year():
    document = make_document(
        "ព្រះរាជាណាចក្រកម្ពុជា",
        "ជាតិ សាសនា ព្រះមហាក្សត្រ",
        "រដ្ឋបាលស្រុកបាធាយ",
        "របាយការណ៍ស្តីពីលទ្ធផលការងារឆ្នាំ ២០១៩ និងទិសដៅការងារឆ្នាំ ២០២០",
        "ក្នុងឆ្នាំ ២០១៩ រដ្ឋបាលស្រុកបានសហការជាមួយមន្ទីរពាក់ព័ន្ធនៃខេត្តតាកែវ ក្នុងការស្ថាបនាផ្លូវជនបទ។",
    )
    attribution = attribute_document(document)
    assert (attribution.province_code, attribution.level, attribution.report_year) == ("KH-3", "district", 2019)
