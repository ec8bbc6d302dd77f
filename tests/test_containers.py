"""The images the projects ship, built and booted as `scaffold check --server
container` does (scaffold/harness/containers.py), and their Procfiles run as
`--server procfile` does.

Each image is built once per session and shared by every test here: six
projects cover both frameworks, the website and the to-do, SQLite and
PostgreSQL, with and without accounts. The broken variants (a Dockerfile
that runs as root, a to-do without its release command, a health endpoint
that lies) reuse the dependency layers of the good ones, so they build in
seconds. Without podman or docker the tests are skipped with a note; in CI
(CI=true) they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from scaffold import leftovers
from scaffold.errors import HarnessFailure, ScaffoldError
from scaffold.generation.catalog import find_project
from scaffold.generation.generate import generate
from scaffold.harness import postgres
from scaffold.harness.containers import (
    Containers,
    RunningContainer,
    find_engine,
    running_container,
)
from scaffold.harness.pages import check_health, check_pages
from scaffold.harness.plan import Plan, load_plan
from scaffold.harness.run import check_projects
from scaffold.leftovers import CONTAINER_LABEL, RUN_ID

from .test_harness import scaffold_process

# name: (framework, app, database, accounts)
SHIPPED = {
    "flask-website": ("flask", "website", "sqlite", "false"),
    "django-website": ("django", "website", "sqlite", "false"),
    "flask-todo": ("flask", "todo", "sqlite", "false"),
    "flask-todo-accounts-postgresql": ("flask", "todo", "postgresql", "true"),
    "django-todo-postgresql": ("django", "todo", "postgresql", "false"),
    "django-todo-accounts": ("django", "todo", "sqlite", "true"),
}
ON_POSTGRESQL = [name for name, spec in SHIPPED.items() if spec[2] == "postgresql"]
COMPILERS = ("gcc", "cc", "c++", "clang")


@pytest.fixture(scope="session")
def engine():
    try:
        return find_engine()
    except ScaffoldError as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs a container engine: {missing}")
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A throwaway PostgreSQL server of these tests' own: one test stops it."""
    if postgres.find_pg_ctl() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(postgres.INSTALL_HINT)
        pytest.skip(postgres.INSTALL_HINT)
    with postgres.throwaway_server(tmp_path_factory.mktemp("pg")) as server:
        yield server


@dataclass
class Shipped:
    plan: Plan
    app: RunningContainer


def _make(dest: Path, name: str, answers: dict[str, str], database) -> Plan:
    framework, app, db, accounts = SHIPPED[name]
    data = {**answers, "database": db, "accounts": accounts}
    folder = generate(find_project(app, framework), dest / name, data)
    # What .dockerignore must keep out of the image.
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / ".env").write_text("SECRET=not-for-the-image\n")
    url = database.create_database(name) if db == "postgresql" else ""
    return load_plan(folder, dest / f"data-{name}", url)


@pytest.fixture(scope="session")
def containers(engine) -> Iterator[Containers]:
    with Containers(engine, timeout=120) as made:
        yield made


@pytest.fixture(scope="session")
def shipped(
    tmp_path_factory: pytest.TempPathFactory,
    example_answers: dict[str, str],
    containers: Containers,
    database,
) -> Iterator[dict[str, Shipped]]:
    """Every project of SHIPPED built once and running, for the session."""
    dest = tmp_path_factory.mktemp("shipped")
    plans = {name: _make(dest, name, example_answers, database) for name in SHIPPED}
    with ExitStack() as stack, ThreadPoolExecutor(max_workers=3) as pool:
        started = {
            name: pool.submit(stack.enter_context, running_container(plan, containers))
            for name, plan in plans.items()
        }
        try:
            yield {n: Shipped(plans[n], f.result()) for n, f in started.items()}
        except HarnessFailure as failure:  # the build's or the container's output
            pytest.fail(f"{failure}\n{failure.log}")


