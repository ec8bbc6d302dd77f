"""The figures `scaffold compare` gives for one generated project."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..project import GeneratedProject

# Lines of code count the files a learner reads as code, by kind.
CODE_KINDS = {".py": "Python", ".html": "templates", ".css": "CSS"}


@dataclass(frozen=True)
class Facts:
    """Files, lines of code, dependencies and how to run one project."""

    files: tuple[str, ...]  # every file, relative to the project
    lines: dict[str, int]  # non-blank lines per kind of code file
    dependencies: tuple[str, ...]  # from the project's pyproject.toml
    entry_point: str  # what the production server imports
    run: str  # the development commands

    @property
    def lines_of_code(self) -> int:
        return sum(self.lines.values())


def _count_lines(folder: Path, files: tuple[str, ...]) -> dict[str, int]:
    counts = dict.fromkeys(CODE_KINDS.values(), 0)
    for name in files:
        kind = CODE_KINDS.get(Path(name).suffix)
        if kind:
            text = (folder / name).read_text("utf-8")
            counts[kind] += sum(1 for line in text.splitlines() if line.strip())
    return counts


def entry_point(folder: Path, wsgi_target: str) -> str:
    """Say where gunicorn's ``module:object`` lives, e.g. ``app.py: app``."""
    module, _, obj = wsgi_target.partition(":")
    path = Path(*module.split("."))
    package = folder / path / "__init__.py"
    where = (path / "__init__.py") if package.is_file() else path.with_suffix(".py")
    return f"{where.as_posix()}: {obj or 'application'}"


def project_facts(project: GeneratedProject) -> Facts:
    """Count and describe a generated project."""
    files = tuple(project.files())
    return Facts(
        files=files,
        lines=_count_lines(project.folder, files),
        dependencies=project.dependencies(),
        entry_point=entry_point(project.folder, project.wsgi_target),
        run=project.entry.run,
    )
