"""The spaCy pipeline that labels statements, built in code and loaded once per process."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language

# Importing the component modules registers their factories with spaCy.
from pipeline.nlp import sentences as _sentences  # noqa: F401
from pipeline.nlp import statement_cues as _statement_cues  # noqa: F401

RULES_VERSION = "rules-0.2"


def build_rule_pipeline() -> Language:
    """Blank English + sentencizer + place ruler (gazetteer) + the cue-phrase statement classifier."""
    from pipeline.gazetteer import entity_ruler_patterns

    nlp = spacy.blank("en")
    nlp.add_pipe("report_sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(entity_ruler_patterns())
    nlp.add_pipe("statement_cues")
    nlp.meta["name"] = "workreview_rules"
    nlp.meta["version"] = RULES_VERSION
    return nlp


@cache
def load_pipeline() -> Language:
    """The process-wide statement pipeline (built once, reused for every document)."""
    return build_rule_pipeline()


def model_version(nlp: Language) -> str:
    return f"{nlp.meta['name']}-{nlp.meta['version']}"
