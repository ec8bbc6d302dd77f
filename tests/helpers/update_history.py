"""A real two-release template history, for the update tests and benchmark.

v1.0.0 is this repository's templates as they are; v2.0.0 changes a line
(every .gitignore), adds a file (CONTRIBUTING.md), removes a file (the CI
workflow) and changes the README line an owner edits in the tests
("## Run in development"). Tags come from the version file, as in a wheel.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from scaffold.generation.catalog import PROJECTS
from scaffold.generation.template_history import _copy_template_files, derive_tags, git

REPO = Path(__file__).resolve().parents[2]

GITIGNORE_V1 = "# Python caches and build output"
GITIGNORE_V2 = "# Python caches, build and test output"
HEADING_V1 = "## Run in development"
HEADING_V2 = "## Develop"
OWNER_HEADING = "## Run it on my laptop"
OWNER_NOTE = "Notes by the owner: deploy on Fridays only."
ADDED = "CONTRIBUTING.md"
REMOVED = ".github/workflows/ci.yml"


def _set_version(repo: Path, version: str) -> None:
    init = repo / "scaffold" / "__init__.py"
    text = init.read_text("utf-8")
    init.write_text(
        "\n".join(
            f'__version__ = "{version}"' if line.startswith("__version__") else line
            for line in text.splitlines()
        )
        + "\n",
        "utf-8",
    )


def _commit(repo: Path, message: str) -> None:
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "-m", message, cwd=repo)


def _copy_whole_checkout(repo: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for name in filter(None, listed.split("\0")):
        source, target = REPO / name, repo / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        else:
            shutil.copy2(source, target)


def build_history(
    repo: Path,
    *,
    whole: bool = False,
    released: Callable[[Path, str], None] | None = None,
) -> Path:
    """Make ``repo``: a git template repository tagged v1.0.0 and v2.0.0.

    ``whole`` copies the whole checkout (to build wheels from), not only the
    template files; ``released(repo, version)`` runs after each release commit.
    """
    repo.mkdir(parents=True)
    git("init", "--quiet", "--initial-branch=main", cwd=repo)
    if whole:
        _copy_whole_checkout(repo)
    _copy_template_files(REPO, repo)
    _set_version(repo, "1.0.0")
    _commit(repo, "Release 1.0.0: this repository's templates")
    if released:
        released(repo, "1.0.0")

    _set_version(repo, "2.0.0")
    gitignore = repo / "templates" / "_shared" / "gitignore.jinja"
    text = gitignore.read_text("utf-8")
    assert GITIGNORE_V1 in text
    gitignore.write_text(text.replace(GITIGNORE_V1, GITIGNORE_V2), "utf-8")
    # Once per template folder: a variant (the to-do with accounts) shares its
    # project's template.
    for template in dict.fromkeys(project.template for project in PROJECTS):
        folder = repo / "templates" / template
        (folder / ADDED).write_text("# Contributing\n\nPull requests welcome.\n")
        (folder / f"{REMOVED}.jinja").unlink()
        readme = folder / "README.md.jinja"
        text = readme.read_text("utf-8")
        # The heading starts a line of the rendered README (it may follow a
        # Jinja tag such as {% endif %} in the template).
        assert text.count(f"{HEADING_V1}\n") == 1, template
        readme.write_text(text.replace(HEADING_V1, HEADING_V2), "utf-8")
    _commit(repo, "Release 2.0.0: a line changed, a file added, a file removed")
    if released:
        released(repo, "2.0.0")
    else:
        assert derive_tags(repo) == ["v1.0.0", "v2.0.0"]
    return repo


def commit_all(project: Path, message: str = "As generated") -> None:
    """git init (if needed), add and commit everything in ``project``."""
    if not (project / ".git").exists():
        git("init", "--quiet", cwd=project)
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "--allow-empty", "-m", message, cwd=project)


def owner_edits(project: Path) -> None:
    """What an owner does: edit a line v2 also changes, add a note, delete a file."""
    readme = project / "README.md"
    text = readme.read_text("utf-8")
    readme.write_text(text.replace(HEADING_V1, OWNER_HEADING) + f"\n{OWNER_NOTE}\n")
    (project / ".gitignore").unlink()
    commit_all(project, "The owner's edits")


def head(project: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True
    ).stdout.strip()


# Every kind of command a repository's own git configuration can make git run.
HOOKS = [
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "pre-auto-gc",
    "post-rewrite",
    "reference-transaction",
    "post-index-change",
    "fsmonitor-watchman",
]
CONFIGURED = {
    "core.fsmonitor": "fsmonitor",
    "filter.evil.clean": "clean",
    "filter.evil.smudge": "smudge",
    "filter.evil2.process": "process",
    "diff.evil.textconv": "textconv",
    "diff.evil.command": "diff-driver",
    "merge.evil.driver": "merge-driver",
    "diff.external": "external-diff",
    "core.pager": "pager",
    "pager.diff": "pager-diff",
    "pager.status": "pager-status",
    "core.sshCommand": "ssh",
    "core.editor": "editor",
    "sequence.editor": "sequence-editor",
    "core.askPass": "askpass",
    "credential.helper": "credential",
    "gpg.program": "gpg",
    "core.gitProxy": "proxy",
    "uploadpack.packObjectsHook": "pack-objects",
}


def plant_git_commands(project: Path, marks: Path) -> None:
    """Make the repository in ``project`` name a command for every setting
    and hook above; each one, if run, leaves a file named after it in ``marks``.
    ``.gitattributes`` (committed) sends every file to the evil drivers."""
    marks.mkdir()
    scripts = marks.parent / f"{marks.name}-bin"
    scripts.mkdir()

    def script(name: str) -> str:
        path = scripts / name
        path.write_text(f"#!/bin/sh\ntouch '{marks}/{name}'\nexit 1\n")
        path.chmod(0o755)
        return str(path)

    (project / ".gitattributes").write_text(
        "* filter=evil diff=evil merge=evil\n*.md filter=evil2\n"
    )
    commit_all(project, "Attributes")
    hooks = project / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in HOOKS:
        shutil.copy2(script(f"hook-{hook}"), hooks / hook)
    (project / ".git" / "info").mkdir(exist_ok=True)
    (project / ".git" / "info" / "attributes").write_text("* filter=evil diff=evil\n")
    for key, name in CONFIGURED.items():
        git("config", key, script(name), cwd=project)
    git("config", "core.hooksPath", str(hooks), cwd=project)
    git("config", "commit.gpgSign", "true", cwd=project)


def plain_git_runs_them(project: Path, marks: Path) -> set[str]:
    """What ordinary git runs in ``project`` (which it changes): proof that the
    planted commands are live, so that none running elsewhere means something."""
    for name in ("README.md", ".gitattributes"):
        path = project / name
        path.write_text(path.read_text("utf-8") + "\n# A change.\n")
    for args in (["status"], ["diff"], ["commit", "-qam", "A change"]):
        subprocess.run(
            ["git", *args],
            cwd=project,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
    return {path.name for path in marks.iterdir()}
