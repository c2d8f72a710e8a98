"""The spaCy pipeline that labels statements: the trained model shipped in ``models/``, or the cue-phrase rules.

``WORKREVIEW_MODEL`` chooses: ``rules``, or the folder of a trained model; unset, the shipped model
(``models/statement_classifier``, installed as package data of ``workreview.models``). A model that is missing
or unreadable is an error, never a silent fall-back to the rules. Loaded once per process.

The components are registered with spaCy through the ``spacy_factories`` entry points in ``pyproject.toml``, so
``spacy.load(model_dir)`` works in any interpreter where workreview is installed.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.language import Language

from pipeline.errors import ModelUnavailable

# Importing the component modules registers their factories with spaCy.
from pipeline.nlp import calibration as _calibration  # noqa: F401
from pipeline.nlp import context_markers as _context_markers  # noqa: F401
from pipeline.nlp import sentences as _sentences  # noqa: F401
from pipeline.nlp import statement_cues as _statement_cues  # noqa: F401

RULES_VERSION = "rules-0.2"
MODEL_ENV = "WORKREVIEW_MODEL"
MODELS_DIR = Path(str(files("workreview.models")))
MODEL_DIR = MODELS_DIR / "statement_classifier"

PipeT = TypeVar("PipeT")


def build_rule_pipeline() -> Language:
    """Blank English + the cue-phrase statement classifier."""
    nlp = spacy.blank("en")
    nlp.add_pipe("statement_cues")
    nlp.meta["name"] = "workreview_rules"
    nlp.meta["version"] = RULES_VERSION
    return nlp


def load_trained_pipeline(model_dir: Path) -> Language:
    """A trained model folder (``workreview train``); offline, nothing downloaded."""
    nlp = spacy.load(model_dir)
    nlp.meta["weights_hash"] = weights_hash(model_dir)
    return nlp


def weights_hash(model_dir: Path) -> str:
    """A short digest of the components' files (weights, calibration), to tell two models apart."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.glob("*/*")):
        if path.is_file() and path.parent.name != "vocab":
            digest.update(path.relative_to(model_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


@cache
def load_pipeline() -> Language:
    """The process-wide statement pipeline chosen by ``WORKREVIEW_MODEL`` (built once, reused for every document)."""
    choice = os.environ.get(MODEL_ENV, "")
    if choice == "rules":
        return build_rule_pipeline()
    model_dir = Path(choice) if choice else MODEL_DIR
    if not (model_dir / "config.cfg").is_file():
        where = f"{MODEL_ENV}={choice!r} is neither 'rules' nor" if choice else f"the shipped model {model_dir} is not"
        raise ModelUnavailable(f"{where} a model folder (no config.cfg); reinstall workreview or set {MODEL_ENV}")
    try:
        return load_trained_pipeline(model_dir)
    except (OSError, ValueError) as error:  # spaCy reports unreadable or incompatible model files as these
        raise ModelUnavailable(f"cannot load the model in {model_dir}: {error}") from error


def model_version(nlp: Language) -> str:
    """``name-version``, plus the weights' digest for a trained model."""
    version = f"{nlp.meta['name']}-{nlp.meta['version']}"
    return f"{version}-{nlp.meta['weights_hash']}" if nlp.meta.get("weights_hash") else version


def pipe_of(nlp: Language, name: str, kind: type[PipeT]) -> PipeT:
    """The step ``name`` of ``nlp`` as the class it must be; spaCy types every step as a bare callable."""
    pipe = nlp.get_pipe(name)
    if not isinstance(pipe, kind):
        raise ModelUnavailable(f"the model's {name!r} step is a {type(pipe).__name__}, not a {kind.__name__}")
    return pipe
