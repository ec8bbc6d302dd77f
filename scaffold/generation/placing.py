"""Put rendered files into the user's folder: all of them, or none.

Copier renders each project into a fresh staging folder first; only when
that succeeded does `place` copy the files into DEST (or, when DEST does not
exist yet, move the rendered folders there). Before it writes
anything it checks every path, so that:

- a file of the user's is never replaced unless ``overwrite`` (`--overwrite`)
  says so; identical files are left alone, and the refusal lists the files
  that differ;
- a file where the template has a folder (or a folder, or a symbolic link,
  where it has a file) is refused, naming it: nothing is written through a
  link to outside DEST;
- if writing fails half-way (a read-only folder, a full disk, Ctrl-C), every
  file and folder it created is removed and every file it replaced is put
  back, so DEST is exactly as it was.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..errors import ScaffoldError
from ..leftovers import MARKER, make_folder

SHOWN = 5  # files named in a refusal before "and N more"


@contextmanager
def staging_folder() -> Iterator[Path]:
    """A fresh temporary folder to render into, removed afterwards."""
    folder = make_folder("scaffold-staging-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _listing(paths: list[str]) -> str:
    shown = ", ".join(paths[:SHOWN])
    more = len(paths) - SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _files(staged: Path) -> list[Path]:
    files = (p.relative_to(staged) for p in staged.rglob("*") if p.is_file())
    return sorted(p for p in files if p != Path(MARKER))  # the staging folder's own


def _problems(staged: Path, dest: Path) -> tuple[list[str], list[str]]:
    """(paths in the way of the template's, user's files that differ)."""
    in_the_way: set[str] = set()
    differ: list[str] = []
    for relative in _files(staged):
        target = dest / relative
        for parent in reversed(relative.parents[:-1]):  # folders below DEST
            folder = dest / parent
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                in_the_way.add(f"{parent.as_posix()} (not a folder)")
                break
        else:
            if target.is_symlink() or target.is_dir():
                in_the_way.add(f"{relative.as_posix()} (not a file)")
            elif target.exists() and (
                target.read_bytes() != (staged / relative).read_bytes()
            ):
                differ.append(relative.as_posix())
    return sorted(in_the_way), differ


def _refuse_problems(staged: Path, dest: Path, *, overwrite: bool) -> None:
    """Raise ScaffoldError when ``place`` must not write (see there)."""
    where = str(dest)
    in_the_way, differ = _problems(staged, dest)
    if in_the_way:
        raise ScaffoldError(
            f"cannot write into {where!r}: {_listing(in_the_way)} is in the way of "
            "the template's; move it away or choose another folder"
        )
    if differ and not overwrite:
        raise ScaffoldError(
            f"{where!r} already has {len(differ)} file(s) that differ from the "
            f"template's: {_listing(differ)}; move them away, or pass --overwrite "
            "to replace them"
        )


def _undo(created: list[Path], replaced: dict[Path, Path]) -> None:
    """Put back the files ``place`` replaced and remove what it created."""
    for target, backup in replaced.items():
        shutil.copy2(backup, target)
    for path in reversed(created):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _unchanged(error: OSError, dest: Path) -> ScaffoldError:
    """The one line for a write that failed and was undone."""
    return ScaffoldError(
        f"cannot write {str(error.filename or dest)!r}: {error.strerror or error}; "
        "nothing was changed in the destination"
    )


def _move_into_new(staged: Path, dest: Path) -> bool:
    """Move what is under ``staged`` into ``dest``, which does not exist yet:
    True once done; False, with nothing changed, when ``dest`` is on another
    file system than ``staged`` (``place`` then copies). A rename is one
    system call per project folder instead of a copy per file."""
    created: list[Path] = []
    folder = dest.absolute()
    while not folder.exists() and not folder.is_symlink():
        created.append(folder)
        folder = folder.parent
    moved: list[tuple[Path, Path]] = []
    try:
        for path in reversed(created):
            path.mkdir()
        for source in sorted(staged.iterdir()):
            if source.name != MARKER:
                source.rename(dest / source.name)
                moved.append((source, dest / source.name))
    except BaseException as error:
        for source, target in reversed(moved):
            target.rename(source)
        for path in created:
            with suppress(OSError):
                path.rmdir()
        if isinstance(error, OSError) and error.errno == errno.EXDEV:
            return False
        if isinstance(error, OSError):
            raise _unchanged(error, dest) from None
        raise
    return True


def place(staged: Path, dest: Path, *, overwrite: bool = False) -> list[str]:
    """Copy the files under ``staged`` into ``dest``; return those replaced.

    Raises ScaffoldError, with DEST left exactly as it was, when something of
    the user's is in the way, or when a file differs and not ``overwrite``.
    A ``dest`` that does not exist yet gets the staged folders moved in.
    """
    if not dest.exists() and not dest.is_symlink() and _move_into_new(staged, dest):
        return []
    _refuse_problems(staged, dest, overwrite=overwrite)
    created: list[Path] = []  # in creation order, undone in reverse
    replaced: dict[Path, Path] = {}  # user's file -> its backup
    backups = make_folder("scaffold-backup-")
    try:
        missing = []
        folder = dest.absolute()
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
        for relative in _files(staged):
            source, target = staged / relative, dest / relative
            for parent in reversed(relative.parents[:-1]):
                if not (dest / parent).exists():
                    (dest / parent).mkdir()
                    created.append(dest / parent)
            if target.exists():
                if target.read_bytes() == source.read_bytes():
                    continue
                backup = backups / str(len(replaced))
                shutil.copy2(target, backup)
                replaced[target] = backup
            else:
                created.append(target)
            shutil.copy2(source, target)
    except BaseException as error:
        _undo(created, replaced)
        if isinstance(error, OSError):
            raise _unchanged(error, dest) from None
        raise
    finally:
        shutil.rmtree(backups, ignore_errors=True)
    return sorted(str(p.relative_to(dest)) for p in replaced)
