"""Many clients adding at once: gunicorn's workers share one SQLite file, or
one PostgreSQL database (more clients and workers: a server takes them)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from scaffold.generation.catalog import FRAMEWORKS

from .conftest import Browser, TodoApp, fresh_database, serve_todo

CLIENTS = 8
ADDS = 50
# On PostgreSQL: 16 clients against gunicorn with 4 workers.
POSTGRESQL_CLIENTS = 16
POSTGRESQL_WORKERS = 4


@pytest.fixture(params=FRAMEWORKS)
def todo_app_on_postgresql(
    request: pytest.FixtureRequest,
    generated_todos: dict[tuple[str, str], Path],
) -> Iterator[TodoApp]:
    project = generated_todos[request.param, "postgresql"]
    url = fresh_database(request, "postgresql")
    with serve_todo(project, url, workers=POSTGRESQL_WORKERS) as app:
        yield app


def add_many(base_url: str, client: int) -> list[int]:
    """One client: load the page once, then submit the add form ADDS times."""
    browser = Browser(base_url)
    page = browser.get("/")
    fields = browser.fields(page.one("form.new-todo"))
    statuses = []
    for n in range(ADDS):
        response = browser.session.post(
            f"{base_url}/todos/",
            data={**fields, "title": f"client {client} todo {n}"},
            allow_redirects=False,
            timeout=30,
        )
        statuses.append(response.status_code)
    return statuses


def check_concurrent_adds(todo_app: TodoApp, clients: int, workers: int) -> None:
    assert todo_app.server is not None
    # gunicorn forks its workers a moment apart (up to 0.1 s each), and the
    # first may answer before the last exists.
    master = psutil.Process(todo_app.server.pid)
    deadline = time.monotonic() + 10
    while len(master.children()) < workers and time.monotonic() < deadline:
        time.sleep(0.05)
    running = master.children()
    assert len(running) >= workers, f"gunicorn should run {workers} worker processes"

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(add_many, [todo_app.url] * clients, range(clients)))

    statuses = [status for result in results for status in result]
    assert len(statuses) == clients * ADDS
    assert not [s for s in statuses if s >= 500], "no add may fail on the server"
    assert set(statuses) <= {302, 303}, f"every add redirects: {set(statuses)}"
    titles = [todo.title for todo in todo_app.browser().every_todo("/")]
    expected = {f"client {c} todo {n}" for c in range(clients) for n in range(ADDS)}
    assert len(titles) == clients * ADDS
    assert set(titles) == expected
    # Each client's todos keep the order it added them in.
    for client in range(clients):
        mine = [t for t in titles if t.startswith(f"client {client} ")]
        assert mine == [f"client {client} todo {n}" for n in range(ADDS)]


def test_concurrent_adds_are_all_stored(todo_app: TodoApp):
    check_concurrent_adds(todo_app, CLIENTS, workers=2)


def test_16_clients_and_4_workers_on_postgresql(todo_app_on_postgresql: TodoApp):
    check_concurrent_adds(
        todo_app_on_postgresql, POSTGRESQL_CLIENTS, POSTGRESQL_WORKERS
    )
