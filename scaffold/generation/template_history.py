"""The template's release history as one git bundle, made when a wheel is built.

An installed scaffold renders projects from ``scaffold/template.bundle``: the
commits of this repository's current branch, with one tag per release, so it
can render any earlier release (what `scaffold update` needs) with no network.
Only the branch reaches main, never tags, so the tags are derived here from the
history of the version file: release X is the first commit, along the
first-parent line, whose ``scaffold/__init__.py`` says ``__version__ = "X"``,
and its tag is ``vX``. Tags the repository already has are kept.

hatch_build.py calls :func:`build_bundle`; the tests call it to build a
two-release history of their own. Standard library only: it runs in the build
environment, before scaffold's dependencies are installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

VERSION_FILE = "scaffold/__init__.py"
# What renders a project: the questions, the project folders, the partials.
TEMPLATE_PATHS = ("copier.yml", "_shared", "templates", VERSION_FILE)
# Commits made here need an author; hooks of the user's own config stay out.
_GIT = ["git", "-c", "user.name=scaffold", "-c", "user.email=scaffold@localhost"]
_GIT += ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false"]


def git(*args: str, cwd: Path) -> str:
    """Run git in ``cwd``; return its output (raises CalledProcessError)."""
    done = subprocess.run(
        [*_GIT, *args], cwd=cwd, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def version_in(text: str) -> str | None:
    """The ``__version__`` a version file sets, if any."""
    match = re.search(r"^__version__ = [\"']([^\"']+)[\"']", text, re.M)
    return match[1] if match else None


def derive_tags(repo: Path) -> list[str]:
    """Tag vX the first commit of each version X on HEAD's first-parent line."""
    existing = set(git("tag", "--list", cwd=repo).split())
    commits = git(
        "log", "--first-parent", "--reverse", "--format=%H", "HEAD", "--",
        VERSION_FILE, cwd=repo,
    ).split()  # fmt: skip
    seen: set[str] = set()
    made = []
    for commit in commits:
        try:
            version = version_in(git("show", f"{commit}:{VERSION_FILE}", cwd=repo))
        except subprocess.CalledProcessError:  # the file was deleted there
            continue
        if not version or version in seen:
            continue
        seen.add(version)
        if not {version, f"v{version}"} & existing:
            git("tag", f"v{version}", commit, cwd=repo)
            made.append(f"v{version}")
    return made


def _has_history(root: Path) -> bool:
    try:
        top = git("rev-parse", "--show-toplevel", cwd=root)
        shallow = git("rev-parse", "--is-shallow-repository", cwd=root)
    except (subprocess.CalledProcessError, FileNotFoundError):
        return False
    return Path(top).resolve() == root.resolve() and shallow != "true"


def _copy_template_files(root: Path, work: Path) -> None:
    """Make the template files in ``work`` what they are in ``root``'s tree."""
    for name in TEMPLATE_PATHS:
        source, target = root / name, work / name
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        elif source.is_dir():
            shutil.copytree(
                source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        elif source.is_file():
            shutil.copy2(source, target)


def build_bundle(root: Path, bundle: Path) -> dict[str, str]:
    """Write the template history of the checkout at ``root`` to ``bundle``.

    Template files changed but not committed get one more commit on top, so
    the bundle's HEAD is exactly what the wheel ships. Without git history
    (an sdist, a shallow clone) the bundle holds that one commit only.
    Returns ``ref`` (the git description of HEAD, e.g. ``v0.2.0-3-g1a2b3c4``),
    ``commit`` and ``version``.
    """
    with TemporaryDirectory(prefix="scaffold-history-") as scratch:
        work = Path(scratch) / "template"
        if _has_history(root):
            git("clone", "--quiet", str(root), str(work), cwd=Path(scratch))
        else:
            print("scaffold: no full git history here; the bundle holds one commit",
                  file=sys.stderr)  # fmt: skip
            work.mkdir()
            git("init", "--quiet", cwd=work)
        _copy_template_files(root, work)
        git("add", "--all", "--", *TEMPLATE_PATHS, cwd=work)
        if subprocess.run([*_GIT, "diff", "--cached", "--quiet"], cwd=work).returncode:
            git("commit", "--quiet", "-m", "Template files as built", cwd=work)
        git("checkout", "--quiet", "-B", "main", cwd=work)
        derive_tags(work)
        for tag in git("tag", "--no-merged", "HEAD", cwd=work).split():
            git("tag", "--delete", tag, cwd=work)  # a tag off this line of history
        bundle.parent.mkdir(parents=True, exist_ok=True)
        refs = ["HEAD", "main", "--tags"]
        git("bundle", "create", "--quiet", str(bundle.resolve()), *refs, cwd=work)
        return {
            "ref": git("describe", "--tags", "--always", "HEAD", cwd=work),
            "commit": git("rev-parse", "HEAD", cwd=work),
            "version": version_in((work / VERSION_FILE).read_text("utf-8")) or "",
        }


def write_bundle(root: Path, folder: Path) -> tuple[Path, Path]:
    """Write ``template.bundle`` and ``template.json`` (its ref) into ``folder``."""
    bundle = folder / "template.bundle"
    info = build_bundle(root, bundle)
    about = folder / "template.json"
    about.write_text(json.dumps(info, indent=2) + "\n", "utf-8")
    return bundle, about


if __name__ == "__main__":
    # In a clone of this repository: tag each release as a wheel build would,
    # so `copier copy --vcs-ref vX.Y.Z` and `copier update` work with Copier alone.
    print("\n".join(derive_tags(Path.cwd())) or "every release is tagged already")
