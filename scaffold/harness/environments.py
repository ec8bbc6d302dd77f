"""The Python environment a project is served from: this one, or a fresh one.

`--isolated` gives each project a new virtual environment holding only the
dependencies its pyproject.toml declares (uv when available, else venv + pip),
which proves that list is complete. By default the harness uses the current
environment, which is faster, after checking it has those dependencies.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from ..errors import HarnessFailure
from .unprivileged import run_as

# A project's code runs under the harness: it gets a minimal environment, not
# the caller's (tokens, cloud credentials, app settings). Only these pass, plus
# what the project's harness.yml declares and what the user gives explicitly
# (check/smoke --env KEY=VALUE, --pass-env NAME).
PASSED_VARIABLES = frozenset(
    {"PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TERM",
     "TMPDIR", "TEMP", "TMP", "PYTHONPATH", "SYSTEMROOT"}
)  # fmt: skip


class EnvironmentFailed(HarnessFailure):
    """The environment could not be made or lacks a dependency."""


class CommandFailed(EnvironmentFailed):
    """A command exited with an error, or ran too long: why, and its output."""

    def __init__(self, command: Sequence[str], reason: str, output: str = "") -> None:
        self.reason = reason
        self.output = output
        shown = f"{' '.join(command[:4])} ... {reason}"
        super().__init__(f"{shown}:\n{output}" if output else shown, output)


class Cancelled(Exception):
    """The run was interrupted; stop what you are doing."""


@dataclass(frozen=True)
class Environment:
    """An interpreter and the process environment to run a project with."""

    python: str
    variables: dict[str, str]
    description: str


def base_variables() -> dict[str, str]:
    """The minimal environment a project runs with (PASSED_VARIABLES and the
    locale, LC_*), and no .pyc files."""
    variables = {
        key: value
        for key, value in os.environ.items()
        if key in PASSED_VARIABLES or key.startswith("LC_")
    }
    variables["PYTHONDONTWRITEBYTECODE"] = "1"  # leave the project folder as it was
    variables["PYTHONUNBUFFERED"] = "1"  # server logs reach the log file at once
    return variables


def installer_variables() -> dict[str, str]:
    """pip's and uv's settings from the caller's environment: index, proxy,
    certificates. Only the installers get them, never the project's servers."""
    return {
        key: value
        for key, value in os.environ.items()
        if key.startswith(("PIP_", "UV_", "SSL_CERT_"))
        or key.lower() in {"http_proxy", "https_proxy", "no_proxy", "all_proxy"}
        or key == "REQUESTS_CA_BUNDLE"
    }


def missing_requirements(requirements: Iterable[str]) -> list[str]:
    """The requirements the current environment does not satisfy."""
    missing = []
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            missing.append(text)
            continue
        if requirement.marker and not requirement.marker.evaluate():
            continue
        try:
            version = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(text)
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            missing.append(f"{text} (found {version})")
        elif requirement.extras:  # e.g. flask[dotenv] also needs python-dotenv
            missing += missing_requirements(
                _extra_requirements(requirement.name, requirement.extras)
            )
    return missing


def _extra_requirements(name: str, extras: set[str]) -> list[str]:
    """What an installed distribution needs for the given extras."""
    needed = []
    for text in importlib.metadata.requires(name) or ():
        requirement = Requirement(text)
        marker = requirement.marker
        if marker and any(marker.evaluate({"extra": extra}) for extra in extras):
            requirement.marker = None
            needed.append(str(requirement))
    return needed


def current_environment(requirements: Sequence[str]) -> Environment:
    """This interpreter, once it is known to have every requirement."""
    if missing := missing_requirements(requirements):
        raise EnvironmentFailed(
            f"this environment lacks {', '.join(missing)}: install them "
            "(pip install 'scaffold[apps]'), or check with --isolated"
        )
    return Environment(sys.executable, base_variables(), "current environment")


