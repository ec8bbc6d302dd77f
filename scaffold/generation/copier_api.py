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
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


def copy(
    src: str,
    dst: Path,
    data: Mapping[str, str],
    *,
    vcs_ref: str,
    defaults: bool,
    overwrite: bool,
) -> dict[str, Any]:
    """``copier.run_copy``: render ``src`` at ``vcs_ref`` into ``dst``; return
    the answers it recorded there."""
    import copier

    with _errors_as_one_line(), _safe_git():
        copier.run_copy(
            src,
            dst,
            data=dict(data),
            vcs_ref=vcs_ref,
            defaults=defaults,
            overwrite=overwrite,
            quiet=True,
        )
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
