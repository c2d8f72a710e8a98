"""Quantities in Khmer statements: values as Cambodian offices write them, Khmer units, years that are not counts."""

from __future__ import annotations

import pytest

from pipeline.quantities import find_quantities, target_year


def found(text: str, kind: str | None = None) -> list[tuple[float | None, str]]:
    return [(q.value, q.unit) for q in find_quantities(text, kind)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ស្រុកបានស្ថាបនាផ្លូវក្រួសក្រហមប្រវែង ៤៦ គីឡូម៉ែត្រ និងលូបេតុង ២៦ កន្លែង។", [(46, "km"), (26, "count")]),
        ("កសិករចំនួន ៣.៤៥០ គ្រួសារ ទទួលបានពូជស្រូវ។", [(3450, "households")]),
        ("អត្រាចុះបញ្ជីកំណើតសម្រេចបាន ៩៥,៣ ភាគរយ។", [(95.3, "percent")]),
        ("ចំណូលសរុប ៣៤,៦ ពាន់លានរៀល។", [(34_600_000_000, "riel")]),
        ("ប្រជាជន ១,៥ លាននាក់ បានចាក់វ៉ាក់សាំង។", [(1_500_000, "people")]),
        ("ដាំកូនឈើលើផ្ទៃដី ១.២៣០ ហិកតា និងជីកអណ្ដូង ១២០ អណ្តូង។", [(1230, "ha"), (120, "wells")]),
        ("ផលិតស្រូវបាន ៦,២ តោន ក្នុងមួយហិកតា លើ ១០០ ឃុំ និង ៤៧ ភូមិ។", [(6.2, "tonnes"), (100, "communes"), (47, "villages")]),
        ("មណ្ឌលសុខភាពចំនួន ៩ កន្លែង ខ្វះទឹកស្អាត។", [(9, "health_centres")]),
        ("សាងសង់បន្ទប់រៀន ២០ បន្ទប់រៀន នៅសាលារៀន ១២ សាលា ក្នុងគម្រោង ៥ គម្រោង។",
         [(20, "classrooms"), (12, "schools"), (5, "projects")]),
        ("អត្រាកើនដល់ ៦១% និងវិនិយោគ ២ លានដុល្លារ និង ៨០០ ម៉ែត្រ។", [(61, "percent"), (2_000_000, "usd"), (800, "m")]),
        ("ករណីឆ្លងជំងឺ ៣១២ ករណី។", [(312, "cases")]),
    ],
)
def test_khmer_values_and_units(text, expected):
    assert found(text) == expected


def test_years_dates_references_and_durations_are_not_quantities():
    text = (
        "នៅថ្ងៃទី ១៥ ខែមករា ឆ្នាំ ២០២១ ក្នុងរយៈពេល ៣ ខែ តាមបណ្តោយផ្លូវជាតិលេខ ៥ "
        "ការចាក់វ៉ាក់សាំងកូវីដ-១៩ ព.ស. ២៥៦៤ បានជួសជុលស្ពាន ៤ កន្លែង។"
    )
    assert found(text) == [(4, "count")]


def test_goal_figures_are_targets_and_khmer_role_cues():
    assert [q.role for q in find_quantities("ស្ថាបនាផ្លូវបេតុង ៥ គីឡូម៉ែត្រ។", "goal")] == ["target"]
    damage = find_quantities("ទឹកជំនន់បានធ្វើឱ្យខូចខាតផ្លូវ ២១០ គីឡូម៉ែត្រ។", "challenge")
    assert [q.role for q in damage] == ["affected"]
    part = find_quantities("ផ្លូវសរុប ១១៨ គីឡូម៉ែត្រ ក្នុងនោះផ្លូវបេតុង ៣៦ គីឡូម៉ែត្រ។", "achievement")
    assert [q.role for q in part] == ["total", "part"]


def test_spans_point_at_the_original_text_despite_zero_width_spaces():
    text = "ផ្លូវ\u200bបេតុង\u200bប្រវែង ៤៦\u200bគីឡូម៉ែត្រ។"
    (quantity,) = find_quantities(text)
    assert text[quantity.start : quantity.end] == quantity.text == "៤៦\u200bគីឡូម៉ែត្រ"


def test_khmer_target_years():
    assert target_year("ស្ថាបនាផ្លូវ ៥ គីឡូម៉ែត្រ នៅឆ្នាំ ២០២២។", 2021) == 2022
    assert target_year("បន្តជួសជុលផ្លូវនៅឆ្នាំក្រោយ។", 2021) == 2022
    assert target_year("ជួសជុលផ្លូវ។", 2021, ("", "ទិសដៅការងារឆ្នាំ ២០២២")) == 2022
