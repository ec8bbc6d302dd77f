"""The to-do app under load: list-page queries, adds/s and list requests/s.

Run on demand:  python benchmarks/todo.py [--runs 3] [--adds 50] [--gets 5]
Both apps (Flask and Django) are generated from the example answers and served
by the harness exactly as `scaffold check` serves them: migrations into a fresh
data folder, then gunicorn with 2 sync workers on one SQLite file. For each:

- SQL queries for the list page, with 1 todo and with 1,000 todos, counted
  in-process by the framework's own tools (a SQLAlchemy `before_cursor_execute`
  listener; Django's CaptureQueriesContext), on the database the server fills.
  Goal: constant, and <= 3.
- adds/s: CLIENTS concurrent clients, each with its own session (cookie and
  CSRF token read from `form.new-todo`), post ADDS todos each without following
  the redirect. Every add must answer a redirect, and the list must then show
  exactly CLIENTS x ADDS new todos.
- list requests/s and median latency: after more adds bring the list to 1,000
  todos, CLIENTS concurrent clients GET `/` GETS times each.

The clients run on the same machine as the servers. Each run uses a fresh
database and server; figures are medians over the runs. Exit status 1 if the
query goal is not met or any add failed, so the script can serve as a check.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
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

LIST_SIZE = 1000  # todos on the list page for the query count and the GETs
QUERY_GOAL = 3
TIMEOUT = 30  # seconds; above SQLite's 20 s busy timeout

# Run in the project folder with this interpreter: print how many SQL queries
# one GET of the list page makes. argv: the project's slug, the database file.
COUNT_QUERIES = {
    "flask": """
import importlib, json, sys
from sqlalchemy import event

slug, database = sys.argv[1:]
create_app = importlib.import_module(slug).create_app
db = importlib.import_module(f"{slug}.extensions").db
app = create_app({"SECRET_KEY": "x", "DATABASE": database})
statements = []
with app.app_context():
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
response = app.test_client().get("/")
print(json.dumps({"status": response.status_code, "queries": len(statements),
                  "todos": response.text.count("data-id=")}))
""",
    "django": """
import json, os, sys
slug, database = sys.argv[1:]
os.environ.update({
    "DJANGO_SETTINGS_MODULE": f"{slug}.settings", "DJANGO_SECRET_KEY": "x",
    "DJANGO_DATABASE": database, "DJANGO_ALLOWED_HOSTS": "testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",  # the test client speaks plain HTTP
})
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

with CaptureQueriesContext(connection) as queries:
    response = Client().get("/")
print(json.dumps({"status": response.status_code, "queries": len(queries),
                  "todos": response.content.decode().count("data-id=")}))
