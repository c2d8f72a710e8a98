"""The SQL cookbook as data: the questions analysts ask most, each with the read-only query that answers it.

``data/cookbook.md`` is the one copy: the analysts' SQL page offers its queries as saved queries and the README's
"SQL cookbook" shows the same text (a test keeps the two equal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

COOKBOOK_PATH = Path(str(files("pipeline") / "data" / "cookbook.md"))
_ENTRY = re.compile(r"^#### (?P<question>.+?)\n\n```sql\n(?P<sql>.*?)```\n(?P<note>.*?)(?=^#### |\Z)", re.M | re.S)


@dataclass(frozen=True, slots=True)
class SavedQuery:
    slug: str
    """The question's words, lower-cased and hyphenated: a stable name for links."""
    question: str
    sql: str
    note: str


@cache
def saved_queries() -> tuple[SavedQuery, ...]:
    text = COOKBOOK_PATH.read_text(encoding="utf-8")
    return tuple(
        SavedQuery(
            slug=re.sub(r"[^a-z0-9]+", "-", match["question"].lower()).strip("-"),
            question=match["question"],
            sql=match["sql"].strip(),
            note=" ".join(match["note"].split()),
        )
        for match in _ENTRY.finditer(text)
    )


def saved_query(slug: str) -> SavedQuery | None:
    return next((query for query in saved_queries() if query.slug == slug), None)
