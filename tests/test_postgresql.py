"""PostgreSQL: the to-dos made with `database: postgresql`, and the harness's
throwaway server (scaffold/harness/postgres.py).

The projects' own tests and migration checks run here against a real server,
with DATABASE_URL set as a developer or CI would; the acceptance suite
(tests/acceptance/) drives the served apps over HTTP on both databases.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
import pytest

from scaffold import leftovers
from scaffold.generation.catalog import FRAMEWORKS, find_project
from scaffold.generation.generate import generate
from scaffold.harness import postgres
from scaffold.project import GeneratedProject

from .test_harness import processes_under, scaffold_process

# Run in the project folder, with the database the test made.
OWN_CHECKS = {
    "flask": [
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        [sys.executable, "-m", "flask", "db", "upgrade"],
        [sys.executable, "-m", "flask", "db", "check"],
    ],
    "django": [
        [sys.executable, "manage.py", "test"],
        [sys.executable, "manage.py", "migrate", "--noinput"],
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
    ],
}


@pytest.fixture(scope="module")
def on_postgresql(
    tmp_path_factory: pytest.TempPathFactory, example_answers: dict[str, str]
) -> dict[str, Path]:
    """Each to-do made with PostgreSQL, plain and with accounts."""
    dest = tmp_path_factory.mktemp("on-postgresql")
    made = {}
    for accounts in ("false", "true"):
        answers = {**example_answers, "database": "postgresql", "accounts": accounts}
        for framework in FRAMEWORKS:
            name = f"{framework}-todo" + ("-accounts" if accounts == "true" else "")
            made[name] = generate(find_project("todo", framework), dest / name, answers)
    return made


@pytest.mark.parametrize("accounts", ["", "-accounts"], ids=["plain", "accounts"])
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_own_tests_and_migration_checks_pass_on_postgresql(
    framework: str, accounts: str, on_postgresql: dict[str, Path], scaffold_postgresql
) -> None:
    project = on_postgresql[f"{framework}-todo{accounts}"]
    url = scaffold_postgresql.create_database(f"own-{framework}{accounts}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "DJ"))},
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": "test",
    }
    for command in OWN_CHECKS[framework]:
        done = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=300
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{command}\n{output}"
    # The schema is in PostgreSQL, index included, not in a SQLite file.
    assert not (project / "data").exists()
    with psycopg.connect(url) as connection:
        indexes = connection.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname = %s",
            ("todo_completed_id_idx",),
        ).fetchall()
    assert indexes == [("todo_completed_id_idx",)]


def test_postgres_urls_reach_sqlalchemy_as_psycopg(on_postgresql) -> None:
    """Hosting platforms hand out postgres:// URLs; SQLAlchemy needs
    postgresql+psycopg://."""

    def database_uri(url: str) -> subprocess.CompletedProcess:
        code = (
            "import ada_notebook as a; app = a.create_app({'SECRET_KEY': 'x'}); "
            "uri = app.config['SQLALCHEMY_DATABASE_URI']; "
            "print(uri.render_as_string(hide_password=False))"
        )
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=on_postgresql["flask-todo"],
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
        )

    done = database_uri("postgres://u:p%40ss@db.example.com:5432/todos")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "postgresql+psycopg://u:p%40ss@db.example.com:5432/todos"
    )
    # Something that is not a URL: the app does not start, and says why.
    done = database_uri("db.example.com/todos")
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last == (
        "sqlalchemy.exc.ArgumentError: "
        "Could not parse SQLAlchemy URL from given URL string"
    )


def test_without_the_binaries_the_harness_says_how_to_install_them(
    generated: dict[str, Path], on_postgresql, cli, monkeypatch
) -> None:
    monkeypatch.setattr(postgres, "find_pg_ctl", lambda: None)
    result = cli("check", on_postgresql["flask-todo"])
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert "apt-get install postgresql" in result.err
    assert "--database-url" in result.err
    # Projects on SQLite need no server at all.
    assert cli("check", generated["flask-todo"]).code == 0


def test_a_database_url_that_is_not_postgresql_is_refused(on_postgresql, cli) -> None:
    result = cli("check", on_postgresql["django-todo"], "--database-url", "mysql://x/y")
    assert result.code == 1
    assert "is not a PostgreSQL URL" in result.err
    assert result.err.count("\n") == 1


