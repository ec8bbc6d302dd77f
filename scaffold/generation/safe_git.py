"""git for `scaffold update`, run so that a project's git configuration never
runs a command.

Git runs what a repository's configuration names: ``core.fsmonitor`` on any
command that reads the index, ``filter.<name>.clean`` for a file that
``.gitattributes`` sends to it, hooks (``core.hooksPath``), ``core.pager``,
``diff.external``, ``core.sshCommand`` and more. A project folder from an
archive or a shared drive carries its own ``.git/config``, so scaffold never
runs git *in* a project's repository. Instead:

- ``find_repository`` finds the repository around a project in Python, and
  ``head_commit`` asks git only for the commit HEAD names (``rev-parse``
  reads no index, file or hook), with the dangerous settings overridden;
- ``mirror`` makes a repository of scaffold's own, in a scratch folder, that
  borrows the project's objects (git alternates: read as data) and whose
  HEAD is that commit. Every other git command (status against the project's
  files, clone, Copier's update, apply) runs with *that* repository's
  configuration, which scaffold wrote and which names no command;
- every git run gets ``environment()``: no system or global configuration
  (``GIT_CONFIG_NOSYSTEM``, ``GIT_CONFIG_GLOBAL=/dev/null``), none of the
  caller's ``GIT_*`` variables, and settings given on the command line's
  level (``GIT_CONFIG_COUNT``), which win over any file: no hooks, no
  fsmonitor, no pager, no external diff, no SSH command, no prompts.

The project's ``.gitattributes`` is still read, as data: an attribute naming a
filter or diff driver does nothing when no configuration defines the driver.
Submodules are never entered (``--ignore-submodules``, no recursion).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..errors import ScaffoldError
from .safe_yaml import read_text

# Settings at the command line's level: they win over every configuration file.
SAFE_SETTINGS = {
    "core.hooksPath": "/dev/null",
    "core.fsmonitor": "false",
    "core.pager": "cat",
    "core.editor": "false",
    "core.askPass": "",
    "core.sshCommand": "false",
    "core.gitProxy": "",
    "diff.external": "",
    "sequence.editor": "false",
    "credential.helper": "",
    "protocol.ext.allow": "never",
    "submodule.recurse": "false",
    "commit.gpgSign": "false",
    "tag.gpgSign": "false",
    "user.name": "scaffold",
    "user.email": "scaffold@localhost",
    "init.defaultBranch": "main",
    "advice.detachedHead": "false",
}


def environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every git command of scaffold (and Copier's) runs with."""
    variables = {
        key: value
        for key, value in (os.environ if base is None else base).items()
        if not key.startswith("GIT_")
    }
    variables.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        GIT_CONFIG_COUNT=str(len(SAFE_SETTINGS)),
    )
    for index, (key, value) in enumerate(SAFE_SETTINGS.items()):
        variables[f"GIT_CONFIG_KEY_{index}"] = key
        variables[f"GIT_CONFIG_VALUE_{index}"] = value
    return variables


def git(
    *args: str,
    cwd: Path,
    check: bool = True,
    extra: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> str:
    """Run git with ``environment()`` (plus ``extra``); return its output."""
    done = subprocess.run(
        ["git", "--no-pager", *args],
        cwd=cwd,
        env={**environment(), **(extra or {})},
        input=stdin,
        capture_output=True,
        check=False,
    )
    if check and done.returncode:
        raise subprocess.CalledProcessError(
            done.returncode, args, done.stdout, done.stderr
        )
    if done.returncode:
        return ""
    return done.stdout.decode("utf-8", errors="replace").strip()


def git_bytes(*args: str, cwd: Path, extra: Mapping[str, str] | None = None) -> bytes:
    """Like git(), for binary output (a patch)."""
    return subprocess.run(
        ["git", "--no-pager", *args],
        cwd=cwd,
        env={**environment(), **(extra or {})},
        capture_output=True,
        check=True,
    ).stdout


def find_repository(folder: Path) -> tuple[Path, Path] | None:
    """The work tree holding ``folder`` and its git directory, found as git
    does (the nearest ``.git`` folder, or ``.git`` file naming one), or None."""
    folder = folder.resolve()
    for top in (folder, *folder.parents):
        dot_git = top / ".git"
        if dot_git.is_dir():
            return top, dot_git
        if dot_git.is_file():  # a linked work tree or a submodule: "gitdir: PATH"
            text = read_text(dot_git, str(dot_git), 4096, "a .git file")
            if text.startswith("gitdir:"):
                return top, (top / text.removeprefix("gitdir:").strip()).resolve()
            return None
    return None


def head_commit(git_dir: Path) -> tuple[str, Path] | None:
    """The commit HEAD names in ``git_dir`` and the folder of its objects, or
    None (no commit yet, or not a repository). ``rev-parse`` reads no index, no
    work tree and runs no hook; the environment overrides the rest."""
    commit = git("--git-dir", str(git_dir), "rev-parse", "--verify", "--quiet",
                 "HEAD^{commit}", cwd=git_dir, check=False)  # fmt: skip
    objects = git("--git-dir", str(git_dir), "rev-parse", "--git-path", "objects",
                  cwd=git_dir, check=False)  # fmt: skip
    if not commit or not objects:
        return None
    return commit, (git_dir / objects).resolve()


def mirror(git_dir: Path, scratch: Path) -> Path:
    """A repository of scaffold's own in ``scratch`` at the commit of
    ``git_dir``'s HEAD, borrowing its objects; returns its git directory.
    Raises ScaffoldError if ``git_dir`` has no commit."""
    found = head_commit(git_dir)
    if found is None:
        raise ScaffoldError(f"{git_dir} holds no commit")
    commit, objects = found
    git("init", "--quiet", "--bare", str(scratch), cwd=scratch.parent)
    (scratch / "objects" / "info" / "alternates").write_text(f"{objects}\n")
    exclude = git_dir / "info" / "exclude"  # plain patterns: data, kept
    if exclude.is_file() and not exclude.is_symlink():
        text = read_text(exclude, str(exclude), 64 * 1024, "an exclude file")
        (scratch / "info").mkdir(exist_ok=True)
        (scratch / "info" / "exclude").write_text(text)
    git("update-ref", "refs/heads/main", commit, cwd=scratch)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=scratch)
    return scratch


def over(repository: Path, work_tree: Path, index: Path) -> dict[str, str]:
    """Variables that run git on ``work_tree`` with scaffold's ``repository``
    (and a scratch ``index``), so the work tree's own .git is never read."""
    return {
        "GIT_DIR": str(repository),
        "GIT_WORK_TREE": str(work_tree),
        "GIT_INDEX_FILE": str(index),
    }
