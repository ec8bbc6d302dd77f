"""A generated project as the harness and `scaffold compare` see it.

Its folder, the answers Copier recorded in it (.copier-answers.yml), which
catalog entry made it, its files and the dependencies its pyproject.toml
declares. Both subsystems read a project through this one model.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ScaffoldError
from .generation.catalog import Project, project_for
from .generation.safe_yaml import read_text
from .generation.validation import ANSWERS_FILE, read_recorded_answers

__all__ = ["ANSWERS_FILE", "GeneratedProject", "list_files", "read_recorded_answers"]

# A generated pyproject.toml is about 2 kB; a project's own may grow, not to this.
PYPROJECT_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class GeneratedProject:
    """One project folder made by scaffold (or by Copier from its templates)."""

    folder: Path
    answers: dict[str, Any]  # as recorded in .copier-answers.yml
    entry: Project  # the catalog's project it was generated from

    @classmethod
    def read(cls, folder: Path) -> GeneratedProject:
        """Read the project in ``folder``, or raise a one-line ScaffoldError."""
        folder = folder.resolve()
        answers = read_recorded_answers(folder)
        entry = project_for(answers)
        return cls(folder, answers, entry)

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def slug(self) -> str:
        return str(self.answers.get("project_slug", ""))

    @property
    def wsgi_target(self) -> str:
        """What gunicorn serves, e.g. ``ada_notebook.wsgi``."""
        return self.entry.wsgi_target(self.answers)

    def files(self) -> list[str]:
        """Every file in the project, as sorted relative POSIX paths."""
        return list_files(self.folder)

    def dependencies(self) -> tuple[str, ...]:
        """The requirements its pyproject.toml declares."""
        path = self.folder / "pyproject.toml"
        text = read_text(path, str(path), PYPROJECT_MAX_BYTES, "a pyproject.toml")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ScaffoldError(
                f"cannot read {path} ({error}); regenerate the project"
            ) from None
        table = data.get("project", {})
        found = table.get("dependencies", []) if isinstance(table, dict) else None
        if not isinstance(found, list) or not all(isinstance(x, str) for x in found):
            raise ScaffoldError(
                f"{path}: [project] dependencies must be a list of requirement "
                "strings; regenerate the project or fix that file"
            )
        return tuple(found)


def list_files(folder: Path) -> list[str]:
    """Every file under ``folder``, as sorted relative POSIX paths."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
