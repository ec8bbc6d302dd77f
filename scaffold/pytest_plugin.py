"""pytest plugin: generate a scaffold project and serve it in your own tests.

Installed with scaffold (entry point ``pytest11``), it gives two fixtures,
each a function you call with an app, a framework and answers; it generates
the project into a temporary folder and boots it with `scaffold.boot`:

- ``scaffold_app``: returns the running app (``.url``, ``.project``,
  ``.log_tail()``); its server ends with the test.
- ``scaffold_app_session``: the same, but one server per distinct call for the
  whole session: tests asking for the same project share it.

::

    def test_home_shows_the_name(scaffold_app):
        app = scaffold_app("website", "django", {"project_name": "Demo"})
        assert "Demo" in requests.get(app.url + "/").text

Answers not given come from scaffold's example answers. A server that fails
to start fails the test, with its log. ``database="postgresql"`` makes a to-do
that keeps its data in PostgreSQL: it gets a database of its own on one server
for the whole test session (the ``scaffold_postgresql`` fixture), the one at
``SCAFFOLD_DATABASE_URL`` if set, else a throwaway server started from the
PostgreSQL binaries on the machine (the test is skipped, with how to install
them, if there are none; it fails instead when ``CI`` is set).
``--scaffold-keep`` keeps the generated projects (otherwise removed when their
server ends) and prints where they are.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .harness.boot import RunningApp
    from .harness.postgres import DatabaseServer

# Where --scaffold-keep puts the projects; xdist workers inherit it.
KEEP_VARIABLE = "SCAFFOLD_PYTEST_KEEP"


# What scaffold_app and scaffold_app_session return: start(app, framework,
# answers=None, *, server="gunicorn", isolated=False, env=None, database=None)
# -> RunningApp.
StartApp = Callable[..., "RunningApp"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("scaffold")
    group.addoption(
        "--scaffold-keep",
        action="store_true",
        help="Keep the projects scaffold's fixtures generate, and print where.",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("scaffold_keep") and not hasattr(config, "workerinput"):
        os.environ[KEEP_VARIABLE] = tempfile.mkdtemp(prefix="scaffold-kept-")


def pytest_terminal_summary(
    terminalreporter: Any, exitstatus: int, config: pytest.Config
) -> None:
    kept = os.environ.get(KEEP_VARIABLE)
    if config.getoption("scaffold_keep") and kept and any(Path(kept).iterdir()):
        terminalreporter.write_line(f"scaffold: generated projects kept in {kept}")


def _starter(
    stack: ExitStack,
    make_folder: Callable[[str], Path],
    keep: bool,
    postgresql: Callable[[], DatabaseServer],
) -> StartApp:
    """A function that generates and boots a project; ``stack`` ends it.
    ``postgresql()`` gives the session's PostgreSQL server when one is needed."""
    # Imported here, so merely having scaffold installed costs pytest nothing.
    from .errors import HarnessFailure
    from .generation.answers import read_answers_file
    from .generation.catalog import example_answers_file, find_project
    from .generation.generate import generate
    from .harness.boot import boot
    from .harness.postgres import needs_postgresql

    defaults = read_answers_file(example_answers_file())

    def start(
        app: str,
        framework: str,
        answers: Mapping[str, str] | None = None,
        *,
        server: str = "gunicorn",
        isolated: bool = False,
        env: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> RunningApp:
        project = find_project(app, framework)
        where = make_folder(project.name)
        if not keep:
            stack.callback(shutil.rmtree, where, ignore_errors=True)
        chosen = {"database": database} if database else {}
        folder = generate(
            project, where / "project", {**defaults, **(answers or {}), **chosen}
        )
        database_url = ""
        if needs_postgresql(folder):
            database_url = postgresql().create_database(project.name)
        try:
            return stack.enter_context(
                boot(folder, server, isolated, env, database_url=database_url)
            )
        except HarnessFailure as failure:
            shown = f"{project.name}: {failure}"
            if failure.log and failure.log not in shown:
                shown += f"\n{failure.log}"
            pytest.fail(shown, pytrace=False)

    return start


def _frozen(value: Any) -> Any:
    """A hashable stand-in for call arguments (answers are a mapping)."""
    if isinstance(value, Mapping):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


def _folders(factory: pytest.TempPathFactory) -> tuple[Callable[[str], Path], bool]:
    kept = os.environ.get(KEEP_VARIABLE)
    if kept:
        return (lambda name: Path(tempfile.mkdtemp(prefix=f"{name}-", dir=kept))), True
    return factory.mktemp, False


def _postgresql(request: pytest.FixtureRequest) -> Callable[[], DatabaseServer]:
    """The session's PostgreSQL server, started on first use only."""
    return lambda: request.getfixturevalue("scaffold_postgresql")


@pytest.fixture(scope="session")
def scaffold_postgresql(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DatabaseServer]:
    """A PostgreSQL server for the session: ``.create_database(label)`` gives
    the URL of a new, empty database on it (see scaffold/harness/postgres.py)."""
    from .errors import ScaffoldError
    from .harness.postgres import given_server, throwaway_server

    url = os.environ.get("SCAFFOLD_DATABASE_URL")
    try:
        with (
            given_server(url)
            if url
            else throwaway_server(tmp_path_factory.mktemp("postgresql"))
        ) as server:
            yield server
    except ScaffoldError as error:
        if os.environ.get("CI"):
            pytest.fail(str(error), pytrace=False)
        pytest.skip(str(error))


@pytest.fixture
def scaffold_app(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[StartApp]:
    """Generate a project from answers and boot it; the server ends with the test."""
    with ExitStack() as stack:
        yield _starter(stack, *_folders(tmp_path_factory), _postgresql(request))


@pytest.fixture(scope="session")
def scaffold_app_session(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[StartApp]:
    """Like scaffold_app, but each distinct project boots once per session."""
    booted: dict[Any, RunningApp] = {}
    with ExitStack() as stack:
        start = _starter(stack, *_folders(tmp_path_factory), _postgresql(request))

        def start_once(*args: Any, **kwargs: Any) -> RunningApp:
            key = _frozen((args, kwargs))
            if key not in booted:
                booted[key] = start(*args, **kwargs)
            return booted[key]

        yield start_once
