"""Shared fixtures: answer sets, isolated Copier settings, generated projects."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from scaffold.cli import main
from scaffold.generation.catalog import PROJECTS
from scaffold.generation.generate import generate_all

pytest_plugins = ["pytester"]  # to run the scaffold_app fixture in a test run

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_ANSWERS = REPO / "examples" / "answers.yml"
PROBE = Path(__file__).resolve().parent / "helpers" / "probe.py"

# Every kind of text that must survive into Python, TOML, HTML and Markdown.
HOSTILE = {
    "project_name": (
        "Zoë's \"Quoted\" <script>alert('x')</script> & {{ 7 * 7 }} {% now %} "
        "C:\\new\\table — 日本語 "
    ).ljust(200, "é"),
    "project_slug": "zoe_site",
    "author_name": 'O\'Brien "Ace" <b>Bold</b> \\ & Søren *star* [x](y)',
    "author_email": "o'brien+test@example.com",
    "description": ("Tags <i>like</i> & 'quotes' \"double\" \\back\\ `code` ").ljust(
        200, "x"
    ),
}


@pytest.fixture(autouse=True, scope="session")
def isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep a developer's own Copier settings file out of every test."""
    settings = tmp_path_factory.mktemp("copier") / "settings.yml"
    settings.write_text("{}\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COPIER_SETTINGS_PATH", str(settings))
        # Keep generated projects free of __pycache__ when tests import them.
        patch.setenv("PYTHONDONTWRITEBYTECODE", "1")
        yield


@pytest.fixture(scope="session")
def example_answers() -> dict[str, str]:
    return yaml.safe_load(EXAMPLE_ANSWERS.read_text("utf-8"))


@pytest.fixture(scope="session")
def generated(
    tmp_path_factory: pytest.TempPathFactory, example_answers: dict[str, str]
) -> dict[str, Path]:
    """Every project, generated once with the example answers."""
    dest = tmp_path_factory.mktemp("example") / "projects"
    generate_all(dest, example_answers)
    return {p.name: dest / p.name for p in PROJECTS}


@pytest.fixture(scope="session")
def generated_hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every project, generated once with the hostile answers."""
    dest = tmp_path_factory.mktemp("hostile") / "projects"
    generate_all(dest, HOSTILE)
    return {p.name: dest / p.name for p in PROJECTS}


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder other users may enter, outside pytest's (which is
    closed to them): run as root, the harness runs the projects as nobody,
    so TMPDIR must be reachable by it (see scaffold/harness/unprivileged.py)."""
    folder = Path(tempfile.mkdtemp(prefix="scaffold-test-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run the scaffold CLI in-process: cli("new", "hello", ...) -> Result."""

    def run(*args: str | Path) -> Result:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def probe(project: Path, *paths: str) -> dict[str, dict]:
    """GET paths through the project's test client, in a fresh interpreter."""
    completed = subprocess.run(
        [sys.executable, str(PROBE), str(project), *paths],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return {item["path"]: item for item in json.loads(completed.stdout)}


class Page(HTMLParser):
    """What a reader sees on a page: texts per tag, links, elements found."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.stylesheets: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append(tag)
        if tag == "a" and found.get("href"):
            self.links.append(found["href"])
        if tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets.append(found["href"])
        if tag not in {"meta", "link", "br", "img", "input"}:
            self._open.append(tag)
            self.texts.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        for tag in set(self._open):
            self.texts[tag][-1] += data

    def text(self, tag: str) -> list[str]:
        return [" ".join(t.split()) for t in self.texts.get(tag, [])]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: installs generated projects in fresh virtual environments"
    )
