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
# A prepare command that does what development entry points and Alembic's
# env.py do: set development variables, import the project's settings,
# configure logging (fileConfig disables every existing logger).
MIGRATE = """\
import logging, logging.config, os, sys
os.environ.setdefault("APP_DEBUG", "1")
import pages, settings
logging.config.fileConfig("logging.ini")
print("migrate", pages.WHO, sys.argv[1:], settings.DEBUG, os.getppid(), flush=True)
"""
SETTINGS = "import os\nDEBUG = os.environ.get('APP_DEBUG') == '1'\n"
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
# The server: what it finds of the prepare commands, and of the preloading.
SERVE = """\
import logging, os, sys
print("serve", sys.argv[1:], os.getpid())
root = logging.getLogger()
print("settings" in sys.modules, os.environ.get("APP_DEBUG"), root.handlers)
print("yaml" in sys.modules, "pages" in sys.modules)
"""


def project(tmp_path: Path, **more: str) -> Path:
    files = {
        "pages.py": PAGES,
        "migrate.py": MIGRATE,
        "settings.py": SETTINGS,
        "logging.ini": LOGGING_INI,
        "serve.py": SERVE,
        **more,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def launch(
    folder: Path,
    prepare: list[list[str]],
    server: list[str],
    preload: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    spec = {
        "preload": list(preload),
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


def test_prepare_commands_run_first_and_leave_the_server_alone(tmp_path: Path) -> None:
    folder = project(tmp_path)
    prepare = [["-m", "migrate", "--noinput"], ["migrate.py", "again"]]
    preload = ("PyYAML>=6; python_version>'3'",)
    done = launch(folder, prepare, ["serve.py", "x"], preload)
    assert done.returncode == 0, done.stderr
    first, second, serve, found, preloaded = done.stdout.splitlines()
    # In order, with their own arguments, importing the project's modules,
    # with the development default they set, in a child of the server.
    assert first.startswith("migrate the project ['--noinput'] True ")
    assert second.startswith("migrate the project ['again'] True ")
    assert first.split()[-1] == second.split()[-1] == serve.split()[-1]
    assert serve.startswith("serve ['x'] ")
    # Nothing they did reaches the server: not the project's settings (read
    # afresh, from the server's own variables), nor logging.
    assert found == "False None []"
    # The dependencies were imported before; the project was not.
    assert preloaded == "True False"


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
