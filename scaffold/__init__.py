"""scaffold: Flask and Django starter projects from one answers file.

The public API is what ``__all__`` names; every other module may change.
Names are imported on first use, so ``import scaffold`` stays cheap (the
pytest plugin is loaded into every pytest run where scaffold is installed).

    from pathlib import Path
    import scaffold

    project = scaffold.find_project("todo", "flask")
    folder = scaffold.generate(project, Path("build/flask-todo"), answers)
    with scaffold.boot(folder) as app:
        print(app.url, app.log_tail())
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# Public name -> the module that defines it.
_PUBLIC = {
    "generate": "scaffold.generation.generate",
    "generate_all": "scaffold.generation.generate",
    "find_project": "scaffold.generation.catalog",
    "projects": "scaffold.generation.catalog",
    "Project": "scaffold.generation.catalog",
    "GeneratedProject": "scaffold.project",
    "boot": "scaffold.harness.boot",
    "RunningApp": "scaffold.harness.boot",
    "check_projects": "scaffold.harness.run",
    "ProjectReport": "scaffold.harness.run",
    "ScaffoldError": "scaffold.errors",
    "HarnessFailure": "scaffold.errors",
}

__all__ = [
    "GeneratedProject",
    "HarnessFailure",
    "Project",
    "ProjectReport",
    "RunningApp",
    "ScaffoldError",
    "__version__",
    "boot",
    "check_projects",
    "find_project",
    "generate",
    "generate_all",
    "projects",
]

if TYPE_CHECKING:
    from .errors import HarnessFailure, ScaffoldError
    from .generation.catalog import Project, find_project, projects
    from .generation.generate import generate, generate_all
    from .harness.boot import RunningApp, boot
    from .harness.run import ProjectReport, check_projects
    from .project import GeneratedProject


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'scaffold' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
