"""Many clients adding at once: gunicorn's workers share one SQLite file."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import psutil

from .conftest import Browser, TodoApp

CLIENTS = 8
ADDS = 50


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


def test_concurrent_adds_are_all_stored(todo_app: TodoApp):
    assert todo_app.server is not None
    workers = psutil.Process(todo_app.server.pid).children()
    assert len(workers) >= 2, "gunicorn should run at least two worker processes"

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(add_many, [todo_app.url] * CLIENTS, range(CLIENTS)))

    statuses = [status for result in results for status in result]
    assert len(statuses) == CLIENTS * ADDS
    assert not [s for s in statuses if s >= 500], "no add may fail on the server"
    assert set(statuses) <= {302, 303}, f"every add redirects: {set(statuses)}"
    titles = [todo.title for todo in todo_app.browser().get("/").todos()]
    expected = {f"client {c} todo {n}" for c in range(CLIENTS) for n in range(ADDS)}
    assert len(titles) == CLIENTS * ADDS
    assert set(titles) == expected
    # Each client's todos keep the order it added them in.
    for client in range(CLIENTS):
        mine = [t for t in titles if t.startswith(f"client {client} ")]
        assert mine == [f"client {client} todo {n}" for n in range(ADDS)]