def inside_problems(app: RunningContainer) -> list[str]:
    """What must not be in the image: root, a compiler, .git, .venv, .env."""
    probe = (
        "import os, shutil; "
        f"print(os.getuid(), *[c for c in {COMPILERS!r} if shutil.which(c)], "
        "*[f for f in ('.git', '.venv', '.env') if os.path.exists(f)])"
    )
    uid, *found = app.exec("python", "-c", probe).split()
    problems = [f"runs as root (id -u is {uid})"] if uid == "0" else []
    return problems + [f"{item} in the image" for item in found]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_declared_page_and_the_health_endpoint_pass(
    shipped: dict[str, Shipped], name: str
) -> None:
    plan, app = shipped[name].plan, shipped[name].app
    outcomes = [*check_pages(plan, app.url), check_health(app.url, "/health/")]
    failed = {o.check: o.problems for o in outcomes if not o.ok}
    assert failed == {}, app.log_tail()
    assert app.health_path == "/health/"  # read from render.yaml and fly.toml


@pytest.mark.parametrize("name", SHIPPED)
def test_the_image_runs_as_a_user_without_compiler_git_or_venv(
    shipped: dict[str, Shipped], name: str
) -> None:
    assert inside_problems(shipped[name].app) == []


@pytest.mark.parametrize("name", [n for n in SHIPPED if n.startswith("django")])
def test_django_deploy_checks_pass_in_the_image(
    shipped: dict[str, Shipped], containers: Containers, name: str
) -> None:
    app = shipped[name].app
    # As the platform files set it: behind the platform's HTTPS proxy.
    output = containers.engine_run(
        "exec", "--env", "BEHIND_PROXY=1", "--env", "DJANGO_SECURE_SSL_REDIRECT=1",
        app.name, "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING",
    )  # fmt: skip
    assert "no issues" in output


def _health_within(url: str, seconds: float = 5.0) -> int:
    started = time.monotonic()
    answer = requests.get(url, timeout=seconds)
    assert time.monotonic() - started <= seconds
    return answer.status_code


def _variant(
    plan: Plan, dest: Path, name: str, edit: tuple[str, str, str], database=None
) -> Plan:
    """A copy of a generated project with one file edited (a broken variant)."""
    folder = dest / name
    shutil.copytree(plan.folder, folder)
    path, pattern, new = edit  # a regular expression, one line at a time
    text = (folder / path).read_text()
    assert re.search(pattern, text, re.M), f"{path} no longer matches {pattern!r}"
    (folder / path).write_text(re.sub(pattern, new, text, flags=re.M))
    url = database.create_database(name) if database else ""
    return load_plan(folder, dest / f"data-{name}", url)


def test_health_is_503_while_postgresql_is_down_and_200_after(
    shipped: dict[str, Shipped],
    containers: Containers,
    database,
    tmp_path: Path,
) -> None:
    # A health endpoint that lies: "ok" without asking the database.
    lying = _variant(
        shipped["flask-todo-accounts-postgresql"].plan,
        tmp_path,
        "lying-health",
        (
            "ada_notebook/health.py",
            re.escape("db.session.execute(db.select(Todo.id).limit(1))"),
            "pass",
        ),
        database,
    )
    with running_container(lying, containers) as liar:
        database.stop_server()
        try:
            for name in ON_POSTGRESQL:
                app = shipped[name].app
                assert _health_within(app.url + "/health/") == 503, name
                assert app.running(), f"{name} stopped with its database"
            # The check catches the lie.
            assert _health_within(liar.url + "/health/") == 200
        finally:
            database.start_server()
    for name in ON_POSTGRESQL:
        url = shipped[name].app.url + "/health/"
        deadline = time.monotonic() + 10
        while _health_within(url) != 200:
            assert time.monotonic() < deadline, f"{name} never came back"
            time.sleep(0.2)


