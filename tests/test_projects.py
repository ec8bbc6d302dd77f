"""Every generated project: valid files, and pages that behave as promised."""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path

import pytest
import yaml

from scaffold.generation.answers import shared_questions
from scaffold.generation.catalog import PROJECTS, templates_root
from scaffold.generation.template_source import installed_source

from .conftest import HOSTILE, Page, probe

NAMES = [p.name for p in PROJECTS]
WEBSITES = [p.name for p in PROJECTS if p.app == "website"]
HELLOS = [p.name for p in PROJECTS if p.app == "hello"]
STYLESHEET = "/static/css/style.css"


def files(project: Path, suffix: str) -> list[Path]:
    return sorted(project.rglob(f"*{suffix}"))


@pytest.fixture(params=["example", "hostile"])
def projects(request: pytest.FixtureRequest) -> dict[str, Path]:
    return request.getfixturevalue(
        "generated" if request.param == "example" else "generated_hostile"
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_python_file_compiles(projects: dict[str, Path], name: str) -> None:
    sources = files(projects[name], ".py")
    assert sources
    for source in sources:
        compile(source.read_text("utf-8"), str(source), "exec")


@pytest.mark.parametrize("name", NAMES)
def test_pyproject_parses_and_keeps_answers(
    projects: dict[str, Path], name: str
) -> None:
    project = projects[name]
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    meta = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["project"]
    assert meta["name"] == answers["project_slug"]
    assert meta["description"] == answers["description"]
    assert meta["authors"] == [
        {"name": answers["author_name"], "email": answers["author_email"]}
    ]


# A Copier expression left unrendered names a question, a filter or _copier_*.
COPIER_WORDS = "|".join(
    [*shared_questions(), "framework", "app", "dev_secret_key", "_copier", "to_json"]
)
# A quoted word is a template path ({% include "accounts/nav.html" %}), not one.
LEFTOVER = re.compile(r"{[{%][^}]*(?<![.\w\"'])(" + COPIER_WORDS + r")\b")


@pytest.mark.parametrize("name", NAMES)
def test_no_template_leftovers(projects: dict[str, Path], name: str) -> None:
    project = projects[name]
    for path in project.rglob("*"):
        relative = path.relative_to(project).as_posix()
        assert ".jinja" not in relative and "{{" not in relative, relative
        assert path.name != "harness.yml", "the harness's data stays in scaffold"
        # The Flask accounts app ships Django's common-password list, gzipped.
        binary = path.suffix == ".gz"
        if path.is_file() and path.name != ".copier-answers.yml" and not binary:
            text = path.read_text("utf-8")
            assert not LEFTOVER.search(text), (relative, LEFTOVER.search(text))


def test_leftover_check_catches_an_unrendered_variable() -> None:
    assert LEFTOVER.search("name = {{ project_name }}")
    assert LEFTOVER.search("{% if app == 'website' %}")
    assert not LEFTOVER.search("<h1>{{ site.name }}</h1> {{ site.description }}")
    assert not LEFTOVER.search("{% url 'about' %}")
    assert not LEFTOVER.search('{% include "accounts/nav.html" %}')
    assert LEFTOVER.search("{% if accounts %}")


@pytest.mark.parametrize("name", NAMES)
def test_answers_file_records_answers_and_template(
    projects: dict[str, Path], name: str
) -> None:
    answers = yaml.safe_load(
        (projects[name] / ".copier-answers.yml").read_text("utf-8")
    )
    framework, app = name.split("-")[:2]  # flask-todo-accounts: a to-do variant
    assert (answers["framework"], answers["app"]) == (framework, app)
    assert Path(answers["_src_path"]).is_absolute()
    # The versioned template (a checkout holding copier.yml, or the installed
    # bundle) and the version it was at: what `scaffold update` starts from.
    assert answers["_src_path"] == installed_source().url
    assert Path(answers["_src_path"]).exists()
    assert answers["_commit"]
    assert not DEV_KEY.search(str(answers))  # secrets never land in the answers file


@pytest.mark.parametrize("name", NAMES)
def test_readme_shows_answers_as_literal_markdown(
    generated_hostile: dict[str, Path], name: str
) -> None:
    readme = (generated_hostile[name] / "README.md").read_text("utf-8")
    title = readme.splitlines()[0]
    assert title.startswith("# ")
    # Markdown punctuation and HTML are backslash-escaped: "\<script\>", not "<script>".
    assert "<script>" not in readme and "\\<script\\>" in title
    unescaped = re.sub(r"\\(.)", r"\1", title[2:])
    assert unescaped == HOSTILE["project_name"]


TODOS = ["flask-todo", "django-todo", "flask-todo-accounts", "django-todo-accounts"]
# The commands an Accounts section names: making an account, lifting a lockout.
ACCOUNT_COMMAND = re.compile(r"(?:flask|python manage\.py) [\w-]+")


@pytest.mark.parametrize("name", TODOS)
def test_readme_tells_how_to_get_an_account_when_there_are_accounts(
    generated: dict[str, Path], name: str, tmp_path: Path
) -> None:
    readme = (generated[name] / "README.md").read_text("utf-8")
    if not name.endswith("-accounts"):
        assert "## Accounts" not in readme and "sign up" not in readme
        return
    section = readme.split("\n## Accounts\n", 1)[1].split("\n## ", 1)[0]
    words = " ".join(section.split())
    assert "/accounts/signup/> and **sign up**" in words
    assert "five failures for one username from one address" in words
    assert "for 15 minutes, even with the right password" in words
    commands = ACCOUNT_COMMAND.findall(section)
    if name.startswith("flask"):
        assert commands == ["flask create-user"]
    else:
        assert commands == [
            "python manage.py createsuperuser",
            "python manage.py axes_reset",
        ]
    # Each command it names is one the project has (in a copy: a first run
    # writes the development key).
    copy = shutil.copytree(generated[name], tmp_path / name)
    for command in commands:
        args = command.replace("flask", "-m flask").split()
        found = python(copy, *args[1:] if args[0] == "python" else args, "--help")
        assert found.returncode == 0, (command, found.stderr)


def assert_hello_behaves(project: Path) -> None:
    page = probe(project, "/")["/"]
    assert page["status"] == 200
    assert page["content_type"].startswith("text/html")
    assert Page(page["body"]).text("p") == ["Hello, World!"]


@pytest.mark.parametrize("name", HELLOS)
def test_hello_says_hello(generated: dict[str, Path], name: str) -> None:
    assert_hello_behaves(generated[name])


@pytest.mark.parametrize("name", HELLOS)
def test_hello_check_catches_a_wrong_greeting(
    generated: dict[str, Path], tmp_path: Path, name: str
) -> None:
    project = tmp_path / name
    shutil.copytree(generated[name], project)
    edit(project, "app.py", "Hello, World!", "Hello, Moon!")
    with pytest.raises(AssertionError):
        assert_hello_behaves(project)


# The seed article's Hello World is 5 lines of code in Flask and 12 in Django;
# ours may add a little (a comment-free line or two), never a configuration.
HELLO_BUDGET = {"flask-hello": 8, "django-hello": 20}


def lines_of_code(source: str) -> int:
    """Lines holding code: no blank line, comment or docstring counted."""
    tree = ast.parse(source)
    docstrings = set()
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(tree):
        if isinstance(node, kinds) and ast.get_docstring(node, clean=False):
            first = node.body[0]
            docstrings.update(range(first.lineno, first.end_lineno + 1))
    code = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (
            tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
            tokenize.DEDENT, tokenize.ENDMARKER,
        ):  # fmt: skip
            code.update(range(token.start[0], token.end[0] + 1))
    return len(code - docstrings)


def test_lines_of_code_counts_code_only() -> None:
    source = (
        '"""Doc\nstring."""\n\n# comment\nx = 1  # note\n\n\n'
        'def f():\n    """Doc."""\n    return x\n'
    )
    assert lines_of_code(source) == 3


@pytest.mark.parametrize("name", HELLOS)
def test_hello_is_as_short_as_the_quickstarts(
    generated: dict[str, Path], name: str
) -> None:
    source = (generated[name] / "app.py").read_text("utf-8")
    assert lines_of_code(source) <= HELLO_BUDGET[name]
    # The check fails once a configuration block comes back.
    padding = "".join(f"SETTING_{n} = {n}\n" for n in range(HELLO_BUDGET[name]))
    assert lines_of_code(source + padding) > HELLO_BUDGET[name]


@pytest.mark.parametrize("name", HELLOS)
def test_hello_says_it_is_a_lesson_and_points_to_the_website(
    generated: dict[str, Path], name: str
) -> None:
    readme = (generated[name] / "README.md").read_text("utf-8")
    assert "## A lesson, not a starter" in readme
    framework = name.split("-")[0]
    assert f"scaffold new website DEST --framework {framework}" in readme
    assert "## Run in production" not in readme  # nothing to deploy here
    # The production parts arrive with the website (see notes.yml).
    code = (generated[name] / "app.py").read_text("utf-8")
    for production_only in ("TRUSTED_HOSTS", "ALLOWED_HOSTS", "after_request"):
        assert production_only not in code


def website_pages(project: Path) -> dict[str, dict]:
    return probe(project, "/", "/about/", STYLESHEET, "/no-such-page/")


def assert_website_behaves(project: Path) -> None:
    """Home, about, stylesheet and 404 as the README promises, text escaped."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    pages = website_pages(project)

    home = pages["/"]
    assert home["status"] == 200
    html = Page(home["body"])
    assert html.text("h1") == [answers["project_name"]]
    assert "/about/" in html.links
    assert html.stylesheets == [STYLESHEET]
    assert "script" not in html.tags and "b" not in html.tags

    about = pages["/about/"]
    assert about["status"] == 200
    html = Page(about["body"])
    body_text = " ".join(html.text("main"))
    assert answers["author_name"] in body_text
    assert answers["description"] in body_text
    assert "/" in html.links
    assert not {"script", "i", "b"} & set(html.tags)

    css = pages[STYLESHEET]
    assert css["status"] == 200
    assert css["content_type"].startswith("text/css")
    assert "font-family" in css["body"]

    missing = pages["/no-such-page/"]
    assert missing["status"] == 404
    html = Page(missing["body"])  # the 404 page wears the site's layout
    assert html.stylesheets == [STYLESHEET]
    assert answers["project_name"] in html.text("header")[0]
    assert "/" in html.links


@pytest.mark.parametrize("name", WEBSITES)
def test_website_pages(projects: dict[str, Path], name: str) -> None:
    assert_website_behaves(projects[name])


def edit(project: Path, filename: str, old: str, new: str) -> None:
    path = next(project.rglob(filename))
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


NAME = "{{ site.name }}"
BREAKAGES = {
    "unescaped name": lambda p: edit(p, "home.html", NAME, "{{ site.name|safe }}"),
    "wrong heading": lambda p: edit(p, "home.html", f"<h1>{NAME}", "<h1>Welcome"),
    "no about text": lambda p: edit(p, "about.html", "{{ site.author }}", "me"),
    "missing stylesheet": lambda p: (p / "static/css/style.css").unlink(),
    "bare 404 page": lambda p: (p / "templates/404.html").unlink(),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
@pytest.mark.parametrize("name", WEBSITES)
def test_website_check_catches_a_broken_site(
    generated_hostile: dict[str, Path], tmp_path: Path, name: str, breakage: str
) -> None:
    project = tmp_path / name
    shutil.copytree(generated_hostile[name], project)
    BREAKAGES[breakage](project)
    with pytest.raises(AssertionError):
        assert_website_behaves(project)


def test_both_websites_expose_the_same_urls(generated: dict[str, Path]) -> None:
    seen = {
        name: {path: page["status"] for path, page in website_pages(p).items()}
        for name, p in generated.items()
        if name in WEBSITES
    }
    assert seen["flask-website"] == seen["django-website"]


def test_hostile_text_is_escaped_in_the_html(
    generated_hostile: dict[str, Path],
) -> None:
    for name in WEBSITES:
        body = website_pages(generated_hostile[name])["/"]["body"]
        assert "<script>" not in body and "&lt;script&gt;" in body
        assert "{{ 7 * 7 }}" in body and "49" not in body  # never evaluated


def python(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python ARGS...` in the project folder, as its README would."""
    return subprocess.run(
        [sys.executable, *args], cwd=project, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("name", ["flask-hello", "flask-website"])
def test_flask_run_finds_the_app_with_no_flags(
    generated: dict[str, Path], name: str
) -> None:
    routes = python(generated[name], "-m", "flask", "routes")
    assert routes.returncode == 0, routes.stderr
    assert " /" in routes.stdout


@pytest.mark.parametrize(
    ("name", "script"), [("django-hello", "app.py"), ("django-website", "manage.py")]
)
def test_django_entry_point_passes_system_checks(
    projects: dict[str, Path], name: str, script: str, tmp_path: Path
) -> None:
    # In a copy: with debug on, the first run writes .dev-secret-key, and the
    # shared projects must stay as generated (see the development key test).
    copy = shutil.copytree(projects[name], tmp_path / name)
    check = python(copy, script, "check")
    assert check.returncode == 0, check.stderr
    assert "no issues" in check.stdout


@pytest.mark.parametrize("name", NAMES)
def test_generated_code_is_ruff_clean(projects: dict[str, Path], name: str) -> None:
    for args in (["check"], ["format", "--check"]):
        lint = python(projects[name], "-m", "ruff", *args, "--no-cache", ".")
        assert lint.returncode == 0, lint.stdout + lint.stderr


DEV_KEY = re.compile(r"(?:django|flask)-insecure-([0-9a-f]{40})")
# Each development entry point, run once the way its README runs it.
FIRST_RUN = {
    "django-website": ["manage.py", "check"],
    "django-todo": ["manage.py", "check"],
    "flask-todo": ["-m", "flask", "routes"],  # reads .flaskenv: debug on
}


def test_each_copy_makes_its_own_development_key_on_first_run(
    generated: dict[str, Path], generated_hostile: dict[str, Path], tmp_path: Path
) -> None:
    templates = "".join(
        p.read_text("utf-8")
        for p in templates_root().rglob("*")
        if p.is_file() and p.suffix != ".gz"
    )
    assert not DEV_KEY.search(templates)  # never a fixed string in a template
    keys = []
    for projects in (generated, generated_hostile):
        for name, command in FIRST_RUN.items():
            copy = tmp_path / f"{len(keys)}-{name}"
            shutil.copytree(projects[name], copy)
            generated_text = "".join(
                p.read_text("utf-8") for p in copy.rglob("*") if p.is_file()
            )
            # No key in any generated file: updates never conflict over one.
            assert not DEV_KEY.search(generated_text), name
            assert not (copy / ".dev-secret-key").exists()
            run = python(copy, *command)
            assert run.returncode == 0, run.stderr
            found = DEV_KEY.findall((copy / ".dev-secret-key").read_text("utf-8"))
            assert len(found) == 1, name
            keys.append(found[0])
            if projects is generated:  # kept from run to run, and out of git
                assert python(copy, *command).returncode == 0
                assert DEV_KEY.findall((copy / ".dev-secret-key").read_text()) == [
                    found[0]
                ]
                subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
                ignored = ["git", "check-ignore", "-q", ".dev-secret-key"]
                assert subprocess.run(ignored, cwd=copy).returncode == 0, name
    assert len(set(keys)) == len(keys)  # never the same twice


@pytest.mark.parametrize("name", NAMES)
def test_every_yaml_file_parses(projects: dict[str, Path], name: str) -> None:
    found = [*projects[name].rglob("*.yml")]
    assert any(p.name == "ci.yml" for p in found)
    for path in found:
        assert yaml.safe_load(path.read_text("utf-8")), path
