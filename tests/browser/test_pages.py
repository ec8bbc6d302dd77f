"""Every page of the websites and to-dos, in every state a user can reach
(including error pages and refused forms), in headless Chromium: axe-core finds
0 violations, the Nu HTML Checker 0 errors, and no request on it fails.

The Hello projects are left out on purpose: their page is one HTML fragment,
like the frameworks' own quickstarts (see their README).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .checkers import axe_violations, vnu_errors
from .tour import Tour, Visit, audit_tests, visit_every_app

WEBSITE_PAGES = ["/", "/about/", "/no-such-page/"]


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
    yield visit_every_app(chromium, served, walk_app)


def walk_app(tour: Tour, app: str, base: str) -> None:
    if "website" in app:
        for path in WEBSITE_PAGES:
            tour.goto(f"{app} {path}", base + path)
    else:
        walk_todo(tour, app, base)


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


# axe-core, failed requests, the Nu HTML Checker and the project's name in the
# layout, on every page above.
(
    test_axe_finds_no_violation,
    test_no_request_of_the_page_fails,
    test_vnu_finds_no_html_error,
    test_the_layout_shows_the_project_name,
) = audit_tests(PAGES)


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
