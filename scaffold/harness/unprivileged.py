"""Run what the harness starts as an unprivileged user when scaffold is root.

A checked project's code runs under the harness. Its environment is filtered
(environments.py), but a process can still read ``/proc/<pid>/environ`` of
every process of its own user: run as root, a checked app could read the
caller's secrets from scaffold's own environment. So, run as root (CI
containers, this project's own CI), the harness starts the processes of a
checked project as another user, as it already does for PostgreSQL (which
refuses root):

- ``unprivileged_user(names, what)`` picks that user (None when scaffold is
  not root: then nothing changes);
- ``run_as(user)`` is the command prefix that switches to it: util-linux's
  ``setpriv``, which sets the user and group ids and that user's groups, then
  runs the command (no shell, nothing else in between);
- ``run_folder_plan(plan, workdir)`` gives the plan of a copy of the project,
  in a run folder that user can reach, with its data folder and a home of its
  own owned by that user. Root's folders are closed to other users (pytest's
  ``/tmp/pytest-of-root`` and root's home are 0700), and the app may write
  into its own folder (Django's development server makes ``db.sqlite3``
  there), so it gets a copy: the project itself is never written to.

Apps run as ``nobody``, not as PostgreSQL's ``postgres``: an app must not be
able to read the database server's files or the environment it was started
with. See docs/harness.md ("Limits") for what this leaves open.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from contextlib import suppress
from dataclasses import replace
from functools import cache
from pathlib import Path

from ..errors import ScaffoldError
from . import launcher
from .plan import Plan

LAUNCHER = Path(launcher.__file__)

APP_USERS = ("nobody",)
# What a copy of a project leaves out: version control, environments, caches.
SKIPPED = frozenset({".git", ".venv", "venv", "__pycache__", "node_modules"})


def unprivileged_user(names: tuple[str, ...], what: str) -> str | None:
    """The first of ``names`` this system has, when scaffold runs as root;
    None otherwise. ``what`` names what runs as it, for the error."""
    if os.geteuid() != 0:
        return None
    for name in names:
        with suppress(KeyError):
            pwd.getpwnam(name)
            return name
    shown = " or ".join(repr(name) for name in names)
    raise ScaffoldError(
        f"running as root, and no {shown} user to run {what} as; "
        f"create one: useradd --system {names[0]}"
    )


def app_user() -> str | None:
    """The user the checked projects' processes run as (None: as the caller)."""
    return unprivileged_user(APP_USERS, "the checked projects")


