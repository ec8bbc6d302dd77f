"""The to-do acceptance suite: both apps, booted under gunicorn, driven over HTTP.

A test gets `todo_app`, parametrised over the two frameworks: the generated
to-do project, prepared (migrated) and served by `scaffold.boot` on a fresh
database. It talks to it only through `Browser`, which reads pages and forms
from the HTML and submits them with their hidden fields, as a browser does.
Nothing here depends on the framework except which project is generated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup, Tag

from scaffold import HarnessFailure, RunningApp, boot
from scaffold.generation.catalog import FRAMEWORKS, project_name

TIMEOUT = 10


@dataclass(frozen=True)
class Todo:
    id: str
    title: str
    completed: bool


class Page:
    """A response and its parsed HTML."""

    def __init__(self, response: requests.Response) -> None:
        self.response = response
        self.status = response.status_code
        self.path = urlsplit(response.url).path
        self.html = response.text
        self.soup = BeautifulSoup(response.text, "html.parser")

    @property
    def redirected(self) -> bool:
        """Whether the answer came after a redirect (POST -> redirect -> GET)."""
        return bool(self.response.history) and all(
            r.status_code in (302, 303) for r in self.response.history
        )

    def one(self, selector: str) -> Tag:
        found = self.soup.select(selector)
        assert len(found) == 1, f"expected one {selector!r} on {self.path}, got {found}"
        return found[0]

    def has(self, selector: str) -> bool:
        return bool(self.soup.select(selector))

    def text(self, selector: str) -> str:
        return " ".join(self.one(selector).get_text(" ").split())

    def todos(self) -> list[Todo]:
        return [
            Todo(
                li["data-id"],
                li.select_one(".title").get_text(),
                "completed" in li["class"],
            )
            for li in self.soup.select("li.todo")
        ]

    def todo(self, title: str) -> Todo:
        matches = [todo for todo in self.todos() if todo.title == title]
        assert len(matches) == 1, f"expected one todo {title!r}, got {self.todos()}"
        return matches[0]


class Browser:
    """A cookie-keeping HTTP client that fills in and submits HTML forms."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def get(self, path: str) -> Page:
        return Page(self.session.get(self.base_url + path, timeout=TIMEOUT))

    @staticmethod
    def fields(form: Tag) -> dict[str, str]:
        """The values a browser would send: every named input, as filled in."""
        return {
            field["name"]: field.get("value", "")
            for field in form.select("input[name], textarea[name]")
        }

    def submit(self, page: Page, selector: str, **values: str) -> Page:
        """Submit the form matching ``selector`` on ``page``, with ``values``
        typed into its fields, and follow the redirect like a browser."""
        form = page.one(selector)
        data = {**self.fields(form), **values}
        action = urljoin(page.response.url, form.get("action") or "")
        method = str(form.get("method", "get")).lower()
        assert method == "post", f"{selector} on {page.path} is not a POST form"
        return Page(self.session.post(action, data=data, timeout=TIMEOUT))

    def add(self, *titles: str, on: str = "/") -> Page:
        page = self.get(on)
        for title in titles:
            page = self.submit(page, "form.new-todo", title=title)
        return page

    def on_todo(self, page: Page, title: str, form: str) -> Page:
        """Submit one todo's own form (toggle or delete)."""
        todo = page.todo(title)
        return self.submit(page, f'li.todo[data-id="{todo.id}"] form.{form}')


class TodoApp:
    """A generated to-do project booted by `scaffold.boot`, with its own database."""

    def __init__(self, server: RunningApp) -> None:
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    def restart(self) -> None:
        """Stop the server (every process) and start it again on the same data."""
        self.server.restart()

    def browser(self) -> Browser:
        return Browser(self.url)


@contextmanager
def serve_todo(folder: Path) -> Iterator[TodoApp]:
    """Boot a generated to-do project; a server that fails fails the test."""
    try:
        with boot(folder) as server:
            yield TodoApp(server)
    except HarnessFailure as failure:
        pytest.fail(f"{folder.name}: {failure}\n{failure.log}", pytrace=False)


@pytest.fixture(params=FRAMEWORKS)
def todo_app(
    request: pytest.FixtureRequest, generated: dict[str, Path]
) -> Iterator[TodoApp]:
    with serve_todo(generated[project_name(request.param, "todo")]) as app:
        yield app


@pytest.fixture
def browser(todo_app: TodoApp) -> Browser:
    return todo_app.browser()
