"""Time `scaffold smoke`, and checking the projects concurrently vs one by one.

Run on demand:  python benchmarks/smoke.py [--runs 5]
Goals: `scaffold smoke` <= 5 s; `scaffold smoke --isolated` <= 20 s with a warm
uv cache (one untimed warm-up run first). For comparison, the same projects,
generated once, are checked by one `scaffold check` one after another
(`--jobs 1`) and all at once (the default). Every run is a fresh process, as a
user runs it, and must exit 0.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANSWERS = REPO / "examples" / "answers.yml"
SCAFFOLD = [sys.executable, "-m", "scaffold"]


def run(*args: str) -> None:
    """Run `scaffold ARGS`; stop the benchmark if it fails."""
    done = subprocess.run([*SCAFFOLD, *args], cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(
            f"benchmark: `scaffold {' '.join(args)}` exited {done.returncode}\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )


def wall(*commands: list[str]) -> float:
    """Seconds to run the scaffold commands one after another."""
    start = time.perf_counter()
    for args in commands:
        run(*args)
    return time.perf_counter() - start


def timed(runs: int, *commands: list[str]) -> tuple[float, float]:
    """Median and min wall time of running the commands RUNS times."""
    times = [wall(*commands) for _ in range(runs)]
    return statistics.median(times), min(times)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def show(label: str, figures: tuple[float, float], goal: float = float("inf")) -> bool:
    """Print one figure, and its goal if it has one; True if the goal is met."""
    line = f"{label:<46} {figures[0]:6.2f} s  (min {figures[1]:.2f} s)"
    met = figures[0] <= goal
    if goal != float("inf"):
        line += f"  goal <= {goal:g} s: {'met' if met else 'NOT met'}"
    print(line)
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    from scaffold.generation.catalog import PROJECTS

    os.environ.setdefault("COPIER_SETTINGS_PATH", os.devnull)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {cpu_model()}, "
        f"Python {platform.python_version()}, {platform.system()}"
    )
    print(f"date: {datetime.date.today()}, runs: {runs} (median / min)")

    ok = show("scaffold smoke", timed(runs, ["smoke"]), goal=5)
    wall(["smoke", "--isolated"])  # warm-up: fills uv's package cache
    isolated = timed(runs, ["smoke", "--isolated"])
    ok &= show("scaffold smoke --isolated", isolated, goal=20)

    with tempfile.TemporaryDirectory() as tmp:
        run("all", tmp, "--answers", str(ANSWERS))
        folders = [str(Path(tmp) / project.name) for project in PROJECTS]
        for extra in ([], ["--isolated"]):
            one_by_one = timed(runs, ["check", *folders, *extra, "--jobs", "1"])
            together = timed(runs, ["check", *folders, *extra])
            flag = " --isolated" if extra else ""
            show(f"check{flag} --jobs 1 (one after another)", one_by_one)
            show(f"check{flag} (all {len(folders)} at once)", together)
            print(f"{'  speed-up (median)':<46} {one_by_one[0] / together[0]:6.2f}x")
    print("goals met" if ok else "goals NOT met")


if __name__ == "__main__":
    main()
