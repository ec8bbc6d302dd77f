"""The `scaffold compare` page in a real browser: two columns, side by side.

Headless Chromium (Debian's `chromium`, which `.ci/run` installs) lays the page
out at a laptop width. A small script added to a copy of the page measures every
`.columns` block and `--dump-dom` hands the figures back; a screenshot of the
unmodified page is kept in the artifacts folder for a person to look at.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import psutil
import pytest
from bs4 import BeautifulSoup

from scaffold.cli import main

REPO = Path(__file__).resolve().parent.parent
LAPTOP = (1366, 900)
PHONE = (600, 900)  # below the page's 800px breakpoint: the columns stack
TIMEOUT = 120  # seconds for one browser run; a run takes about a second
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
INSTALL = (
    "headless Chromium not found (tried chromium, chromium-browser, google-chrome):"
    " install it with `sudo apt-get install chromium` (Debian/Ubuntu), or run .ci/run"
)
# An empty 1366x900 page screenshots to about 5.6 KB (white or the page's grey
# background alike); the walkthrough's first screen to about 130 KB. 40 KB sits
# well clear of both, and of font differences between machines.
NOT_BLANK = 40_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Run where the page's own content ends: measure each `.columns` block's
# `.column` children and write the figures, as JSON, into <pre id="layout">.
MEASURE = """
<pre id="layout"></pre>
<script>
(() => {
  const out = document.getElementById("layout");
  try {
    const blocks = [...document.querySelectorAll(".columns")].map((block) => ({
      where: block.closest("section[id]")?.id ?? "",
      columns: [...block.querySelectorAll(":scope > .column")].map((column) => {
        const box = column.getBoundingClientRect();
        const style = getComputedStyle(column);
        return {
          framework: column.dataset.framework ?? "",
          left: box.left, right: box.right, top: box.top,
          width: box.width, height: box.height,
          visibility: style.visibility, display: style.display,
        };
      }),
    }));
    out.textContent = JSON.stringify({
      innerWidth: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      blocks,
    });
  } catch (error) {
    out.textContent = JSON.stringify({error: String(error)});
  }
})();
</script>
"""
STACKED = "<style>.columns { grid-template-columns: 1fr !important; }</style>"


def layout_problems(layout: dict[str, Any]) -> list[str]:
    """What keeps each `.columns` block from showing two columns side by side."""
    problems: list[str] = []
    inner = layout["innerWidth"]
    if layout["scrollWidth"] > inner:
        problems.append(
            f"page overflows sideways: scrollWidth {layout['scrollWidth']}"
            f" > innerWidth {inner}"
        )
    for number, block in enumerate(layout["blocks"], 1):
        where = f"block {number} ({block['where'] or 'no section'})"
        found = [column["framework"] for column in block["columns"]]
        if sorted(found) != ["django", "flask"]:
            problems.append(f"{where}: columns {found}, want one flask, one django")
            continue
        django, flask = sorted(block["columns"], key=lambda c: c["framework"])
        for column in (flask, django):
            name = column["framework"]
            if column["visibility"] != "visible" or column["display"] == "none":
                problems.append(
                    f"{where}: {name} column hidden (visibility"
                    f" {column['visibility']}, display {column['display']})"
                )
            if column["width"] <= 200 or column["height"] <= 0:
                problems.append(
                    f"{where}: {name} column too small"
                    f" ({column['width']:g}x{column['height']:g}px)"
                )
            if column["left"] < 0 or column["right"] > inner:
                problems.append(
                    f"{where}: {name} column outside the window"
                    f" ({column['left']:g}..{column['right']:g}px of {inner}px)"
                )
        if flask["right"] > django["left"]:
            problems.append(
                f"{where}: columns overlap or stack: flask right edge"
                f" {flask['right']:g}px > django left edge {django['left']:g}px"
            )
        if abs(flask["top"] - django["top"]) >= 2:
            problems.append(
                f"{where}: tops not aligned (flask {flask['top']:g}px,"
                f" django {django['top']:g}px): stacked, not side by side"
            )
    return problems


def run_browser(
    browser: str, size: tuple[int, int], *args: str
) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium once; no process of it is left when this returns."""
    with tempfile.TemporaryDirectory(prefix="scaffold-chromium-") as scratch:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            # Debian's wrapper adds this only when it can read /dev/shm's free
            # space; containers often have a tiny /dev/shm, so always add it.
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={scratch}/profile",
            f"--window-size={size[0]},{size[1]}",
            *args,
        ]
        # The crash handler keeps its database under $XDG_CONFIG_HOME: keep it
        # in the scratch folder too, so every process's command line names it.
        env = {**os.environ, "HOME": scratch, "XDG_CONFIG_HOME": f"{scratch}/config"}
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            err += f"\n(killed after {TIMEOUT}s)"
            process.returncode = -signal.SIGKILL
        finally:
            stop_leftovers(scratch)
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def stop_leftovers(marker: str) -> None:
    """Kill any process still running whose command line names `marker`.

    Chromium's crash handlers start in sessions of their own, so they escape
    the browser's process group; the scratch folder names them all.
    """
    leftovers = []
    for process in psutil.process_iter(["cmdline"]):
        if any(marker in part for part in process.info["cmdline"] or []):
            leftovers.append(process)
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
    psutil.wait_procs(leftovers, timeout=10)


