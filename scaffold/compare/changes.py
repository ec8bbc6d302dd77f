"""What changes from one stage's project to the next, file by file.

A file at the same path is compared with itself. A file that disappears from
one folder and reappears elsewhere under the same name, mostly unchanged, is
shown as moved, as `git diff` would: the Flask to-do moves the website's
templates into its package.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..project import list_files

# How alike two files with the same name must be to count as one file moved.
MOVE_SIMILARITY = 0.5


@dataclass(frozen=True)
class FileChange:
    """One file added, removed, changed or moved, with its unified diff."""

    status: str  # "added", "removed", "changed" or "moved"
    old: str | None  # path in the earlier project
    new: str | None  # path in the later project
    diff: str  # unified diff; an added file is all "+" lines

    def _count(self, sign: str) -> int:
        return sum(
            1
            for line in self.diff.splitlines()
            if line.startswith(sign) and not line.startswith(sign * 3 + " ")
        )

    @property
    def added(self) -> int:
        return self._count("+")

    @property
    def removed(self) -> int:
        return self._count("-")

    @property
    def path(self) -> str:
        return self.new or self.old or ""


@dataclass(frozen=True)
class StageChange:
    """Every file that differs between two projects, and how many stayed."""

    before: str  # the earlier project's name, e.g. "flask-hello"
    after: str
    files: tuple[FileChange, ...]
    unchanged: int

    def count(self, status: str) -> int:
        return sum(1 for change in self.files if change.status == status)


def _lines(folder: Path | None, path: str | None) -> list[str]:
    if folder is None or path is None:
        return []
    try:
        return (folder / path).read_text("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return ["(binary file)\n"]


def _diff(
    before: Path, old: str | None, after: Path, new: str | None, status: str
) -> FileChange:
    a, b = _lines(before, old), _lines(after, new)
    lines = difflib.unified_diff(
        a,
        b,
        fromfile=f"{before.name}/{old}" if old else "/dev/null",
        tofile=f"{after.name}/{new}" if new else "/dev/null",
    )
    # A last line without a newline still ends its diff line.
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return FileChange(status, old, new, text)


def _similarity(before: Path, old: str, after: Path, new: str) -> float:
    matcher = difflib.SequenceMatcher(None, _lines(before, old), _lines(after, new))
    return matcher.ratio()


def compare_projects(before: Path, after: Path) -> StageChange:
    """Compare two generated projects, e.g. flask-hello with flask-website."""
    old_files, new_files = set(list_files(before)), set(list_files(after))
    removed = sorted(old_files - new_files)
    added = sorted(new_files - old_files)
    moves: dict[str, str] = {}
    for old in removed:
        name = PurePosixPath(old).name
        candidates = [
            (_similarity(before, old, after, new), new)
            for new in added
            if PurePosixPath(new).name == name and new not in moves.values()
        ]
        best = max(candidates, default=(0.0, ""))
        if best[0] >= MOVE_SIMILARITY:
            moves[old] = best[1]

    changes: list[FileChange] = []
    unchanged = 0
    for path in sorted(old_files & new_files):
        if _lines(before, path) == _lines(after, path):
            unchanged += 1
        else:
            changes.append(_diff(before, path, after, path, "changed"))
    for old, new in moves.items():
        changes.append(_diff(before, old, after, new, "moved"))
    for new in added:
        if new not in moves.values():
            changes.append(_diff(before, None, after, new, "added"))
    for old in removed:
        if old not in moves:
            changes.append(_diff(before, old, after, None, "removed"))
    changes.sort(key=lambda change: change.path)
    return StageChange(before.name, after.name, tuple(changes), unchanged)
