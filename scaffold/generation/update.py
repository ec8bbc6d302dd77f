"""`scaffold update`: bring generated projects to newer templates, keeping edits.

Copier does the work (``copier.run_update``, through copier_api.py): it
renders the project's old template version with its recorded answers, takes
the difference from the project as the owner's edits, renders the new version
and applies those edits to it; a line both changed is a conflict, marked
inline. scaffold adds:

- the template comes from the installed scaffold (template_source.py), not
  from the ``_src_path`` recorded in the project, so an update works offline
  and from any machine, as long as the installed history holds the project's
  version;
- refusals up front, one line each, before anything is written;
- git never runs with the project's own configuration (safe_git.py): the
  project is read through a repository scaffold makes, and updated in a
  throwaway clone of it; only when every project has been updated there is
  the result applied to the projects, as one git patch each: a failure
  anywhere changes nothing, and ``pretend`` is the same run without that
  last step.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScaffoldError
from . import copier_api
from .safe_git import find_repository, git, git_bytes, mirror, over
from .template_source import TemplateSource, installed_source
from .validation import ANSWERS_FILE, read_recorded_answers

CONFLICT = re.compile(r"^<<<<<<< before updating$", re.M)
# The conflict check reads at most this much of an updated file.
CONFLICT_SCAN_BYTES = 1024 * 1024


class UpdateRefused(ScaffoldError):
    """A project cannot be updated as asked; nothing was changed."""

    exit_code = 2


@dataclass
class Update:
    """What updating one project changes."""

    project: Path
    old: str  # the template version it was made from (Copier's _commit)
    new: str = ""  # the version it is brought to
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    patch: bytes = b""

    def summary(self) -> str:
        counts = [
            f"{len(files)} {what}"
            for files, what in (
                (self.changed, "changed"),
                (self.added, "added"),
                (self.removed, "removed"),
                (self.conflicts, "conflicted"),
            )
            if files
        ]
        return f"{self.old} -> {self.new}: {', '.join(counts) or 'no changes'}"


@dataclass
class _Repository:
    """Where a project lives in git, read through scaffold's own repository."""

    top: Path  # the work tree holding the project
    inside: Path  # the project's folder, relative to ``top``
    mirror: Path  # scaffold's repository at the project's HEAD (safe_git.mirror)
    index: Path  # a scratch index for it

    def git(self, *args: str, check: bool = True, stdin: bytes | None = None) -> str:
        """git on the project's files, with scaffold's repository and config."""
        variables = over(self.mirror, self.top, self.index)
        folder = self.top / self.inside
        return git(*args, cwd=folder, check=check, extra=variables, stdin=stdin)


def _refuse(project: Path, reason: str) -> UpdateRefused:
    return UpdateRefused(f"{project}: {reason}; nothing was changed")


def read_recorded(project: Path) -> dict:
    """The project's recorded answers, checked, or a refusal saying why not."""
    if not project.is_dir():
        raise _refuse(project, "not a folder")
    path = project / ANSWERS_FILE
    if not (path.exists() or path.is_symlink()):
        raise _refuse(
            project,
            f"not a scaffold project (no {ANSWERS_FILE} naming a scaffold "
            "framework and app); give the folder 'scaffold new' created",
        )
    try:
        return read_recorded_answers(project)
    except ScaffoldError as error:
        raise UpdateRefused(f"{error}; nothing was changed") from None


class _History:
    """The installed template history, cloned once per run to look up versions."""

    def __init__(self, source: TemplateSource, scratch: Path) -> None:
        self.source = source
        self.repo = scratch / "history.git"
        git("clone", "--quiet", "--bare", source.url, str(self.repo), cwd=scratch)

    def commit(self, ref: str) -> str | None:
        found = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                    cwd=self.repo, check=False)  # fmt: skip
        return found or None

    def tags(self) -> list[str]:
        return git("tag", "--list", "--sort=version:refname", cwd=self.repo).split()

    def resolve(self, version: str) -> str:
        """A --to VERSION as a tag (1.2.0 or v1.2.0), or a refusal."""
        for ref in (version, f"v{version.removeprefix('v')}"):
            if ref in self.tags():
                return ref
        known = ", ".join(self.tags()) or "none"
        raise UpdateRefused(
            f"unknown version {version!r}; this scaffold knows: {known}"
        )

    def is_older(self, ref: str, than: str) -> bool:
        a, b = self.commit(ref), self.commit(than)
        if not (a and b) or a == b:
            return False
        try:
            git("merge-base", "--is-ancestor", a, b, cwd=self.repo)
        except subprocess.CalledProcessError:
            return False
        return True


