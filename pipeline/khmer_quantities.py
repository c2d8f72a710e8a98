"""Quantities in Khmer statements: "ផ្លូវក្រួសក្រហមប្រវែង ១៤ គីឡូម៉ែត្រ" → 14 km, with a role.

Khmer writes no spaces between words, so the English word tokenizer of ``pipeline.quantities`` cannot find the
noun after a number; here a number (Khmer or ASCII digits, "." for thousands and "," for decimals, see
``pipeline.khmer.parse_number``) is read with what follows it:

* a scale word ("លាន" million, "ពាន់លាន" billion, "ពាន់", "ម៉ឺន", "សែន"), then a unit word from ``UNIT_WORDS``
  (គីឡូម៉ែត្រ → km, ហិកតា → ha, គ្រួសារ → households, នាក់ → people, ភាគរយ/% → percent, រៀល → riel ...); any other
  Khmer word right after the number is a counter (កន្លែង, ខ្សែ, គ្រឿង ...): ``count``;
* a bare number ("មណ្ឌលសុខភាពចំនួន ៤") takes the unit of a unit word just before it;
* not quantities: years ("ឆ្នាំ ២០២១", any 19xx/20xx without a unit, BE years after "ព.ស."), ordinals and dates
  ("ថ្ងៃទី ១៥", "លើកទី ២"), references ("ផ្លូវជាតិលេខ ៥"), durations ("៣ ខែ", "១៥ ថ្ងៃ"), times and fractions.

Roles: every figure of a goal is a ``target``; elsewhere a cue word in the text before the number decides
(``ROLE_CUES``: "សរុប" total, "ក្នុងនោះ" part, "កើនឡើង/ថយចុះ" change, "រងការខូចខាត/ជន់លិច" affected, "គ្រោង/គោលដៅ"
target), else ``output``.
"""

from __future__ import annotations

import re

from pipeline.khmer import SCALE_WORDS, normalize_with_offsets, parse_number
from pipeline.quantities import Quantity

UNIT_WORDS: dict[str, str] = {
    "គីឡូម៉ែត្រ": "km", "គ.ម": "km", "km": "km",
    "ម៉ែត្រគូប": "count", "ម៉ែត្រការ៉េ": "count", "ម៉ែត្រ": "m",
    "ហិកតា": "ha", "ha": "ha",
    "ភាគរយ": "percent", "%": "percent",
    "រៀល": "riel", "៛": "riel", "ដុល្លារអាមេរិក": "usd", "ដុល្លារ": "usd", "usd": "usd", "$": "usd",
    "គ្រួសារ": "households", "ខ្នងផ្ទះ": "households",
    "នាក់": "people", "អង្គ": "people",
    "ករណី": "cases", "សំណុំរឿង": "cases", "បណ្តឹង": "cases",
    "តោន": "tonnes",
    "ភូមិ": "villages",
    "ឃុំ/សង្កាត់": "communes", "ឃុំ": "communes", "សង្កាត់": "communes",
    "អណ្តូង": "wells",
    "សាលារៀន": "schools", "សាលា": "schools",
    "បន្ទប់រៀន": "classrooms", "ថ្នាក់រៀន": "classrooms",
    "មណ្ឌលសុខភាព": "health_centres",
    "គម្រោង": "projects",
}
"""Unit words after a number, in their normalised spelling (``pipeline.khmer.normalize``); longest first when
matched."""
NOT_AMOUNTS_AFTER = ("ថ្ងៃ", "ខែ", "ឆ្នាំ", "ម៉ោង", "នាទី", "សប្តាហ៍", "វិនាទី", "ដង/", "គីឡូក្រាម", "លីត្រ")
"""Durations, times and measures outside the unit list: a number before these is left out."""
NOT_AMOUNTS_BEFORE = re.compile(r"(?:ឆ្នាំ|ទី|លេខ|ព\.ស\.?|គ\.ស\.?|ម៉ោង|ខែ|ជំពូក|មាត្រា|No\.?|#)\s*$")
"""A number right after these is a year, an ordinal or date, a reference number or a time."""
GENERIC_COUNTERS = ("កន្លែង", "ខ្នង", "ថ្នាក់", "បន្ទប់", "ទីតាំង", "អង្គភាព")
"""Counters that say "places", "buildings", "rooms": the noun before the number tells the unit ("មណ្ឌលសុខភាពចំនួន
៩ កន្លែង" → 9 health centres)."""
NOT_COUNTERS = (
    "នៅ", "ដល់", "ជូន", "ក្នុង", "និង", "ដែល", "បាន", "សម្រាប់", "ពី", "លើ", "ស្មើ", "នៃ", "ចំនួន", "ហើយ", "ធៀប",
    "ដោយ", "តាម", "ទៅ", "មក", "ក្រោម", "ប៉ុណ្ណោះ", "ឬ",
)
"""Words that start the rest of a sentence, not a counter: the number after which they stand is a bare count."""
MEASURE_UNITS = {"km", "m", "ha", "percent", "riel", "usd", "tonnes", "count"}
UNIT_NOUN = re.compile(
    "|".join(sorted((w for w, u in UNIT_WORDS.items() if len(w) > 2 and u not in MEASURE_UNITS), key=len, reverse=True))
)
"""Nouns of counted things (not measures) that a generic counter after a number refers back to."""
AGE_RANGE_AFTER = re.compile(r"\s*(?:ដល់|-|–)\s*[0-9០-៩]+\s*(?:ឆ្នាំ|ខែ|ថ្ងៃ)")
UNIT_BEFORE = re.compile(
    "(" + "|".join(sorted((w for w in UNIT_WORDS if len(w) > 1), key=len, reverse=True)) + r")"
    r"(?:[^\s0-9០-៩]{0,12}?)(?:ចំនួន|សរុប|ទាំងអស់|ទាំង|សរុបចំនួន)?\s*$"
)
"""A unit word shortly before a bare number ("មណ្ឌលសុខភាពចំនួន ៤", "ឃុំទាំង ៧០")."""