def test_check_uses_the_given_server_and_drops_its_databases(
    on_postgresql, cli, scaffold_postgresql
) -> None:
    def databases() -> set[str]:
        # Other tests on this worker keep databases of their own on the server.
        with psycopg.connect(scaffold_postgresql.url) as connection:
            rows = connection.execute("SELECT datname FROM pg_database").fetchall()
        return {name for (name,) in rows}

    before = databases()
    result = cli(
        "check", *on_postgresql.values(), "--database-url", scaffold_postgresql.url
    )
    assert result.code == 0, result.out
    assert "0 failed" in result.out
    assert databases() == before  # the check's databases are dropped


def test_the_throwaway_server_is_gone_after_the_run(tmp_path: Path) -> None:
    with postgres.throwaway_server(tmp_path) as server:
        url = server.create_database("probe")
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)
    assert not (tmp_path / "postgresql").exists()


def test_boot_serves_a_postgresql_todo_on_its_own_throwaway_server(
    on_postgresql: dict[str, Path], scaffold_postgresql
) -> None:
    # scaffold_postgresql: skipped (or failed in CI) when there are no binaries.
    import requests

    import scaffold

    with scaffold.boot(on_postgresql["flask-todo"]) as app:
        page = requests.get(app.url + "/", timeout=10)
        assert page.status_code == 200
        assert "Nothing to do yet" in page.text
        environ = psutil.Process(app.pid).environ()
        url = environ["DATABASE_URL"]
        assert url.startswith("postgresql://postgres@127.0.0.1:")
    # The server boot started is gone with the app.
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)


def test_boot_uses_the_database_it_is_given(
    on_postgresql: dict[str, Path], scaffold_postgresql
) -> None:
    import requests

    import scaffold

    url = scaffold_postgresql.create_database("boot-given")
    with scaffold.boot(
        on_postgresql["django-todo"], database_url=url, workers=1
    ) as app:
        assert psutil.Process(app.pid).environ()["DATABASE_URL"] == url
        assert len(psutil.Process(app.pid).children()) == 1
        assert requests.get(app.url + "/", timeout=10).status_code == 200
    with psycopg.connect(url) as connection:  # migrated into the given database
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name = 'todos_todo'"
        ).fetchone()
    assert tables == (1,)


# Put first in the app package: under gunicorn the app never answers (so the
# check is surely still waiting when the signal lands); migrations still run.
# The app may be imported by the migrations first, in the process gunicorn
# then runs in (scaffold/harness/launcher.py): its workers hang when forked.
HANG_UNDER_GUNICORN = (
    "import os, sys, time\n"
    "def _hang():\n"
    "    if 'gunicorn' in sys.argv[0]:\n"
    "        time.sleep(600)  # never gets to serve\n"
    "_hang()\n"
    "os.register_at_fork(after_in_child=_hang)\n"
)


def running(name: str, folder: Path) -> list[psutil.Process]:
    """Live processes working inside ``folder`` whose command names ``name``."""
    return [
        p for p in processes_under(folder) if name in " ".join(p.info["cmdline"] or ())
    ]


@dataclass
class HungCheck:
    run: subprocess.Popen[str]  # `scaffold check` of the project
    project: Path
    scratch: Path  # the run's temporary folder (TMPDIR)


@pytest.fixture
def hung_check(tmp_path: Path, example_answers: dict[str, str], request) -> HungCheck:
    """`scaffold check` of a PostgreSQL to-do whose app never answers, caught
    while its server and its app both run."""
    answers = {**example_answers, "database": "postgresql"}
    project = generate(find_project("todo", "flask"), tmp_path / "todo", answers)
    package = next(project.glob("*/__init__.py"))
    package.write_text(HANG_UNDER_GUNICORN + package.read_text())
    # The temporary folder: one the server's user (as root: postgres) can enter.
    scratch = Path(tempfile.mkdtemp(prefix="scaffold-test-", dir="/tmp"))
    scratch.chmod(0o755)
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    run = scaffold_process("check", project, "--timeout", "120", tmp=scratch)
    deadline = time.monotonic() + 90
    while not (
        running("postgres", scratch)
        # As root the app runs as nobody, from a copy in the run's folder.
        and (running("gunicorn", project) or running("gunicorn", scratch))
    ):
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the server or the app never started"
        time.sleep(0.05)
    return HungCheck(run, project, scratch)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=str)
def test_an_interrupted_check_stops_and_removes_its_server(
    hung_check: HungCheck, sig: int
) -> None:
    run, project, scratch = hung_check.run, hung_check.project, hung_check.scratch
    run.send_signal(sig)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130, out + err
    assert "interrupted" in err and "Traceback" not in err
    assert processes_under(scratch) == [], "the PostgreSQL server is stopped"
    assert [p.info["cmdline"] for p in processes_under(project)] == []
    assert list(scratch.iterdir()) == [], "its cluster is removed"


