import json
from pathlib import Path

import pandas as pd
import pytest
from record_fixtures import DocumentRecord, QuantityRecord, statement_record

from pipeline import store
from pipeline.evaluate_quantities import evaluate_quantities
from pipeline.flags import statement_flags
from pipeline.process import DocumentResult, process_file
from pipeline.quantities import find_quantities, summarize, target_year
from pipeline.read import read_document


def only(text: str) -> tuple[float | None, str]:
    (quantity,) = find_quantities(text)
    return quantity.value, quantity.unit


def units(text: str) -> list[tuple[float | None, str]]:
    return [(q.value, q.unit) for q in find_quantities(text)]


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("drilled twenty-five wells", 25, "wells"),
        ("one hundred and twelve families", 112, "families"),
        ("1.5 million people", 1_500_000, "people"),
        ("2,350 ha", 2350, "ha"),
        ("45%", 45, "percent"),
        ("a rise of 45 per cent", 45, "percent"),
        ("USD 2.3 million", 2_300_000, "usd"),
        ("US$ 640,000", 640_000, "usd"),
        ("9.6 billion riel", 9_600_000_000, "riel"),
        ("KHR 7.5 billion", 7_500_000_000, "riel"),
        ("6,000 million Riels", 6_000_000_000, "riel"),
        ("12 km", 12, "km"),
        ("twenty-three kilometres", 23, "km"),
        ("3,450 households", 3450, "households"),
        ("0.5 ha", 0.5, "ha"),
        ("8,400 hectares", 8400, "ha"),
        ("1,200 metres", 1200, "m"),
        ("41,200 tonnes", 41200, "tonnes"),
        ("96,341 returning migrant workers", 96341, "people"),
        ("398 suspects", 398, "people"),
        ("38,112 IDPoor households", 38112, "households"),
        ("27 land dispute cases", 27, "cases"),
        ("three new lower secondary schools", 3, "schools"),
        ("Fifty-six classrooms", 56, "classrooms"),
        ("two new health centres", 2, "health_centres"),
        ("64 communes and sangkats", 64, "communes"),
        ("310 commune councillors and village chiefs", 310, "people"),
        ("23 road and culvert projects", 23, "projects"),
        ("46,000 methamphetamine tablets", 46_000, "count"),
    ],
)
def test_values_and_units_are_normalised(text, value, unit):
    assert only(text) == (value, unit)


@pytest.mark.parametrize(
    "text",
    [
        "The plan was approved in 2020 and runs by 2023.",
        "Sub-Decree No. 215 on the organisation of provincial administrations, Article 5.",
        "Phase 2 of the project started on 28 November.",
        "Heavy rain on 11–14 October flooded National Roads 1, 2 and 21 and Street 271.",
        "The 2021-2025 plan covers COVID-19 prevention.",
        "Returnees completed fourteen days of quarantine within 24 hours of arrival.",
        "The One Window Service Office is one of the best; it ranked 1st.",
        "Police seized 8.2 kg of drugs; yields reached 3.4 tonnes per hectare.",
    ],
)
def test_years_dates_references_and_durations_are_not_quantities(text):
    assert find_quantities(text) == []


def test_spans_point_at_the_quantity_text():
    text = "The province paid 24.9 billion riel to 38,112 IDPoor households and repaired 46 km of roads."
    quantities = find_quantities(text)
    assert [text[q.start : q.end] for q in quantities] == [q.text for q in quantities]
    assert [q.text for q in quantities] == ["24.9 billion riel", "38,112 IDPoor households", "46 km"]
    assert summarize(quantities) == "24900000000 riel; 38112 households; 46 km"


def test_a_bare_number_takes_its_unit_from_the_sentence():
    assert units("Deaths fell to 67 people, down from 89 in 2019.") == [
        (67, "people"), (89, "people")
    ]
    assert only("The number of visitors fell to 41,300.") == (41_300, "people")
    assert [q.unit for q in find_quantities("Built 3 to 5 km of drains.")] == ["km", "km"]


