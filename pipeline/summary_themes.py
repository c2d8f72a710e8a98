"""The themes a kind of statement keeps coming back to nationally, found from shared key phrases.

A key phrase is a run of two or three content words ("rural roads", "land disputes", "clean water supply"):
runs break at stop words, numbers, participles and place names, which leaves mostly noun phrases without a
tagger. Themes are picked greedily — the phrase that the most provinces share, then the next one among the
statements not yet covered — so each theme is about different statements.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from pipeline.dataset import records
from pipeline.gazetteer import districts, provinces

PHRASE_LENGTHS = (2, 3)
MIN_PROVINCES = 2
"""A phrase only one province uses is that province's topic, not a national theme."""
REPORT_WORDS = frozenset(
    """
    province provinces provincial district districts municipality municipal municipalities capital khan khans
    administration administrations department departments office offices government royal authority authorities
    year years month months january february march april may june july august september october november december
    total number including plan plans continues people per cent percent also mainly about
    km ha riel usd achieved achievement achievements challenge challenges goal goals target targets
    """.split()
)
"""Words every report uses: they say who and when, not what about."""
REPORT_VERBS = frozenset(
    """
    build repair construct rehabilitate upgrade expand complete establish implement conduct organise organize
    provide support strengthen promote improve increase reduce maintain prevent collect encourage facilitate
    manage carry continue ensure
    """.split()
)
"""Verbs that open most goals ("Build …", "Strengthen …"): without a tagger they would start many phrases."""
_WORD = re.compile(r"[a-z][a-z0-9'’\-]*[a-z0-9]|[a-z]")


@dataclass(frozen=True, slots=True)
class Theme:
    key: str
    """The phrase normalised (lower case, singular): every statement of the theme contains it."""
    phrase: str
    sector: str | None
    """The sector most of its statements have, if the dataset has sectors."""
    statements: int
    provinces: int
    examples: list[dict]
    """Representative statements (rows of the dataset), each from a different province where possible."""


def find_themes(statements: pd.DataFrame, limit: int = 5, examples: int = 3) -> list[Theme]:
    """Up to ``limit`` themes of ``statements`` (rows of one kind), most widely shared first."""
    rows = statements.reset_index(drop=True)
    phrases_of = [key_phrases(text) for text in rows["text"]]
    uncovered = set(range(len(rows)))
    themes: list[Theme] = []
    while len(themes) < limit:
        best = _most_shared_phrase(rows, phrases_of, uncovered)
        if best is None:
            break
        key, members, surface = best
        uncovered -= set(members)
        chosen = rows.iloc[sorted(members)]
        themes.append(
            Theme(
                key=key,
                phrase=surface,
                sector=_main_sector(chosen),
                statements=len(chosen),
                provinces=chosen["province_code"].nunique(),
                examples=_representatives(chosen, examples),
            )
        )
    return themes


def key_phrases(text: str) -> dict[str, str]:
    """Each phrase's key (lower case, singular) → its words as written here."""
    phrases: dict[str, str] = {}
    for run in _content_runs(text):
        for length in PHRASE_LENGTHS:
            for start in range(len(run) - length + 1):
                words = run[start : start + length]
                phrases.setdefault(" ".join(_singular(word) for word in words), " ".join(words))
    return phrases


def _content_runs(text: str) -> list[list[str]]:
    runs: list[list[str]] = [[]]
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if _is_content_word(word):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) >= PHRASE_LENGTHS[0]]


def _is_content_word(word: str) -> bool:
    if len(word) < 3 or not any(ch.isalpha() for ch in word) or word.isdigit():
        return False
    if word in _stop_words() or word in REPORT_WORDS or word in REPORT_VERBS or word in _place_words():
        return False
    return not (word.endswith("ed") and len(word) > 4)  # "repaired", "limited": verbs and participles


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


@cache
def _stop_words() -> frozenset[str]:
    """spaCy's English stop words, from their module file alone: importing the module the usual way imports all
    of spaCy, a second of CPU in a run's main process, which has no other use for it."""
    spacy = importlib.util.find_spec("spacy")
    if spacy is None or spacy.origin is None:
        raise ImportError("spaCy is not installed")
    path = Path(spacy.origin).parent / "lang" / "en" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("workreview_english_stop_words", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load spaCy's English stop words from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


@cache
def _place_words() -> frozenset[str]:
    names = [p.name for p in provinces()] + [v for p in provinces() for v in p.variants] + [d.name for d in districts()]
    return frozenset(word for name in names for word in _WORD.findall(name.lower()))


def _most_shared_phrase(
    rows: pd.DataFrame, phrases_of: list[dict[str, str]], uncovered: set[int]
) -> tuple[str, list[int], str] | None:
    members: dict[str, list[int]] = defaultdict(list)
    surfaces: dict[str, Counter] = defaultdict(Counter)
    for index in uncovered:
        for key, surface in phrases_of[index].items():
            members[key].append(index)
            surfaces[key][surface] += 1
    province_codes = rows["province_code"].tolist()
    ranked = []
    for key, indices in members.items():
        shared_by = len({province_codes[index] for index in indices} - {None})
        if shared_by >= MIN_PROVINCES:
            # Wider spread first, then more statements, then the longer (more specific) phrase, then the words.
            ranked.append((-shared_by, -len(indices), -len(key.split()), key))
    if not ranked:
        return None
    key = min(ranked)[3]
    surface = min(surfaces[key].items(), key=lambda item: (-item[1], item[0]))[0]
    return key, members[key], surface


def _main_sector(rows: pd.DataFrame) -> str | None:
    sectors = rows["sector"].dropna()
    sectors = sectors[~sectors.astype(str).str.strip().isin(["", "other"])]
    return None if sectors.empty else sectors.value_counts().sort_index().idxmax()


def _representatives(rows: pd.DataFrame, count: int) -> list[dict]:
    """Confident, unflagged, not too long statements, one per province first."""
    ordered = rows.assign(_length=rows["text"].str.len()).sort_values(
        ["flagged", "confidence", "_length", "statement_id"], ascending=[True, False, True, True]
    ).drop(columns="_length")
    picked, seen = [], set()
    for record in records(ordered):
        if record["province_code"] not in seen:
            picked.append(record)
            seen.add(record["province_code"])
        if len(picked) == count:
            return picked
    return picked
