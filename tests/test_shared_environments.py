"""`check --isolated` makes one environment per distinct dependency list:
projects that declare exactly the same dependencies share it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from scaffold.errors import HarnessFailure
from scaffold.harness import environments
from scaffold.harness.environments import Environment, SharedEnvironments


def test_same_dependencies_share_one_environment(monkeypatch, tmp_path: Path) -> None:
    made: list[tuple[str, ...]] = []
    lock = threading.Lock()

    def slow_environment(requirements, **_: object) -> Environment:
        with lock:
            made.append(tuple(requirements))
        time.sleep(0.3)  # the others ask while it is being made
        return Environment(f"/venv-{len(made)}/python", {}, "isolated environment")

    monkeypatch.setattr(environments, "environment_for", slow_environment)
    shared = SharedEnvironments(True, tmp_path)
    asked = [
        ["flask", "gunicorn"],
        ["gunicorn", "flask"],
        ["django"],
        ["flask", "gunicorn"],
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(shared.get, asked))
    assert sorted(made) == [("django",), ("flask", "gunicorn")]
    assert got[0] is got[1] is got[3] and got[2] is not got[0]


def test_a_failure_reaches_every_project_that_shares_it(monkeypatch, tmp_path) -> None:
    calls = []

    def failing(requirements, **_: object) -> Environment:
        calls.append(requirements)
        time.sleep(0.3)
        raise HarnessFailure("pip could not install flask", "the log")

    monkeypatch.setattr(environments, "environment_for", failing)
    shared = SharedEnvironments(True, tmp_path)

    def ask(_: int) -> str:
        with pytest.raises(HarnessFailure) as raised:
            shared.get(["flask"])
        return str(raised.value)

    with ThreadPoolExecutor(max_workers=3) as pool:
        messages = list(pool.map(ask, range(3)))
    assert len(calls) == 1
    assert messages == ["pip could not install flask"] * 3