def test_table_rows_take_the_unit_and_scale_of_their_label():
    rows = {
        "Rural roads repaired (km) | 120 | 138 | Exceeded": [(120, "km"), (138, "km")],
        "Own-source revenue (million riel) | 5,800 | 4,950 | Below target": [(5.8e9, "riel"), (4.95e9, "riel")],
        "Education | New classrooms built | 24": [(24, "classrooms")],
    }
    for row, expected in rows.items():
        assert units(row) == expected


def test_a_unit_column_gives_the_row_its_unit():
    footpaths = find_quantities("Footpaths paved | km | 2.5 | 3.0")
    assert [(q.value, q.unit) for q in footpaths] == [(2.5, "km"), (3.0, "km")]
    assert [q.unit for q in find_quantities("Pond desilting | m | 900 | 750 | Rain stopped work")] == ["m", "m"]


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("The office paid pensions to 812 retirees and war widows.", "people"),
        ("Some 40 veterans in remote villages still collect their allowance in cash.", "people"),
        ("The hospital took on four surgeons and two specialists.", "people"),
        ("Mobile teams checked the blood sugar of 1,530 adults.", "people"),
        ("Nine hundred candidates sat the lower secondary exam.", "people"),
        ("The commune hired 35 street cleaners for the festival.", "people"),
        ("The province welcomed 58 newly qualified nurses.", "people"),
        ("Police made 27 arrests for illegal logging.", "cases"),
        ("Motorbike thefts fell to 44.", "cases"),
        ("The water office drilled 18 boreholes.", "wells"),
    ],
)
def test_nouns_for_people_cases_and_wells_give_their_unit(text, unit):
    assert {q.unit for q in find_quantities(text)} == {unit}


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Seven farmer cooperatives signed contracts with the rice mills.", "count"),
        ("Twelve school latrines were rebuilt.", "count"),
        ("Only two of the six sangkat offices have an internet line.", "count"),
        ("Three village roads were flooded.", "count"),
        ("All 48 commune councils approved their investment plans.", "communes"),
        ("Eleven school buildings were painted.", "schools"),
        ("Students given scholarships | 640 | 655", "people"),
    ],
)
def test_the_head_noun_decides_the_unit_not_a_modifier(text, unit):
    assert {q.unit for q in find_quantities(text)} == {unit}


def test_a_figure_in_hundreds_of_millions_with_no_unit_is_riel():
    budget = find_quantities("Repairs to the district hall | 845,500,000 | 790,120,000 | 93.4%")
    assert [(q.value, q.unit) for q in budget] == [(845500000, "riel"), (790120000, "riel"), (93.4, "percent")]
    assert [q.unit for q in find_quantities("Water supply schemes | 2,310,000,000 | 2,050,000,000")] == ["riel", "riel"]
    assert [q.unit for q in find_quantities("Visitors to the temples | 1,450,000 | 1,615,000")] == ["people", "people"]
    assert [q.unit for q in find_quantities("Spent on culverts: 250,000,000 USD.")] == ["usd"]


def test_vague_or_malformed_amounts_are_kept_without_a_value():
    assert only("several dozen families were moved") == (None, "families")
    assert only("hundreds of households") == (None, "households")
    assert only("2,35 people") == (None, "people")
    reasons = statement_flags(kind="achievement", confidence=0.9, section_kind="achievements", word_count=10,
                              document_unresolved=[], partial_document=False, unnormalised_quantity=True)
    assert reasons == ["quantity_unnormalised"]


@pytest.mark.parametrize(
    "text, report_year, expected",
    [
        ("Repair 138 km of roads by 2023.", 2020, 2023),
        ("Increase revenue by 10% in 2021 compared with 2020.", 2020, 2021),
        ("Prepare the budget for the 2021 fiscal year.", 2020, 2021),
        ("Rehabilitate the canals during 2021–2023.", 2020, 2023),
        ("Complete the market next year.", 2020, 2021),
        ("Restore arrivals to 50% of the 2019 level.", 2020, None),
        ("Restore arrivals to 50% of the 2019 level.", None, None),
        ("Complete the market next year.", None, None),
        ("Keep the quarantine centres ready.", 2020, None),
    ],
)
def test_target_years(text, report_year, expected):
    assert target_year(text, report_year) == expected


