"""What the harness checks in a generated project: its template's harness.yml.

Each project template declares, as data, how to serve it and which pages must
answer (see templates/flask-hello/hello/harness.yml). The file is read through
the schema below, which refuses unknown keys and wrong types. Strings in it
are Jinja, rendered with the answers recorded in the project's
.copier-answers.yml (plus ``secret_key``, ``data_dir``, ``database_url`` and
``wsgi``), so the expected texts follow whatever the user answered.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import Field

from ..errors import ScaffoldError
from ..generation.catalog import Project, templates_root
from ..project import GeneratedProject
from ..schema import Declared, load_file, one_of

HARNESS_FILE = "harness.yml"
SERVERS = ("gunicorn", "dev")


class PageCheck(Declared):
    """One page that must answer: its path, status, texts and content type."""

    path: str
    status: int = 200
    text: tuple[str, ...] = ()
    content_type: str | None = None


class ServerCommand(Declared):
    """How to start one kind of server, from the project folder."""

    command: tuple[str, ...]
    env: dict[str, str] = Field(default_factory=dict)


class HarnessSpec(Declared):
    """A template's harness.yml."""

    env: dict[str, str] = Field(default_factory=dict)  # for every command
    prepare: tuple[tuple[str, ...], ...] = ()  # run before a server starts
    servers: dict[Annotated[str, one_of("server", SERVERS)], ServerCommand]
    pages: tuple[PageCheck, ...]


# How the one-line error names an entry, e.g. "page '/about/'".
ENTRIES = {"pages": "page", "servers": "server", "prepare": "command"}


def read_harness_spec(project: Project) -> HarnessSpec:
    """The harness.yml of ``project``'s template, validated, not yet rendered."""
    path = templates_root() / project.template / HARNESS_FILE
    return load_file(HarnessSpec, path, ENTRIES)


@dataclass(frozen=True)
class Plan:
    """Everything the harness needs to boot and check one generated project."""

    generated: GeneratedProject
    servers: dict[str, ServerCommand]
    pages: tuple[PageCheck, ...]
    dependencies: tuple[str, ...]  # the project's own pyproject.toml
    data_dir: Path  # where the project keeps its data during the check
    env: dict[str, str] = field(default_factory=dict)  # for every command
    prepare: tuple[tuple[str, ...], ...] = ()  # run before a server starts
    label: str = ""  # how reports name it; the folder's name if empty

    @property
    def folder(self) -> Path:
        return self.generated.folder

    @property
    def name(self) -> str:
        return self.label or self.folder.name


def _render(value: Any, context: dict[str, Any], env: SandboxedEnvironment) -> Any:
    """Render every string in a YAML value with the answers."""
    if isinstance(value, str):
        return env.from_string(value).render(context)
    if isinstance(value, list | tuple):
        return [_render(item, context, env) for item in value]
    if isinstance(value, dict):
        return {key: _render(item, context, env) for key, item in value.items()}
    return value


def command_line(declared: Sequence[str], rendered: Sequence[str]) -> tuple[str, ...]:
    """A command's arguments; one filled in from the answers never starts an
    option (`-c/tmp/evil.py` as a slug must not become gunicorn's -c)."""
    for raw, arg in zip(declared, rendered, strict=True):
        if "{{" in str(raw) and str(arg).lstrip().startswith("-"):
            raise ScaffoldError(
                f"an answer would become the option {arg!r} of a command; "
                "regenerate the project"
            )
    return tuple(str(arg) for arg in rendered)


def load_plan(folder: Path, data_dir: Path, database_url: str = "") -> Plan:
    """Read what to boot and check for the generated project in ``folder``.

    ``data_dir`` is the folder the project may keep its data in (its database)
    while it is checked; the harness creates it, and its caller removes it.
    ``database_url`` is the PostgreSQL database made for a project that needs
    one (postgres.py).
    """
    generated = GeneratedProject.read(folder)
    data_dir = data_dir.resolve()
    declared = read_harness_spec(generated.entry)
    context = {
        **generated.answers,
        # A key made for this run: production servers refuse to start without one.
        "secret_key": secrets.token_urlsafe(50),
        "data_dir": str(data_dir),
        "database_url": database_url,
    }
    try:
        context["wsgi"] = generated.wsgi_target
        jinja = SandboxedEnvironment(undefined=StrictUndefined)
        rendered = _render(declared.model_dump(), context, jinja)
    except TemplateError as error:
        source = templates_root() / generated.entry.template / HARNESS_FILE
        raise ScaffoldError(
            f"{source} is broken ({error!r}); reinstall scaffold"
        ) from None
    spec = HarnessSpec.model_validate(rendered)
    for kind, command in spec.servers.items():
        command_line(declared.servers[kind].command, command.command)
    for raw, command in zip(declared.prepare, spec.prepare, strict=True):
        command_line(raw, command)
    return Plan(
        generated,
        spec.servers,
        spec.pages,
        generated.dependencies(),
        data_dir=data_dir,
        env=spec.env,
        prepare=spec.prepare,
    )
