"""Every quantity knows what it is (work done, plan, stock, part, change, damage, baseline) and what it counts, and
the national summary adds only work done, like with like."""

import re

import pytest

from pipeline import store, summarize
from pipeline.cookbook import saved_queries
from pipeline.dataset import load_dataset
from pipeline.process import process_file
from pipeline.quantities import find_quantities
from pipeline.query import run_query
from pipeline.summary_quantities import KEY_QUANTITIES, is_key_quantity


def roles(text: str, kind: str = "achievement") -> list[tuple[float | None, str, str]]:
    return [(q.value, q.unit, q.role) for q in find_quantities(text, kind)]


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        (
            "The health office upgraded four health posts, raising the total to 61 health centres.",
            "achievement",
            [(4, "health_centres", "output"), (61, "health_centres", "total")],
        ),
        ("All 38 health centres received oxygen concentrators.", "achievement", [(38, "health_centres", "total")]),
        (
            "The committee screened all 2,150 migrants who came back from Thailand.",
            "achievement",
            [(2150, "people", "output")],
        ),
        (
            "Storms destroyed 14 km of laterite road and 6 bridges in Sandan district.",
            "challenge",
            [(14, "km", "affected"), (6, "count", "affected")],
        ),
        (
            "About 3,700 garment workers lost their jobs when two factories shut down.",
            "challenge",
            [(3700, "people", "affected"), (2, "count", "affected")],
        ),
        (
            "The district rebuilt 9 km of road damaged by the floods.",
            "achievement",
            [(9, "km", "output")],
        ),
        (
            "The office handled 2,400 requests, of which 2,310 were settled on time.",
            "achievement",
            [(2400, "count", "output"), (2310, "count", "part")],
        ),
        (
            "Teams resolved 41 land disputes out of 66 cases filed.",
            "achievement",
            [(41, "cases", "part"), (66, "cases", "output")],
        ),
        (
            "The unit received 33 complaints and settled twenty-eight through mediation.",
            "achievement",
            [(33, "cases", "output"), (28, "cases", "part")],
        ),
        (
            "Road deaths dropped to 54 people, down from 71 a year earlier.",
            "achievement",
            [(54, "people", "affected"), (71, "people", "baseline")],
        ),
        ("Rice exports to Vietnam fell by 22% compared with 2019.", "challenge", [(22, "percent", "change")]),
        (
            "The province collected KHR 12.4 billion against an annual target of KHR 15 billion.",
            "achievement",
            [(12.4e9, "riel", "output"), (15e9, "riel", "target")],
        ),
        ("Pave 25 km of urban streets and build 3 markets.", "goal", [(25, "km", "target"), (3, "count", "target")]),
        (
            "Rural roads repaired (km) | 75 | 81 | includes 12 km of concrete road",
            "achievement",
            [(75, "km", "target"), (81, "km", "output"), (12, "km", "part")],
        ),
        (
            "Latrine coverage in rural villages reached 64% of households.",
            "achievement",
            [(64, "percent", "total")],
        ),
    ],
)
def test_each_quantity_gets_the_role_its_sentence_gives_it(text, kind, expected):
    assert roles(text, kind) == [(pytest.approx(value), unit, role) for value, unit, role in expected]


def test_a_quantity_knows_what_it_counts_its_period_and_whether_it_is_cumulative():
    built, part, canals, total = find_quantities(
        "Between January and June the province paved 44 km of rural roads, including 12 km of concrete road; "
        "it also dug 16 km of irrigation canals, bringing the total to 310 km of canals."
    )
    assert (built.object, part.object, canals.object, total.object) == ("road", "road", "canal", "canal")
    assert built.period == "Between January and June" and not built.cumulative
    assert total.role == "total" and total.cumulative
    (classrooms,) = find_quantities("The education office built 17 new classrooms in 2020.")
    assert (classrooms.object, classrooms.period) == ("classroom", "in 2020")
    (row,) = find_quantities("Wells drilled | 40")
    assert (row.value, row.unit, row.object) == (40, "wells", "well")


