"""Time `scaffold update` of all six projects against one `copier update`.

Run on demand:  python benchmarks/update.py [--runs 3]
Both update projects made from v1.0.0 of a two-release history
(tests/helpers/update_history.py) to v2.0.0, untouched, as a user runs them (a fresh
process each time), in the same run. Copier updates one project (Django
website); scaffold updates all six in one call.
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
sys.path.insert(0, str(REPO))

from tests.helpers.update_history import build_history, commit_all  # noqa: E402

ANSWERS = REPO / "examples" / "answers.yml"
# Point the installed scaffold at the test history (the test's own hook).
SCAFFOLD = """
import sys
import scaffold.generation.update
from scaffold.cli import main
from scaffold.generation.template_source import TemplateSource
source = TemplateSource(sys.argv.pop(1), "v2.0.0")
scaffold.generation.update.installed_source = lambda: source
sys.exit(main(sys.argv[1:]))
"""


def wall(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    copier = shutil.which("copier")
    if not copier:
        sys.exit("benchmark: install scaffold first (pip install .)")
    from scaffold.generation.catalog import PROJECTS

    os.environ.setdefault("COPIER_SETTINGS_PATH", os.devnull)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        history = build_history(work / "template")
        v1 = work / "v1"
        # Each run updates its own projects: six for scaffold, one for copier.
        for i in range(runs):
            for project in [*PROJECTS, PROJECTS[3]]:
                where = "copier" if (v1 / f"run{i}" / project.name).exists() else "run"
                out = v1 / f"{where}{i}" / project.name
                subprocess.run(
                    [copier, "copy", "--quiet", "--defaults", "--vcs-ref", "v1.0.0",
                     "-d", f"framework={project.framework}", "-d", f"app={project.app}",
                     "--data-file", str(ANSWERS), str(history), str(out)],
                    check=True, capture_output=True,
                )  # fmt: skip
                commit_all(out)
        scaffold_times, copier_times = [], []
        for i in range(runs):
            folders = [str(p) for p in sorted((v1 / f"run{i}").iterdir())]
            command = [sys.executable, "-c", SCAFFOLD, str(history), "update"]
            scaffold_times.append(wall([*command, *folders], work))
            one = v1 / f"copier{i}" / "django-website"
            copier_times.append(wall([copier, "update", "--quiet", "--defaults"], one))
    all_six, one_copier = (
        statistics.median(scaffold_times),
        statistics.median(copier_times),
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"runs: {runs} (median)")
    print(f"scaffold update ({len(PROJECTS)} projects): {all_six:.2f} s")
    print(f"copier update (django website only): {one_copier:.2f} s")
    print(f"per project: {all_six / len(PROJECTS) / one_copier:.2f}x one copier update")


if __name__ == "__main__":
    main()
