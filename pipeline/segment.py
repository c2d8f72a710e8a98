"""Stage 2 — segment: sections from headings, and the statements inside them.

Readers mark headings when the format says so (Word styles, font size, Markdown ``#``). Plain text and
"numbered plain paragraph" layouts say it only through the words, so a short, unpunctuated block that starts
with a numbering pattern ("I.", "1.1", "A.", "Part 2") or is written in capitals is a heading too.
Each section gets a kind from its heading; sub-headings without a kind of their own ("1.1 Health")
inherit their parent's. A short list item that names a section kind ("3. Priorities for 2022") is a heading too:
plain-text readers take numbered headings for list items.

Statement boundaries (issue 12):

- Sentences of paragraphs and list items are statements; a table row is one statement.
- A table's header row (its first row, when its cells read like column labels: :func:`looks_like_table_header`)
  is never a statement, nor is the same row repeated where the table runs onto a new page.
- A table whose header names at least two of the column kinds challenge | cause | solution (e.g. "Problem |
  Root cause | Action") is read cell by cell: each filled cell of those columns is its own statement, with
  ``column_kind`` saying which column it sits in and block kind ``table_cell``. Challenge and solution cells take
  their column's kind as ``section_kind`` (challenges, goals); cause cells keep their section's, since a cause may
  or may not be a problem in itself and the classifier decides. Cells of other columns are statements only when
  they read as a sentence (:func:`_reads_as_sentence`), so a column whose header names no kind ("What the district
  will do") loses nothing, while labels ("Schools", "Sangkat Boeung Keng Kang") are not statements.
  Tables such as indicator | plan | achieved stay one statement per row.
- Not statements, skipped: distribution lists ("Copy to:", "Distribution:", "cc:", with the list items and short
  lines that follow a bare cue), tables of contents (a "Contents" heading and the list items under it; a sentence
  such as "This report consists of five parts: ..."), and notes (a sentence starting "Note:", "NB:" or "Source:"
  with the rest of its block; sentences saying where figures came from or pointing to an annex).
- A sentence joining two clauses with ", but" / ", yet" / ", while" / ", whereas" / ", although" / ", though" /
  "; but" / "; however," / " and will" is two statements, split before the conjunction, when both sides are full
  clauses (each has a verb-like word); so is a list item holding two goals joined by "; " (each side at least
  four words, starting with a content word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pipeline.document import BBox, Block, BlockKind, Document
from pipeline.khmer import has_khmer, language_of, normalize
from pipeline.nlp.sentences import split_sentences


class SectionKind(StrEnum):
    ACHIEVEMENTS = "achievements"
    CHALLENGES = "challenges"
    GOALS = "goals"
    OTHER = "other"


class ColumnKind(StrEnum):
    """What a table column holds, from its header: the problem, its cause, or the proposed solution."""

    CHALLENGE = "challenge"
    CAUSE = "cause"
    SOLUTION = "solution"


TABLE_CELL = "table_cell"
"""``Statement.block_kind`` of a statement that is one cell of a challenge | cause | solution table."""


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
    column_kind: ColumnKind | None = None
    """For a cell of a challenge | cause | solution table: its column's kind; ``None`` elsewhere."""