_NUMBER = r"(?<![0-9០-៩.,])(?P<number>[0-9០-៩]+(?:[.,][0-9០-៩]+)*)"
_SCALE = "(?P<scale>" + "|".join(sorted(SCALE_WORDS, key=len, reverse=True)) + ")?"
_UNIT = "(?P<unit>" + "|".join(re.escape(w) for w in sorted(UNIT_WORDS, key=len, reverse=True)) + ")?"
_COUNTER = r"(?P<counter>[\u1780-\u17B3][\u1780-\u17D3\u17DD]*|[A-Za-z]{2,6}\b)?"
QUANTITY = re.compile(_NUMBER + r"\s*" + _SCALE + r"\s*" + _UNIT + r"\s*" + _COUNTER, re.IGNORECASE)
CURRENCY_BEFORE = re.compile(r"(?:\$|USD|ដុល្លារ)\s*$", re.IGNORECASE)
YEAR = re.compile(r"(?:19[5-9]\d|20\d\d|25\d\d)")

ROLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(r"(?:ក្នុងនោះ|ក្នុងចំណោមនោះ|រួមមាន|ដែលក្នុងនោះ)[^។]{0,40}$")),
    ("change", re.compile(r"(?:កើនឡើង|កើន|ថយចុះ|ធ្លាក់ចុះ|ថយ|កាត់បន្ថយ|បង្កើន)(?:បាន|ប្រមាណ|ចំនួន|ដល់|\s)*$")),
    ("affected", re.compile(
        r"(?:ខូចខាត|រងផលប៉ះពាល់|ប៉ះពាល់|ជន់លិច|លិចទឹក|រងគ្រោះ|គ្រោះថ្នាក់|ស្លាប់|របួស|បាត់បង់|ឆេះ|រាំងស្ងួត|ខ្វះ|"
        r"នៅសល់|មិនទាន់|រំលោភ|ករណីជំងឺ|ឆ្លង)[^។]{0,40}$"
    )),
    ("total", re.compile(r"(?:សរុប|ទាំងអស់|ទាំង|ដល់|ឈានដល់|សរុបមាន|មានចំនួនសរុប)(?:ចំនួន|\s)*$")),
    ("target", re.compile(r"(?:គ្រោង|គោលដៅ|ផែនការ|នឹង|ត្រូវ)[^។]{0,40}$")),
)
"""Cue words before a figure, nearest cue first within the text since the previous figure."""


