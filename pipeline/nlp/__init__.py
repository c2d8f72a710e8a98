"""The spaCy pipeline that labels statements: the trained model shipped in ``models/``, or the cue-phrase rules.

``WORKREVIEW_MODEL`` chooses: ``rules``, or the folder of a trained model; unset, the shipped model
(``models/statement_classifier``, installed as package data of ``workreview.models``). A model that is missing
or unreadable is an error, never a silent fall-back to the rules. Loaded once per process.

Khmer documents (``pipeline.khmer.language_of``) go to the Khmer model instead: ``WORKREVIEW_MODEL_KM``, else the
shipped ``models/statement_classifier_km`` (a blank multi-language pipeline with the Khmer word tokenizer of
``pipeline.nlp.khmer_tokenizer``). ``WORKREVIEW_MODEL=rules`` means the rules for every language.

The components are registered with spaCy through the ``spacy_factories`` entry points in ``pyproject.toml``, so
``spacy.load(model_dir)`` works in any interpreter where workreview is installed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.language import Language

from pipeline.errors import ModelUnavailable
from pipeline.model_choice import (  # noqa: F401 -- re-exported: where callers have always found them
    KHMER_MODEL_DIR,
    KHMER_MODEL_ENV,
    LANGUAGES,
    MODEL_DIR,
    MODEL_ENV,
    MODELS_DIR,
    RULES_NAME,
    RULES_VERSION,
    chosen_model_dir,
    model_choice,
    uses_rules,
    versioned_name,
    weights_hash,
)

# Importing the component modules registers their factories with spaCy.
from pipeline.nlp import calibration as _calibration  # noqa: F401
from pipeline.nlp import char_ngrams as _char_ngrams  # noqa: F401
from pipeline.nlp import context_markers as _context_markers  # noqa: F401
from pipeline.nlp import khmer_tokenizer as _khmer_tokenizer  # noqa: F401
from pipeline.nlp import sentences as _sentences  # noqa: F401
from pipeline.nlp import statement_cues as _statement_cues  # noqa: F401

PipeT = TypeVar("PipeT")


def build_rule_pipeline() -> Language:
    """Blank English + the cue-phrase statement classifier."""
    nlp = spacy.blank("en")
    nlp.add_pipe("statement_cues")
    nlp.meta["name"] = RULES_NAME
    nlp.meta["version"] = RULES_VERSION
    return nlp


def load_trained_pipeline(model_dir: Path) -> Language:
    """A trained model folder (``workreview train``); offline, nothing downloaded."""
    nlp = spacy.load(model_dir)
    nlp.meta["weights_hash"] = weights_hash(model_dir)
    return nlp


@cache
def load_pipeline(language: str = "en") -> Language:
    """The process-wide statement pipeline for documents in ``language`` (``en``, ``km``), chosen as the module
    docstring says; built once, reused for every document."""
    if uses_rules():
        return build_rule_pipeline()
    model_dir = chosen_model_dir(language)
    try:
        return load_trained_pipeline(model_dir)
    except (OSError, ValueError) as error:  # spaCy reports unreadable or incompatible model files as these
        raise ModelUnavailable(f"cannot load the model in {model_dir}: {error}") from error


def model_language(model_dir: Path) -> str:
    """``km`` for a model folder whose tokenizer is the Khmer one, else ``en``."""
    config = spacy.util.load_config(model_dir / "config.cfg")
    tokenizer = config["nlp"].get("tokenizer", {}).get("@tokenizers", "")
    return "km" if tokenizer == _khmer_tokenizer.TOKENIZER_NAME else "en"


def model_version(nlp: Language) -> str:
    """``name-version``, plus the weights' digest for a trained model."""
    return versioned_name(nlp.meta["name"], nlp.meta["version"], nlp.meta.get("weights_hash"))


def pipe_of(nlp: Language, name: str, kind: type[PipeT]) -> PipeT:
    """The step ``name`` of ``nlp`` as the class it must be; spaCy types every step as a bare callable."""
    pipe = nlp.get_pipe(name)
    if not isinstance(pipe, kind):
        raise ModelUnavailable(f"the model's {name!r} step is a {type(pipe).__name__}, not a {kind.__name__}")
    return pipe
