"""The launcher runs a project's prepare commands and its server in one
process, each as `python` would run it (scaffold/harness/launcher.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scaffold.harness import launcher
from scaffold.harness.boot import LAUNCHER, _in_process

# A project with a module named like one of the harness's own (pages.py sits
# beside launcher.py): the project's must win, as under plain `python`.
PAGES = "WHO = 'the project'\n"
# A prepare command that does what Alembic's env.py does: fileConfig, which
# disables every logger that exists, and keeps a database open.
MIGRATE = """\
import logging, logging.config, sqlite3, sys
import pages
logging.config.fileConfig("logging.ini")
print("migrate", pages.WHO, sys.argv[1:], flush=True)
KEPT = sqlite3.connect("data.sqlite3")
"""
LOGGING_INI = """\
[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = plain
[logger_root]
level = WARNING
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = plain
[formatter_plain]
format = ALEMBIC-FORMAT %(message)s
"""
SERVE = """\
import logging, sys
import app_log
print("serve", sys.argv[1:], "disabled" if app_log.LOG.disabled else "enabled")
print("handlers", len(logging.getLogger().handlers))
"""
APP_LOG = "import logging\nLOG = logging.getLogger('project')\n"


def project(tmp_path: Path, **more: str) -> Path:
    files = {
        "pages.py": PAGES,
        "migrate.py": MIGRATE,
        "logging.ini": LOGGING_INI,
        "serve.py": SERVE,
        "app_log.py": APP_LOG,
        **more,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def launch(
    folder: Path, prepare: list[list[str]], server: list[str]
) -> subprocess.CompletedProcess[str]:
    spec = {
        "prepare": prepare,
        "shown": [" ".join(["python", *command]) for command in prepare],
        "server": server,
    }
    return subprocess.run(
        [sys.executable, str(LAUNCHER), json.dumps(spec)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_prepare_then_serve_in_one_process(tmp_path: Path) -> None:
    # warm.py makes the project's logger before the migration runs, as a
    # prepare command that imports the project does.
    folder = project(tmp_path, **{"warm.py": "import app_log\n"})
    done = launch(
        folder, [["warm.py"], ["-m", "migrate", "--noinput"]], ["serve.py", "x"]
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # In order, with their own arguments, importing the project's modules.
    assert lines[0] == "migrate the project ['--noinput']"
    # fileConfig disabled the project's logger and replaced the root's
    # handlers: the server gets them back as a fresh process has them.
    assert lines[1] == "serve ['x'] enabled"
    assert lines[2] == "handlers 0"


def test_a_failing_prepare_command_is_named(tmp_path: Path) -> None:
    folder = project(tmp_path, **{"fail.py": "raise SystemExit(3)\n"})
    done = launch(folder, [["-m", "migrate"], ["fail.py", "--now"]], ["serve.py"])
    assert done.returncode == 3
    assert "serve" not in done.stdout
    last = done.stderr.splitlines()[-1]
    assert last == f"{launcher.MARK} 'python fail.py --now' exited with status 3"


def test_a_crashing_prepare_command_shows_its_traceback(tmp_path: Path) -> None:
    folder = project(tmp_path, **{"crash.py": "raise ValueError('no such table')\n"})
    done = launch(folder, [["crash.py"]], ["serve.py"])
    assert done.returncode == 1
    assert "ValueError: no such table" in done.stderr
    assert done.stderr.splitlines()[-1].endswith(
        "'python crash.py' exited with status 1"
    )


def test_a_message_exit_is_status_one(tmp_path: Path) -> None:
    folder = project(tmp_path, **{"say.py": "raise SystemExit('broken on purpose')\n"})
    done = launch(folder, [["say.py"]], ["serve.py"])
    assert done.returncode == 1
    assert "broken on purpose" in done.stderr


def test_which_commands_run_in_process() -> None:
    assert _in_process(("python", "-m", "gunicorn", "app:app"))
    assert _in_process(("python", "manage.py", "migrate"))
    # Anything else keeps a process of its own.
    assert not _in_process(("python", "-c", "print(1)"))
    assert not _in_process(("python", "-m"))
    assert not _in_process(("gunicorn", "app:app"))
    assert not _in_process(("python",))


# A migration leaves a connection open in SQLAlchemy's pool and in Django's
# connection handler; the server's workers are forked from this process.
OPEN_BOTH = """\
import django, sqlalchemy
from django.conf import settings
ENGINE = sqlalchemy.create_engine("sqlite:///data.sqlite3")
ENGINE.connect().close()  # back in the pool, still open
settings.configure(DATABASES={
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "data.sqlite3"}
})
django.setup()
from django.db import connection
connection.ensure_connection()
"""
SHOW_OPEN = """\
import open_both
from django.db import connection
print("sqlalchemy", open_both.ENGINE.pool.checkedin(), "django", connection.connection)
"""


def test_no_connection_crosses_into_the_server(tmp_path: Path) -> None:
    files = {"open_both.py": OPEN_BOTH, "prep.py": "import open_both\n"}
    folder = project(tmp_path, **files, **{"show.py": SHOW_OPEN})
    done = launch(folder, [["prep.py"]], ["show.py"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["sqlalchemy 0 django None"]