NUMBERING = re.compile(
    r"""^\s*(?:
        (?P<roman>[IVXLC]{1,6})[.)]\s                      # I. II) ...
      | (?P<part>(?:part|chapter|section)\s+(?:[0-9]+|[IVXLC]+|one|two|three|four|five)\b[.:]?)
      | (?P<dotted>\d{1,2}(?:\.\d{1,2})+)\.?\s             # 1.1 / 2.3.1
      | (?P<arabic>\d{1,2})[.)]\s                          # 1. 2)
      | (?P<letter>[A-H]|[ក-ឍ])[.)]\s                      # A. B)  ក. ខ)
      | (?P<kpart>(?:ភាគ|ជំពូក|ផ្នែក)ទី\s*[០-៩0-9]+[៖:.]?)      # ភាគទី ១៖  ជំពូកទី ២
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
KHMER_KIND_CUES: dict[SectionKind, re.Pattern[str]] = {
    SectionKind.CHALLENGES: re.compile(r"បញ្ហា|ឧបសគ្គ|ចំណុចខ្វះខាត|ចំណុចខ្សោយ|ការលំបាក|កង្វះខាត"),
    SectionKind.GOALS: re.compile(r"ទិសដៅ|ផែនការ|គោលដៅ|ការងារបន្ត|វិធានការបន្ត|ជំហានបន្ទាប់"),
    SectionKind.ACHIEVEMENTS: re.compile(r"លទ្ធផល|សមិទ្ធផល|ចំណុចវិជ្ជមាន|ស្ថានភាព|វឌ្ឍនភាព|សកម្មភាពដែលបាន"),
}
"""Khmer headings' words, matched on the normalised spelling: results, challenges/obstacles/shortcomings,
directions/plans/targets."""
KHMER_OTHER_CUES = re.compile(
    r"សេចក្តីផ្តើម|សេចក្តីសន្និដ្ឋាន|អនុសាសន៍|គោលបំណង|វិធីសាស្ត្រ|មូលដ្ឋានគតិយុត្ត|ឧបសម្ព័ន្ធ|មាតិកា|សេចក្តីថ្លែងអំណរគុណ"
)
OTHER_CUES = re.compile(
    r"introduc|background|legal basis|acknowledg|conclusion|annex|purpose|methodology|overview|contents|"
    r"signature|recommendation|closing|preface|foreword",
    re.I,
)
SENTENCE_PUNCTUATION = re.compile(r"[.;!?]\s*$")

# --- Not statements -------------------------------------------------------------------------------------------
DISTRIBUTION_CUE = re.compile(
    r"^[\W_]*(?:cop(?:y|ies|ied) to|distribution(?: list)?|c\.?c\.?)[\W_]*:", re.IGNORECASE
)
CONTENTS_CUE = re.compile(r"^[\W_]*(?:table of )?contents\b", re.IGNORECASE)
CONTENTS_SENTENCE = re.compile(
    r"^[\W_]*(?:table of )?contents\b|\b(?:consists? of|is divided into|is made up of|comprises?|"
    r"is organi[sz]ed (?:in|into)|has)\s+(?:\w+\s+){0,2}(?:parts|chapters|sections)\b",
    re.IGNORECASE,
)
NOTE_START = re.compile(r"^[\W_]*(?:notes?|nb|n\.b\.|sources?)\s*[:.]", re.IGNORECASE)
NOTE_SENTENCE = re.compile(
    r"\b(?:figures?|data|numbers|statistics|information)\b[^.;]{0,80}?\b(?:provided|supplied|compiled|taken|"
    r"drawn|come|came|comes)\s+(?:by|from)\b|\bsee (?:the )?annex|\b(?:are|is) (?:given |shown |listed )?in "
    r"(?:the )?annex\b|\bannex(?:es)? (?:is|are) not (?:reproduced|attached|included)",
    re.IGNORECASE,
)
SHORT_LINE_WORDS = 12
"""A line of a distribution list or contents: at most this many words and no sentence-final full stop."""

# --- Tables ---------------------------------------------------------------------------------------------------
TABLE_HEADER_WORDS = re.compile(
    r"\b(?:no|item|indicators?|plan(?:ned)?|achieved|achievements?|results?|targets?|remarks?|challenges?|"
    r"problems?|issues?|difficult(?:y|ies)|causes?|reasons?|solutions?|measures?|recommendations?|actions?|"
    r"proposals?|proposed|answers?|sectors?|fields?|activit(?:y|ies)|services?|projects?|budget|status|events?|"
    r"date|incidents?|number|where|who|what|lead|topic|description|details|type|percent(?:age)?|rate|units?|"
    r"location|responsible|deadline|timeline|goals?|work|point|done|outputs?|outcomes?|baseline|comments?|"
    r"reached|area|progress)\b",
    re.IGNORECASE,
)
HEADER_CELL_WORDS = 6
"""A header cell is a label: at most this many words, no full stop, no number but a year or a date."""
YEARS_AND_DATES = re.compile(
    r"\b(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:19|20)\d\d\b|"
    r"\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)
COLUMN_CUES: dict[ColumnKind, re.Pattern[str]] = {
    ColumnKind.CHALLENGE: re.compile(
        r"challeng|problem|issue|difficult|constraint|weakness|obstacle|shortcoming", re.IGNORECASE
    ),
    ColumnKind.CAUSE: re.compile(r"cause|reason|\bwhy\b", re.IGNORECASE),
    ColumnKind.SOLUTION: re.compile(
        r"solution|measure|recommend|action|propos|answer|remed|response|way forward|next step",
        re.IGNORECASE,
    ),
}
SECTION_OF_COLUMN = {ColumnKind.CHALLENGE: SectionKind.CHALLENGES, ColumnKind.SOLUTION: SectionKind.GOALS}
EMPTY_CELL = re.compile(r"^[\W_]*(?:n/?a|none|nil)?[\W_]*$", re.IGNORECASE)

# --- Clause splits --------------------------------------------------------------------------------------------
CLAUSE_JOIN = re.compile(
    r"[,;]\s+(?=(?:but|yet|while|whereas|although|though)\s(?!also\b))|;\s+(?=however,\s)", re.IGNORECASE
)
"""Where one clause ends and a contrasting one begins; the second statement starts at the conjunction."""
AND_WILL = re.compile(r"\s(?=and will\s)", re.IGNORECASE)
"""A second intention added to the first ("The province will open a plant and will look for buyers")."""
SEMICOLON = re.compile(r";\s+")
"""Inside a list item: two goals side by side ("Pave 6 km of streets; water the others in the dry season")."""
FUNCTION_WORDS = frozenset(
    "the a an and or of in on for with by to at from including about some all most each its their this these".split()
)
MIN_GOAL_WORDS = 4
"""Each side of a list item's "; " split has at least this many words, so "Roads: 12 km; wells: 40" stays whole."""
VERB_LIKE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had|will|would|can|cannot|could|must|shall|should|may|might|"
    r"do|does|did|remains?|lacks?|needs?|keeps?|continues?|faces?|goes|went|made|built|held|took|taken|gave|"
    r"given|got|found|fell|rose|grew|paid|spent|met|sold|left|lost|brought|bought|began|became|saw|sent|"
    r"stands?|stood|runs?|ran|[a-z]{2,}ed)\b",
    re.IGNORECASE,
)
MIN_CLAUSE_WORDS = 3
"""Each side of a split keeps at least this many words, so a short aside ("but not all") stays attached."""


