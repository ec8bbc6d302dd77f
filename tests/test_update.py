"""`scaffold update` over a real two-release history (tests/helpers/update_history.py).

Every project is generated once from v1.0.0, committed, and updated to v2.0.0
twice: untouched (and with --data), and after its owner's edits. Refusals and
outside clients (Copier alone, pytest-copie) use the same history.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

import scaffold.generation.generate as generating
import scaffold.generation.update as updating
from scaffold.cli import main
from scaffold.generation import copier_api
from scaffold.generation.catalog import PROJECTS
from scaffold.generation.template_source import TemplateSource

from .conftest import EXAMPLE_ANSWERS
from .helpers.update_history import (
    ADDED,
    GITIGNORE_V1,
    GITIGNORE_V2,
    HEADING_V1,
    HEADING_V2,
    OWNER_HEADING,
    OWNER_NOTE,
    REMOVED,
    build_history,
    commit_all,
    head,
    owner_edits,
    plain_git_runs_them,
    plant_git_commands,
)

NAMES = [p.name for p in PROJECTS]
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
NEW_DESCRIPTION = "Updated: engines & <numbers>"


@dataclass
class Run:
    code: int
    out: str
    err: str


def scaffold(*args: str | Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return Run(code, out.getvalue(), err.getvalue())


def status(project: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
    ).stdout


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


@dataclass
class World:
    history: Path
    untouched: dict[str, Path]
    edited: dict[str, Path]
    spare: Path  # flask-hello at v1, committed, never updated
    pretend: Run
    edited_run: Run
    untouched_run: Run
    edited_heads: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("update")
    history = build_history(base / "template")
    v1 = base / "v1-clone"  # generate from a clone at v1, then delete it
    subprocess.run(
        ["git", "clone", "-q", "-c", "advice.detachedHead=false", "--branch",
         "v1.0.0", str(history), str(v1)], check=True,
    )  # fmt: skip
    answers = yaml.safe_load(EXAMPLE_ANSWERS.read_text("utf-8"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            generating, "installed_source", lambda: TemplateSource(str(v1), "")
        )
        folders = {}
        for kind in ("untouched", "edited"):
            paths = generating.generate_all(base / kind, answers)
            folders[kind] = dict(zip(NAMES, paths, strict=True))
        spare = generating.generate(PROJECTS[0], base / "spare", answers)
    # The recorded _src_path now leads nowhere: scaffold must not need it.
    shutil.rmtree(v1)
    for path in [*folders["untouched"].values(), *folders["edited"].values(), spare]:
        commit_all(path)
    for path in folders["edited"].values():
        owner_edits(path)
    edited_heads = {name: head(path) for name, path in folders["edited"].items()}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            updating,
            "installed_source",
            lambda: TemplateSource(str(history), "v2.0.0"),
        )
        edited = list(folders["edited"].values())
        pretend = scaffold("update", *edited, "--pretend")
        assert all(not status(p) for p in edited)  # checked here, before the run
        edited_run = scaffold("update", *edited)
        untouched_run = scaffold(
            "update", *folders["untouched"].values(), "-d",
            f"description={NEW_DESCRIPTION}",
        )  # fmt: skip
        yield World(
            history,
            folders["untouched"],
            folders["edited"],
            spare,
            pretend,
            edited_run,
            untouched_run,
            edited_heads,
        )


def test_pretend_writes_nothing_and_says_what_would_change(world: World) -> None:
    run = world.pretend
    assert run.code == 1, run.err  # conflicts ahead
    assert "Pretend: nothing was written." in run.out
    for name, project in world.edited.items():
        assert f"{project}: v1.0.0 -> v2.0.0" in run.out
        assert head(project) == world.edited_heads[name]
    section = run.out.split(f"{world.edited['flask-todo']}:")[1].split("\n/")[0]
    assert f"  A {ADDED}" in section
    assert f"  D {REMOVED}" in section
    assert "  M README.md  <- conflict" in section


@pytest.mark.parametrize("name", NAMES)
def test_owner_edits_stay_and_template_changes_land(world: World, name: str) -> None:
    project = world.edited[name]
    readme = (project / "README.md").read_text("utf-8")
    assert OWNER_NOTE in readme  # the owner's edit is kept
    assert (project / ADDED).is_file()  # the added file is there
    assert not (project / REMOVED).exists()  # the removed file is gone
    assert not (project / ".gitignore").exists()  # the owner's deletion stays
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert answers["_commit"] == "v2.0.0"
    # Both changed the heading: a conflict, marked inline and reported.
    assert (
        f"<<<<<<< before updating\n{OWNER_HEADING}\n=======\n{HEADING_V2}\n"
        ">>>>>>> after updating\n"
    ) in readme
    assert world.edited_run.code == 1
    section = world.edited_run.out.split(f"{project}:")[1].split("\n/")[0]
    assert "1 conflicted" in section
    assert "  M README.md  <- conflict" in section
    assert head(project) == world.edited_heads[name]  # left for the owner to commit


@pytest.mark.parametrize("name", NAMES)
def test_untouched_project_updates_with_no_conflict(world: World, name: str) -> None:
    project = world.untouched[name]
    assert world.untouched_run.code == 0, world.untouched_run.err
    assert f"{len(NAMES)} projects updated, no conflicts" in world.untouched_run.out
    gitignore = (project / ".gitignore").read_text("utf-8")
    assert GITIGNORE_V2 in gitignore and GITIGNORE_V1 not in gitignore
    readme = (project / "README.md").read_text("utf-8")
    assert HEADING_V2 in readme and HEADING_V1 not in readme
    assert (project / ADDED).is_file()
    assert not (project / REMOVED).exists()
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert "<<<<<<<" not in path.read_text("utf-8", errors="replace"), path
    # --data changed the description, and what shows it.
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert answers["description"] == NEW_DESCRIPTION
    # Markdown shows the answer as typed (its source escapes : & < with \\).
    assert NEW_DESCRIPTION in re.sub(r"\\(.)", r"\1", readme)


def test_the_conflict_check_sees_markers() -> None:
    assert updating.CONFLICT.search("a\n<<<<<<< before updating\nb\n")
    assert not updating.CONFLICT.search("a\n<<<<<<< HEAD\nb\n")


@pytest.fixture
def source(world: World, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The installed history is v1.0.0 and v2.0.0; returns its path."""
    monkeypatch.setattr(
        updating,
        "installed_source",
        lambda: TemplateSource(str(world.history), "v2.0.0"),
    )
    return world.history


