"""Stage 4 — normalize: which administration sent a report, at what level, about which year, under what title.

Reports rarely say this in one fixed place, so the evidence is weighed in tiers, strongest first:

1. the sender line of a memo ("From: Kep Provincial Administration");
2. the letterhead and title: the first blocks after "KINGDOM OF CAMBODIA / NATION RELIGION KING", skipping
   addressee lines ("To: H.E. Minister of Interior") — a place written as an administration ("Kampot Provincial
   Administration", "Khan Chamkar Mon", "Board of Governors of Kampong Trach District", "assigned to Kratie
   Province") counts three times a bare mention such as a date line ("Phnom Penh, 15 January 2021");
3. the body: how often each province is named (a district counts for its province), at least twice;
4. the file name.

A tier decides when one province has at least twice the weight of the next. A tier that is split narrows the
contest to its leaders and lets the next tier choose among them; when no tier decides, the province stays empty
and is listed in ``unresolved`` rather than guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.document import Block, BlockKind, Document
from pipeline.gazetteer import PROVINCE, PlaceMention, find_places, province_by_code
from pipeline.khmer import ascii_digits

HEADER_BLOCK_LIMIT = 8
"""How many blocks after the letterhead can still be letterhead, memo header or title."""
HEADER_BLOCK_MAX_CHARS = 300
"""A longer block is body text: the header has ended."""
PROSE_MIN_WORDS = 12
"""A sentence this long that ends in punctuation is body text too."""
KHMER_PROSE_MIN_CHARS = 60
"""The same for Khmer, which has no spaces between words to count: a sentence this long ending in ។ or ៕."""
FIRST_YEAR, LAST_YEAR = 2000, 2035

CAPITAL_CODE = "KH-12"


@dataclass(frozen=True, slots=True)
class Attribution:
    province_code: str | None
    province: str | None
    province_evidence: str | None
    """Where the province came from, e.g. ``title: 'Kampot Provincial Administration'``."""
    report_year: int | None
    """The year under review (not the year of writing or of the plans)."""
    level: str | None
    """``capital``, ``province``, ``municipality``, ``district``, ``khan`` or ``working_group``."""
    title: str | None
    unresolved: list[str] = field(default_factory=list)
    """Names of the fields above that could not be determined."""


def attribute_document(document: Document) -> Attribution:
    mentions = find_places(document.text)
    header = _header_segments(document)
    province_code, evidence, deciding_mentions = _resolve_province(document, header, mentions)
    province = province_by_code(province_code) if province_code else None
    title_segments = _title_segments(header)
    level = _level(header, title_segments, province_code, deciding_mentions)
    report_year = _report_year(document, header)
    title = " ".join(" ".join(segment.text for segment in title_segments).split()) or None
    values = {"province": province_code, "report_year": report_year, "level": level, "title": title}
    return Attribution(
        province_code=province_code,
        province=province.name if province else None,
        province_evidence=evidence,
        report_year=report_year,
        level=level,
        title=title,
        unresolved=[name for name, value in values.items() if value is None],
    )


# --- the header: letterhead, memo lines, title ---------------------------------------------------------------

_LETTERHEAD = re.compile(
    r"kingdom\s+of\s+cambodia|nation\W*religion\W*king|ព្រះរាជាណាចក្រកម្ពុជា|ជាតិ\s*សាសនា\s*ព្រះមហាក្សត្រ", re.IGNORECASE
)
_LETTER = re.compile(r"[^\W\d_]")

_ROLE_MARKER = re.compile(
    r"(?<![^\W_])(to|from|through|via|subject|re|cc|attention|attn|dear|ref|reference|date|dated)\s*:", re.IGNORECASE
)
_ROLE_OF_MARKER = {
    "to": "addressee", "through": "addressee", "via": "addressee", "cc": "addressee", "attention": "addressee",
    "attn": "addressee", "dear": "addressee", "ref": "reference", "reference": "reference",
    "from": "sender", "subject": "subject", "re": "subject", "date": "date", "dated": "date",
}
_SECTION_HEADING = re.compile(
    r"\s*(?:(?:[IVX]+|\d+(?:\.\d+)*|[A-Z])[.)]\s|(?:part|chapter|section)\s+\w+)", re.IGNORECASE
)
OTHER_PARTIES = ("addressee", "reference")
"""Memo lines that name someone other than the sender: "To: H.E. Minister …", "Ref: Letter No. 12 of …"."""
_ADDRESSEE_START = re.compile(
    r"\s*(?:to|dear|attention|attn|cc|copy\s+to|(?:respectfully\s+)?submitted\s+to|respectfully\s+to)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Segment:
    """Part of a header block with one role: addressee, reference, sender, subject, date or plain."""

    role: str
    start: int
    end: int
    text: str
    is_heading: bool
    complete: bool
    """False for the last segment of a cut-off block: it may run on into the body."""


def _is_letterhead(text: str) -> bool:
    """The royal letterhead, or pure decoration (rules, stars, a lone page number)."""
    return not _LETTER.search(_LETTERHEAD.sub("", text))


def _starts_body(block: Block) -> bool:
    """Prose, a list, a table or a numbered section heading: the letterhead and title are over."""
    text = block.text
    if len(text) > HEADER_BLOCK_MAX_CHARS or block.kind in (BlockKind.LIST_ITEM, BlockKind.TABLE_ROW):
        return True
    prose = len(text.split()) >= PROSE_MIN_WORDS and text.rstrip()[-1] in ".!?;:" and not _ROLE_MARKER.match(text)
    khmer_prose = len(text) >= KHMER_PROSE_MIN_CHARS and text.rstrip()[-1] in "។៕"
    return prose or khmer_prose or bool(_SECTION_HEADING.match(text))


def _header_segments(document: Document) -> list[_Segment]:
    segments: list[_Segment] = []
    blocks_seen = 0
    for block in document.blocks:
        if _is_letterhead(block.text):
            continue
        if blocks_seen == HEADER_BLOCK_LIMIT:
            break
        if _starts_body(block):
            if blocks_seen == 0 and block.kind == BlockKind.PARAGRAPH:
                segments += _merged_header(block)
            break
        blocks_seen += 1
        segments += _segments(block, len(block.text), complete=True)
    return segments


def _merged_header(block: Block) -> list[_Segment]:
    """A reader may join letterhead, memo lines and the first paragraph into one block: when that block opens
    with the letterhead or a memo line, its first ``HEADER_BLOCK_MAX_CHARS`` characters (after the letterhead)
    are header."""
    opening = block.text[: HEADER_BLOCK_MAX_CHARS]
    letterhead_end = max((match.end() for match in _LETTERHEAD.finditer(opening)), default=None)
    if letterhead_end is None and not _ROLE_MARKER.search(opening):
        return []
    cut = (letterhead_end or 0) + HEADER_BLOCK_MAX_CHARS
    cut = block.text.rfind(" ", 0, cut) if cut < len(block.text) else len(block.text)
    return _segments(block, cut, complete=False)


def _segments(block: Block, length: int, complete: bool) -> list[_Segment]:
    """Split the first ``length`` characters of a header block at memo markers ("To:", "From:", "Subject:")."""
    text = block.text[:length]
    cuts = {0: "addressee" if _ADDRESSEE_START.match(text) else "plain"}
    for marker in _ROLE_MARKER.finditer(text):
        cuts[marker.start()] = _ROLE_OF_MARKER.get(marker.group(1).lower(), "plain")
    starts = sorted(cuts)
    segments = []
    for start, end in zip(starts, starts[1:] + [len(text)]):
        part = text[start:end]
        leading_marker = _ROLE_MARKER.match(part)
        if leading_marker:
            part = part[leading_marker.end() :]
        segments.append(
            _Segment(
                role=cuts[start],
                start=block.char_start + start,
                end=block.char_start + end,
                text=" ".join(_LETTERHEAD.sub(" ", part).split()).strip(":;,- "),
                is_heading=block.kind == BlockKind.HEADING,
                complete=complete or end < len(text),
            )
        )
    return segments


# --- province ------------------------------------------------------------------------------------------------

_QUALIFIER_AFTER = re.compile(
    r"[\s,\-–]*(?:provinc|capital|municipal|city|town|district|khan|administration|hall|board|governor|council)",
    re.IGNORECASE,
)
_QUALIFIER_BEFORE = re.compile(
    r"(?:\b(?:khan|krong|srok)|\b(?:province|capital|municipality|district|administration|governors?|board|hall"
    r"|council|group)\s+(?:of|for)|\bassigned\s+to)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_QUALIFIED_NAME = re.compile(
    r"\b(?:district|srok|khan|krong|municipal|municipality|city|town)\b|^(?:ខេត្ត|រាជធានី|ក្រុង|ស្រុក|ខណ្ឌ)", re.IGNORECASE
)
"""A district named as one, or a Khmer name written with its unit prefix ("ខេត្តកំពត", "ស្រុកបាធាយ")."""


@dataclass
class _Tier:
    name: str
    min_weight: int
    weights: Counter = field(default_factory=Counter)
    mentions: dict[str, list[PlaceMention]] = field(default_factory=dict)
    evidence: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Per province: the evidence string of its heaviest mention, with that mention's weight."""

    def add(self, mention: PlaceMention, weight: int, evidence: str) -> None:
        code = mention.province_code
        self.weights[code] += weight
        self.mentions.setdefault(code, []).append(mention)
        if weight > self.evidence.get(code, (0, ""))[0]:
            self.evidence[code] = (weight, evidence)