def test_a_level_reached_keeps_its_role_and_carries_the_values_it_moved_from_and_to():
    coverage, before = find_quantities("Waste collection covered 91% of homes, up from 83% in 2019.")
    assert (coverage.role, coverage.change_from, coverage.change_to) == ("output", 83, 91)
    assert before.role == "baseline"
    permits, earlier = find_quantities("Construction permits issued rose to 214, up from 173 in 2019.")
    assert (permits.role, earlier.role, permits.change_from, permits.change_to) == ("output", "baseline", 173, 214)
    (fall,) = find_quantities("Traffic accidents fell to 143.")
    assert (fall.role, fall.change_from, fall.change_to) == ("affected", None, 143)
    rate, goal = find_quantities("Vaccination coverage went up from 45% to 60%.")
    assert (rate.role, goal.role, goal.change_from, goal.change_to) == ("baseline", "output", 45, 60)
    (drop,) = find_quantities("Tourist arrivals fell by 64%.")
    assert (drop.role, drop.change_from, drop.change_to) == ("change", None, None)


def test_an_age_is_not_a_quantity():
    assert roles("Cash support reached 1,200 households, including 310 households with children under five.") == [
        (1200, "households", "output"),
        (310, "households", "part"),
    ]


# --- the summary adds like with like --------------------------------------------------------------------------

PROVINCIAL_REPORT = """# Kampong Speu Provincial Administration

## Report on the Results of Work in 2020 and the Goals for 2021

## I. Achievements in 2020

- The health department upgraded three more health posts into health centres, bringing the total to 85 health centres.
- All 47 health centres of the province were equipped with hand-washing stations and thermometers.
- The department of rural development built or repaired 121 km of rural roads, including 37 km of laterite road.
- The province repaired 33 km of rural roads, where the October floods had damaged 58 km of road.
- Cash transfers reached 6,912 IDPoor households, including 2,305 households with children under two.
- The department of water resources rehabilitated 19 canals, 64 km long, and cleaned 5 km of drains.
- Clean water now reaches 14 schools that had none.

| Indicator | Plan 2020 | Result 2020 | Remark |
|---|---|---|---|
| Rural roads repaired (km) | 110 | 121 | Includes 20 km repaired after the floods |

## II. Challenges

- Some flood-damaged roads in Phnum Sruoch district are still waiting for repair.
"""