def run_as(user: str) -> list[str]:
    """The command prefix that runs a command as ``user``, with its groups and
    no way back to root (setuid programs gain nothing: no_new_privs)."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise ScaffoldError(
            f"running as root, the harness runs projects as {user!r} with "
            "setpriv, which is missing; install util-linux"
        )
    entry = pwd.getpwnam(user)
    return [
        setpriv,
        f"--reuid={entry.pw_uid}",
        f"--regid={entry.pw_gid}",
        "--init-groups",
        "--no-new-privs",
        "--",
    ]


def closed_folder(folder: Path, user: str) -> Path | None:
    """The first folder on the way to ``folder`` that ``user`` may not enter
    (no search permission for it), or None."""
    entry = pwd.getpwnam(user)
    groups = {g.gr_gid for g in grp.getgrall() if user in g.gr_mem}
    groups.add(entry.pw_gid)
    folder = folder.resolve()
    for part in [*reversed(folder.parents), folder]:
        info = part.stat()
        if info.st_uid == entry.pw_uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid in groups:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            return part
    return None


def _skipped(folder: str, names: list[str]) -> set[str]:
    """What copytree leaves out: SKIPPED, and anything but folders, regular
    files and links (a FIFO or a device would hang the copy or never end)."""
    left = set()
    for name in names:
        mode = os.lstat(os.path.join(folder, name)).st_mode
        if name in SKIPPED or not (
            stat.S_ISDIR(mode) or stat.S_ISREG(mode) or stat.S_ISLNK(mode)
        ):
            left.add(name)
    return left


def _give(folder: Path, user: str) -> None:
    """Make ``user`` the owner of ``folder`` and everything in it."""
    entry = pwd.getpwnam(user)
    owner = (entry.pw_uid, entry.pw_gid)
    os.chown(folder, *owner)
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            os.chown(os.path.join(root, name), *owner, follow_symlinks=False)


def run_folder_plan(plan: Plan, workdir: Path, python: str) -> Plan:
    """The plan to serve ``plan`` with: unchanged unless scaffold runs as root.

    As root: a copy of the project in a new run folder under ``workdir`` (the
    harness's own temporary folder, made traversable but not listable), owned
    by the unprivileged user like the data folder and a HOME of its own
    (gunicorn writes ``~/.gunicorn``). The copy keeps the folder's name, so
    reports name the project as before; its commands run as that user. When
    that user cannot run ``python`` (an environment made from a pyenv under
    root's closed home), the plan is unchanged: the project runs as the
    caller, and ``fallback_note`` says so in the report.
    """
    user = app_user()
    if user is None:
        return plan
    workdir.chmod(0o711)
    if not usable_by(python, user, LAUNCHER):
        return plan  # run as the caller: the report says why (fallback_note)
    if closed := closed_folder(workdir, user):
        raise ScaffoldError(
            f"the checked projects run as the user {user!r}, which may not "
            f"enter {closed}, where their files would go (the temporary "
            "folder); set TMPDIR to a folder it can reach, e.g. TMPDIR=/tmp"
        )
    data = plan.data_dir
    data.mkdir(parents=True, exist_ok=True)
    if closed := closed_folder(data, user):
        raise ScaffoldError(
            f"the checked projects run as the user {user!r}, which may not "
            f"enter {closed}, on the way to the data folder {data}; pick a "
            "data folder it can reach"
        )
    run = Path(tempfile.mkdtemp(prefix="app-", dir=workdir))
    run.chmod(0o711)
    copy = run / plan.folder.name
    shutil.copytree(plan.folder, copy, symlinks=True, ignore=_skipped)
    home = run / "home"
    home.mkdir(mode=0o700)
    for folder in (copy, home, data):
        _give(folder, user)
    env = {**plan.env, "HOME": str(home), "USER": user, "LOGNAME": user}
    generated = replace(plan.generated, folder=copy)
    return replace(plan, generated=generated, env=env, user=user)


def usable_by(python: str, user: str, readable: Path) -> bool:
    """Whether ``user`` can run ``python`` as the caller does and read
    ``readable`` (the harness's launcher, started with it).

    Run as ``user``, a Python whose installation it may not enter (a pyenv
    under /root) may still start, with another standard library and without
    its packages: what it sees is compared with what the caller sees."""
    seen = _seen(python, None, readable)
    return seen is not None and seen == _seen(python, user, readable)


@cache
def _seen(python: str, user: str | None, readable: Path) -> str | None:
    """What ``python`` sees, run as ``user``: its prefixes and search path."""
    probe = (
        "import json, sys; open(sys.argv[1], 'rb').close(); "
        "print(json.dumps([sys.prefix, sys.base_prefix, sys.path]))"
    )
    switch = run_as(user) if user is not None else []
    try:
        done = subprocess.run(
            [*switch, python, "-I", "-c", probe, str(readable)],
            env={"PATH": os.defpath, "HOME": "/"},
            cwd="/",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def fallback_note(plan: Plan, python: str) -> str:
    """What the report says when scaffold is root but ``plan`` runs as root
    too: the unprivileged user cannot run the environment's interpreter."""
    user = app_user()
    if user is None or plan.user is not None:
        return ""
    return (
        f"run as root: {user!r} cannot run {python} (make the environment "
        "from a Python other users can read to run projects as it)"
    )