def spare_copy(world: World, where: Path) -> Path:
    copy = where / "project"
    shutil.copytree(world.spare, copy, symlinks=True)
    return copy


def refused(run: Run, *words: str) -> None:
    assert run.code == 2, (run.out, run.err)
    assert run.err.count("\n") == 1 and "Traceback" not in run.err, run.err
    assert "nothing was changed" in run.err or "unknown version" in run.err
    for word in words:
        assert word in run.err, run.err


def test_refuses_a_folder_outside_git(world, source, tmp_path) -> None:
    project = spare_copy(world, tmp_path)
    shutil.rmtree(project / ".git")
    before = snapshot(project)
    refused(scaffold("update", project), "not a git repository")
    assert snapshot(project) == before


def test_refuses_uncommitted_changes_and_updates_no_other(world, source, tmp_path):
    good = spare_copy(world, tmp_path / "good")
    dirty = spare_copy(world, tmp_path / "dirty")
    (dirty / "README.md").write_text("work in progress\n")
    before = snapshot(good), snapshot(dirty)
    refused(scaffold("update", good, dirty), "uncommitted changes")
    assert (snapshot(good), snapshot(dirty)) == before
    assert not status(good)


def test_refuses_a_folder_that_is_not_a_scaffold_project(source, tmp_path) -> None:
    project = tmp_path / "other"
    project.mkdir()
    (project / "notes.txt").write_text("mine\n")
    commit_all(project)
    refused(scaffold("update", project), "not a scaffold project")
    assert (project / "notes.txt").read_text() == "mine\n"


def test_refuses_recorded_answers_that_fail_validation(world, source, tmp_path):
    project = spare_copy(world, tmp_path)
    answers_file = project / ".copier-answers.yml"
    text = answers_file.read_text("utf-8")
    answers_file.write_text(text.replace("ada@example.com", "not-an-email"))
    commit_all(project, "A bad answer")
    before = snapshot(project)
    refused(scaffold("update", project), "author_email")
    assert snapshot(project) == before and not status(project)


