"""What the harness checks in a generated project: its template's harness.yml.

Each project template declares, as data, how to serve it and which pages must
answer (see templates/flask-hello/hello/harness.yml). The file is read through
the schema below, which refuses unknown keys and wrong types. Strings in it
are Jinja, rendered with the answers recorded in the project's
.copier-answers.yml (plus ``secret_key``, ``data_dir``, ``database_url`` and
``wsgi``), so the expected texts follow whatever the user answered.

A `prepare` command, a page and the `login` may carry `when`: a Jinja
expression over the same answers (e.g. ``accounts | default(false)``); the
entry counts only when it is true.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BeforeValidator, Field

from ..errors import ScaffoldError
from ..generation.catalog import Project, templates_root, typed_answers
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
    when: str | None = None  # a Jinja expression over the answers


def _command_entry(value: Any) -> Any:
    """A bare list is a command that always runs: ``{command: [...]}``."""
    return {"command": value} if isinstance(value, list | tuple) else value


class PrepareCommand(Declared):
    """A command run before a server starts, e.g. the migrations."""

    command: tuple[str, ...]
    when: str | None = None  # a Jinja expression over the answers


class LoginSpec(Declared):
    """A log-in form the harness fills in before it checks the pages."""

    path: str
    fields: dict[str, str]
    when: str | None = None  # a Jinja expression over the answers


class ServerCommand(Declared):
    """How to start one kind of server, from the project folder."""

    command: tuple[str, ...]
    env: dict[str, str] = Field(default_factory=dict)


class HarnessSpec(Declared):
    """A template's harness.yml."""

    env: dict[str, str] = Field(default_factory=dict)  # for every command
    # run before a server starts; a bare list, or {command: [...], when: ...}
    prepare: tuple[Annotated[PrepareCommand, BeforeValidator(_command_entry)], ...] = ()
    login: LoginSpec | None = None  # check the pages as this logged-in user
    servers: dict[Annotated[str, one_of("server", SERVERS)], ServerCommand]
    pages: tuple[PageCheck, ...]


# How the one-line error names an entry, e.g. "page '/about/'".
ENTRIES = {"pages": "page", "servers": "server", "prepare": "command"}


def read_harness_spec(project: Project) -> HarnessSpec:
    """The harness.yml of ``project``'s template, validated, not yet rendered."""
    path = templates_root() / project.template / HARNESS_FILE
    return load_file(HarnessSpec, path, ENTRIES)


@dataclass(frozen=True)
class Login:
    """A log-in form the harness fills in before it checks the pages."""

    path: str
    fields: dict[str, str]


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
    login: Login | None = None  # check the pages as this logged-in user
    user: str | None = None  # its processes run as this user (unprivileged.py)

    @property
    def folder(self) -> Path:
        return self.generated.folder

    @property
    def name(self) -> str:
        return self.label or self.folder.name


# Compiled once per run: every project of a template renders the same strings.
_JINJA = SandboxedEnvironment(undefined=StrictUndefined)
_template = cache(_JINJA.from_string)
_expression = cache(_JINJA.compile_expression)


def _render(value: Any, context: dict[str, Any]) -> Any:
    """Render every string in a YAML value with the answers."""
    if isinstance(value, str):
        return _template(value).render(context)
    if isinstance(value, list | tuple):
        return [_render(item, context) for item in value]
    if isinstance(value, dict):
        return {key: _render(item, context) for key, item in value.items()}
    return value


def _applies(when: str | None, context: dict[str, Any]) -> bool:
    """False for an entry whose `when` expression (e.g. `accounts`) is false."""
    return when is None or bool(_expression(when)(**context))


def _for_answers(declared: HarnessSpec, context: dict[str, Any]) -> HarnessSpec:
    """The spec without the entries whose `when` is false for these answers."""
    login = declared.login
    return declared.model_copy(
        update={
            "prepare": tuple(c for c in declared.prepare if _applies(c.when, context)),
            "pages": tuple(p for p in declared.pages if _applies(p.when, context)),
            "login": login if login and _applies(login.when, context) else None,
        }
    )


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
        **typed_answers(generated.answers),  # `when: accounts` reads a bool
        # A key made for this run: production servers refuse to start without one.
        "secret_key": secrets.token_urlsafe(50),
        "data_dir": str(data_dir),
        "database_url": database_url,
    }
    try:
        context["wsgi"] = generated.wsgi_target
        applying = _for_answers(declared, context)
        rendered = _render(applying.model_dump(), context)
    except TemplateError as error:
        source = templates_root() / generated.entry.template / HARNESS_FILE
        raise ScaffoldError(
            f"{source} is broken ({error!r}); reinstall scaffold"
        ) from None
    spec = HarnessSpec.model_validate(rendered)
    for kind, command in spec.servers.items():
        command_line(declared.servers[kind].command, command.command)
    for raw, step in zip(applying.prepare, spec.prepare, strict=True):
        command_line(raw.command, step.command)
    return Plan(
        generated,
        spec.servers,
        spec.pages,
        generated.dependencies(),
        data_dir=data_dir,
        env=spec.env,
        prepare=tuple(command.command for command in spec.prepare),
        login=Login(spec.login.path, spec.login.fields) if spec.login else None,
    )
