"""``context_markers``: a statement's surroundings written as marker words in front of its text.

A trained ``textcat`` sees only tokens, so the section's kind, the block kind, the words of the list's lead-in
and the rough place in the document become tokens ("sec=goals", "blk=list_item", "lead=will", "pos=4") put
before the statement's own words. Training builds its examples with the same function, so the model reads at
run time exactly what it learned from.

Nearly every goal of the corpus sits in a goals section, so a model could learn "sec=goals" instead of the
words of a goal. The ``marker_dropout`` augmenter (English) also shows it every training statement without its
section and block markers and lowercased, so the words must carry the label on their own and the heading only
tips the balance; ``without_section`` (Khmer, which has no case) drops the section marker only.

The extraction stage does not build each statement twice (its words, then markers + words): ``make_doc`` tokenizes
the markers and the text in one go, with a tokenizer that keeps marker words whole, and the component then leaves
the ``Doc`` alone. Both give the same tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from spacy import registry
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.training import Example

from pipeline.errors import ModelUnavailable
from pipeline.nlp import context as _context  # noqa: F401  (registers the doc._ extensions)
from pipeline.nlp.cue_words import cue_words, lemma_words

CONTEXT_FEATURES = ("section", "block", "lead_in", "position", "cues", "lemmas")
POSITION_BUCKETS = 5
LEAD_IN_WORD = re.compile(r"[a-z]+")
KHMER_LEAD_IN_CUES = {
    "នឹង": "will", "គ្រោង": "plan", "ផែនការ": "plan", "ទិសដៅ": "direction", "គោលដៅ": "target", "បន្ត": "continue",
    "បញ្ហា": "problem", "ប្រឈម": "challenge", "ឧបសគ្គ": "obstacle", "ខ្វះ": "lack",
    "លទ្ធផល": "results", "សម្រេច": "achieved", "បាន": "did",
}
"""A Khmer lead-in's cue words as the English marker words they mean ("ក្នុងឆ្នាំ ២០២២ ស្រុកនឹង៖" → lead=will):
marker words are ASCII, and the English model never sees them."""
SECTION_MARKER = "sec="
BLOCK_MARKER = "blk="
MARKER_WORD = re.compile(r"(?:sec|blk|pos|lead|cue|lem)=[a-z0-9_]+")


def context_words(
    features: tuple[str, ...] | list[str],
    section_kind: str,
    block_kind: str,
    lead_in: str,
    position: float,
    text: str = "",
) -> list[str]:
    """The marker words for one statement (``text``); only the ``features`` asked for."""
    words = []
    if "section" in features:
        words.append(f"{SECTION_MARKER}{section_kind}")
    if "block" in features:
        words.append(f"{BLOCK_MARKER}{block_kind}")
    if "position" in features:
        words.append(f"pos={min(int(position * POSITION_BUCKETS), POSITION_BUCKETS - 1)}")
    if "lead_in" in features and lead_in:
        words += [f"lead={word}" for word in LEAD_IN_WORD.findall(lead_in.lower())]
        words += [f"lead={word}" for cue, word in KHMER_LEAD_IN_CUES.items() if cue in lead_in]
    if "cues" in features:
        words += cue_words(text)
    if "lemmas" in features:
        words += lemma_words(text)
    return words


def with_context(doc: Doc, features: tuple[str, ...] | list[str]) -> Doc:
    """A new ``Doc``: the markers read from ``doc._`` followed by ``doc``'s tokens (extension values kept)."""
    context = doc._
    if context.markers:
        return doc
    markers = context_words(
        features, context.section_kind, context.block_kind, context.lead_in, context.position, doc.text
    )
    if not markers:
        return doc
    tokens = [(token.text, bool(token.whitespace_)) for token in doc]  # one pass: a Token object costs
    words = markers + [text for text, _ in tokens]
    spaces = [True] * len(markers) + [space for _, space in tokens]
    marked = Doc(doc.vocab, words=words, spaces=spaces, user_data=dict(doc.user_data))
    marked._.markers = len(markers)
    return marked


class ContextMarkers:
    def __init__(self, nlp: Language, name: str, features: list[str]):
        unknown = set(features) - set(CONTEXT_FEATURES)
        if unknown:
            raise ValueError(f"unknown context features {sorted(unknown)}; known: {', '.join(CONTEXT_FEATURES)}")
        self.nlp = nlp
        self.name = name
        self.features = tuple(features)
        self._marker_tokenizer: Callable[[str], Doc] | None = None

    def __call__(self, doc: Doc) -> Doc:
        return with_context(doc, self.features)

    def make_doc(self, text: str, section_kind: str, block_kind: str, lead_in: str, position: float) -> Doc:
        """The ``Doc`` ``with_context`` would make for ``text`` in this context, tokenized once."""
        markers = context_words(self.features, section_kind, block_kind, lead_in, position, text)
        doc = self.marker_tokenizer(" ".join([*markers, text]) if markers else text)
        context = doc._
        context.section_kind = section_kind
        context.block_kind = block_kind
        context.lead_in = lead_in
        context.position = position
        context.markers = len(markers)
        return doc

    @property
    def marker_tokenizer(self) -> Callable[[str], Doc]:
        """The pipeline's tokenizer, plus: a marker word is one token. Built on first use, after loading."""
        if self._marker_tokenizer is None:
            base = self.nlp.tokenizer
            if getattr(base, "keeps_marker_words", False):  # the Khmer tokenizer: markers stay whole as they are
                self._marker_tokenizer = base
                return base
            if not isinstance(base, Tokenizer):
                raise ModelUnavailable(f"context markers need spaCy's Tokenizer; the model has a {type(base).__name__}")
            self._marker_tokenizer = Tokenizer(
                self.nlp.vocab,
                rules=base.rules,
                prefix_search=base.prefix_search,
                suffix_search=base.suffix_search,
                infix_finditer=base.infix_finditer,
                token_match=MARKER_WORD.fullmatch,
                url_match=base.url_match,
                faster_heuristics=base.faster_heuristics,
            )
        return self._marker_tokenizer


@Language.factory("context_markers", default_config={"features": list(CONTEXT_FEATURES)})
def make_context_markers(nlp: Language, name: str, features: list[str]) -> ContextMarkers:
    return ContextMarkers(nlp, name, features)


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


def marker_dropout(nlp: Language, example: Example) -> Iterator[Example]:
    """The training example as it is, then without its section and block markers, then lowercased.

    Without the heading's markers the statement's words must carry the label (most gold goals sit under a goals
    heading; wild documents often have none); lowercased, "The District Will Build" and a heading in capitals
    teach the same words as running text."""
    yield example
    tokens = [(token.text, bool(token.whitespace_)) for token in example.reference]
    headless = [(text, space) for text, space in tokens if not text.startswith((SECTION_MARKER, BLOCK_MARKER))]
    lowered = [(text.lower(), space) for text, space in tokens]
    for variant in (headless, lowered):
        if variant != tokens:
            yield _example_of(nlp, variant, example.reference.cats)


def _example_of(nlp: Language, tokens: list[tuple[str, bool]], cats: dict[str, float]) -> Example:
    words, spaces = [text for text, _ in tokens], [space for _, space in tokens]
    reference = Doc(nlp.vocab, words=words, spaces=spaces)
    reference.cats = dict(cats)
    return Example(Doc(nlp.vocab, words=words, spaces=spaces), reference)


@registry.augmenters("workreview.marker_dropout.v1")
def create_marker_dropout() -> Callable[[Language, Example], Iterator[Example]]:
    return marker_dropout
