"""Stage 3 — extract: label every statement with the spaCy pipeline.

Statements go through ``nlp.pipe`` in batches as pre-made ``Doc`` objects carrying their section's kind,
so the classifier (rule-based or trained) can use it; the pipeline itself is loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp import context as _context  # noqa: F401  (registers the doc._ extensions)
from pipeline.nlp import pipe_of
from pipeline.nlp.context_markers import MARKER_WORD, ContextMarkers, with_context
from pipeline.segment import Statement
from pipeline.vocabulary import StatementKind


@dataclass(slots=True)
class Extraction:
    kind: StatementKind
    confidence: float
    scores: dict[StatementKind, float]
    cue_kind: str | None
    """The cue-phrase rules' label when the pipeline carries them as a second opinion (the shipped model does not)."""
    second_scores: dict[str, float] | None
    """The character n-gram classifier's class probabilities, when the model carries it (``char_ngrams``)."""
    tokens: Doc
    """The statement as the classifier read it, for later steps that need its tokens (sectors)."""


def statement_doc(nlp: Language, statement: Statement) -> Doc:
    """The statement's words, carrying its context (section kind, lead-in, block kind, position) in ``doc._``."""
    doc = nlp.make_doc(statement.text)
    doc._.section_kind = statement.section_kind.value
    doc._.lead_in = statement.lead_in
    doc._.block_kind = statement.block_kind
    doc._.position = statement.position
    return doc


def classifier_doc(nlp: Language, statement: Statement, markers: ContextMarkers | None) -> Doc:
    """What the pipeline reads: with a ``context_markers`` step (``markers``), the statement already behind its
    markers.

    A statement with a word of its own shaped like a marker ("sec=x") takes the slow road, so that the word is
    split as usual."""
    if markers is None:
        return statement_doc(nlp, statement)
    if MARKER_WORD.search(statement.text):
        return with_context(statement_doc(nlp, statement), markers.features)
    return markers.make_doc(
        statement.text, statement.section_kind.value, statement.block_kind, statement.lead_in, statement.position
    )


def extract(statements: list[Statement], nlp: Language, batch_size: int = 512) -> list[Extraction]:
    markers = pipe_of(nlp, "context_markers", ContextMarkers) if "context_markers" in nlp.pipe_names else None
    docs = [classifier_doc(nlp, statement, markers) for statement in statements]
    extractions = []
    for doc in nlp.pipe(docs, batch_size=batch_size):
        scores = {kind: float(doc.cats.get(kind, 0.0)) for kind in StatementKind}
        kind = max(scores, key=scores.__getitem__)
        extractions.append(
            Extraction(
                kind=kind,
                confidence=round(scores[kind], 4),
                scores={label: round(value, 4) for label, value in scores.items()},
                cue_kind=doc._.cue_kind,
                second_scores=doc._.second_cats,
                tokens=doc,
            )
        )
    return extractions
