"""Which statement model a run uses, and its version, without importing spaCy.

The run's main process stores documents and decides which need reading again (a document read by another model
version does); the worker processes load the models. Reading the version from the model folder's ``meta.json``
spares the main process spaCy and both models (``pipeline.nlp.model_version`` gives the same string from a
loaded pipeline).
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.resources import files
from pathlib import Path

from pipeline.errors import ModelUnavailable

RULES_VERSION = "rules-0.2"
RULES_NAME = "workreview_rules"
MODEL_ENV = "WORKREVIEW_MODEL"
KHMER_MODEL_ENV = "WORKREVIEW_MODEL_KM"
MODELS_DIR = Path(str(files("workreview.models")))
MODEL_DIR = MODELS_DIR / "statement_classifier"
KHMER_MODEL_DIR = MODELS_DIR / "statement_classifier_km"
LANGUAGES = ("en", "km")
"""The document languages with a statement model of their own (``pipeline.khmer.language_of``)."""


def uses_rules() -> bool:
    return os.environ.get(MODEL_ENV, "") == "rules"


def model_choice(language: str) -> tuple[str, Path]:
    """The variable that names ``language``'s model folder, and the shipped model used when it is unset."""
    return (KHMER_MODEL_ENV, KHMER_MODEL_DIR) if language == "km" else (MODEL_ENV, MODEL_DIR)


def chosen_model_dir(language: str) -> Path:
    """The model folder for ``language``; ``ModelUnavailable`` if it is not one."""
    variable, shipped = model_choice(language)
    choice = os.environ.get(variable, "")
    model_dir = Path(choice) if choice else shipped
    if not (model_dir / "config.cfg").is_file():
        where = f"{variable}={choice!r} is neither 'rules' nor" if choice else f"the shipped model {model_dir} is not"
        raise ModelUnavailable(f"{where} a model folder (no config.cfg); reinstall workreview or set {variable}")
    return model_dir


def weights_hash(model_dir: Path) -> str:
    """A short digest of the components' files (weights, calibration), to tell two models apart."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.glob("*/*")):
        if path.is_file() and path.parent.name != "vocab":
            digest.update(path.relative_to(model_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def versioned_name(name: str, version: str, digest: str | None) -> str:
    """``name-version``, plus the weights' digest for a trained model."""
    return f"{name}-{version}-{digest}" if digest else f"{name}-{version}"


def chosen_model_version(language: str) -> str:
    """The version of the model ``language``'s documents are labelled with, from its folder's ``meta.json``."""
    if uses_rules():
        return f"{RULES_NAME}-{RULES_VERSION}"
    model_dir = chosen_model_dir(language)
    try:
        meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
        return versioned_name(meta["name"], meta["version"], weights_hash(model_dir))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelUnavailable(f"cannot read the model's meta.json in {model_dir}: {error}") from error
