"""Statement ids: where and what a statement is, not the bytes of its file.

Apart from ``pipeline.process`` so that the store and the reviewers' boundary changes (``pipeline.boundaries``),
which give the statements they make ids of the same kind, do not import the stages (spaCy and the readers).
"""

from __future__ import annotations

import hashlib
import unicodedata


def normalized_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def statement_id(source_file: str, text: str, occurrence: int) -> str:
    """Stable across re-runs and new versions of a file: depends only on where and what, not on the bytes."""
    key = f"{source_file}\x00{normalized_text(text)}\x00{occurrence}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
