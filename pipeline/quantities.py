"""Quantities in a statement, and the year a goal targets.

A statement's numbers are what a ministry aggregates ("46 km of roads", "3,450 households", "USD 2.3 million"),
so each becomes a ``Quantity``: the value as a number and the unit from a fixed list (``UNITS``).

How a number is read (a regex tokenizer, no spaCy: this runs on every statement and must be cheap):

* values: digits with thousands separators and decimals ("2,350", "1.5"), number words ("twenty-five",
  "one hundred and twelve"), each optionally scaled ("1.5 million", "9.6 billion riel", "6,000 million riel");
  vague amounts ("several dozen", "hundreds of") and malformed digits ("2,35") are kept with value ``None`` so a
  reviewer can be pointed at them. A lone "one" is a pronoun far more often than a count ("One Window Service",
  "one of the") and is not a quantity.
* units: a currency before or after ("USD", "US$", "$", "KHR", "៛", "riel", "dollars"), a percent sign or word,
  a measure right after ("km", "kilometres", "m", "metres", "ha", "hectares", "tonnes"), else the head noun of
  the words that follow (``COUNT_NOUNS``: "returning migrant workers" → people, "IDPoor households" →
  households, "land dispute cases" → cases; "farmer cooperatives" and "school toilets" are ``count``: a unit noun
  used as a modifier gives way to a plural head), else ``count`` for anything else counted ("18 bridges").
  A bare number ("down from 89", "resolved nineteen", "of which 5,982") takes the unit of the next number of a
  range ("3 to 5 km"), else of the closest earlier quantity or "number of <noun>" in the statement; in a table
  row ("Rural roads repaired (km) | 120 | 138") a bare cell takes the unit (and scale) of the row's label.
* not quantities: years ("2020", "2021–2025"), dates ("28 November", "11–14 October"), reference numbers
  ("Sub-Decree No. 215", "Article 5", "Phase 2", "National Roads 1, 2 and 21", "Street 271"), identifiers
  ("COVID-19", "NR5"), ordinals ("1st"), durations ("14 days", "three months"), rates ("3.4 tonnes per
  hectare"), measures outside the unit list ("8.2 kg", "214 cubic metres"), and the whole "M" of a share
  "N of the M sangkats" (one quantity, N sangkats).

Target years (``target_year``): the latest year a statement names after the year under review ("by 2023",
"in 2021", "for the 2021 fiscal year", "before the 2021 rainy season"); a range counts by its end year
("during 2021–2023" → 2023) because a goal is due when its period ends; "next year" / "the coming year" is the
report year + 1. Without a known report year, years introduced as a comparison ("compared with 2019", "than
2019", "since 2018", "the 2019 level") are ignored. A goal that names no year takes the year of its list's
lead-in or of its section heading ("Goals for 2021"), which is where most reports write it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.khmer import ascii_digits, language_of
from pipeline.quantity_roles import assign_roles

UNITS = (
    "km", "m", "ha", "percent", "riel", "usd", "households", "people", "cases", "schools", "classrooms",
    "health_centres", "families", "tonnes", "villages", "communes", "wells", "projects", "count",
)


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float | None
    """``None`` when the amount is written vaguely or malformed ("several dozen", "2,35")."""
    unit: str
    text: str
    start: int
    """Character span of ``text`` in the statement."""
    end: int
    role: str = "output"
    """What the figure is in its statement (``ROLES``, found by ``pipeline.quantity_roles``)."""
    object: str | None = None
    """What it counts or measures, as a singular head noun ("road", "classroom", "household"); ``None`` when the
    statement does not say (a percentage, an amount of money, a bare number)."""
    period: str | None = None
    """The time its statement gives it, as written ("between March and December", "in 2020"), if any."""
    cumulative: bool = False
    """It counts more than the year under review: a running total or a stock ("bringing the total to 92")."""
    change_from: float | None = None
    """For a ``change``: the value it moved from ("up from 79%"), when the statement gives it."""
    change_to: float | None = None
    """For a ``change``: the value it moved to ("fell to 198"), when the statement gives it."""
    refers_to: int | None = None
    """Index (in the statement's quantities) of the figure a bare number takes its unit from ("resolved nineteen")."""


# --- vocabulary ----------------------------------------------------------------------------------------------

ONES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
VAGUE_BEFORE_SCALE = {"several", "few", "many", "some"}
"""``several dozen``, ``a few hundred``: an amount with no value."""
VAGUE_PLURALS = {"dozens", "hundreds", "thousands", "millions", "billions", "tens"}
"""``hundreds of families``: an amount with no value (only when ``of`` follows)."""

PERCENT_WORDS = {"percent", "pct", "percentage"}
CURRENCY_BEFORE = {"usd": "usd", "us$": "usd", "$": "usd", "khr": "riel", "៛": "riel"}
CURRENCY_AFTER = {
    "usd": "usd", "dollar": "usd", "dollars": "usd", "riel": "riel", "riels": "riel", "khr": "riel", "៛": "riel",
}
MEASURES = {
    "km": "km", "kms": "km", "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km",
    "m": "m", "metre": "m", "metres": "m", "meter": "m", "meters": "m",
    "ha": "ha", "hectare": "ha", "hectares": "ha",
    "tonne": "tonnes", "tonnes": "tonnes", "ton": "tonnes", "tons": "tonnes", "t": "tonnes",
}
FOREIGN_MEASURES = {
    "kg", "kgs", "kilogram", "kilograms", "kilogramme", "kilogrammes", "g", "gram", "grams", "litre", "litres",
    "liter", "liters", "l", "mw", "kw", "kwh", "mwh", "gwh", "mm", "cm", "m2", "m3", "km2", "sq", "square", "cubic",
}
"""Measures the unit list cannot hold: the number is left out rather than mislabelled."""
DURATIONS = {
    "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months",
    "year", "years", "decade", "decades", "year-old", "years-old", "working",
}
"""Durations are not quantities ("within 30 days", "fourteen days of quarantine"); ``working`` as in
"three working days"."""

COUNT_NOUNS: dict[str, str] = {}
for _unit, _words in {
    "people": (
        "people person persons individual individuals resident residents citizen citizens villager villagers "
        "worker workers migrant migrants returnee returnees suspect suspects visitor visitors tourist tourists "
        "arrivals student students pupil pupils child children patient patients official officials staff "
        "officer officers employee employees teacher teachers farmer farmers participant participants trainee "
        "trainees councillor councillors councilor councilors chief chiefs women men girls boys youth youths "
        "traveller travellers traveler travelers contact contacts deaths victim victims beneficiary "
        "beneficiaries member members client clients voter voters doctor doctors nurse nurses midwife midwives "
        "volunteer volunteers labourer labourers laborer laborers vendor vendors fishermen inmates prisoners "
        "offender offenders users foreigners servants graduates applicants soldiers policemen planner planners "
        "engineer engineers inspector inspectors fireman firemen guard guards ranger rangers passenger passengers "
        "adult adults mother mothers widow widows veteran veterans retiree retirees pensioner pensioners "
        "counsellor counsellors counselor counselors specialist specialists surgeon surgeons athlete athletes "
        "candidate candidates weaver weavers producer producers cleaner cleaners assistant assistants dead infant "
        "infants"
    ),
    "households": "household households",
    "families": "families",
    "cases": (
        "case cases dispute disputes conflict conflicts crime crimes complaint complaints offence offences offense "
        "offenses accident accidents incident incidents theft thefts robbery robberies arrest arrests"
    ),
    "schools": "school schools",
    "classrooms": "classroom classrooms",
    "villages": "village villages phum phums",
    "communes": "commune communes sangkat sangkats khum khums",
    "wells": "well wells borehole boreholes",
    "projects": "project projects",
}.items():
    COUNT_NOUNS.update(dict.fromkeys(_words.split(), _unit))
HEALTH_CENTRE_HEADS = {"centre", "centres", "center", "centers", "post", "posts"}
"""After "health": a health centre or health post."""

REFERENCE_WORDS = {
    "no", "nos", "number", "article", "articles", "art", "phase", "phases", "chapter", "section", "part", "clause",
    "paragraph", "annex", "table", "figure", "page", "pages", "item", "road", "roads", "route", "routes", "street",
    "streets", "st", "nr", "highway", "decree", "sub-decree", "prakas", "circular", "decision", "law", "grade",
    "level", "stage", "step", "version", "zone", "block", "khan", "sangkat", "village", "phum", "group", "unit",
    "room", "kilometre", "km", "tel", "telephone", "phone", "ext", "code", "box", "anukret", "deika", "grades",
}
"""A number right after one of these names something ("Road 7", "Phase 2", "Khan 7 Makara", "Anukret 14"); "No."
includes "Sub-Decree No. 215". Lists and ranges continue the reference ("National Roads 1, 2 and 21", "grade 7 to
9")."""
MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}
STOP_WORDS = set(
    "of in at on to from with for by through across under over into within along among between during before "
    "after since until about around near per than via against toward towards throughout including excluding "
    "except like that which who whose where while because due thanks as but so if whereas is are was were be "
    "been being has have had will would shall should can could may might must did do does the a an this these "
    "those its their his her our all each every some any no both compared respectively only also not still yet "
    "it they we he she there lost paid built held met took sent went made gave got came became fell rose left "
    "kept found brought bought sold taught won began out now currently already again".split()
)
"""Words that end the noun phrase after a number (the head noun comes before them)."""
COORDINATORS = {"and", "or", "&", "/"}
"""Coordinate nouns share the number ("5,630 permits and licences") unless a unit noun came first."""
RANGE_WORDS = {"to", "and", "or", "-", "–", "—"}
COMPARATIVE_BEFORE = {"compared", "than", "since", "from", "over", "against", "vs", "versus", "relative"}
PHRASE_MAX_WORDS = 6
AGE_WORDS = {"aged", "age", "ages"}
"""A bare number right after one of these is an age ("people aged 60"), not an amount."""
AGE_LIMITS = {"under", "below", "above", "over"}
"""After one of these, a number is an age when what comes before holds an age ("children under five"); else it can
be a limit of an amount ("cases below 70")."""

TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<sym>US\$|[$៛%|/&()\-–—])"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W_]+)*)"
    r"|(?P<other>[^\s\w])",
    re.IGNORECASE,
)
DIGITS_PLAIN = re.compile(r"\d+(?:\.\d+)?")
DIGITS_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
YEAR_VALUE = re.compile(r"(?:19[5-9]\d|20\d\d)")
PARENTHESIS = re.compile(r"\(([^)]*)\)")


@dataclass(slots=True)
class _Token:
    text: str
    lower: str
    kind: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in TOKEN.finditer(text):
        value, kind = match.group(), match.lastgroup
        assert kind is not None, "every alternative of TOKEN is a named group"
        tokens.append(_Token(value, value.lower(), kind, match.start(), match.end()))
    return tokens


NUMBER_WORDS = ONES.keys() | TENS.keys() | SCALES.keys()
MAY_START_NUMBER = ONES.keys() | TENS.keys() | VAGUE_BEFORE_SCALE | VAGUE_PLURALS | {"a"}
NUMBER_CUE = re.compile(
    r"\d|\b(?:" + "|".join(sorted(NUMBER_WORDS | VAGUE_PLURALS | {"several", "dozen"})) + r")\b",
    re.IGNORECASE,
)
"""Whether a text can hold a quantity at all: most statements without one are dismissed by this one search."""


def _number_word_parts(token: _Token) -> list[str] | None:
    """``twenty-five`` → ``["twenty", "five"]``; ``None`` unless every part is a number or scale word."""
    if token.kind != "word":
        return None
    if token.lower in NUMBER_WORDS:
        return [token.lower]
    if "-" not in token.lower:
        return None
    parts = token.lower.split("-")
    return parts if all(part in NUMBER_WORDS for part in parts) else None


