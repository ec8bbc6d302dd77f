"""The projects scaffold can generate and where their Copier templates live.

This is the one list of projects. It is read, not written here: the
frameworks and apps are the choices of the `framework` and `app` questions in
the root copier.yml, each pair's template folder is what copier.yml's
`_subdirectory` renders for it, and what scaffold says about a project
(summary, run command, WSGI target) is the project.yml beside the template's
harness.yml. Adding a project means: a template folder, its project.yml and
harness.yml, a choice in copier.yml.

A project.yml may also declare variants: the same template with some answers
fixed (the to-do with accounts=yes). Each is a project of its own, named
<framework>-<app>-<variant>, listed after the plain one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from jinja2.sandbox import SandboxedEnvironment
from pydantic import Field

from ..errors import ScaffoldError
from ..schema import Declared, load_file, one_of, read_yaml
from .template_source import config_file

METADATA_FILE = "project.yml"


def _questions() -> list[str]:
    """The questions of copier.yml (its keys not starting with an underscore)."""
    return [key for key in copier_config() if not key.startswith("_")]


# An answer a variant fixes must be one of copier.yml's questions, and not one
# that picks the template.
Question = Annotated[
    str,
    one_of(
        "question",
        lambda: [q for q in _questions() if q not in ("framework", "app")],
    ),
]
VariantName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*$")]


class Variant(Declared):
    """A variant in project.yml: the template with some answers fixed."""

    summary: str  # one line for `scaffold list`
    answers: dict[Question, Any] = Field(min_length=1)  # e.g. {accounts: true}


class Metadata(Declared):
    """A template's project.yml."""

    summary: str  # one line for `scaffold list`
    run: str  # the development commands, run from the project folder
    wsgi: str  # gunicorn's target, e.g. "{{ project_slug }}.wsgi" (Jinja)
    variants: dict[VariantName, Variant] = Field(default_factory=dict)


def project_name(framework: str, app: str, variant: str = "") -> str:
    """The folder name `scaffold all` gives a project, e.g. ``flask-website``
    or, for a variant, ``flask-todo-accounts``. The one place it is built."""
    return "-".join(part for part in (framework, app, variant) if part)


@dataclass(frozen=True)
class Project:
    """One generated project: an app in one framework."""

    framework: str
    app: str
    template: str  # folder under templates/ that `_subdirectory` picks
    summary: str
    run: str  # the development commands, run from the project folder
    wsgi: str = ""  # gunicorn's target, Jinja to render with the answers
    # A variant: the same template with some answers fixed, e.g. accounts=yes.
    variant: str = ""
    answers: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def name(self) -> str:
        """Folder name used by `scaffold all`, e.g. ``flask-todo-accounts``."""
        return project_name(self.framework, self.app, self.variant)

    def made(self, answers: dict[str, Any]) -> bool:
        """True if a project generated with ``answers`` is this one: its app
        and framework, and every answer this variant fixes."""
        return (
            answers.get("framework") == self.framework
            and answers.get("app") == self.app
            and all(answers.get(k) == v for k, v in self.answers.items())
        )

    def wsgi_target(self, answers: dict[str, Any]) -> str:
        """The WSGI target for a project generated with ``answers``."""
        return SandboxedEnvironment().from_string(self.wsgi).render(answers)


def _package_folder() -> Path:
    return Path(str(files("scaffold")))


def _bundled(name: str, marker: str) -> Path:
    """A folder shipped inside the package (installed) or beside it (checkout)."""
    here = _package_folder()
    for candidate in (here / name, here.parent / name):
        if (candidate / marker).is_file():
            return candidate
    raise ScaffoldError(f"scaffold's {name} are missing; reinstall scaffold")


def templates_root() -> Path:
    """The folder holding every project's template folder and _shared/.

    Installed, the templates ship inside the package (scaffold/templates);
    in a source checkout they are the repository's templates/ folder. The
    Copier template root is the folder above, with copier.yml: Copier renders
    it from its versioned history (template_source.py).
    """
    return _bundled("templates", "_shared/python.jinja")


def example_answers_file() -> Path:
    """The bundled example answers (examples/answers.yml in the repository)."""
    try:
        return _bundled("examples", "answers.yml") / "answers.yml"
    except ScaffoldError:
        raise ScaffoldError(
            "scaffold's example answers are missing; reinstall scaffold"
        ) from None


@cache
def copier_config() -> dict[str, Any]:
    """copier.yml, the questionnaire every project shares."""
    config = read_yaml(config_file())
    if not isinstance(config, dict):
        raise ScaffoldError("copier.yml is not a mapping; reinstall scaffold")
    return config


