"""Check generated projects: boot each one, check its pages, report.

For each project: read its plan (plan.py), get an environment
(environments.py), boot it (boot.py), then check every declared page and
every same-site link, stylesheet, script and image found on them (pages.py).
Projects are checked concurrently; every server is ended when the run ends,
however it ends.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import HarnessFailure, ScaffoldError
from ..leftovers import make_folder
from .boot import RunningApp, running
from .containers import (
    Containers,
    RunningContainer,
    find_engine,
    running_container,
)
from .environments import SharedEnvironments
from .pages import Outcome, check_health, check_pages
from .plan import Plan, load_plan
from .postgres import database_urls
from .servers import ServerFailed, Servers, signals_held
from .shipping import health_path
from .unprivileged import fallback_note, run_folder_plan


@dataclass
class ProjectReport:
    """Every outcome for one project, and its server's log when one failed."""

    name: str
    folder: Path
    server: str
    environment: str = ""
    url: str = ""
    boot_seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    log: str = ""
    image_size: int | None = None  # bytes (--server container)
    build_seconds: float | None = None  # the image's build (--server container)
    note: str = ""  # e.g. why, run as root, the project still ran as root

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


def _check_one(
    plan: Plan,
    servers: Servers,
    server: str,
    environments: SharedEnvironments,
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    containers: Containers | None = None,
    stopping: ThreadPoolExecutor | None = None,
) -> ProjectReport:
    """Prepare an environment, boot the project, check the pages, stop it
    (in ``stopping``, when given, so the next project need not wait for it:
    a server takes a quarter of a second or more to end, mostly waiting)."""
    report = ProjectReport(plan.name, plan.folder, server)
    isolated = environments.isolated
    report.environment = "isolated environment" if isolated else "current environment"
    boot = Outcome(f"start {server}")
    started = time.perf_counter()
    health = ""  # the health path to check: the shipping servers have one
    with ExitStack() as stack:
        try:
            app: RunningApp | RunningContainer
            if containers is not None:
                report.environment = f"{containers.engine.name} image"
                # Built first: the report gives the image even if it fails later.
                image = containers.build(plan)
                report.image_size = image.size
                report.build_seconds = image.build_seconds
                app = stack.enter_context(running_container(plan, containers, image))
                health, report.boot_seconds = app.health_path, app.seconds
            else:
                if server == "procfile":
                    health = health_path(plan.folder)  # before anything starts
                environment = environments.get(plan.dependencies)
                # As root: a copy, run as nobody; the report keeps the folder.
                plan = run_folder_plan(plan, workdir, environment.python)
                report.note = fallback_note(plan, environment.python)
                report.environment = environment.description
                # extra_env: what the user passed explicitly (--env, --pass-env)
                app = stack.enter_context(
                    running(plan, servers, server, environment, extra_env)
                )
                report.boot_seconds = app.server.seconds
        except ScaffoldError as failure:  # a HarnessFailure, or a missing server
            boot.seconds = time.perf_counter() - started
            boot.problems.append(str(failure).splitlines()[0])
            if isinstance(failure, ServerFailed):
                report.log = failure.log or "(the server wrote nothing)"
            elif isinstance(failure, HarnessFailure):  # e.g. the installer's output
                report.log = failure.log
            report.outcomes.append(boot)
            return report
        report.url = app.url
        report.outcomes = check_pages(plan, app.url)
        if health:
            report.outcomes.append(check_health(app.url, health))
        if not report.ok:
            report.log = app.log_tail()
        if stopping is not None:
            stopping.submit(stack.pop_all().close)
    return report


def _work(plan: Plan) -> int:
    """A rough measure of how long checking ``plan`` takes: its prepare
    commands (migrations, a user), its log-in and its pages."""
    return 10 * len(plan.prepare) + 10 * (plan.login is not None) + len(plan.pages)


def default_jobs() -> int:
    """How many projects a run checks at once unless told: two per core this
    process may use. Booting a project is mostly CPU (imports, migrations,
    password hashes), so more at once only share the cores: on two cores,
    ten at once took 0.5 s longer than four (docs/benchmarks.md)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 2 * cores


def check_projects(
    folders: Sequence[Path],
    *,
    server: str = "gunicorn",
    isolated: bool = False,
    timeout: float = 30.0,
    jobs: int | None = None,
    env: dict[str, str] | None = None,
    database_url: str | None = None,
    engine: str | None = None,
) -> list[ProjectReport]:
    """Boot and check every project; one report per project, in order.

    ``jobs`` projects are checked at a time (two per core by default: see
    default_jobs), the longest first. Projects that use PostgreSQL get a
    database each on the server at ``database_url``, or on a throwaway server
    started for the run. Servers and prepare commands get a minimal
    environment (see environments) plus ``env``. Checking runs
    each project's code: check only projects you trust. ``server="container"``
    builds and boots each project's image with ``engine`` (podman or docker;
    whichever is installed by default); ``"procfile"`` runs its Procfile.
    """
    found_engine = find_engine(engine) if server == "container" else None
    # Environments and the projects' data live here, removed at the end.
    workdir = make_folder("scaffold-check-")
    databases = ExitStack()  # a PostgreSQL server, if a project needs one
    try:
        urls = database_urls(folders, workdir, database_url, databases)
        plans = [
            load_plan(folder, workdir / f"data-{index}", urls[index])
            for index, folder in enumerate(folders)
        ]
    except BaseException:
        databases.close()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    if len({plan.name for plan in plans}) < len(plans):
        # Two folders with the same name: call each by the path given.
        plans = [replace(p, label=str(f)) for p, f in zip(plans, folders, strict=True)]
    # Killed once checked: their data goes with the run. Not honcho (the
    # Procfile's runner): it starts each process in a session of its own,
    # which only it ends.
    servers = Servers(timeout=timeout, graceful=server == "procfile")
    containers = None
    if found_engine is not None:
        containers = Containers(found_engine, timeout=timeout, cancel=servers.cancel)
    environments = SharedEnvironments(isolated, workdir, servers.cancel)
    workers = max(1, min(jobs or default_jobs(), len(plans)))
    pool = ThreadPoolExecutor(max_workers=workers)
    stopping = ThreadPoolExecutor(max_workers=len(plans) or 1)
    # Ctrl-C and SIGTERM are only recorded while the workers run; the loop
    # below notices them within 0.2 s and stops the run from here.
    with signals_held() as interrupted:
        try:
            # The longest first, so the short ones fill in at the end (see
            # _work); the reports keep the order given.
            futures = {
                index: pool.submit(
                    _check_one,
                    *(plans[index], servers, server, environments, workdir, env),
                    *(containers, stopping),
                )
                for index in sorted(range(len(plans)), key=lambda i: -_work(plans[i]))
            }
            while wait(futures.values(), timeout=0.2).not_done and not interrupted:
                pass
            if interrupted:
                raise KeyboardInterrupt
            return [futures[index].result() for index in range(len(plans))]
        finally:
            # Done, interrupted or an error: tell every worker to stop, wait
            # for them and for the servers being ended, then end every
            # process this run started.
            servers.cancel.set()
            pool.shutdown(wait=True, cancel_futures=True)
            stopping.shutdown(wait=True)
            servers.close()
            if containers is not None:
                containers.close()
            databases.close()
            shutil.rmtree(workdir, ignore_errors=True)
