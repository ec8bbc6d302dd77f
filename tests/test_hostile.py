"""Hostile answers and hostile destinations (issue 14): refused in one line, or
generated into files that read exactly as the template means them to."""

from __future__ import annotations

import ast
import io
import os
import shutil
import tempfile
import tokenize
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffold.errors import ScaffoldError
from scaffold.generation.catalog import find_project
from scaffold.generation.generate import generate

from .conftest import EXAMPLE_ANSWERS, Page, probe
from .helpers.taken_names import required_names, shipped_names
from .test_cli import assert_refused

FREE_TEXT = ["project_name", "author_name", "description"]
EXAMPLE = yaml.safe_load(EXAMPLE_ANSWERS.read_text("utf-8"))


def snapshot(folder: Path) -> dict[str, object]:
    """Everything under ``folder``: kind and content of every path."""
    seen: dict[str, object] = {}
    if not folder.exists() and not folder.is_symlink():
        return seen
    for path in sorted([folder, *folder.rglob("*")]):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            seen[key] = ("link", os.readlink(path))
        elif path.is_dir():
            seen[key] = "dir"
        else:
            seen[key] = (path.read_bytes(), path.stat().st_mode)
    return seen


# --- 1. no answer where it changes how a file is read --------------------------


def comments(text: str) -> set[str]:
    """The comments of a Python source."""
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return {token.string for token in tokens if token.type == tokenize.COMMENT}


