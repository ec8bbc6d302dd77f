"""What the walkthrough says: concepts.yml and notes.yml, read through schemas.

concepts.yml says, per stage, which concepts to show and where each
framework's code for them lives; notes.yml says what a learner should notice.
Both are refused, with one line naming the file, the entry and the key, if a
key is unknown, missing or of the wrong type, or if they name an app, a
framework or a concept that does not exist.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from pydantic import model_validator

from ..errors import ScaffoldError
from ..generation.catalog import choices, stages
from ..schema import Declared, did_you_mean, load_file, one_of


def _apps() -> tuple[str, ...]:
    """The stages: each app, then each variant (the to-do with accounts)."""
    return stages()


def _frameworks() -> tuple[str, ...]:
    return choices("framework")


App = Annotated[str, one_of("app", _apps)]
Framework = Annotated[str, one_of("framework", _frameworks)]
ENTRIES = {"stages": "stage", "concepts": "concept", "titles": "title"}


class ExcerptSpec(Declared):
    """One excerpt in a column: a file tree, a file or part of one, or words."""

    tree: bool = False
    file: str | None = None  # may use {slug} and a * glob
    symbols: tuple[str, ...] = ()  # Python definitions, Class.method
    lines: tuple[str, ...] = ()  # regexes: the paragraph around the first match
    head: bool = False  # only the decorators and the `def` line
    text: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ExcerptSpec:
        kinds = [k for k in ("tree", "file", "text") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("give exactly one of 'tree', 'file' or 'text'")
        if self.file is None and (self.symbols or self.lines or self.head):
            raise ValueError("'symbols', 'lines' and 'head' go with 'file'")
        return self

    def as_mapping(self) -> dict[str, Any]:
        """The keys given, as `excerpts.select` reads them."""
        return self.model_dump(exclude_defaults=True)


class StageSpec(Declared):
    title: str
    concepts: dict[str, dict[Framework, tuple[ExcerptSpec, ...]]]


class ConceptsFile(Declared):
    """concepts.yml."""

    titles: dict[str, str]
    stages: dict[App, StageSpec]

    @model_validator(mode="after")
    def _consistent(self) -> ConceptsFile:
        for app in _apps():
            if app not in self.stages:
                raise ValueError(f"missing stage {app!r}")
        for app, stage in self.stages.items():
            for key, columns in stage.concepts.items():
                if key not in self.titles:
                    raise ValueError(
                        f"stage {app!r}: concept {key!r} has no title"
                        f"{did_you_mean(key, self.titles)}"
                    )
                for framework in _frameworks():
                    if framework not in columns:
                        raise ValueError(
                            f"stage {app!r}: concept {key!r}: missing {framework!r}"
                        )
        return self


class NotesFile(Declared):
    """notes.yml."""

    stages: dict[App, str]  # a stage's introduction
    changes: dict[App, str]  # what changes from the stage before
    concepts: dict[str, dict[App, str]]  # per concept, per stage


def concepts_path() -> Path:
    return Path(str(files(__package__) / "concepts.yml"))


def notes_path() -> Path:
    return Path(str(files(__package__) / "notes.yml"))


def read_concepts(path: Path) -> ConceptsFile:
    return load_file(ConceptsFile, path, ENTRIES)


def read_notes(path: Path, concepts: ConceptsFile) -> NotesFile:
    """notes.yml, with a note for every stage, change and concept shown."""
    notes = load_file(NotesFile, path, ENTRIES)
    apps = _apps()
    wanted = [("stages", app) for app in apps]
    wanted += [("changes", app) for app in apps[1:]]
    for app, stage in concepts.stages.items():
        wanted += [(f"concepts.{key}", app) for key in stage.concepts]
    for section, app in wanted:
        if section.startswith("concepts."):
            key = section.removeprefix("concepts.")
            found = notes.concepts.get(key, {})
            where = f"concept {key!r}"
        else:
            found, where = getattr(notes, section), section
        if app not in found:
            raise ScaffoldError(f"{path}: {where}: missing the note for {app!r}")
    return notes


@cache
def content() -> tuple[ConceptsFile, NotesFile]:
    """The walkthrough's concepts and notes, validated once per process."""
    concepts = read_concepts(concepts_path())
    return concepts, read_notes(notes_path(), concepts)
