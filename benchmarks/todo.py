"""The to-do app at any size: list-page cost, queries and adds, on both databases.

Run on demand:  python benchmarks/todo.py [--runs 1] [--sizes 100,10000,100000]
Both apps (Flask and Django) are generated from the example answers, once with
`database: sqlite` and once with `database: postgresql`, and served by the
`scaffold.boot` exactly as `scaffold check` serves them: migrations into a fresh
database (a SQLite file in a fresh data folder; a new database on a throwaway
PostgreSQL server, or on --database-url), then gunicorn with 2 sync workers.
For each of the four, in one run:

- for each list size (100, 10,000 and 100,000 todos by default, half of them
  completed, written straight into the table between steps): the SQL queries
  of one GET of the list page, counted in-process by the framework's own tools
  (a SQLAlchemy `before_cursor_execute` listener; Django's
  CaptureQueriesContext) on the database the server uses; then CLIENTS
  concurrent clients GET `/` GETS times each: requests/s and median latency.
- the same for the JSON API (the projects are generated with `api: yes`):
  the queries of one GET of /api/todos/ (a page of 50), its requests/s, median
  latency and bytes per page.
- then adds/s, on the largest list: CLIENTS concurrent clients, each with its
  own session (cookie and CSRF token read from `form.new-todo`), post ADDS
  todos each without following the redirect. Every add must answer a
  redirect, and the counter must then have grown by exactly CLIENTS x ADDS.

The clients run on the same machine as the servers. Figures are medians over
the runs. Goals: queries constant and <= 3; the list page with the largest
list within 2x the time of the smallest; Django's list at least 0.5x Flask's
requests/s; the same three for the API's list. Exit status 1
if a query goal is not met or any add or GET failed, so the script can serve
as a check.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup

from scaffold import HarnessFailure, RunningApp, boot, find_project, generate
from scaffold.generation.answers import read_answers_file
from scaffold.generation.catalog import FRAMEWORKS, example_answers_file
from scaffold.harness.environments import Environment
from scaffold.harness.plan import Plan
from scaffold.harness.postgres import DatabaseServer, given_server, throwaway_server

DATABASES = ("sqlite", "postgresql")
QUERY_GOAL = 3
SIZE_GOAL = 2.0  # the largest list's median within 2x the smallest's
DJANGO_GOAL = 0.5  # Django's list req/s at least half of Flask's
TIMEOUT = 30  # seconds; above SQLite's 20 s busy timeout
TABLES = {"flask": "todo", "django": "todos_todo"}

# Run in the project folder with this interpreter and the plan's environment
# (which names the database): print how many SQL queries one GET of the list
# page makes.
COUNT_QUERIES = {
    "flask": """
import importlib, json, sys
from sqlalchemy import event

slug = sys.argv[1]
create_app = importlib.import_module(slug).create_app
db = importlib.import_module(f"{slug}.extensions").db
app = create_app({"SECRET_KEY": "x"})
statements = []
with app.app_context():
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
response = app.test_client().get(sys.argv[2])
print(json.dumps({"status": response.status_code, "queries": len(statements)}))
""",
    "django": """
import json, os, sys
slug = sys.argv[1]
os.environ.update({
    "DJANGO_SETTINGS_MODULE": f"{slug}.settings", "DJANGO_SECRET_KEY": "x",
    "DJANGO_ALLOWED_HOSTS": "testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",  # the test client speaks plain HTTP
})
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

with CaptureQueriesContext(connection) as queries:
    response = Client().get(sys.argv[2])