def test_a_goal_without_a_year_takes_the_year_of_its_section():
    assert target_year("Drill 40 wells.", 2020, ("", "III. GOALS FOR 2021")) == 2021
    assert target_year("Drill 40 wells by 2022.", 2020, ("", "III. GOALS FOR 2021")) == 2022


def test_processing_a_report_fills_quantities_sectors_and_target_years(tmp_path: Path):
    report = tmp_path / "kampot_2020.txt"
    report.write_text(
        "KAMPOT PROVINCIAL ADMINISTRATION\nReport on the results of work in 2020\n\n"
        "I. ACHIEVEMENTS IN 2020\n\n"
        "The provincial department built 46 new classrooms for 1,200 students.\n\n"
        "II. GOALS FOR 2021\n\n"
        "The province will drill 150 wells in remote villages.\n",
        encoding="utf-8",
    )
    result = process_file(report, report.name)
    by_text = {row.text: row for row in result.statements}
    built = by_text["The provincial department built 46 new classrooms for 1,200 students."]
    assert built.quantities == "46 classrooms; 1200 people"
    assert built.sector == "education"
    goal = by_text["The province will drill 150 wells in remote villages."]
    assert (goal.kind, goal.target_year, goal.sector) == ("goal", 2021, "water_irrigation")
    text = read_document(report, report.name).text  # spans are in the extracted text, like statements'
    assert {q.text: text[q.char_start : q.char_end] for q in result.quantities} == {
        "46 new classrooms": "46 new classrooms", "1,200 students": "1,200 students", "150 wells": "150 wells"
    }


def quantity_result(source: str, doc_id: str, value: float) -> DocumentResult:
    document = DocumentRecord(doc_id, source, "txt", report_year=2020)
    statement = statement_record(
        "s1", doc_id, source, f"Repaired {value:g} km of roads.", province_code=None, province=None,
        quantities=f"{value:g} km",
    )
    quantity = QuantityRecord("s1", doc_id, source, value, "km", f"{value:g} km", 9, 14)
    return DocumentResult(document, [statement], quantities=[quantity])


def test_the_store_keeps_the_current_quantities_and_exports_them(tmp_path: Path):
    con = store.connect(tmp_path)
    store.save_document(con, quantity_result("a.txt", "h1", 12))
    store.save_document(con, quantity_result("a.txt", "h2", 14))  # a new version replaces the old quantities
    assert con.execute("SELECT value FROM current_quantities").fetchall() == [(14.0,)]
    assert con.execute("SELECT count(*) FROM quantities").fetchall() == [(2,)]  # history is kept
    paths = store.export(con, tmp_path)
    exported = pd.read_csv(paths["quantities_csv"])
    assert exported[["source_file", "value", "unit", "text"]].values.tolist() == [["a.txt", 14.0, "km", "14 km"]]
    assert pd.read_csv(paths["statements_csv"])["quantities"].tolist() == ["14 km"]


