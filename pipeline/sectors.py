"""The sector of a statement, from a weighted phrase lexicon.

Every statement gets exactly one of ``SECTORS``. The lexicon (``pipeline/data/sectors.yaml``, which also states
the labelling rule) lists phrases per sector with a weight of 1–3; a spaCy ``PhraseMatcher`` on lower-cased
tokens finds them, overlapping matches keep the longest ("forest crimes" rather than "crimes"), and the weights
add up per sector. The highest total wins; a tie goes to the sector listed first in the lexicon (the more
specific one). A statement that matches nothing takes the sector of its context (the list's lead-in sentence, then
its section heading, e.g. "2.4 Natural resources and fisheries"); with no match there either it is ``other``.

A lexicon rather than a trained model because the sectors follow the ministries' vocabulary closely and a
reviewer can read, and fix, why a statement landed where it did.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import spacy
import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

LEXICON_PATH = Path(str(files("pipeline") / "data" / "sectors.yaml"))
OTHER = "other"


@cache
def _lexicon() -> dict[str, dict[int, list[str]]]:
    with LEXICON_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def sectors() -> tuple[str, ...]:
    """Every sector, in tie-break order, ``other`` last."""
    return (*_lexicon(), OTHER)


SECTORS = sectors()


@cache
def _matcher() -> tuple[spacy.language.Language, PhraseMatcher, dict[int, tuple[str, int]]]:
    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    meaning: dict[int, tuple[str, int]] = {}
    for sector, by_weight in _lexicon().items():
        for weight, phrases in by_weight.items():
            key = f"{sector}:{weight}"
            matcher.add(key, [nlp.make_doc(phrase) for phrase in phrases])
            meaning[nlp.vocab.strings[key]] = (sector, int(weight))
    return nlp, matcher, meaning


def sector_scores(doc: Doc) -> dict[str, int]:
    """The summed weight of each sector's phrases in ``doc`` (sectors with no match are absent).

    ``doc`` may come from another pipeline's vocabulary (the statement classifier's), so matches stay
    ``(key, start, end)`` triples; of overlapping ones the longest wins, then the earliest, as in
    ``spacy.util.filter_spans``."""
    _, matcher, meaning = _matcher()
    taken: set[int] = set()
    scores: dict[str, int] = {}
    for key, start, end in sorted(matcher(doc), key=lambda match: (match[1] - match[2], match[1])):
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            sector, weight = meaning[key]
            scores[sector] = scores.get(sector, 0) + weight
    return scores


def _best(scores: dict[str, int]) -> str | None:
    if not scores:
        return None
    order = {sector: index for index, sector in enumerate(SECTORS)}
    return min(scores, key=lambda sector: (-scores[sector], order[sector]))


TABLE_CELL_SEPARATOR = " | "


def classify_sector(text: str, *context: str, tokens: Doc | None = None) -> str:
    """The sector of ``text``; when it names none, of the first ``context`` text that does; else ``other``.

    ``tokens`` is ``text`` already tokenized (the extraction stage's ``Doc``; marker words it may carry match no
    phrase), to save tokenizing it again. A table row's first cell names its subject ("Irrigation canals
    rehabilitated | 35 | 21 | Delayed by the floods"), so its phrases count twice."""
    nlp = _matcher()[0]
    for index, candidate in enumerate((text, *context)):
        if not candidate:
            continue
        scores = sector_scores(tokens if index == 0 and tokens is not None else nlp.make_doc(candidate))
        if TABLE_CELL_SEPARATOR in candidate:
            label = candidate.split(TABLE_CELL_SEPARATOR, 1)[0]
            for sector, score in sector_scores(nlp.make_doc(label)).items():
                scores[sector] = scores.get(sector, 0) + score
        best = _best(scores)
        if best is not None:
            return best
    return OTHER
