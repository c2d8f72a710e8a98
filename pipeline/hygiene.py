"""Untrusted text made safe to store, show and open: report text, file names and error messages.

Report text and file names come from outside. Control characters (NUL and the like) break CSV readers and
terminals; bidirectional override and isolate characters (U+202A–U+202E, U+2066–U+2069) reorder what a reader
sees, so "fdp.exe" can display as "exe.pdf"; a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula. Text is cleaned once where it enters (``Document.assemble``, the inbox, error messages) and
spreadsheet cells are neutralised where they leave (CSV and Excel exports).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates. The plain marks (U+200E, U+200F) cannot reorder text and are kept."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""OWASP's list (with the full-width forms spreadsheets also accept): a cell starting so is run as a formula."""
MESSAGE_LIMIT = 300

_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(BIDI_CONTROLS) + "]")


def has_unwanted(text: str) -> bool:
    """Whether ``text`` holds a control character other than tab and line break, or a bidi control."""
    return _UNWANTED.search(text) is not None


def clean_text(text: str) -> str:
    """``text`` without control characters (tabs and line breaks become spaces or stay) and bidi controls."""
    if not _UNWANTED.search(text):
        return text
    return _UNWANTED.sub(lambda match: " " if match[0] in "\x0b\x0c\x1c\x1d\x1e\x1f\x85" else "", text)


def visible_name(name: str) -> str:
    """A file name as the dataset shows it: bytes that are not UTF-8 (kept by Python as surrogate escapes),
    control characters and bidi controls written as ``\\xNN`` / ``\\uNNNN``, so that two different names never
    look the same and every name can be stored, exported and typed back."""
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (``os.fsdecode``'s surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char == "\n":
            out.append("\\n")
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif char in BIDI_CONTROLS or unicodedata.category(char) == "Cs":
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def one_line(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message on one clean line of at most ``limit`` characters (library messages may hold whole dictionaries)."""
    line = " ".join(clean_text(message.replace("\t", " ")).split())
    line = "".join(char for char in line if unicodedata.category(char) != "Cs")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def spreadsheet_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, prefixed with ``'`` so it stays text (OWASP's rule)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell made ``spreadsheet_safe`` (numbers stay numbers)."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_safe, na_action="ignore")
    return safe


def sql_spreadsheet_safe(column: str) -> str:
    """``spreadsheet_safe`` as a DuckDB expression over a quoted column name, for exports written with ``COPY``."""
    return f"CASE WHEN regexp_matches({column}, '{_SQL_FORMULA_START}') THEN '''' || {column} ELSE {column} END"


_SQL_FORMULA_START = "^[=+\\-@\\t\\r\uff1d\uff0b\uff0d\uff20]"
"""``FORMULA_STARTS`` as an RE2 character class (RE2 reads ``\\t`` and ``\\r`` as tab and carriage return)."""
