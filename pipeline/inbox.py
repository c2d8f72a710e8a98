"""Which files of a reports folder a run must read.

Every regular file is a candidate, so an unsupported or broken one is recorded as a failure rather than
silently ignored. Only what cannot be a submission is left out: hidden files, Office lock files (``~$…``)
and whatever the folder's ``.workreviewignore`` lists (one glob pattern per line, ``#`` comments; a
pattern ending in ``/`` names a folder).

The folder is a boundary: a symbolic link is followed only to a regular file inside the folder; a link out of
it, to a folder, a dangling link, a link loop and special files (pipes, sockets, devices) are *skipped*: listed
with the reason, never opened. File names are shown as ``pipeline.hygiene.visible_name`` writes them.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import stat
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.hygiene import visible_name

IGNORE_FILE = ".workreviewignore"


@dataclass(frozen=True, slots=True)
class InboxFile:
    path: Path
    source_file: str
    """Path relative to the reports folder, with forward slashes."""
    document_id: str
    skipped: str | None = None
    """Why the entry is recorded without being read (``None``: a file to read)."""


SPECIAL_FILES = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


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


def listed(root: Path) -> Iterator[tuple[Path, str, str | None]]:
    """Every entry a run records under ``root``, sorted by relative path: ``(path, path relative to root, why it
    cannot be listed or None)``. Nothing is opened, so this is all a check for an unchanged inbox costs."""
    root = root.resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"reports folder not found: {root}")
    patterns = _ignore_patterns(root)
    for path, unreadable in sorted(_entries(root, root, patterns)):
        relative = path.relative_to(root).as_posix()
        if not _ignored(relative, patterns):
            yield path, relative, unreadable


def discover(root: Path) -> list[InboxFile]:
    """All candidate files under ``root``, sorted by relative path, each with its content hash or skip reason."""
    root = root.resolve()
    files = []
    for path, relative, unreadable in listed(root):
        name = visible_name(relative)
        target, reason = (path, unreadable) if unreadable else _target(path, root)
        if reason is not None:
            files.append(InboxFile(path, name, "", reason))
            continue
        try:
            digest = file_digest(target)
        except OSError:
            digest = ""  # process_file records the read error
        files.append(InboxFile(target, name, digest))
    return files


def _entries(folder: Path, root: Path, patterns: list[str]) -> Iterator[tuple[Path, str | None]]:
    """Everything under ``folder`` that is not a folder, without following links to folders; hidden entries and
    Office lock files left out. A folder that cannot be listed comes back as itself, with the reason."""
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        if folder != root:
            yield folder, f"a folder that cannot be opened ({exc.strerror or exc}): not read"
        return
    for entry in entries:
        if entry.name.startswith((".", "~$")):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            if not _ignored(path.relative_to(root).as_posix() + "/", patterns):
                yield from _entries(path, root, patterns)
        else:
            yield path, None


def _target(path: Path, root: Path) -> tuple[Path, str | None]:
    """The regular file to read for ``path`` (itself, or a link's target inside ``root``), or why there is none."""
    try:
        mode = os.lstat(path).st_mode
        target = path
        if stat.S_ISLNK(mode):
            try:
                target = Path(os.path.realpath(path, strict=True))
            except FileNotFoundError:
                return path, "a link to a file that does not exist: not read"
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    return path, "a link that loops back on itself: not read"
                raise
            if not target.is_relative_to(root):
                return path, "a link to a file outside the reports folder: not read"
            mode = os.stat(target).st_mode
    except OSError as exc:
        return path, f"cannot open file: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        return path, "a link to a folder: not followed"
    if not stat.S_ISREG(mode):
        return path, f"not a regular file ({SPECIAL_FILES.get(stat.S_IFMT(mode), 'a special file')}): not read"
    return target, None


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def needs_processing(
    item: InboxFile, stored: dict[tuple[str, str], tuple[str, str | None]], model_versions: Collection[str]
) -> bool:
    """Unchanged bytes already read with a current model (one per document language) are skipped; failures are
    retried."""
    status, version = stored.get((item.source_file, item.document_id), (None, None))
    return not (status == "ok" and version in model_versions)