def _resolve_province(
    document: Document, header: list[_Segment], mentions: list[PlaceMention]
) -> tuple[str | None, str | None, list[PlaceMention]]:
    """The reporting province, the evidence for it, and the mentions that decided it."""
    sender, title, body = _Tier("from", 1), _Tier("title", 1), _Tier("body", 2)
    header_spans = [(segment.start, segment.end, segment) for segment in header]
    for mention in mentions:
        segment = next((seg for start, end, seg in header_spans if start <= mention.start < end), None)
        if segment is None:
            body.add(mention, 1, "")
        elif segment.role == "sender":
            sender.add(mention, _weight(document.text, segment, mention), f"from: '{_clip(segment.text)}'")
        elif segment.role not in OTHER_PARTIES:
            title.add(mention, _weight(document.text, segment, mention), f"title: '{_clip(segment.text)}'")
    for code, count in body.weights.items():
        body.evidence[code] = (count, f"body: {count} mentions of {_province_name(code)} places")
    file_tier = _Tier("file name", 1)
    for mention in find_places(_file_name_words(document.source_file)):
        file_tier.add(mention, 1, f"file name: '{document.source_file}'")

    contenders: set[str] | None = None
    split_note = ""
    for tier in (sender, title, body, file_tier):
        weights = {code: w for code, w in tier.weights.items() if contenders is None or code in contenders}
        if not weights:
            continue
        ranked = sorted(weights.items(), key=lambda item: -item[1])
        best_code, best = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        if best < tier.min_weight:
            continue
        if best >= 2 * runner_up:
            return best_code, tier.evidence[best_code][1] + split_note, tier.mentions[best_code]
        contenders = {code for code, weight in weights.items() if 2 * weight > best}
        names = " / ".join(sorted(_province_name(code) for code in contenders))
        split_note = f" (the {tier.name} named {names})"
    return None, None, []


