"""Time the images the projects ship: build, rebuild, size, start.

Run on demand:  python benchmarks/containers.py [--engine podman] [--base IMAGE]
Per project (every website and to-do, from the example answers):
- cold build: `build --no-cache`, every layer built again;
- rebuild after a one-line code change (a comment appended to the entry
  module): goal <= 15% of the cold build, the dependency layer reused;
- image size over the base image: goal <= 80 MB;
- start to first healthy answer: `run` until /health/ answers 200, the release
  step done before: goal <= 3 s.
Uses the harness's own code (scaffold/harness/containers.py), so the figures
are those `scaffold check --server container` works with.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile
from pathlib import Path

from scaffold.generation.answers import read_answers_file
from scaffold.generation.generate import generate_all
from scaffold.harness.containers import (
    Containers,
    find_engine,
    image_size_over_base,
    running_container,
)
from scaffold.harness.plan import load_plan
from scaffold.harness.shipping import ships

REPO = Path(__file__).resolve().parent.parent
ANSWERS = REPO / "examples" / "answers.yml"
GOALS = {"rebuild": 0.15, "over_base_mb": 80.0, "healthy_s": 3.0}


def edit_one_line(folder: Path, slug: str) -> Path:
    """Append a comment to the module the app starts from; the file."""
    for name in ("app.py", f"{slug}/__init__.py", f"{slug}/urls.py"):
        path = folder / name
        if path.is_file():
            path.write_text(path.read_text() + "# a one-line change\n")
            return path
    raise SystemExit(f"benchmark: no entry module found in {folder}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["podman", "docker"])
    parser.add_argument("--base", default="docker.io/library/python:3.11-slim")
    options = parser.parse_args()
    engine = find_engine(options.engine)
    print(f"date: {datetime.date.today()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()}"
    )
    print(f"engine: {engine.name}; base image: {options.base}")
    print(
        "project                cold (s)  rebuild (s)  rebuild/cold  "
        "over base (MB)  healthy (s)"
    )
    met = True
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-") as scratch:
        folders = generate_all(Path(scratch) / "p", read_answers_file(ANSWERS))
        with Containers(engine, timeout=60) as containers:
            for folder in folders:
                if not ships(folder, "container"):
                    continue  # the Hello Worlds ship no image
                plan = load_plan(folder, Path(scratch) / f"data-{folder.name}")
                cold = containers.build(plan, cache=False)
                edit_one_line(folder, plan.generated.answers["project_slug"])
                warm = containers.build(plan)
                over = image_size_over_base(containers, warm, options.base) / 1e6
                with running_container(plan, containers, warm) as app:
                    healthy = app.seconds
                ratio = warm.build_seconds / cold.build_seconds
                met &= ratio <= GOALS["rebuild"] and over <= GOALS["over_base_mb"]
                met &= healthy <= GOALS["healthy_s"]
                print(
                    f"{folder.name:<20} {cold.build_seconds:>8.1f}  "
                    f"{warm.build_seconds:>11.1f}  {ratio:>12.0%}  "
                    f"{over:>14.1f}  {healthy:>11.2f}"
                )
    print(
        "goals: rebuild <= 15% of cold, <= 80 MB over base, healthy <= 3 s: "
        + ("met" if met else "NOT met")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
