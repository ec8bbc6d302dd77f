"""Time `scaffold all` against one `copier copy` CLI call of a single template.

Run on demand:  python benchmarks/generate.py [--runs 7]
Goals: `scaffold all` <= 1.5x one copier CLI call, and each project it adds
costs <= 5% of that call. Every command is a fresh process, as a user runs
it; the commands are timed pair by pair (copier, scaffold all, scaffold new)
within each round, so a busy spell of the machine hits all three alike. CPU
time (user + system, the command and its children) is shown beside the wall
time: on a machine shared with other work it moves less.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANSWERS = REPO / "examples" / "answers.yml"


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


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
    commands = {
        "copier copy (django website only)": lambda out: [
            copier, "copy", "--quiet", "--defaults",
            "--data", "framework=django", "--data", "app=website",
            "--data-file", str(ANSWERS), "--vcs-ref", "HEAD",
            installed_source().url, str(out),
        ],
        f"scaffold all ({len(PROJECTS)} projects)": lambda out: [
            scaffold, "all", str(out), "--answers", str(ANSWERS),
        ],
        "scaffold new (django website only)": lambda out: [
            scaffold, "new", "website", str(out), "-f", "django",
            "--answers", str(ANSWERS),
        ],
    }  # fmt: skip
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for i in range(runs):
            for n, (label, make) in enumerate(commands.items()):
                out = work / f"run{i}-{n}"
                times[label].append(timed(make(out), work))
                shutil.rmtree(out)
    wall = {label: statistics.median(t[0] for t in ts) for label, ts in times.items()}
    cpu = {label: statistics.median(t[1] for t in ts) for label, ts in times.items()}
    one, every, new = commands
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()}"
    )
    print(f"date: {datetime.date.today()}, runs: {runs} (median, pair by pair)")
    for label in commands:
        print(f"{label:<36} {wall[label]:6.3f} s wall  {cpu[label]:6.3f} s CPU")
    ratio, cpu_ratio = wall[every] / wall[one], cpu[every] / cpu[one]
    print(f"ratio all/copier: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU  (goal <= 1.5x)")
    # What each project beyond the first adds, as a share of one copier call.
    added = (wall[every] - wall[new]) / (len(PROJECTS) - 1)
    share = added / wall[one]
    print(f"each added project: {added * 1000:.0f} ms, {share:.1%} of one copier call"
          "  (goal <= 5%)")  # fmt: skip
    ok = ratio <= 1.5 and share <= 0.05
    print("goals met" if ok else "goals NOT met")


if __name__ == "__main__":
    main()
