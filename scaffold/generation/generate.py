"""Answers → Copier → generated project: the one path every project takes."""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..errors import ScaffoldError
from . import copier_api
from .answers import shared_questions
from .catalog import Project, projects, variant_answers
from .placing import place, staging_folder
from .template_source import installed_source


def _check_destination(dest: Path, force: bool) -> None:
    if dest.is_symlink() and not dest.exists():
        raise ScaffoldError(
            f"destination {str(dest)!r} is a symbolic link to something missing; "
            "remove the link or give another folder"
        )
    if dest.exists() and not dest.is_dir():
        raise ScaffoldError(f"destination {str(dest)!r} is a file; give a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise ScaffoldError(
            f"destination {str(dest)!r} is not empty; choose a new folder, or pass "
            "--force to add the template's files to it (yours are kept; one that "
            "differs is replaced only with --overwrite)"
        )


def _user_message(error: Exception) -> str:
    """Turn Copier's answer errors into one line that says how to fix it."""
    text = str(error).strip()
    if match := re.fullmatch(r'Question "(\w+)" is required', text):
        key = match[1]
        return (
            f"missing answer {key!r}: put it in the answers file "
            f"or pass --data {key}=VALUE"
        )
    if match := re.match(r"Validation error for question '(\w+)': (.*)", text, re.S):
        return f"answer {match[1]!r} {match[2].strip()}"
    return text.splitlines()[0] if text else type(error).__name__


def _copy(
    project: Project,
    dest: Path,
    answers: Mapping[str, str],
    *,
    interactive: bool,
) -> dict[str, str]:
    """Render one project (inside copier_api.rendering, which holds the run's
    one clone of the template); return the shared answers it used."""
    data = {
        **answers,
        **project.answers,  # a variant's own answers win
        "framework": project.framework,
        "app": project.app,
    }
    try:
        used = copier_api.copy(
            # The versioned template, so .copier-answers.yml records the
            # version (_commit) that `scaffold update` starts from.
            installed_source().url,
            dest,
            data,
            vcs_ref="HEAD",
            defaults=not interactive,
        )
    except copier_api.CopierFailed as error:
        raise ScaffoldError(_user_message(error)) from None
    return {key: used[key] for key in shared_questions() if key in used}


def generate(
    project: Project,
    dest: Path,
    answers: Mapping[str, str],
    *,
    force: bool = False,
    interactive: bool = False,
    overwrite: bool = False,
) -> Path:
    """Generate one project into ``dest``; return its path.

    ``interactive`` lets Copier ask for answers missing from ``answers``;
    otherwise defaults are used and a missing required answer is an error.
    ``force`` writes into a folder that is not empty, ``overwrite`` also
    replaces files there that differ (see placing.place): all or nothing.
    """
    _check_destination(dest, force or overwrite)
    with staging_folder() as staging, copier_api.rendering(installed_source().url):
        _copy(project, staging / "p", answers, interactive=interactive)
        place(staging / "p", dest, overwrite=overwrite)
    return dest


def generate_all(
    dest: Path,
    answers: Mapping[str, str],
    *,
    force: bool = False,
    interactive: bool = False,
    overwrite: bool = False,
) -> list[Path]:
    """Generate every project into ``dest/<project.name>`` from the same answers.

    When ``interactive``, Copier asks once (for the first project) and the
    answers given are reused for all the others. Answers a variant fixes
    (accounts) are its own: the plain projects get their defaults.
    """
    _check_destination(dest, force or overwrite)
    fixed = variant_answers()
    answers = {k: v for k, v in answers.items() if k not in fixed}
    paths = [dest / project.name for project in projects()]
    with staging_folder() as staging, copier_api.rendering(installed_source().url):
        jobs = [(project, staging / project.name) for project in projects()]
        if interactive:  # ask once, with the first project, then reuse the answers
            first, *jobs = jobs
            answers = _copy(*first, answers, interactive=True)
            answers = {k: v for k, v in answers.items() if k not in fixed}
        _copy_many(jobs, answers)
        place(staging, dest, overwrite=overwrite)
    return paths


def _copy_many(jobs: list[tuple[Project, Path]], answers: Mapping[str, str]) -> None:
    """Render several projects, one process per core where the OS can fork.

    Rendering is pure Python, so processes (not threads) are what use both
    cores; forking after Copier is imported spares each one the import.
    """
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for project, path in jobs:
            _copy(project, path, answers, interactive=False)
        return
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=fork) as pool:
        futures = [
            pool.submit(_copy_each, batch, answers) for batch in _batches(jobs, workers)
        ]
        for future in futures:
            future.result()  # re-raises an error; `with` waits for the others first


def _batches(
    jobs: list[tuple[Project, Path]], count: int
) -> list[list[tuple[Project, Path]]]:
    """``jobs`` in ``count`` batches of about the same size, the projects of a
    framework together: a process compiles each template file it renders
    once, so the Flask projects share their compiled templates, and the
    Django ones theirs."""
    ordered = sorted(jobs, key=lambda job: (job[0].framework, job[0].template))
    size = -(-len(ordered) // count)  # rounded up
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _copy_each(batch: list[tuple[Project, Path]], answers: Mapping[str, str]) -> None:
    for project, path in batch:
        _copy(project, path, answers, interactive=False)


def stdin_is_terminal() -> bool:
    """True when a person can answer Copier's questions."""
    return sys.stdin is not None and sys.stdin.isatty()
