"""Boot the image a project ships: build it with podman or docker, run its
release step in a one-off container, start it with a production environment
on a free 127.0.0.1 port, and wait for its health endpoint.

Everything made here (images, containers, volumes) carries the label
``io.scaffold.run=<run id>`` and is removed when the run ends, however it
ends; a run killed with SIGKILL leaves them to the next run (leftovers.py).

PostgreSQL projects reach the run's throwaway server, which listens on the
host's 127.0.0.1 only: with podman, the container's network is slirp4netns
with ``allow_host_loopback=true``, which shows the host's loopback to that
container (and no other) as 10.0.2.2, so DATABASE_URL's 127.0.0.1 becomes
10.0.2.2. Docker has no such network: there, PostgreSQL projects need
``--database-url`` of a server the containers can reach.
"""

from __future__ import annotations

import re
import shlex
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from ..errors import HarnessFailure, ScaffoldError
from ..leftovers import (
    CONTAINER_LABEL,
    ENGINES,
    RUN_ID,
    make_folder,
    remove_engine_objects,
)
from .environments import Cancelled, CommandFailed, run_command
from .plan import Plan
from .shipping import DOCKERFILE, NotShipped, health_path, procfile

INSTALL_HINT = (
    "no container engine found (podman or docker on PATH); install one "
    "(Debian/Ubuntu: apt-get install podman; macOS: brew install podman; or "
    "Docker: https://docs.docker.com/engine/install/), or check with "
    "--server gunicorn"
)
PORT = "8000"  # what the image listens on: $PORT, which the harness sets
HOST_LOOPBACK = "10.0.2.2"  # the host's 127.0.0.1, seen from a slirp4netns container
BUILD_SECONDS = 900
DEFAULT_HEALTH = "/health/"


class ContainerFailed(HarnessFailure):
    """A build, a release step or a container failed; ``log`` is its output."""


@dataclass(frozen=True)
class Engine:
    """The container engine's command-line tool."""

    name: str  # "podman" or "docker"
    path: str


def find_engine(choice: str | None = None) -> Engine:
    """The engine asked for, else the first of podman and docker installed."""
    for name in [choice] if choice else ENGINES:
        if found := shutil.which(name):
            return Engine(name, found)
    if choice:
        raise ScaffoldError(
            f"--engine {choice}: {choice} is not installed (not on PATH); install "
            "it, or leave --engine out to use whichever engine is installed"
        )
    raise ScaffoldError(INSTALL_HINT)


@dataclass(frozen=True)
class Image:
    """A built image: its tag, how long the build took and its size."""

    tag: str
    project: str  # the project folder's name
    build_seconds: float
    size: int  # bytes, as the engine reports it (base image included)


@dataclass
class RunningContainer:
    """A project's image running, answering on ``url``."""

    name: str
    url: str
    image: Image
    health_path: str
    seconds: float  # from `run` to the first healthy answer
    _containers: Containers

    def log_tail(self, lines: int = 20) -> str:
        """The last lines the container printed."""
        return self._containers.logs(self.name, lines)

    def exec(self, *command: str) -> str:
        """Run ``command`` inside the running container; its output."""
        return self._containers.engine_run("exec", self.name, *command)

    def running(self) -> bool:
        """Whether the container is still running."""
        state = self._containers.engine_run(
            "inspect", "--format", "{{.State.Running}}", self.name
        )
        return state.strip() == "true"


