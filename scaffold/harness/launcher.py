"""Run a project's prepare commands, then its server, in one Python process.

The harness starts this file with the project's interpreter (the current
environment's, or an ``--isolated`` one that has no scaffold in it, so this
file imports nothing but the standard library):

    python launcher.py '{"prepare": [...], "shown": [...], "server": [...]}'

Each command is what would follow ``python`` on a command line: ``-m MODULE
ARG...`` or ``SCRIPT ARG...``. Each runs as ``python`` would run it, in turn,
in this process; the server's command runs last and keeps the process (its
PID is the server's). Why one process: a prepare command (``flask db
upgrade``, ``manage.py migrate``) spends most of its time importing the
project and its framework; here they are imported once, and the server's
workers, forked from this process, find them imported too. See "scaffold
smoke" in docs/benchmarks.md for the figures.

A prepare command that fails ends the process with its status, after a line
starting with ``MARK`` that names it (boot.py reads it back).
"""

from __future__ import annotations

import gc
import json
import logging
import os
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


def _forget_connections() -> None:
    """Close what the prepare commands left open before the server forks:
    a database connection must never be shared by two processes. Only what
    the project loaded is looked at; nothing is imported here."""
    if django_db := sys.modules.get("django.db"):
        django_db.connections.close_all()
    if sqlalchemy_engine := sys.modules.get("sqlalchemy.engine"):
        engines = [
            o for o in gc.get_objects() if isinstance(o, sqlalchemy_engine.Engine)
        ]
        for engine in engines:
            engine.dispose()


def _restore_logging(handlers: list[logging.Handler], level: int) -> None:
    """Undo what a prepare command did to logging (Alembic's ``fileConfig``
    replaces the root handlers and disables every logger that existed)."""
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(level)
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False


def main(spec: dict[str, Any]) -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    for command, shown in zip(spec["prepare"], spec["shown"], strict=True):
        try:
            _run(command)
            status = 0
        except SystemExit as done:
            status = _status(done.code)
        except Exception:  # as `python` would: the traceback, then status 1
            traceback.print_exc()
            status = 1
        if status:
            print(f"{MARK} {shown!r} exited with status {status}", file=sys.stderr)
            sys.exit(status)
    _forget_connections()
    _restore_logging(handlers, level)
    _run(spec["server"])


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