def _province_name(code: str) -> str:
    """The name of the province a place mention points to; every mention's code comes from the gazetteer."""
    province = province_by_code(code)
    if province is None:
        raise KeyError(f"province code {code!r} is not in the gazetteer")
    return province.name


def _weight(text: str, segment: _Segment, mention: PlaceMention) -> int:
    """3 for a place written as an administration, 1 for a bare name (a date line, a passing mention)."""
    before = text[max(segment.start, mention.start - 60) : mention.start]
    qualified = (
        _QUALIFIED_NAME.search(mention.text)
        or _QUALIFIER_AFTER.match(text, mention.end, segment.end)
        or _QUALIFIER_BEFORE.search(before)
    )
    return 3 if qualified else 1


def _file_name_words(source_file: str) -> str:
    """``reports/kampong_trach-2020.docx`` → ``reports kampong trach 2020``."""
    return re.sub(r"[_\-/.]+", " ", re.sub(r"\.\w{1,5}$", "", source_file))


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- level ---------------------------------------------------------------------------------------------------

_LEVEL_WORDS = (
    ("khan", re.compile(r"\bkhan\b|ខណ្ឌ", re.IGNORECASE)),
    ("municipality", re.compile(r"\bmunicipal(?:ity)?\b|\bkrong\b|\bcity\b|\btown\b|(?<!ចំណាក)ក្រុង", re.IGNORECASE)),
    ("district", re.compile(r"\bdistrict\b|\bsrok\b|(?<!ចំណាក)(?<!ក្នុង)ស្រុក", re.IGNORECASE)),
    ("capital", re.compile(r"\bcapital\b|រាជធានី", re.IGNORECASE)),
    ("province", re.compile(r"\bprovinc(?:e|ial)\b|ខេត្ត", re.IGNORECASE)),
)
"""The unit words of a header; in Khmer the prefixes, less the words that hold them ("ចំណាកស្រុក" migration,
"ក្នុងស្រុក" domestic)."""
_WORKING_GROUP = re.compile(r"\bworking[\s-]+group\b|ក្រុមការងារ", re.IGNORECASE)
_SPECIFICITY = ("khan", "municipality", "district", "capital", "province")


