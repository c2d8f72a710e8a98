"""``char_ngrams``: a second classifier, built unlike the model, whose opinion points to the model's mistakes.

The trained model is a bag of words and bigrams read behind context markers; this one is a multinomial naive
Bayes over the character 3–5-grams of the statement's own words, proper names masked, with no context at all.
It errs on other statements: out of fold over the train + dev documents it labelled 14.5 % of the exported wild
statements differently from the model, and 34 % of those were wrong (9 % of all). It never changes a label: its
scores go to ``doc._.second_cats`` and ``pipeline.nlp.review_score`` weighs them with the model's confidence for
the ``likely_wrong`` flag. ``workreview train`` fits it on the same statements as the model (``char_ngrams/``).
"""

from __future__ import annotations

import json
import string
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp import context as _context  # noqa: F401  (registers the doc._ extensions)
from pipeline.vocabulary import StatementKind

GRAM_SIZES = (3, 4, 5)
SMOOTHING = 0.1
"""Additive smoothing of the gram counts: small, so a gram seen under one label only counts strongly for it."""
MODEL_FILE = "model.json"
LABELS = [str(kind) for kind in StatementKind]


NAME_MASK = "#"
"""What a proper name becomes before its grams are taken: one mark however many words it has, so "Kampot" and
"Ou Ta Prak" weigh the same."""
PUNCTUATION = string.punctuation + "“”‘’«»–—…"


def char_grams(text: str) -> list[str]:
    """The character 3–5-grams of the lowercased words, spaces between words and at both ends included."""
    padded = " " + " ".join(text.lower().split()) + " "
    return [padded[start : start + size] for size in GRAM_SIZES for start in range(len(padded) - size + 1)]


def lowercase_words(texts: Iterable[str]) -> set[str]:
    """Every word the texts write in lower case: the common words, which a capital at a sentence's start or in a
    title does not make a name."""
    return {core for text in texts for word in text.split() if (core := _word_parts(word)[1]).islower()}


def mask_names(text: str, common: set[str]) -> str:
    """``text`` with its proper names masked: capitalised words never written in lower case in training. A place's
    name says nothing of a statement's kind, yet the names seen in training leaned the model (one village's name
    flagged a sentence twelve others of the same form were not flagged for)."""
    words: list[str] = []
    for word in text.split():
        if not (word.islower() or word.isdigit()):
            before, core, after = _word_parts(word)
            if core[:1].isupper() and core.lower() not in common:
                if words and words[-1] == NAME_MASK and not before:
                    words.pop()  # one mark for a name of several words
                word = before + NAME_MASK + after
        words.append(word)
    return " ".join(words)


def _word_parts(word: str) -> tuple[str, str, str]:
    """The punctuation before a word, the word, and the punctuation after it."""
    start = len(word) - len(word.lstrip(PUNCTUATION))
    end = max(start, len(word.rstrip(PUNCTUATION)))
    return word[:start], word[start:end], word[end:]


class CharNgrams:
    """Naive Bayes over character n-grams; ``fit`` on labelled texts, then it scores each ``Doc``'s own words."""

    def __init__(self, name: str = "char_ngrams"):
        self.name = name
        self.documents = dict.fromkeys(LABELS, 0)
        self.counts: dict[str, list[int]] = {}
        self.common: set[str] = set()
        self._compile()

    def fit(self, texts: Iterable[str], labels: Iterable[str]) -> CharNgrams:
        texts = list(texts)
        self.common = lowercase_words(texts)
        counts: dict[str, Counter[str]] = {label: Counter() for label in LABELS}
        self.documents = dict.fromkeys(LABELS, 0)
        for text, label in zip(texts, labels):
            counts[label].update(char_grams(mask_names(text, self.common)))
            self.documents[label] += 1
        grams = sorted(set().union(*counts.values()))
        self.counts = {gram: [counts[label][gram] for label in LABELS] for gram in grams}
        self._compile()
        return self

    def _compile(self) -> None:
        """Log-probabilities per gram and label, and for a gram never seen in training."""
        self.index = {gram: row for row, gram in enumerate(self.counts)}
        matrix = np.array(list(self.counts.values()), dtype=np.float64).reshape(-1, len(LABELS))
        totals = matrix.sum(axis=0) + SMOOTHING * max(len(self.counts), 1)
        self.log_probs = np.log((matrix + SMOOTHING) / totals)
        self.unseen = np.log(SMOOTHING / totals)
        documents = np.array([self.documents[label] for label in LABELS], dtype=np.float64)
        self.log_prior = np.log((documents + 1) / (documents.sum() + len(LABELS)))

    def predict(self, text: str) -> dict[str, float]:
        """Each label's probability for ``text``; uniform for a model that has seen nothing."""
        if not self.counts:
            return {label: 1 / len(LABELS) for label in LABELS}
        rows = [self.index.get(gram, -1) for gram in char_grams(mask_names(text, self.common))]
        known = [row for row in rows if row >= 0]
        logits = self.log_prior + self.log_probs[known].sum(axis=0) + (len(rows) - len(known)) * self.unseen
        exp = np.exp(logits - logits.max())
        return {label: float(value) for label, value in zip(LABELS, exp / exp.sum())}

    def __call__(self, doc: Doc) -> Doc:
        doc._.second_cats = self.predict(doc[doc._.markers :].text)
        return doc

    def to_disk(self, path: Path, exclude: tuple = ()) -> None:
        path.mkdir(parents=True, exist_ok=True)
        data = {"labels": LABELS, "documents": self.documents, "common": sorted(self.common), "counts": self.counts}
        (path / MODEL_FILE).write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")

    def from_disk(self, path: Path, exclude: tuple = ()) -> CharNgrams:
        data = json.loads((path / MODEL_FILE).read_text(encoding="utf-8"))
        if data["labels"] != LABELS:
            raise ValueError(f"char_ngrams was trained for the labels {data['labels']}, not {LABELS}")
        self.documents = data["documents"]
        self.common = set(data["common"])
        self.counts = data["counts"]
        self._compile()
        return self


@Language.factory("char_ngrams")
def make_char_ngrams(nlp: Language, name: str) -> CharNgrams:
    return CharNgrams(name)
