"""The model version a run compares stored documents against is read without loading the model, and is the
version the loaded model stamps on what it labels."""

import pytest

from pipeline.errors import ModelUnavailable
from pipeline.model_choice import LANGUAGES, MODEL_ENV, chosen_model_version
from pipeline.nlp import load_pipeline, model_version


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_version_from_meta_json_is_the_loaded_models(language):
    assert chosen_model_version(language) == model_version(load_pipeline(language))


def test_the_rules_version_needs_no_model(monkeypatch):
    monkeypatch.setenv(MODEL_ENV, "rules")
    load_pipeline.cache_clear()
    try:
        assert chosen_model_version("en") == model_version(load_pipeline("en"))
    finally:
        load_pipeline.cache_clear()


def test_a_folder_without_a_model_is_refused_as_loading_would(monkeypatch, tmp_path):
    monkeypatch.setenv(MODEL_ENV, str(tmp_path))
    with pytest.raises(ModelUnavailable, match="no config.cfg"):
        chosen_model_version("en")
    (tmp_path / "config.cfg").write_text("[nlp]\n")
    with pytest.raises(ModelUnavailable, match="meta.json"):
        chosen_model_version("en")
