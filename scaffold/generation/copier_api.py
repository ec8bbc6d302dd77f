"""The one boundary with Copier: every use of it in scaffold goes through here.

Only Copier's public API is used: ``copier.run_copy`` and ``copier.run_update``
with their documented options, and the exceptions of ``copier.errors``. No
private module (``copier._main``, ``copier._template``) is imported, so a
Copier release that keeps its documented API keeps scaffold working; the
supported range is pyproject's ``copier>=9.17,<10``, and
tests/test_update.py pins the installed version to it.

How scaffold gets what it needs from the public API alone:

- **which template renders an update.** ``run_update`` renders the project's
  old version, and the new one, from the ``_src_path`` the project recorded
  (Copier's documented behaviour), which may be a path on another machine.
  scaffold updates a throwaway clone of the project (update.py), so it writes
  its own template's location into that clone's ``.copier-answers.yml`` first
  (``point_at``): both versions then render from the installed history, and
  the project's recorded path is never used (nor trusted).
- **git.** Copier runs git through plumbum's ``local`` machine; ``update`` runs
  it inside ``plumbum.local.env`` set to safe_git's environment, so that git
  reads no system, global or project configuration and runs no hook,
  fsmonitor, filter, pager or external diff.
- **the answers used** come back from the ``.copier-answers.yml`` Copier
  writes, read like every recorded answers file.

The one exception, **rendering many projects from one clone** (``rendering``):
``run_copy`` clones the template for every project it renders (a git clone, a
checkout and dozens of git calls each: 486 processes for `scaffold all`), and
no documented option hands it a clone made before. So inside ``rendering()``
``copy`` renders with ``copier.Worker`` (exported by copier, documented as
internal, and its import deprecated since 9.19: ``_worker_class`` takes it
without the warning) given the run's one ``Template`` (its clone, and what it read from
git: the ``_commit`` it records, the file modes) and one Jinja environment
that compiles each template string once; the Worker also skips its per-file
``git config`` call, meaningless in a staging folder. That is the whole of
scaffold's reliance on Copier's internals: the attributes ``template`` and
``jinja_env`` and the method ``_sync_git_index_executable_bit``, all Copier
9's. ``SUPPORTED`` names the versions it is tested with, and
tests/test_update.py checks that a project rendered this way records exactly
what ``copier copy`` records.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import ScaffoldError
from . import safe_git
from .safe_yaml import read_mapping
from .validation import ANSWERS_FILE

SUPPORTED = (9, 17), (10, 0)  # copier>=9.17,<10, as pyproject.toml declares


class CopierFailed(ScaffoldError):
    """Copier refused or failed; the message is its first line."""


def load() -> None:
    """Import Copier now (it is slow to import; most commands never need it)."""
    import copier  # noqa: F401


def copier_version() -> tuple[int, int]:
    """The installed Copier's (major, minor)."""
    import copier

    major, minor = re.findall(r"\d+", copier.__version__)[:2]
    return int(major), int(minor)


@contextmanager
def _errors_as_one_line() -> Iterator[None]:
    from copier.errors import CopierError, DirtyLocalWarning

    with warnings.catch_warnings():
        # A checkout's uncommitted template changes are meant (Copier adds them).
        warnings.simplefilter("ignore", DirtyLocalWarning)
        try:
            yield
        except (CopierError, ValueError) as error:
            text = str(error).strip()
            raise CopierFailed(text or type(error).__name__) from None


@contextmanager
def _safe_git() -> Iterator[None]:
    """Copier's git (plumbum's ``local``) runs with safe_git's environment."""
    from plumbum import local

    with local.env():
        for key in [key for key in local.env.getdict() if key.startswith("GIT_")]:
            del local.env[key]
        local.env.update(safe_git.environment({}))
        yield


# What every render of a run shares (see rendering): set before the render
# processes fork, so they inherit it instead of receiving a pickled copy.
_SHARED: dict[str, object] = {}