def section_kind_of(heading: str) -> SectionKind | None:
    """The kind a heading announces; ``OTHER`` for introductions and the like; ``None`` if it says nothing."""
    khmer = has_khmer(heading)
    if khmer:
        heading = normalize(heading)
    if OTHER_CUES.search(heading) or khmer and KHMER_OTHER_CUES.search(heading):
        return SectionKind.OTHER
    found = {kind: match.start() for kind, cue in KIND_CUES.items() if (match := cue.search(heading))}
    if khmer:
        for kind, cue in KHMER_KIND_CUES.items():
            if (match := cue.search(heading)) and match.start() < found.get(kind, len(heading)):
                found[kind] = match.start()
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
    if language_of(text) == "km":
        return _looks_like_khmer_heading(text)
    words = text.split()
    if not words or len(words) > 14 or SENTENCE_PUNCTUATION.search(text) and not text.endswith(":"):
        return False
    letters = [c for c in text if c.isalpha()]
    all_caps = len(letters) >= 4 and all(c.isupper() for c in letters)
    numbered = NUMBERING.match(text + " ") is not None
    short_title = len(words) <= 6 and text[0].isupper() and (not text[-1].isdigit() or _titled_year(text))
    return all_caps or numbered or short_title or text.endswith(":") and len(words) <= 8


TITLE_YEAR = re.compile(r"^\D*\b(?:19|20)\d\d$")


def _titled_year(text: str) -> bool:
    """A short line whose only figure is the year it ends on, and that names a section's kind ("Plans for 2026",
    "What we achieved in 2025"); a line ending in any other figure may be a table row ("Wells drilled 32")."""
    return bool(TITLE_YEAR.match(text)) and section_kind_of(text) is not None


KHMER_HEADING_MAX_CHARS = 80
"""A Khmer heading is one short line: Khmer has no spaces between words to count, so characters are counted."""
KHMER_SENTENCE_END = re.compile(r"[។៕.;!?]\s*$")


def _looks_like_khmer_heading(text: str) -> bool:
    """A short Khmer line that is not a sentence and is numbered (១. ក. ភាគទី ១), ends in a colon (៖), or names
    a section's kind."""
    text = text.strip()
    if not text or len(text) > KHMER_HEADING_MAX_CHARS or KHMER_SENTENCE_END.search(text):
        return False
    numbered = NUMBERING.match(text + " ") is not None
    return numbered or text.endswith(("៖", ":")) or section_kind_of(text) is not None


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
    if match["kpart"]:
        return 1
    return 1


