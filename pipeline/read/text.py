"""Plain-text and Markdown reader: decode whatever encoding the file uses, then split it into blocks.

Blank lines separate blocks, hard-wrapped lines are joined, list markers start list items, Markdown ``#`` and
underlined headings become headings and pipe tables become table rows. In plain text, a part title typed on
its own line ("I. ACHIEVEMENTS", "1.1 Roads") is kept as its own paragraph so it never runs into the text
below it; deciding that it is a heading is left to the segmenter.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

import charset_normalizer

from pipeline.document import Block, BlockKind, Document
from pipeline.errors import ReadError
from pipeline.read.markers import (
    is_all_caps,
    is_ordered_marker,
    keep_lone_numbered_headings,
    looks_like_heading,
    split_list_marker,
)

_BYTE_ORDER_MARKS = [  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_MAX_CONTROL_SHARE = 0.05
_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?$")
_SETEXT_UNDERLINE = re.compile(r"^(=+|-+)$")
_SEPARATOR_LINE = re.compile(r"^[-=_*~#]{3,}$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$")
_MARKDOWN_STRONG = re.compile(r"(\*\*|__)(.+?)\1")
_STRONG_HEADING_MAX_WORDS = 15
_WORDS_THAT_CONTINUE = {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


def partition_text(path: Path, markdown: bool) -> Document:
    """Read a ``.txt`` or (with ``markdown``) ``.md`` file into a document."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot open file: {exc.strerror or exc}") from exc
    text, warnings = decode_text(data)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise ReadError("not a text file (the content is binary data)")
    text = text.replace("\ufeff", "")  # byte-order marks left inside text by joined files
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    document = Document(
        source_file=path.name,
        format="md" if markdown else "txt",
        blocks=_blocks(lines, markdown),
        warnings=warnings,
    ).assemble()
    if not document.blocks:
        raise ReadError("the file has no text")
    return document


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Decode ``data`` without ever failing; a warning says when undecodable bytes had to be replaced.

    Order: byte-order mark; for bytes with NULs (UTF-16/32 without a mark, which is also valid UTF-8) a
    Unicode encoding charset-normalizer recognises; strict UTF-8; else Windows-1252, the legacy "ANSI"
    encoding of English Windows. charset-normalizer's single-byte code page guesses are not used: on short
    English text it picks cp1250 or cp1125 about as often as cp1252.
    """
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return _decode_replacing(data, encoding)
    if b"\x00" in data:
        guess = charset_normalizer.from_bytes(data).best()
        if guess is not None and guess.encoding.startswith("utf"):
            return str(guess), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        return _decode_replacing(data, "cp1252")


def _decode_replacing(data: bytes, encoding: str) -> tuple[str, list[str]]:
    text = data.decode(encoding, errors="replace")
    replaced = text.count("\ufffd")
    if not replaced:
        return text, []
    return text, [f"{replaced} undecodable byte sequence(s) replaced with '\ufffd' (decoded as {encoding})"]


def _control_share(text: str) -> float:
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f\v")
    return controls / max(len(text), 1)


def _blocks(lines: list[str], markdown: bool) -> list[Block]:
    """Cut the file at blank lines, separators, headings and table rows; hand each run of text lines on."""
    items: list[tuple[Block, str | None]] = []
    group: list[str] = []

    def flush_group() -> None:
        items.extend(_group_items(group, markdown))
        group.clear()

    for line in lines:
        stripped = line.strip()
        heading = _ATX_HEADING.match(stripped) if markdown else None
        if heading:
            flush_group()
            level = len(heading[1])
            items.append((Block(BlockKind.HEADING, _clean(heading[2], markdown), heading_level=level), None))
        elif stripped.startswith("|") and stripped.count("|") >= 2:
            flush_group()
            if not _TABLE_SEPARATOR.match(stripped):
                items.append((_table_row(stripped, markdown), None))
        elif markdown and _SETEXT_UNDERLINE.match(stripped) and group and split_list_marker(group[-1])[0] is None:
            title = group.pop()
            flush_group()
            level = 1 if stripped.startswith("=") else 2
            items.append((Block(BlockKind.HEADING, _clean(title, markdown), heading_level=level), None))
        elif not stripped or _SEPARATOR_LINE.match(stripped):
            flush_group()
        else:
            group.append(line)
    flush_group()
    return keep_lone_numbered_headings(items)


def _table_row(line: str, markdown: bool) -> Block:
    """``| a | b |`` as a row of cells; ``\\|`` is a pipe inside a cell."""
    cells = [_clean(cell.replace("\\|", "|"), markdown) for cell in re.split(r"(?<!\\)\|", line.strip("|"))]
    return Block(BlockKind.TABLE_ROW, " | ".join(cells), cells=cells)


def _group_items(lines: list[str], markdown: bool) -> list[tuple[Block, str | None]]:
    """Blocks for a run of non-blank lines: list items, title lines, and paragraphs joining the rest."""
    items: list[tuple[Block, str | None]] = []
    current: list[str] = []
    kind, marker = BlockKind.PARAGRAPH, None

    def flush() -> None:
        if current:
            items.append((Block(kind, _clean(" ".join(current), markdown)), marker))
            current.clear()

    for position, line in enumerate(lines):
        words = " ".join(line.split())
        next_line = lines[position + 1] if position + 1 < len(lines) else None
        starts_fresh = not current or current[-1].endswith((".", "!", "?", ":", ";", "។", "៕", "៖"))
        line_marker, rest = split_list_marker(words)
        if starts_fresh and (title_kind := _title_kind(words, next_line, markdown)):
            flush()
            items.append((Block(title_kind, _clean(words, markdown)), None))
            kind, marker = BlockKind.PARAGRAPH, None
        elif line_marker is not None:
            flush()
            kind, marker = BlockKind.LIST_ITEM, line_marker
            current.append(rest)
        else:
            current.append(words)
    flush()
    return items


def _title_kind(line: str, next_line: str | None, markdown: bool) -> BlockKind | None:
    """HEADING for a Markdown line that is all ``**bold**``; PARAGRAPH for a typed part title; else None."""
    strong = _MARKDOWN_STRONG.fullmatch(line) if markdown else None
    if strong and strong[1] not in strong[2]:
        if len(strong[2].split()) < _STRONG_HEADING_MAX_WORDS and not strong[2].endswith("."):
            return BlockKind.HEADING
    return BlockKind.PARAGRAPH if _is_title_line(_clean(line, markdown), next_line) else None


def _is_title_line(line: str, next_line: str | None) -> bool:
    """A part title typed on its own line ("II. CHALLENGES", "1.1 Roads"), not a hard-wrapped sentence's start."""
    marker = split_list_marker(line)[0]
    if not looks_like_heading(line) or (marker is not None and not is_ordered_marker(marker)):
        return False
    if next_line is None or split_list_marker(next_line)[0] is not None:
        return marker is None  # numbered lines next to list items: keep_lone_numbered_headings decides
    if is_all_caps(line) or line.endswith(":"):
        return True
    continues = next_line[:1].isspace() or next_line.strip()[:1].islower()
    return not continues and line.split()[-1].lower() not in _WORDS_THAT_CONTINUE


def _clean(text: str, markdown: bool) -> str:
    """One line of words: whitespace runs collapsed and, in Markdown, ``**strong**`` markers dropped."""
    if markdown:
        text = _MARKDOWN_STRONG.sub(r"\2", text)
    return " ".join(text.split())
