"""pytest plugin: generate a scaffold project and serve it in your own tests.

Installed with scaffold (entry point ``pytest11``), it gives the fixture
``scaffold_server``: call it with an app, a framework and answers, and it
generates the project into a temporary folder, starts it under gunicorn (or
the development server) with the harness's machinery, and returns the base
URL. Every server is stopped when the test ends::

    def test_home_shows_the_name(scaffold_server):
        url = scaffold_server("website", "django", {"project_name": "Demo"})
        assert "Demo" in requests.get(url + "/").text

Answers not given come from scaffold's example answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

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
    ) -> str: ...


@pytest.fixture
def scaffold_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartServer]:
    """Generate a project from answers and return the base URL of its server."""
    # Imported here, so merely having scaffold installed costs pytest nothing.
    from .generation.answers import read_answers_file
    from .generation.catalog import example_answers_file, find_project
    from .generation.generate import generate
    from .harness.environments import EnvironmentFailed, environment_for
    from .harness.plan import load_plan
    from .harness.run import serve
    from .harness.servers import ServerFailed, Servers

    defaults = read_answers_file(example_answers_file())

    with Servers() as servers:

        def start(
            app: str,
            framework: str,
            answers: Mapping[str, str] | None = None,
            *,
            server: str = "gunicorn",
            isolated: bool = False,
        ) -> str:
            project = find_project(app, framework)
            where = tmp_path_factory.mktemp(project.name)
            folder = where / "project"
            generate(project, folder, {**defaults, **(answers or {})})
            plan = load_plan(folder, where / "data")
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
