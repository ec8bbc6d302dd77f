"""PostgreSQL for the projects that need one: a throwaway server, or a given one.

A to-do generated with ``database: postgresql`` reads its database from
``DATABASE_URL``. To check it, the harness needs a PostgreSQL server:

- ``throwaway_server(folder)`` makes a fresh cluster with the PostgreSQL
  binaries on this machine (``/usr/lib/postgresql/*/bin``, newest first, or
  ``pg_ctl`` on PATH), starts it listening on 127.0.0.1 and a unix socket in
  the cluster's folder only, with a superuser ``postgres`` and no password,
  and on leaving the ``with`` block stops it and removes the cluster, also
  after Ctrl-C or SIGTERM (the callers turn both into an exception).
  pytest-postgresql's ``PostgreSQLExecutor`` runs ``initdb``, ``pg_ctl start``
  and ``pg_ctl stop``; mirakuru, beneath it, waits for the port and kills any
  server left over when Python exits.
- ``given_server(url)`` uses a server that is already running (a CI service),
  from ``--database-url``.

Either way, ``server.create_database(label)`` makes an empty database for one
project and returns its URL; every database made is dropped at the end.

PostgreSQL refuses to run as root (``initdb`` and ``pg_ctl`` stop at once).
Run as root (CI containers, this project's own CI), the server runs as an
unprivileged user instead: ``postgres`` if the system has one (Debian's
package makes it), else ``nobody``. Each ``pg_ctl`` call then goes through a
two-line wrapper script that ``setpriv`` switches to that user, and the
cluster lives in its own temporary folder owned by that user, as root's run
folders are closed to other users.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import ScaffoldError
from ..leftovers import RUN_ID, RUN_VARIABLE, make_folder
from ..project import read_recorded_answers
from .servers import read_end
from .unprivileged import closed_folder, run_as, unprivileged_user

INSTALL_HINT = (
    "no PostgreSQL server found (pg_ctl in /usr/lib/postgresql/*/bin or on PATH); "
    "install it (Debian/Ubuntu: apt-get install postgresql; macOS: brew install "
    "postgresql) or pass --database-url URL of a running server"
)
STARTUP_SECONDS = 60
SUPERUSER = "postgres"


def find_pg_ctl() -> Path | None:
    """The newest pg_ctl of Debian's layout, else the one on PATH."""

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.parent.name))

    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=version, reverse=True
    )
    if installed:
        return installed[0]
    found = shutil.which("pg_ctl")
    return Path(found) if found else None


def _server_user() -> str | None:
    """The unprivileged user to run the server as, when we are root."""
    return unprivileged_user(("postgres", "nobody"), "PostgreSQL (it refuses root)")


def _wrapped(pg_ctl: Path, user: str | None, folder: Path) -> Path:
    """A pg_ctl (a wrapper script in ``folder``) whose server carries this
    run's id in its environment, so the next run can end it if this one is
    killed (see leftovers), and that runs as ``user`` when one is given."""
    switch = f"{shlex.join(run_as(user))} " if user else ""
    wrapper = folder / "pg_ctl"
    wrapper.write_text(
        f'#!/bin/sh\nexport {RUN_VARIABLE}={RUN_ID}\nexec {switch}{pg_ctl} "$@"\n'
    )
    wrapper.chmod(stat.S_IRWXU)
    return wrapper