def test_quantity_evaluation_scores_values_and_units(tmp_path: Path):
    gold = tmp_path / "gold"
    gold.mkdir()
    statement = "Repaired 12 km of roads and built 3 bridges for 40 families."
    (gold / "documents.jsonl").write_text(json.dumps({"document": "a.txt", "split": "test"}) + "\n")
    (gold / "statements.jsonl").write_text(json.dumps({"document": "a.txt", "label": "achievement",
                                                       "text": statement}) + "\n")
    (gold / "quantities.jsonl").write_text("".join(
        json.dumps({"document": "a.txt", "statement": statement, "text": t, "value": v, "unit": u}) + "\n"
        for t, v, u in [("12 km", 12, "km"), ("3 bridges", 3, "count"), ("40 families", 40, "families")]
    ))
    out = tmp_path / "out"
    out.mkdir()
    pd.DataFrame([{"statement_id": "s1", "source_file": "reports/a.txt", "kind": "achievement", "text": statement}]
                 ).to_parquet(out / "statements.parquet")
    pd.DataFrame([("s1", 12.0, "km"), ("s1", 3.0, "households"), ("s1", 7.0, "count")],
                 columns=["statement_id", "value", "unit"]).to_csv(out / "quantities.csv", index=False)
    score = evaluate_quantities(gold, out, split="test")["test"].to_dict()
    assert (score["precision_value"], score["recall_value"]) == (2 / 3, 2 / 3)
    assert (score["precision_value_unit"], score["recall_value_unit"]) == (1 / 3, 1 / 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The commune aims to register half of the unregistered land plots by 2025.", [(50, "percent")]),
        ("Rice exports fell by about a third after the border closed.", [(33.3, "percent")]),
        ("Three quarters of the pupils passed the grade 9 exam.", [(75, "percent")]),
        ("One family in five still draws water from an open pond.", [(20, "percent")]),
        ("Land disputes in the district doubled.", [(2, "count")]),
        ("The fair drew twice as many buyers as in 2022.", [(2, "count")]),
    ],
)
def test_shares_and_multiples_written_in_words_are_quantities(text, expected):
    assert units(text) == expected


def test_a_half_year_and_a_number_of_times_are_not_shares():
    assert find_quantities("Collection improved in the second half of the year.") == []
    assert [q.text for q in find_quantities("The market road flooded twice in October.")] == []


def test_n_more_than_and_n_of_the_named_group_count_what_that_group_counts():
    assert units("The clinic trained 40 midwives, 12 more than planned.") == [(40, "people"), (12, "people")]
    assert units("Night classes now run in 14 schools, three more than in 2022.") == [(14, "schools"), (3, "schools")]
    assert units("Eight of our villages lost their bridge.") == [(8, "villages")]
    assert units("Solar lamps reached 30 of the remote schools.") == [(30, "schools")]


def test_a_bare_number_takes_its_unit_from_a_label_a_named_group_or_the_level_its_subject_reached():
    assert units("Thefts reported in the market area: 17.") == [(17, "cases")]
    assert units("Farming households with a cattle bank loan: 640, of which 85 joined this year.") == [
        (640, "households"), (85, "households")
    ]
    assert units("Many fishermen came to the meeting, and 23 of them signed the petition.") == [(23, "people")]
    assert units("Road accidents fell from 35 to 20.") == [(35, "cases"), (20, "cases")]
    assert units("Dengue patients in the ward stood at about 60.") == [(60, "people")]


def test_ages_and_their_ranges_are_not_amounts_but_a_limit_of_cases_is_and_a_month_takes_only_a_day():
    assert units("Anaemia among girls under twelve remained high at 19%.") == [(19, "percent")]
    assert units("Free check-ups reached 880 pupils aged ten to fourteen.") == [(880, "people")]
    assert units("Keep the number of traffic accidents below 40.") == [(40, "cases")]
    assert units("By June 64.5% of the fishing lots were registered.") == [(64.5, "percent")]
    assert units("The fair opened on June 14 with 35 stalls.") == [(35, "count")]


def test_coordinated_plural_heads_a_verb_modifier_before_a_counted_noun_and_t_for_tonnes():
    assert units("Voters met in 9 temples and schools.") == [(9, "count")]
    assert units("The office hired six visiting nurses.") == [(6, "people")]
    assert units("The dump took 3.5 t of plastic.") == [(3.5, "tonnes")]


def test_a_row_label_naming_an_action_on_something_counts_that_something():
    assert units("Screening of pregnant women | 900 | 1,020") == [
        (900, "people"), (1020, "people")
    ]
    assert [q.unit for q in find_quantities("Rate of pupils passing grade 6 | 80 | 84")] == ["count", "count"]


def test_a_number_in_words_after_grade_or_phase_names_it():
    found = find_quantities("Many girls leave school after grade five, 40 of them in 2020.")
    assert [(q.value, q.unit) for q in found] == [(40, "people")]