def _level(
    header: list[_Segment], title: list[_Segment], province_code: str | None, deciding: list[PlaceMention]
) -> str | None:
    """The most specific unit the letterhead and title name as an administration; else the deciding place's kind.

    Only the lines down to the title (and a memo's sender line) count: an address or a first section below the
    title must not turn a provincial report into a municipal one. Phnom Penh's subdivisions are
    khans (often written "district" in English) and "Phnom Penh Municipality" is the capital's old name, so for
    KH-12 district means khan and municipality or province means capital.
    """
    spoken = [segment for segment in header if segment.role not in OTHER_PARTIES]
    if any(_WORKING_GROUP.search(segment.text) for segment in spoken):
        return "working_group"
    if title:
        spoken = [segment for segment in spoken if segment.start <= title[-1].start or segment.role == "sender"]
    levels: set[str] = set()
    for segment in spoken:
        levels.update(level for level, words in _LEVEL_WORDS if words.search(segment.text))
    level = next((level for level in _SPECIFICITY if level in levels), None)
    if level is None and deciding:
        places = {(mention.kind, mention.name, mention.district_type) for mention in deciding}
        kind, _, district_type = next(iter(places))
        level = district_type if len(places) == 1 and kind != PROVINCE else "province"
    if province_code == CAPITAL_CODE and level is not None:
        return {"district": "khan", "municipality": "capital", "province": "capital"}.get(level, level)
    if level == "capital":  # only Phnom Penh is one
        return "province" if province_code else None
    return level


# --- report year ---------------------------------------------------------------------------------------------

_YEAR = r"(20[0-3]\d)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_FULL_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+{_YEAR}\b|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}\b"
    rf"|\b\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]{_YEAR}\b",
    re.IGNORECASE,
)
_REVIEW_THEN_PLAN = re.compile(
    rf"\b{_YEAR}\b([^.\n]{{0,120}}?)\b{_YEAR}\b([^.\n]{{0,40}})",
    re.IGNORECASE,
)
_FORWARD_WORDS = re.compile(
    r"\b(?:plans?|planning|goals?|targets?|directions?|orientations?|outlook|priorit\w*|next)\b|ទិសដៅ|ផែនការ|គោលដៅ",
    re.IGNORECASE,
)
_REVIEWED_YEAR_PHRASES = re.compile(
    r"\b(?:"
    r"results?\s+of\s+(?:the\s+)?(?:work|implementation|activities)\s+(?:in|for|of|during)"
    r"|(?:annual|yearly)\s+(?:work\s+|activity\s+|progress\s+)?report(?:\s+(?:for|of|on))?"
    r"|for\s+the\s+(?:fiscal\s+)?year"
    r"|(?:work|annual)\s+review(?:\s+results?)?\s+(?:for|of|in)"
    r"|review\s+of\s+(?:the\s+)?(?:implementation|work|results)[^.\n]{0,60}?\b(?:in|for|of|during)"
    r"|(?:achievements?|results?|performance)\s+(?:in|for|of|during)"
    rf")\s+(?:the\s+year\s+)?{_YEAR}\b"
    rf"|\b{_YEAR}\s+(?:annual\s+(?:work\s+)?(?:report|review)|work\s+review|review\s+results|results|achievements)\b"
    rf"|លទ្ធផល[^\n។0-9]{{0,40}}?ឆ្នាំ\s*{_YEAR}",
    re.IGNORECASE,
)
"""… and in Khmer "លទ្ធផល(ការងារ …) ឆ្នាំ ២០២១" (results of the year), read with ASCII digits."""


