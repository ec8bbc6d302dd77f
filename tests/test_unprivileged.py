"""Run as root, the harness runs a checked project's processes as nobody
(issue 21, item 12): a project must not read the caller's secrets through
/proc/<pid>/environ of scaffold, and nothing changes for other callers."""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import pytest

from scaffold.harness import unprivileged
from scaffold.harness.plan import load_plan
from scaffold.harness.run import check_projects
from scaffold.harness.unprivileged import run_folder_plan

from .test_harness import make

as_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="the harness switches users only when run as root"
)
# As root, with an environment nobody can run (one made from a pyenv under
# /root), the projects run as root: .ci/run makes its environment from
# /usr/bin/python3 so that these run.
as_nobody = pytest.mark.skipif(
    os.geteuid() != 0
    or not unprivileged.usable_by(sys.executable, "nobody", unprivileged.LAUNCHER),
    reason="runs as root with an environment nobody can run",
)

# Put first in the app package: every process that imports the app (prepare
# and release commands, the server), and every process forked from one
# (gunicorn's workers), looks for the planted secret in the environment of
# each of its ancestors, scaffold's among them, and records what it found,
# and as whom, in the folder PROBE_OUTBOX names.
PROBE = """\
import json as _json, os as _os, sys as _sys


def _probe():
    pid, leaked = _os.getpid(), []
    while pid > 1:
        try:
            with open(f"/proc/{pid}/environ", "rb") as environ:
                if b"SECRET_TOKEN=planted-" in environ.read():
                    leaked.append(pid)
        except OSError:
            pass
        with open(f"/proc/{pid}/status") as status:
            pid = int([x for x in status if x.startswith("PPid:")][0].split()[1])
    record = {"uid": _os.getuid(), "argv": _sys.argv, "leaked": leaked}
    where = _os.path.join(_os.environ["PROBE_OUTBOX"], f"{_os.getpid()}.json")
    with open(where, "w") as out:
        _json.dump(record, out)


_probe()
_os.register_at_fork(after_in_child=_probe)
"""