def find_khmer_quantities(text: str, kind: str | None = None) -> list[Quantity]:
    """Every quantity in a Khmer statement, in order, with its role; ``kind`` is the statement's kind."""
    normalized, origins = normalize_with_offsets(text)
    quantities: list[Quantity] = []
    previous_end = 0
    for match in QUANTITY.finditer(normalized):
        before = normalized[max(0, match.start() - 30) : match.start()]
        number, scale, unit, counter = match["number"], match["scale"], match["unit"], match["counter"]
        value = parse_number(number)
        if counter and counter.startswith(NOT_COUNTERS):
            counter = None
        if (
            NOT_AMOUNTS_BEFORE.search(before)
            or _not_an_amount(normalized, match, unit, counter)
            or _glued_to_a_name(normalized, match.start())
            or _row_number(normalized, match)
        ):
            continue
        if YEAR.fullmatch(number.translate(str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789"))) and not (unit or scale):
            continue  # a year ("២០២១"), not a count
        if value is not None and scale:
            value = round(value * SCALE_WORDS[scale], 4)
        end = match.end("unit") if unit else match.end("scale") if scale else match.end("number")
        if unit:
            resolved = UNIT_WORDS[unit.lower()] if unit.lower() in UNIT_WORDS else UNIT_WORDS[unit]
        elif CURRENCY_BEFORE.search(before):
            resolved = "usd"
        elif counter and counter.startswith(GENERIC_COUNTERS) and (noun := _unit_noun_before(normalized, match)):
            resolved, end = noun, match.end("counter")
        elif counter and not _starts_with_scale(counter):
            resolved, end = "count", match.end("counter")
        elif found := UNIT_BEFORE.search(before):
            resolved = UNIT_WORDS[found.group(1)]
        else:
            resolved = "count"
        start_original = origins[match.start("number")]
        end_original = origins[end - 1] + 1
        role = _role(normalized[previous_end : match.start()], kind)
        previous_end = end
        quantities.append(
            Quantity(
                value=value,
                unit=resolved,
                text=text[start_original:end_original],
                start=start_original,
                end=end_original,
                role=role,
                cumulative=role == "total",
            )
        )
    return quantities


def _not_an_amount(text: str, match: re.Match[str], unit: str | None, counter: str | None) -> bool:
    """A duration or time after the number, a fraction or time ("១/២", "៨:៣០"), or part of a date range."""
    if unit:
        return False
    after = text[match.end("number") :].lstrip()
    if after.startswith(NOT_AMOUNTS_AFTER) or after[:1] in ("/", ":"):
        return True
    if AGE_RANGE_AFTER.match(text, match.end("number")):
        return True  # "អាយុ ១២ ដល់ ១៧ ឆ្នាំ": an age range
    return counter is not None and counter.startswith(NOT_AMOUNTS_AFTER)


def _glued_to_a_name(text: str, start: int) -> bool:
    """``កូវីដ-១៩``, ``COVID-19``: digits joined by a hyphen to the word before them name something."""
    return start >= 2 and text[start - 1] in "-–" and not text[start - 2].isspace()


def _row_number(text: str, match: re.Match[str]) -> bool:
    """The "No." cell of a table row ("១ | ស្តារវិស័យទេសចរណ៍ | ...")."""
    return " | " in text and match.start() == 0 and text[match.end("number") :].startswith(" |")


def _unit_noun_before(text: str, match: re.Match[str]) -> str | None:
    """The unit of the last unit noun in the clause before a number (no other number in between)."""
    start = max(text.rfind("។", 0, match.start()), 0)
    before = text[start : match.start()]
    digits = [m.end() for m in re.finditer(r"[0-9០-៩]", before)]
    if digits:
        before = before[digits[-1] :]
    nouns = UNIT_NOUN.findall(before)
    return UNIT_WORDS[nouns[-1]] if nouns else None


def _starts_with_scale(counter: str) -> bool:
    return counter.startswith(tuple(SCALE_WORDS))


def _role(before: str, kind: str | None) -> str:
    if kind == "goal":
        return "target"
    found = [(match.start(), role) for role, cue in ROLE_CUES if (match := cue.search(before))]
    if not found:
        return "output"
    return max(found)[1]
