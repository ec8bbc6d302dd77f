"""The to-do flows in headless Chromium on PostgreSQL: both to-dos made with
`database: postgresql`, booted by scaffold.boot on a database of the session's
server (the plugin's `scaffold_postgresql`: skipped without PostgreSQL's
binaries on a developer's machine, failed in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import psycopg
import pytest

from scaffold.generation.catalog import FRAMEWORKS, find_project
from scaffold.generation.generate import generate

from ..helpers.serving import start
from .test_todo_flows import flows_with_the_mouse, titles

# Where each framework keeps the todos: Django prefixes the app's name.
TABLES = {"flask": "todo", "django": "todos_todo"}


@pytest.fixture(scope="module")
def on_postgresql(
    example_answers: dict[str, str],
    scaffold_postgresql: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, tuple[str, str]]]:
    """framework -> (base URL, database URL) of its to-do on PostgreSQL."""
    answers = {**example_answers, "database": "postgresql"}
    dest = tmp_path_factory.mktemp("browser-postgresql")
    with ExitStack() as stack:
        served = {}
        for framework in FRAMEWORKS:
            name = f"{framework}-todo-postgresql"
            folder = generate(find_project("todo", framework), dest / name, answers)
            url = scaffold_postgresql.create_database(f"browser-{framework}")
            app = start(stack, folder, name, None, url)
            served[framework] = (app.url, url)
        yield served


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_flows_with_the_mouse_on_postgresql(
    chromium: Any, on_postgresql: dict[str, tuple[str, str]], framework: str
) -> None:
    base, database = on_postgresql[framework]
    context = chromium.new_context(base_url=base)
    page = context.new_page()
    page.goto("/")
    flows_with_the_mouse(page)
    shown = titles(page)
    context.close()
    # What the browser showed is what PostgreSQL holds.
    with psycopg.connect(database) as connection:
        rows = connection.execute(f"SELECT title FROM {TABLES[framework]}").fetchall()
    assert [title for (title,) in rows] == shown == ["Buy oat milk"]
