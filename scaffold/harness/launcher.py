"""Start a project's server with its dependencies imported once for all.

The harness starts this file with the project's interpreter (the current
environment's, or an ``--isolated`` one that has no scaffold in it, so this
file imports nothing but the standard library):

    python launcher.py '{"preload": [...], "prepare": [...], "shown": [...],
                         "server": [...]}'

Each command is what would follow ``python`` on a command line: ``-m MODULE
ARG...`` or ``SCRIPT ARG...``. First this process imports the packages the
project depends on (``preload``: Flask, SQLAlchemy, Django...), never the
project itself. The prepare commands (``flask db upgrade``, ``manage.py
migrate``) then run one after another in one child forked from it, each as
``python`` would run it, and the server's command runs last in this process,
whose PID is the server's. The child and the server's workers find the
packages imported: most of a prepare command's time is spent importing them.
What a prepare command does to the process (the environment variables
manage.py and .flaskenv set for development, the project's settings it
imports, its database connections, logging) stays in the child, so the
server starts as it would on its own. See "scaffold smoke" in
docs/benchmarks.md for the figures.

A prepare command that fails ends the process with its status, after a line
starting with ``MARK`` that names it (boot.py reads it back).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import io
import json
import os
import re
import runpy
import sys
import traceback
from typing import Any

MARK = "scaffold-launcher:"


def _run(command: list[str]) -> None:
    """Run ``command`` (the words after ``python``) as ``python`` would."""
    if command[0] == "-m":
        sys.argv = [command[1], *command[2:]]
        sys.path[0] = os.getcwd()  # what `python -m` puts first
        runpy.run_module(command[1], run_name="__main__", alter_sys=True)
    else:
        script = os.path.abspath(command[0])
        sys.argv = [command[0], *command[1:]]
        sys.path[0] = os.path.dirname(script)  # what `python SCRIPT` puts first
        runpy.run_path(script, run_name="__main__")


def _status(code: object) -> int:
    """The exit status ``SystemExit(code)`` gives, printing a message code."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _preload(requirements: list[str]) -> None:
    """Import the top-level packages of the distributions ``requirements``
    name (``Flask-SQLAlchemy>=3`` imports ``flask_sqlalchemy``), quietly. One
    that cannot be imported yet (it needs the project's settings) is left to
    the project, as any module it imports later."""
    wanted = {
        _normal(re.split(r"[\s<>=!~;\[(@]", r, maxsplit=1)[0]) for r in requirements
    }
    modules = [
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if any(_normal(d) in wanted for d in distributions) and module.isidentifier()
    ]
    for module in sorted(modules):
        with (
            contextlib.suppress(Exception),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            importlib.import_module(module)


def _prepare(commands: list[list[str]], shown: list[str]) -> int:
    """Run the prepare commands in turn, in this process (a forked child):
    0, or the status of the first that failed, after a line naming it."""
    for command, name in zip(commands, shown, strict=True):
        environ = dict(os.environ)
        try:
            _run(command)
            status = 0
        except SystemExit as done:
            status = _status(done.code)
        except Exception:  # as `python` would: the traceback, then status 1
            traceback.print_exc()
            status = 1
        os.environ.clear()  # each command starts from the server's variables
        os.environ.update(environ)
        if status:
            print(f"{MARK} {name!r} exited with status {status}", file=sys.stderr)
            return status
    return 0


def main(spec: dict[str, Any]) -> None:
    sys.path[0] = os.getcwd()  # not this file's folder (the harness's modules)
    _preload(spec["preload"])
    if spec["prepare"]:
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:  # the prepare commands: nothing they do comes back
            status = 1
            try:
                status = _prepare(spec["prepare"], spec["shown"])
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        status = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
        if status:
            sys.exit(status if status > 0 else 1)
    _run(spec["server"])


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
