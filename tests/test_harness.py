"""The harness boots generated projects, checks them, and catches broken ones.

Every broken case edits a freshly generated project the way a mistake would,
then runs `scaffold check` on it: it must fail with the right message, show the
server's log, write a JUnit failure, and leave no process behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from scaffold.generation.catalog import PROJECTS
from scaffold.generation.generate import generate, generate_all
from scaffold.harness.environments import isolated_environment
from scaffold.harness.pages import same_site_urls
from scaffold.harness.servers import Servers

from .conftest import HOSTILE

NAMES = [p.name for p in PROJECTS]


def make(where: Path, name: str, answers: dict[str, str]) -> Path:
    """Generate one project, by its `scaffold all` name, into where/name."""
    project = next(p for p in PROJECTS if p.name == name)
    return generate(project, where / name, answers)


def processes_under(folder: Path) -> list[psutil.Process]:
    """Live processes whose working folder is inside ``folder``."""
    found = []
    for process in psutil.process_iter(["cwd", "status", "cmdline"]):
        cwd, status = process.info["cwd"], process.info["status"]
        if process.pid == os.getpid() or not cwd or status == psutil.STATUS_ZOMBIE:
            continue
        if Path(cwd).is_relative_to(folder):
            found.append(process)
    return found


def servers_under(folder: Path) -> list[psutil.Process]:
    return [
        process
        for process in processes_under(folder)
        if "gunicorn" in " ".join(process.info["cmdline"] or ())
    ]


def alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


_EARLIER_CHILDREN: set[int] = set()


@pytest.fixture(autouse=True)
def earlier_children() -> None:
    """Children this test process had before the test (e.g. the headless
    browser a browser test on the same xdist worker keeps for the session)."""
    _EARLIER_CHILDREN.clear()
    _EARLIER_CHILDREN.update(c.pid for c in psutil.Process().children(recursive=True))


def _earlier(process: psutil.Process) -> bool:
    """Was it there before the test, or was it started by one that was (a
    browser's helper processes come and go)?"""
    try:
        family = [process, *process.parents()]
    except psutil.Error:
        return False
    return any(member.pid in _EARLIER_CHILDREN for member in family)


def assert_nothing_left(folder: Path) -> None:
    """No server from `folder` runs, and this test left no child process."""
    children = [
        c
        for c in psutil.Process().children(recursive=True)
        if alive(c) and not _earlier(c)
    ]
    assert children == [], children
    assert processes_under(folder) == []


def junit_failures(path: Path) -> dict[str, str]:
    """testcase name -> failure message, for the failed cases of a JUnit file."""
    root = ET.parse(path).getroot()
    return {
        case.get("name"): case.find("failure").get("message")
        for case in root.iter("testcase")
        if case.find("failure") is not None
    }


@pytest.mark.parametrize("server", ["gunicorn", "dev"])
def test_smoke_checks_every_project(cli, tmp_path: Path, server: str) -> None:
    junit = tmp_path / "reports" / "smoke.xml"
    kept = tmp_path / "projects"
    result = cli("smoke", "--server", server, "--junitxml", junit, "--keep", kept)
    assert result.code == 0, result.out + result.err
    for name in NAMES:
        assert f"{name}: {server}, current environment, http://127.0.0.1:" in result.out
    assert "  ok    GET /about/ " in result.out
    assert "FAIL" not in result.out
    summary = result.out.strip().splitlines()[-1]
    passed = int(summary.split()[0])
    assert summary == f"{passed} passed, 0 failed"
    root = ET.parse(junit).getroot()
    assert root.get("tests") == str(passed) and root.get("failures") == "0"
    assert sorted(s.get("name") for s in root.iter("testsuite")) == sorted(NAMES)
    assert sorted(p.name for p in kept.iterdir()) == sorted(NAMES)
    assert_nothing_left(kept)


def test_expected_texts_follow_hostile_answers(cli, tmp_path: Path) -> None:
    # The declared texts are rendered from the answers; the pages escape them.
    folders = generate_all(tmp_path / "projects", HOSTILE)
    result = cli("check", *folders)
    assert result.code == 0, result.out
    assert "0 failed" in result.out


def snapshot(folder: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in folder.rglob("*")}


def test_checking_leaves_the_project_as_it_was(cli, tmp_path, example_answers):
    folders = generate_all(tmp_path / "projects", example_answers)
    before = snapshot(tmp_path)
    assert cli("check", *folders).code == 0
    assert snapshot(tmp_path) == before  # no __pycache__, logs or databases


def test_only_same_site_links_and_assets_are_followed() -> None:
    html = """
        <link rel="stylesheet" href="css/site.css">
        <link rel="preconnect" href="https://fonts.example.com">
        <script src="/js/app.js"></script>
        <img src="//127.0.0.1:8000/logo.png"> <img src="http://127.0.0.1:9/other.png">
        <a href="../up/#top">up</a> <a href="#here">here</a> <a href="?page=2">next</a>
        <a href="mailto:ada@example.com">mail</a> <a href="javascript:void(0)">js</a>
        <a href="https://example.com/">away</a>
    """
    found = same_site_urls("http://127.0.0.1:8000", "http://127.0.0.1:8000/a/b/", html)
    assert found == [
        "http://127.0.0.1:8000/a/b/css/site.css",
        "http://127.0.0.1:8000/js/app.js",
        "http://127.0.0.1:8000/logo.png",
        "http://127.0.0.1:8000/a/up/",
        "http://127.0.0.1:8000/a/b/",
        "http://127.0.0.1:8000/a/b/?page=2",
    ]


def test_same_folder_names_are_told_apart(cli, tmp_path: Path, example_answers):
    first = make(tmp_path / "a", "flask-hello", example_answers)
    second = make(tmp_path / "b", "flask-hello", example_answers)
    result = cli("check", first, second)
    assert result.code == 0, result.out
    assert f"{first}: gunicorn" in result.out
    assert f"{second}: gunicorn" in result.out


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    """An edit that replaces text in one file of the project."""

    def apply(folder: Path) -> None:
        target = folder / path
        text = target.read_text("utf-8")
        assert old in text, f"{old!r} not in {target}"
        target.write_text(text.replace(old, new, 1), "utf-8")

    return apply


def both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    """Several edits, in order."""

    def apply(folder: Path) -> None:
        for one in edits:
            one(folder)

    return apply


def delete(path: str) -> Callable[[Path], None]:
    return lambda folder: (folder / path).unlink()


RAISE = 'raise RuntimeError("boom")'
HANG = "import time\n\ntime.sleep(600)  # never gets to serve\n"

# case: (project, the mistake, extra options, what the report must say)
BROKEN = {
    "a view raises (500)": (
        "flask-website",
        edit("app.py", 'return render_template("home.html")', RAISE),
        [],
        ["FAIL  GET / ", "expected status 200, got 500", "RuntimeError: boom"],
    ),
    "a view raises (500), django": (
        "django-website", edit("pages/views.py", "return render(", RAISE + "\n    ("),
        [], ["FAIL  GET / ", "expected status 200, got 500", "RuntimeError: boom"],
    ),
    "a page is dropped (404), flask": (
        "flask-hello", edit("app.py", '@app.route("/")', '@app.route("/hi/")'), [],
        ["FAIL  GET / ", "expected status 200, got 404"],
    ),
    "a page is dropped (404), django": (
        "django-hello", edit("app.py", 'path("", ', 'path("hi/", '),
        [], ["FAIL  GET / ", "expected status 200, got 404"],
    ),
    "a link to a missing page": (
        "flask-website",
        edit("templates/about.html", "<p><a", '<p><a href="/missing-page/">More</a><a'),
        [],
        ["GET /missing-page/", "linked from /about/", "expected status < 400, got 404"],
    ),
    "a missing stylesheet": (
        "django-website", delete("static/css/style.css"), [],
        ["FAIL  GET /static/css/style.css", "expected status 200, got 404"],
    ),
    "a missing image, found on the page": (
        "django-website",
        edit("templates/base.html", "<main>", '<main><img src="/static/logo.png">'),
        [],
        ["GET /static/logo.png", "linked from /", "expected status < 400, got 404"],
    ),
    "a text from the answers is gone": (
        "flask-website", edit("templates/about.html", "{{ site.author }}", "someone"),
        [], ["FAIL  GET /about/", "expected the page to show 'Ada Lovelace'"],
    ),
    "the server exits at start": (
        "flask-hello", edit("app.py", "from flask", "import no_such_module\nfrom f"),
        [], ["FAIL  start gunicorn", "server exited with status",
             "No module named 'no_such_module'"],
    ),
    "the dev server exits at start": (
        "django-hello", edit("app.py", "import sys", "import no_such_module"),
        ["--server", "dev"], ["FAIL  start dev", "server exited with status 1",
                              "No module named 'no_such_module'"],
    ),
    "the server never listens": (
        "flask-hello", edit("app.py", "from flask", HANG + "from flask"),
        ["--server", "dev", "--timeout", "3"],
        ["FAIL  start dev", "no HTTP answer within 3 s"],
    ),
    "a migration fails while preparing": (
        "flask-todo",
        edit("migrations/versions/29bcc616a9fc_create_the_todo_table.py",
             "op.create_table(",
             'op.execute("SELECT no_such_function()")\n    op.create_table('),
        [], ["FAIL  start gunicorn", "db upgrade' exited with status 1",
             "no such function: no_such_function"],
    ),
    "the migration does not match the model": (
        "django-todo",
        both(
            edit("todos/migrations/0001_initial.py", 'name="Todo"', 'name="Item"'),
            # The later migration (the index) follows the renamed model.
            edit("todos/migrations/0002_todo_completed_id_idx.py",
                 'model_name="todo"', 'model_name="item"'),
        ),
        [], ["FAIL  GET / ", "expected status 200, got 500",
             "no such table: todos_todo"],
    ),
    # gunicorn opens the port, then loads the app in its worker: hang there.
    "gunicorn listens but the app never answers": (
        "flask-hello", edit("app.py", "from flask", HANG + "from flask"),
        ["--timeout", "3"],
        ["FAIL  start gunicorn", "no HTTP answer within 3 s", "Booting worker"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN)
def test_harness_catches(cli, tmp_path: Path, example_answers, case: str) -> None:
    name, mistake, options, phrases = BROKEN[case]
    folder = make(tmp_path, name, example_answers)
    mistake(folder)
    junit = tmp_path / "report.xml"
    started = time.monotonic()
    result = cli("check", folder, *options, "--junitxml", junit)
    assert result.code == 1, result.out
    for phrase in phrases:
        assert phrase in result.out, result.out
    assert result.out.rstrip().endswith(" failed") and " 0 failed" not in result.out
    assert f"server log of {name}" in result.out
    assert junit_failures(junit), "the JUnit file records the failure"
    assert time.monotonic() - started < 30, "failures are reported fast"
    assert_nothing_left(folder)


def test_every_broken_case_passes_unbroken(cli, tmp_path: Path, example_answers):
    """The broken cases fail because of their mistake, not their setup."""
    names = {name for name, *_ in BROKEN.values()}
    folders = [make(tmp_path, name, example_answers) for name in names]
    assert cli("check", *folders).code == 0
    assert cli("check", *folders, "--server", "dev", "--jobs", "1").code == 0


def test_a_project_missing_a_dependency_fails_isolated(cli, tmp_path, example_answers):
    folder = make(tmp_path, "django-website", example_answers)
    edit("pyproject.toml", '"whitenoise', '# "whitenoise')(folder)
    result = cli("check", folder, "--isolated")
    assert result.code == 1
    assert "isolated environment" in result.out
    assert "No module named 'whitenoise'" in result.out
    assert_nothing_left(folder)


def test_isolated_environments_serve_every_project(cli, tmp_path, example_answers):
    folders = generate_all(tmp_path / "projects", example_answers)
    result = cli("check", *folders, "--isolated")
    assert result.code == 0, result.out
    assert result.out.count("isolated environment (uv)") == len(NAMES)


def test_this_environment_must_have_the_dependencies(cli, tmp_path, example_answers):
    folder = make(tmp_path, "flask-hello", example_answers)
    edit("pyproject.toml", '    "flask', '    "no-such-dist>=1",\n    "flask')(folder)
    result = cli("check", folder)
    assert result.code == 1
    assert "this environment lacks no-such-dist>=1" in result.out
    assert "--isolated" in result.out


@pytest.mark.slow
def test_without_uv_isolated_uses_venv_and_pip(tmp_path: Path) -> None:
    environment = isolated_environment(tmp_path, ["flask>=3,<4"], use_uv=False)
    assert environment.description == "isolated environment (venv + pip)"
    python = [environment.python, "-c"]
    run = dict(env=environment.variables, capture_output=True)
    assert subprocess.run([*python, "import flask"], **run).returncode == 0
    assert subprocess.run([*python, "import django"], **run).returncode != 0


def scaffold_process(*args: str | Path, tmp: Path) -> subprocess.Popen[str]:
    """`scaffold ARGS` in a child process whose temporary files go to ``tmp``."""
    return subprocess.Popen(
        [sys.executable, "-m", "scaffold", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=str)
def test_interrupted_run_leaves_nothing_running(
    tmp_path: Path, example_answers, sig: int, open_tmp: Path
) -> None:
    scratch = open_tmp  # as root the apps run from copies in it, as nobody
    kept = tmp_path / "projects"
    folders = generate_all(kept, example_answers)
    # One app never answers, so the run is surely still going when the signal
    # lands, however slow the machine: a loaded CI box once let a plain
    # `smoke` finish first.
    hung = kept / "flask-hello"
    edit("app.py", "from flask", HANG + "from flask")(hung)
    run = scaffold_process("check", *folders, "--timeout", "120", tmp=scratch)
    deadline = time.monotonic() + 60
    while not servers_under(hung) and not servers_under(scratch):  # a gunicorn
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    run.send_signal(sig)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130, out + err
    assert " passed, " not in out, "interrupted before the end"
    assert "interrupted" in err and "Traceback" not in err
    assert processes_under(kept) == processes_under(scratch) == []
    assert list(scratch.iterdir()) == [], "its temporary files are removed"


def test_two_runs_at_once_never_collide(
    tmp_path: Path, example_answers, open_tmp: Path
) -> None:
    folders = generate_all(tmp_path / "projects", example_answers)
    runs = [scaffold_process("check", *folders, tmp=open_tmp) for _ in range(2)]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, out + err
    assert processes_under(tmp_path) == processes_under(open_tmp) == []


def test_pytest_plugin_serves_generated_projects(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_website(scaffold_app):
            app = scaffold_app("website", "flask", {"project_name": "Plug <In>"})
            page = requests.get(app.url + "/about/")
            assert page.status_code == 200
            assert "Plug &lt;In&gt;" in page.text

        def test_hello_on_the_dev_server(scaffold_app):
            app = scaffold_app("hello", "django", server="dev")
            assert "Hello, World!" in requests.get(app.url + "/").text

        def test_todo_is_migrated_before_it_serves(scaffold_app):
            app = scaffold_app("todo", "django")
            assert "Nothing to do yet" in requests.get(app.url + "/").text
        """
    )
    # Two xdist workers boot servers at the same time.
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    assert processes_under(pytester.path) == []


def test_pytest_plugin_reports_a_server_that_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import shutil, tempfile
        from pathlib import Path

        def test_hello(scaffold_app, monkeypatch, request):
            # A gunicorn that cannot start shadows the real one, in a folder
            # the server's user (as root: nobody) can read.
            where = Path(tempfile.mkdtemp(dir="/tmp"))
            where.chmod(0o755)
            request.addfinalizer(lambda: shutil.rmtree(where))
            fake = where / "gunicorn"
            fake.mkdir()
            (fake / "__init__.py").write_text("")
            (fake / "__main__.py").write_text("raise SystemExit('broken on purpose')")
            monkeypatch.setenv("PYTHONPATH", str(where))
            scaffold_app("hello", "flask")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*flask-hello: server exited with status 1 before answering*",
         "*broken on purpose*"]
    )  # fmt: skip
    assert processes_under(pytester.path) == []


def test_a_stopped_server_is_not_stopped_again(tmp_path: Path) -> None:
    """xprocess finds a server by its recorded PID. Once the server is gone
    that PID may be another process's (PIDs are reused): stopping the server a
    second time, as leaving the run does, must not end that process."""
    command = [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1"]
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with Servers(timeout=30) as servers:
            server = servers.start("probe", command, tmp_path, dict(os.environ))
            servers.stop(server.name)
            assert not psutil.pid_exists(server.pid) or not alive(
                psutil.Process(server.pid)
            )
            # The recorded PID now names the bystander, as a reused PID would.
            info = servers._xprocess.getinfo(server.name)
            info.pidpath.write(str(bystander.pid))
            servers.stop(server.name)
        assert bystander.poll() is None, "the bystander was ended"
    finally:
        bystander.kill()
        bystander.wait()


# A server that, told to stop, forks a child instead (as gunicorn's arbiter,
# still starting when the signal lands, forks its workers after it), and the
# child ignores SIGTERM (as a worker still importing the app does).
FORKS_WHEN_STOPPED = """
import http.server, os, signal, sys, time

def fork_a_worker(*_):
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        with open(sys.argv[1], "w") as pid_file:
            pid_file.write(str(os.getpid()))
        time.sleep(600)

signal.signal(signal.SIGTERM, fork_a_worker)
handler = http.server.SimpleHTTPRequestHandler
http.server.HTTPServer(("127.0.0.1", 0), handler).serve_forever()
"""


def test_a_worker_forked_while_the_server_is_stopped_is_ended_too(
    tmp_path: Path,
) -> None:
    """A snapshot of the server's process tree misses a child forked after
    it; the server's whole process group is ended instead."""
    pid_file = tmp_path / "worker.pid"
    command = [sys.executable, "-c", FORKS_WHEN_STOPPED, str(pid_file)]
    with Servers(timeout=30) as servers:
        server = servers.start("forks", command, tmp_path, dict(os.environ))
        servers.stop(server.name)
    worker = int(pid_file.read_text())
    assert not psutil.pid_exists(worker) or not alive(psutil.Process(worker))


# A server that, asked to stop (SIGTERM), leaves a mark first.
MARKS_WHEN_ASKED = """
import http.server, signal, sys

def asked(*_):
    open(sys.argv[1], "w").close()
    sys.exit(0)

signal.signal(signal.SIGTERM, asked)
handler = http.server.SimpleHTTPRequestHandler
http.server.HTTPServer(("127.0.0.1", 0), handler).serve_forever()
"""


@pytest.mark.parametrize("graceful", [True, False], ids=["graceful", "killed"])
def test_servers_are_asked_to_stop_only_when_graceful(
    tmp_path: Path, graceful: bool
) -> None:
    """`scaffold check` kills its servers once checked (their data goes with
    the run); `scaffold.boot` and the Procfile's runner ask them first."""
    mark = tmp_path / "asked"
    command = [sys.executable, "-c", MARKS_WHEN_ASKED, str(mark)]
    with Servers(timeout=30, graceful=graceful) as servers:
        server = servers.start("asked", command, tmp_path, dict(os.environ))
        servers.stop(server.name)
        assert not psutil.pid_exists(server.pid) or not alive(
            psutil.Process(server.pid)
        )
    assert mark.exists() == graceful