def choices(question: str) -> tuple[str, ...]:
    """The values a copier.yml question accepts, in its order."""
    listed = copier_config()[question]["choices"]
    return tuple(listed.values() if isinstance(listed, dict) else listed)


def template_folder(framework: str, app: str) -> str:
    """The folder copier.yml's `_subdirectory` picks for ``framework`` and ``app``."""
    expression = copier_config()["_subdirectory"]
    rendered = SandboxedEnvironment().from_string(expression)
    folder = rendered.render(framework=framework, app=app).strip()
    return folder.removeprefix("templates/")  # relative to templates_root()


@cache
def projects() -> tuple[Project, ...]:
    """Every project, in course order (app by app), Flask before Django; then
    the variants, in the same order."""
    plain, variants = [], []
    for app in choices("app"):
        for framework in choices("framework"):
            folder = template_folder(framework, app)
            path = templates_root() / folder / METADATA_FILE
            meta = load_file(Metadata, path, {"variants": "variant"})
            plain.append(
                Project(framework, app, folder, meta.summary, meta.run, meta.wsgi)
            )
            variants += [
                Project(
                    framework,
                    app,
                    folder,
                    variant.summary,
                    meta.run,
                    meta.wsgi,
                    variant=name,
                    answers=dict(variant.answers),
                )
                for name, variant in meta.variants.items()
            ]
    return (*plain, *variants)


def stages() -> tuple[str, ...]:
    """The course in order: each app, then each variant (the to-do with
    accounts). `scaffold compare` shows one stage per name."""
    variants = (p.variant for p in projects() if p.variant)
    return (*choices("app"), *dict.fromkeys(variants))


def unknown_app(value: str, names: Iterable[str], extra: Iterable[str] = ()) -> str:
    """The one message for an APP scaffold does not know; ``extra`` are the
    other words the command takes, e.g. "all"."""
    listed = ", ".join(names)
    others = " or ".join(extra)
    return f"unknown app {value!r}; choose one of {listed}" + (
        f" or {others}" if others else " (see 'scaffold list')"
    )


def variant_answers() -> frozenset[str]:
    """The answers some variant fixes: `scaffold all` sets them per project,
    not from the user's answers, so the plain projects stay plain."""
    return frozenset(key for project in projects() for key in project.answers)


def __getattr__(name: str) -> Any:
    """PROJECTS, APPS and FRAMEWORKS: shorthands for projects() and choices(),
    read from the templates on first use. The package calls the functions;
    the tests and benchmarks use the names (docs/architecture.md)."""
    if name == "PROJECTS":
        return projects()
    if name == "APPS":
        return choices("app")
    if name == "FRAMEWORKS":
        return choices("framework")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def find_project(app: str, framework: str) -> Project:
    """The project for ``app`` in ``framework``: an app (``"todo"``, the plain
    project) or a variant (``"accounts"``, flask-todo-accounts), as `scaffold
    list` and `scaffold compare` name them. Raises ScaffoldError, naming the
    choices, for anything else. The one lookup by name (see project_for for
    a generated project's recorded answers)."""
    if framework not in choices("framework"):
        raise ScaffoldError(
            f"unknown framework {framework!r}; "
            f"choose one of {', '.join(choices('framework'))}"
        )
    for project in projects():
        if project.framework == framework and (project.variant or project.app) == app:
            return project
    raise ScaffoldError(unknown_app(app, stages()))


# The texts Copier reads as yes and as no (a recorded bool is "true"/"false").
TRUE_WORDS = frozenset({"y", "yes", "t", "true", "on", "1"})
FALSE_WORDS = frozenset({"n", "no", "f", "false", "off", "0"})


def typed_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """Recorded answers are read as text; give each `type: bool` question's
    answer back its truth value, as Copier does (``"false"`` is false)."""
    config = copier_config()
    return {
        key: (
            str(value).strip().lower() in TRUE_WORDS
            if isinstance(config.get(key), dict) and config[key].get("type") == "bool"
            else value
        )
        for key, value in answers.items()
    }


def project_for(answers: dict[str, Any]) -> Project:
    """The project a generated folder's recorded ``answers`` came from: the
    variant whose fixed answers they hold, else the plain project."""
    app = str(answers["app"])
    if app not in choices("app"):  # recorded answers name an app, not a variant
        raise ScaffoldError(unknown_app(app, choices("app")))
    plain = find_project(app, str(answers["framework"]))
    typed = typed_answers(answers)
    made = [p for p in projects() if p.variant and p.made(typed)]
    return made[0] if made else plain
