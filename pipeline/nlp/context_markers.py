"""``context_markers``: a statement's surroundings written as marker words in front of its text.

A trained ``textcat`` sees only tokens, so the section's kind, the block kind, the words of the list's lead-in
and the rough place in the document become tokens ("sec=goals", "blk=list_item", "lead=will", "pos=4") put
before the statement's own words. Training builds its examples with the same function, so the model reads at
run time exactly what it learned from.

Nearly every goal of the corpus sits in a goals section, so a model could learn "sec=goals" instead of the
words of a goal. The ``without_section`` augmenter also shows it every training statement without its section
marker, so the words must carry the label on their own and the section only tips the balance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from spacy import registry
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from pipeline.nlp.context import register_context_extensions

CONTEXT_FEATURES = ("section", "block", "lead_in", "position")
POSITION_BUCKETS = 5
LEAD_IN_WORD = re.compile(r"[a-z]+")
SECTION_MARKER = "sec="


def context_words(
    features: tuple[str, ...] | list[str], section_kind: str, block_kind: str, lead_in: str, position: float
) -> list[str]:
    """The marker words for one statement; only the ``features`` asked for."""
    words = []
    if "section" in features:
        words.append(f"{SECTION_MARKER}{section_kind}")
    if "block" in features:
        words.append(f"blk={block_kind}")
    if "position" in features:
        words.append(f"pos={min(int(position * POSITION_BUCKETS), POSITION_BUCKETS - 1)}")
    if "lead_in" in features and lead_in:
        words += [f"lead={word}" for word in LEAD_IN_WORD.findall(lead_in.lower())]
    return words


def with_context(doc: Doc, features: tuple[str, ...] | list[str]) -> Doc:
    """A new ``Doc``: the markers read from ``doc._`` followed by ``doc``'s tokens (extension values kept)."""
    register_context_extensions()
    markers = context_words(features, doc._.section_kind, doc._.block_kind, doc._.lead_in, doc._.position)
    if not markers:
        return doc
    tokens = [(token.text, bool(token.whitespace_)) for token in doc]  # one pass: a Token object costs
    words = markers + [text for text, _ in tokens]
    spaces = [True] * len(markers) + [space for _, space in tokens]
    return Doc(doc.vocab, words=words, spaces=spaces, user_data=dict(doc.user_data))


class ContextMarkers:
    def __init__(self, name: str, features: list[str]):
        unknown = set(features) - set(CONTEXT_FEATURES)
        if unknown:
            raise ValueError(f"unknown context features {sorted(unknown)}; known: {', '.join(CONTEXT_FEATURES)}")
        self.name = name
        self.features = tuple(features)

    def __call__(self, doc: Doc) -> Doc:
        return with_context(doc, self.features)


@Language.factory("context_markers", default_config={"features": list(CONTEXT_FEATURES)})
def make_context_markers(nlp: Language, name: str, features: list[str]) -> ContextMarkers:
    return ContextMarkers(name, features)


def without_section(nlp: Language, example: Example) -> Iterator[Example]:
    """The training example as it is, then (if it has one) a copy without its section marker."""
    yield example
    kept = [token for token in example.reference if not token.text.startswith(SECTION_MARKER)]
    if len(kept) == len(example.reference):
        return
    words, spaces = [token.text for token in kept], [bool(token.whitespace_) for token in kept]
    reference = Doc(nlp.vocab, words=words, spaces=spaces)
    reference.cats = dict(example.reference.cats)
    yield Example(Doc(nlp.vocab, words=words, spaces=spaces), reference)


@registry.augmenters("workreview.without_section.v1")
def create_without_section() -> Callable[[Language, Example], Iterator[Example]]:
    return without_section