def _words_value(words: list[str]) -> float:
    total, current = 0.0, 0.0
    for word in words:
        if word in ONES:
            current += ONES[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        else:
            total += (current or 1) * SCALES[word]
            current = 0.0
    return total + current


def _digits_value(text: str) -> float | None:
    if DIGITS_GROUPED.fullmatch(text) or DIGITS_PLAIN.fullmatch(text):
        return float(text.replace(",", ""))
    return None


# --- finding numbers -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Number:
    first: int
    """Index of the number's first token (after any currency sign)."""
    last: int
    """One past the index of its last token (scale words included)."""
    value: float | None


def _read_number(tokens: list[_Token], i: int) -> _Number | None:
    """The number starting at token ``i`` (digits or words, with any scale words), if one starts there."""
    token = tokens[i]
    if token.kind == "word" and token.lower.split("-", 1)[0] not in MAY_START_NUMBER:
        return None
    if token.kind == "num":
        if token.text.count(".") > 1:
            return None  # "1.2.3": a section number
        value = _digits_value(token.text)
        j = i + 1
        while j < len(tokens) and tokens[j].lower in SCALES:
            value = None if value is None else value * SCALES[tokens[j].lower]
            j += 1
        return _Number(i, j, value)
    if token.lower in VAGUE_BEFORE_SCALE or (token.lower == "a" and _at(tokens, i + 1) == "few"):
        j = i + (2 if token.lower == "a" else 1)
        if _at(tokens, j) in SCALES or _at(tokens, j) == "dozen":
            while _at(tokens, j) in SCALES or _at(tokens, j) == "dozen":
                j += 1
            return _Number(i, j, None)
        return None
    if token.lower in VAGUE_PLURALS and _at(tokens, i + 1) == "of":
        j = i + 2
        while _at(tokens, j) in VAGUE_PLURALS and _at(tokens, j + 1) == "of":  # "tens of thousands of"
            j += 2
        return _Number(i, j, None)
    if token.lower == "a" and _at(tokens, i + 1) in ("dozen", "hundred", "thousand", "million", "billion"):
        scale = 12 if tokens[i + 1].lower == "dozen" else SCALES[tokens[i + 1].lower]
        return _Number(i, i + 2, float(scale))
    words = _number_word_parts(token)
    if words is None or words[0] in SCALES:
        return None
    j = i + 1
    while j < len(tokens):
        following = _number_word_parts(tokens[j])
        if following is not None and _continues(words, following[0]):
            words += following
            j += 1
        elif tokens[j].lower == "and" and words[-1] in SCALES and _number_word_parts(_tok(tokens, j + 1)):
            j += 1  # "one hundred and twelve"
        elif tokens[j].lower == "dozen":
            words.append("dozen")
            j += 1
        else:
            break
    if words == ["one"]:
        return None
    if "dozen" in words:
        words = [w for w in words if w != "dozen"]
        return _Number(i, j, _words_value(words) * 12)
    return _Number(i, j, _words_value(words))


def _continues(words: list[str], following: str) -> bool:
    """Whether a number word can extend the number read so far ("twenty five", "two thousand", not "five six")."""
    if following in SCALES:
        return True
    if following in TENS:
        return words[-1] in SCALES
    return words[-1] in SCALES or words[-1] in TENS


def _at(tokens: list[_Token], i: int) -> str:
    return tokens[i].lower if 0 <= i < len(tokens) else ""


_EMPTY = _Token("", "", "other", 0, 0)


def _tok(tokens: list[_Token], i: int) -> _Token:
    return tokens[i] if 0 <= i < len(tokens) else _EMPTY


def _is_year(tokens: list[_Token], number: _Number) -> bool:
    token = tokens[number.first]
    return token.kind == "num" and number.last == number.first + 1 and bool(YEAR_VALUE.fullmatch(token.text))


def _glued_before(tokens: list[_Token], i: int) -> bool:
    """``COVID-19``, ``NR5``: the number is part of a name."""
    if i == 0 or tokens[i - 1].end != tokens[i].start:
        return False
    before = tokens[i - 1]
    if before.kind == "word":
        return True
    if before.text in ("-", "–", "—", "/") and i >= 2 and tokens[i - 2].end == before.start:
        left = tokens[i - 2]
        if left.kind == "word":
            return True  # "Decree-215"
        # "2021-22" and "1/2" are a period and a fraction; "20-25 km" is a range of two amounts
        return left.kind == "num" and (before.text == "/" or bool(YEAR_VALUE.fullmatch(left.text)))
    return False


def _is_reference(tokens: list[_Token], i: int) -> bool:
    """A number that names something: after a reference word, possibly in a list ("Roads 1, 2 and 21")."""
    j = i - 1
    while j >= 0:
        word = tokens[j].lower
        if word in REFERENCE_WORDS or (word == "." and _at(tokens, j - 1) in ("no", "art", "st", "nos")):
            return True
        ranged = word in ("to", "-", "–") and _at(tokens, i + 1) not in MEASURES
        if (word in (",", "and", "&") or ranged) and j >= 1 and tokens[j - 1].kind == "num":
            j -= 2  # step over ", 2" / "and 2" in a list of references
            continue
        if word == "#":
            return True
        return False
    return False


def _is_date(tokens: list[_Token], number: _Number) -> bool:
    """``28 November``, ``November 28``, ``11–14 October``."""
    i, j = number.first, number.last
    if tokens[i].kind != "num":
        return False
    if _at(tokens, j) in MONTHS or (_at(tokens, i - 1) in MONTHS and _is_day(tokens[i].text)):
        return True  # "28 November", "November 28"; not "By December 100.3% of adults"
    if _at(tokens, j) in RANGE_WORDS and _tok(tokens, j + 1).kind == "num" and _at(tokens, j + 2) in MONTHS:
        return True  # "11–14 October", "from 10 to 20 October"
    return _at(tokens, j) in (":", "/") and _tok(tokens, j + 1).kind == "num"  # "8:30", "12/05/2020"


def _is_day(text: str) -> bool:
    return text.isdigit() and 1 <= int(text) <= 31


def _is_list_marker(tokens: list[_Token], number: _Number) -> bool:
    return number.first == 0 and _at(tokens, number.last) in (".", ")") and tokens[number.first].kind == "num"


# --- units ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    unit: str | None
    """``None``: a bare number whose unit comes from its context."""
    last: int
    """One past the last token of the quantity's text."""
    skip: bool = False
    """Not a quantity after all (a duration, a rate, a measure outside the unit list)."""
    whole: int | None = None
    """Index of the token of the "M" in "N of the M": the share's object is the whole's."""


def _unit_after(tokens: list[_Token], j: int) -> _Unit:
    """The unit written right after a number ending before token ``j``."""
    word = _at(tokens, j)
    if word == "-" and tokens[j - 1].end == tokens[j].start:  # "12-km road", "two-storey", "5-year plan"
        following = _at(tokens, j + 1)
        if following in MEASURES:
            return _Unit(MEASURES[following], j + 2)
        if _tok(tokens, j + 1).kind == "num":
            return _Unit(None, j)  # "20-25 km": takes the unit of the range's end
        return _Unit(None, j, skip=True)
    if word == "%" or word in PERCENT_WORDS:
        last = j + 1 + (_at(tokens, j + 1) == "points")
        return _Unit("percent", last)
    if word == "per" and _at(tokens, j + 1) == "cent":
        return _Unit("percent", j + 2)
    if word in CURRENCY_AFTER:
        return _Unit(CURRENCY_AFTER[word], j + 1)
    if word == "us" and _at(tokens, j + 1) in ("dollar", "dollars"):
        return _Unit("usd", j + 2)
    if word in MEASURES:
        if _at(tokens, j + 1) in ("per", "/") or (word == "m" and _at(tokens, j + 1) in ("2", "3")):
            return _Unit(None, j, skip=True)  # a rate or an area/volume
        return _Unit(MEASURES[word], j + 1)
    if word in FOREIGN_MEASURES or word in DURATIONS:
        return _Unit(None, j, skip=True)
    if word == "times":
        return _Unit("count", j + 1)
    return _noun_unit(tokens, j)


def _noun_unit(tokens: list[_Token], j: int) -> _Unit:
    """The unit named by the noun phrase starting at token ``j``, ``count`` if it names none, ``None`` if empty."""
    if _at(tokens, j) in ("more", "fewer", "less") and _at(tokens, j + 1) == "than":
        return _Unit(None, j)  # "31 schools, five more than last year": the number counts what the earlier one does
    if _at(tokens, j) == "of":
        total = _nested_total(tokens, j)
        if total is not None:
            return total
        if _at(tokens, j + 1) in SHARE_OF:  # "46 of these cases", "61 of our people": the share counts what they count
            named = _noun_unit(tokens, j + 2)
            if named.unit not in (None, "count"):
                return _Unit(named.unit, j)
    unit, last, words, k = None, j, 0, j
    unit_word = ""
    while k < len(tokens) and words < PHRASE_MAX_WORDS:
        token = tokens[k]
        if token.lower in COORDINATORS:
            if _is_plural_count_noun(_at(tokens, k - 1)) or (words and _is_plural_noun(_at(tokens, k - 1))):
                break  # "64 communes and sangkats", "12 pagodas and schools"; "80 commune and sangkat councillors"
            k += 1
            continue
        if token.kind != "word" or token.lower in STOP_WORDS or _number_word_parts(token) is not None:
            break
        if words and token.lower.endswith(("ed", "ing")) and token.lower not in COUNT_NOUNS:
            modifier = _at(tokens, k + 1) in COUNT_NOUNS and not _is_plural_noun(_at(tokens, k - 1))
            if not _at(tokens, k - 1).endswith("ly") and not modifier:
                break  # a participle after the noun: "households holding ...", "roads linking communes ..."
        if not words and token.lower.endswith("ed") and _ends_phrase(_tok(tokens, k + 1)):
            break  # a verb right after the number: "121 completed, ...", "85 joined this year"
        if token.lower == "health" and _at(tokens, k + 1) in HEALTH_CENTRE_HEADS:
            unit, last, k, words = "health_centres", k + 2, k + 2, words + 2
            continue
        if token.lower in COUNT_NOUNS:
            unit, unit_word = COUNT_NOUNS[token.lower], token.lower
        elif unit is not None and _is_plural_noun(token.lower) and not _is_plural_count_noun(unit_word):
            unit = None  # a singular modifier, then the head: "farmer cooperatives", "school toilets"
        words += 1
        k += 1
        last = k
    if last == j:
        return _Unit(None, j)
    return _Unit(unit or "count", last)


SHARE_OF = {"these", "those", "the", "our", "its", "their"}
"""Words after "N of" that point to a group the share is taken from ("46 of these cases", "61 of our people")."""


def _ends_phrase(token: _Token) -> bool:
    """Whether a noun phrase cannot go on at ``token`` (not a word, or a stop word)."""
    return token.kind != "word" or token.lower in STOP_WORDS


IRREGULAR_PLURALS = {"people", "children", "women", "men", "staff", "fishermen"}
PLURAL_NOUN = re.compile(r"^[a-z-]{3,}[^su']s$")


SAME_UNIT_HEADS = {"councils", "buildings", "campuses", "premises"}
"""Heads that name the modifier's own unit: "109 commune councils" are communes, "18 school buildings" schools."""


def _is_plural_noun(word: str) -> bool:
    """A plural noun that is not a counted unit of its own ("cooperatives", "toilets"), which then heads the phrase
    after a modifier that is ("farmer", "school")."""
    return PLURAL_NOUN.match(word) is not None and word not in SAME_UNIT_HEADS


def _is_plural_count_noun(word: str) -> bool:
    return word in COUNT_NOUNS and (word.endswith("s") or word in IRREGULAR_PLURALS)


def _nested_total(tokens: list[_Token], j: int) -> _Unit | None:
    """``nine of the ten sangkats``: the share ("nine") takes the unit of the whole, which is read next as a
    quantity of its own (its role, ``total``, comes from ``pipeline.quantity_roles``)."""
    k = j + 1
    if _at(tokens, k) in ("the", "its", "their", "our", "all"):
        k += 1
    total = _read_number(tokens, k) if k < len(tokens) else None
    if total is None:
        return None
    noun = _noun_unit(tokens, total.last)
    if noun.unit is None:
        return None
    return _Unit(noun.unit, j, whole=k)


def _currency_before(tokens: list[_Token], i: int) -> tuple[str, int] | None:
    word = _at(tokens, i - 1)
    if word in CURRENCY_BEFORE:
        return CURRENCY_BEFORE[word], i - 1
    if word == "$" and _at(tokens, i - 2) == "us":
        return "usd", i - 2
    return None


RATE_HEADS = {"share", "rate", "percentage", "proportion", "ratio", "coverage", "length", "area", "value", "amount"}
"""Label heads whose "of" phrase does not say what the row's numbers count ("Share of households with a latrine")."""


def _label_unit(label: str) -> _Label:
    """Unit, scale and object a table row's label gives its bare numbers: "(million riel)", "(km)", "New
    classrooms"."""
    tokens = _tokens(PARENTHESIS.sub(" ", label))
    if len(tokens) == 1 and tokens[0].lower in MEASURES:
        return _Label(MEASURES[tokens[0].lower], 1.0)  # a unit column: "Drainage cleaned | m | 6,000 | 6,450"
    noun = _noun_unit(tokens, 0)
    counted = _head(tokens, 0, noun.last)
    for inside in PARENTHESIS.findall(label):
        scale = 1.0
        for token in _tokens(inside):
            if token.lower in SCALES:
                scale *= SCALES[token.lower]
            elif token.lower in ("%", "percent"):
                return _Label("percent", scale)
            elif token.lower in CURRENCY_AFTER or token.lower in CURRENCY_BEFORE:
                return _Label(CURRENCY_AFTER.get(token.lower) or CURRENCY_BEFORE[token.lower], scale)
            elif token.lower in MEASURES:
                return _Label(MEASURES[token.lower], scale, counted)
            elif token.lower in COUNT_NOUNS:
                return _Label(COUNT_NOUNS[token.lower], scale, counted)
    if noun.unit in (None, "count") and _at(tokens, noun.last) == "of" and _at(tokens, 0) not in RATE_HEADS:
        named = _noun_unit(tokens, noun.last + 1 + (_at(tokens, noun.last + 1) in DETERMINERS))
        if named.unit not in (None, "count"):  # "Vaccination of adults | 48,000 | 39,750": adults are counted
            return _Label(named.unit, 1.0, _head(tokens, noun.last + 1, named.last))
    return _Label(noun.unit or "count", 1.0, counted)


# --- the statement -------------------------------------------------------------------------------------------

CELL_SEPARATOR = " | "
ROW_NUMBER = re.compile(r"^\s*\d{1,3}[.)]?\s*$")
LETTER = re.compile(r"[^\W\d_]")
WRITTEN_UNITS = {"km", "m", "ha", "tonnes", "percent", "riel", "usd"}
"""Units that make a year-shaped number a quantity ("2020 ha"); "2020 floods" stays a year."""


def find_quantities(text: str, kind: str | None = None) -> list[Quantity]:
    """Every quantity in one statement, in order, each with its role; table rows (cells joined by " | ") are read
    cell by cell. ``kind`` is the statement's kind: a goal's figures are targets. Khmer statements are read by
    ``pipeline.khmer_quantities``."""
    if language_of(text) == "km":
        from pipeline.khmer_quantities import find_khmer_quantities  # it builds on this module's Quantity

        return find_khmer_quantities(text, kind)
    if not NUMBER_CUE.search(text) and not FRACTION.search(text):
        return []
    if CELL_SEPARATOR not in text:
        return assign_roles(text, _with_fractions(text, _text_quantities(text, 0, None)), kind)
    cells, offset = [], 0
    for cell in text.split(CELL_SEPARATOR):
        cells.append((cell, offset))
        offset += len(cell) + len(CELL_SEPARATOR)
    quantities: list[Quantity] = []
    label: _Label | None = None
    for index, (cell, offset) in enumerate(cells):
        if index == 0 and ROW_NUMBER.match(cell) and any(LETTER.search(other) for other, _ in cells[1:]):
            continue  # "3 | Plant shade trees | 800 trees": the row's number in its list
        if not quantities and index:
            found = _text_quantities(cell, offset, None)
            if found:  # the first cell with numbers: the cell before it labels the row
                label = _label_unit(cells[index - 1][0])
        shift = len(quantities)
        quantities.extend(
            replace(q, refers_to=None if q.refers_to is None else q.refers_to + shift)
            for q in _text_quantities(cell, offset, label)
        )
    return assign_roles(text, quantities, kind)


def _text_quantities(text: str, offset: int, label: _Label | None) -> list[Quantity]:
    """Quantities of a sentence or a table cell; ``label`` is the unit, scale and object of its row's bare numbers."""
    tokens = _tokens(text)
    found: list[tuple[_Number, int, _Unit]] = []  # the number, the first token of its text, its unit
    i, ages = 0, -1
    while i < len(tokens):
        number = _read_number(tokens, i)
        if number is None:
            i += 1
            continue
        i = number.last
        if _names_something(tokens, number):
            continue
        currency = _currency_before(tokens, number.first)
        if currency is not None:
            number = _currency_scale(tokens, number)
            unit, start = _Unit(currency[0], number.last), currency[1]
        else:
            unit, start = _unit_after(tokens, number.last), number.first
        if unit.skip or (_is_year(tokens, number) and currency is None and unit.unit not in WRITTEN_UNITS):
            continue
        if unit.unit in (None, "count") and label is None and _is_age(tokens, number.first):
            ages = number.last  # "children under two", "people aged 60", "residents over 18": an age, not an amount
            continue
        if _at(tokens, number.first - 1) in RANGE_WORDS and ages == number.first - 1:
            continue  # "children aged six to eleven": the range's end is an age too
        found.append((number, start, unit))
        i = max(i, unit.last)
    quantities: list[Quantity] = []
    for index, (number, start, unit) in enumerate(found):
        resolved = _resolve_unit(tokens, found, index, label)
        if resolved.unit == "count" and unit.unit is None and label is None and quantities:
            between = "".join(f"{token.lower} " for token in tokens[found[index - 1][0].last : start])
            if COMPARED_FROM.search(between):  # "rose to 356, up from 151": the value compared has its unit
                resolved = _Resolved(quantities[-1].unit, object=quantities[-1].object)
        if unit.unit is None and _is_bare_money(number, resolved):
            resolved = _Resolved("riel", resolved.scale)  # "District budget | 1,120,000,000 | 1,066,450,000"
        first, last = tokens[start], tokens[max(unit.last, number.last) - 1]
        refers_to = resolved.source
        if unit.unit is not None:
            counted = _object_after(tokens, number.last, unit)
            if counted is None and label is not None and unit.unit not in UNCOUNTED_UNITS:
                counted = label.object  # "Rural roads repaired | 60 km | 64.5 km"
        elif refers_to is not None:
            counted = quantities[refers_to].object
        else:
            counted = resolved.object
        quantities.append(
            Quantity(
                value=None if number.value is None else number.value * resolved.scale,
                unit=resolved.unit,
                text=text[first.start : last.end],
                start=offset + first.start,
                end=offset + last.end,
                object=counted,
                refers_to=refers_to,
            )
        )
    return quantities


BARE_MONEY_FROM = 100_000_000
"""A province counts nothing in hundreds of millions but money: such a figure with no unit written is riel."""


def _is_bare_money(number: _Number, resolved: _Resolved) -> bool:
    counted = resolved.unit in ("count", "health_centres") or resolved.unit in COUNT_NOUNS.values()
    return counted and number.value is not None and number.value * resolved.scale >= BARE_MONEY_FROM


FRACTION = re.compile(
    r"(?<![\w-])(?:(?<=\bby )(?:(?:almost|about|nearly|more than|over|some|roughly) )*(?:a|one|two) )?"
    r"\b(?:(?P<share>(?:a|one|two|three) (?:half|third|thirds|quarter|quarters|fifth|fifths))"
    r"(?= of\b|[,.;]|$| (?:on|in|since|from|compared|by|before|after|when|than)\b)"
    r"|(?<!first )(?<!second )(?<!last )(?<!other )(?P<half>half)(?= of (?:the|all|its|their|these|those|our)\b)"
    r"|(?<=\bby )(?P<by_half>half)\b"
    r"|(?P<one_in>one (?:[a-z]+ )?in (?:two|three|four|five|ten)\b)"
    r"|(?P<double>doubled|twice(?= (?:as|the)\b)|(?<=\balmost )double|(?<=\bnearly )double))",
    re.IGNORECASE,
)
"""A share or a multiple written in words: "half of the pupils", "by a quarter", "two thirds", "one household in
four", "doubled", "twice as many"; "the first half of the year" is a period, "flooded twice" a number of times."""
PARTS = {"half": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5}
COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}