def database_name(label: str) -> str:
    """A database name from a label: lowercase letters, digits and ``_``."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]
    return f"scaffold_{slug}_{uuid.uuid4().hex[:6]}"


class DatabaseServer:
    """A PostgreSQL server reached through ``url`` (any database on it)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._made: list[str] = []
        self._executor: Any = None  # a throwaway server's, to stop and start it

    def stop_server(self) -> None:
        """Stop a throwaway server, keeping its cluster (an outage, in tests)."""
        self._executor.stop()

    def start_server(self) -> None:
        """Start a throwaway server stopped with stop_server() again."""
        self._executor.start()
        _wait_until_ready(self, STARTUP_SECONDS)

    def url_for(self, name: str) -> str:
        """The URL of database ``name`` on this server."""
        return urlsplit(self.url)._replace(path=f"/{name}").geturl()

    def _run(self, statement: str, name: str) -> None:
        import psycopg
        from psycopg import sql

        query = sql.SQL(statement).format(sql.Identifier(name))
        try:
            with psycopg.connect(self.dsn, autocommit=True) as connection:
                connection.execute(query)
        except psycopg.Error as error:
            message = " ".join(str(error).split())
            raise ScaffoldError(
                f"PostgreSQL at {self.display_url}: {message}"
            ) from None

    @property
    def dsn(self) -> str:
        # psycopg speaks libpq URLs: postgresql:// or postgres://, no driver.
        return re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", self.url)

    @property
    def display_url(self) -> str:
        """The URL without its password, for messages."""
        return re.sub(r"://([^:@/]*):[^@/]*@", r"://\1:***@", self.url)

    def create_database(self, label: str) -> str:
        """A new, empty database for one project; returns its URL."""
        name = database_name(label)
        self._run("CREATE DATABASE {}", name)
        self._made.append(name)
        return self.url_for(name)

    def drop_databases(self) -> None:
        """Drop every database this object made (their clients are ended)."""
        while self._made:
            name = self._made.pop()
            with suppress(ScaffoldError):
                self._run("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def check_url(url: str) -> None:
    """Refuse, in one line, a URL that is not a PostgreSQL one."""
    if not re.match(r"^postgres(ql)?(\+\w+)?://", url):
        raise ScaffoldError(
            f"--database-url {url!r} is not a PostgreSQL URL; give one like "
            "postgresql://user:password@localhost:5432/postgres"
        )


@contextmanager
def given_server(url: str) -> Iterator[DatabaseServer]:
    """A server that is already running, e.g. a CI service."""
    check_url(url)
    server = DatabaseServer(url)
    try:
        yield server
    finally:
        server.drop_databases()


@contextmanager
def throwaway_server(folder: Path) -> Iterator[DatabaseServer]:
    """Start a fresh PostgreSQL cluster in ``folder``/postgresql; remove it at
    the end. Raises ScaffoldError, with how to install PostgreSQL, if its
    binaries are missing, and with the server's log if it does not start."""
    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        raise ScaffoldError(INSTALL_HINT)
    import port_for
    from pytest_postgresql.executors import PostgreSQLExecutor

    user = _server_user()
    if user is not None and (
        closed := closed_folder(Path(tempfile.gettempdir()), user)
    ):
        raise ScaffoldError(
            f"PostgreSQL runs as the user {user!r}, which may not enter "
            f"{closed}, where its files would go (the temporary folder); "
            "set TMPDIR to a folder it can reach, e.g. TMPDIR=/tmp, or "
            "pass --database-url"
        )
    # Both folders are marked as this run's: a run killed with SIGKILL leaves
    # them (and the server) to the next run's clean-up.
    wrapper_folder = make_folder("scaffold-pgctl-")
    if user is None:
        cluster = Path(folder) / "postgresql"
        cluster.mkdir(parents=True)
    else:
        cluster = make_folder("scaffold-postgresql-")
        entry = pwd.getpwnam(user)
        os.chown(cluster, entry.pw_uid, entry.pw_gid)
    pg_ctl = _wrapped(pg_ctl, user, wrapper_folder)
    port = port_for.select_random()
    executor = PostgreSQLExecutor(
        executable=str(pg_ctl),
        host="127.0.0.1",
        port=port,
        datadir=str(cluster / "data"),
        unixsocketdir=str(cluster),
        logfile=str(cluster / "server.log"),
        startparams="-w",
        dbname="postgres",
        user=SUPERUSER,
        timeout=STARTUP_SECONDS,
        postgres_options="-c listen_addresses=127.0.0.1 -c fsync=off",
    )
    server = DatabaseServer(f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres")
    server._executor = executor
    try:
        failure: Exception | None = None
        try:
            executor.start()
        except Exception as error:  # ExecutorError, OSError, its own errors
            failure = error
        try:
            # mirakuru stops waiting once the port is open, and pg_ctl may give
            # up early on a busy machine: the server is ready when it connects.
            _wait_until_ready(server, STARTUP_SECONDS if failure is None else 10)
        except Exception as error:
            log = _read(cluster / "server.log")
            raise ScaffoldError(
                f"PostgreSQL ({pg_ctl}) did not start: "
                f"{' '.join(str(failure or error).split())[:300]}"
                + (f"; its log ends: {log[-300:]}" if log else "")
            ) from None
        yield server
    finally:
        server.drop_databases()
        with suppress(Exception):
            executor.stop()
        shutil.rmtree(cluster, ignore_errors=True)
        shutil.rmtree(wrapper_folder, ignore_errors=True)


def _wait_until_ready(server: DatabaseServer, seconds: float) -> None:
    """Wait until the server accepts a connection; raise if it never does."""
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            with psycopg.connect(server.dsn, connect_timeout=5):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _read(path: Path) -> str:
    return " ".join(read_end(path).split())


def needs_postgresql(folder: Path) -> bool:
    """Whether the generated project in ``folder`` keeps its data in PostgreSQL."""
    return read_recorded_answers(Path(folder)).get("database") == "postgresql"


def database_urls(
    folders: Sequence[Path], run_folder: Path, given_url: str | None, stack: ExitStack
) -> list[str]:
    """A new database's URL for each project that needs PostgreSQL ("" for
    the others), on the server at ``given_url`` or on a throwaway one started
    in ``run_folder``. ``stack`` stops the server and drops the databases."""
    if given_url:
        check_url(given_url)
    needed = [needs_postgresql(folder) for folder in folders]
    if not any(needed):
        return ["" for _ in folders]
    if given_url:
        server = stack.enter_context(given_server(given_url))
    else:
        server = stack.enter_context(throwaway_server(run_folder))
    return [
        server.create_database(Path(folder).name) if need else ""
        for folder, need in zip(folders, needed, strict=True)
    ]