@pytest.mark.skipif(
    os.geteuid() != 0, reason="the server runs as another user only for root"
)
def test_a_temporary_folder_the_server_cannot_enter_is_named(
    on_postgresql: dict[str, Path], cli, tmp_path: Path, monkeypatch
) -> None:
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    monkeypatch.setenv("TMPDIR", str(closed))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    result = cli("check", on_postgresql["flask-todo"])
    assert result.code == 1
    assert result.err.count("\n") == 1, result.err
    assert "may not enter" in result.err and "TMPDIR" in result.err
    assert list(closed.iterdir()) == [], "nothing left behind"


def test_pytest_plugin_serves_a_todo_on_postgresql(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import psycopg, requests

        TABLES = {"flask": "todo", "django": "todos_todo"}

        def databases(url):
            with psycopg.connect(url) as connection:
                rows = connection.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'scaffold_%'"
                ).fetchall()
            return {name for (name,) in rows}

        def test_todo(scaffold_app, scaffold_postgresql):
            before = databases(scaffold_postgresql.url)
            for framework, table in TABLES.items():
                app = scaffold_app("todo", framework, database="postgresql")
                assert app.project.answers["database"] == "postgresql"
                assert requests.get(app.url + "/").status_code == 200
                # Its tables were made (migrated) in a new database on the server.
                (new,) = databases(scaffold_postgresql.url) - before
                before.add(new)
                url = scaffold_postgresql.url.rsplit("/", 1)[0] + "/" + new
                with psycopg.connect(url) as connection:
                    found = connection.execute(
                        "SELECT to_regclass(%s) IS NOT NULL", (table,)
                    ).fetchone()
                assert found == (True,), framework
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("database", ["postgresql", "all"])
def test_smoke_checks_the_todos_on_the_database_asked_for(
    cli, tmp_path: Path, database: str
) -> None:
    kept = tmp_path / "projects"
    result = cli("smoke", "--database", database, "--keep", kept)
    assert result.code == 0, result.out + result.err
    assert "FAIL" not in result.out
    todos = sorted(p.name for p in kept.iterdir() if "-todo" in p.name)
    recorded = {
        name: GeneratedProject.read(kept / name).answers["database"] for name in todos
    }
    if database == "postgresql":
        assert set(recorded.values()) == {"postgresql"}
    else:  # the to-dos on SQLite, and once more on PostgreSQL
        extra = {"flask-todo-postgresql", "django-todo-postgresql"}
        assert extra <= set(todos)
        assert {recorded[name] for name in extra} == {"postgresql"}
        assert {recorded[name] for name in set(todos) - extra} == {"sqlite"}
    for name in todos:
        assert f"{name}: gunicorn, current environment, http://127.0.0.1:" in result.out


def test_a_killed_check_leaves_its_server_to_the_next_run(
    hung_check: HungCheck, example_answers: dict[str, str], tmp_path: Path
) -> None:
    run, scratch = hung_check.run, hung_check.scratch
    hello = generate(
        find_project("hello", "flask"), tmp_path / "hello", example_answers
    )
    run.kill()  # SIGKILL: no clean-up of its own
    run.communicate()
    left = running("postgres", scratch)
    assert left, "the killed run left its PostgreSQL server"

    completed = subprocess.run(
        [sys.executable, "-m", "scaffold", "check", hello],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "interrupted run" in completed.stdout
    psutil.wait_procs(left, timeout=10)
    assert [p for p in left if p.is_running() and p.status() != "zombie"] == []
    assert list(scratch.iterdir()) == [], "its cluster and folders are gone"


@pytest.mark.skipif(
    os.geteuid() != 0, reason="the cluster folder changes owner only for root"
)
def test_leftovers_go_by_the_markers_owner_not_the_folders(tmp_path: Path) -> None:
    """As root the cluster folder is handed to the server's user after it is
    marked: still ours. A marker another user wrote names no run of ours."""
    nobody = pwd.getpwnam("nobody")
    dead = json.dumps({"run": "0" * 32, "pid": 1, "started": 0.0})
    handed = tmp_path / "scaffold-postgresql-killed"
    handed.mkdir()
    (handed / leftovers.MARKER).write_text(dead)
    os.chown(handed, nobody.pw_uid, nobody.pw_gid)
    planted = tmp_path / "scaffold-planted"
    planted.mkdir()
    (planted / leftovers.MARKER).write_text(dead)
    os.chown(planted / leftovers.MARKER, nobody.pw_uid, nobody.pw_gid)

    said = leftovers.clean_up(tmp_path)
    assert "removed 1 temporary folder(s)" in said, said
    assert list(tmp_path.iterdir()) == [planted]
