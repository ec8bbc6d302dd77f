"""Releases as users get them: installed wheels, and projects updated offline by
scaffold and by plain Copier.

Slow: builds three wheels of scaffold from a two-release history (tests/
update_history.py): v1.0.0, a development build one untagged commit after it,
and v2.0.0. Each test installs them into a fresh virtual environment, as
`pip install --upgrade scaffold` would. scaffold's updates run with no network
(a network namespace of its own where the system allows it); plain Copier is
this environment's, with no scaffold in the way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
import yaml
from pytest_copie.plugin import Result

from .conftest import EXAMPLE_ANSWERS
from .helpers.update_history import (
    ADDED,
    GITIGNORE_V2,
    HEADING_V2,
    OWNER_NOTE,
    REMOVED,
    build_history,
    commit_all,
)

pytestmark = pytest.mark.slow

DEV = "dev"  # the wheel built from the untagged commit after v1.0.0
DEV_NOTE = "# Made by a development build of scaffold (v1.0.0-1-g"
RUN_ENV = {
    k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}
}


def offline(command: list[str]) -> list[str]:
    """``command`` with no network: `unshare -n` if allowed, else as it is."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"]).returncode == 0:
        return [unshare, "-n", *command]
    return command


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Wheels of v1.0.0, of a development build after it, and of v2.0.0."""
    tmp = tmp_path_factory.mktemp("releases")
    built: dict[str, Path] = {}

    def build_wheel(repo: Path, version: str) -> None:
        out = tmp / "wheels" / version
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps",
             "--no-build-isolation", "-q", "-w", str(out), str(repo)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        built[version] = next(out.glob("scaffold-*.whl"))

    def released(repo: Path, version: str) -> None:
        build_wheel(repo, version)
        if version == "1.0.0":  # one commit on main that bumps no version
            (repo / "NOTES.md").write_text("Work towards 2.0.0.\n")
            commit_all(repo, "Work after 1.0.0, not released")
            build_wheel(repo, DEV)

    build_history(tmp / "source", whole=True, released=released)
    return built


class Installed:
    """A fresh virtual environment where the wheels are installed in turn."""

    def __init__(self, root: Path, wheels: dict[str, Path]) -> None:
        self.root, self.wheels = root, wheels
        venv.create(root / "env", with_pip=False)
        self.python = root / "env" / "bin" / "python"
        site = subprocess.run(
            [self.python, "-c",
             "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        self.site = Path(site).resolve()
        # scaffold's dependencies come from this test environment; scaffold
        # itself only from the wheels.
        (self.site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    def install(self, version: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(self.python), "install",
             "-q", "--no-deps", "--no-index", "--upgrade", "--force-reinstall",
             str(self.wheels[version])],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip

    def scaffold(self, *args: str, cwd: Path | None = None, command=list) -> str:
        done = subprocess.run(
            command([str(self.root / "env" / "bin" / "scaffold"), *args]),
            cwd=cwd or self.root, env=RUN_ENV,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def new(self, name: str, app: str = "hello") -> Path:
        project = self.root / name
        self.scaffold(
            "new", app, str(project), "-f", "flask", "--answers", str(EXAMPLE_ANSWERS)
        )
        commit_all(project)
        return project


def copier(*args: str, cwd: Path) -> str:
    """Plain Copier, as its own command line; fails the test on a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "copier", *args],
        cwd=cwd, env=RUN_ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in out, out
    return out


def plain_update(project: Path) -> str:
    """`copier update`, which must take the project forwards, not refuse."""
    out = copier("update", "--defaults", cwd=project)
    assert "downgrad" not in out.lower(), out
    return out


def latest(project: Path) -> dict[str, object]:
    return json.loads(copier("check-update", "--output-format", "json", cwd=project))


def answers_of(project: Path) -> tuple[str, dict[str, str]]:
    text = (project / ".copier-answers.yml").read_text("utf-8")
    return text, yaml.safe_load(text)


def add_owner_note(project: Path) -> Path:
    readme = project / "README.md"
    readme.write_text(readme.read_text("utf-8") + f"\n{OWNER_NOTE}\n")
    commit_all(project, "The owner's note")
    return readme