class Containers:
    """The images, containers and volumes of one run; ``close()`` removes them."""

    def __init__(
        self,
        engine: Engine,
        *,
        timeout: float = 30.0,
        cancel: threading.Event | None = None,
    ) -> None:
        self.engine = engine
        self.timeout = timeout
        self.cancel = cancel or threading.Event()
        # Marked as this run's: a run killed with SIGKILL leaves it, and so its
        # engine objects, to the next run's clean-up (leftovers).
        self._folder = make_folder("scaffold-containers-")
        # The run's label (for the next run's clean-up) and this object's own
        # (close() removes what it made, not what another one of the same
        # process made).
        self._own = f"{CONTAINER_LABEL}.set={uuid.uuid4().hex}"
        self._labels = ["--label", f"{CONTAINER_LABEL}={RUN_ID}", "--label", self._own]

    def __enter__(self) -> Containers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def engine_run(self, *args: str, timeout: float = 120) -> str:
        """Run the engine's tool with ``args``; its output."""
        return run_command(
            [self.engine.path, *args], cancel=self.cancel, timeout=timeout
        )

    def _name(self, kind: str, label: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:30]
        return f"scaffold-{kind}-{slug or 'project'}-{uuid.uuid4().hex[:8]}"

    def build(self, plan: Plan, *, cache: bool = True) -> Image:
        """Build the project's Dockerfile; the image is labelled as this run's.
        ``cache=False`` builds every layer again (a cold build)."""
        if not (plan.folder / DOCKERFILE).is_file():
            raise NotShipped(f"no {DOCKERFILE} in {plan.folder}", "")
        tag = f"localhost/{self._name('image', plan.folder.name)}:latest"
        args = ["build", *self._labels, "--tag", tag]
        if self.engine.name == "podman":
            args += ["--format", "docker"]  # keeps the Dockerfile's HEALTHCHECK
        if not cache:
            args.append("--no-cache")
        started = time.perf_counter()
        try:
            self.engine_run(*args, str(plan.folder), timeout=BUILD_SECONDS)
        except CommandFailed as failure:
            raise ContainerFailed(f"build {failure.reason}", failure.output) from None
        seconds = time.perf_counter() - started
        size = self.engine_run("image", "inspect", "--format", "{{.Size}}", tag)
        return Image(tag, plan.folder.name, seconds, int(size.strip() or 0))

    def _network(self) -> list[str]:
        # The host's loopback (the throwaway PostgreSQL server) as 10.0.2.2.
        if self.engine.name == "podman":
            return ["--network", "slirp4netns:allow_host_loopback=true"]
        return []

    def _environment(self, env: Mapping[str, str]) -> list[str]:
        # An env file in the run's (private) folder: the secret key stays off
        # the command line, where `ps` shows it.
        path = self._folder / f"env-{uuid.uuid4().hex[:8]}"
        path.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
        path.chmod(0o600)
        return ["--env-file", str(path)]

    def one_off(
        self, image: Image, command: str, env: Mapping[str, str], volume: list[str]
    ) -> None:
        """Run shell ``command`` in a one-off container, as a release step runs."""
        args = [
            "run", "--rm", *self._labels,
            *self._network(), *volume, *self._environment(env),
        ]  # fmt: skip
        # The name first: an interrupted `run` still leaves a named, labelled
        # container that close() finds.
        args += ["--name", self._name("release", image.project), image.tag]
        try:
            self.engine_run(*args, "sh", "-c", command, timeout=BUILD_SECONDS)
        except CommandFailed as failure:
            raise ContainerFailed(
                f"{command!r} (one-off container) {failure.reason}", failure.output
            ) from None

    def volume(self) -> list[str]:
        """A new volume for /data, labelled as this run's: the SQLite file."""
        name = f"scaffold-data-{uuid.uuid4().hex[:12]}"
        self.engine_run("volume", "create", *self._labels, name)
        return ["--volume", f"{name}:/data"]

    def start(
        self,
        image: Image,
        env: Mapping[str, str],
        volume: list[str],
        health: str,
    ) -> RunningContainer:
        """Start the image's own command, publish it on a free 127.0.0.1 port
        (the engine picks it), and wait until ``health`` answers 200."""
        if self.cancel.is_set():
            raise Cancelled
        name = self._name("web", image.project)
        started = time.monotonic()
        self.engine_run(
            "run", "--detach", "--name", name, *self._labels,
            "--publish", f"127.0.0.1::{PORT}", *self._network(), *volume,
            *self._environment({**env, "PORT": PORT}), image.tag,
        )  # fmt: skip
        address = self.engine_run("port", name, PORT).split()[0]
        url = "http://" + address.replace("0.0.0.0", "127.0.0.1")
        app = RunningContainer(name, url, image, health, 0.0, self)
        deadline = started + self.timeout
        while True:
            if self.cancel.is_set():
                raise Cancelled
            try:
                answer = requests.get(url + health, timeout=2, allow_redirects=False)
                if answer.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if not app.running():
                raise ContainerFailed(
                    "the container exited before answering", app.log_tail()
                )
            if time.monotonic() > deadline:
                raise ContainerFailed(
                    f"{health} did not answer 200 within {self.timeout:g} s",
                    app.log_tail(),
                )
            time.sleep(0.1)
        app.seconds = time.monotonic() - started
        return app

    def logs(self, name: str, lines: int = 20) -> str:
        try:
            return self.engine_run("logs", "--tail", str(lines), name).rstrip()
        except (HarnessFailure, Cancelled):
            return ""

    def stop(self, name: str) -> None:
        with suppress(HarnessFailure, Cancelled):
            run_command([self.engine.path, "rm", "--force", name], timeout=60)

    def close(self) -> None:
        """Remove every container, image and volume of this run."""
        remove_engine_objects(self.engine.path, {self._own})
        shutil.rmtree(self._folder, ignore_errors=True)