def _repository(project: Path, scratch: Path) -> _Repository:
    """The project's repository, read through a mirror scaffold owns."""
    found = find_repository(project)
    if found is None:
        raise _refuse(
            project,
            "not a git repository; Copier needs one to tell your edits from "
            "the template's (git init && git add -A && git commit)",
        )
    top, git_dir = found
    number = len(list(scratch.iterdir()))
    try:
        repository = mirror(git_dir, scratch / f"mirror-{number}.git")
    except (ScaffoldError, subprocess.CalledProcessError):
        raise _refuse(
            project,
            f"the git repository at {top} has no commit git can read; commit "
            "the project (git add -A && git commit), then update",
        ) from None
    inside = project.resolve().relative_to(top)
    return _Repository(top, inside, repository, scratch / f"index-{number}")


def _check_tracked(project: Path, repository: _Repository) -> None:
    """Refuse uncommitted changes, and a project its repository does not track."""
    repository.git("read-tree", "HEAD")
    if repository.git("status", "--porcelain", "--ignore-submodules=all", "--", "."):
        raise _refuse(
            project, "has uncommitted changes; commit or stash them, then update"
        )
    answers = (repository.inside / ANSWERS_FILE).as_posix()
    if not repository.git("ls-tree", "--name-only", "HEAD", "--", answers):
        # e.g. a folder under the Quick start's build/, which a repository
        # around it ignores: Copier would only say it is not git-tracked.
        raise _refuse(
            project,
            f"it is inside the git repository {repository.top}, which does not "
            "track it (its .gitignore leaves it out); make the project a "
            f"repository of its own: cd {project} && git init && git add -A "
            "&& git commit -m 'Generated by scaffold', then update",
        )


def _preflight(
    project: Path,
    history: _History,
    target: str,
    shown: str,
    to: str | None,
    scratch: Path,
) -> tuple[str, _Repository]:
    """Refuse what cannot be updated; return the project's version and git."""
    recorded = read_recorded(project)
    repository = _repository(project, scratch)
    _check_tracked(project, repository)
    old = str(recorded.get("_commit") or "")
    if not old:
        raise _refuse(
            project,
            f"{ANSWERS_FILE} records no template version (_commit): it was made "
            "before scaffold versioned its templates, so it cannot be updated",
        )
    if not history.commit(old):
        raise _refuse(
            project,
            f"made from template version {old}, which this scaffold's history "
            "does not hold; install the scaffold that made it, or a newer one",
        )
    if history.is_older(target, than=old):
        if to is None:
            raise _refuse(
                project,
                f"made from template version {old}, newer than this scaffold's "
                f"{shown}; upgrade scaffold (pip install --upgrade scaffold), or "
                "pass --to VERSION",
            )
        raise _refuse(
            project,
            f"made from template version {old}, which is newer than {target}; "
            "updates only go forwards: pass --to a later version, or leave "
            "--to out to update to this scaffold's",
        )
    return old, repository


def _user_message(error: Exception) -> str:
    from .generate import _user_message as answer_message

    text = answer_message(error)
    if match := re.match(r"You are downgrading from (\S+) to (\S+?)\.? ", text):
        return (
            f"Copier sees version {match[1]} as newer than {match[2]} and only "
            "updates forwards"
        )
    return text


def _changed_files(clone: Path, start: str, update: Update) -> None:
    """Sort the files the update changed since ``start``; find conflicts."""
    status = git("diff", "--cached", "--no-renames", "--no-ext-diff",
                 "--name-status", "--relative", start, cwd=clone)  # fmt: skip
    for line in status.splitlines():
        kind, name = line.split("\t")[0], line.split("\t")[-1]
        {"A": update.added, "D": update.removed}.get(kind[0], update.changed).append(
            name
        )
        path = clone / name
        if kind[0] != "D" and path.is_file() and not path.is_symlink():
            with path.open("rb") as file:
                text = file.read(CONFLICT_SCAN_BYTES).decode("utf-8", "replace")
            if CONFLICT.search(text):
                update.conflicts.append(name)


