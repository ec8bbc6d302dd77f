"""What a project ships, read as a platform reads it: the Procfile's commands,
and the health path that render.yaml and fly.toml declare.

honcho (a Python Foreman) parses the Procfile, so the harness reads it the
way Procfile hosts do; the commands are shell lines, run with ``sh -c`` as
honcho and Heroku run them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from ..errors import HarnessFailure

PROCFILE = "Procfile"
DOCKERFILE = "Dockerfile"


class NotShipped(HarnessFailure):
    """A file a platform needs is missing or says something unusable."""


def procfile(folder: Path) -> dict[str, str]:
    """The Procfile's process types and their commands, e.g. {"web": ...}."""
    from honcho.environ import parse_procfile

    path = Path(folder) / PROCFILE
    try:
        text = path.read_text("utf-8")
    except OSError:
        raise NotShipped(f"no {PROCFILE} in {folder}", "") from None
    processes = dict(parse_procfile(text).processes)
    if "web" not in processes:
        raise NotShipped(f"{path} declares no 'web:' process", text)
    return processes


def _render_paths(folder: Path) -> set[str]:
    path = folder / "render.yaml"
    if not path.is_file():
        return set()
    try:
        blueprint = yaml.safe_load(path.read_text("utf-8")) or {}
        services = blueprint.get("services") or []
        return {s["healthCheckPath"] for s in services if "healthCheckPath" in s}
    except (yaml.YAMLError, AttributeError, TypeError, KeyError) as error:
        raise NotShipped(f"{path} cannot be read: {error}", "") from None


def _fly_paths(folder: Path) -> set[str]:
    path = folder / "fly.toml"
    if not path.is_file():
        return set()
    try:
        service = tomllib.loads(path.read_text("utf-8")).get("http_service", {})
        return {check["path"] for check in service.get("checks", []) if "path" in check}
    except (tomllib.TOMLDecodeError, AttributeError, TypeError) as error:
        raise NotShipped(f"{path} cannot be read: {error}", "") from None


def health_path(folder: Path) -> str:
    """The health path render.yaml and fly.toml declare; they must agree."""
    folder = Path(folder)
    render, fly = _render_paths(folder), _fly_paths(folder)
    paths = render | fly
    if not paths:
        raise NotShipped(
            "neither render.yaml (healthCheckPath) nor fly.toml "
            "([[http_service.checks]] path) declares a health path",
            "",
        )
    if len(paths) > 1:
        raise NotShipped(
            f"the platform files disagree on the health path: render.yaml "
            f"{sorted(render)}, fly.toml {sorted(fly)}",
            "",
        )
    return paths.pop()


def ships(folder: Path, server: str) -> bool:
    """Whether the project has what ``server`` ("container", "procfile") runs."""
    name = DOCKERFILE if server == "container" else PROCFILE
    return (Path(folder) / name).is_file()
