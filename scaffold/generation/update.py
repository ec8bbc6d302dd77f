"""`scaffold update`: bring generated projects to newer templates, keeping edits.

Copier does the work (``copier.run_update``): it renders the project's old
template version with its recorded answers, takes the difference from the
project as the owner's edits, renders the new version and applies those edits
to it; a line both changed is a conflict, marked inline. scaffold adds:

- the template comes from the installed scaffold (template_source.py), not
  from the ``_src_path`` recorded in the project, so an update works offline
  and from any machine, as long as the installed history holds the project's
  version;
- refusals up front, one line each, before anything is written;
- each project is updated in a throwaway clone of its repository first, and
  only when every project has been updated there is the result applied to
  the projects, as one git patch each: a failure anywhere changes nothing, and
  ``pretend`` is the same run without that last step.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ScaffoldError
from .catalog import PROJECTS
from .template_source import TemplateSource, installed_source

ANSWERS_FILE = ".copier-answers.yml"
CONFLICT = re.compile(r"^<<<<<<< before updating$", re.M)


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


def _git(*args: str, cwd: Path, check: bool = True) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if check and done.returncode:
        raise subprocess.CalledProcessError(done.returncode, args, done.stdout)
    return done.stdout.strip() if done.returncode == 0 else ""


def _refuse(project: Path, reason: str) -> UpdateRefused:
    return UpdateRefused(f"{project}: {reason}; nothing was changed")


def read_recorded(project: Path) -> dict:
    """The project's recorded answers, or a refusal saying why it has none."""
    path = project / ANSWERS_FILE
    if not project.is_dir():
        raise _refuse(project, "not a folder")
    try:
        recorded = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        recorded = None
    known = {(p.framework, p.app) for p in PROJECTS}
    if not isinstance(recorded, dict) or (
        (recorded.get("framework"), recorded.get("app")) not in known
    ):
        raise _refuse(
            project,
            f"not a scaffold project (no {ANSWERS_FILE} naming a scaffold "
            "framework and app); give the folder 'scaffold new' created",
        )
    return recorded


class _History:
    """The installed template history, cloned once per run to look up versions."""

    def __init__(self, source: TemplateSource, scratch: Path) -> None:
        self.source = source
        self.repo = scratch / "history.git"
        subprocess.run(
            ["git", "clone", "--quiet", "--bare", source.url, str(self.repo)],
            check=True,
            capture_output=True,
        )

    def commit(self, ref: str) -> str | None:
        found = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                     cwd=self.repo, check=False)  # fmt: skip
        return found or None

    def tags(self) -> list[str]:
        return _git("tag", "--list", "--sort=version:refname", cwd=self.repo).split()

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
        return (
            bool(a and b and a != b)
            and not subprocess.run(
                ["git", "merge-base", "--is-ancestor", str(a), str(b)],
                cwd=self.repo,
                capture_output=True,
            ).returncode
        )


def _preflight(
    project: Path, history: _History, target: str, shown: str, to: str | None
) -> str:
    """Refuse what cannot be updated; return the version the project is at."""
    recorded = read_recorded(project)
    if not _git("rev-parse", "--show-toplevel", cwd=project, check=False):
        raise _refuse(
            project,
            "not a git repository; Copier needs one to tell your edits from "
            "the template's (git init && git add -A && git commit)",
        )
    if _git("status", "--porcelain", "--", ".", cwd=project):
        raise _refuse(
            project, "has uncommitted changes; commit or stash them, then update"
        )
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
    if to is None and history.is_older(target, than=old):
        raise _refuse(
            project,
            f"made from template version {old}, newer than this scaffold's "
            f"{shown}; upgrade scaffold (pip install --upgrade scaffold), or "
            "pass --to VERSION",
        )
    return old


