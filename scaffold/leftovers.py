"""Find and clean up what a killed harness run left behind.

A run that ends normally (or by Ctrl-C / SIGTERM) stops its servers and removes
its temporary folders itself. One killed with SIGKILL cannot: its servers keep
running under init and its folders stay in the temp directory. So:

- every temporary folder a run makes holds a marker, `.scaffold-run`, naming
  the run and its owner process (PID and start time, so a reused PID is not
  mistaken for the owner);
- every process the harness starts carries the run's id in its environment
  (SCAFFOLD_HARNESS_RUN), and so do its children (gunicorn's workers);
- every container, image and volume a run makes with podman or docker carries
  the label io.scaffold.run=<run id>;
- at the start of each harness run, `clean_up()` looks for marked folders whose
  owner is gone, ends the processes whose environment names that run (the
  environment is the proof they are ours, not another program's), removes
  the engine objects labelled with that run (when it made any: a
  `scaffold-containers-` folder says so), and removes the folders.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
import uuid
from contextlib import suppress
from pathlib import Path
from typing import Any

import psutil

MARKER = ".scaffold-run"
RUN_VARIABLE = "SCAFFOLD_HARNESS_RUN"
PREFIX = "scaffold-"
CONTAINER_LABEL = "io.scaffold.run"  # on every container, image and volume
CONTAINERS_PREFIX = "scaffold-containers-"  # a run that used an engine
ENGINES = ("podman", "docker")

# This process's run id: every folder and server of this process shares it.
RUN_ID = uuid.uuid4().hex


def _started(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def mark(folder: Path) -> Path:
    """Record in ``folder`` that this process owns it; return the folder."""
    owner = {"run": RUN_ID, "pid": os.getpid(), "started": _started(os.getpid())}
    (folder / MARKER).write_text(json.dumps(owner), "utf-8")
    return folder


def make_folder(prefix: str) -> Path:
    """A new marked temporary folder (``prefix`` starts with 'scaffold-')."""
    return mark(Path(tempfile.mkdtemp(prefix=prefix)))


def _owner_alive(owner: dict[str, Any]) -> bool:
    started = _started(int(owner.get("pid", 0)))
    return started is not None and abs(started - float(owner["started"])) < 0.5


def _abandoned(root: Path) -> dict[str, list[Path]]:
    """Run id -> its folders, for every marked folder whose owner is gone."""
    found: dict[str, list[Path]] = {}
    try:
        candidates = [p for p in root.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return found
    for folder in candidates:
        try:
            owner = json.loads(_read_marker(folder))
            if owner["run"] == RUN_ID or _owner_alive(owner):
                continue
        except (OSError, ValueError, KeyError, TypeError):
            continue  # no marker (not ours, or just being made): leave it
        found.setdefault(str(owner["run"]), []).append(folder)
    return found


def _read_marker(folder: Path) -> str:
    """A marker of ours: a small regular file this user wrote, in a real folder.

    The temporary folder is shared: another user's FIFO or /dev/zero link
    named like a marker must neither hang this run nor fill its memory, and
    another user's marker names no run of ours. The marker's owner is the
    proof, not the folder's: run as root, the harness hands its PostgreSQL
    cluster folder to the server's user after marking it (postgres.py).
    """
    if folder.is_symlink() or not folder.is_dir():
        raise OSError("not a folder")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
    with os.fdopen(os.open(folder / MARKER, flags), "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError("not a regular file")
        if info.st_uid != os.geteuid():
            raise OSError("another user's marker")
        return file.read(4096).decode("utf-8")


def _processes_of(runs: set[str]) -> list[psutil.Process]:
    """Processes whose environment names one of ``runs``."""
    mine = []
    for process in psutil.process_iter():
        try:
            if process.environ().get(RUN_VARIABLE) in runs:
                mine.append(process)
        except psutil.Error:
            continue  # gone, or another user's: not ours
    return mine


def _engine(*args: str) -> list[str]:
    """Run an engine command; its output's words ([] if it fails)."""
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return done.stdout.split() if done.returncode == 0 else []


def remove_engine_objects(engine: str, labels: set[str]) -> int:
    """Remove the containers, then images, then volumes carrying one of
    ``labels`` (each ``key=value``); how many were removed.

    One removal command for all, then one per object still listed: a batch
    fails as a whole when the engine trips over another build removing or
    committing images at the same moment.
    """
    removed = 0
    for label in sorted(labels):
        for listing, removal in (
            (("ps", "--all", "--quiet"), ("rm", "--force")),
            (("images", "--quiet"), ("rmi", "--force")),
            (("volume", "ls", "--quiet"), ("volume", "rm", "--force")),
        ):
            filtered = (engine, *listing, "--filter", f"label={label}")
            found = first = set(_engine(*filtered))
            for attempt in range(3):
                if not found:
                    break
                batches = [sorted(found)] if attempt == 0 else [[i] for i in found]
                for batch in batches:
                    _engine(engine, *removal, *batch)
                found = set(_engine(*filtered))
            removed += len(first - found)
    return removed


def clean_up(root: Path | None = None) -> str:
    """End the servers and remove the folders of killed runs; say what was done.

    Returns one line, or "" when nothing was left behind.
    """
    abandoned = _abandoned(Path(root or tempfile.gettempdir()))
    if not abandoned:
        return ""
    processes = _processes_of(set(abandoned))
    for process in processes:
        with suppress(psutil.Error):
            process.terminate()
    _, alive = psutil.wait_procs(processes, timeout=5)
    for process in alive:
        with suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=5)
    folders = [folder for run in abandoned.values() for folder in run]
    used_engine = {
        run
        for run, marked in abandoned.items()
        if any(f.name.startswith(CONTAINERS_PREFIX) for f in marked)
    }
    objects = 0
    for engine in filter(None, map(shutil.which, ENGINES)):
        if used_engine:
            labels = {f"{CONTAINER_LABEL}={run}" for run in used_engine}
            objects += remove_engine_objects(engine, labels)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return (
        f"Cleaned up after {len(abandoned)} interrupted run(s): ended "
        f"{len(processes)} process(es), removed {len(folders)} temporary folder(s)"
        + (f" and {objects} container(s), image(s) and volume(s)" if objects else "")
    )
