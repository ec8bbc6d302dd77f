"""The harness's results as a text table and as a JUnit XML file."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from .pages import Outcome
from .run import ProjectReport


def counts(reports: Sequence[ProjectReport]) -> tuple[int, int]:
    """(passed, failed) checks over every project."""
    outcomes = [outcome for report in reports for outcome in report.outcomes]
    failed = sum(not outcome.ok for outcome in outcomes)
    return len(outcomes) - failed, failed


def _row(outcome: Outcome, width: int) -> str:
    result = "ok" if outcome.ok else "FAIL"
    status = "-" if outcome.status is None else str(outcome.status)
    ms = f"{outcome.seconds * 1000:.0f} ms"
    line = f"  {result:<4}  {outcome.check:<{width}}  {status:>6}  {ms:>8}"
    return f"{line}  {outcome.source}".rstrip()


def summary(reports: Sequence[ProjectReport]) -> str:
    """The last line of a report: `N passed, M failed`."""
    passed, failed = counts(reports)
    return f"{passed} passed, {failed} failed"


def image_facts(report: ProjectReport) -> str:
    """`image 152.3 MB, built in 41.2 s`, or "" when no image was built."""
    if report.image_size is None or report.build_seconds is None:
        return ""
    return (
        f"image {report.image_size / 1e6:.1f} MB, built in {report.build_seconds:.1f} s"
    )


def format_report(reports: Sequence[ProjectReport]) -> str:
    """A table per project and page, then the failures in detail."""
    lines: list[str] = []
    for report in reports:
        where = "not ready"
        if report.url:
            where = f"{report.url} (ready in {report.boot_seconds:.2f} s)"
        facts = ", ".join(filter(None, [report.environment, image_facts(report)]))
        lines.append(f"{report.name}: {report.server}, {facts}, {where}")
        if report.note:
            lines.append(f"  note: {report.note}")
        width = max(len(outcome.check) for outcome in report.outcomes)
        lines += [_row(outcome, max(width, 5)) for outcome in report.outcomes]
        lines.append("")
    failing = [report for report in reports if not report.ok]
    if failing:
        lines.append("Failures")
        lines.append("")
    for report in failing:
        for outcome in report.outcomes:
            if not outcome.ok:
                what = outcome.url or outcome.check
                source = f" ({outcome.source})" if outcome.source else ""
                lines.append(f"{report.name}: {what}{source}")
                lines += [f"  {problem}" for problem in outcome.problems]
        if report.log:
            lines.append(f"  server log of {report.name} (last lines):")
            lines.append(textwrap.indent(report.log, "    | "))
        lines.append("")
    return "\n".join(lines)


def write_junit(reports: Sequence[ProjectReport], path: Path) -> None:
    """One <testsuite> per project, one <testcase> per check."""
    passed, failed = counts(reports)
    root = ET.Element(
        "testsuites", name="scaffold", tests=str(passed + failed), failures=str(failed)
    )
    for report in reports:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=report.name,
            tests=str(len(report.outcomes)),
            failures=str(sum(not outcome.ok for outcome in report.outcomes)),
            errors="0",
            time=f"{sum(o.seconds for o in report.outcomes):.3f}",
        )
        if report.image_size is not None and report.build_seconds is not None:
            # JUnit's own place for facts about a suite.
            properties = ET.SubElement(suite, "properties")
            for name, value in (
                ("image_size_bytes", str(report.image_size)),
                ("build_seconds", f"{report.build_seconds:.3f}"),
            ):
                ET.SubElement(properties, "property", name=name, value=value)
        for outcome in report.outcomes:
            name = outcome.check + (f" ({outcome.source})" if outcome.source else "")
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"scaffold.{report.name}.{report.server}",
                name=name,
                time=f"{outcome.seconds:.3f}",
            )
            if not outcome.ok:
                failure = ET.SubElement(
                    case, "failure", message="; ".join(outcome.problems)
                )
                failure.text = "\n".join(
                    [outcome.url, *outcome.problems, "", "server log:", report.log]
                )
        if report.log:
            ET.SubElement(suite, "system-out").text = report.log
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