def python_problems(
    source: Path, value: str, fixed: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """Ways ``value`` could change how Python reads ``source``.

    ``fixed``: comments the template writes whatever the answers are (from a
    render with the example answers); they may contain a short value by
    chance, e.g. "404" for the answer "0", and do not count.
    """
    data = source.read_bytes()
    problems = []
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    if encoding not in {"utf-8", "utf-8-sig"}:
        problems.append(f"reads as {encoding}")
    compile(data, str(source), "exec")  # bytes: the coding cookie applies
    text = data.decode("utf-8")
    if any(value in line for line in text.splitlines()[:2]):
        problems.append("the answer is on line 1 or 2 (PEP 263 coding cookie)")
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        # Comments can hold directives for linters, formatters, type checkers.
        if (
            token.type == tokenize.COMMENT
            and value in token.string
            and token.string not in fixed
        ):
            problems.append(f"the answer is in a comment, line {token.start[0]}")
    return problems


@pytest.mark.parametrize(
    "name",
    [
        "coding: bogus",
        "coding: utf-7 +AF8AXwBp-",  # the reported attack, as the name itself
        "x # -*- coding: latin-1 -*-",
        "ruff: noqa",
        "type: ignore",
    ],
)
@pytest.mark.parametrize("framework", ["flask", "django"])
def test_an_answer_never_changes_how_python_reads_a_file(
    tmp_path: Path, framework: str, name: str
) -> None:
    for app in ("hello", "website", "todo"):
        project = generate(
            find_project(app, framework),
            tmp_path / app,
            {**EXAMPLE, "project_name": name, "author_name": name},
        )
        for source in sorted(project.rglob("*.py")):
            assert not python_problems(source, name), source


def test_the_python_check_catches_a_name_in_a_first_line_comment(tmp_path) -> None:
    source = tmp_path / "app.py"
    source.write_text("# coding: bogus\nx = 1\n")
    with pytest.raises(SyntaxError):
        python_problems(source, "coding: bogus")
    source.write_text("x = 1\n\n# Ada\n")
    assert python_problems(source, "Ada") == [
        "the answer is in a comment, line 3",
    ]


# --- 3. the slug deny-list ----------------------------------------------------


def test_slug_deny_list_holds_every_module_a_project_could_shadow() -> None:
    missing = required_names() - shipped_names()
    assert not missing, (
        f"templates/_shared/taken_names.jinja lacks {sorted(missing)}; "
        "run `python -m tests.helpers.taken_names`"
    )


def test_the_deny_list_check_sees_stdlib_and_dependencies() -> None:
    required = required_names()
    for name in ("decimal", "zoneinfo", "dotenv", "flask", "django", "pages", "app"):
        assert name in required, name


# --- 4. YAML answers stay what was typed --------------------------------------


def test_yaml_answers_keep_exactly_what_was_typed(cli, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(
        "project_name: yes\nauthor_name: 010\nauthor_email: a@b.co\n"
        "description: 1.10\nversion: 1.10\nproject_slug: null_site\n"
    )
    dest = tmp_path / "site"
    result = cli("new", "website", dest, "-f", "flask", "--answers", answers)
    assert result.code == 0, result.err
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text("utf-8"))
    assert recorded["project_name"] == "yes"
    assert recorded["author_name"] == "010"
    assert recorded["version"] == recorded["description"] == "1.10"
    meta = tomllib.loads((dest / "pyproject.toml").read_text("utf-8"))["project"]
    assert meta["version"] == "1.10" and meta["description"] == "1.10"
    assert meta["authors"][0]["name"] == "010"


# --- 5 and 6. destinations: one line, and DEST exactly as it was -----------------


def unwritable(tmp_path: Path) -> Path:
    """A folder nobody may create anything in (root included)."""
    if os.geteuid() == 0:
        return Path("/sys/scaffold-test")  # sysfs refuses mkdir, even for root
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize("command", [["new", "hello", "-f", "flask"], ["all"]])
def test_destination_under_a_read_only_folder(cli, tmp_path, command) -> None:
    dest = unwritable(tmp_path) / "site"
    result = cli(*command[:2], dest, *command[2:], "--answers", EXAMPLE_ANSWERS)
    assert_refused(result, "cannot write", "nothing was changed")
    assert not dest.exists()


def test_destination_that_is_a_dangling_link(cli, tmp_path: Path) -> None:
    dest = tmp_path / "site"
    dest.symlink_to(tmp_path / "missing")
    result = cli("new", "hello", dest, "-f", "flask", "--answers", EXAMPLE_ANSWERS)
    assert_refused(result, "symbolic link", "missing")
    assert dest.is_symlink() and not (tmp_path / "missing").exists()


def refused_and_unchanged(cli, dest: Path, *args: str, phrases=()) -> None:
    before = snapshot(dest)
    result = cli(*args)
    assert_refused(result, *phrases)
    assert snapshot(dest) == before, "a refused run must leave DEST as it was"


def test_all_force_where_a_project_folder_is_a_file(cli, tmp_path: Path) -> None:
    dest = tmp_path / "build"
    dest.mkdir()
    (dest / "flask-hello").write_text("mine")
    refused_and_unchanged(
        cli, dest, "all", dest, "--answers", EXAMPLE_ANSWERS, "--force",
        phrases=["flask-hello (not a folder)", "in the way"],
    )  # fmt: skip


def test_new_todo_force_where_the_package_folder_is_a_file(cli, tmp_path) -> None:
    dest = tmp_path / "site"
    dest.mkdir()
    (dest / "ada_notebook").write_text("mine")
    refused_and_unchanged(
        cli, dest, "new", "todo", dest, "-f", "flask", "--answers", EXAMPLE_ANSWERS,
        "--force", phrases=["ada_notebook (not a folder)"],
    )  # fmt: skip


def test_force_where_a_template_file_is_a_folder_or_a_link(cli, tmp_path) -> None:
    dest = tmp_path / "site"
    (dest / "app.py").mkdir(parents=True)
    (dest / "README.md").symlink_to("/etc/hostname")
    refused_and_unchanged(
        cli, dest, "new", "hello", dest, "-f", "flask", "--answers", EXAMPLE_ANSWERS,
        "--overwrite", phrases=["app.py (not a file)", "README.md (not a file)"],
    )  # fmt: skip


def test_force_over_answers_that_are_not_a_mapping(cli, tmp_path: Path) -> None:
    dest = tmp_path / "site"
    dest.mkdir()
    (dest / ".copier-answers.yml").write_text("- a\n- b\n")
    refused_and_unchanged(
        cli, dest, "new", "hello", dest, "-f", "flask", "--answers", EXAMPLE_ANSWERS,
        "--force", phrases=[".copier-answers.yml", "--overwrite"],
    )  # fmt: skip


def test_force_never_replaces_the_owners_files_that_differ(cli, tmp_path) -> None:
    dest = tmp_path / "site"
    dest.mkdir()
    (dest / "app.py").write_text("my app")
    (dest / "README.md").write_text("my readme")
    (dest / "notes.txt").write_text("my notes")
    refused_and_unchanged(
        cli, dest, "new", "hello", dest, "-f", "flask", "--answers", EXAMPLE_ANSWERS,
        "--force",
        phrases=["2 file(s) that differ", "README.md, app.py", "--overwrite"],
    )  # fmt: skip
    result = cli(
        "new", "hello", dest, "-f", "flask", "--answers", EXAMPLE_ANSWERS,
        "--overwrite",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "Hello, World!" in (dest / "app.py").read_text()
    assert (dest / "notes.txt").read_text() == "my notes"


def test_force_over_the_same_project_needs_no_overwrite(cli, tmp_path) -> None:
    dest = tmp_path / "site"
    args = ["new", "hello", dest, "-f", "flask", "--answers", EXAMPLE_ANSWERS]
    assert cli(*args).code == 0
    (dest / "notes.txt").write_text("mine")
    before = snapshot(dest)
    result = cli(*args, "--force")  # every file is identical: nothing to replace
    assert result.code == 0, result.err
    assert snapshot(dest) == before


def test_a_write_failing_half_way_puts_everything_back(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "site"
    dest.mkdir()
    (dest / "app.py").write_text("my app")
    real_copy = shutil.copy2
    calls = []

    def copy_then_fail(source, target, *args, **kwargs):
        calls.append(target)
        if len(calls) == 6:  # after the backup and a few files
            raise OSError(28, "No space left on device", str(target))
        return real_copy(source, target, *args, **kwargs)

    monkeypatch.setattr("scaffold.generation.placing.shutil.copy2", copy_then_fail)
    refused_and_unchanged(
        cli, dest, "new", "todo", dest, "-f", "django", "--answers", EXAMPLE_ANSWERS,
        "--overwrite", phrases=["No space left on device", "nothing was changed"],
    )  # fmt: skip
    assert len(calls) == 6


def test_a_new_destination_failing_half_way_is_removed(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A destination that does not exist gets the rendered folders moved in;
    a move failing half-way moves back the ones done and removes DEST (and
    the parent folders it made)."""
    dest = tmp_path / "new" / "build"
    real_rename = Path.rename
    moves = []

    def rename_then_fail(self: Path, target):
        if Path(target).parent == dest:  # a move into DEST, not one back
            moves.append(target)
            if len(moves) == 3:
                raise OSError(28, "No space left on device", str(target))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename_then_fail)
    refused_and_unchanged(
        cli, dest, "all", dest, "--answers", EXAMPLE_ANSWERS,
        phrases=["No space left on device", "nothing was changed"],
    )  # fmt: skip
    assert len(moves) == 3
    assert not (tmp_path / "new").exists()


def test_a_new_destination_on_another_file_system_gets_copies(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staged on a RAM disk, rendered into a folder on disk: the folders
    cannot be moved (EXDEV), so the files are copied, with the same result."""
    ram = Path("/dev/shm")
    if not ram.is_dir() or ram.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    args = ["all", "--answers", EXAMPLE_ANSWERS]
    assert cli(args[0], tmp_path / "moved", *args[1:]).code == 0
    staging = Path(tempfile.mkdtemp(dir=ram))
    try:
        monkeypatch.setattr(tempfile, "tempdir", str(staging))
        result = cli(args[0], tmp_path / "copied", *args[1:])
    finally:
        shutil.rmtree(staging)
    assert result.code == 0, result.err
    assert snapshot(tmp_path / "copied") == snapshot(tmp_path / "moved")


# --- property: any text either refused in one line or kept literally ---------------

FRAGMENTS = [
    "coding: utf-7 +AF8-",
    "# -*- coding: latin-1 -*-",
    "# noqa",
    "'''",
    '"""',
    "\\",
    "\\N{BULLET}",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "{# x #}",
    "${HOME}",
    "<script>",
    "&amp;",
    "](javascript:alert(1))",
    "www.example.com",
    "1. ",
    "    ",
    "é日本",
    "\x00",
    "\t",
    "\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\u2028",
    "\u2029",
    "\u202e",
    "\ufeff",
    "\udcff",
]
answer_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=6
).map("".join)


def string_constants(source: Path) -> set[str]:
    tree = ast.parse(source.read_bytes())
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


_EXAMPLE_WEBSITE: list[Path] = []


def example_website(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """flask-website from the example answers, made once: its comments are the
    template's own."""
    if not _EXAMPLE_WEBSITE:
        dest = tmp_path_factory.mktemp("example") / "site"
        _EXAMPLE_WEBSITE.append(
            generate(find_project("website", "flask"), dest, EXAMPLE)
        )
    return _EXAMPLE_WEBSITE[0]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(key=st.sampled_from(FREE_TEXT), value=answer_text)
def test_any_text_is_refused_in_one_line_or_kept_literally(
    tmp_path_factory: pytest.TempPathFactory, key: str, value: str
) -> None:
    dest = tmp_path_factory.mktemp("prop") / "site"
    answers = {**EXAMPLE, key: value}
    try:
        project = generate(find_project("website", "flask"), dest, answers)
    except ScaffoldError as error:
        message = str(error)
        assert len(message.splitlines()) == 1 and key in message, message
        assert not dest.exists()
        return
    baseline = example_website(tmp_path_factory)
    for source in project.rglob("*.py"):
        fixed = comments((baseline / source.relative_to(project)).read_text("utf-8"))
        assert not python_problems(source, value, fixed), source
    assert value in string_constants(project / "app.py")
    meta = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["project"]
    assert meta["description"] == answers["description"]
    assert meta["authors"][0]["name"] == answers["author_name"]
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert recorded[key] == value
    pages = probe(project, "/", "/about/")
    shown = " ".join(
        text for page in pages.values() for text in Page(page["body"]).text("main")
    )
    assert " ".join(value.split()) in shown