# `scaffold` with the switch to nobody turned off: proves the probe finds the
# secret when the apps run as the caller.
UNDROPPED = (
    "import sys\n"
    "from scaffold.harness import unprivileged\n"
    "unprivileged.app_user = lambda: None\n"
    "from scaffold.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.fixture(scope="module")
def hello(tmp_path_factory, example_answers) -> Path:
    """A flask-hello, generated once for the module: copy it to change it."""
    return make(tmp_path_factory.mktemp("hello"), "flask-hello", example_answers)


@pytest.fixture(scope="module")
def probed(tmp_path_factory, example_answers) -> Path:
    """A flask-to-do whose every process probes for the caller's secret."""
    project = make(tmp_path_factory.mktemp("probed"), "flask-todo", example_answers)
    package = next(project.glob("*/__init__.py"))
    package.write_text(PROBE + package.read_text())
    return project


def probe_check(
    project: Path, server: str, outbox: Path, switch: bool = True
) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    """`scaffold check` with a secret in its environment; what the probes saw."""
    outbox.chmod(0o777)
    entry = ["-m", "scaffold"] if switch else ["-c", UNDROPPED]
    options = ["--server", server, "--env", f"PROBE_OUTBOX={outbox}"]
    done = subprocess.run(
        [sys.executable, *entry, "check", str(project), *options],
        capture_output=True,
        text=True,
        timeout=180,
        env={
            **os.environ,
            "SECRET_TOKEN": f"planted-{secrets.token_hex(8)}",
            "TMPDIR": str(outbox),
        },
    )
    records = [json.loads(p.read_text()) for p in outbox.glob("*.json")]
    return done, records


@as_nobody
@pytest.mark.parametrize("server", ["gunicorn", "dev", "procfile"])
def test_the_apps_of_a_root_run_cannot_read_its_secrets(
    probed: Path, server: str, open_tmp: Path
) -> None:
    done, records = probe_check(probed, server, open_tmp)
    assert done.returncode == 0, done.stdout + done.stderr
    commands = [" ".join(record["argv"]) for record in records]
    assert any("upgrade" in c for c in commands), "the migrations ran"
    # The dev server serves from the process that ran them (launcher.py);
    # gunicorn's workers, and the Procfile's release command, are others.
    assert len(records) >= (1 if server == "dev" else 2), commands
    nobody = pwd.getpwnam("nobody").pw_uid
    assert {record["uid"] for record in records} == {nobody}, commands
    assert [r["leaked"] for r in records if r["leaked"]] == [], commands


def test_without_the_switch_the_probe_finds_the_secret(
    probed: Path, open_tmp: Path
) -> None:
    """The same probe, with the apps run as the caller (as before, and as for
    any caller but root), reads the secret from scaffold's environment."""
    done, records = probe_check(probed, "gunicorn", open_tmp, switch=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert records and {record["uid"] for record in records} == {os.getuid()}
    assert all(record["leaked"] for record in records), records


@as_nobody
def test_a_copy_runs_and_the_report_names_the_project(
    tmp_path: Path, hello: Path, open_tmp: Path, monkeypatch
) -> None:
    project = Path(shutil.copytree(hello, tmp_path / hello.name))
    for left_out in (".git", ".venv", "__pycache__", "node_modules"):
        (project / left_out).mkdir()
        (project / left_out / "secret.txt").write_text("not copied")
    os.mkfifo(project / "pipe")  # would hang a copy that reads it
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    monkeypatch.setattr(tempfile, "tempdir", str(open_tmp))
    workdir = open_tmp / "work"
    workdir.mkdir()

    plan = load_plan(project, workdir / "data")
    plan = run_folder_plan(plan, workdir, sys.executable)
    copy = plan.folder
    assert copy != project and copy.name == project.name and plan.name == "flask-hello"
    assert plan.user == "nobody" and (copy / "app.py").is_file()
    assert not any((copy / name).exists() for name in (".git", ".venv", "pipe"))
    nobody = pwd.getpwnam("nobody").pw_uid
    home = Path(plan.env["HOME"])
    assert {copy.stat().st_uid, plan.data_dir.stat().st_uid, home.stat().st_uid} == {
        nobody
    }
    assert oct(workdir.stat().st_mode & 0o777) == "0o711", "enter, not list"

    (report,) = check_projects([project])
    assert report.ok and report.folder == project.resolve()
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


@as_nobody
def test_a_temporary_folder_nobody_can_enter_is_named(
    tmp_path: Path, hello: Path, monkeypatch
) -> None:
    closed = tmp_path / "closed"  # in pytest's folder: closed to other users
    closed.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(closed))
    (report,) = check_projects([hello])
    (problem,) = report.outcomes[0].problems
    assert "'nobody'" in problem and "may not enter" in problem, problem
    assert "TMPDIR" in problem and "\n" not in problem
    assert list(closed.iterdir()) == [], "nothing left behind"


@as_root
def test_an_interpreter_nobody_cannot_run_keeps_the_caller(
    tmp_path: Path, hello: Path, open_tmp: Path
) -> None:
    """A pyenv Python under /root cannot be run by nobody: the project runs as
    the caller (the README's commands still work), and the report says so."""
    launcher = unprivileged.LAUNCHER
    # A virtual environment under pytest's folder, closed to other users, as
    # one made from a pyenv Python under /root is to them.
    venv.create(tmp_path / "venv", symlinks=True)
    hidden = str(tmp_path / "venv" / "bin" / "python")
    assert not unprivileged.usable_by(hidden, "nobody", launcher)
    assert not unprivileged.usable_by(sys.executable, "nobody", tmp_path / "x.py")
    workdir = open_tmp / "work"
    workdir.mkdir()
    plan = load_plan(hello, workdir / "data")
    assert run_folder_plan(plan, workdir, hidden) is plan
    note = unprivileged.fallback_note(plan, hidden)
    assert note.startswith("run as root: 'nobody' cannot run") and hidden in note
    # An interpreter nobody can run: a copy, run as nobody, and no note.
    usable = "/usr/bin/python3"
    if unprivileged.usable_by(usable, "nobody", launcher):
        dropped = run_folder_plan(plan, workdir, usable)
        assert dropped.user == "nobody" and dropped.folder != plan.folder
        assert unprivileged.fallback_note(dropped, usable) == ""


def test_other_callers_run_the_project_itself(
    tmp_path: Path, hello: Path, monkeypatch
) -> None:
    """Not root: the plan is the project's own, nothing is copied, no user."""
    monkeypatch.setattr(unprivileged.os, "geteuid", lambda: 1000)
    workdir = tmp_path / "work"
    workdir.mkdir()
    plan = load_plan(hello, workdir / "data")
    assert run_folder_plan(plan, workdir, sys.executable) is plan
    assert plan.user is None and list(workdir.iterdir()) == []
    assert unprivileged.app_user() is None