def run_command(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    cancel: threading.Event | None = None,
    timeout: float = 600,
    user: str | None = None,
) -> str:
    """Run a command to completion and return its output; stop it if
    cancelled. ``user``: run it as that user (scaffold runs as root)."""
    switch = run_as(user) if user is not None else []
    process = subprocess.Popen(
        [*switch, *command],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout or ()))
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            if time.monotonic() > deadline:
                raise CommandFailed(command, f"took over {timeout:.0f} s")
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            # Asked first: a container engine interrupted mid-build removes
            # its build container itself; killed, it could not.
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join()
    text = "".join(output)
    if process.returncode != 0:
        tail = "\n".join(text.strip().splitlines()[-15:])
        raise CommandFailed(command, f"exited with status {process.returncode}", tail)
    return text


def find_uv() -> str | None:
    """The uv executable: next to this interpreter (pip install uv), or on PATH."""
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.is_file() else shutil.which("uv")


def isolated_environment(
    parent: Path,
    requirements: Sequence[str],
    *,
    cancel: threading.Event | None = None,
    use_uv: bool = True,
) -> Environment:
    """A new virtual environment, in a new folder under ``parent``, holding
    only ``requirements``."""
    where = Path(tempfile.mkdtemp(prefix="venv-", dir=parent))
    where.chmod(0o755)  # usable by the user the projects run as (unprivileged.py)
    variables = base_variables()
    variables.pop("PYTHONPATH", None)
    # The installers also get their own settings (index, certificates, proxy).
    installing = {**variables, **installer_variables()}
    python = str(where / "bin" / "python")
    uv = find_uv() if use_uv else None
    if uv:
        run_command(
            [uv, "venv", "--quiet", "--python", sys.executable, str(where)],
            env=installing,
            cancel=cancel,
        )
        install = [uv, "pip", "install", "--quiet", "--python", python]
        tool = "uv"
    else:
        run_command(
            [sys.executable, "-m", "venv", str(where)], env=installing, cancel=cancel
        )
        install = [python, "-m", "pip", "install", "--quiet"]
        tool = "venv + pip"
    run_command([*install, *requirements], env=installing, cancel=cancel)
    variables["VIRTUAL_ENV"] = str(where)
    variables["PATH"] = f"{where / 'bin'}{os.pathsep}{variables.get('PATH', '')}"
    return Environment(python, variables, f"isolated environment ({tool})")


def environment_for(
    requirements: Sequence[str],
    *,
    isolated: bool,
    parent: Path,
    cancel: threading.Event | None = None,
) -> Environment:
    """An isolated environment under ``parent``, or the checked current one."""
    if isolated:
        return isolated_environment(parent, requirements, cancel=cancel)
    return current_environment(requirements)


class SharedEnvironments:
    """The environments of one run: with ``isolated``, one new virtual
    environment per distinct list of dependencies, made once and shared by
    the projects that declare exactly that list (a website and a Hello World
    often do); it still holds nothing they do not declare."""

    def __init__(
        self, isolated: bool, parent: Path, cancel: threading.Event | None = None
    ) -> None:
        self.isolated = isolated
        self._parent = parent
        self._cancel = cancel
        self._lock = threading.Lock()
        self._made: dict[tuple[str, ...], Future[Environment]] = {}

    def get(self, requirements: Sequence[str]) -> Environment:
        """The environment for ``requirements``; the first caller makes it,
        the others wait for it (and get its error, if it fails)."""
        key = tuple(sorted(set(requirements)))
        with self._lock:
            made = self._made.get(key)
            first = made is None
            if made is None:
                made = self._made[key] = Future()
        if first:
            try:
                made.set_result(
                    environment_for(
                        key,
                        isolated=self.isolated,
                        parent=self._parent,
                        cancel=self._cancel,
                    )
                )
            except BaseException as error:
                made.set_exception(error)
                raise
        return made.result()
