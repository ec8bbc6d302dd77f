"""Time `scaffold all` against one `copier copy` CLI call of a single template.

Run on demand:  python benchmarks/generate.py [--runs 7]
Goal: every project in <= 1.0 s wall, and <= 1.5x one copier CLI call.
Both are timed as a user runs them (a fresh process each time), in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANSWERS = REPO / "examples" / "answers.yml"


def wall(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def median_of(runs: int, make_command, work: Path) -> float:
    times = []
    for i in range(runs):
        out = work / f"run{i}"
        times.append(wall(make_command(out), work))
        shutil.rmtree(out)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    scaffold = shutil.which("scaffold")
    copier = shutil.which("copier")
    if not scaffold or not copier:
        sys.exit("benchmark: install scaffold first (pip install .)")
    from scaffold.generation.catalog import PROJECTS
    from scaffold.generation.template_source import installed_source

    os.environ.setdefault("COPIER_SETTINGS_PATH", os.devnull)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        all_projects = median_of(
            runs,
            lambda out: [scaffold, "all", str(out), "--answers", str(ANSWERS)],
            work,
        )
        one_copier = median_of(
            runs,
            lambda out: [
                copier, "copy", "--quiet", "--defaults",
                "--data", "framework=django", "--data", "app=website",
                "--data-file", str(ANSWERS), "--vcs-ref", "HEAD",
                installed_source().url, str(out),
            ],
            work,
        )  # fmt: skip
    ratio = all_projects / one_copier
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()}"
    )
    print(f"runs: {runs} (median)")
    label = f"scaffold all ({len(PROJECTS)} projects)"
    print(f"{label}: {all_projects:.3f} s  (goal <= 1.0 s)")
    print(f"copier copy (django website only): {one_copier:.3f} s")
    print(f"ratio: {ratio:.2f}x  (goal <= 1.5x)")
    ok = all_projects <= 1.0 and ratio <= 1.5
    print("goal met" if ok else "goal NOT met")


if __name__ == "__main__":
    main()
