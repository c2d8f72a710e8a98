"""Which files of a reports folder a run must read.

Every regular file is a candidate, so an unsupported or broken one is recorded as a failure rather than
silently ignored. Only what cannot be a submission is left out: hidden files, Office lock files (``~$…``)
and whatever the folder's ``.workreviewignore`` lists (one glob pattern per line, ``#`` comments; a
pattern ending in ``/`` names a folder).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from pipeline.process import file_digest

IGNORE_FILE = ".workreviewignore"


@dataclass(frozen=True, slots=True)
class InboxFile:
    path: Path
    source_file: str
    """Path relative to the reports folder, with forward slashes."""
    document_id: str


def _ignore_patterns(root: Path) -> list[str]:
    ignore = root / IGNORE_FILE
    if not ignore.is_file():
        return []
    lines = (line.strip() for line in ignore.read_text(encoding="utf-8", errors="replace").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _ignored(relative: str, patterns: list[str]) -> bool:
    parts = relative.split("/")
    for pattern in patterns:
        if pattern.endswith("/"):
            folder = pattern.rstrip("/")
            if any(fnmatch.fnmatch(part, folder) for part in parts[:-1]) or fnmatch.fnmatch(relative, folder + "/*"):
                return True
        elif fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(parts[-1], pattern):
            return True
    return False


def discover(root: Path) -> list[InboxFile]:
    """All candidate files under ``root``, sorted by relative path, each with its content hash."""
    root = root.resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"reports folder not found: {root}")
    patterns = _ignore_patterns(root)
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") or part.startswith("~$") for part in relative.split("/")):
            continue
        if not path.is_file() or _ignored(relative, patterns):
            continue
        try:
            digest = file_digest(path)
        except OSError:
            digest = ""  # process_file records the read error
        files.append(InboxFile(path, relative, digest))
    return files


def needs_processing(
    item: InboxFile, stored: dict[tuple[str, str], tuple[str, str | None]], model_version: str
) -> bool:
    """Unchanged bytes already read with the same model are skipped; failures are retried."""
    status, version = stored.get((item.source_file, item.document_id), (None, None))
    return not (status == "ok" and version == model_version)