""",
}


@dataclass
class Figures:
    """What one run measures for one framework."""

    queries_1: int = -1
    queries_many: int = -1
    adds_per_s: float = 0.0
    failed_adds: int = 0  # every add of the run that did not answer a redirect
    server_errors: int = 0  # of which 5xx
    new_listed: int = 0  # todos the list gained from the timed adds
    gets_per_s: float = 0.0
    median_ms: float = 0.0
    failed_gets: int = 0
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

    def add(self, clients: list[Client], counts: list[int], label: str) -> float:
        """Each client adds its count of todos; return the seconds it took."""

        def work(index: int, client: Client) -> None:
            for n in range(counts[index]):
                title = f"{label} {index}-{n}"
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

    def listed(self) -> int:
        """How many todos the list page shows."""
        page = requests.get(self.server.url + "/", timeout=TIMEOUT)
        page.raise_for_status()
        return len(BeautifulSoup(page.text, "html.parser").select("li.todo"))

    def get_list(self, clients: list[Client], gets: int) -> tuple[float, list[float]]:
        """Each client GETs / GETS times; return the seconds and every latency."""
        latencies: list[float] = []
        failed: list[str] = []

        def work(index: int, client: Client) -> None:
            mine = []
            for _ in range(gets):
                start = time.perf_counter()
                response = client.session.get(client.base_url + "/", timeout=TIMEOUT)
                mine.append(time.perf_counter() - start)
                if response.status_code != 200:
                    failed.append(f"GET /: {response.status_code}")
            with self.lock:
                latencies.extend(mine)

        seconds = concurrently(clients, work)
        self.figures.failed_gets = len(failed)
        self.figures.problems += failed[:5]
        return seconds, latencies


def split(total: int, parts: int) -> list[int]:
    """TOTAL as PARTS counts that differ by at most one."""
    return [total // parts + (i < total % parts) for i in range(parts)]


def count_queries(
    framework: str, plan: Plan, environment: Environment, slug: str, listed: int
) -> int:
    """SQL queries of one list-page GET, counted in a fresh process."""
    database = str(plan.data_dir / "todo.sqlite3")
    done = subprocess.run(
        [environment.python, "-c", COUNT_QUERIES[framework], slug, database],
        cwd=plan.folder,
        env=environment.variables,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        sys.exit(f"benchmark: counting {framework} queries failed\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != 200 or result["todos"] != listed:
        sys.exit(
            f"benchmark: {framework} list page in-process: {result}, "
            f"expected status 200 and {listed} todos"
        )
    return int(result["queries"])


def one_run(
    framework: str,
    folder: Path,
    data_dir: Path,
    slug: str,
    options: argparse.Namespace,
) -> Figures:
    """Serve the project on a fresh database and measure it."""
    try:
        with boot(folder, data_dir=data_dir) as server:
            return measure(framework, server, slug, options)
    except HarnessFailure as failure:
        sys.exit(f"benchmark: {framework}: {failure}\n{failure.log}")


def measure(
    framework: str, server: RunningApp, slug: str, options: argparse.Namespace
) -> Figures:
    """The figures of one run against a running server."""
    figures = Figures()
    plan, environment = server.plan, server.environment
    load = Load(server, figures)
    load.add(load.clients(1), [1], "first")
    listed = load.listed()  # 1, unless the add failed (reported)
    figures.queries_1 = count_queries(framework, plan, environment, slug, listed)

    clients = load.clients(options.clients)
    before = load.listed()
    seconds = load.add(clients, [options.adds] * options.clients, "timed")
    figures.adds_per_s = options.adds * options.clients / seconds
    after = load.listed()
    figures.new_listed = after - before
    expected = options.adds * options.clients
    if figures.new_listed != expected:
        figures.problems.append(
            f"list gained {figures.new_listed} todos, expected {expected}"
        )

    if after < LIST_SIZE:  # fill the list up to 1,000, as fast as it goes
        load.add(clients, split(LIST_SIZE - after, options.clients), "filler")
    listed = load.listed()
    figures.queries_many = count_queries(framework, plan, environment, slug, listed)
    if listed != LIST_SIZE:
        figures.problems.append(f"list shows {listed} todos, not {LIST_SIZE}")

    load.get_list(clients, 1)  # warm-up: every worker has rendered the page
    seconds, latencies = load.get_list(clients, options.gets)
    figures.gets_per_s = len(latencies) / seconds
    figures.median_ms = statistics.median(latencies) * 1000
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
    names = ("gunicorn", "Flask", "Flask-SQLAlchemy", "SQLAlchemy", "Django")
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} missing")
    return ", ".join(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--adds", type=int, default=50, help="adds per client")
    parser.add_argument("--gets", type=int, default=5, help="list GETs per client")
    options = parser.parse_args()
    if options.adds * options.clients + 1 > LIST_SIZE:
        parser.error(f"--adds x --clients must stay below {LIST_SIZE}")

    answers = read_answers_file(example_answers_file())
    slug = answers["project_slug"]
    print(machine())
    print(versions())
    print(
        f"date: {datetime.date.today()}, runs: {options.runs} (median), "
        f"{options.clients} clients, gunicorn with 2 sync workers, SQLite"
    )

    started = time.perf_counter()
    runs: dict[str, list[Figures]] = {fw: [] for fw in FRAMEWORKS}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Path(tmp) / "copier-settings.yml"  # no user settings, no warning
        settings.write_text("{}\n")
        os.environ["COPIER_SETTINGS_PATH"] = str(settings)
        folders = {}
        for framework in FRAMEWORKS:
            folder = Path(tmp) / f"{framework}-todo"
            generate(find_project("todo", framework), folder, answers)
            folders[framework] = folder
        for run in range(options.runs):  # alternate, so drift hits both alike
            for framework in FRAMEWORKS:
                data_dir = Path(tmp) / f"{framework}-data-{run}"
                figures = one_run(
                    framework, folders[framework], data_dir, slug, options
                )
                runs[framework].append(figures)
                sys.stdout.flush()  # keep the header above any problem
                for problem in figures.problems:
                    print(f"{framework}, run {run + 1}: {problem}", file=sys.stderr)

    adds = options.adds * options.clients
    rows: list[tuple[str, Callable[[list[Figures]], str]]] = [
        ("queries, list of 1 todo", lambda f: str(max(x.queries_1 for x in f))),
        (
            f"queries, list of {LIST_SIZE:,} todos",
            lambda f: str(max(x.queries_many for x in f)),
        ),
        (
            f"adds/s ({options.clients} clients x {options.adds})",
            lambda f: f"{statistics.median(x.adds_per_s for x in f):.0f}",
        ),
        ("failed adds", lambda f: str(sum(x.failed_adds for x in f))),
        ("  of which 5xx", lambda f: str(sum(x.server_errors for x in f))),
        (
            f"new todos listed (of {adds})",
            lambda f: str(min(x.new_listed for x in f)),
        ),
        (
            f"list of {LIST_SIZE:,}: req/s",
            lambda f: f"{statistics.median(x.gets_per_s for x in f):.1f}",
        ),
        (
            f"list of {LIST_SIZE:,}: median ms",
            lambda f: f"{statistics.median(x.median_ms for x in f):.1f}",
        ),
        ("failed list GETs", lambda f: str(sum(x.failed_gets for x in f))),
    ]
    print(f"{'':<30}" + "".join(f"{fw:>10}" for fw in FRAMEWORKS))
    for label, show in rows:
        print(f"{label:<30}" + "".join(f"{show(runs[fw]):>10}" for fw in FRAMEWORKS))

    every = [f for figures in runs.values() for f in figures]
    queries_ok = all(
        f.queries_1 == f.queries_many and f.queries_many <= QUERY_GOAL for f in every
    )
    adds_ok = all(f.failed_adds == 0 and f.new_listed == adds for f in every)
    gets_ok = all(f.failed_gets == 0 for f in every)
    print(
        f"queries constant and <= {QUERY_GOAL}: {'met' if queries_ok else 'NOT met'}; "
        f"every add saved: {'yes' if adds_ok else 'NO'}; "
        f"every list GET answered 200: {'yes' if gets_ok else 'NO'}"
    )
    print(f"took {time.perf_counter() - started:.1f} s")
    if not (queries_ok and adds_ok and gets_ok):
        sys.exit(1)


if __name__ == "__main__":
    main()