def _fraction(match: re.Match[str]) -> Quantity:
    words = match.group().lower().split()
    if match.group("double"):
        value, unit = 2.0, "count"
    elif match.group("one_in"):
        value, unit = round(100 / COUNTS[words[-1]], 1), "percent"
    elif match.group("half") or match.group("by_half"):
        value, unit = 50.0, "percent"
    else:
        count, part = match.group("share").lower().split()
        value, unit = round(100 * COUNTS[count] / PARTS[part], 1), "percent"
    return Quantity(value=value, unit=unit, text=match.group(), start=match.start(), end=match.end())


def _with_fractions(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """The sentence's quantities with its shares and multiples written in words, in order of their place."""
    fractions = [_fraction(m) for m in FRACTION.finditer(text)]
    if not fractions:
        return quantities
    kept = [(k, q) for k, q in enumerate(quantities) if not any(q.start < f.end and f.start < q.end for f in fractions)]
    merged = sorted([(q.start, k, q) for k, q in kept] + [(f.start, None, f) for f in fractions], key=lambda x: x[0])
    position = {k: new for new, (_, k, _) in enumerate(merged) if k is not None}
    return [
        q if q.refers_to is None else replace(q, refers_to=position.get(q.refers_to))
        for _, _, q in merged
    ]


COMPARED_FROM = re.compile(
    r"^(?:[^,;]*[,;] )?(?:(?:up|down) )?(?:from|against|compared (?:with|to)|versus|vs) "
    r"(?:(?:about|around|some|nearly|almost|barely|only|just) )*$"
)
"""Words between two figures that make the second the value the first is compared with."""
AGE_HOLDERS = {
    "aged", "residents", "adults", "people", "persons", "children", "women", "men", "citizens", "pupils", "students",
    "girls", "boys", "infants", "babies", "youth",
}


def _is_age(tokens: list[_Token], i: int) -> bool:
    before = _at(tokens, i - 1)
    return before in AGE_WORDS or (before in AGE_LIMITS and _at(tokens, i - 2) in AGE_HOLDERS)


WORD_REFERENCES = {"grade", "grades", "phase", "stage", "chapter", "article", "section", "part", "level"}
"""Reference words also followed by a number in words."""


def _names_something(tokens: list[_Token], number: _Number) -> bool:
    """Digits that are part of a name, a reference, a date, a list marker or an ordinal, not an amount."""
    if tokens[number.first].kind != "num":
        return _at(tokens, number.first - 1) in WORD_REFERENCES  # "after grade six", "Phase two"
    return (
        _glued_before(tokens, number.first)
        or _is_reference(tokens, number.first)
        or _is_date(tokens, number)
        or _is_list_marker(tokens, number)
        or _glued_suffix(tokens, number)
        or _ends_a_name(tokens, number)
    )


def _ends_a_name(tokens: list[_Token], number: _Number) -> bool:
    """"Stueng Mean Chey 1", "Boeng Tumpun 2": a one- or two-digit number after two capitalised words inside a
    text, closing a phrase, is part of a place's name ("Kampot 12, Kep 3" stay amounts)."""
    name = [_tok(tokens, number.first - 2), _tok(tokens, number.first - 1)]
    if number.first < 2 or any(t.kind != "word" or not t.text[:1].isupper() or t.lower in MONTHS for t in name):
        return False
    if not re.fullmatch(r"\d{1,2}", tokens[number.first].text):
        return False  # "in Kampot 1,200": an amount after a place
    return number.last == len(tokens) or tokens[number.last].text in (",", ")", ";", ".")


def _currency_scale(tokens: list[_Token], number: _Number) -> _Number:
    """``USD 2.3m``, ``USD 1bn``: a scale letter stuck to an amount of money."""
    after = _tok(tokens, number.last)
    if after.lower in ("m", "bn") and after.start == tokens[number.last - 1].end:
        scale = 1e6 if after.lower == "m" else 1e9
        return _Number(number.first, number.last + 1, None if number.value is None else number.value * scale)
    return number


def _glued_suffix(tokens: list[_Token], number: _Number) -> bool:
    """``1st``, ``4G``: letters stuck to the digits that are not a unit ("12km" is fine)."""
    after = _tok(tokens, number.last)
    glued = after.kind == "word" and after.start == tokens[number.last - 1].end
    return glued and after.lower not in MEASURES and after.lower not in CURRENCY_AFTER


@dataclass(frozen=True, slots=True)
class _Label:
    """What a table row's label gives its bare numbers: "Rural roads repaired (km)" → km of road."""

    unit: str
    scale: float = 1.0
    object: str | None = None


@dataclass(frozen=True, slots=True)
class _Resolved:
    unit: str
    scale: float = 1.0
    object: str | None = None
    source: int | None = None
    """Index of the earlier quantity the unit was taken from."""


def _resolve_unit(
    tokens: list[_Token], found: list[tuple[_Number, int, _Unit]], index: int, label: _Label | None
) -> _Resolved:
    """The unit (and the scale and object a table label adds) of the ``index``-th number found."""
    number, start, unit = found[index]
    if unit.unit is not None:
        return _Resolved(unit.unit)
    if label is not None:
        return _Resolved(label.unit, label.scale, label.object)
    following = found[index + 1] if index + 1 < len(found) else None
    if following is not None and following[2].unit is not None and following[1] == number.last + 1:
        if _at(tokens, number.last) in RANGE_WORDS:  # "3 to 5 km"
            return _Resolved(following[2].unit, object=_object_after(tokens, following[0].last, following[2]))
    previous = next(
        ((f[1], f[2].unit, k) for k, f in reversed(list(enumerate(found[:index]))) if f[2].unit is not None), None
    )
    if previous is None and _at(tokens, start - 1) == ":":
        labelled = _colon_label_unit(tokens, start - 1)
        if labelled is not None:
            return _Resolved(labelled)  # "Traffic accidents on the bypass: 49": the label says what is counted
    if previous is None and index and found[index - 1][2].unit is None and label is None:
        earlier = _resolve_unit(tokens, found, index - 1, label)  # "fell from 48 to 31": both count what 48 counts
        if earlier.unit != "count":
            return _Resolved(earlier.unit, source=index - 1)
    number_of = _number_of_unit(tokens, start)
    if previous is not None and previous[1] == "percent" and _at(tokens, previous[0] - 1) == "by":
        subject = _subject_unit(tokens, previous[0])  # "cases fell by 58%, to 2,147": cases, not percent
        if number_of is None and subject is not None:
            return _Resolved(subject)
        previous = None
    if previous is not None and (number_of is None or previous[0] > number_of[0]):
        return _Resolved(previous[1], source=previous[2])
    if number_of is not None:
        return _Resolved(number_of[1], object=number_of[2])
    words_before = "".join(f"{token.lower} " for token in tokens[max(0, start - 6) : start])
    if previous is None and SETTLED.search(" ".join(t.lower for t in tokens[max(0, start - 2) : number.last + 4])):
        return _Resolved("cases")  # "settled 21 of them", "68 had been resolved": what is settled is a case
    if previous is None and LEVEL_BEFORE.search(words_before):
        subject = _subject_unit(tokens, start)  # "Tourist arrivals fell to about 0.5 million"
        if subject is not None:
            return _Resolved(subject)
    if previous is None and _at(tokens, number.last) == "of" and _at(tokens, number.last + 1) in ("them", "whom"):
        subject = _subject_unit(tokens, start, plural=True)  # "Land disputes are many, and 39 of them remain open"
        if subject is not None:
            return _Resolved(subject)
    return _Resolved("count")


SETTLED = re.compile(r"\b(?:settled?|settling|resolved?|resolving|mediated)\b")
"""Verbs whose object is a dispute or a complaint, so a bare figure next to them counts cases."""
LEVEL_BEFORE = re.compile(
    r"(?:\b(?:rose|risen|fell|fallen|dropped|increased|decreased|declined|grew|climbed|reached)\s+(?:to\s+|from\s+)?"
    r"|\b(?:remained|remains|stood|stands)\s+(?:\w+\s+)?at\s+)"
    r"(?:(?:about|around|some|nearly|almost|over|more|than|only|just)\s+)*$"
)
"""A bare number that is the level something reached takes the unit of what reached it."""


def _colon_label_unit(tokens: list[_Token], colon: int) -> str | None:
    """The unit the noun phrase opening a "label: N" clause names, when it names one."""
    k = colon
    while k > 0 and tokens[k - 1].lower not in (".", ";", ":"):
        k -= 1
    while _at(tokens, k) in DETERMINERS:
        k += 1
    named = _noun_unit(tokens, k).unit
    return None if named in (None, "count") else named


def _subject_unit(tokens: list[_Token], before: int, plural: bool = False) -> str | None:
    """The unit of the last counted noun before token ``before`` ("Confirmed malaria cases fell by ..."); ``plural``:
    of the last plural one, which "them" can point back to."""
    for k in range(before - 1, -1, -1):
        if tokens[k].lower in COUNT_NOUNS and (not plural or _is_plural_count_noun(tokens[k].lower)):
            return COUNT_NOUNS[tokens[k].lower]
    return None


def _number_of_unit(tokens: list[_Token], before: int) -> tuple[int, str, str | None] | None:
    """``the number of visitors fell to 41,300``, ``a population of about 1.2 million``: the unit (and object) the
    closest "number of <noun>" or "population" before a bare number gives it."""
    for k in range(before - 1, -1, -1):
        if tokens[k].lower == "population":
            return k, "people", "person"
        if tokens[k].lower == "number" and _at(tokens, k + 1) == "of":
            noun = _noun_unit(tokens, k + 2)
            return (k, noun.unit, _head(tokens, k + 2, noun.last)) if noun.unit is not None else None
    return None


# --- what a quantity counts ----------------------------------------------------------------------------------

DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "this", "these", "those"}
IRREGULAR_SINGULARS = {"people": "person", "children": "child", "women": "woman", "men": "man", "staff": "staff",
                       "fishermen": "fisherman", "series": "series", "premises": "premises"}