def test_refuses_a_project_without_a_recorded_version(world, source, tmp_path):
    project = spare_copy(world, tmp_path)
    answers_file = project / ".copier-answers.yml"
    lines = answers_file.read_text("utf-8").splitlines(keepends=True)
    answers_file.write_text("".join(x for x in lines if not x.startswith("_commit")))
    commit_all(project, "Made before versions")
    refused(scaffold("update", project), "_commit")


def test_refuses_an_unknown_version(world, source, tmp_path) -> None:
    project = spare_copy(world, tmp_path)
    before = snapshot(project)
    refused(scaffold("update", project, "--to", "9.9.9"), "'9.9.9'", "v2.0.0")
    assert snapshot(project) == before


def test_refuses_a_downgrade_unless_asked(world, monkeypatch, tmp_path) -> None:
    # The installed scaffold is v1.0.0; the project was made by v2.0.0.
    older = tmp_path / "older"
    subprocess.run(["git", "clone", "-q", str(world.history), str(older)], check=True)
    subprocess.run(
        ["git", "-c", "advice.detachedHead=false", "checkout", "-q", "v1.0.0"],
        cwd=older, check=True,
    )  # fmt: skip
    monkeypatch.setattr(
        updating,
        "installed_source",
        lambda: TemplateSource(str(older), "v1.0.0"),
    )
    project = world.untouched["flask-hello"]
    copy = tmp_path / "project"
    shutil.copytree(project, copy, symlinks=True)
    commit_all(copy, "Updated to v2")
    before = snapshot(copy)
    refused(scaffold("update", copy), "newer than", "v1.0.0", "--to")
    assert snapshot(copy) == before
    # Asked for by name, the project's own version is fine (here: a new answer).
    run = scaffold("update", copy, "--to", "2.0.0", "-d", "description=Again")
    assert run.code == 0, run.err
    assert "description: Again" in (copy / ".copier-answers.yml").read_text()
    # An older one is still refused, naming both versions: updates go forwards.
    commit_all(copy, "New description")
    refused(
        scaffold("update", copy, "--to", "1.0.0"),
        "version v2.0.0, which is newer than v1.0.0",
        "only go forwards",
    )


