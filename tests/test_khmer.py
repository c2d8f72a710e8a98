"""Khmer text handling: language, comparable spelling, numbers as offices write them, months and BE years."""

from __future__ import annotations

import pytest

from pipeline.khmer import ce_year_of_be, dated_years, language_of, normalize, normalize_with_offsets, parse_number


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("៣.៤៥០", 3450),
        ("៩៥,៣", 95.3),
        ("១.៤៧០.០០០", 1470000),
        ("៣.៤៥០,៥", 3450.5),
        ("4,85", 4.85),
        ("1,200", 1200),
        ("2.5", 2.5),
        ("៤៦", 46),
    ],
)
def test_numbers_read_with_khmer_separators(written, value):
    assert parse_number(written) == pytest.approx(value)


def test_malformed_number_has_no_value():
    assert parse_number("១.២.៣,៤,៥") is None


def test_language_by_share_of_letters():
    assert language_of("ខេត្តកំពតបានស្ថាបនាផ្លូវ ៤៦ គីឡូម៉ែត្រ ក្នុងគម្រោង COVID-19។") == "km"
    assert language_of("Kampot built 46 km of roads near ភូមិ Trapeang.") == "en"
    assert language_of("៤៦ | 12", default="km") == "km"


def test_spelling_variants_and_zero_width_spaces_compare_equal():
    assert normalize("ឲ្យ") == normalize("ឱ្យ")
    assert normalize("អណ្ដូង") == normalize("អណ្តូង")
    assert normalize("ផ្លូវ\u200bជនបទ") == "ផ្លូវជនបទ"
    assert normalize("ដេីម") == normalize("ដើម")


def test_coeng_typed_after_a_vowel_sign_is_moved_before_it():
    # ស + ា + ្ត (vowel typed before the subscript) is the same word as ស + ្ត + ា
    assert normalize("សា\u17d2ត") == "ស\u17d2តា"


def test_offsets_point_back_into_the_original_text():
    text = "ផ្លូវ\u200bឲ្យ\u200bបាន"
    normalized, origins = normalize_with_offsets(text)
    assert len(origins) == len(normalized)
    assert text[origins[normalized.index("បាន")]] == "ប"


def test_buddhist_era_years_turn_over_in_april():
    assert ce_year_of_be(2564, month=1) == 2021
    assert ce_year_of_be(2564, month=5) == 2020
    assert ce_year_of_be(2567) == 2023


def test_dated_lines_and_be_years():
    assert dated_years("ធ្វើនៅថ្ងៃទី ១៥ ខែមករា ឆ្នាំ ២០២១") == [2021]
    assert dated_years("ថ្ងៃព្រហស្បតិ៍ ៣ កើត ខែមាឃ ឆ្នាំថោះ បញ្ចស័ក ព.ស. ២៥៦៧") == [2023]
    assert dated_years("ព.ស. ២៥៦៧ ត្រូវនឹង គ.ស. ២០២៤") == [2024]