def _object_after(tokens: list[_Token], j: int, unit: _Unit) -> str | None:
    """The head noun of what a number with a written unit counts: the noun phrase of a count ("26 culverts" →
    culvert), or the "of" phrase after a measure ("46 km of rural roads" → road)."""
    if unit.unit in UNCOUNTED_UNITS or unit.unit is None:
        return None
    if unit.unit in MEASURE_UNITS:
        k = unit.last
        if _at(tokens, k) != "of":
            return _object_with_length(tokens, j - 1)
        k += 1
        while _at(tokens, k) in DETERMINERS:
            k += 1
        return _head(tokens, k, _noun_unit(tokens, k).last)
    if unit.unit == "health_centres":
        return "health centre"
    if unit.whole is not None:  # "nine of the ten sangkats"
        whole = _read_number(tokens, unit.whole)
        return None if whole is None else _head(tokens, whole.last, _noun_unit(tokens, whole.last).last)
    return _head(tokens, j, unit.last)


def _object_with_length(tokens: list[_Token], last: int) -> str | None:
    """"Rural roads with a total length of 53 km": the noun before "with a (total) length of"."""
    k = _number_start(tokens, last)
    if _at(tokens, k - 1) != "of" or _at(tokens, k - 2) not in ("length", "distance"):
        return None
    k -= 3
    while _at(tokens, k) in ("total", "combined", "overall", "a", "an", "the"):
        k -= 1
    if _at(tokens, k) != "with" or _tok(tokens, k - 1).kind != "word":
        return None
    return _singular(tokens[k - 1].lower)


