import json
from pathlib import Path

import pytest

from pipeline.sectors import SECTORS, classify_sector

GOLD = Path(__file__).parent.parent / "sample_reports" / "gold" / "sectors.jsonl"


@pytest.mark.parametrize(
    "text, sector",
    [
        ("The education department built 45 classrooms and two new high schools.", "education"),
        ("The provincial referral hospital treated 31 patients.", "health"),
        ("Cash transfers reached 41,905 poor households under the IDPoor programme.", "social_protection"),
        ("Forestry officials recorded 96 forest crimes and confiscated timber.", "natural_resources_environment"),
        ("Police cracked down on 412 drug cases and arrested 603 suspects.", "public_order_security"),
        ("Repair 80 km of rural roads damaged by the floods.", "roads_infrastructure"),
        ("The floods damaged 5,300 ha of rice and 23 km of rural roads.", "disaster_management"),
        ("Continue to prevent COVID-19 in schools, markets and hotels.", "covid19_response"),
        ("The cadastral commission resolved 58 land disputes.", "land_management"),
        ("Drill 40 wells and rehabilitate two irrigation canals.", "water_irrigation"),
        ("Farmers cultivated 196,400 ha of wet-season rice.", "agriculture"),
        ("Six new factories opened in the special economic zone.", "economy_investment_tourism"),
        ("The One Window Service Office issued 5,630 permits and licences.", "public_administration_services"),
        ("Irrigation canals rehabilitated (km) | 35 | 21 | Delayed by the October floods", "water_irrigation"),
        ("Thank you to all institutions and partners.", "other"),
    ],
)
def test_statements_get_the_sector_of_their_subject(text, sector):
    assert classify_sector(text) == sector


def test_a_statement_naming_no_sector_takes_its_section_heading():
    assert classify_sector("Continue the good work of 2020.", "", "2.4 Natural resources and fisheries") == (
        "natural_resources_environment"
    )


def test_every_hand_labelled_sector_is_in_the_taxonomy_and_most_agree():
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 60 and {row["sector"] for row in rows} <= set(SECTORS)
    agreement = sum(classify_sector(row["text"]) == row["sector"] for row in rows) / len(rows)
    assert agreement >= 0.85
