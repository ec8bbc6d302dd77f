"""The package's shape: declared data refuses typos, imports point downward,
one public way to boot a project, and the pytest plugin's fixtures."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests
import yaml

import scaffold
from scaffold.compare.content import (
    content,
    read_concepts,
    read_notes,
)
from scaffold.errors import ScaffoldError
from scaffold.generation.catalog import METADATA_FILE, Metadata, projects
from scaffold.harness.plan import ENTRIES, HarnessSpec, load_plan, read_harness_spec
from scaffold.schema import load_file

from .conftest import REPO

PACKAGE = REPO / "scaffold"


# --- declared data ---------------------------------------------------------------


def test_every_template_declares_valid_data() -> None:
    assert [p.name for p in projects()] == [
        f"{fw}-{app}"
        for app in ("hello", "website", "todo")
        for fw in ("flask", "django")
    ] + [  # the variants, after
        "flask-todo-accounts",
        "flask-todo-api",
        "django-todo-accounts",
        "django-todo-api",
    ]
    for project in projects():
        spec = read_harness_spec(project)
        assert "gunicorn" in spec.servers and spec.pages
        assert project.summary and project.run and project.wsgi
    accounts, api = {"accounts": True}, {"accounts": True, "api": True}
    assert [p.answers for p in projects() if p.variant] == [accounts, api] * 2
    concepts, notes = content()
    stages = {"hello", "website", "todo", "accounts", "api"}
    assert set(concepts.stages) == set(notes.stages) == stages


def edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """A copy of a declared file with one edit, the way a typo would make it."""
    text = source.read_text("utf-8")
    assert old in text, f"{old!r} is not in {source}"
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new, 1), "utf-8")
    return copy


TEMPLATES = REPO / "templates"
HARNESS_CASES = {
    "unknown key": (
        "  - path: /about/\n", "  - path: /about/\n    stauts: 404\n",
        "harness.yml: page '/about/': unknown key 'stauts' (did you mean 'status'?)",
    ),
    "wrong type": (
        "  - path: /no-such-page/\n    status: 404",
        "  - path: /no-such-page/\n    status: lots",
        "harness.yml: page '/no-such-page/': 'status': input should be a valid "
        "integer, unable to parse string as an integer (got 'lots')",
    ),
    "missing key": (
        "  - path: /about/\n", "  - text: [x]\n",
        "harness.yml: page #2: missing required key 'path'",
    ),
    "text as one string": (
        'text: ["{{ author_name }}", "{{ author_email }}"]', "txt: About",
        "harness.yml: page '/about/': unknown key 'txt' (did you mean 'text'?)",
    ),
    "unknown server": (
        "  dev:\n", "  devel:\n",
        "harness.yml: 'servers': unknown server 'devel' (did you mean 'dev'?)",
    ),
}  # fmt: skip


# The to-do's harness.yml: `when`, `login` and `{command: ...}` in prepare.
TODO_HARNESS_CASES = {
    "unknown key in a prepare command": (
        "    command: [python", "    comand: [python",
        "harness.yml: command #2: unknown key 'comand' (did you mean 'command'?)",
    ),
    "unknown key in login": (
        "  path: /accounts/login/", "  pth: /accounts/login/",
        "harness.yml: 'login': unknown key 'pth' (did you mean 'path'?)",
    ),
    "misspelt when": (
        "/accounts/signup/\n    when:", "/accounts/signup/\n    wen:",
        "harness.yml: page '/accounts/signup/': unknown key 'wen' (did you mean "
        "'when'?)",
    ),
}  # fmt: skip


# Each typo, in the harness.yml that has the key: a website's, or the to-do's
# (`when`, `login` and `{command: ...}` in prepare).
HARNESS_SOURCES = {
    **{case: ("flask-hello", "website") for case in HARNESS_CASES},
    **{case: ("todo", "flask") for case in TODO_HARNESS_CASES},
}


@pytest.mark.parametrize("case", HARNESS_SOURCES)
def test_a_harness_yml_typo_is_one_clear_line(tmp_path: Path, case: str) -> None:
    old, new, message = {**HARNESS_CASES, **TODO_HARNESS_CASES}[case]
    source = TEMPLATES.joinpath(*HARNESS_SOURCES[case], "harness.yml")
    path = edited(tmp_path, source, old, new)
    with pytest.raises(ScaffoldError) as caught:
        load_file(HarnessSpec, path, ENTRIES)
    assert str(caught.value) == f"{tmp_path}/{message}"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("summary: \"the", "sumary: \"the",
         "variant 'accounts': unknown key 'sumary' (did you mean 'summary'?)"),
        ("{accounts: true}", "{acounts: true}",
         "variant 'accounts': 'answers': unknown question 'acounts' "
         "(did you mean 'accounts'?)"),
        ("{accounts: true}", "{app: website}",
         "variant 'accounts': 'answers': unknown question 'app'"),
        ("{accounts: true}", "{}", "variant 'accounts': 'answers': "),
        ("  accounts:", "  Accounts:", "'variants': string should match pattern"),
    ],
)  # fmt: skip
def test_a_variant_typo_is_one_clear_line(tmp_path, old, new, message) -> None:
    source = TEMPLATES / "todo" / "flask" / METADATA_FILE
    path = edited(tmp_path, source, old, new)
    with pytest.raises(ScaffoldError, match=r"^\S+project\.yml: ") as caught:
        load_file(Metadata, path, {"variants": "variant"})
    assert message in str(caught.value)


def test_when_follows_the_recorded_accounts_answer(generated, tmp_path) -> None:
    """Recorded answers are text: `accounts: false` must read as false."""
    for framework in ("flask", "django"):
        plain = load_plan(generated[f"{framework}-todo"], tmp_path / "a")
        assert plain.generated.answers["accounts"] == "false"
        assert plain.login is None and len(plain.prepare) == 1
        assert "/accounts/" not in [page.path for page in plain.pages]
        accounts = load_plan(generated[f"{framework}-todo-accounts"], tmp_path / "b")
        assert accounts.generated.entry.name == f"{framework}-todo-accounts"
        assert accounts.login is not None and len(accounts.prepare) == 2
        assert "/accounts/" in [page.path for page in accounts.pages]


def test_a_recorded_accounts_answer_must_be_yes_or_no(generated, tmp_path) -> None:
    project = tmp_path / "todo"
    shutil.copytree(generated["flask-todo"], project)
    answers = project / ".copier-answers.yml"
    text = answers.read_text()
    answers.write_text(text.replace("accounts: false", "accounts: maybe"))
    with pytest.raises(ScaffoldError, match="'accounts' must be true or false"):
        load_plan(project, tmp_path / "data")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("summary:", "summry:", "unknown key 'summry' (did you mean 'summary'?)"),
        ("run: flask run\n", "", "missing required key 'run'"),
        ("run: flask run", "run: [flask, run]", "'run': input should be a valid"),
    ],
)
def test_a_project_yml_typo_is_one_clear_line(tmp_path, old, new, message) -> None:
    source = TEMPLATES / "flask-hello" / "hello" / METADATA_FILE
    path = edited(tmp_path, source, old, new)
    with pytest.raises(ScaffoldError, match=r"^\S+project\.yml: ") as caught:
        load_file(Metadata, path)
    assert message in str(caught.value)


CONCEPTS = PACKAGE / "compare" / "concepts.yml"
NOTES = PACKAGE / "compare" / "notes.yml"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "- {file: app.py, symbols: [app]}",
            "- {file: app.py, symbol: [app]}",
            "concepts.yml: stage 'hello': concept 'structure': 'flask': "
            "item 'app.py': unknown key 'symbol' (did you mean 'symbols'?)",
        ),
        (
            "  website:\n    title: Personal Website",
            "  websit:\n    title: Personal Website",
            "concepts.yml: 'stages': unknown app 'websit' (did you mean 'website'?)",
        ),
        (
            "      routing:\n",
            "      routng:\n",
            "concepts.yml: stage 'hello': concept 'routng' has no title "
            "(did you mean 'routing'?)",
        ),
        (
            "- tree: true\n",
            "- {tree: true, text: also}\n",
            "concepts.yml: stage 'hello': concept 'structure': 'flask': item #1: "
            "give exactly one of 'tree', 'file' or 'text'",
        ),
    ],
)
def test_a_concepts_yml_typo_is_one_clear_line(tmp_path, old, new, message) -> None:
    path = edited(tmp_path, CONCEPTS, old, new)
    with pytest.raises(ScaffoldError) as caught:
        read_concepts(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("changes:\n  website:", "changes:\n  websit:",
         "notes.yml: 'changes': unknown app 'websit' (did you mean 'website'?)"),
        ("stages:\n", "stagse:\n",
         "notes.yml: unknown key 'stagse' (did you mean 'stages'?)"),
        ("changes:\n  website: >-", "changes:\n  website: 3\n  x: >-",
         "notes.yml: 'changes': 'website': input should be a valid string (got 3)"),
    ],
)  # fmt: skip
def test_a_notes_yml_typo_is_one_clear_line(tmp_path, old, new, message) -> None:
    path = edited(tmp_path, NOTES, old, new)
    with pytest.raises(ScaffoldError) as caught:
        read_notes(path, content()[0])
    assert message in str(caught.value)


def test_notes_must_cover_every_concept_shown(tmp_path: Path) -> None:
    notes = yaml.safe_load(NOTES.read_text("utf-8"))
    del notes["concepts"]["routing"]["todo"]
    path = tmp_path / "notes.yml"
    path.write_text(yaml.safe_dump(notes), "utf-8")
    with pytest.raises(ScaffoldError, match="concept 'routing': missing the note"):
        read_notes(path, content()[0])


# --- the layout ----------------------------------------------------------------

# Lower layers never import higher ones; harness and compare never each other.
LAYERS = {
    "errors": 0,
    "leftovers": 0,
    "schema": 1,
    "generation": 2,
    "project": 3,
    "harness": 4,
    "compare": 4,
    "cli": 5,
    "pytest_plugin": 5,
    "__main__": 6,
    "__init__": 5,
}


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def scaffold_imports(path: Path) -> set[str]:
    """The scaffold modules a file imports, at the top or inside functions."""
    module = "scaffold." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            if base.startswith("scaffold"):
                found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def test_imports_point_only_downward() -> None:
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        own = _part(
            "scaffold." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        )
        for target in scaffold_imports(path):
            other = _part(target)
            if other not in LAYERS or other == own:
                continue  # e.g. scaffold.__version__
            if LAYERS[other] > LAYERS[own] or (
                LAYERS[other] == LAYERS[own] and own != other
            ):
                wrong.append(f"{path.relative_to(REPO)} imports {target}")
    assert wrong == []


def test_the_layering_check_can_fail(tmp_path: Path, monkeypatch) -> None:
    # compare reaching into the harness is exactly what the check refuses.
    assert LAYERS["compare"] == LAYERS["harness"]
    line = "from ..harness.plan import load_plan\n"
    fake = PACKAGE / "compare" / "facts.py"
    monkeypatch.setattr(Path, "read_text", lambda self, *a: line)
    assert "scaffold.harness.plan.load_plan" in scaffold_imports(fake)


def test_public_api_is_all_and_cheap_to_import() -> None:
    for name in scaffold.__all__:
        assert getattr(scaffold, name) is not None
    code = "import sys, scaffold; print([m for m in sys.modules if 'scaffold.' in m])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]", "importing scaffold loads nothing else"


def test_find_project_is_the_one_lookup_by_name() -> None:
    assert scaffold.find_project("todo", "flask").name == "flask-todo"
    assert scaffold.find_project("accounts", "django").name == "django-todo-accounts"
    with pytest.raises(ScaffoldError) as unknown:
        scaffold.find_project("blog", "flask")
    assert str(unknown.value) == (
        "unknown app 'blog'; choose one of hello, website, todo, accounts, api "
        "(see 'scaffold list')"
    )
    with pytest.raises(ScaffoldError, match=r"^unknown framework 'rails'; choose one"):
        scaffold.find_project("todo", "rails")


def test_boot_exports_only_its_public_names() -> None:
    from scaffold.harness import boot

    assert sorted(boot.__all__) == ["RunningApp", "boot", "running"]
    public = {
        name
        for name, value in vars(boot).items()
        if not name.startswith("_")
        and callable(value)
        and getattr(value, "__module__", "") == boot.__name__
    }
    assert public == set(boot.__all__)


def test_pre_commit_hooks_run_offline_and_check_commit_subjects() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text("utf-8"))
    # Local hooks only: nothing to clone, the tools come from `.[test]`.
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert {"ruff-check", "ruff-format", "mypy", "deptry"} <= hooks.keys()
    # pygrep fails the commit when the pattern matches the message.
    subject = re.compile(hooks["commit-subject"]["entry"])
    assert not subject.search("x" * 71 + "\n\n" + "the reasons " * 20)
    assert subject.search("x" * 72 + "\n\nthe reasons")


def test_scaffold_debug_shows_the_traceback(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "scaffold", "check", str(tmp_path)]
    quiet = subprocess.run(command, capture_output=True, text=True)
    loud = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "SCAFFOLD_DEBUG": "1"},
    )
    assert quiet.returncode == loud.returncode == 1
    assert "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr
    assert loud.stderr.strip().splitlines()[-1] == quiet.stderr.strip()


# --- boot ------------------------------------------------------------------------


def tree_of(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def test_boot_yields_a_running_app_and_ends_its_process_tree(generated) -> None:
    with pytest.raises(RuntimeError), scaffold.boot(generated["django-todo"]) as app:
        assert requests.get(app.url + "/", timeout=10).status_code == 200
        assert app.project.entry.name == "django-todo"
        assert app.project.answers["project_slug"] == "ada_notebook"
        assert "Booting worker" in app.log_tail()
        # gunicorn forks its workers a moment apart: the first may answer
        # before the second exists.
        deadline = time.monotonic() + 10
        while len(processes := tree_of(app.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(processes) >= 3, "gunicorn and its two workers"
        raise RuntimeError("a failing test inside the block")
    assert not [p for p in processes if p.is_running() and p.status() != "zombie"]


def test_boot_failure_carries_the_log(generated, open_tmp: Path) -> None:
    # In a folder the app's user can read (run as root, it is nobody).
    fake = open_tmp / "gunicorn"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text("raise SystemExit('broken on purpose')")
    for path in (fake, *fake.iterdir()):
        path.chmod(0o755)
    env = {"PYTHONPATH": str(open_tmp)}
    with (
        pytest.raises(scaffold.HarnessFailure) as caught,
        scaffold.boot(generated["flask-hello"], env=env),
    ):
        pass
    assert "exited with status 1" in str(caught.value)
    assert "broken on purpose" in caught.value.log


# --- the pytest plugin ------------------------------------------------------------


def test_session_fixture_boots_once_for_several_tests(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.parametrize("n", range(3))
        def test_shared(scaffold_app_session, n, tmp_path_factory):
            app = scaffold_app_session("hello", "flask")
            assert "Hello, World!" in requests.get(app.url + "/").text
            log = tmp_path_factory.getbasetemp() / "pids.txt"
            with log.open("a") as out:
                out.write(f"{app.pid} {app.project.folder}\\n")

        def test_own(scaffold_app, tmp_path_factory):
            app = scaffold_app("hello", "flask")
            log = tmp_path_factory.getbasetemp() / "pids.txt"
            with log.open("a") as out:
                out.write(f"{app.pid} {app.project.folder}\\n")
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--basetemp", str(pytester.path / "base")
    )
    result.assert_outcomes(passed=4)
    lines = (pytester.path / "base" / "pids.txt").read_text().splitlines()
    shared, own = lines[:3], lines[3]
    assert len(set(shared)) == 1, "three tests, one server"
    assert own != shared[0]
    folders = [Path(line.split(" ", 1)[1]) for line in lines]
    assert not any(folder.exists() for folder in folders), "removed without --keep"
    assert "kept in" not in result.stdout.str()


def test_scaffold_keep_keeps_the_projects_and_says_where(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_one(scaffold_app):
            assert scaffold_app("hello", "django").project.folder.is_dir()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--scaffold-keep")
    result.assert_outcomes(passed=1)
    line = next(
        line for line in result.stdout.lines if "generated projects kept in" in line
    )
    kept = Path(line.rsplit(" ", 1)[1])
    try:
        (project,) = kept.glob("django-hello-*/project")
        assert (project / "app.py").is_file()
        assert (project / ".copier-answers.yml").is_file()
    finally:
        import shutil

        shutil.rmtree(kept)
