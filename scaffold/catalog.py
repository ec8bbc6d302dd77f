"""The projects scaffold can generate and where their Copier templates live."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import ScaffoldError

FRAMEWORKS = ("flask", "django")


@dataclass(frozen=True)
class Project:
    """One generated project: an app in one framework."""

    framework: str
    app: str
    template: str  # folder under templates/ that `_subdirectory` picks
    summary: str
    run: str  # the development commands, run from the project folder
    # A variant: the same template with some answers fixed, e.g. accounts=yes.
    # `scaffold all` gives it its own folder, <framework>-<app>-<variant>.
    variant: str = ""
    answers: dict[str, object] = field(default_factory=dict, hash=False)

    @property
    def name(self) -> str:
        """Folder name used by `scaffold all`, e.g. ``flask-todo-accounts``."""
        return "-".join(filter(None, (self.framework, self.app, self.variant)))


PROJECTS = (
    Project(
        "flask", "hello", "flask-hello/hello", "Hello World in one file", "flask run"
    ),
    Project(
        "django",
        "hello",
        "django-hello/hello",
        "Hello World in one file",
        "python app.py runserver",
    ),
    Project(
        "flask",
        "website",
        "flask-hello/website",
        "Personal website: templates, links, a stylesheet",
        "flask run",
    ),
    Project(
        "django",
        "website",
        "django-hello/website",
        "Personal website: project + pages app, links, a stylesheet",
        "python manage.py runserver",
    ),
    Project(
        "flask",
        "todo",
        "todo/flask",
        "To-do list: blueprint, SQLAlchemy, WTForms, migrations",
        "flask db upgrade && flask run",
    ),
    Project(
        "django",
        "todo",
        "todo/django",
        "To-do list: todos app, ORM, ModelForm, migrations, admin",
        "python manage.py migrate && python manage.py runserver",
    ),
    Project(
        "flask",
        "todo",
        "todo/flask",
        "the to-do, each person's own: Flask-Login, a User model, an auth blueprint",
        "flask db upgrade && flask run",
        variant="accounts",
        answers={"accounts": True},
    ),
    Project(
        "django",
        "todo",
        "todo/django",
        "the to-do, each person's own: contrib.auth views, a custom User, axes",
        "python manage.py migrate && python manage.py runserver",
        variant="accounts",
        answers={"accounts": True},
    ),
)

# Answers a variant fixes: `scaffold all` sets them per project, not from the
# user's answers, so the plain projects stay plain.
VARIANT_ANSWERS = frozenset(key for p in PROJECTS for key in p.answers)

APPS = tuple(dict.fromkeys(p.app for p in PROJECTS))


def find_project(app: str, framework: str) -> Project:
    """Return the project for APP in FRAMEWORK (never a variant), or raise
    ScaffoldError."""
    for project in PROJECTS:
        if project.app == app and project.framework == framework:
            return project
    raise ScaffoldError(
        f"unknown project {app!r} for {framework!r}; "
        f"choose one of {', '.join(APPS)} (see 'scaffold list')"
    )


def templates_root() -> Path:
    """The Copier template root: the folder holding copier.yml.

    Installed, the templates ship inside the package (scaffold/templates);
    in a source checkout they are the repository's templates/ folder.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise ScaffoldError("scaffold's templates are missing; reinstall scaffold")


def example_answers_file() -> Path:
    """The bundled example answers (examples/answers.yml in the repository)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "examples", here.parent / "examples"):
        if (candidate / "answers.yml").is_file():
            return candidate / "answers.yml"
    raise ScaffoldError("scaffold's example answers are missing; reinstall scaffold")
