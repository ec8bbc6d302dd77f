"""Each generated project is a starter a user can install, test and deploy.

Slow: every project gets a fresh virtual environment, installed exactly as its
README says; then its own tests, ruff and (Django) the deployment checks run,
and gunicorn serves it in production mode. Hello World is a lesson, not a
starter (its README says so): it is installed, tested and linted, not deployed.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import time
import venv
from pathlib import Path

import pytest
import requests
from xprocess import ProcessStarter

from scaffold.generation.catalog import PROJECTS
from scaffold.generation.generate import generate_all

from .conftest import HOSTILE, Page

pytestmark = pytest.mark.slow

NAMES = [p.name for p in PROJECTS]
STARTERS = [p.name for p in PROJECTS if p.app != "hello"]
DJANGO_STARTERS = [n for n in STARTERS if n.startswith("django-")]
# The projects with accounts (the api variant too): a visitor who is not
# logged in is sent from the list to the log-in page.
ACCOUNTS = {p.name for p in PROJECTS if p.answers.get("accounts")}


def readme_commands(project: Path, section: str) -> list[str]:
    """The `(.venv) $ ...` commands of one README section, in order."""
    readme = (project / "README.md").read_text("utf-8")
    body = readme.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\(\.venv\) \$ (.+)$", body, re.M)


def venv_env(env_dir: Path, **extra: str) -> dict[str, str]:
    """The environment `source .venv/bin/activate` gives, minus test leftovers."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FLASK_"))
    }
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    env["VIRTUAL_ENV"] = str(env_dir)
    env.pop("PYTHONHOME", None)
    return {**env, **extra}


