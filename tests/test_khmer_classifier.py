"""The Khmer statement classifier is chosen by a document's language; the English model stays on English text."""

from __future__ import annotations

from pipeline.nlp import load_pipeline, model_version
from pipeline.nlp.cue_words import cue_words
from pipeline.process import process_file

KHMER_REPORT = """រដ្ឋបាលខេត្តតាកែវ
របាយការណ៍លទ្ធផលការងារឆ្នាំ ២០២០ និងទិសដៅការងារឆ្នាំ ២០២១

១. លទ្ធផលការងារ

មន្ទីរអភិវឌ្ឍន៍ជនបទបានស្ថាបនាផ្លូវក្រួសក្រហមប្រវែង ៣៥ គីឡូម៉ែត្រ នៅស្រុកបាទី និងស្រុកត្រាំកក់។

២. បញ្ហាប្រឈម

ការខ្វះខាតទឹកស្អាតនៅរដូវប្រាំងនៅតែជាបញ្ហាធំសម្រាប់ប្រជាពលរដ្ឋនៅតំបន់ខ្ពង់រាប។

៣. ទិសដៅការងារឆ្នាំ ២០២១

ខេត្តនឹងជីកអណ្តូងថ្មីចំនួន ៦០ អណ្តូង សម្រាប់គ្រួសារក្រីក្រ។
"""


def test_a_khmer_report_is_labelled_by_the_khmer_model(tmp_path):
    path = tmp_path / "takeo_2020.txt"
    path.write_text(KHMER_REPORT, encoding="utf-8")
    result = process_file(path, path.name)

    assert result.document.language == "km"
    assert result.document.model_version == model_version(load_pipeline("km")) != model_version(load_pipeline("en"))
    assert (result.document.province_code, result.document.report_year) == ("KH-21", 2020)
    labelled = [(s.kind.value, s.quantities) for s in result.statements if s.kind.value != "other"]
    assert labelled == [("achievement", "35 km"), ("challenge", None), ("goal", "60 wells")]
    assert all(s.language == "km" for s in result.statements)
    goal = next(s for s in result.statements if s.kind.value == "goal")
    assert goal.target_year == 2021


def test_khmer_cue_markers():
    assert cue_words("ខេត្តនឹងជីកអណ្តូងថ្មី") == ["cue=future"]
    assert "cue=damage" in cue_words("ទឹកជំនន់បានធ្វើឱ្យខូចខាតផ្លូវ ២១០ គីឡូម៉ែត្រ។")
