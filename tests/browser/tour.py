"""Walk pages in one browser tab and audit each: what the page checks read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .checkers import axe_violations


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
