"""``report_sentencizer``: sentence boundaries that survive the abbreviations of administrative prose.

spaCy's rule-based ``sentencizer`` ends a sentence at every period token, which splits "Sub-Decree No. 215",
"H.E. Governor" and "Mr. Sok" in two. This component does the same job with an abbreviation list.

Khmer ends a sentence with "។" (khan) or the closing "៕" and writes no capital after it, so ``split_sentences``
also cuts after those, by character: "។ល។" ("etc.") ends nothing.
"""

from __future__ import annotations

import re
from functools import cache
from typing import cast

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from thinc.types import Ints2d

ABBREVIATIONS = frozenset(
    """no. nos. nr. h.e. mr. mrs. ms. dr. st. e.g. i.e. art. arts. approx. vs. ref. tel. fig. dept. gov. gen.
    jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec. sk. kg. pp. p.
    etc.""".split()
)
SENTENCE_END = frozenset(".!?")
CLOSERS = frozenset("\"'”’)]")
OPENERS = frozenset("\"'“‘([")


def _ends_sentence(word: str) -> bool:
    if word[-1] != ".":
        return word[-1] in SENTENCE_END
    if word.lower() in ABBREVIATIONS:
        return False
    # Initials ("A.") and dotted acronyms ("H.E.", "U.S.") do not end sentences.
    letters = word[:-1].split(".")
    return not all(len(part) == 1 and part.isupper() for part in letters)


def _word_before(doc: Doc, index: int) -> str | None:
    """The whitespace-delimited word that ends right before token ``index``, closing quotes skipped."""
    end = index - 1
    while end >= 0 and (doc[end].is_space or doc[end].text in CLOSERS):
        end -= 1
    if end < 0:
        return None
    start = end
    while start > 0 and not doc[start - 1].whitespace_ and not doc[start - 1].is_space:
        start -= 1
    return doc[start : end + 1].text


@Language.component("report_sentencizer")
def report_sentencizer(doc: Doc) -> Doc:
    """Start a sentence after sentence-final punctuation (not an abbreviation) before a capital, digit or quote.

    The boundaries are written in one ``from_array`` call: setting ``token.is_sent_start`` one token at a time
    re-checks the whole document each time, which is quadratic in its length."""
    starts = numpy.full((len(doc), 1), -1, dtype="int64")
    for index, token in enumerate(doc):
        if index == 0:
            starts[index] = 1
            continue
        previous = doc[index - 1]
        if token.is_space or not (previous.whitespace_ or previous.is_space) or token.text[0] not in OPENERS and not (
            token.text[0].isupper() or token.text[0].isdigit()
        ):
            continue
        word = _word_before(doc, index)
        if word is not None and _ends_sentence(word):
            starts[index] = 1
    if len(doc):
        values = cast(Ints2d, starts.astype("uint64"))  # spaCy's attribute arrays are uint64: -1 wraps around
        doc.from_array([SENT_START], values)
    return doc


@cache
def sentence_splitter() -> Language:
    """A tokenizer plus ``report_sentencizer``: the cheap pipeline segmentation uses, loaded once per process."""
    nlp = spacy.blank("en")
    nlp.add_pipe("report_sentencizer")
    return nlp


KHMER_SENTENCE_END = re.compile(r"(?<!។ល)[។៕](?!ល។)[\s\u200b]*")
"""A khan or the closing sign, with the spaces after it; not either khan of "។ល។"."""


PIECE_CHARS = 100_000
"""A text longer than this (a report whose line breaks were lost) goes to spaCy in pieces cut after a sentence end
where there is one: spaCy refuses a text over its ``max_length`` (1,000,000 characters), and no real paragraph
comes near it."""


def _pieces(text: str) -> list[tuple[int, str]]:
    """``text`` as ``(offset, piece)`` pairs of at most ``PIECE_CHARS`` characters."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > PIECE_CHARS:
        window = text[start : start + PIECE_CHARS]
        cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? "))
        cut = cut + 2 if cut > 0 else (window.rfind(" ") + 1 or PIECE_CHARS)
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def split_sentences(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Character spans of the sentences of each text, whitespace trimmed."""
    owners: list[tuple[int, int]] = []  # (index of the text, offset of the piece in it)
    pieces: list[str] = []
    for index, text in enumerate(texts):
        for offset, piece in _pieces(text):
            owners.append((index, offset))
            pieces.append(piece)
    spans: list[list[tuple[int, int]]] = [[] for _ in texts]
    for (index, offset), piece, doc in zip(owners, pieces, sentence_splitter().pipe(pieces, batch_size=256)):
        for sentence in doc.sents:
            for start, end in _khmer_sentences(piece, sentence.start_char, sentence.end_char):
                part = piece[start:end]
                start += len(part) - len(part.lstrip())
                end -= len(part) - len(part.rstrip())
                if end > start:
                    spans[index].append((offset + start, offset + end))
    return spans


def _khmer_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut after each Khmer sentence end inside it."""
    pieces = []
    for match in KHMER_SENTENCE_END.finditer(text, start, end):
        if match.end() < end:
            pieces.append((start, match.end()))
            start = match.end()
    pieces.append((start, end))
    return pieces