@contextmanager
def rendering(src: str) -> Iterator[None]:
    """Clone ``src`` once; every ``copy`` of it until the end reuses the clone
    (the module's docstring says how, and why the public API cannot)."""
    from copier.errors import DirtyLocalWarning

    with _safe_git(), _errors_as_one_line():
        # Copier's own Worker makes, and at the end removes, the clone.
        primer = _worker_class()(src_path=src, vcs_ref="HEAD", quiet=True)
        primer.__enter__()
    try:
        template = primer.template
        with _errors_as_one_line(), _safe_git(), warnings.catch_warnings():
            warnings.simplefilter("ignore", DirtyLocalWarning)  # a checkout's edits
            template.local_abspath  # noqa: B018  (the clone, made now)
            # Read from git once, not once per project. (Not its version: a
            # quiet copy never reads it, and dunamai's eight git calls cost
            # about 60 ms.)
            for name in ("commit", "git_index_modes", "config_data"):
                getattr(template, name)
        env = primer.jinja_env
        env.from_string = _compiled_once(env.from_string)
        _SHARED.update(template=template, jinja_env=env, src=src)
        yield
    finally:
        _SHARED.clear()
        primer.__exit__(None, None, None)


def _compiled_once(from_string: Callable[..., Any]) -> Callable[..., Any]:
    """Jinja's from_string, compiling each distinct string once per run.

    Copier renders every path, default and condition of copier.yml through
    from_string for each project, and Jinja compiles the string anew each
    time; the projects repeat the same few hundred strings.
    """
    compile_string = cache(from_string)

    def from_string_once(
        source: object, globals: Any = None, template_class: Any = None
    ) -> Any:
        if isinstance(source, str) and globals is None and template_class is None:
            return compile_string(source)
        return from_string(source, globals, template_class)

    return from_string_once


def _worker_class() -> Any:
    """``copier.Worker``, whose import Copier 9.19 marks as deprecated."""
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return copier.Worker


@cache
def _staging_worker() -> type[Any]:
    """Copier's Worker, for a destination that is a fresh staging folder."""

    class StagingWorker(_worker_class()):  # type: ignore[misc]
        def _sync_git_index_executable_bit(self, *args: object) -> None:
            # Copier asks git about the destination's index once per file
            # written (a `git config` process each); a staging folder is
            # never in a git repository, so there is nothing to sync.
            return

    return StagingWorker


def copy(
    src: str,
    dst: Path,
    data: Mapping[str, str],
    *,
    vcs_ref: str,
    defaults: bool,
    overwrite: bool = False,
) -> dict[str, Any]:
    """``copier.run_copy``: render ``src`` at ``vcs_ref`` into ``dst``; return
    the answers it recorded there. Inside ``rendering(src)``, the run's clone
    renders it."""
    import copier

    options: dict[str, Any] = dict(
        data=dict(data), vcs_ref=vcs_ref, defaults=defaults, overwrite=overwrite
    )
    with _errors_as_one_line(), _safe_git():
        if _SHARED.get("src") == src:
            shared = {k: v for k, v in _SHARED.items() if k != "src"}
            with _staging_worker()(
                src_path=src, dst_path=dst, quiet=True, **options
            ) as worker:
                worker.__dict__.update(shared)  # the run's clone and Jinja env
                worker.run_copy()
        else:
            copier.run_copy(src, dst, quiet=True, **options)
    path = dst / ANSWERS_FILE
    return read_mapping(path, str(path))


def point_at(project: Path, src: str) -> None:
    """Make ``project``'s recorded ``_src_path`` say ``src`` (a line of
    Copier's own answers file; JSON text is YAML)."""
    path = project / ANSWERS_FILE
    lines = path.read_text("utf-8").splitlines(keepends=True)
    line = f"_src_path: {json.dumps(src)}\n"
    kept = [x for x in lines if not x.startswith("_src_path:")]
    at = next((i for i, x in enumerate(kept) if x.startswith("_commit:")), 0)
    path.write_text("".join([*kept[: at + 1], line, *kept[at + 1 :]]), "utf-8")


def update(project: Path, vcs_ref: str, data: Mapping[str, str]) -> None:
    """``copier.run_update`` in ``project`` (a clone scaffold owns, pointed at
    the template with point_at and committed), to ``vcs_ref``; a conflict is
    marked inline."""
    import copier

    with _errors_as_one_line(), _safe_git():
        copier.run_update(
            project,
            data=dict(data),
            vcs_ref=vcs_ref,
            defaults=True,
            overwrite=True,
            conflict="inline",
            quiet=True,
        )
