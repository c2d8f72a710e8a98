"""Khmer text: which language a text is in, spellings made comparable, Khmer numbers, months and Buddhist Era years.

Readers keep a report's characters as written (the gold, the exports and the review app show them so); this
module gives the comparable form that matching needs (place names, units, cue words, evaluation):

* ``normalize``: zero-width spaces and joiners dropped (word-break tools insert them between words), the variant
  spellings that mean the same letters made one (ឲ → ឱ, subscript ដ → ត as in អណ្ដូង/អណ្តូង, the split vowels
  េ+ី → ើ and េ+ា → ោ that some keyboards type), a subscript consonant moved before a vowel sign typed ahead of it
  (coeng order), then NFC. ``normalize_with_offsets`` also says where each kept character came from.
* ``language_of``: ``km`` when Khmer letters are at least ``KHMER_SHARE`` of a text's letters.
* numbers as Cambodian offices write them: Khmer or ASCII digits, "." between thousands and "," before decimals
  ("៣.៤៥០" = 3450, "៩៥,៣" = 95.3); English-style "1,200" is still read as 1200 when no "." is present.
* dates: Khmer month names and Buddhist Era years (ព.ស.). A BE year turns over in April (Khmer New Year): January
  to March CE = BE − 543, later months BE − 544. Without a month the later rule is taken, because most of a BE year
  falls in the later CE year's April–December; a dated line ("ថ្ងៃទី ១៥ ខែមករា ឆ្នាំ ២០២១") is preferred where one
  exists.
"""

from __future__ import annotations

import re
import unicodedata

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_TO_ASCII_DIGITS = str.maketrans(KHMER_DIGITS, "0123456789")
KHMER_LETTER = re.compile(r"[\u1780-\u17B3]")
"""Khmer consonants and independent vowels: what counts as a Khmer letter (signs, digits and punctuation not)."""
LATIN_LETTER = re.compile(r"[A-Za-z]")
KHMER_SHARE = 0.5
"""A text whose letters are at least this share Khmer is Khmer (an English term or two in Khmer text stays Khmer,
a Khmer name in English text stays English)."""
KHMER_MARK = r"\u17B4-\u17D3\u17DD\u200B-\u200D"
"""Vowel signs, diacritics, the coeng and zero-width characters: the parts of a Khmer word ``\\w`` leaves out."""
KHMER_WORD_CHARS = r"\u1780-\u17D3\u17DD\u200B-\u200D"
"""Every character that can be part of a Khmer word (letters and marks, no digits or punctuation)."""

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
COENG = "\u17d2"
_DEPENDENT_VOWEL = re.compile(r"([\u17B6-\u17C5]+)(\u17D2[\u1780-\u17A2])")
_VARIANTS = (
    ("\u17b2", "\u17b1"),  # ឲ → ឱ (ឲ្យ / ឱ្យ)
    ("\u17d2\u178a", "\u17d2\u178f"),  # subscript ដ → subscript ត (អណ្ដូង / អណ្តូង)
    ("\u17c1\u17b8", "\u17be"),  # េ + ី → ើ
    ("\u17c1\u17b6", "\u17c4"),  # េ + ា → ោ
)


def language_of(text: str, default: str = "en") -> str:
    """``km`` or ``en``; ``default`` for a text without letters (a bare number, a rule line)."""
    khmer = len(KHMER_LETTER.findall(text))
    latin = len(LATIN_LETTER.findall(text))
    if not khmer + latin:
        return default
    return "km" if khmer / (khmer + latin) >= KHMER_SHARE else "en"


def has_khmer(text: str) -> bool:
    return KHMER_LETTER.search(text) is not None


def normalize(text: str) -> str:
    """The comparable spelling of a text (see the module docstring)."""
    return normalize_with_offsets(text)[0]


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize(text)`` and, for each of its characters, the index in ``text`` it comes from.

    NFC is applied per Khmer-free stretch only where it changes nothing's length, so the offsets stay exact: the
    Khmer block has no canonical compositions, and the other scripts a Khmer report uses are already NFC."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        if char in ZERO_WIDTH:
            continue
        chars.append(char)
        origins.append(index)
    kept = "".join(chars)
    for variant, standard in _VARIANTS:
        if variant not in kept:
            continue
        pieces, piece_origins, at = [], [], 0
        for match in re.finditer(re.escape(variant), kept):
            pieces.append(kept[at : match.start()])
            piece_origins.extend(origins[at : match.start()])
            pieces.append(standard)
            piece_origins.extend(origins[match.start()] for _ in standard)
            at = match.end()
        pieces.append(kept[at:])
        piece_origins.extend(origins[at:])
        kept, origins = "".join(pieces), piece_origins
    if _DEPENDENT_VOWEL.search(kept):
        reordered, reordered_origins, at = [], [], 0
        for match in _DEPENDENT_VOWEL.finditer(kept):
            reordered.append(kept[at : match.start()])
            reordered_origins.extend(origins[at : match.start()])
            vowel_start, coeng_start = match.start(1), match.start(2)
            reordered.append(match.group(2) + match.group(1))
            reordered_origins.extend(origins[coeng_start : match.end()] + origins[vowel_start:coeng_start])
            at = match.end()
        reordered.append(kept[at:])
        reordered_origins.extend(origins[at:])
        kept, origins = "".join(reordered), reordered_origins
    if not kept.isascii():
        composed = unicodedata.normalize("NFC", kept)
        if len(composed) == len(kept):
            kept = composed
    return kept, origins