def looks_like_table_header(cells: list[str]) -> bool:
    """Whether a table's first row holds column labels ("Challenge | Cause | Solution", "Indicator | Plan 2021")."""
    filled = [cell.strip() for cell in cells if cell.strip()]
    if not filled:
        return False
    for cell in filled:
        if len(cell.split()) > HEADER_CELL_WORDS or cell.endswith(".") and not cell.lower().endswith("no."):
            return False
        if any(char.isdigit() for char in YEARS_AND_DATES.sub("", cell)):
            return False
    return any(TABLE_HEADER_WORDS.search(cell) for cell in filled)


def column_kinds(header: list[str]) -> list[ColumnKind | None] | None:
    """Each column's kind when the header names at least two of challenge | cause | solution, else ``None``."""
    kinds: list[ColumnKind | None] = []
    for cell in header:
        found = [kind for kind, cue in COLUMN_CUES.items() if cue.search(cell)]
        kinds.append(found[0] if len(found) == 1 else None)
    return kinds if len({kind for kind in kinds if kind}) >= 2 else None


def is_list_heading(block: Block) -> bool:
    """A list item that is really a numbered heading: short, unpunctuated and naming a section kind."""
    text = block.text
    return (
        block.kind == BlockKind.LIST_ITEM
        and len(text.split()) <= 6
        and not re.search(r"[.;:,!?]\s*$", text)
        and section_kind_of(text) is not None
    )


def _short_line(block: Block) -> bool:
    return len(block.text.split()) <= SHORT_LINE_WORDS and not block.text.rstrip().endswith(".")