print(json.dumps({"status": response.status_code, "queries": len(queries)}))
""",
}


@dataclass
class Figures:
    """What one run measures for one framework on one database."""

    adds_per_s: float = 0.0
    failed_adds: int = 0  # every add that did not answer a redirect
    server_errors: int = 0  # of which 5xx
    new_counted: int = 0  # how much the counter grew from the timed adds
    queries: dict[int, int] = field(default_factory=dict)  # size -> queries
    gets_per_s: dict[int, float] = field(default_factory=dict)
    median_ms: dict[int, float] = field(default_factory=dict)
    failed_gets: int = 0
    # The API's list, GET /api/todos/ (keys: list sizes).
    api_queries: dict[int, int] = field(default_factory=dict)
    api_gets_per_s: dict[int, float] = field(default_factory=dict)
    api_median_ms: dict[int, float] = field(default_factory=dict)
    api_bytes: dict[int, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class Client:
    """One browser: its session, and the fields of the list page's add form."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        page = self.session.get(base_url + "/", timeout=TIMEOUT)
        page.raise_for_status()
        form = BeautifulSoup(page.text, "html.parser").select_one("form.new-todo")
        if form is None:
            raise RuntimeError(f"no form.new-todo on {base_url}/")
        self.action = urljoin(page.url, str(form.get("action") or ""))
        self.fields = {
            str(field["name"]): str(field.get("value", ""))
            for field in form.select("input[name]")
        }

    def add(self, title: str) -> requests.Response:
        data = {**self.fields, "title": title}
        return self.session.post(
            self.action, data=data, allow_redirects=False, timeout=TIMEOUT
        )


def concurrently(clients: list[Client], work: Callable[[int, Client], None]) -> float:
    """Run work(i, client) in one thread per client, all starting together;
    return the seconds until the last one finishes."""
    start_line = threading.Barrier(len(clients) + 1)
    errors: list[BaseException] = []

    def thread(index: int, client: Client) -> None:
        start_line.wait()
        try:
            work(index, client)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [
        threading.Thread(target=thread, args=(i, c)) for i, c in enumerate(clients)
    ]
    for t in threads:
        t.start()
    start_line.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    if errors:
        raise errors[0]
    return seconds


class Load:
    """Adds and list requests against one running server."""

    def __init__(self, server: RunningApp, figures: Figures) -> None:
        self.server = server
        self.figures = figures
        self.lock = threading.Lock()

    def clients(self, count: int) -> list[Client]:
        return [Client(self.server.url) for _ in range(count)]

    def add(self, clients: list[Client], count: int) -> float:
        """Each client adds ``count`` todos; return the seconds it took."""

        def work(index: int, client: Client) -> None:
            for n in range(count):
                title = f"timed {index}-{n}"
                try:
                    response = client.add(title)
                except requests.RequestException as error:
                    self.failed(f"add {title!r}: {error!r}")
                    continue
                if response.status_code not in (302, 303):
                    self.failed(
                        f"add {title!r}: {response.status_code} "
                        f"{response.text[:200]!r}",
                        server_error=response.status_code >= 500,
                    )

        return concurrently(clients, work)

    def failed(self, problem: str, *, server_error: bool = False) -> None:
        with self.lock:
            self.figures.failed_adds += 1
            self.figures.server_errors += server_error
            if len(self.figures.problems) < 5:
                self.figures.problems.append(problem)

    def counted(self) -> int:
        """The counter: how many active todos the list page says are left."""
        page = requests.get(self.server.url + "/", timeout=TIMEOUT)
        page.raise_for_status()
        strong = BeautifulSoup(page.text, "html.parser").select_one(
            ".todo-count strong"
        )
        return int(strong.get_text()) if strong else 0

    def get_list(
        self, clients: list[Client], gets: int, path: str = "/"
    ) -> tuple[float, list[float]]:
        """Each client GETs ``path`` GETS times; return the seconds and every
        latency."""
        latencies: list[float] = []
        failed: list[str] = []

        def work(index: int, client: Client) -> None:
            mine = []
            for _ in range(gets):
                start = time.perf_counter()
                response = client.session.get(client.base_url + path, timeout=TIMEOUT)
                mine.append(time.perf_counter() - start)
                if response.status_code != 200:
                    failed.append(f"GET {path}: {response.status_code}")
            with self.lock:
                latencies.extend(mine)

        seconds = concurrently(clients, work)
        self.figures.failed_gets += len(failed)
        self.figures.problems += failed[:5]
        return seconds, latencies