def sh(command: str, project: Path, env: dict[str, str], timeout: int = 600):
    return subprocess.run(
        ["bash", "-c", command],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    # Hostile answers: the starters must work with any text in them.
    dest = tmp_path_factory.mktemp("starters") / "projects"
    generate_all(dest, HOSTILE)
    return {p.name: dest / p.name for p in PROJECTS}


def each(names: list[str]):
    """Parametrize a test over the `installed` projects named."""
    return pytest.mark.parametrize("installed", names, indirect=True)


@pytest.fixture(scope="module")
def installed(request: pytest.FixtureRequest, projects: dict[str, Path]):
    """(project, venv environment), installed as the README's Install section says."""
    project = projects[request.param]
    env_dir = project / ".venv"
    venv.create(env_dir, with_pip=True)
    env = venv_env(env_dir)
    commands = readme_commands(project, "Install")
    assert any("pip install -e ." in c for c in commands), commands
    for command in commands:
        done = sh(command, project, env)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return project, env


@each(NAMES)
def test_own_tests_and_lint_pass(installed) -> None:
    project, env = installed
    commands = readme_commands(project, "Test")
    assert any("ruff check" in c for c in commands)
    for command in commands:
        done = sh(command, project, env)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        if "test" in shlex.split(command)[-1:] or command.startswith("pytest"):
            assert re.search(
                r"(\d+ passed|Ran [1-9]\d* tests?)", done.stdout + done.stderr
            )


def production_env(env: dict[str, str], **extra: str) -> dict[str, str]:
    return {
        **env,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "FLASK_SECRET_KEY": secrets.token_urlsafe(50),
        **extra,
    }


DEPLOY_CHECK = "python manage.py check --deploy --fail-level WARNING"
MIGRATIONS_CHECK = "python manage.py makemigrations --check --dry-run"


@each(["django-website", "django-todo", "django-todo-accounts"])
def test_django_deploy_and_migration_checks(installed) -> None:
    project, env = installed
    deploy = sh(f"DJANGO_DEBUG=0 {DEPLOY_CHECK}", project, production_env(env))
    assert deploy.returncode == 0, deploy.stderr
    migrations = sh(MIGRATIONS_CHECK, project, env)
    assert migrations.returncode == 0, migrations.stdout + migrations.stderr
    assert "No changes detected" in migrations.stdout


@each(["django-website"])
def test_django_checks_catch_debug_and_missing_migrations(installed) -> None:
    project, env = installed
    debug = sh(f"DJANGO_DEBUG=1 {DEPLOY_CHECK}", project, production_env(env))
    assert debug.returncode != 0
    assert "DEBUG" in debug.stderr
    models = project / "pages" / "models.py"
    models.write_text(
        "from django.db import models\n\n\n"
        "class Note(models.Model):\n    text = models.TextField()\n"
    )
    try:
        migrations = sh(MIGRATIONS_CHECK, project, env)
    finally:
        models.unlink()
    assert migrations.returncode != 0
    assert "Create model Note" in migrations.stdout


def gunicorn_target(project: Path) -> str:
    """The WSGI target of the README's gunicorn command."""
    for command in readme_commands(project, "Run in production"):
        if command.startswith("gunicorn "):
            return shlex.split(command)[1]
    raise AssertionError("the README gives no gunicorn command")


def production_setup(project: Path, env: dict[str, str]) -> None:
    """Run the README's production migrations, as written, before gunicorn."""
    for command in readme_commands(project, "Run in production"):
        if " migrate" in command or " db upgrade" in command:
            done = sh(command, project, env)
            assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@each(STARTERS)
def test_gunicorn_serves_production_mode(installed, xprocess) -> None:
    project, env = installed
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = str(Path(env["VIRTUAL_ENV"]) / "bin" / "gunicorn")

    # Production settings; the database (to-do) outside the project folder.
    data = project.parent / f"{project.name}-data" / "todo.sqlite3"
    serving = production_env(
        venv_env(project / ".venv"),
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_DATABASE=str(data),
        FLASK_DATABASE=str(data),
    )
    production_setup(project, serving)

    class Starter(ProcessStarter):
        args = (gunicorn, gunicorn_target(project), "--bind", f"127.0.0.1:{port}")
        env = serving  # xprocess replaces the whole environment with `env`
        popen_kwargs = {"cwd": str(project)}  # noqa: RUF012
        timeout = 60
        terminate_on_interrupt = True

        def startup_check(self) -> bool:
            # Any failure means "not yet": xprocess lets an exception raised
            # here end the test, and a loaded machine may take more than a
            # second to answer the first request.
            try:
                return requests.get(base, timeout=5).status_code < 500
            except requests.RequestException:
                return False

    name = f"gunicorn-{project.name}-{os.getpid()}"
    xprocess.ensure(name, Starter)
    try:
        home = requests.get(f"{base}/", timeout=10)
        assert home.status_code == 200
        missing = requests.get(f"{base}/no-such-page/", timeout=10)
        assert missing.status_code == 404
        for leak in ("Traceback", "DEBUG", "settings", "Werkzeug Debugger"):
            assert leak not in missing.text
        if project.name in ACCOUNTS:
            # A visitor who is not logged in is sent to log in first.
            assert home.url.startswith(f"{base}/accounts/login/")
            assert "Sign up" in home.text
            assert data.is_file()
        elif "todo" in project.name:
            assert "Nothing to do yet" in home.text
            assert "<title>Todos" in home.text
            assert data.is_file()  # the migrated database, where it was told to be
        elif "website" in project.name:
            assert requests.get(f"{base}/about/", timeout=10).status_code == 200
            css = requests.get(f"{base}/static/css/style.css", timeout=10)
            assert css.status_code == 200
            assert css.headers["Content-Type"].startswith("text/css")
            assert Page(missing.text).stylesheets == ["/static/css/style.css"]
    finally:
        xprocess.getinfo(name).terminate()


@each([*DJANGO_STARTERS, "flask-todo"])
def test_refuses_to_start_without_a_secret_key(installed) -> None:
    project, env = installed
    target = shlex.quote(gunicorn_target(project))
    done = sh(f"gunicorn {target} --bind 127.0.0.1:0", project, env,
              timeout=120)  # fmt: skip
    assert done.returncode != 0
    variable = "FLASK_SECRET_KEY" if "flask" in project.name else "DJANGO_SECRET_KEY"
    assert variable in done.stderr


def try_production_locally(project: Path, env: dict[str, str]) -> tuple[int, int]:
    """Follow the README's "Try production locally": (status of /, of a foreign
    Host), both as curl reports them, while gunicorn runs as the README says."""
    *setup, serve = readme_commands(project, "Try production locally")
    script = "set -e\n" + "\n".join(setup) + f"\nexec {serve}\n"
    server = subprocess.Popen(["bash", "-c", script], cwd=project, env=env,
                              start_new_session=True)  # fmt: skip
    curl = "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8000/"
    try:
        for _ in range(120):
            found = sh(curl, project, env)
            if found.stdout not in ("", "000"):
                break
            time.sleep(0.5)
        foreign = sh(curl + " -H 'Host: example.com'", project, env)
        return int(found.stdout), int(foreign.stdout)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@each(STARTERS)
def test_the_readme_production_try_works(installed) -> None:
    project, env = installed
    expected = 302 if project.name in ACCOUNTS else 200
    assert try_production_locally(project, env) == (expected, 400)
