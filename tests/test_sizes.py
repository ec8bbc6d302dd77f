"""docs/templates.md's size table: lines of Python per generated file, per
project, as generated from the example answers. The anchors beside it (flaskr,
the Flask tutorial's app; Django's startproject) are written in the doc.

When a template changes, the failure prints the table to paste."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.generation.catalog import PROJECTS

DOC = Path(__file__).resolve().parent.parent / "docs" / "templates.md"
BEGIN = "<!-- sizes: begin (tests/test_sizes.py) -->"
END = "<!-- sizes: end -->"


def size_table(generated: dict[str, Path]) -> str:
    """One row per Python file: project, file, lines (every line, as wc -l)."""
    rows = ["| project | file | lines |", "| --- | --- | ---: |"]
    for project in PROJECTS:
        folder = generated[project.name]
        files = sorted(folder.rglob("*.py"), key=lambda p: p.relative_to(folder))
        total = 0
        for path in files:
            lines = len(path.read_text("utf-8").splitlines())
            total += lines
            rows.append(f"| {project.name} | `{path.relative_to(folder)}` | {lines} |")
        rows.append(f"| **{project.name}** | **all Python** | **{total}** |")
    return "\n".join(rows)


def documented() -> str:
    text = DOC.read_text("utf-8")
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip()


def test_the_size_table_is_true(generated: dict[str, Path]) -> None:
    expected = size_table(generated)
    assert documented() == expected, f"paste into docs/templates.md:\n{expected}"


def test_the_size_check_sees_a_changed_file(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    import shutil

    copy = {name: path for name, path in generated.items()}
    copy["flask-hello"] = shutil.copytree(generated["flask-hello"], tmp_path / "h")
    with (copy["flask-hello"] / "app.py").open("a") as app:
        app.write("\n# one more line\n")
    with pytest.raises(AssertionError):
        assert documented() == size_table(copy)