def _number_start(tokens: list[_Token], last: int) -> int:
    """The first token of the number whose last token is ``last`` ("twenty-three", "1.5 million")."""
    k = last
    while k > 0 and (tokens[k - 1].kind == "num" or _number_word_parts(tokens[k - 1]) is not None):
        k -= 1
    return k


MEASURE_UNITS = set(MEASURES.values())
UNCOUNTED_UNITS = {"percent", "riel", "usd"}
"""Units that say how much, not of what: a share or an amount of money has no ``object``."""


def _head(tokens: list[_Token], start: int, end: int) -> str | None:
    """The last word of the noun phrase ``tokens[start:end]``, singular and lower case; ``None`` if empty."""
    words = [t.lower for t in tokens[start:end] if t.kind == "word" and t.lower not in COORDINATORS]
    return _singular(words[-1]) if words else None


def _singular(word: str) -> str:
    if word in IRREGULAR_SINGULARS:
        return IRREGULAR_SINGULARS[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def summarize(quantities: list[Quantity]) -> str:
    """A short, readable list for the statements table: ``12 km; 3450 households; ? people``."""
    return "; ".join(f"{_format_value(q.value)} {q.unit}" for q in quantities)


def _format_value(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if value == int(value) else f"{value:g}"


# --- target years --------------------------------------------------------------------------------------------

YEAR = re.compile(
    r"(?<![\w,.])(?:FY\s?)?(?P<year>19[5-9]\d|20\d\d)"
    r"(?:\s*[-–—/]\s*(?P<end>19[5-9]\d|20\d\d|\d\d)(?![\w,]))?(?![\d,]|\.\d)",
    re.IGNORECASE,
)
NEXT_YEAR = re.compile(
    r"\b(?:next|coming|following|upcoming)\s+(?:fiscal\s+|calendar\s+)?year\b|ឆ្នាំ(?:ក្រោយ|បន្ទាប់|ខាងមុខ|ទៅមុខ)",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W\d_]+")


def target_year(text: str, report_year: int | None = None, context: tuple[str, ...] = ()) -> int | None:
    """The year a goal is due by (see the module docstring); ``None`` when it names none.

    When the statement itself names no year, the first ``context`` text that does decides: the lead-in of its
    list ("In 2021 the district will:"), then its section heading ("III. Goals for 2021")."""
    for candidate in (text, *context):
        year = _target_year(ascii_digits(candidate), report_year) if candidate else None
        if year is not None:
            return year
    return None


def _target_year(text: str, report_year: int | None) -> int | None:
    years = []
    for match in YEAR.finditer(text):
        year = int(match["year"])
        if match["end"]:
            end = match["end"]
            year = int(end) if len(end) == 4 else year // 100 * 100 + int(end)
        if report_year is not None:
            if year > report_year:
                years.append(year)
        elif not _comparative(text, match.start(), match.end()):
            years.append(year)
    if report_year is not None and NEXT_YEAR.search(text):
        years.append(report_year + 1)
    return max(years, default=None)


def _comparative(text: str, start: int, end: int) -> bool:
    before = WORD.findall(text[max(0, start - 30) : start].lower())[-3:]
    after = WORD.findall(text[end : end + 12].lower())[:1]
    return bool(COMPARATIVE_BEFORE & set(before)) or after in (["level"], ["levels"])
