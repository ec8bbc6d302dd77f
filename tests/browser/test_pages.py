"""Every page of the websites and to-dos, in every state a user can reach
(including error pages and refused forms), in headless Chromium: axe-core finds
0 violations, the Nu HTML Checker 0 errors, and no request on it fails.

The Hello projects are left out on purpose: their page is one HTML fragment,
like the frameworks' own quickstarts (see their README).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from .checkers import axe_violations, vnu_errors

WEBSITE_PAGES = ["/", "/about/", "/no-such-page/"]


@dataclass
class Visit:
    """One page as the browser got it: its source, and what axe found."""

    status: int
    source: str
    violations: list[str]
    failed_requests: list[str] = field(default_factory=list)


class Tour:
    """Walks pages in one browser tab, auditing each with axe-core."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.visits: dict[str, Visit] = {}
        self.failed: list[str] = []
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.request.resource_type != "document"
                and self.failed.append(f"{r.status} {r.url}")
            ),
        )

    def record(self, name: str, navigate: Callable[[], Any]) -> None:
        self.failed.clear()
        if callable(navigate):
            with self.page.expect_navigation() as navigation:
                navigate()
            response = navigation.value
        self.page.wait_for_load_state("load")
        self.visits[name] = Visit(
            response.status,
            response.text(),
            axe_violations(self.page),
            list(self.failed),
        )

    def goto(self, name: str, url: str) -> None:
        self.record(name, lambda: self.page.goto(url))

    def submit(self, name: str, text: str) -> None:
        """Type into the page's title field and press Enter."""
        self.page.fill("#id_title", text)
        self.record(name, lambda: self.page.press("#id_title", "Enter"))


def walk_todo(tour: Tour, app: str, base: str) -> None:
    page = tour.page
    tour.goto(f"{app} empty list", base + "/")
    tour.submit(f"{app} refused add", "   ")
    tour.goto(f"{app} list", base + "/")
    tour.submit(f"{app} list", "Buy milk")
    tour.submit(f"{app} list", "Walk the <dog>")
    tour.record(
        f"{app} list",
        lambda: page.click("button[aria-label^='Mark as complete: Buy milk']"),
    )
    tour.goto(f"{app} active", base + "/active/")
    tour.goto(f"{app} completed", base + "/completed/")
    tour.goto(f"{app} list", base + "/")
    tour.record(f"{app} edit", lambda: page.click("a.edit >> nth=0"))
    tour.submit(f"{app} refused edit", "   ")
    tour.goto(f"{app} 404", base + "/no-such-page/")
    tour.goto(f"{app} 405", base + "/todos/")
    # A form whose CSRF cookie is gone (e.g. expired): refused, 400 or 403.
    tour.goto(f"{app} list", base + "/")
    page.context.clear_cookies()
    tour.submit(f"{app} form refused", "no token")


@pytest.fixture(scope="module")
def tour(chromium: Any, served: dict[str, str]) -> Iterator[dict[str, Visit]]:
    """Every page, visited once: name -> Visit."""
    visits: dict[str, Visit] = {}
    for app, base in served.items():
        context = chromium.new_context()
        walk = Tour(context.new_page())
        if "website" in app:
            for path in WEBSITE_PAGES:
                walk.goto(f"{app} {path}", base + path)
        else:
            walk_todo(walk, app, base)
        visits.update(walk.visits)
        context.close()
    yield visits


WEBSITES = ("flask-website", "django-website")
PAGES = [f"{app} {path}" for app in WEBSITES for path in WEBSITE_PAGES] + [
    f"{app} {state}"
    for app in ("flask-todo", "django-todo")
    for state in (
        "empty list", "refused add", "list", "active", "completed", "edit",
        "refused edit", "404", "405", "form refused",
    )
]  # fmt: skip


def test_every_state_was_reached(tour: dict[str, Visit]) -> None:
    assert sorted(tour) == sorted(PAGES)
    statuses = {name: visit.status for name, visit in tour.items()}
    assert (
        statuses["flask-todo refused add"] == statuses["django-todo refused add"] == 400
    )
    assert statuses["flask-todo 405"] == statuses["django-todo 405"] == 405
    assert statuses["flask-todo form refused"] == 400
    assert statuses["django-todo form refused"] == 403


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violation(tour: dict[str, Visit], name: str) -> None:
    assert tour[name].violations == []


@pytest.mark.parametrize("name", PAGES)
def test_no_request_of_the_page_fails(tour: dict[str, Visit], name: str) -> None:
    # e.g. a missing /favicon.ico: Chrome asks for it unless a page links one.
    assert tour[name].failed_requests == []


def test_vnu_finds_no_html_error(tour: dict[str, Visit]) -> None:
    errors = vnu_errors({name: visit.source for name, visit in tour.items()})
    assert {name: found for name, found in errors.items() if found} == {}


# Each checker can fail: fed a page with a known fault, it reports it.
def test_axe_catches_poor_contrast(chromium: Any) -> None:
    page = chromium.new_page()
    page.set_content(
        '<!DOCTYPE html><html lang="en"><title>t</title><main><h1>Todos</h1>'
        '<p style="color:#aaa">completed, in light grey</p></main></html>'
    )
    found = axe_violations(page)
    page.close()
    assert [line.split()[0] for line in found] == ["color-contrast"]


def test_vnu_catches_invalid_html() -> None:
    errors = vnu_errors({
        "valid": '<!DOCTYPE html><html lang="en"><title>t</title><p>ok</p></html>',
        "invalid": '<!DOCTYPE html><html lang="en"><title>t</title><ul><p>no</ul>',
    })  # fmt: skip
    assert errors["valid"] == []
    assert errors["invalid"]
