"""``report_sentencizer``: sentence boundaries that survive the abbreviations of administrative prose.

spaCy's rule-based ``sentencizer`` ends a sentence at every period token, which splits "Sub-Decree No. 215",
"H.E. Governor" and "Mr. Sok" in two. This component does the same job with an abbreviation list.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

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
    """Start a sentence after sentence-final punctuation (not an abbreviation) before a capital, digit or quote."""
    for index, token in enumerate(doc):
        if index == 0:
            token.is_sent_start = True
            continue
        previous = doc[index - 1]
        if token.is_space or not (previous.whitespace_ or previous.is_space) or token.text[0] not in OPENERS and not (
            token.text[0].isupper() or token.text[0].isdigit()
        ):
            token.is_sent_start = False
            continue
        word = _word_before(doc, index)
        token.is_sent_start = word is not None and _ends_sentence(word)
    return doc


@cache
def sentence_splitter() -> Language:
    """A tokenizer plus ``report_sentencizer``: the cheap pipeline segmentation uses, loaded once per process."""
    nlp = spacy.blank("en")
    nlp.add_pipe("report_sentencizer")
    return nlp


def split_sentences(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Character spans of the sentences of each text, whitespace trimmed."""
    spans: list[list[tuple[int, int]]] = []
    for doc in sentence_splitter().pipe(texts, batch_size=256):
        sentence_spans = []
        for sentence in doc.sents:
            text = sentence.text
            start = sentence.start_char + (len(text) - len(text.lstrip()))
            end = sentence.end_char - (len(text) - len(text.rstrip()))
            if end > start:
                sentence_spans.append((start, end))
        spans.append(sentence_spans)
    return spans
