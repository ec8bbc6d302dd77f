"""The path a user lives: install A, generate, commit, edit; install B; update offline.

Slow: builds two wheels of scaffold from a two-release history (tests/
update_history.py) and installs them into a fresh virtual environment, as
`pip install --upgrade scaffold` would. The update runs with no network
(a network namespace of its own where the system allows it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
import yaml

from .conftest import EXAMPLE_ANSWERS
from .update_history import (
    ADDED,
    HEADING_V2,
    OWNER_NOTE,
    REMOVED,
    build_history,
    commit_all,
)

pytestmark = pytest.mark.slow


def offline(command: list[str]) -> list[str]:
    """``command`` with no network: `unshare -n` if allowed, else as it is."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"]).returncode == 0:
        return [unshare, "-n", *command]
    return command


def test_update_after_upgrading_scaffold_works_offline(tmp_path: Path) -> None:
    wheels: dict[str, Path] = {}

    def build_wheel(repo: Path, version: str) -> None:
        out = tmp_path / "wheels" / version
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps",
             "--no-build-isolation", "-q", "-w", str(out), str(repo)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        wheels[version] = next(out.glob("scaffold-*.whl"))

    build_history(tmp_path / "source", whole=True, released=build_wheel)

    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # scaffold's dependencies come from this test environment; scaffold itself
    # only from the wheels.
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    def install(version: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install",
             "-q", "--no-deps", "--no-index", "--upgrade", str(wheels[version])],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip

    run_env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}
    }
    scaffold = str(env / "bin" / "scaffold")

    def run(*args: str, cwd: Path = tmp_path, command=list) -> str:
        done = subprocess.run(
            command([scaffold, *args]),
            cwd=cwd, env=run_env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    install("1.0.0")
    assert "templates v1.0.0" in run("--version")
    project = tmp_path / "my-todo"
    run("new", "todo", str(project), "-f", "django", "--answers", str(EXAMPLE_ANSWERS))
    commit_all(project)
    readme = project / "README.md"
    readme.write_text(readme.read_text("utf-8") + f"\n{OWNER_NOTE}\n")
    commit_all(project, "The owner's note")

    install("2.0.0")
    assert "templates v2.0.0" in run("--version")
    out = run("update", str(project), command=offline)
    assert "v1.0.0 -> v2.0.0" in out
    text = readme.read_text("utf-8")
    assert OWNER_NOTE in text and HEADING_V2 in text and "<<<<<<<" not in text
    assert (project / ADDED).is_file() and not (project / REMOVED).exists()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert answers["_commit"] == "v2.0.0"
