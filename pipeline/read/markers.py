"""Line shapes every reader recognises: list markers and heading-like lines.

Reports type their lists and part titles by hand as often as they use Word's styles, so the DOCX, text and
PDF readers all need the same idea of what "- item", "1) item" or "II. CHALLENGES" look like.
"""

from __future__ import annotations

import re

from pipeline.document import Block, BlockKind

_BULLETS = "-–—*+•●◦▪■□►▸‣➢➤❖✓→»\uf0b7\uf0a7\uf0d8\uf076"
_LIST_MARKER = re.compile(
    rf"""^(?P<marker>
        [{re.escape(_BULLETS)}]
        | o                               # a lower-case "o" typed as a bullet
        | \d{{1,2}}[.)]                   # 1.  12)
        | \(\d{{1,2}}\)                   # (1)
        | [a-z][.)] | \([a-z]\)           # a.  a)  (a)
        | [ivx]{{2,4}}[.)] | \([ivx]{{2,4}}\)   # ii)  (iv)
        | [A-Z]\)                         # A)
        | [០-៩]{{1,2}}[.)] | [០-៩]{{1,2}}(?:\.[០-៩]{{1,2}})+\.?   # Khmer numbering: ១.  ១)  ២.១
        | \([០-៩]{{1,2}}\)                 # (១)
        | [ក-អ][.)] | \([ក-អ]\)           # Khmer letters: ក.  ក)  (ក)
    )\s+(?P<rest>\S.*)$""",
    re.VERBOSE | re.DOTALL,
)
_NUMBERED_TITLE = re.compile(
    r"^(?:[IVXLC]+\.|[A-Z]\.|[ក-ឍ]\.|\d+\.(?:\d+\.?)*|(?i:part|chapter|section)\s+\w+)(?:\s|:|$)"
)
HEADING_MAX_WORDS = 12


def split_list_marker(text: str) -> tuple[str | None, str]:
    """``("1.", "Built 25 km of road")`` for ``"1. Built 25 km of road"``; ``(None, text)`` when there is no marker."""
    match = _LIST_MARKER.match(text.strip())
    if match is None:
        return None, text.strip()
    return match["marker"], match["rest"].strip()


def is_ordered_marker(marker: str) -> bool:
    """Numbers and letters count items; bullet symbols do not."""
    return any(char.isalnum() for char in marker) and marker != "o"


def is_all_caps(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return len(letters) >= 2 and all(char.isupper() for char in letters)


def looks_like_heading(text: str) -> bool:
    """Short, not a sentence, and numbered ("I.", "1.1", "Part 2"), in capitals, or ending with a colon."""
    text = text.strip()
    if not text or len(text.split()) > HEADING_MAX_WORDS or text[-1] in ".;,!?។៕":
        return False
    return bool(_NUMBERED_TITLE.match(text)) or is_all_caps(text) or text.endswith(":")


def keep_lone_numbered_headings(items: list[tuple[Block, str | None]]) -> list[Block]:
    """Turn a one-item "list" like "1. Achievements" back into a paragraph that keeps its number.

    ``items`` pairs each block with the literal list marker stripped from it (or ``None``). An item numbered
    like a part title with no numbered item next to it is a numbered heading, not a list: keeping it as a
    paragraph keeps its number for the segmenter and stops it being mistaken for a statement.
    """
    def numbered_item(position: int) -> bool:
        if not 0 <= position < len(items):
            return False
        block, marker = items[position]
        return block.kind == BlockKind.LIST_ITEM and marker is not None and is_ordered_marker(marker)

    for position, (block, marker) in enumerate(items):
        if not numbered_item(position) or numbered_item(position - 1) or numbered_item(position + 1):
            continue
        numbered_text = f"{marker} {block.text}"
        if looks_like_heading(numbered_text):
            block.kind = BlockKind.PARAGRAPH
            block.text = numbered_text
    return [block for block, _ in items]