def _run_copier_update(
    clone: Path, source: TemplateSource, old: str, target: str, data: Mapping
) -> None:
    """copier.run_update in ``clone``, rendering both versions from ``source``."""
    # Copier's Worker and Template are internal (hence copier<10 in pyproject):
    # run_update() cannot be told where the old version comes from.
    from copier._main import Worker
    from copier._template import Template
    from copier.errors import DirtyLocalWarning

    with (
        warnings.catch_warnings(),
        Worker(
            dst_path=clone,
            src_path=source.url,
            vcs_ref=target,
            data=dict(data),
            defaults=True,
            overwrite=True,
            conflict="inline",
            quiet=True,
        ) as worker,
    ):
        warnings.simplefilter("ignore", DirtyLocalWarning)
        # Copier renders the old version from the _src_path the project
        # records; render it from the installed history instead (offline, and
        # wherever scaffold is installed). Worker.subproject.template is a
        # cached property: setting it first is how to choose it.
        old_template = Template(url=source.url, ref=old)
        worker.subproject._cleanup_hooks.append(old_template._cleanup)
        worker.subproject.__dict__["template"] = old_template
        worker.run_update()


def _user_message(error: Exception) -> str:
    from .generate import _user_message as answer_message

    text = answer_message(error)
    if "downgrading" in text:
        return f"{text.split('.')[0].lower()}; Copier only updates forwards"
    return text


def _update_in_clone(
    project: Path,
    old: str,
    source: TemplateSource,
    target: str,
    data: Mapping[str, str],
    scratch: Path,
) -> Update:
    top = Path(_git("rev-parse", "--show-toplevel", cwd=project))
    inside = project.resolve().relative_to(top.resolve())
    repo = scratch / f"project-{len(list(scratch.iterdir()))}"
    subprocess.run(
        ["git", "clone", "--quiet", str(top), str(repo)],
        check=True,
        capture_output=True,
    )
    clone = repo / inside
    try:
        _run_copier_update(clone, source, old, target, data)
    except (ScaffoldError, ValueError, OSError) as error:
        raise _refuse(project, _user_message(error)) from None
    except Exception as error:  # Copier's and plumbum's own errors
        raise _refuse(project, _user_message(error)) from None
    _git("add", "--all", "--", ".", cwd=clone)
    update = Update(project, old)
    update.patch = subprocess.run(
        ["git", "diff", "--cached", "--no-renames", "--binary", "HEAD", "--", "."],
        cwd=clone,
        capture_output=True,
        check=True,
    ).stdout
    status = _git("diff", "--cached", "--no-renames", "--name-status", "--relative",
                  "HEAD", cwd=clone)  # fmt: skip
    for line in status.splitlines():
        kind, name = line.split("\t")[0], line.split("\t")[-1]
        {"A": update.added, "D": update.removed}.get(kind[0], update.changed).append(
            name
        )
        if kind[0] != "D" and CONFLICT.search(
            (clone / name).read_text("utf-8", errors="replace")
        ):
            update.conflicts.append(name)
    recorded = yaml.safe_load((clone / ANSWERS_FILE).read_text("utf-8"))
    update.new = str(recorded.get("_commit", target))
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
        olds = [_preflight(p, history, target, shown, to) for p in projects]
        work = scratch / "work"
        work.mkdir()
        updates = [
            _update_in_clone(project, old, source, target, data or {}, work)
            for project, old in zip(projects, olds, strict=True)
        ]
    if not pretend:
        for update in updates:
            if update.patch:
                subprocess.run(
                    ["git", "apply", "--binary", "--whitespace=nowarn", "-"],
                    cwd=update.project,
                    input=update.patch,
                    check=True,
                    capture_output=True,
                )
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
    if pretend:
        lines.append("Pretend: nothing was written.")
    elif conflicted:
        lines.append(
            f"{len(conflicted)} of {len(updates)} projects have conflicts: edit "
            "the lines between <<<<<<< before updating and >>>>>>> after "
            "updating, then git add and commit (docs/updating.md)."
        )
    else:
        lines.append(
            f"{len(updates)} projects updated, no conflicts: review with git "
            "diff, then commit."
        )
    return "\n".join(lines)