def test_a_dockerfile_that_runs_as_root_is_caught(
    shipped: dict[str, Shipped], containers: Containers, tmp_path: Path
) -> None:
    root = _variant(
        shipped["flask-website"].plan,
        tmp_path,
        "as-root",
        ("Dockerfile", r"^USER .*$", ""),
    )
    with running_container(root, containers) as app:
        assert "runs as root (id -u is 0)" in inside_problems(app)


def test_a_to_do_without_its_release_command_fails_the_check(
    shipped: dict[str, Shipped], tmp_path: Path
) -> None:
    plan = shipped["flask-todo"].plan
    procfile = (plan.folder / "Procfile").read_text()
    release = re.search(r"^release:.*\n", procfile, re.M)
    assert release, "flask-todo's Procfile has a release command"
    broken = _variant(plan, tmp_path, "no-release", ("Procfile", r"^release:.*\n", ""))
    (report,) = check_projects([broken.folder], server="container", timeout=15)
    # No tables: the health endpoint answers 503, never 200.
    (failed,) = [o for o in report.outcomes if not o.ok]
    assert failed.check == "start container"
    assert failed.problems == ["/health/ did not answer 200 within 15 s"]
    assert report.image_size and report.build_seconds


def test_a_killed_runs_containers_images_and_volumes_are_removed_next_time(
    engine, containers: Containers, shipped, tmp_path: Path
) -> None:
    """What a run killed with SIGKILL made is labelled with its id; the next
    run's clean-up finds its marked folder, whose owner is gone, and removes
    them (and nothing of a run still going: the session's own containers)."""
    dead = "0" * 32
    label = f"{CONTAINER_LABEL}={dead}"
    image = shipped["flask-website"].app.image.tag

    def engine_run(*args: str) -> str:
        done = subprocess.run([engine.path, *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    engine_run("volume", "create", "--label", label, f"scaffold-data-{dead[:12]}")
    (tmp_path / "Containerfile").write_text(f"FROM {image}\nLABEL {label}\n")
    build = ["build", "--tag", f"localhost/scaffold-killed-{dead[:8]}", str(tmp_path)]
    engine_run(*build)
    engine_run("run", "--detach", "--label", label, image, "sleep", "600")
    # The killed run's marked folder: its owner, PID 1 started long ago, is gone.
    folder = tmp_path / "scaffold-containers-killed"
    folder.mkdir()
    (folder / leftovers.MARKER).write_text(
        json.dumps({"run": dead, "pid": 1, "started": 0.0})
    )
    said = leftovers.clean_up(tmp_path)
    assert "container(s), image(s) and volume(s)" in said, said
    for listing in (["ps", "--all"], ["images"], ["volume", "ls"]):
        assert engine_run(*listing, "--quiet", "--filter", f"label={label}") == ""
    # The session's own containers still run.
    assert all(s.app.running() for s in shipped.values())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=str)
def test_an_interrupted_container_check_removes_what_it_made(
    engine, shipped: dict[str, Shipped], tmp_path: Path, sig: int
) -> None:
    def runs_with(*listing: str) -> set[str]:
        """The run ids labelling the engine's objects, this session's aside."""
        label = f'{{{{index .Labels "{CONTAINER_LABEL}"}}}}'
        done = subprocess.run(
            [engine.path, *listing, "--format", label],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip (another build may be removing an image meanwhile)
        return set(done.stdout.split()) - {RUN_ID, "<no", "value>"}

    before = runs_with("ps", "--all")
    run = scaffold_process(
        "check", shipped["flask-todo"].plan.folder, "--server", "container",
        tmp=tmp_path,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    # Caught with its container running (the build is cached: seconds).
    while not (theirs := runs_with("ps", "--all") - before):
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the check never started a container"
        time.sleep(0.2)
    run.send_signal(sig)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, out + err
    for listing in (["ps", "--all"], ["images"], ["volume", "ls"]):
        assert not runs_with(*listing) & theirs, f"{listing} left behind"