@pytest.fixture(scope="module")
def role_summary(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roles")
    report = folder / "kampong_speu_provincial_report_2020.md"
    report.write_text(PROVINCIAL_REPORT, encoding="utf-8")
    out = folder / "data"
    con = store.connect(out)
    try:
        result = process_file(report, report.name)
        assert result.document.level == "province" and result.document.province_code == "KH-5"
        store.save_document(con, result)
        store.export(con, out)
        paths = summarize.write_summaries(con, out)
    finally:
        con.close()
    summary = summarize.build_summary(load_dataset(out))
    totals = {total.quantity.label: total.by_province[0] for total in summary.quantities}
    return totals, paths["summary_md"].read_text(encoding="utf-8"), paths["summary_html"].read_text(encoding="utf-8")


def test_a_running_total_and_a_stock_count_are_not_added_to_new_health_centres(role_summary):
    totals, markdown, _ = role_summary
    # 3 new centres; not 3 + 85 (the running total) + 47 (every centre of the province)
    assert totals["Health centres built or upgraded"]["total"] == 3
    assert "- Kampong Speu: 3 health centres (from kampong\\_speu\\_provincial\\_report\\_2020.md)" in markdown


def test_damage_and_parts_are_not_road_work_and_a_repeated_figure_counts_once_beside_its_plan(role_summary):
    totals, markdown, html = role_summary
    roads = totals["Roads built or repaired"]
    # 121 km (text, repeated in the table) + 33 km repaired; not the 37 km and 20 km parts, the 58 km of damage,
    # the 110 km plan, nor the 64 km of canals
    assert roads["total"] == 154 and sorted(source["value"] for source in roads["sources"]) == [33, 121]
    assert roads["planned"] == 110
    assert "- Kampong Speu: planned 110 km, done 154 km (from" in markdown
    assert re.search(r"Kampong Speu: planned 110 km, done 154 km from 2 statements", html)
    for source in roads["sources"]:
        assert source["statement_id"] in html


def test_households_of_a_part_are_not_added_to_its_whole(role_summary):
    totals, markdown, _ = role_summary
    assert totals["Households given cash transfers"]["total"] == 6912
    assert "- Kampong Speu: 6,912 households" in markdown


def test_a_label_counts_only_the_figures_whose_words_say_what_it_names(role_summary):
    totals, _, _ = role_summary
    # "Schools connected to clean water" are not schools built or repaired; a well not drilled is not a well drilled
    assert "Schools built or repaired" not in totals



OVERLAPPING_MEMO = """# Kampong Speu Provincial Hall

## Memo on the results of 2020

## Results in 2020

- The province repaired 121 km of rural roads in 2020.
"""


def test_of_two_reports_on_one_province_and_year_the_fullest_is_added_and_the_other_named(tmp_path):
    out = tmp_path / "data"
    con = store.connect(out)
    try:
        for name, text in (
            ("kampong_speu_provincial_report_2020.md", PROVINCIAL_REPORT),
            ("kampong_speu_memo_2020.md", OVERLAPPING_MEMO),
        ):
            report = tmp_path / name
            report.write_text(text, encoding="utf-8")
            result = process_file(report, name)
            assert result.document.level == "province" and result.document.province_code == "KH-5"
            store.save_document(con, result)
        store.export(con, out)
        paths = summarize.write_summaries(con, out)
    finally:
        con.close()
    roads = summarize.build_summary(load_dataset(out)).quantities[0].by_province[0]
    # the memo's 121 km is the report's 121 km again: 154 km, not 154 + 121
    assert roads["total"] == 154 and roads["source_file"].endswith("kampong_speu_provincial_report_2020.md")
    assert [name.rsplit("/", 1)[-1] for name in roads["left_out"]] == ["kampong_speu_memo_2020.md"]
    markdown = paths["summary_md"].read_text(encoding="utf-8")
    assert "not added, as it covers the same province and year: kampong\\_speu\\_memo\\_2020.md" in markdown
    assert "Not added" not in markdown and "kampong_speu_memo_2020.md" in paths["summary_html"].read_text("utf-8")
    # the README's cookbook query for rural road built takes the same report
    sql = next(query.sql for query in saved_queries() if "km of rural road" in query.question)
    (row,) = run_query(out, sql).itertuples()
    assert (row.province, row.km, row.figures) == ("Kampong Speu", 154, 2)
    assert row.not_added.endswith("kampong_speu_memo_2020.md") and "memo" not in row.sources


def test_a_multiple_of_an_earlier_value_is_a_change_but_a_number_of_times_is_not():
    assert roles("The temple received 128,000 visitors, nearly three times the 2022 number.") == [
        (128000, "people", "output"),
        (3, "count", "change"),
    ]
    assert roles("The council met 12 times over the year.") == [(12, "count", "output")]


@pytest.mark.parametrize(
    ("statement", "figure", "unit", "label"),
    [
        ("Forty-eight new classrooms were built and 12 schools received new toilets.", "12 schools", "schools", None),
        ("The province built 34 classrooms and two new lower secondary schools.", "two new lower secondary schools",
         "schools", "Schools built or repaired"),
        ("The province completed 42 km of laterite roads and 7.5 km of concrete roads.", "7.5 km", "km",
         "Roads built or repaired"),
        ("New classrooms | 28 classrooms in 9 schools", "9 schools", "schools", None),
        ("New classrooms | 28 classrooms in 9 schools", "28 classrooms", "classrooms", "Classrooms built or repaired"),
        ("Schools connected to clean water | 31", "31", "schools", None),
        ("Distributed rice seed to 4,600 families hit by floods.", "4,600 families", "families",
         "Families evacuated or given disaster relief"),
        ("Officers held IDPoor interviews with 7,410 households.", "7,410 households", "households", None),
        ("Cash transfers reached 41,905 poor households.", "41,905 poor households", "households",
         "Households given cash transfers"),
    ],
)
def test_a_figure_counts_under_a_label_only_if_its_words_say_what_the_label_names(statement, figure, unit, label):
    start = statement.index(figure)
    row = {"statement_text": statement, "text": figure, "char_start": 100 + start, "statement_start": 100,
           "unit": unit, "object": None}
    assert [q.label for q in KEY_QUANTITIES if is_key_quantity(row, q)] == ([label] if label else [])


def test_a_challenge_reports_what_its_problem_affects_but_a_plan_and_result_row_keeps_its_result():
    assert roles("Waste collection fell behind, and 37 complaints about rubbish reached the district hall.",
                 "challenge") == [(37, "cases", "affected")]
    assert roles("Irrigation canals cleaned | 35 km | 18 km | work stopped by the floods", "challenge") == [
        (35, "km", "target"),
        (18, "km", "output"),
    ]


def test_a_row_number_is_not_a_quantity_and_a_rate_of_plan_needs_no_unit_of_its_own():
    assert roles("3 | Plant shade trees along the main avenue | 800 trees", "goal") == [(800, "count", "target")]
    assert roles("2 | Village roads raised above flood level | 12 km | 12.4 km | 103") == [
        (12, "km", "target"),
        (12.4, "km", "output"),
        (103, "percent", "output"),
    ]


def test_who_and_what_is_counted():
    assert roles("Sangkat councils settled 27 land conflicts and sent two engineers to 13 khum.") == [
        (27, "cases", "output"),
        (2, "people", "output"),
        (13, "communes", "output"),
    ]


def test_of_n_of_the_m_the_whole_is_a_total_and_the_share_keeps_the_role_its_verb_gives_it():
    assert roles("The mediation office settled 29 of the 41 land disputes filed with it.") == [
        (29, "cases", "output"),
        (41, "cases", "total"),
    ]
    assert roles("The floods submerged nine of the ten sangkats.", "challenge") == [
        (9, "communes", "affected"),
        (10, "communes", "total"),
    ]


def test_a_level_reached_takes_the_unit_of_what_reached_it_and_names_and_ages_are_not_amounts():
    assert roles("Confirmed malaria cases fell by 58% compared with 2021, to 2,147.") == [
        (58, "percent", "change"),
        (2147, "cases", "affected"),
    ]
    assert roles("Tourist arrivals fell to about 0.5 million.", "challenge") == [(500000, "people", "output")]
    assert roles("Under Anukret 14 the krong vaccinated 98.6 per cent of residents aged over 18.") == [
        (98.6, "percent", "output")
    ]
    assert roles("Set up a scholarship of USD 60 a year for grade 7 to 9 pupils.", "goal") == [(60, "usd", "target")]
    assert roles("The district repaired roads 1 to 3 km long.") == [(3, "km", "output")]


def test_a_number_closing_a_place_name_is_not_an_amount():
    assert roles("Fires | 23, 41 houses burnt | Chak Angrae Leu, Stueng Mean Chey 1", "challenge") == [
        (23, "count", "affected"),
        (41, "count", "affected"),
    ]
    assert roles("Wells drilled in Kampot 12, in Kep 3.") == [(12, "count", "output"), (3, "count", "output")]


def test_beating_a_plan_or_an_average_by_a_margin_is_a_change():
    assert roles("The tax branch collected USD 9.6 million, which beat the annual plan by 12%.") == [
        (9600000, "usd", "output"),
        (12, "percent", "change"),
    ]
    assert roles("Adult coverage reached 97.9 per cent, 12.5 per cent above the national average.")[1] == (
        12.5, "percent", "change"
    )


def test_the_value_a_level_is_compared_with_takes_its_unit():
    assert roles("Dengue fever cases rose to 356, up from 151 the year before.", "challenge") == [
        (356, "cases", "affected"),
        (151, "cases", "baseline"),
    ]


def test_what_a_place_has_is_a_stock_and_so_are_the_people_it_serves():
    assert roles("The clinic in Roka has only three nurses for 7,500 people.", "challenge") == [
        (3, "people", "total"), (7500, "people", "total")
    ]
    assert roles("Our 9 sangkat opened Sunday service counters.") == [(9, "communes", "total")]
    assert roles("The district's 11 health centres vaccinated 4,300 children.") == [
        (11, "health_centres", "total"), (4300, "people", "output")
    ]
    assert roles("The industrial park kept 40 factories in operation, employing about 12,000 workers.")[-1] == (
        12_000, "people", "total"
    )


def test_a_combined_length_is_a_total_of_the_work_it_sums():
    assert roles("Crews cleared 23 canals with a combined length of 51.5 km.") == [
        (23, "count", "output"), (51.5, "km", "total")
    ]


def test_a_level_that_remained_high_is_a_problem():
    assert roles("The repetition rate in grade 1 remained high at 11.2%.", "challenge") == [
        (11.2, "percent", "affected")
    ]


def test_only_n_of_the_m_in_a_challenge_is_a_part_of_the_whole():
    assert roles("Only 12 of the 45 villages have a waste collection point.", "challenge") == [
        (12, "villages", "part"), (45, "villages", "total")
    ]


def test_n_more_than_the_year_before_is_a_change():
    assert roles("The office issued 2,310 permits, 420 more than the year before.") == [
        (2310, "count", "output"), (420, "count", "change")
    ]


def test_a_plan_and_result_row_ending_in_an_empty_cell_keeps_its_plan():
    assert roles("Health | Deliveries with a trained midwife | 90% | 93.4% |") == [
        (90, "percent", "target"), (93.4, "percent", "output")
    ]


def test_n_of_them_is_a_part_only_when_its_statement_names_the_whole():
    assert roles("The district office handed 212 of them a bag of rice and a cash grant.") == [
        (212, "count", "output")
    ]
    assert roles("Many fishing families lost their nets, and only 35 of them could buy new ones.", "challenge") == [
        (35, "families", "part")
    ]
    settled = roles("The commune councils settled 44 complaints out of 61 complaints received.")
    assert settled[0] == (44, "cases", "part")


def test_what_is_settled_or_resolved_is_counted_in_cases():
    assert roles("Of those, 27 were resolved by mediation in the commune halls.") == [(27, "cases", "output")]
    assert roles("The land committee settled 16 of them before the rainy season.") == [(16, "cases", "output")]
    assert roles("The court received 12 of these cases from the khan police.") == [(12, "cases", "output")]


def test_the_offices_that_did_the_work_are_a_stock_not_new_offices():
    assert roles("The nine district offices issued 4,310 birth certificates.") == [
        (9, "count", "total"), (4310, "count", "output")
    ]
    assert roles("The district opened three new health posts, serving 6,200 villagers.")[0] == (
        3, "health_centres", "output"
    )


def test_a_doubling_is_a_change():
    assert roles("Complaints about rubbish doubled after the landfill closed.") == [(2, "count", "change")]
    assert roles("Cut road deaths by a quarter before 2026.", "goal") == [(25, "percent", "target")]


def test_the_number_of_lasting_things_that_rose_to_a_level_is_a_stock():
    assert roles("The number of savings groups rose to 118, with 9 new ones this year.")[0] == (118, "count", "total")
    assert roles("Two new pre-schools opened, bringing the number of pre-schools to 31.")[1] == (31, "count", "total")
    assert roles("The number of visitors rose to 41,300.") == [(41300, "people", "output")]


def test_n_of_our_m_counts_what_the_whole_counts():
    assert roles("Only 4 of our 12 communes have a trained planning officer.", "challenge") == [
        (4, "communes", "part"), (12, "communes", "total")
    ]
    assert roles("We connected 9 of our 12 villages to the grid.") == [
        (9, "villages", "output"), (12, "villages", "total")
    ]


def test_crimes_that_happened_are_harm_and_what_was_done_about_them_is_work():
    assert roles("Commune police logged 41 thefts of water pumps, against 55 the year before.") == [
        (41, "cases", "affected"), (55, "cases", "baseline")
    ]
    assert roles("Cases of cattle theft dropped to 12 in the second half.") == [(12, "cases", "affected")]
    assert roles("The police solved 38 crimes and sent 17 cases of illegal fishing to court.") == [
        (38, "cases", "output"), (17, "cases", "output")
    ]


def test_the_level_coverage_vaccination_or_enrolment_reached_is_a_stock():
    assert roles("Measles immunisation of infants stood at 91% in June.") == [(91, "percent", "total")]
    assert roles("Lower secondary enrollment rose to 74%, from 69% in 2021.") == [
        (74, "percent", "total"), (69, "percent", "baseline")
    ]
    assert roles("The mobile teams vaccinated 88% of the children in the floating villages.") == [
        (88, "percent", "output")
    ]


def test_a_share_whose_own_words_name_the_problem_is_harm_not_a_part():
    assert roles("Measles spread to 60 infants, three of whom died.", "challenge") == [
        (60, "people", "affected"), (3, "people", "affected")
    ]
    assert roles("Fifty complaints reached the khan, and 12 of them remain open.", "challenge") == [
        (50, "cases", "affected"), (12, "cases", "affected")
    ]
    assert roles("Four of the 20 ranger posts are still vacant.", "challenge") == [
        (4, "count", "affected"), (20, "count", "total")
    ]
    assert roles("Only 6 of the 20 ranger posts have a radio.", "challenge") == [
        (6, "count", "part"), (20, "count", "total")
    ]


def test_a_part_counts_what_its_whole_counts():
    assert roles("The fund paid KHR 900 million for small works, among them 3.5 km of lanes.") == [
        (900_000_000, "riel", "output"), (3.5, "km", "output")
    ]
    assert roles("The teams cleared 80 km of canal, including 12 km in Baray.") == [
        (80, "km", "output"), (12, "km", "part")
    ]
    assert roles("The office handled 1,200 requests, of which 91% were answered within a week.") == [
        (1200, "count", "output"), (91, "percent", "part")
    ]


def test_what_has_no_service_or_is_in_bad_condition_is_harm():
    assert roles("One school in five still has no latrine.", "challenge") == [(20, "percent", "affected")]
    assert roles("About 9 km of the dyke road is in poor condition, and half of it floods.", "challenge")[0] == (
        9, "km", "affected"
    )


def test_an_intention_does_not_reach_a_figure_that_is_the_subject_of_its_own_past_clause():
    assert roles("Farmers must guard their herds at night, and 14 cows were stolen in May.", "challenge") == [
        (14, "count", "affected")
    ]
    assert roles("The khan will rebuild 3 bridges that were washed away.", "goal") == [(3, "count", "target")]
    assert roles("The province plans to pave 7 km of streets.", "achievement") == [(7, "km", "target")]


def test_what_officers_destroyed_is_their_work_but_what_a_storm_destroyed_is_harm():
    assert roles("Customs officers burned 2,300 fake medicine packs.") == [(2300, "count", "output")]
    assert roles("The storm destroyed 40 market stalls.", "challenge") == [(40, "count", "affected")]


def test_a_result_that_fell_short_in_a_challenge_is_still_the_result():
    assert roles("Fee collection reached only KHR 410 million because the market stayed closed.", "challenge") == [
        (410_000_000, "riel", "output")
    ]
    assert roles("Farmers were paid only KHR 900 per kg of cassava.", "challenge") == [(900, "riel", "affected")]
    assert roles("Only 5 of the 18 clinics sent their reports.", "challenge") == [
        (5, "count", "part"), (18, "count", "total")
    ]


def test_a_census_count_and_the_whole_a_sentence_opens_with_are_stocks():
    assert roles("The spring census counted 310 sarus cranes on the plain.") == [(310, "count", "total")]
    assert roles("Elephants in the sanctuary numbered about 150.") == [(150, "count", "total")]
    assert roles("Of the 64 wells drilled, 59 gave clean water.") == [(64, "wells", "total"), (59, "wells", "output")]


def test_the_level_repetition_stunting_or_complaints_reached_is_harm():
    assert roles("Grade 2 repetition fell from 8.1% to 7.4%.") == [
        (8.1, "percent", "baseline"), (7.4, "percent", "affected")
    ]
    assert roles("Complaints about the landfill rose to 52, up from 30.") == [
        (52, "cases", "affected"), (30, "cases", "baseline")
    ]


def test_in_a_row_of_delayed_works_the_amount_standing_alone_is_what_the_work_is_worth():
    assert roles("Health post at Tuol Sala | 640,000,000 | 20% | Contractor left the site", "challenge") == [
        (640_000_000, "riel", "total"), (20, "percent", "output")
    ]
    assert roles("Market fees | 90 million riel | 61 million riel | stalls closed", "challenge") == [
        (90_000_000, "riel", "target"), (61_000_000, "riel", "output")
    ]


def test_what_now_has_a_service_is_a_stock_but_what_was_added_is_the_years_work():
    assert roles("Nine health posts now have a solar fridge.") == [(9, "health_centres", "total")]
    assert roles("340 more households now have a latrine.") == [(340, "households", "output")]


def test_a_change_with_its_verb_left_out_or_its_noun_before_than_is_a_change():
    assert roles("Thefts fell by 30% and robberies by 12%.") == [(30, "percent", "change"), (12, "percent", "change")]
    assert roles("The clinic gave 25% more check-ups than in 2021.") == [(25, "percent", "change")]


def test_work_so_far_in_the_year_is_the_years_own_and_now_reaching_households_is_a_stock():
    assert roles("The councils issued 880 certificates so far this year.") == [(880, "count", "output")]
    assert roles("The new company now collects rubbish from 5,100 households.") == [(5100, "households", "total")]
    assert roles("The clinic saw fewer than 20 patients a day.", "challenge") == [(20, "people", "output")]


def test_a_flow_per_day_is_not_a_stock_even_now():
    assert roles("The plant now treats 420 tonnes of waste water a day.") == [(420, "tonnes", "output")]


def test_what_a_fire_burned_is_harm_and_registered_deaths_are_civil_registration():
    assert roles("A grass fire burned 12 ha of sugar cane.", "challenge") == [(12, "ha", "affected")]
    assert roles("The commune clerks registered 920 births and 210 deaths.") == [
        (920, "count", "output"), (210, "people", "output")
    ]


def test_only_n_of_the_m_is_a_part_whatever_the_statements_kind_but_a_goals_share_is_its_target():
    assert roles("Only 7 of the 25 schools have a library.") == [(7, "schools", "part"), (25, "schools", "total")]
    assert roles("Open a library in only 10 of the 25 schools.", "goal") == [
        (10, "schools", "target"), (25, "schools", "total")
    ]


def test_a_participle_after_a_plural_noun_does_not_change_what_the_figure_counts():
    (road,) = find_quantities("The district regravelled 18 km of earth roads linking villages to the market.")
    assert (road.value, road.unit, road.object) == (18, "km", "road")
    assert roles("It hired 12 teaching assistants.") == [(12, "people", "output")]