def _report_year(document: Document, header: list[_Segment]) -> int | None:
    """The year under review: from explicit phrasing in the header, then in the body, then the header's
    commonest year."""
    header_text = ascii_digits(
        "\n".join(segment.text for segment in header if segment.role not in (*OTHER_PARTIES, "date"))
    )
    header_years = _reviewed_years(header_text)
    if header_years:
        return header_years[0]
    body_votes = Counter(_reviewed_years(ascii_digits(document.text)))
    if body_votes:
        (best, count), *rest = body_votes.most_common()
        if not rest or count > rest[0][1]:
            return best
    counts = Counter(
        int(year)
        for year in re.findall(rf"\b{_YEAR}\b", _FULL_DATE.sub(" ", header_text))
        if FIRST_YEAR <= int(year) <= LAST_YEAR
    )
    if not counts:
        return None
    ranked = counts.most_common()
    tied = sorted(year for year, count in ranked if count == ranked[0][1])
    if len(tied) == 1 or (len(tied) == 2 and tied[1] == tied[0] + 1):
        return tied[0]  # "results 2020 … plans 2021": the earlier of two consecutive years is the reviewed one
    return None


def _reviewed_years(text: str) -> list[int]:
    """Reviewed years named by explicit phrasing, in order of appearance (dates of writing are ignored)."""
    text = _FULL_DATE.sub(lambda match: " " * len(match.group()), text)
    found: list[tuple[int, int]] = []
    for match in _REVIEW_THEN_PLAN.finditer(text):
        first, between, second, after = match.group(1), match.group(2), match.group(3), match.group(4)
        if int(second) == int(first) + 1 and _FORWARD_WORDS.search(between + " " + after):
            found.append((match.start(), int(first)))
    for match in _REVIEWED_YEAR_PHRASES.finditer(text):
        year = next(group for group in match.groups() if group)
        found.append((match.start(), int(year)))
    return [year for _, year in sorted(found) if FIRST_YEAR <= year <= LAST_YEAR]


# --- title ---------------------------------------------------------------------------------------------------

_TITLE_WORDS = re.compile(
    r"\b(?:report|review|results?|achievements?|goals?|plans?|summary|annual|directions?|orientations?)\b",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(r"(?:on|of|for|and|in|during|to)\b", re.IGNORECASE)


def _title_segments(header: list[_Segment]) -> list[_Segment]:
    """The header line that reads like a report title (else the first heading, else the first line of three or
    more words), with the lines that continue it ("REPORT" / "ON THE RESULTS OF WORK IN 2020")."""
    candidates = [s for s in header if s.role in ("plain", "subject") and s.text and s.complete]
    chosen = (
        next((s for s in candidates if _TITLE_WORDS.search(s.text)), None)
        or next((s for s in candidates if s.is_heading), None)
        or next((s for s in candidates if len(s.text.split()) >= 3), None)
    )
    if chosen is None:
        return []
    index = candidates.index(chosen)
    title = [chosen]
    for segment in candidates[index + 1 : index + 3]:
        if not _CONTINUATION.match(segment.text):
            break
        title.append(segment)
    return title