def test_update_after_upgrading_scaffold_works_offline(wheels, tmp_path) -> None:
    installed = Installed(tmp_path, wheels)
    installed.install("1.0.0")
    assert "templates v1.0.0" in installed.scaffold("--version")
    project = installed.new("my-todo", app="todo")
    readme = add_owner_note(project)

    installed.install("2.0.0")
    assert "templates v2.0.0" in installed.scaffold("--version")
    out = installed.scaffold("update", str(project), command=offline)
    assert "v1.0.0 -> v2.0.0" in out
    text = readme.read_text("utf-8")
    assert OWNER_NOTE in text and HEADING_V2 in text and "<<<<<<<" not in text
    assert (project / ADDED).is_file() and not (project / REMOVED).exists()
    assert answers_of(project)[1]["_commit"] == "v2.0.0"


def test_plain_copier_updates_projects_made_by_a_release(
    wheels, tmp_path, copie
) -> None:
    installed = Installed(tmp_path, wheels)
    installed.install("1.0.0")
    assert "development build" not in installed.scaffold("--version")
    project, other = installed.new("site"), installed.new("other")
    text, answers = answers_of(project)
    assert answers["_commit"] == "v1.0.0" and "development build" not in text
    # The template Copier reads back: the bundle inside the installed package,
    # which `pip install --upgrade scaffold` replaces with the new release's.
    bundle = installed.site / "scaffold" / "template.bundle"
    assert answers["_src_path"] == str(bundle) and bundle.is_file()
    assert latest(project)["update_available"] is False
    readme = add_owner_note(project)

    installed.install("2.0.0")
    assert latest(project) == {
        "update_available": True,
        "current_version": "1.0.0",
        "latest_version": "2.0.0",
    }
    plain_update(project)
    text = readme.read_text("utf-8")
    assert OWNER_NOTE in text and HEADING_V2 in text and "<<<<<<<" not in text
    assert (project / ADDED).is_file() and not (project / REMOVED).exists()
    assert answers_of(project)[1]["_commit"] == "v2.0.0"
    assert latest(project)["update_available"] is False
    commit_all(project, "Updated to 2.0.0")
    # recopy renders the latest release afresh from the recorded answers.
    copier("recopy", "--defaults", "--overwrite", cwd=project)
    assert HEADING_V2 in readme.read_text("utf-8")
    assert answers_of(project)[1]["_commit"] == "v2.0.0"

    # pytest-copie, another Copier client, updates through _src_path too.
    updated = copie.update(Result(project_dir=other), vcs_ref="v2.0.0")
    assert updated.exit_code == 0, updated.exception
    assert GITIGNORE_V2 in (other / ".gitignore").read_text("utf-8")
    assert answers_of(other)[1]["_commit"] == "v2.0.0"


def test_a_development_build_says_so_and_scaffold_updates_its_projects(
    wheels, tmp_path
) -> None:
    installed = Installed(tmp_path, wheels)
    installed.install(DEV)
    version = installed.scaffold("--version")
    assert "templates v1.0.0-1-g" in version and "(development build)" in version
    project, other = installed.new("site"), installed.new("other")
    text, answers = answers_of(project)
    assert answers["_commit"].startswith("v1.0.0-1-g")
    assert DEV_NOTE in text and "`scaffold update`" in text

    # What plain Copier does with it, as docs/releasing.md says: the project is
    # newer than every release the template holds, so Copier refuses to go
    # back to v1.0.0 and changes nothing. The release check above fails here.
    with pytest.raises(AssertionError, match="Downgrades are not supported"):
        plain_update(project)
    assert not subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
    ).stdout

    installed.install("2.0.0")
    readme = add_owner_note(project)
    out = installed.scaffold("update", str(project), command=offline)
    assert "-> v2.0.0" in out
    text, answers = answers_of(project)
    assert answers["_commit"] == "v2.0.0" and "development build" not in text
    assert OWNER_NOTE in readme.read_text("utf-8")
    assert HEADING_V2 in readme.read_text("utf-8")
    # With a release newer than the build installed, plain Copier goes
    # forwards too: the build's commit is on main, in the release's history.
    plain_update(other)
    text, answers = answers_of(other)
    assert answers["_commit"] == "v2.0.0" and "development build" not in text
