"""scaffold ships its templates, and Copier alone can render them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scaffold import __version__
from scaffold.generation.catalog import PROJECTS, templates_root
from scaffold.generation.template_source import config_file

from .conftest import EXAMPLE_ANSWERS, REPO
from .test_projects import DEV_KEY


def template_files() -> set[str]:
    root = REPO / "templates"
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("scaffold-*.whl"))


def test_wheel_carries_every_template_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.removeprefix("scaffold/templates/") for n in names}
    missing = template_files() - shipped
    assert not missing
    assert "scaffold/cli.py" in names


def test_wheel_carries_example_answers_and_the_pytest_plugin(wheel: Path) -> None:
    # `scaffold smoke` uses the example answers when given none.
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    assert "scaffold/examples/answers.yml" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = archive.read(entry_points).decode()
    assert "[pytest11]\nscaffold = scaffold.pytest_plugin" in text


def test_wheel_carries_the_walkthrough_data(wheel: Path) -> None:
    # `scaffold compare` reads these beside its code.
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("concepts.yml", "notes.yml", "walkthrough.html.jinja"):
        assert f"scaffold/compare/{name}" in names


def test_wheel_says_the_package_is_typed(wheel: Path) -> None:
    # PEP 561: mypy checks users' calls to scaffold's API with its hints.
    assert "scaffold/py.typed" in zipfile.ZipFile(wheel).namelist()


def deptry(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deptry", "--no-ansi", "scaffold",
         "--config", str(config)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_every_import_is_declared_and_nothing_declared_unused(tmp_path: Path) -> None:
    done = deptry(REPO / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    # The check can fail: drop pydantic (imported by scaffold/schema.py) from
    # the dependencies, and add one nothing imports.
    lines = (REPO / "pyproject.toml").read_text("utf-8").splitlines()
    declared = [n for n, line in enumerate(lines) if line.startswith('    "pydantic')]
    assert len(declared) == 1
    lines[declared[0]] = '    "tomli>=2",'
    broken = tmp_path / "pyproject.toml"
    broken.write_text("\n".join(lines), "utf-8")
    done = deptry(broken)
    out = done.stdout + done.stderr
    assert done.returncode == 1
    assert "DEP003 'pydantic' imported but it is a transitive dependency" in out
    assert "DEP002 'tomli' defined as a dependency but not used" in out


def test_wheel_check_notices_a_missing_file(wheel: Path) -> None:
    names = {
        n.removeprefix("scaffold/templates/") for n in zipfile.ZipFile(wheel).namelist()
    }
    gone = "_shared/validate.jinja"
    assert template_files() - (names - {gone}) == {gone}


def test_templates_root_holds_the_projects_and_copier_config_the_questions() -> None:
    assert (templates_root() / "_shared").is_dir()
    assert "project_name:" in config_file().read_text("utf-8")


def test_wheel_carries_the_template_history(wheel: Path, tmp_path: Path) -> None:
    """scaffold/template.bundle: every release, tagged, to render old versions."""
    archive = zipfile.ZipFile(wheel)
    assert "scaffold/copier.yml" in archive.namelist()
    bundle = tmp_path / "template.bundle"
    bundle.write_bytes(archive.read("scaffold/template.bundle"))
    about = json.loads(archive.read("scaffold/template.json"))
    assert about["version"] == __version__
    assert about["ref"].startswith(f"v{__version__}")
    heads = subprocess.run(
        ["git", "bundle", "list-heads", str(bundle)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"refs/tags/v{__version__}\n" in heads
    assert f"{about['commit']} HEAD" in heads


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_copier_alone_renders_the_same_project(
    tmp_path: Path, generated: dict[str, Path], project
) -> None:
    """The README's plain-Copier command gives what scaffold gives."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--quiet",
            "--defaults",
            "--data",
            f"framework={project.framework}",
            "--data",
            f"app={project.app}",
            *(f"--data={key}={value}" for key, value in project.answers.items()),
            "--data-file",
            str(EXAMPLE_ANSWERS),
            "--vcs-ref",
            "HEAD",  # the checkout as it is, uncommitted changes included
            str(REPO),
            "out",
        ],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ},
    )
    ours, theirs = generated[project.name], elsewhere / "out"
    # Only the recorded template path may differ (and the random development key).
    assert contents(ours, skip=".copier-answers.yml") == contents(
        theirs, skip=".copier-answers.yml"
    )


def contents(root: Path, skip: str) -> dict[str, str]:
    """Every file's text, with random development keys masked."""
    return {
        p.relative_to(root).as_posix(): DEV_KEY.sub(
            "<key>", p.read_bytes().decode("utf-8", "replace")
        )
        for p in root.rglob("*")
        if p.is_file() and p.name != skip and "__pycache__" not in p.parts
    }


def test_projects_from_an_installed_wheel_hold_no_bytecode(
    wheel: Path, tmp_path: Path
) -> None:
    """pip compiles the installed templates' .py files; none of it is copied."""
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
         str(site), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    installed = site / "scaffold" / "templates"
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(installed)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    assert list(installed.rglob("__pycache__/*.pyc")), "Python compiled nothing"
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    completed = subprocess.run(
        [sys.executable, "-c",
         "import scaffold, sys; from scaffold.cli import main;"
         "assert scaffold.__file__.startswith(sys.argv[1]), scaffold.__file__;"
         "sys.exit(main(['all', 'build', '--answers', sys.argv[2]]))",
         str(site), str(EXAMPLE_ANSWERS)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    built = tmp_path / "build"
    assert not [p for p in built.rglob("*") if p.suffix in {".pyc", ".pyo"}]
    assert not [p for p in built.rglob("__pycache__")]