def _clause_spans(text: str, start: int, end: int, in_list_item: bool) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` where a contrasting clause (or, in a list item, a second goal) begins."""
    sentence = text[start:end]
    cuts = [(m.start(), m.end(), False) for pattern in (CLAUSE_JOIN, AND_WILL) for m in pattern.finditer(sentence)]
    if in_list_item:
        cuts += [(m.start(), m.end(), True) for m in SEMICOLON.finditer(sentence)]
    spans: list[tuple[int, int]] = []
    piece_start = 0
    for cut, next_start, goal_list in sorted(cuts):
        left, right = sentence[piece_start:cut], sentence[next_start:]
        if cut > piece_start and (_two_goals(left, right) if goal_list else _two_clauses(left, right)):
            spans.append((start + piece_start, start + cut))
            piece_start = next_start
    spans.append((start + piece_start, end))
    return [(a, b) for a, b in spans if b > a]


def _is_clause(text: str) -> bool:
    return len(text.split()) >= MIN_CLAUSE_WORDS and VERB_LIKE.search(text) is not None


def _reads_as_sentence(cell: str) -> bool:
    """A cell that says something rather than names it: a clause, or running words ("Pay a hardship bonus")
    rather than a proper name ("Sangkat Boeung Keng Kang")."""
    words = cell.split()
    lowercase = sum(word[:1].islower() for word in words[1:])
    return _is_clause(cell) or len(words) >= MIN_GOAL_WORDS and lowercase * 2 >= len(words) - 1


def _two_clauses(left: str, right: str) -> bool:
    return _is_clause(left) and _is_clause(right)


def _two_goals(left: str, right: str) -> bool:
    """Two list-item goals: each side long enough, without a label colon, and starting like a clause (a verb,
    often imperative, or a subject) rather than with a function word continuing an enumeration."""
    for side in (left, right):
        words = side.split()
        if len(words) < MIN_GOAL_WORDS or ":" in side or not words[0].isalpha() or words[0].lower() in FUNCTION_WORDS:
            return False
    return True


def _is_note(sentence: str) -> bool:
    return bool(NOTE_START.match(sentence) or NOTE_SENTENCE.search(sentence) or CONTENTS_SENTENCE.search(sentence))


def _cell_spans(block: Block) -> list[tuple[int, int] | None] | None:
    """Where each cell sits in the row's text (``None`` for an empty cell); ``None`` if the cells are not found."""
    cells = block.cells if block.cells is not None else block.text.split(" | ")
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for cell in cells:
        cell = cell.strip()
        if not cell:
            spans.append(None)
            continue
        found = block.text.find(cell, cursor)
        if found < 0:
            return None
        spans.append((found, found + len(cell)))
        cursor = found + len(cell)
    return spans


def segment(document: Document) -> list[Statement]:
    """Split a document into statements, each knowing its section and that section's kind."""
    body_blocks: list[Block] = []
    # (depth, heading, kind) of the open headings, outermost first.
    open_headings: list[tuple[int, str, SectionKind | None]] = []
    section_of_block: dict[int, tuple[str, SectionKind]] = {}
    skipping = False  # inside a distribution list or a table of contents
    contents: set[str] = set()  # the lines of a table of contents, to know their headings when they come
    for block in document.blocks:
        if DISTRIBUTION_CUE.match(block.text):
            skipping = block.text.rstrip().endswith(":")
            continue
        if skipping:
            listed = block.kind == BlockKind.LIST_ITEM or block.kind != BlockKind.HEADING and _short_line(block)
            if listed and block.text not in contents:
                contents.add(block.text)
                continue
            skipping = False
        if looks_like_heading(block) or is_list_heading(block) or block.text in contents:
            depth = heading_depth(block)
            while open_headings and open_headings[-1][0] >= depth:
                open_headings.pop()
            open_headings.append((depth, block.text, section_kind_of(block.text)))
            skipping = bool(CONTENTS_CUE.match(block.text))
            continue
        kind = next((k for _, _, k in reversed(open_headings) if k is not None), SectionKind.OTHER)
        heading = open_headings[-1][1] if open_headings else ""
        section_of_block[block.index] = (heading, kind)
        body_blocks.append(block)

    prose = [b for b in body_blocks if b.kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM)]
    sentence_spans = dict(zip((b.index for b in prose), split_sentences([b.text for b in prose])))
    total = max(len(document.text), 1)
    statements: list[Statement] = []
    lead_in = ""
    table_header: list[str] | None = None
    table_columns: list[ColumnKind | None] | None = None
    previous_index = -2

    def add(block: Block, start: int, end: int, section_kind: SectionKind, block_kind: str,
            column_kind: ColumnKind | None = None) -> None:
        heading, _ = section_of_block[block.index]
        char_start = block.char_start + start
        statements.append(
            Statement(
                text=block.text[start:end],
                block_index=block.index,
                block_kind=block_kind,
                char_start=char_start,
                char_end=block.char_start + end,
                page=block.page,
                bbox=block.bbox,
                section=heading,
                section_kind=section_kind,
                position=round(char_start / total, 4),
                lead_in="" if block.kind == BlockKind.PARAGRAPH else lead_in,
                column_kind=column_kind,
            )
        )

    for block in body_blocks:
        _, kind = section_of_block[block.index]
        if block.kind == BlockKind.TABLE_ROW:
            cells = block.cells if block.cells is not None else block.text.split(" | ")
            if previous_index != block.index - 1:  # a new table starts
                table_header = cells if looks_like_table_header(cells) else None
                table_columns = column_kinds(cells) if table_header else None
            previous_index = block.index
            if table_header is not None and [c.strip() for c in cells] == [c.strip() for c in table_header]:
                continue  # the header, or the header repeated on a new page
            cell_spans = _cell_spans(block) if table_columns else None
            if table_columns is None or cell_spans is None or len(cell_spans) != len(table_columns):
                add(block, 0, len(block.text), kind, block.kind.value)
                continue
            for column, span in zip(table_columns, cell_spans):
                if span is None or EMPTY_CELL.match(block.text[span[0]:span[1]]):
                    continue
                if column is None and not _reads_as_sentence(block.text[span[0]:span[1]]):
                    continue
                section_kind = SECTION_OF_COLUMN.get(column, kind) if column else kind
                add(block, *span, section_kind, TABLE_CELL, column)
            continue
        previous_index = block.index
        spans = sentence_spans.get(block.index, [(0, len(block.text))])
        if block.kind == BlockKind.PARAGRAPH:
            last_start, last_end = spans[-1] if spans else (0, 0)
            lead_in = block.text[last_start:last_end] if block.text.rstrip().endswith((":", "៖")) else ""
        for start, end in spans:
            sentence = block.text[start:end]
            if NOTE_START.match(sentence):
                break  # a note runs to the end of its block
            if _is_note(sentence):
                continue
            for clause_start, clause_end in _clause_spans(
                block.text, start, end, in_list_item=block.kind == BlockKind.LIST_ITEM
            ):
                add(block, clause_start, clause_end, kind, block.kind.value)
    return statements
