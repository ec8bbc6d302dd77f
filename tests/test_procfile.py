"""`scaffold check --server procfile`: the Procfile run as a platform runs it
(release, then web with PORT set) and the health path the platform files
declare; and `--server container` without an engine. No engine needed here:
the images themselves are in test_containers.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scaffold.generation.catalog import projects
from scaffold.harness import containers


def copy_with(project: Path, dest: Path, path: str, old: str, new: str) -> Path:
    """A copy of ``project`` with ``old`` replaced in one file."""
    folder = dest / project.name
    shutil.copytree(project, folder)
    text = (folder / path).read_text()
    assert re.search(old, text, re.M), f"{path} no longer matches {old!r}"
    (folder / path).write_text(re.sub(old, new, text, flags=re.M))
    return folder


def test_the_procfile_runs_release_then_web_and_answers_its_health_path(
    generated: dict[str, Path], cli
) -> None:
    result = cli(
        "check", generated["flask-todo"], generated["django-website"],
        "--server", "procfile",
    )  # fmt: skip
    assert result.code == 0, result.out
    assert result.out.count("ok    health /health/") == 2
    assert "0 failed" in result.out


def test_a_to_do_without_its_release_command_fails(
    generated: dict[str, Path], cli, tmp_path: Path
) -> None:
    broken = copy_with(
        generated["django-todo"], tmp_path, "Procfile", r"^release:.*\n", ""
    )
    result = cli("check", broken, "--server", "procfile")
    assert result.code == 1
    assert re.search(r"FAIL\s+health /health/\s+503", result.out), result.out


def test_platform_files_that_disagree_on_the_health_path_fail_in_one_line(
    generated: dict[str, Path], cli, tmp_path: Path
) -> None:
    broken = copy_with(
        generated["flask-website"],
        tmp_path,
        "fly.toml",
        r'^path = "/health/"',
        'path = "/up/"',
    )
    result = cli("check", broken, "--server", "procfile")
    assert result.code == 1
    assert "FAIL  start procfile" in result.out
    assert "disagree on the health path" in result.out and "/up/" in result.out


def test_a_project_that_ships_no_procfile_fails(
    generated: dict[str, Path], cli
) -> None:
    result = cli("check", generated["flask-hello"], "--server", "procfile")
    assert result.code == 1
    assert "neither render.yaml" in result.out or "no Procfile" in result.out


@pytest.mark.parametrize("engine", [[], ["--engine", "docker"]], ids=["any", "docker"])
def test_without_a_container_engine_one_line_says_how_to_install_one(
    generated: dict[str, Path], cli, monkeypatch, engine: list[str]
) -> None:
    monkeypatch.setattr(containers.shutil, "which", lambda name: None)
    result = cli("check", generated["flask-website"], "--server", "container", *engine)
    assert result.code == 1
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "install" in result.err
    if not engine:
        assert "apt-get install podman" in result.err


def test_smoke_runs_every_procfile_and_skips_the_hello_worlds(cli) -> None:
    result = cli("smoke", "--server", "procfile")
    assert result.code == 0, result.out
    assert "Skipped flask-hello, django-hello: they ship no Procfile" in result.out
    shipped = [p.name for p in projects() if p.app != "hello"]
    for name in shipped:
        assert f"{name}: procfile, current environment, http://" in result.out
    assert result.out.count("ok    health /health/") == len(shipped)