def production_env(plan: Plan, engine: Engine) -> dict[str, str]:
    """The environment a platform gives the image: the template's production
    settings (its gunicorn server's, with the run's secret key), DATABASE_URL
    pointing at the run's PostgreSQL database, the hosts; never a path of
    this machine (the image keeps its SQLite file in /data)."""
    gunicorn = plan.servers.get("gunicorn")
    declared = {**plan.env, **(gunicorn.env if gunicorn else {})}
    env = {k: v for k, v in declared.items() if str(plan.data_dir) not in v}
    if url := env.get("DATABASE_URL"):
        env["DATABASE_URL"] = _reachable(url, engine)
    else:
        env.pop("DATABASE_URL", None)
    if plan.generated.entry.framework == "django":
        env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    return env


def _reachable(url: str, engine: Engine) -> str:
    """The database URL as seen from inside a container."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        return url
    if engine.name != "podman":
        raise ScaffoldError(
            f"{engine.name} containers cannot reach a PostgreSQL server on this "
            "machine's 127.0.0.1; pass --database-url of a server they can "
            "reach, or use podman"
        )
    netloc = parts.netloc.replace(parts.hostname, HOST_LOOPBACK, 1)
    return parts._replace(netloc=netloc).geturl()


def _shell(command: tuple[str, ...]) -> str:
    # "python" in a declared command: the image's own (first on its PATH).
    return shlex.join(command)


@contextmanager
def running_container(
    plan: Plan, containers: Containers, image: Image | None = None
) -> Iterator[RunningContainer]:
    """Build (unless ``image`` is given), release, start: the project's image
    answering its health path.

    The release step is the Procfile's; for a project the harness logs in to,
    its prepare commands then run in a one-off container too (they make the
    user; the migrations among them find nothing to do).
    """
    processes = procfile(plan.folder)
    health = health_path(plan.folder) if _has_platform_files(plan) else DEFAULT_HEALTH
    env = production_env(plan, containers.engine)
    image = image or containers.build(plan)
    # A SQLite to-do keeps its file in /data: a volume there, shared by the
    # release step and the web container, as a platform's disk would be.
    needs_volume = bool(plan.prepare) and "DATABASE_URL" not in env
    volume = containers.volume() if needs_volume else []
    if release := processes.get("release"):
        containers.one_off(image, release, env, volume)
    if plan.login and plan.prepare:
        containers.one_off(
            image, " && ".join(_shell(c) for c in plan.prepare), env, volume
        )
    app = containers.start(image, env, volume, health)
    try:
        yield app
    finally:
        containers.stop(app.name)


def _has_platform_files(plan: Plan) -> bool:
    return any((plan.folder / f).is_file() for f in ("render.yaml", "fly.toml"))


def image_size_over_base(containers: Containers, image: Image, base: str) -> int:
    """Bytes the image adds to ``base``."""
    size = containers.engine_run("image", "inspect", "--format", "{{.Size}}", base)
    return image.size - int(size.strip() or 0)
