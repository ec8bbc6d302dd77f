"""`scaffold compare`: each stage in Flask and in Django, side by side.

One path, as for every command: the answers → Copier → every generated
project → what the walkthrough shows of them. concepts.yml says where each
concept's code lives; notes.yml says what a learner should notice. Nothing
here holds code of its own, so the walkthrough cannot drift from the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ScaffoldError
from ..generation import catalog
from ..generation.answers import shared_questions
from ..generation.catalog import choices, projects
from ..generation.generate import generate_all
from ..project import GeneratedProject
from .changes import StageChange, compare_projects
from .content import content
from .excerpts import Excerpt, select
from .facts import Facts, project_facts


@dataclass(frozen=True)
class Concept:
    """One idea, e.g. routing, and the code each framework writes for it."""

    key: str
    title: str
    note: str
    columns: dict[str, tuple[Excerpt, ...]]  # framework -> what its column shows


@dataclass(frozen=True)
class Stage:
    """One app of the course (hello, website or todo) in both frameworks."""

    app: str
    title: str
    intro: str
    facts: dict[str, Facts]  # framework -> figures
    concepts: tuple[Concept, ...]
    previous: str  # the title of the stage before it, "" for the first
    change_note: str
    changes: dict[str, StageChange]  # framework -> change from the stage before


@dataclass(frozen=True)
class Walkthrough:
    """Everything `scaffold compare` prints or puts on its page."""

    answers: dict[str, Any]  # as the generated projects recorded them
    stages: tuple[Stage, ...]


def course_apps(app: str) -> tuple[str, ...]:
    """The stages `scaffold compare APP` shows: one app, or all in course order."""
    stages = catalog.stages()
    if app == "all":
        return stages
    if app not in stages:
        raise ScaffoldError(catalog.unknown_app(app, stages, ("all",)))
    return (app,)


def _stage(app: str, folders: Mapping[str, Path], slug: str) -> Stage:
    """One stage: its figures, its concepts' excerpts, its diff from the one before."""
    config, notes = content()
    spec = config.stages[app]

    def folder(framework: str, stage: str) -> Path:
        return folders[catalog.find_project(stage, framework).name]

    concepts = tuple(
        Concept(
            key=key,
            title=config.titles[key],
            note=notes.concepts[key][app],
            columns={
                fw: tuple(
                    select(folder(fw, app), e.as_mapping(), slug) for e in columns[fw]
                )
                for fw in choices("framework")
            },
        )
        for key, columns in spec.concepts.items()
    )
    stages = catalog.stages()
    index = stages.index(app)
    before = stages[index - 1] if index else None
    changes = {
        fw: compare_projects(folder(fw, before), folder(fw, app))
        for fw in choices("framework")
        if before
    }
    return Stage(
        app=app,
        title=spec.title,
        intro=notes.stages[app],
        facts={
            fw: project_facts(GeneratedProject.read(folder(fw, app)))
            for fw in choices("framework")
        },
        concepts=concepts,
        previous=config.stages[before].title if before else "",
        change_note=notes.changes[app] if before else "",
        changes=changes,
    )


def build_walkthrough(app: str, answers: Mapping[str, str], dest: Path) -> Walkthrough:
    """Generate every project into ``dest`` from ``answers``; compare them."""
    apps = course_apps(app)
    paths = generate_all(dest, answers, force=False, interactive=False)
    folders = {p.name: path for p, path in zip(projects(), paths, strict=True)}
    recorded = GeneratedProject.read(paths[0]).answers
    slug = str(recorded["project_slug"])
    return Walkthrough(
        answers={k: recorded[k] for k in shared_questions() if k in recorded},
        stages=tuple(_stage(name, folders, slug) for name in apps),
    )


def format_summary(walkthrough: Walkthrough) -> str:
    """The terminal summary: per stage and framework, the figures and commands."""
    out: list[str] = []
    for stage in walkthrough.stages:
        out.append(f"{stage.title} ({stage.app})")
        for framework, facts in stage.facts.items():
            kinds = ", ".join(f"{kind} {n}" for kind, n in facts.lines.items() if n)
            out += [
                f"  {framework:<7} {len(facts.files)} files, "
                f"{facts.lines_of_code} lines of code ({kinds})",
                f"  {'':<7} entry point  {facts.entry_point}",
                f"  {'':<7} run          {facts.run}",
            ]
            if change := stage.changes.get(framework):
                out.append(
                    f"  {'':<7} from {stage.previous}: {change.count('added')} "
                    f"added, {change.count('changed')} changed, "
                    f"{change.count('moved')} moved, {change.count('removed')} "
                    "removed"
                )
        out.append("")
    return "\n".join(out).rstrip()