def screenshot(browser: str, page: Path, size: tuple[int, int], dest: Path) -> None:
    """Save a PNG of the first screenful of `page` at `size`."""
    done = run_browser(browser, size, f"--screenshot={dest}", page.as_uri())
    assert done.returncode == 0 and dest.is_file(), done.stderr[-2000:]


def measure(
    browser: str, page: Path, size: tuple[int, int], work: Path, head: str = ""
) -> dict[str, Any]:
    """Lay a copy of `page` out at `size` and return the `.columns` figures."""
    html = page.read_text("utf-8")
    if head:
        html = html.replace("</head>", head + "</head>", 1)
    end = html.rindex("</body>")
    copy = work / f"measure-{size[0]}x{size[1]}{'-styled' if head else ''}.html"
    copy.write_text(html[:end] + MEASURE + html[end:], "utf-8")
    done = run_browser(browser, size, "--dump-dom", copy.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    found = BeautifulSoup(done.stdout, "html.parser").find("pre", id="layout")
    assert found is not None and found.get_text(), "no figures in the dumped DOM"
    layout = json.loads(found.get_text())
    assert "error" not in layout, layout
    assert layout["innerWidth"] == size[0], "the window is not the size asked for"
    return layout


@pytest.fixture(scope="module")
def browser() -> str:
    """The headless Chromium binary: missing fails in CI, skips elsewhere."""
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    if os.environ.get("CI"):
        pytest.fail(INSTALL, pytrace=False)
    pytest.skip(INSTALL)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`scaffold compare all --out`, written once for the module.

    conftest's autouse session fixture already points COPIER_SETTINGS_PATH at
    an empty settings file, so a developer's own Copier settings stay out.
    """
    path = tmp_path_factory.mktemp("compare") / "walkthrough.html"
    assert main(["compare", "all", "--out", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def column_blocks(page: Path) -> int:
    """How many two-column blocks the page has."""
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    return len(soup.select(".columns"))


def test_columns_side_by_side_at_laptop_width(
    browser: str, page: Path, column_blocks: int, tmp_path: Path
) -> None:
    layout = measure(browser, page, LAPTOP, tmp_path)
    assert column_blocks > 20
    assert len(layout["blocks"]) == column_blocks
    assert layout_problems(layout) == []


def test_check_catches_stacked_columns(
    browser: str, page: Path, column_blocks: int, tmp_path: Path
) -> None:
    """Forced into one column at laptop width, every block is reported."""
    layout = measure(browser, page, LAPTOP, tmp_path, head=STACKED)
    problems = layout_problems(layout)
    overlaps = [p for p in problems if "overlap or stack" in p]
    misaligned = [p for p in problems if "stacked, not side by side" in p]
    assert len(overlaps) == len(misaligned) == column_blocks, problems


def test_check_catches_phone_width(
    browser: str, page: Path, column_blocks: int, tmp_path: Path
) -> None:
    """Below 800px the page stacks its columns on purpose: the check notices."""
    layout = measure(browser, page, PHONE, tmp_path)
    problems = layout_problems(layout)
    overlaps = [p for p in problems if "overlap or stack" in p]
    assert len(overlaps) == column_blocks, problems
    assert not [p for p in problems if "overflows sideways" in p], problems


def test_layout_problems_names_each_fault() -> None:
    """The pure check, on hand-made figures: good, then one fault at a time."""

    def column(framework: str, left: float, **changes: Any) -> dict[str, Any]:
        box = {"framework": framework, "left": left, "right": left + 600}
        box |= {"top": 100, "width": 600, "height": 300}
        box |= {"visibility": "visible", "display": "block"}
        return box | changes

    def layout(*columns: dict[str, Any], scroll: int = 1366) -> dict[str, Any]:
        block = {"where": "hello", "columns": list(columns)}
        return {"innerWidth": 1366, "scrollWidth": scroll, "blocks": [block]}

    flask, django = column("flask", 24), column("django", 700)
    assert layout_problems(layout(flask, django)) == []
    assert layout_problems(layout(django, flask)) == []  # order in the DOM is free
    faults = {
        "overflows sideways": layout(flask, django, scroll=1400),
        "want one flask, one django": layout(flask, flask),
        "hidden": layout(flask, column("django", 700, visibility="hidden")),
        "too small": layout(flask, column("django", 700, width=150)),
        "outside the window": layout(flask, column("django", 800, right=1400)),
        "overlap or stack": layout(flask, column("django", 600)),
        "tops not aligned": layout(flask, column("django", 700, top=103)),
    }
    for fault, figures in faults.items():
        problems = layout_problems(figures)
        assert len(problems) == 1 and fault in problems[0], (fault, problems)


def test_screenshot_kept_as_artifact(browser: str, page: Path, tmp_path: Path) -> None:
    """A 1366x900 PNG of the page, kept in the artifacts folder."""
    shot = tmp_path / "compare.png"
    screenshot(browser, page, LAPTOP, shot)
    folder = Path(os.environ.get("SCAFFOLD_ARTIFACTS", REPO / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    artifact = folder / f"compare-{LAPTOP[0]}x{LAPTOP[1]}.png"
    shutil.copyfile(shot, artifact)
    print(f"screenshot: {artifact}")

    data = artifact.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == LAPTOP
    assert len(data) > NOT_BLANK, f"{len(data)} bytes: the page looks blank"
