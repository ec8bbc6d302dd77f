"""The command line: what users type, what they see, what lands on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from scaffold import __version__
from scaffold.generation import template_source
from scaffold.generation.catalog import PROJECTS, variant_answers
from scaffold.generation.template_source import TemplateSource, installed_source

from .conftest import EXAMPLE_ANSWERS, HOSTILE

REQUIRED = ["project_name", "author_name", "author_email"]


def answers_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.yml"
    path.write_text(text, "utf-8")
    return path


def assert_refused(result, *phrases: str) -> None:
    """One clear line on stderr, a non-zero exit, no traceback."""
    assert result.code != 0
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("scaffold: error: ")
    assert "Traceback" not in result.err
    for phrase in phrases:
        assert phrase in lines[0]


# --- happy paths ------------------------------------------------------------


def test_list_names_every_project(cli) -> None:
    result = cli("list")
    assert result.code == 0
    version, *lines = result.out.strip().splitlines()
    assert version == f"Templates {installed_source().label}"
    assert len(lines) == len(PROJECTS)
    for line, project in zip(lines, PROJECTS, strict=True):
        assert line.split()[:3] == [
            project.framework,
            project.app,
            f"templates/{project.template}",
        ]


def test_every_listed_template_folder_exists() -> None:
    from scaffold.generation.catalog import templates_root

    for project in PROJECTS:
        assert (templates_root() / project.template).is_dir(), project.template


def test_version(cli) -> None:
    result = cli("--version")
    assert result.code == 0
    assert __version__ in result.out
    assert f"templates {installed_source().ref}" in result.out


@pytest.mark.parametrize(
    ("ref", "shown"),
    [
        ("v0.2.0", "v0.2.0"),
        ("v0.1.0-151-g8d691c7", "v0.1.0-151-g8d691c7 (development build)"),
        ("v0.2.0-dirty", "v0.2.0-dirty (development build)"),
        ("8d691c7", "8d691c7 (development build)"),
    ],
)
def test_version_says_when_it_is_a_development_build(
    cli, monkeypatch, ref: str, shown: str
) -> None:
    monkeypatch.setattr(
        template_source, "installed_source", lambda: TemplateSource("t", ref)
    )
    result = cli("--version")
    assert result.out.strip() == f"scaffold {__version__}, templates {shown}"


@pytest.mark.parametrize(
    "command", [[], ["list"], ["new"], ["all"], ["check"], ["smoke"], ["compare"]]
)
def test_help_has_an_example(cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.code == 0
    assert "Example:" in result.out or "Examples:" in result.out


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_new_generates_the_chosen_project(cli, tmp_path: Path, project) -> None:
    dest = tmp_path / "site"
    result = cli(
        "new",
        project.app,
        dest,
        "--framework",
        project.framework,
        "--answers",
        EXAMPLE_ANSWERS,
        *(f"--data={key}={value}" for key, value in project.answers.items()),
    )
    assert result.code == 0, result.err
    assert project.run in result.out
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text("utf-8"))
    assert (answers["framework"], answers["app"]) == (project.framework, project.app)
    expected = {
        "flask-hello": "app.py",
        "django-hello": "app.py",
        "flask-website": "templates/base.html",
        "django-website": "pages/views.py",
        "flask-todo": "migrations/versions",
        "django-todo": "todos/migrations/0001_initial.py",
        "flask-todo-accounts": "ada_notebook/auth/views.py",
        "django-todo-accounts": "accounts/migrations/0001_initial.py",
        "flask-todo-api": "ada_notebook/api/schemas.py",
        "django-todo-api": "api/serializers.py",
    }[project.name]
    assert (dest / expected).exists()
    # Only the variant has accounts: `new todo` alone gives the plain to-do.
    assert answers.get("accounts", False) is bool(project.answers)
    assert (dest / "accounts").exists() is (
        project.framework == "django" and "accounts" in project.answers
    )
    assert (
        dest / ("ada_notebook/api" if project.framework == "flask" else "api")
    ).exists() is ("api" in project.answers)


def test_all_uses_one_set_of_answers(cli, tmp_path: Path) -> None:
    dest = tmp_path / "build"
    result = cli("all", dest, "--answers", EXAMPLE_ANSWERS, "--data", "version=2.0")
    assert result.code == 0, result.err
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in PROJECTS)
    recorded = [
        yaml.safe_load((dest / p.name / ".copier-answers.yml").read_text("utf-8"))
        for p in PROJECTS
    ]
    # `database` is asked for the to-dos only; the accounts variants differ
    # only by the answer they fix.
    fixed = {"framework", "app", "database", *variant_answers()}
    shared = [{k: v for k, v in r.items() if k not in fixed} for r in recorded]
    assert [r.get("accounts") for r in recorded][-2:] == [True, True]
    assert all(s == shared[0] for s in shared)
    # Every to-do (the accounts variants too) on the default database.
    assert [r.get("database") for r in recorded if r["app"] == "todo"] == ["sqlite"] * 6
    assert shared[0]["project_name"] == "Ada's Notebook"
    assert shared[0]["version"] == "2.0"  # --data wins over the file


def test_data_alone_is_enough(cli, tmp_path: Path) -> None:
    dest = tmp_path / "site"
    result = cli(
        "new",
        "hello",
        dest,
        "-f",
        "flask",
        "-d",
        "project_name=My Site",
        "-d",
        "author_name=Me",
        "-d",
        "author_email=me@x.org",
    )
    assert result.code == 0, result.err
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text("utf-8"))
    assert answers["project_slug"] == "my_site"  # derived from the name
    assert answers["description"]  # has a default


def test_slug_from_a_name_starting_with_a_digit_is_still_valid(cli, tmp_path) -> None:
    result = cli(
        "new",
        "website",
        tmp_path / "s",
        "-f",
        "django",
        "-d",
        "project_name=2048 Games!",
        "-d",
        "author_name=Me",
        "-d",
        "author_email=me@x.org",
    )
    assert result.code == 0, result.err
    assert (tmp_path / "s" / "site_2048_games" / "settings.py").is_file()


def test_force_writes_template_files_and_keeps_the_users_own(cli, tmp_path) -> None:
    dest = tmp_path / "site"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    (dest / "app.py").write_text("old")
    result = cli(
        "new", "hello", dest, "-f", "flask", "--answers", EXAMPLE_ANSWERS, "--force",
        "--overwrite",  # app.py differs: --force alone refuses (see below)
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (dest / "notes.txt").read_text() == "mine"
    assert "Hello, World!" in (dest / "app.py").read_text()


# --- bad input: one line, non-zero exit, nothing written ----------------------

EXAMPLE = EXAMPLE_ANSWERS.read_text("utf-8")


def example_with(key: str, value: str | None) -> str:
    """The example answers with one answer changed (a key given twice is refused);
    None leaves the value out: `key:`."""
    lines = [line for line in EXAMPLE.splitlines(True) if not line.startswith(key)]
    given = f"{key}:\n" if value is None else yaml.safe_dump({key: value})
    return "".join(lines) + given


# Each case: the command line (DEST is a folder that must not appear, EXAMPLE the
# example answers file, FILE an answers file holding the text given, TMP an
# existing folder), that text, and what the one line of error must say.
REFUSALS = {
    "unknown app": (
        "new blog DEST -f flask --answers EXAMPLE", None,
        ["unknown app 'blog'", "hello, website, todo (see 'scaffold list')"],
    ),
    "unknown framework": (
        "new hello DEST -f rails --answers EXAMPLE", None,
        ["'rails' is not one of 'flask', 'django'"],
    ),
    "no framework": ("new hello DEST --answers EXAMPLE", None, ["--framework"]),
    "missing answers file": (
        "new hello DEST -f flask --answers TMP/nope.yml", None,
        ["nope.yml", "not found"],
    ),
    "missing answers file (all)": (
        "all DEST --answers TMP/nope.yml", None, ["nope.yml", "not found"],
    ),
    "answers file is a folder": (
        "new hello DEST -f flask --answers TMP", None, ["is a folder"],
    ),
    "unparseable answers file": (
        "new hello DEST -f flask --answers FILE", "author_name: x\nproject_name: a: b",
        ["not valid YAML", "line 2"],
    ),
    "answers file is a list": (
        "all DEST --answers FILE", "- a\n- b\n", ["must be a mapping", "not a list"],
    ),
    "answers file is text": (
        "new hello DEST -f flask --answers FILE", "just text\n",
        ["must be a mapping", "not a str"],
    ),
    "unknown key in the file": (
        "new hello DEST -f flask --answers FILE", EXAMPLE + "colour: blue\n",
        ["unknown answer 'colour'", "known answers are project_name"],
    ),
    "unknown key in --data": (
        "new hello DEST -f flask --answers EXAMPLE -d colour=blue", None,
        ["--data", "unknown answer 'colour'"],
    ),
    "framework in the file": (
        "new hello DEST -f flask --answers FILE", EXAMPLE + "framework: flask\n",
        ["'framework' is chosen by the command"],
    ),
    "--data without =": (
        "new hello DEST -f flask --answers EXAMPLE -d project_name", None,
        ["KEY=VALUE"],
    ),
    "a list as a value": (
        "new hello DEST -f flask --answers FILE", "project_name: [a, b]\n",
        ["'project_name' must be one value"],
    ),
    "null value": (
        "new hello DEST -f flask --answers FILE", example_with("author_name", None),
        ["'author_name' must not be empty"],
    ),
    "bad answer (all)": (
        "all DEST --answers EXAMPLE -d project_slug=flask", None,
        ["'project_slug' must not shadow"],
    ),
    "check a folder that is not a project": (
        "check TMP", None, ["is not a project generated by scaffold", "scaffold new"],
    ),
    "check a missing folder": ("check TMP/nope", None, ["nope", "does not exist"]),
    "check nothing": ("check", None, ["Missing argument 'PROJECT_DIR...'"]),
    "check with an unknown server": (
        "check TMP --server apache", None, ["'apache' is not one of 'gunicorn', 'dev'"],
    ),
    "smoke with a bad answer": (
        "smoke -d project_slug=flask", None, ["'project_slug' must not shadow"],
    ),
    "smoke keeping into a folder that is not empty": (
        "smoke --keep TMP --answers FILE", EXAMPLE, ["is not empty", "new folder"],
    ),
    "compare an unknown app": (
        "compare blog --out DEST", None,
        ["unknown app 'blog'", "hello, website, todo, accounts, api or all"],
    ),
    "compare with a bad answer": (
        "compare all -d project_slug=flask --out DEST", None,
        ["'project_slug' must not shadow"],
    ),
    "compare with a missing answers file": (
        "compare todo --answers TMP/nope.yml --out DEST", None,
        ["nope.yml", "not found"],
    ),
    "compare keeping into a folder that is not empty": (
        "compare all --keep TMP --answers FILE --out DEST", EXAMPLE,
        ["is not empty", "new folder"],
    ),
    "compare with --out inside a file": (
        "compare hello --out TMP/answers.yml/page.html --answers FILE", EXAMPLE,
        ["cannot write", "page.html"],
    ),
    "compare with --out a folder": (
        "compare all --out TMP", None, ["is a directory"],
    ),
    # Single-line answers: `\Z`, not `$` (which also matches before a final
    # newline), and no line break or control character of any kind.
    "slug with a trailing newline": (
        "new hello DEST -f flask --answers FILE", example_with("project_slug", "abc\n"),
        ["'project_slug'", "lowercase Python identifier"],
    ),
    "version with a trailing newline": (
        "new hello DEST -f flask --answers FILE", example_with("version", "1.0\n"),
        ["'version'", "must look like"],
    ),
    "email with a trailing newline": (
        "new hello DEST -f flask --answers FILE",
        example_with("author_email", "a@b.co\n"), ["'author_email'", "single line"],
    ),
    "email that changes a mailto: link": (
        "new hello DEST -f flask --answers EXAMPLE -d author_email=a?cc=x@b.co", None,
        ["'author_email'", "email address"],
    ),
    **{
        f"name holding {label}": (
            "new hello DEST -f flask --answers FILE",
            example_with("project_name", f"a{char}b"),
            ["'project_name'", "single line"],
        )
        for label, char in [
            ("NEL", "\x85"), ("U+2028", "\u2028"), ("U+2029", "\u2029"),
            ("CR", "\r"), ("VT", "\x0b"), ("FF", "\x0c"), ("ESC", "\x1b"),
            ("DEL", "\x7f"), ("a bidi override", "\u202e"), ("NUL", "\x00"),
        ]
    },
    "description ending in a line break": (
        "new hello DEST -f flask --answers FILE",
        example_with("description", "fine\u2029"), ["'description'", "single line"],
    ),
    # The slug may not shadow any module the project could import.
    **{
        f"slug {name}": (
            f"new hello DEST -f flask --answers EXAMPLE -d project_slug={name}", None,
            ["'project_slug'", "must not shadow", name],
        )
        for name in [
            "decimal", "dataclasses", "zoneinfo", "hashlib", "asyncio", "traceback",
            "tempfile", "operator", "dotenv", "blinker", "mako",
            "conftest", "migrations",
        ]
    },
    # YAML: no types, tags or duplicates; a hostile file is one line.
    "a !!set tag": (
        "new hello DEST -f flask --answers FILE",
        example_with("project_name", None) + " " * 13 + "!!set {a, b}",
        ["tag", "!!set", "plain text"],
    ),
    "a !!binary tag": (
        "new hello DEST -f flask --answers FILE",
        example_with("project_name", None) + " " * 13 + "!!binary aGk=",
        ["tag", "!!binary", "plain text"],
    ),
    "a python tag": (
        "new hello DEST -f flask --answers FILE",
        "project_name: !!python/object/apply:os.system [echo hi]\n",
        ["tag", "plain text"],
    ),
    "a duplicate key": (
        "new hello DEST -f flask --answers FILE",
        EXAMPLE + "project_name: Other\n",
        ["'project_name' twice", "lines 3 and 9"],
    ),
    "a key that is a list": (
        "new hello DEST -f flask --answers FILE", "? [a, b]\n: c\n",
        ["key that is not plain text", "line 1"],
    ),
    "YAML nested 500 deep (flow)": (
        "new hello DEST -f flask --answers FILE",
        "project_name: " + "[" * 500 + "]" * 500,
        ["nested", "deep"],
    ),
    "YAML nested 100 deep (block)": (
        "all DEST --answers FILE",
        "".join(f"{' ' * i}k{i}:\n" for i in range(100)) + " " * 100 + "x",
        ["nested more than 20 levels deep"],
    ),
    "answers file /dev/zero": (
        "new hello DEST -f flask --answers /dev/zero", None,
        ["/dev/zero", "not a regular file"],
    ),
    "a huge answers file": (
        "all DEST --answers FILE", EXAMPLE + "#" * 100_000 + "\n",
        ["bytes", "at most 65536"],
    ),
}  # fmt: skip


def refused(cli, tmp_path: Path, line: str, text: str | None = None, phrases=()):
    """Run a command line that must be refused; check nothing was written."""
    dest = tmp_path / "out" / "site"
    if text is not None:
        answers_file(tmp_path, text)
    places = {
        "DEST": str(dest),
        "EXAMPLE": str(EXAMPLE_ANSWERS),
        "FILE": str(tmp_path / "answers.yml"),
        "TMP": str(tmp_path),
    }
    args = [places.get(arg, arg) for arg in line.split()]
    args = [arg.replace("TMP/", f"{tmp_path}/") for arg in args]
    result = cli(*args)
    assert_refused(result, *phrases)
    assert not (tmp_path / "out").exists(), "nothing may be written"
    return result


@pytest.mark.parametrize("case", REFUSALS)
def test_bad_input_is_refused(cli, tmp_path: Path, case: str) -> None:
    refused(cli, tmp_path, *REFUSALS[case])


def test_refusal_check_notices_a_written_destination(cli, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(AssertionError, match="nothing may be written"):
        refused(cli, tmp_path, *REFUSALS["unknown app"])


@pytest.mark.parametrize("key", [*REQUIRED, "description"])
@pytest.mark.parametrize("value", ["", "   "])
def test_empty_required_value(cli, tmp_path: Path, key: str, value: str) -> None:
    line = "new hello DEST -f django --answers FILE"
    text = example_with(key, value)
    refused(cli, tmp_path, line, text, [f"'{key}'", "must not be empty"])


@pytest.mark.parametrize("key", REQUIRED)
def test_empty_value_from_data(cli, tmp_path: Path, key: str) -> None:
    line = f"new hello DEST -f flask --answers EXAMPLE -d {key}="
    refused(cli, tmp_path, line, None, [f"'{key}'", "must not be empty"])


@pytest.mark.parametrize("key", REQUIRED)
def test_missing_required_answer_names_it(cli, tmp_path: Path, key: str) -> None:
    given = " ".join(f"-d {k}=x@y.zz" for k in REQUIRED if k != key)
    refused(
        cli, tmp_path, f"new hello DEST -f flask --defaults {given}", None,
        [f"missing answer '{key}'", f"--data {key}=VALUE"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("slug", "rule"),
    [
        ("My_Site", "lowercase Python identifier"),
        ("my-site", "lowercase Python identifier"),
        ("2site", "lowercase Python identifier"),
        ("café", "lowercase Python identifier"),
        ("class", "Python keyword"),
        ("import", "Python keyword"),
        ("flask", "must not shadow"),
        ("django", "must not shadow"),
        ("test", "must not shadow"),
        ("site", "must not shadow"),
        ("pages", "must not shadow"),
    ],
)
def test_bad_slug(cli, tmp_path: Path, slug: str, rule: str) -> None:
    line = f"new website DEST -f django --answers EXAMPLE -d project_slug={slug}"
    refused(cli, tmp_path, line, None, ["'project_slug'", rule])


@pytest.mark.parametrize(
    ("key", "value", "phrase"),
    [
        ("author_email", "not-an-email", "email address"),
        ("project_name", "two\nlines", "single line"),
        ("description", "tab\there", "single line"),
        ("project_name", "x" * 201, "at most 200"),
        ("version", "one", "must look like"),
    ],
)
def test_bad_values(cli, tmp_path: Path, key: str, value: str, phrase: str) -> None:
    refused(
        cli, tmp_path, "new hello DEST -f flask --answers FILE",
        example_with(key, value), [f"'{key}'", phrase],
    )  # fmt: skip


def test_all_into_an_existing_empty_folder_leaves_it_empty_on_error(
    cli, tmp_path: Path
) -> None:
    dest = tmp_path / "build"
    dest.mkdir()
    result = cli("all", dest, "--answers", EXAMPLE_ANSWERS, "-d", "project_slug=X")
    assert_refused(result, "project_slug")
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize("command", [("new", "hello", "-f", "flask"), ("all",)])
def test_non_empty_destination_is_refused_without_force(
    cli, tmp_path: Path, command
) -> None:
    dest = tmp_path / "site"
    dest.mkdir()
    (dest / "app.py").write_text("my own work")
    result = (
        cli(*command[:2], dest, *command[2:], "--answers", EXAMPLE_ANSWERS)
        if (command[0] == "new")
        else cli("all", dest, "--answers", EXAMPLE_ANSWERS)
    )
    assert_refused(result, "not empty", "--force")
    assert [p.name for p in dest.iterdir()] == ["app.py"]
    assert (dest / "app.py").read_text() == "my own work"


def test_destination_that_is_a_file(cli, tmp_path: Path) -> None:
    dest = tmp_path / "site"
    dest.write_text("a file")
    result = cli("new", "hello", dest, "-f", "flask", "--answers", EXAMPLE_ANSWERS)
    assert_refused(result, "is a file")
    assert dest.read_text() == "a file"


# --- the real executable ------------------------------------------------------


def run_scaffold(*args, cwd: Path, stdin=subprocess.DEVNULL):
    env = {**os.environ, "COPIER_SETTINGS_PATH": os.environ["COPIER_SETTINGS_PATH"]}
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *map(str, args)],
        cwd=cwd,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_without_a_terminal_missing_answers_fail_instead_of_hanging(tmp_path) -> None:
    completed = run_scaffold("new", "website", "site", "-f", "django", cwd=tmp_path)
    assert completed.returncode == 1
    assert completed.stderr.strip() == (
        "scaffold: error: missing answer 'project_name': "
        "put it in the answers file or pass --data project_name=VALUE"
    )
    assert not (tmp_path / "site").exists()


def test_executable_errors_have_no_traceback(tmp_path: Path) -> None:
    bad = answers_file(tmp_path, "project_name: [")
    completed = run_scaffold("all", "out", "--answers", bad, cwd=tmp_path)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1


def test_hostile_answers_from_a_file_round_trip(cli, tmp_path: Path) -> None:
    path = answers_file(tmp_path, yaml.safe_dump(HOSTILE, allow_unicode=True))
    result = cli("new", "website", tmp_path / "site", "-f", "flask", "--answers", path)
    assert result.code == 0, result.err
    recorded = yaml.safe_load((tmp_path / "site" / ".copier-answers.yml").read_text())
    assert {k: recorded[k] for k in HOSTILE} == HOSTILE


def test_in_a_terminal_copier_asks_for_missing_answers(tmp_path: Path) -> None:
    import pty
    import select

    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "new", "hello", "site", "-f", "flask"],
        cwd=tmp_path,
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env={**os.environ, "TERM": "xterm"},
    )
    os.close(child_fd)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        while b"Project name" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(main_fd, 4096)
                except OSError:  # the terminal closed: the process ended
                    break
    finally:
        process.kill()
        process.wait()
        os.close(main_fd)
    assert b"Project name" in seen, seen.decode(errors="replace")
    assert not (tmp_path / "site").exists()  # interrupted before any answer


def test_copier_settings_defaults_fill_in_answers(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "settings.yml"
    settings.write_text(
        "defaults:\n  author_name: Grace Hopper\n  author_email: g@h.io\n"
    )
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
    dest = tmp_path / "site"
    result = cli("new", "hello", dest, "-f", "flask", "-d", "project_name=Ship")
    assert result.code == 0, result.err
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text("utf-8"))
    assert (answers["author_name"], answers["author_email"]) == (
        "Grace Hopper",
        "g@h.io",
    )
