"""Stage 2 — segment: sections from headings, and the statements inside them.

Readers mark headings when the format says so (Word styles, font size, Markdown ``#``). Plain text and
"numbered plain paragraph" layouts say it only through the words, so a short, unpunctuated block that starts
with a numbering pattern ("I.", "1.1", "A.", "Part 2") or is written in capitals is a heading too.
Each section gets a kind from its heading; sub-headings without a kind of their own ("1.1 Health")
inherit their parent's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pipeline.document import BBox, Block, BlockKind, Document
from pipeline.nlp.sentences import split_sentences


class SectionKind(StrEnum):
    ACHIEVEMENTS = "achievements"
    CHALLENGES = "challenges"
    GOALS = "goals"
    OTHER = "other"


@dataclass(slots=True)
class Statement:
    """A sentence, list item or table row: the unit the extractor labels."""

    text: str
    block_index: int
    block_kind: str
    char_start: int
    """Span in ``Document.text``."""
    char_end: int
    page: int | None
    bbox: BBox | None
    section: str
    section_kind: SectionKind
    position: float
    """Where the statement sits in the document, 0 (start) to 1 (end)."""
    lead_in: str = ""
    """For list items and table rows: the sentence that introduces the list ("In 2021 we will:")."""


NUMBERING = re.compile(
    r"""^\s*(?:
        (?P<roman>[IVXLC]{1,6})[.)]\s                      # I. II) ...
      | (?P<part>(?:part|chapter|section)\s+(?:[0-9]+|[IVXLC]+|one|two|three|four|five)\b[.:]?)
      | (?P<dotted>\d{1,2}(?:\.\d{1,2})+)\.?\s             # 1.1 / 2.3.1
      | (?P<arabic>\d{1,2})[.)]\s                          # 1. 2)
      | (?P<letter>[A-H])[.)]\s                            # A. B)
    )""",
    re.IGNORECASE | re.VERBOSE,
)

KIND_CUES: dict[SectionKind, re.Pattern[str]] = {
    SectionKind.CHALLENGES: re.compile(
        r"challeng|problem|difficult|constraint|obstacle|shortcoming|weakness|limitation|issues|lessons? learn|gaps?\b",
        re.I,
    ),
    SectionKind.GOALS: re.compile(
        r"goal|plan\b|plans|planning|direction|target|priorit|objective|way forward|next year|future|"
        r"action plan|commitment|way ahead|next steps",
        re.I,
    ),
    SectionKind.ACHIEVEMENTS: re.compile(
        r"achiev|result|accomplish|progress|performance|implementation|outcome|output|work review|"
        r"activities (?:carried out|conducted|implemented)|what we did|situation",
        re.I,
    ),
}
OTHER_CUES = re.compile(
    r"introduc|background|legal basis|acknowledg|conclusion|annex|purpose|methodology|overview|contents|"
    r"signature|recommendation|closing|preface|foreword",
    re.I,
)
SENTENCE_PUNCTUATION = re.compile(r"[.;!?]\s*$")


def section_kind_of(heading: str) -> SectionKind | None:
    """The kind a heading announces; ``OTHER`` for introductions and the like; ``None`` if it says nothing."""
    if OTHER_CUES.search(heading):
        return SectionKind.OTHER
    found = {kind: match.start() for kind, cue in KIND_CUES.items() if (match := cue.search(heading))}
    if len(found) == 1:
        return next(iter(found))
    if {SectionKind.ACHIEVEMENTS, SectionKind.GOALS} <= found.keys():
        # A title such as "2020 Work Review Results and 2021 Goal Setting" covers the whole report.
        return SectionKind.OTHER
    if found:
        # "Challenges and proposed solutions for 2021": the first-mentioned topic is the section's subject.
        return min(found, key=found.__getitem__)
    return None


def looks_like_heading(block: Block) -> bool:
    """Promote a paragraph that only the words mark as a heading."""
    if block.kind == BlockKind.HEADING:
        return True
    if block.kind != BlockKind.PARAGRAPH:
        return False
    text = block.text
    words = text.split()
    if not words or len(words) > 14 or SENTENCE_PUNCTUATION.search(text) and not text.endswith(":"):
        return False
    letters = [c for c in text if c.isalpha()]
    all_caps = len(letters) >= 4 and all(c.isupper() for c in letters)
    numbered = NUMBERING.match(text + " ") is not None
    short_title = len(words) <= 6 and text[0].isupper() and not text[-1].isdigit()
    return all_caps or numbered or short_title or text.endswith(":") and len(words) <= 8


def heading_depth(block: Block) -> int:
    """Nesting depth of a heading: the reader's level when known, else from its numbering."""
    if block.heading_level:
        return block.heading_level
    match = NUMBERING.match(block.text + " ")
    if match is None:
        return 1
    if match["dotted"]:
        return match["dotted"].count(".") + 1
    if match["letter"]:
        return 2
    return 1


def segment(document: Document) -> list[Statement]:
    """Split a document into statements, each knowing its section and that section's kind."""
    body_blocks: list[Block] = []
    # (depth, heading, kind) of the open headings, outermost first.
    open_headings: list[tuple[int, str, SectionKind | None]] = []
    section_of_block: dict[int, tuple[str, SectionKind]] = {}
    for block in document.blocks:
        if looks_like_heading(block):
            depth = heading_depth(block)
            while open_headings and open_headings[-1][0] >= depth:
                open_headings.pop()
            open_headings.append((depth, block.text, section_kind_of(block.text)))
            continue
        kind = next((k for _, _, k in reversed(open_headings) if k is not None), SectionKind.OTHER)
        heading = open_headings[-1][1] if open_headings else ""
        section_of_block[block.index] = (heading, kind)
        body_blocks.append(block)

    paragraphs = [b for b in body_blocks if b.kind == BlockKind.PARAGRAPH]
    sentence_spans = dict(zip((b.index for b in paragraphs), split_sentences([b.text for b in paragraphs])))
    total = max(len(document.text), 1)
    statements: list[Statement] = []
    lead_in = ""
    for block in body_blocks:
        heading, kind = section_of_block[block.index]
        spans = sentence_spans.get(block.index, [(0, len(block.text))])
        if block.kind == BlockKind.PARAGRAPH:
            last_start, last_end = spans[-1] if spans else (0, 0)
            lead_in = block.text[last_start:last_end] if block.text.rstrip().endswith(":") else ""
        for start, end in spans:
            char_start = block.char_start + start
            statements.append(
                Statement(
                    text=block.text[start:end],
                    block_index=block.index,
                    block_kind=block.kind.value,
                    char_start=char_start,
                    char_end=block.char_start + end,
                    page=block.page,
                    bbox=block.bbox,
                    section=heading,
                    section_kind=kind,
                    position=round(char_start / total, 4),
                    lead_in="" if block.kind == BlockKind.PARAGRAPH else lead_in,
                )
            )
    return statements
