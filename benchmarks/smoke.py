"""Time `scaffold smoke`, and checking the projects concurrently vs one by one.

Run on demand:  python benchmarks/smoke.py [--runs 5]
Goals: `scaffold smoke` <= 5 s; `scaffold smoke --isolated` <= 20 s with a warm
uv cache (one untimed warm-up run first). For comparison, the same projects,
generated once, are checked by one `scaffold check` one after another
(`--jobs 1`) and as many at once as the default allows (two per core).
Then where the time of `scaffold smoke` goes: generating the projects
(`scaffold all`), checking them (`scaffold check`), and the CPU time of
checking each project on its own, scaffold's start-up included (`scaffold
--help` shows that part). Every run is a fresh process, as a user runs it, and
must exit 0. Beside each wall time: the CPU time (user +
system) of every process the run started; on two cores the wall time cannot
go below half of it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
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


def adopt_orphans() -> None:
    """Become the parent of every orphan of the runs (Linux's "child
    subreaper"): a gunicorn worker killed with its arbiter would otherwise be
    reaped by init, and its CPU time lost to cpu_seconds."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def reap_orphans() -> None:
    """Collect the orphans adopted during a run (their CPU time counts)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:  # one still running: a run left a process behind?
            if time.monotonic() > deadline:
                sys.exit("benchmark: a run left a process running")
            time.sleep(0.01)


def cpu_seconds() -> float:
    """CPU time (user + system) of every finished child process so far: the
    scaffold commands, and every server and command they started."""
    reap_orphans()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def wall(*commands: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds to run the scaffold commands one after another."""
    start, cpu = time.perf_counter(), cpu_seconds()
    for args in commands:
        run(*args)
    return time.perf_counter() - start, cpu_seconds() - cpu


def timed(runs: int, *commands: list[str]) -> tuple[float, float, float]:
    """Median and min wall time, and median CPU time, of RUNS runs."""
    figures = [wall(*commands) for _ in range(runs)]
    times = [seconds for seconds, _ in figures]
    cpu = statistics.median(used for _, used in figures)
    return statistics.median(times), min(times), cpu


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def show(
    label: str, figures: tuple[float, float, float], goal: float = float("inf")
) -> bool:
    """Print one figure, and its goal if it has one; True if the goal is met."""
    median, least, cpu = figures
    line = f"{label:<46} {median:6.2f} s  (min {least:.2f} s, cpu {cpu:.1f} s)"
    met = median <= goal
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
    adopt_orphans()
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
            show(f"check{flag} ({len(folders)} projects, default jobs)", together)
            print(f"{'  speed-up (median)':<46} {one_by_one[0] / together[0]:6.2f}x")
        print("\nwhere the time of `scaffold smoke` goes:")
        with tempfile.TemporaryDirectory() as out:
            answers = ["--answers", str(ANSWERS)]
            # A new DEST each time: what a user's first `scaffold all` does.
            figures = [wall(["all", f"{out}/{i}", *answers]) for i in range(runs)]
            times = [seconds for seconds, _ in figures]
            cpu = statistics.median(used for _, used in figures)
            generated = statistics.median(times), min(times), cpu
            show("generate: scaffold all", generated)
        show("check: scaffold check (every project)", timed(runs, ["check", *folders]))
        show("scaffold's own start-up: scaffold --help", timed(runs, ["--help"]))
        for folder in folders:
            show(f"  check {Path(folder).name} alone", timed(runs, ["check", folder]))
    print("goals met" if ok else "goals NOT met")


if __name__ == "__main__":
    main()
