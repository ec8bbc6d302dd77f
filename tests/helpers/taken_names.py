"""The module names a project slug must not take, and the partial that lists them.

A project package named like a module it imports (`decimal`, `flask`,
`dotenv`) shadows that module and the project fails to start. Copier's
validators are Jinja, so the list ships as templates/_shared/taken_names.jinja;
this module computes what it must hold:

- every name in sys.stdlib_module_names;
- every top-level module of every distribution the generated projects depend
  on, directly or not (dependencies and the dev group, read from each generated
  pyproject.toml; the distributions are installed here by `.[test]`);
- every top-level module the generated projects import or contain (app.py,
  pages/, tests/conftest.py, ...).

tests/test_hostile.py asserts the shipped list holds all of them. To refresh
it (names are only ever added, so it also keeps those of other Python
versions):

    python -m tests.helpers.taken_names
"""

from __future__ import annotations

import ast
import re
import sys
import tempfile
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PARTIAL = Path(__file__).resolve().parents[2] / "templates/_shared/taken_names.jinja"
EXAMPLE = {
    "project_name": "Example",
    "project_slug": "zz_example_slug",
    "author_name": "A",
    "author_email": "a@example.com",
}


def _top_levels() -> dict[str, set[str]]:
    """Distribution name -> the top-level modules it installs."""
    found: dict[str, set[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        if module.isidentifier():
            for dist in dists:
                found.setdefault(canonicalize_name(dist), set()).add(module.lower())
    return found


def dependency_modules(requirements: list[str]) -> set[str]:
    """Top-level modules of the distributions in the requirements' closure."""
    tops = _top_levels()
    todo = [(Requirement(r), "") for r in requirements]
    seen: set[tuple[str, str]] = set()
    modules: set[str] = set()
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        extras = requirement.extras or {""}
        for wanted in extras | {""}:
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            try:
                dist = metadata.distribution(name)
            except metadata.PackageNotFoundError:
                modules.add(name.replace("-", "_"))
                continue
            modules |= tops.get(name, set())
            todo += [(Requirement(r), wanted) for r in dist.requires or []]
    return modules


def project_modules(project: Path) -> set[str]:
    """What a generated project imports at top level, and what it contains."""
    names: set[str] = set()
    for source in project.rglob("*.py"):
        tree = ast.parse(source.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        # A module whose folder is no package is importable by its own name
        # when that folder is on sys.path (pytest's tests/, the project root).
        if not (source.parent / "__init__.py").exists():
            names.add(source.stem)
    for child in project.iterdir():
        if child.is_dir() and any(child.rglob("*.py")):
            names.add(child.name)
    return {n.lower() for n in names if n.isidentifier()}


def required_names() -> set[str]:
    """Every name the shipped list must hold, computed in this environment."""
    from scaffold.generation.generate import generate_all

    names = set(sys.stdlib_module_names)
    with tempfile.TemporaryDirectory() as scratch:
        for project in generate_all(Path(scratch) / "p", EXAMPLE):
            meta = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
            requirements = [
                *meta["project"]["dependencies"],
                *meta.get("dependency-groups", {}).get("dev", []),
            ]
            names |= dependency_modules(requirements)
            names |= project_modules(project)
    names.discard(EXAMPLE["project_slug"])
    return {n for n in names if re.fullmatch(r"[a-z_][a-z0-9_]*", n)}


def shipped_names() -> set[str]:
    """The names templates/_shared/taken_names.jinja holds."""
    return set(re.findall(r'"([a-z0-9_]+)"', PARTIAL.read_text("utf-8")))


def write_partial(names: set[str]) -> None:
    lines, line = [], " "
    for name in sorted(names):
        item = f' "{name}",'
        if len(line) + len(item) > 80:
            lines.append(line)
            line = " "
        line += item
    lines.append(line)
    PARTIAL.write_text(
        "{#- Module names a project slug must not take (see validate.jinja).\n"
        "    Written by `python -m tests.helpers.taken_names`; tests/test_hostile.py\n"
        "    checks it holds every standard-library module and every module the\n"
        "    generated projects import, depend on or contain. -#}\n"
        "{%- set taken = [\n" + "\n".join(lines) + "\n] -%}\n",
        "utf-8",
    )


if __name__ == "__main__":
    if not PARTIAL.exists():
        PARTIAL.write_text("{%- set taken = [] -%}\n", "utf-8")
    old = shipped_names()
    new = required_names() | old
    write_partial(new)
    print(f"{PARTIAL}: {len(new)} names ({len(new - old)} added)")
