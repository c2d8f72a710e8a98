"""Filter values resolved, never guessed: provinces, sectors, kinds, levels and review statuses.

A filter that silently matches nothing ("Siemreap", "KH-99", "helth") looks like an answer. Every front end (the
CLI's ``export``, the HTTP API, the analysts' pages, ``StatementFilter``) resolves what the user typed here:
case, spaces, hyphens, underscores, dots and apostrophes do not count, a province may be given by its ISO code,
English name, ISO name or any spelling variant the gazetteer knows (with the same romanisation swaps, so
"Kompong Cham" and "Kg. Cham" are Kampong Cham), and anything else raises :class:`UnknownName` with the nearest
valid values.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pipeline.errors import InvalidInput
from pipeline.gazetteer import Province, name_key, province_keys, provinces
from pipeline.sectors import SECTORS
from pipeline.vocabulary import REPORTED_KINDS, ReviewStatus, StatementKind

LEVELS = ("capital", "province", "municipality", "district", "khan", "working_group")
"""Administrative levels of a report (``pipeline.normalize``), most to least senior."""
SUGGESTIONS = 3
SIMILARITY_CUTOFF = 0.5
"""``difflib`` ratio below which a valid value is not worth suggesting (0.5 keeps "helth" → health and drops
unrelated names)."""


class UnknownName(InvalidInput):
    """A filter value that names nothing known; carries the nearest valid values."""

    http_status = 422

    def __init__(self, what: str, value: str, suggestions: list[str], valid: Iterable[str] = ()):
        hint = f"did you mean {', '.join(suggestions)}?" if suggestions else f"use one of {', '.join(valid)}"
        super().__init__(f"unknown {what} {value!r}: {hint}")
        self.what = what
        self.value = value
        self.suggestions = suggestions


def _nearest(key: str, labels: dict[str, str]) -> list[str]:
    """The labels of the keys that start with ``key`` ("roads" → roads_infrastructure), then of those closest to
    it, best first, each once."""
    found: list[str] = []
    starting = sorted(option for option in labels if key and option.startswith(key))
    similar = difflib.get_close_matches(key, list(labels), n=SUGGESTIONS * 3, cutoff=SIMILARITY_CUTOFF)
    for option in starting + similar:
        if labels[option] not in found:
            found.append(labels[option])
    return found[:SUGGESTIONS]


def province_label(province: Province) -> str:
    return f"{province.name} ({province.code})"


def resolve_province(value: str) -> Province:
    """The capital/province ``value`` names: ``KH-17``, ``kh17``, ``Siem Reap``, ``Siemreap``, ``SIEM-REAP``…"""
    key = name_key(value)
    province = province_keys().get(key)
    if province is not None:
        return province
    labels = {k: province_label(p) for k, p in province_keys().items()}
    raise UnknownName("province", value, _nearest(key, labels), (p.code for p in provinces()))


def _resolve(what: str, value: str, valid: Iterable[str]) -> str:
    options = {name_key(option): option for option in valid}
    key = name_key(value)
    if key in options:
        return options[key]
    raise UnknownName(what, value, _nearest(key, options), options.values())


def resolve_sector(value: str) -> str:
    """One of ``pipeline.sectors.SECTORS``: ``water_irrigation`` also as "Water irrigation" or "water-irrigation"."""
    return _resolve("sector", value, SECTORS)


def resolve_kind(value: str, kinds: Iterable[str] = REPORTED_KINDS) -> StatementKind:
    """A statement kind among ``kinds`` (by default the three the dataset reports); "Goals" is ``goal``."""
    valid = [str(kind) for kind in kinds]
    key = name_key(value)
    plural = {name_key(kind) + "s": kind for kind in valid}
    if key in plural:
        return StatementKind(plural[key])
    return StatementKind(_resolve("kind", value, valid))


def resolve_review_status(value: str) -> ReviewStatus:
    return ReviewStatus(_resolve("review status", value, [str(status) for status in ReviewStatus]))


def resolve_level(value: str) -> str:
    """An administrative level; "working group" is ``working_group``."""
    return _resolve("level", value, LEVELS)
