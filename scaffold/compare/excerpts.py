"""Pick the lines that show one concept out of a generated project's files.

concepts.yml names them by file and Python definition (or by a line to find),
never by line number, so an excerpt follows the templates when they change,
and an excerpt that no longer finds its code is an error rather than a gap.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ScaffoldError
from ..project import list_files


@dataclass(frozen=True)
class Piece:
    """A run of consecutive lines from one file; ``start`` counts from 1."""

    start: int
    code: str

    @property
    def end(self) -> int:
        return self.start + self.code.count("\n")


@dataclass(frozen=True)
class Excerpt:
    """What one column shows: pieces of a file, a file tree, or words."""

    kind: str  # "code", "tree" or "text"
    path: str = ""  # the file, relative to the project (kind "code")
    pieces: tuple[Piece, ...] = ()
    text: str = ""  # the tree (kind "tree") or the words (kind "text")


def file_tree(files: list[str]) -> str:
    """Draw sorted relative paths as an indented tree, folders first."""
    root: dict[str, Any] = {}
    for path in files:
        node = root
        *folders, name = path.split("/")
        for folder in folders:
            node = node.setdefault(folder + "/", {})
        node[name] = None

    lines: list[str] = []

    def draw(node: dict[str, Any], indent: str) -> None:
        names = sorted(node, key=lambda name: (not name.endswith("/"), name))
        for index, name in enumerate(names):
            last = index == len(names) - 1
            lines.append(f"{indent}{'└── ' if last else '├── '}{name}")
            if node[name] is not None:
                draw(node[name], indent + ("    " if last else "│   "))

    draw(root, "")
    return "\n".join(lines)


def _find_file(folder: Path, pattern: str) -> str:
    matches = sorted(p for p in folder.glob(pattern) if p.is_file())
    if len(matches) != 1:
        found = "no file" if not matches else f"{len(matches)} files"
        raise ScaffoldError(
            f"concepts.yml: {pattern!r} matches {found} in {folder}; "
            "it must match exactly one"
        )
    return matches[0].relative_to(folder).as_posix()


def _definitions(body: list[ast.stmt]) -> dict[str, ast.stmt]:
    """The named statements of a module or class body: defs, classes, NAME = ..."""
    found: dict[str, ast.stmt] = {}
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node
    return found


def _symbol_lines(
    lines: list[str], tree: ast.Module, name: str, head: bool, where: str
) -> tuple[int, int]:
    """First and last line (1-based) of a definition, comments above included."""
    body: list[ast.stmt] = tree.body
    node: ast.stmt | None = None
    for part in name.split("."):
        node = _definitions(body).get(part)
        if node is None:
            raise ScaffoldError(f"concepts.yml: no {name!r} in {where}")
        body = getattr(node, "body", [])
    assert node is not None
    decorators = getattr(node, "decorator_list", [])
    first = min([node.lineno, *(d.lineno for d in decorators)])
    while first > 1 and lines[first - 2].lstrip().startswith("#"):
        first -= 1  # the comment that introduces it
    last = node.end_lineno or node.lineno
    if head and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        last = node.body[0].lineno - 1  # decorators and the whole `def` line
    return first, last


def _paragraph(lines: list[str], pattern: str, where: str) -> tuple[int, int]:
    """The lines between blank lines around the first line matching ``pattern``."""
    regex = re.compile(pattern)
    found = next((i for i, line in enumerate(lines) if regex.search(line)), None)
    if found is None:
        raise ScaffoldError(f"concepts.yml: no line matches {pattern!r} in {where}")
    first = last = found
    while first > 0 and lines[first - 1].strip():
        first -= 1
    while last + 1 < len(lines) and lines[last + 1].strip():
        last += 1
    return first + 1, last + 1


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort line spans and join those that overlap or touch."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def select(folder: Path, spec: Mapping[str, Any], slug: str) -> Excerpt:
    """The excerpt one concepts.yml entry describes, from the project in ``folder``."""
    if "text" in spec:
        return Excerpt("text", text=" ".join(str(spec["text"]).split()))
    if spec.get("tree"):
        return Excerpt("tree", text=file_tree(list_files(folder)))
    path = _find_file(folder, str(spec["file"]).replace("{slug}", slug))
    source = (folder / path).read_text("utf-8")
    lines = source.splitlines()
    where = f"{folder.name}/{path}"
    spans = [_paragraph(lines, pattern, where) for pattern in spec.get("lines", ())]
    if symbols := spec.get("symbols", ()):
        tree = ast.parse(source, filename=where)
        head = bool(spec.get("head"))
        spans += [_symbol_lines(lines, tree, name, head, where) for name in symbols]
    if not spans:
        spans = [(1, len(lines))]
    chosen = [(first, lines[first - 1 : last]) for first, last in _merge(spans)]
    # Methods lose their class's indent; pieces of one function keep theirs.
    shown = [line for _, piece in chosen for line in piece if line.strip()]
    indent = min((len(line) - len(line.lstrip()) for line in shown), default=0)
    pieces = tuple(
        Piece(first, "\n".join(line[indent:] for line in piece))
        for first, piece in chosen
    )
    return Excerpt("code", path=path, pieces=pieces)