def ascii_digits(text: str) -> str:
    """Khmer digits as ASCII digits, one character for one, so offsets stay valid."""
    return text.translate(_TO_ASCII_DIGITS)


# --- numbers -------------------------------------------------------------------------------------------------

NUMBER = re.compile(r"[0-9០-៩]+(?:[.,][0-9០-៩]+)*")
_KHMER_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_KHMER_DECIMAL = re.compile(r"\d+(?:,\d{1,2}|,\d{4,})")
_ENGLISH_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PLAIN = re.compile(r"\d+")
_ENGLISH_DECIMAL = re.compile(r"\d+\.\d{1,2}")

SCALE_WORDS = {"ពាន់លាន": 1e9, "លាន": 1e6, "សែន": 1e5, "ម៉ឺន": 1e4, "ពាន់": 1e3, "រយ": 1e2}
"""Khmer scale words, longest first where one contains another ("ពាន់លាន" = thousand million = billion)."""


def parse_number(written: str) -> float | None:
    """The value of a number written with Khmer or ASCII digits; ``None`` for a malformed one ("1.2.3,45,6").

    "." groups thousands and "," marks decimals ("៣.៤៥០" = 3450, "៩៥,៣" = 95.3, "៣.៤៥០,៥" = 3450.5). A lone "."
    before one or two digits ("2.5") and "," between groups of three without any "." ("1,200") are read the
    English way, as mixed-script reports write them."""
    text = ascii_digits(written)
    if _PLAIN.fullmatch(text):
        return float(text)
    if _KHMER_DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    if _KHMER_GROUPED.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    if _ENGLISH_GROUPED.fullmatch(text):
        return float(text.replace(",", ""))
    if _ENGLISH_DECIMAL.fullmatch(text):
        return float(text)
    return None


# --- dates ---------------------------------------------------------------------------------------------------

MONTHS = {
    "មករា": 1, "កុម្ភៈ": 2, "មីនា": 3, "មេសា": 4, "ឧសភា": 5, "មិថុនា": 6,
    "កក្កដា": 7, "សីហា": 8, "កញ្ញា": 9, "តុលា": 10, "វិច្ឆិកា": 11, "ធ្នូ": 12,
}
BE_OFFSET_EARLY, BE_OFFSET_LATE = 543, 544
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
DATED_LINE = re.compile(
    rf"ថ្ងៃទី\s*(?P<day>[0-9០-៩]{{1,2}})\s*ខែ\s*(?P<month>{_MONTH_NAMES})\s*ឆ្នាំ\s*(?P<year>[0-9០-៩]{{4}})"
)
BE_YEAR = re.compile(r"ព\s*\.\s*ស\s*\.?\s*(?P<be>[0-9០-៩]{4})")
CE_YEAR = re.compile(r"គ\s*\.\s*ស\s*\.?\s*(?P<ce>[0-9០-៩]{4})")


def month_number(name: str) -> int | None:
    return MONTHS.get(normalize(name).strip())


def ce_year_of_be(be_year: int, month: int | None = None) -> int:
    """The Common Era year of a Buddhist Era year (see the module docstring for the month rule)."""
    return be_year - (BE_OFFSET_EARLY if month is not None and month <= 3 else BE_OFFSET_LATE)


def dated_years(text: str) -> list[int]:
    """The CE years of the dates a text writes, in order: dated lines ("ថ្ងៃទី ១៥ ខែមករា ឆ្នាំ ២០២១"), a CE year
    given beside a BE one ("ព.ស. ២៥៦៧ ត្រូវនឹង គ.ស. ២០២៣"), else a BE year converted."""
    text = normalize(text)
    found: list[tuple[int, int]] = []
    for match in DATED_LINE.finditer(text):
        year = int(ascii_digits(match["year"]))
        month = MONTHS[match["month"]]
        found.append((match.start(), ce_year_of_be(year, month) if year > 2400 else year))
    for match in BE_YEAR.finditer(text):
        ce = CE_YEAR.search(text, match.end(), match.end() + 40)
        year = int(ascii_digits(ce["ce"])) if ce else ce_year_of_be(int(ascii_digits(match["be"])))
        found.append((match.start(), year))
    return [year for _, year in sorted(found)]
