"""pytest plugin: generate a scaffold project and serve it in your own tests.

Installed with scaffold (entry point ``pytest11``), it gives the fixture
``scaffold_server``: call it with an app, a framework and answers, and it
generates the project into a temporary folder, starts it under gunicorn (or
the development server) with the harness's machinery, and returns the base
URL. Every server is stopped when the test ends::

    def test_home_shows_the_name(scaffold_server):
        url = scaffold_server("website", "django", {"project_name": "Demo"})
        assert "Demo" in requests.get(url + "/").text

Answers not given come from scaffold's example answers. ``database=
"postgresql"`` makes a to-do that keeps its data in PostgreSQL: it gets a
database of its own on one server for the whole test session, the one at
``SCAFFOLD_DATABASE_URL`` if set, else a throwaway server started from the
PostgreSQL binaries on the machine (the test is skipped, with how to install
them, if there are none; it fails instead when ``CI`` is set).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import pytest


class StartServer(Protocol):
    def __call__(
        self,
        app: str,
        framework: str,
        answers: Mapping[str, str] | None = None,
        *,
        server: str = "gunicorn",
        isolated: bool = False,
        database: str | None = None,
    ) -> str: ...


@pytest.fixture(scope="session")
def scaffold_postgresql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A PostgreSQL server for the session: ``.create_database(label)`` gives
    the URL of a new, empty database on it (see scaffold/postgres.py)."""
    import os

    from .errors import ScaffoldError
    from .postgres import given_server, throwaway_server

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
def scaffold_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[StartServer]:
    """Generate a project from answers and return the base URL of its server."""
    # Imported here, so merely having scaffold installed costs pytest nothing.
    from .answers import read_answers_file
    from .catalog import example_answers_file, find_project
    from .checks import load_plan
    from .environments import EnvironmentFailed, environment_for
    from .generate import generate
    from .harness import serve
    from .postgres import needs_postgresql
    from .servers import ServerFailed, Servers

    defaults = read_answers_file(example_answers_file())

    with Servers() as servers:

        def start(
            app: str,
            framework: str,
            answers: Mapping[str, str] | None = None,
            *,
            server: str = "gunicorn",
            isolated: bool = False,
            database: str | None = None,
        ) -> str:
            project = find_project(app, framework)
            where = tmp_path_factory.mktemp(project.name)
            folder = where / "project"
            chosen = {"database": database} if database else {}
            generate(project, folder, {**defaults, **(answers or {}), **chosen})
            database_url = ""
            if needs_postgresql(folder):
                postgresql = request.getfixturevalue("scaffold_postgresql")
                database_url = postgresql.create_database(project.name)
            plan = load_plan(folder, where / "data", database_url)
            try:
                environment = environment_for(
                    plan.dependencies,
                    isolated=isolated,
                    parent=where,
                    cancel=servers.cancel,
                )
                return serve(plan, servers, server, environment).url
            except EnvironmentFailed as error:
                pytest.fail(f"{project.name}: {error}", pytrace=False)
            except ServerFailed as error:
                pytest.fail(f"{project.name}: {error}\n{error.log}", pytrace=False)

        yield start
