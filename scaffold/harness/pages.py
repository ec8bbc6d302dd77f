"""Check a running project's pages: every declared page answers as its
harness.yml says, and every same-site link, stylesheet, script and image found
on them answers below 400. With a declared login, the pages are checked as
that logged-in user.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import urldefrag, urljoin, urlsplit

import requests

from .plan import PageCheck, Plan

REQUEST_TIMEOUT = 10.0


@dataclass
class Outcome:
    """One checked request (or the server start): what was asked, what came."""

    check: str  # e.g. "GET /about/"
    url: str = ""
    status: int | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    source: str = ""  # where a followed link was found, e.g. "linked from /"

    @property
    def ok(self) -> bool:
        return not self.problems


class _PageParser(HTMLParser):
    """The visible text of a page and the URLs it links to or loads."""

    _URL_ATTRIBUTES: ClassVar = {
        "a": "href",
        "link": "href",
        "script": "src",
        "img": "src",
    }

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._text: list[str] = []
        self._hidden = 0
        self.feed(html)
        self.close()

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attribute = self._URL_ATTRIBUTES.get(tag)
        value = dict(attrs).get(attribute) if attribute else None
        if value and value.strip():
            self.urls.append(value.strip())
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._text.append(data)


def same_site_urls(base: str, page_url: str, html: str) -> list[str]:
    """Absolute same-site URLs found on a page, without fragments."""
    origin = urlsplit(base).netloc
    found = []
    for raw in _PageParser(html).urls:
        url = urldefrag(urljoin(page_url, raw)).url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc == origin:
            found.append(url)
    return found


def _problems(page: PageCheck, response: requests.Response) -> list[str]:
    """How a response differs from what the page declares."""
    problems = []
    if response.status_code != page.status:
        problems.append(f"expected status {page.status}, got {response.status_code}")
    content_type = response.headers.get("Content-Type", "")
    if page.content_type and not content_type.startswith(page.content_type):
        problems.append(
            f"expected Content-Type {page.content_type}, got {content_type or 'none'}"
        )
    if page.text and not problems:  # a wrong page shows the wrong text anyway
        is_html = content_type.startswith("text/html")
        shown = _PageParser(response.text).text if is_html else response.text
        for text in page.text:
            expected = " ".join(text.split())
            if expected not in shown:
                problems.append(f"expected the page to show {_short(expected)!r}")
    return problems


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _get(
    url: str, session: requests.Session, *, follow: bool
) -> tuple[Outcome, requests.Response | None]:
    """GET one URL; a connection error is a failed outcome, not an exception."""
    outcome = Outcome(f"GET {urlsplit(url).path or '/'}", url)
    started = time.perf_counter()
    try:
        response = session.get(url, timeout=REQUEST_TIMEOUT, allow_redirects=follow)
    except requests.RequestException as error:
        outcome.problems.append(f"no answer ({type(error).__name__}): is it running?")
        return outcome, None
    finally:
        outcome.seconds = time.perf_counter() - started
    outcome.status = response.status_code
    return outcome, response


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (a form's CSRF token), by name."""
    found: dict[str, str] = {}

    class Inputs(HTMLParser):
        def handle_starttag(
            self, tag: str, attrs: list[tuple[str, str | None]]
        ) -> None:
            values = dict(attrs)
            if tag == "input" and values.get("type") == "hidden" and values.get("name"):
                found[str(values["name"])] = values.get("value") or ""

    Inputs(convert_charrefs=True).feed(html)
    return found


def log_in(plan: Plan, base_url: str, session: requests.Session) -> Outcome:
    """Fill in and post the plan's log-in form; a redirect means it worked."""
    assert plan.login is not None
    url = base_url + plan.login.path
    outcome, page = _get(url, session, follow=False)
    outcome.check = f"log in at {plan.login.path}"
    if page is None:
        return outcome
    data = {**hidden_fields(page.text), **plan.login.fields}
    try:
        response = session.post(
            url, data=data, timeout=REQUEST_TIMEOUT, allow_redirects=False
        )
    except requests.RequestException as error:
        outcome.problems.append(f"no answer ({type(error).__name__}): is it running?")
        return outcome
    outcome.status = response.status_code
    if response.status_code not in (302, 303):
        outcome.problems.append(
            f"expected a redirect after logging in, got {response.status_code}"
        )
    return outcome


def check_pages(plan: Plan, base_url: str) -> list[Outcome]:
    """Request every declared page, then every same-site URL found on them.

    With a declared login, the harness logs in first and checks the pages as
    that user.
    """
    outcomes = []
    links: dict[str, str] = {}  # url -> the page it was first found on
    with requests.Session() as session:
        if plan.login:
            outcomes.append(log_in(plan, base_url, session))
        for page in plan.pages:
            outcome, response = _get(base_url + page.path, session, follow=False)
            if response is not None:
                outcome.problems += _problems(page, response)
                if response.headers.get("Content-Type", "").startswith("text/html"):
                    for url in same_site_urls(base_url, outcome.url, response.text):
                        links.setdefault(url, page.path)
            outcomes.append(outcome)
        declared = {base_url + page.path for page in plan.pages}
        for url, found_on in links.items():
            if url in declared:
                continue
            # Follow redirects: a link is fine if it ends on a page that exists.
            outcome, _ = _get(url, session, follow=True)
            outcome.source = f"linked from {found_on}"
            if outcome.status is not None and outcome.status >= 400:
                outcome.problems.append(f"expected status < 400, got {outcome.status}")
            outcomes.append(outcome)
    return outcomes


def check_health(base_url: str, path: str) -> Outcome:
    """The health endpoint a platform polls: 200 and ``{"status": "ok"}``."""
    with requests.Session() as session:
        outcome, response = _get(base_url + path, session, follow=False)
    outcome.check = f"health {path}"
    if response is None:
        return outcome
    if response.status_code != 200:
        outcome.problems.append(f"expected status 200, got {response.status_code}")
    else:
        try:
            status = response.json().get("status")
        except (ValueError, AttributeError):
            status = None
        if status != "ok":
            outcome.problems.append(
                f'expected {{"status": "ok"}}, got {response.text[:60]!r}'
            )
    return outcome
