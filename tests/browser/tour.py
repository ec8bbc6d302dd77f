"""Walk pages in one browser tab and audit each: what the page checks read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from bs4 import BeautifulSoup

from .checkers import axe_violations, vnu_errors


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

    def send(self, name: str, fields: dict[str, str]) -> None:
        """Fill in a form's fields (by id) and press Enter in the last one."""
        for selector, text in fields.items():
            self.page.fill(selector, text)
        self.record(name, lambda: self.page.press(selector, "Enter"))


def visit_every_app(
    chromium: Any, served: dict[str, str], walk: Callable[[Tour, str, str], None]
) -> dict[str, Visit]:
    """``walk(tour, app, base_url)`` each served app in a fresh browser context
    (no cookies shared): every page visited, by name."""
    visits: dict[str, Visit] = {}
    for app, base in served.items():
        context = chromium.new_context()
        tour = Tour(context.new_page())
        walk(tour, app, base)
        visits.update(tour.visits)
        context.close()
    return visits


def layout_names(source: str) -> tuple[str, str, str]:
    """What the layout shows as the site's name and description: the title's
    end (after " · "), the header's link and the meta description."""
    page = BeautifulSoup(source, "html.parser")
    title = page.title.get_text().rpartition(" · ")[2]
    header = page.find(class_="site-name").get_text(strip=True)
    description = page.find("meta", attrs={"name": "description"})["content"]
    return title, header, description


def audit_tests(pages: list[str]) -> tuple[Callable[..., None], ...]:
    """The checks every toured page gets, as tests of the module that calls
    this with its page names (its `tour` fixture visits them)."""

    @pytest.mark.parametrize("name", pages)
    def test_axe_finds_no_violation(tour: dict[str, Visit], name: str) -> None:
        assert tour[name].violations == []

    @pytest.mark.parametrize("name", pages)
    def test_no_request_of_the_page_fails(tour: dict[str, Visit], name: str) -> None:
        # e.g. a missing /favicon.ico: Chrome asks for it unless a page links one.
        assert tour[name].failed_requests == []

    def test_vnu_finds_no_html_error(tour: dict[str, Visit]) -> None:
        errors = vnu_errors({name: visit.source for name, visit in tour.items()})
        assert {name: found for name, found in errors.items() if found} == {}

    @pytest.mark.parametrize("name", pages)
    def test_the_layout_shows_the_project_name(
        tour: dict[str, Visit], name: str, example_answers: dict
    ) -> None:
        # Django's LoginView once hid the project's name behind the host's.
        project, description = (
            example_answers["project_name"],
            example_answers["description"],
        )
        assert layout_names(tour[name].source) == (project, project, description)

    return (
        test_axe_finds_no_violation,
        test_no_request_of_the_page_fails,
        test_vnu_finds_no_html_error,
        test_the_layout_shows_the_project_name,
    )
