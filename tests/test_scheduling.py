"""How a run shares the machine: how many projects at once, which first, and
that a server being ended does not hold up the next project."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from scaffold.generation.catalog import PROJECTS
from scaffold.generation.generate import generate
from scaffold.harness import run
from scaffold.harness.boot import RunningApp


def make(where: Path, name: str, answers: dict[str, str]) -> Path:
    project = next(p for p in PROJECTS if p.name == name)
    return generate(project, where / name, answers)


def test_two_projects_per_core_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run.os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert run.default_jobs() == 6


def test_the_longest_start_first_and_reports_keep_the_order_given(
    tmp_path: Path, example_answers, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["flask-hello", "django-todo-accounts", "flask-website", "flask-todo"]
    folders = [make(tmp_path, name, example_answers) for name in names]
    started: list[str] = []

    def check_one(plan: Any, *args: Any) -> run.ProjectReport:
        started.append(plan.name)
        return run.ProjectReport(plan.name, plan.folder, "gunicorn")

    monkeypatch.setattr(run, "_check_one", check_one)
    reports = run.check_projects(folders, jobs=1)
    # A migration and a user to make, and a log-in, before the pages.
    assert started[:2] == ["django-todo-accounts", "flask-todo"]
    assert set(started[2:]) == {"flask-hello", "flask-website"}
    assert [report.name for report in reports] == names


def test_a_server_being_ended_does_not_hold_up_the_next_project(
    tmp_path: Path, example_answers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One project at a time: the second boots while the first's server is
    still being ended (gunicorn takes a quarter of a second or more)."""
    folders = [make(tmp_path, name, example_answers) for name in NAMES_TWO]
    served: list[str] = []
    second_served = threading.Event()
    seen_while_ending: list[bool] = []
    real_running, real_stop = run.running, RunningApp.stop

    @contextmanager
    def running(plan: Any, *args: Any) -> Iterator[RunningApp]:
        served.append(plan.name)
        if len(served) == 2:
            second_served.set()
        with real_running(plan, *args) as app:
            yield app

    def slow_stop(app: RunningApp) -> None:
        if app.plan.name == served[0]:
            # Held one at a time, the second cannot start until this returns.
            seen_while_ending.append(second_served.wait(timeout=20))
        real_stop(app)

    monkeypatch.setattr(run, "running", running)
    monkeypatch.setattr(RunningApp, "stop", slow_stop)
    reports = run.check_projects(folders, jobs=1)
    assert all(report.ok for report in reports), [r.outcomes for r in reports]
    assert seen_while_ending == [True], "the second waited for the first to end"


NAMES_TWO = ["flask-hello", "django-hello"]


@pytest.mark.parametrize("server", ["gunicorn", "procfile"])
def test_checked_servers_are_killed_except_the_procfiles(
    tmp_path: Path, example_answers, monkeypatch: pytest.MonkeyPatch, server: str
) -> None:
    """Ending a server gracefully costs each of its processes the
    interpreter's shut-down; honcho starts each Procfile process in a session
    of its own, which only it ends, so it is asked to stop."""
    folders = [make(tmp_path, "flask-hello", example_answers)]
    made: list[bool] = []

    class Recorded(run.Servers):
        def __init__(self, timeout: float = 30.0, *, graceful: bool = True) -> None:
            made.append(graceful)
            super().__init__(timeout, graceful=graceful)

    monkeypatch.setattr(run, "Servers", Recorded)
    monkeypatch.setattr(
        run,
        "_check_one",
        lambda plan, *args: run.ProjectReport(plan.name, plan.folder, server),
    )
    run.check_projects(folders, server=server)
    assert made == [server == "procfile"]