def _update_in_clone(
    project: Path,
    old: str,
    repository: _Repository,
    source: TemplateSource,
    target: str,
    data: Mapping[str, str],
    scratch: Path,
) -> Update:
    repo = scratch / f"project-{len(list(scratch.iterdir()))}"
    git("clone", "--quiet", str(repository.mirror), str(repo), cwd=scratch)
    start = git("rev-parse", "HEAD", cwd=repo)
    clone = repo / repository.inside
    # Both versions render from the installed history (see copier_api).
    copier_api.point_at(clone, source.url)
    git("commit", "--quiet", "--all", "-m", "Template from this scaffold", cwd=repo)
    try:
        copier_api.update(clone, target, data)
    except ScaffoldError as error:
        raise _refuse(project, _user_message(error)) from None
    git("add", "--all", "--", ".", cwd=clone)
    update = Update(project, old)
    update.patch = git_bytes("diff", "--cached", "--no-renames", "--no-ext-diff",
                             "--no-textconv", "--binary", start, "--", ".",
                             cwd=clone)  # fmt: skip
    _changed_files(clone, start, update)
    update.new = str(read_recorded_answers(clone).get("_commit", target))
    return update


def update_projects(
    projects: Sequence[Path],
    *,
    to: str | None = None,
    data: Mapping[str, str] | None = None,
    pretend: bool = False,
    source: TemplateSource | None = None,
) -> list[Update]:
    """Update each project to ``to`` (default: the installed templates).

    Every project is checked, then updated in a scratch clone; only if all of
    that succeeds are the results written to the projects (unless
    ``pretend``). Raises UpdateRefused, one line, with nothing changed.
    """
    source = source or installed_source()
    with tempfile.TemporaryDirectory(prefix="scaffold-update-") as tmp:
        scratch = Path(tmp)
        history = _History(source, scratch)
        target = history.resolve(to) if to else "HEAD"
        shown = target if to else source.ref
        (scratch / "git").mkdir()
        checked = [
            _preflight(p, history, target, shown, to, scratch / "git") for p in projects
        ]
        work = scratch / "work"
        work.mkdir()
        updates = [
            _update_in_clone(project, old, repository, source, target, data or {}, work)
            for project, (old, repository) in zip(projects, checked, strict=True)
        ]
        if not pretend:
            for update, (_, repository) in zip(updates, checked, strict=True):
                if update.patch:
                    repository.git("apply", "--binary", "--whitespace=nowarn", "-",
                                   stdin=update.patch)  # fmt: skip
    return updates


def format_updates(updates: Sequence[Update], *, pretend: bool) -> str:
    """Per project: versions, counts, then each file (A/M/D, C for conflicts)."""
    lines = []
    for update in updates:
        lines.append(f"{update.project}: {update.summary()}")
        for mark, files in (
            ("A", update.added),
            ("M", update.changed),
            ("D", update.removed),
        ):
            for name in files:
                conflict = "  <- conflict" if name in update.conflicts else ""
                lines.append(f"  {mark} {name}{conflict}")
    conflicted = [u for u in updates if u.conflicts]
    changed = [u for u in updates if u.patch]
    if pretend:
        lines.append("Pretend: nothing was written.")
    elif conflicted:
        lines.append(
            f"{len(conflicted)} of {_projects(len(updates))} "
            f"{'has' if len(conflicted) == 1 else 'have'} conflicts: edit "
            "the lines between <<<<<<< before updating and >>>>>>> after "
            "updating, then git add and commit (docs/updating.md)."
        )
    elif not changed:
        lines.append(
            f"Nothing to update: {_projects(len(updates))} already up to date."
        )
    else:
        lines.append(
            f"{_projects(len(changed))} updated, no conflicts: review with git "
            "diff, then commit."
        )
    return "\n".join(lines)


def _projects(count: int) -> str:
    return f"{count} project{'' if count == 1 else 's'}"
