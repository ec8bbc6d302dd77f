"""Boot one generated project: prepare it, start its server, wait until it
answers. `boot` is the one way scaffold starts a project's server; the
harness, the pytest plugin, the acceptance tests and the benchmarks all use it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ScaffoldError
from ..leftovers import RUN_ID, RUN_VARIABLE, make_folder
from ..project import GeneratedProject
from . import launcher
from .environments import CommandFailed, Environment, environment_for, run_command
from .plan import Plan, ServerCommand, load_plan
from .postgres import needs_postgresql, throwaway_server
from .servers import LOG_TAIL_LINES, Server, ServerFailed, Servers
from .shipping import procfile
from .unprivileged import LAUNCHER, run_folder_plan

# `boot` and what it yields are the public API (scaffold.boot); `running` serves
# a plan the caller has loaded, on the caller's Servers: harness/run.py checks
# many projects that way. Everything else here is internal.
__all__ = ["RunningApp", "boot", "running"]


def _command(declared: Sequence[str], environment: Environment) -> list[str]:
    # "python" in a declared command means the interpreter of the environment.
    return [environment.python if arg == "python" else arg for arg in declared]


def _prepare(
    plan: Plan,
    environment: Environment,
    servers: Servers,
    extra_env: Mapping[str, str] | None = None,
) -> None:
    """Run the project's prepare commands (e.g. its migrations), in order.

    They write into ``plan.data_dir``, never into the project. A failing
    command raises ServerFailed with its output as the log.
    """
    plan.data_dir.mkdir(parents=True, exist_ok=True)
    env = {**environment.variables, **plan.env, **(extra_env or {})}
    env[RUN_VARIABLE] = RUN_ID
    for declared in plan.prepare:
        shown = repr(" ".join(declared))
        _run_step(plan, servers, _command(declared, environment), env, shown)


def _run_step(
    plan: Plan, servers: Servers, command: list[str], env: dict[str, str], shown: str
) -> None:
    """Run one command of the project's start to completion, as the plan's
    user; ServerFailed naming it (``shown``), with its output, if it fails."""
    try:
        run_command(
            command,
            cwd=plan.folder,
            env=env,
            cancel=servers.cancel,
            timeout=servers.timeout,
            user=plan.user,
        )
    except CommandFailed as failure:
        raise ServerFailed(f"{shown} {failure.reason}", failure.output) from None


def _serve(
    plan: Plan,
    servers: Servers,
    server: str,
    environment: Environment,
    extra_env: Mapping[str, str] | None = None,
) -> Server:
    """Prepare the project, start its ``server`` ("gunicorn", "dev" or
    "procfile") and wait
    until it answers. ``extra_env``, given by the user, wins over what the
    template declares."""
    if server == "procfile":
        return _serve_procfile(plan, servers, environment, extra_env)
    declared = plan.servers.get(server)
    if declared is None:
        raise ScaffoldError(f"{plan.name} declares no {server!r} server")
    env = {**environment.variables, **plan.env, **declared.env, **(extra_env or {})}
    if all(map(_in_process, (*plan.prepare, declared.command))):
        return _launch(plan, servers, declared.command, environment, env)
    _prepare(plan, environment, servers, extra_env)
    command = _command(declared.command, environment)
    return servers.start(plan.name, command, plan.folder, env, user=plan.user)


def _in_process(declared: Sequence[str]) -> bool:
    """Whether the launcher can run it: ``python -m MODULE ...`` or
    ``python SCRIPT ...``."""
    if len(declared) < 2 or declared[0] != "python":
        return False
    return len(declared) > 2 if declared[1] == "-m" else not declared[1].startswith("-")


def _launch(
    plan: Plan,
    servers: Servers,
    server: Sequence[str],
    environment: Environment,
    env: dict[str, str],
) -> Server:
    """Start the server from a process that has imported the project's
    dependencies, after the prepare commands ran in one child forked from it
    (launcher.py): the framework is imported once instead of once per
    command and worker. Each prepare command has the time a process of its
    own had."""
    plan.data_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "preload": list(plan.dependencies),
        "prepare": [list(command[1:]) for command in plan.prepare],
        "shown": [" ".join(command) for command in plan.prepare],
        "server": list(server[1:]),
    }
    command = [environment.python, str(LAUNCHER), json.dumps(spec)]
    timeout = servers.timeout * (1 + len(plan.prepare))
    try:
        return servers.start(
            plan.name, command, plan.folder, env, timeout=timeout, user=plan.user
        )
    except ServerFailed as failure:
        # A prepare command that failed is named on the launcher's last line.
        for line in reversed(failure.log.splitlines()):
            if line.startswith(launcher.MARK):
                raise ServerFailed(
                    line.removeprefix(launcher.MARK).strip(), failure.log
                ) from None
        raise


def _serve_procfile(
    plan: Plan,
    servers: Servers,
    environment: Environment,
    extra_env: Mapping[str, str] | None = None,
) -> Server:
    """Run the Procfile as a platform does: its `release` command, then its
    `web` command with PORT set, each a shell line in the project folder.

    The web command's 0.0.0.0 becomes 127.0.0.1 (servers the harness starts
    listen on this machine only) and PORT is 0 (the system picks a free port,
    read back from the process). A project the harness logs in to also gets
    its prepare commands after the release step: they make the user.
    """
    processes = procfile(plan.folder)
    gunicorn = plan.servers.get("gunicorn")  # its env: production settings
    production = gunicorn.env if gunicorn else {}
    env = {**environment.variables, **plan.env, **production, **(extra_env or {})}
    # The Procfile names `gunicorn`, `flask`...: this environment's come first.
    env["PATH"] = f"{Path(environment.python).parent}:{env.get('PATH', '')}"
    env[RUN_VARIABLE] = RUN_ID
    plan.data_dir.mkdir(parents=True, exist_ok=True)
    if release := processes.get("release"):
        _run_step(plan, servers, ["sh", "-c", release], env, f"release {release!r}")
    if plan.login:
        _prepare(plan, environment, servers, extra_env)
    web = processes["web"].replace("0.0.0.0", "127.0.0.1")
    return servers.start(
        plan.name, ["sh", "-c", web], plan.folder, {**env, "PORT": "0"}, user=plan.user
    )


@dataclass
class RunningApp:
    """A generated project answering HTTP: what `boot` yields."""

    plan: Plan
    server: Server  # the running process: its name, pid, log and start-up time
    environment: Environment
    kind: str  # "gunicorn" or "dev"
    _servers: Servers
    extra_env: Mapping[str, str] | None = None  # given by the caller: wins

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:38107`` (no trailing slash)."""
        return self.server.url

    @property
    def project(self) -> GeneratedProject:
        """The generated project being served: folder, answers, files..."""
        return self.plan.generated

    @property
    def pid(self) -> int:
        """The server's main process (gunicorn's arbiter, for instance)."""
        return self.server.pid

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines the server printed."""
        return self.server.log_tail(lines)

    def stop(self) -> None:
        """End the server and every process it started."""
        self._servers.stop(self.server.name)

    def restart(self) -> None:
        """Stop the server and start it again on the same data."""
        self.stop()
        self.server = _serve(
            self.plan, self._servers, self.kind, self.environment, self.extra_env
        )


def _with_workers(plan: Plan, workers: int) -> Plan:
    """The plan with gunicorn running ``workers`` worker processes."""
    gunicorn = plan.servers.get("gunicorn")
    if gunicorn is None or "--workers" not in gunicorn.command:
        raise ScaffoldError(f"{plan.name}'s gunicorn command sets no --workers")
    command = list(gunicorn.command)
    command[command.index("--workers") + 1] = str(workers)
    changed = ServerCommand(command=tuple(command), env=gunicorn.env)
    return replace(plan, servers={**plan.servers, "gunicorn": changed})


@contextmanager
def running(
    plan: Plan,
    servers: Servers,
    server: str,
    environment: Environment,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[RunningApp]:
    """Serve a planned project from ``environment``; stop it on leaving."""
    started = _serve(plan, servers, server, environment, extra_env)
    app = RunningApp(plan, started, environment, server, servers, extra_env)
    try:
        yield app
    finally:
        app.stop()


@contextmanager
def boot(
    project_dir: Path,
    server: str = "gunicorn",
    isolated: bool = False,
    env: Mapping[str, str] | None = None,
    *,
    timeout: float = 30.0,
    data_dir: Path | None = None,
    database_url: str | None = None,
    workers: int | None = None,
) -> Iterator[RunningApp]:
    """Boot the generated project in ``project_dir`` and yield it running.

    Prepares it (migrations, into a fresh data folder: ``data_dir``, or a
    temporary one removed afterwards), starts ``server`` ("gunicorn" or
    "dev") from the current environment (or, ``isolated``, from a new virtual
    environment holding only its declared dependencies) with ``env`` added to
    its environment variables (they win over the template's), and waits until
    it answers HTTP, at most ``timeout`` seconds. A project generated with
    ``database: postgresql`` uses the (existing, empty) database at
    ``database_url``; without one, boot starts a throwaway PostgreSQL server
    for it (postgres.py). ``workers``
    sets how many worker processes gunicorn runs. Leaving the block, on an
    error, or on Ctrl-C, ends the server's whole process tree. A server that
    fails raises HarnessFailure, whose ``log`` holds what it printed; bad
    input raises ScaffoldError::

        with scaffold.boot(Path("build/flask-todo")) as app:
            requests.get(app.url + "/")
    """
    with ExitStack() as stack:
        scratch = make_folder("scaffold-boot-")
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        folder = Path(project_dir)
        if database_url is None and needs_postgresql(folder):
            # Entered before the servers, so it stops after them.
            postgresql = stack.enter_context(throwaway_server(scratch))
            database_url = postgresql.create_database(folder.name)
        servers = stack.enter_context(Servers(timeout=timeout))
        plan = load_plan(folder, data_dir or scratch / "data", database_url or "")
        if workers is not None:
            plan = _with_workers(plan, workers)
        environment = environment_for(
            plan.dependencies, isolated=isolated, parent=scratch, cancel=servers.cancel
        )
        # As root: a copy, run as nobody (when nobody can run the environment).
        plan = run_folder_plan(plan, scratch, environment.python)
        yield stack.enter_context(running(plan, servers, server, environment, env))