def test_a_version_between_releases_is_named_as_recorded(world, source, tmp_path):
    # A development build records git's description, e.g. v0.1.0-151-g8d691c7;
    # "downgrading from 0" (its first dot-separated piece) said nothing.
    copy = tmp_path / "project"
    shutil.copytree(world.untouched["flask-hello"], copy, symlinks=True)
    described = subprocess.run(
        ["git", "describe", "--tags", "--exclude", "v2.0.0", "v2.0.0"],
        cwd=world.history, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert re.fullmatch(r"v1\.0\.0-1-g[0-9a-f]+", described)
    answers = copy / ".copier-answers.yml"
    answers.write_text(
        re.sub(r"(?m)^_commit: .*$", f"_commit: {described}", answers.read_text())
    )
    commit_all(copy, "Made by a development build")
    run = scaffold("update", copy, "--to", "1.0.0")
    refused(run, f"version {described}, which is newer than v1.0.0")
    assert "from 0" not in run.err


def test_no_changes_are_not_counted_as_updates(world, source, tmp_path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(world.untouched["flask-hello"], copy, symlinks=True)
    commit_all(copy, "Updated to v2")
    run = scaffold("update", copy)
    assert run.code == 0, run.err
    assert f"{copy}: v2.0.0 -> v2.0.0: no changes" in run.out
    assert "Nothing to update: 1 project already up to date." in run.out
    assert "updated" not in run.out.splitlines()[-1]
    assert not status(copy)
    both = scaffold("update", copy, spare_copy(world, tmp_path / "spare"))
    assert both.code == 0, both.err
    assert both.out.splitlines()[-1].startswith("1 project updated, no conflicts")


def test_a_project_in_an_ignored_folder_is_told_what_to_do(world, source, tmp_path):
    # The Quick start's build/ inside a repository that ignores it.
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / ".gitignore").write_text("build/\n")
    commit_all(outer)
    project = outer / "build" / "flask-hello"
    shutil.copytree(world.spare, project, ignore=shutil.ignore_patterns(".git"))
    before = snapshot(project)
    run = scaffold("update", project)
    refused(run, f"inside the git repository {outer}", "does not track it",
            f"cd {project} && git init")  # fmt: skip
    assert "git-tracked" not in run.err  # Copier's bare message
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("line", "phrases"),
    [
        ("framework: [flask]", ["'framework'", "not text"]),
        ("app: {a: b}", ["'app'", "not text"]),
        ("framework: rails", ["'framework'", "must be one of"]),
    ],
)
def test_recorded_answers_are_validated_as_everywhere(
    world, source, tmp_path, line: str, phrases: list[str]
) -> None:
    project = spare_copy(world, tmp_path)
    answers = project / ".copier-answers.yml"
    key = line.split(":")[0]
    kept = [x for x in answers.read_text().splitlines() if not x.startswith(key)]
    answers.write_text("\n".join([*kept, line]) + "\n")
    commit_all(project, "An edited answer")
    refused(scaffold("update", project, "--pretend"), ".copier-answers.yml", *phrases)


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "huge"])
def test_answers_that_are_no_small_file_are_refused(world, source, tmp_path, kind):
    project = spare_copy(world, tmp_path)
    answers = project / ".copier-answers.yml"
    answers.unlink()
    if kind == "/dev/zero":
        answers.symlink_to("/dev/zero")
    elif kind == "huge":
        answers.write_text("#" * 10_000_000)
    commit_all(project, "Answers replaced")
    if kind == "fifo":  # git cannot track one: it is only in the folder
        os.mkfifo(answers)
    # A process of its own: before the fix, the FIFO hung and /dev/zero filled
    # the memory; the timeout turns either into a failure.
    done = subprocess.run(
        [sys.executable, "-m", "scaffold", "update", str(project), "--pretend"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0 and done.stderr.count("\n") == 1, done.stderr
    expected = "bytes" if kind == "huge" else "not a regular file"
    assert ".copier-answers.yml" in done.stderr and expected in done.stderr


def test_unknown_data_key_is_refused(world, source, tmp_path) -> None:
    project = spare_copy(world, tmp_path)
    run = scaffold("update", project, "-d", "colour=blue")
    assert run.code == 1 and "unknown answer 'colour'" in run.err


def test_copier_alone_updates_a_project_from_a_tagged_clone(world, tmp_path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(world.history), str(clone)], check=True)
    project = tmp_path / "site"
    copier = [sys.executable, "-m", "copier"]
    subprocess.run(
        [*copier, "copy", "--quiet", "--defaults", "--vcs-ref", "v1.0.0",
         "-d", "framework=django", "-d", "app=todo",
         "--data-file", str(EXAMPLE_ANSWERS), str(clone), str(project)],
        check=True, capture_output=True,
    )  # fmt: skip
    commit_all(project)
    readme = project / "README.md"
    readme.write_text(readme.read_text("utf-8") + f"\n{OWNER_NOTE}\n")
    commit_all(project, "An edit")
    subprocess.run(
        [*copier, "update", "--quiet", "--defaults"],
        cwd=project, check=True, capture_output=True,
    )  # fmt: skip
    text = readme.read_text("utf-8")
    assert OWNER_NOTE in text and HEADING_V2 in text and "<<<<<<<" not in text
    assert (project / ADDED).is_file() and not (project / REMOVED).exists()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert answers["_commit"] == "v2.0.0"


def test_pytest_copie_updates_a_project(world: World, copie) -> None:
    result = copie.copy(
        extra_answers={
            **yaml.safe_load(EXAMPLE_ANSWERS.read_text("utf-8")),
            "framework": "flask",
            "app": "website",
        },
        template_dir=world.history,
        vcs_ref="v1.0.0",
    )
    assert result.exit_code == 0, result.exception
    commit_all(result.project_dir)
    updated = copie.update(result, vcs_ref="v2.0.0")
    assert updated.exit_code == 0, updated.exception
    assert (result.project_dir / ADDED).is_file()
    assert GITIGNORE_V2 in (result.project_dir / ".gitignore").read_text("utf-8")


def test_generation_clones_the_template_once_and_records_it_as_copier_does(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copier._template as copier_template  # where Copier clones a template

    clones = []
    real_clone = copier_template.clone

    def counted_clone(*args, **kwargs):
        clones.append(args)
        return real_clone(*args, **kwargs)

    monkeypatch.setattr(copier_template, "clone", counted_clone)
    v2 = TemplateSource(str(world.history), "v2.0.0")
    monkeypatch.setattr(generating, "installed_source", lambda: v2)
    answers = yaml.safe_load(EXAMPLE_ANSWERS.read_text("utf-8"))
    paths = generating.generate_all(tmp_path / "all", answers)
    assert len(clones) == 1  # one clone for every project (Copier alone: one each)
    # Recorded exactly as `copier copy --vcs-ref HEAD` of that template records.
    copier_copy = [sys.executable, "-m", "copier", "copy", "--quiet", "--defaults",
                   "--vcs-ref=HEAD", f"--data-file={EXAMPLE_ANSWERS}"]  # fmt: skip
    for path in paths:
        mine = yaml.safe_load((path / ".copier-answers.yml").read_text("utf-8"))
        assert (mine["_commit"], mine["_src_path"]) == ("v2.0.0", v2.url)
    for path in (paths[0], paths[-1]):  # the first and an accounts variant
        mine = yaml.safe_load((path / ".copier-answers.yml").read_text("utf-8"))
        data = [f"--data={k}={mine[k]}" for k in ("framework", "app", "accounts", "api")
                if k in mine]  # fmt: skip
        alone = tmp_path / f"copier-{path.name}"
        subprocess.run([*copier_copy, *data, v2.url, str(alone)], check=True)
        assert (alone / ".copier-answers.yml").read_text("utf-8") == (
            path / ".copier-answers.yml"
        ).read_text("utf-8")


def test_the_projects_git_configuration_runs_nothing(world, source, tmp_path):
    # A project folder from an archive carries its .git: its config, hooks and
    # attributes name commands (update_history.CONFIGURED, HOOKS).
    project = spare_copy(world, tmp_path)
    marks = tmp_path / "marks"
    plant_git_commands(project, marks)
    pretend = scaffold("update", project, "--pretend")
    assert pretend.code == 0, pretend.err
    assert list(marks.iterdir()) == [], "--pretend ran the project's commands"
    run = scaffold("update", project)
    assert run.code == 0, run.err
    assert list(marks.iterdir()) == [], "update ran the project's commands"
    assert (project / ADDED).is_file() and not (project / REMOVED).exists()
    # The planted commands are live: plain git runs them.
    ran = plain_git_runs_them(project, marks)
    assert {"fsmonitor", "clean", "hook-pre-commit"} <= ran, ran


# --- issue 24, part 2: one boundary with Copier -----------------------------------


def copier_imports(source: str) -> set[str]:
    """The copier modules a Python source imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return {name for name in found if name.split(".")[0] == "copier"}


def test_copier_is_used_through_one_module_and_its_public_api() -> None:
    package = Path(copier_api.__file__).parent.parent
    users = {
        path.relative_to(package).as_posix(): names
        for path in package.rglob("*.py")
        if (names := copier_imports(path.read_text("utf-8")))
    }
    assert set(users) == {"generation/copier_api.py"}, users
    private = [n for n in users["generation/copier_api.py"] if "._" in n]
    assert private == []
    # The one use of Copier's internals (a run's renders share one clone) is
    # confined to names the module's docstring lists, in one place.
    source = Path(copier_api.__file__).read_text("utf-8")
    internals = {"copier.Worker", "jinja_env", "_sync_git_index_executable_bit"}
    assert all(name in (copier_api.__doc__ or "") for name in internals)
    assert source.count("_worker_class()(") == 1 and "__dict__" in source
    # The check sees what the old update.py did.
    assert copier_imports("from copier._main import Worker\nimport copier") == {
        "copier._main",
        "copier",
    }


def test_the_supported_copier_versions_are_the_declared_ones() -> None:
    declared = next(
        Requirement(text)
        for text in tomllib.loads(PYPROJECT.read_text("utf-8"))["project"][
            "dependencies"
        ]
        if Requirement(text).name == "copier"
    )
    (low, high) = copier_api.SUPPORTED
    as_text = ".".join
    assert declared.specifier.contains(as_text(map(str, low)))
    assert not declared.specifier.contains(as_text(map(str, high)))
    assert not declared.specifier.contains(f"{low[0]}.{low[1] - 1}")
    assert low <= copier_api.copier_version() < high