def fill(framework: str, plan: Plan, database_url: str, size: int) -> None:
    """Bring the table to ``size`` todos, half of them completed, in SQL."""
    table = TABLES[framework]
    if database_url:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as connection:
            have = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            connection.execute(
                f"INSERT INTO {table} (title, completed) "
                "SELECT 'filler ' || n, n %% 2 = 0 FROM generate_series(1, %s) AS n",
                (max(0, size - have),),
            )
            # As autovacuum does after many inserts: fresh statistics, and a
            # visibility map that lets a count read the index alone.
            connection.execute(f"VACUUM ANALYZE {table}")
        return
    with sqlite3.connect(plan.data_dir / "todo.sqlite3") as connection:
        (have,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        connection.executemany(
            f"INSERT INTO {table} (title, completed) VALUES (?, ?)",
            ((f"filler {n}", n % 2 == 0) for n in range(max(0, size - have))),
        )


def count_queries(
    framework: str, plan: Plan, environment: Environment, slug: str, path: str = "/"
) -> int:
    """SQL queries of one GET of ``path``, counted in a fresh process."""
    done = subprocess.run(
        [environment.python, "-c", COUNT_QUERIES[framework], slug, path],
        cwd=plan.folder,
        env={**environment.variables, **plan.env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        sys.exit(f"benchmark: counting {framework} queries failed\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != 200:
        sys.exit(f"benchmark: {framework} list page in-process: {result}")
    return int(result["queries"])


def one_run(
    framework: str,
    folder: Path,
    data_dir: Path,
    database_url: str,
    slug: str,
    options: argparse.Namespace,
) -> Figures:
    """Serve the project on a fresh database and measure it."""
    try:
        with boot(
            folder, data_dir=data_dir, database_url=database_url, timeout=60
        ) as server:
            return measure(framework, server, database_url, slug, options)
    except HarnessFailure as failure:
        sys.exit(f"benchmark: {framework}: {failure}\n{failure.log}")


def measure(
    framework: str,
    server: RunningApp,
    database_url: str,
    slug: str,
    options: argparse.Namespace,
) -> Figures:
    """The figures of one run against a running server."""
    figures = Figures()
    plan, environment = server.plan, server.environment
    load = Load(server, figures)
    clients = load.clients(options.clients)
    for size in options.sizes:
        fill(framework, plan, database_url, size)
        figures.queries[size] = count_queries(framework, plan, environment, slug)
        load.get_list(clients, 1)  # warm-up: every worker has rendered it
        seconds, latencies = load.get_list(clients, options.gets)
        figures.gets_per_s[size] = len(latencies) / seconds
        figures.median_ms[size] = statistics.median(latencies) * 1000
        api = "/api/todos/"
        figures.api_queries[size] = count_queries(
            framework, plan, environment, slug, api
        )
        page = requests.get(server.url + api, timeout=TIMEOUT)
        figures.api_bytes[size] = len(page.content)
        load.get_list(clients, 1, api)
        seconds, latencies = load.get_list(clients, options.gets, api)
        figures.api_gets_per_s[size] = len(latencies) / seconds
        figures.api_median_ms[size] = statistics.median(latencies) * 1000
    before = load.counted()
    seconds = load.add(clients, options.adds)
    figures.adds_per_s = options.adds * options.clients / seconds
    figures.new_counted = load.counted() - before
    expected = options.adds * options.clients
    if figures.new_counted != expected:
        figures.problems.append(
            f"the counter grew by {figures.new_counted}, expected {expected}"
        )
    if figures.problems:
        figures.problems.append("server log:\n" + server.log_tail(40))
    return figures


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {model}, "
        f"Python {platform.python_version()}, {platform.system()}"
    )


def versions() -> str:
    names = (
        "gunicorn",
        "Flask",
        "Flask-SQLAlchemy",
        "SQLAlchemy",
        "Django",
        "psycopg",
    )
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} missing")
    return ", ".join(found)


def main() -> None:  # noqa: C901  (one flat list of the figures to print)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--adds", type=int, default=50, help="adds per client")
    parser.add_argument("--gets", type=int, default=10, help="list GETs per client")
    parser.add_argument(
        "--sizes",
        type=lambda text: sorted(int(n) for n in text.split(",")),
        default=[100, 10_000, 100_000],
        help="list sizes, comma-separated",
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to use instead of a throwaway one"
    )
    options = parser.parse_args()

    answers = read_answers_file(example_answers_file())
    slug = answers["project_slug"]
    print(machine())
    print(versions())
    print(
        f"date: {datetime.date.today()}, runs: {options.runs} (median), "
        f"{options.clients} clients, gunicorn with 2 sync workers"
    )

    started = time.perf_counter()
    configs = [(fw, db) for db in DATABASES for fw in FRAMEWORKS]
    runs: dict[tuple[str, str], list[Figures]] = {c: [] for c in configs}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        settings = Path(tmp) / "copier-settings.yml"  # no user settings, no warning
        settings.write_text("{}\n")
        os.environ["COPIER_SETTINGS_PATH"] = str(settings)
        postgresql: DatabaseServer = stack.enter_context(
            given_server(options.database_url)
            if options.database_url
            else throwaway_server(Path(tmp))
        )
        folders = {}
        for framework, database in configs:
            folder = Path(tmp) / f"{framework}-todo-{database}"
            generate(
                find_project("todo", framework),
                folder,
                {**answers, "database": database, "api": True},
            )
            folders[framework, database] = folder
        for run in range(options.runs):  # alternate, so drift hits all alike
            for framework, database in configs:
                url = ""
                if database == "postgresql":
                    url = postgresql.create_database(f"bench-{framework}-{run}")
                data_dir = Path(tmp) / f"{framework}-{database}-data-{run}"
                figures = one_run(
                    framework,
                    folders[framework, database],
                    data_dir,
                    url,
                    slug,
                    options,
                )
                runs[framework, database].append(figures)
                sys.stdout.flush()  # keep the header above any problem
                for problem in figures.problems:
                    print(
                        f"{framework}/{database}, run {run + 1}: {problem}",
                        file=sys.stderr,
                    )

    def median(values: list[float]) -> float:
        return statistics.median(values)

    adds = options.adds * options.clients
    rows: list[tuple[str, Callable[[list[Figures]], str]]] = [
        (
            f"adds/s ({options.clients} clients x {options.adds})",
            lambda f: f"{median([x.adds_per_s for x in f]):.0f}",
        ),
        (
            "failed adds (5xx)",
            lambda f: (
                f"{sum(x.failed_adds for x in f)} ({sum(x.server_errors for x in f)})"
            ),
        ),
        (f"counter grew by (of {adds})", lambda f: str(min(x.new_counted for x in f))),
    ]
    for size in options.sizes:
        rows += [
            (
                f"{size:,} todos: queries",
                lambda f, s=size: str(max(x.queries[s] for x in f)),
            ),
            (
                f"{size:,} todos: req/s",
                lambda f, s=size: f"{median([x.gets_per_s[s] for x in f]):.1f}",
            ),
            (
                f"{size:,} todos: median ms",
                lambda f, s=size: f"{median([x.median_ms[s] for x in f]):.1f}",
            ),
        ]
    for size in options.sizes:
        rows += [
            (
                f"API {size:,}: queries",
                lambda f, s=size: str(max(x.api_queries[s] for x in f)),
            ),
            (
                f"API {size:,}: req/s",
                lambda f, s=size: f"{median([x.api_gets_per_s[s] for x in f]):.1f}",
            ),
            (
                f"API {size:,}: median ms",
                lambda f, s=size: f"{median([x.api_median_ms[s] for x in f]):.1f}",
            ),
            (
                f"API {size:,}: bytes/page",
                lambda f, s=size: str(max(x.api_bytes[s] for x in f)),
            ),
        ]
    rows.append(("failed list GETs", lambda f: str(sum(x.failed_gets for x in f))))
    names = [f"{fw}/{db}" for fw, db in configs]
    print(f"{'':<28}" + "".join(f"{name:>19}" for name in names))
    for label, show in rows:
        print(f"{label:<28}" + "".join(f"{show(runs[c]):>19}" for c in configs))

    every = [f for figures in runs.values() for f in figures]
    queries_ok = all(
        len(set(f.queries.values())) == 1 and max(f.queries.values()) <= QUERY_GOAL
        for f in every
    )
    api_queries_ok = all(
        len(set(f.api_queries.values())) == 1
        and max(f.api_queries.values()) <= QUERY_GOAL
        for f in every
    )
    small, large = options.sizes[0], options.sizes[-1]

    def size_ratio(config: tuple[str, str], ms: str) -> float:
        """The largest list's median latency over the smallest's."""
        runs_ = runs[config]
        return median([getattr(x, ms)[large] for x in runs_]) / median(
            [getattr(x, ms)[small] for x in runs_]
        )

    def django_ratio(db: str, per_s: str) -> float:
        """Django's requests/s over Flask's, at the smallest list."""
        return median([getattr(x, per_s)[small] for x in runs["django", db]]) / median(
            [getattr(x, per_s)[small] for x in runs["flask", db]]
        )

    size_ratios = {c: size_ratio(c, "median_ms") for c in configs}
    django_ratios = {db: django_ratio(db, "gets_per_s") for db in DATABASES}
    api_size_ratios = {c: size_ratio(c, "api_median_ms") for c in configs}
    api_django_ratios = {db: django_ratio(db, "api_gets_per_s") for db in DATABASES}
    adds_ok = all(f.failed_adds == 0 and f.new_counted == adds for f in every)
    gets_ok = all(f.failed_gets == 0 for f in every)
    for c, ratio in size_ratios.items():
        met = "met" if ratio <= SIZE_GOAL else "NOT met"
        print(
            f"{c[0]}/{c[1]}: {large:,} todos take {ratio:.2f}x the time of "
            f"{small:,} (goal <= {SIZE_GOAL:g}x: {met})"
        )
    for db, ratio in django_ratios.items():
        met = "met" if ratio >= DJANGO_GOAL else "NOT met"
        print(
            f"{db}: Django serves {ratio:.2f}x Flask's list req/s at {small:,} todos "
            f"(goal >= {DJANGO_GOAL:g}x: {met})"
        )
    for c, ratio in api_size_ratios.items():
        met = "met" if ratio <= SIZE_GOAL else "NOT met"
        print(
            f"API {c[0]}/{c[1]}: {large:,} todos take {ratio:.2f}x the time of "
            f"{small:,} (goal <= {SIZE_GOAL:g}x: {met})"
        )
    for db, ratio in api_django_ratios.items():
        met = "met" if ratio >= DJANGO_GOAL else "NOT met"
        print(
            f"API {db}: Django serves {ratio:.2f}x Flask's list req/s at "
            f"{small:,} todos (goal >= {DJANGO_GOAL:g}x: {met})"
        )
    print(
        f"API queries constant and <= {QUERY_GOAL}: "
        f"{'met' if api_queries_ok else 'NOT met'}"
    )
    print(
        f"queries constant and <= {QUERY_GOAL}: {'met' if queries_ok else 'NOT met'}; "
        f"every add saved: {'yes' if adds_ok else 'NO'}; "
        f"every list GET answered 200: {'yes' if gets_ok else 'NO'}"
    )
    print(f"took {time.perf_counter() - started:.1f} s")
    if not (queries_ok and api_queries_ok and adds_ok and gets_ok):
        sys.exit(1)


if __name__ == "__main__":
    main()
