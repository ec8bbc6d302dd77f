"""Shared answers: read them from a YAML file and --data KEY=VALUE pairs.

The questions themselves (names, defaults, validation rules) are defined once,
in copier.yml; this module only checks that the user's input names
real questions and holds plain values, then Copier does the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import ScaffoldError
from .catalog import copier_config
from .safe_yaml import read_mapping

# Chosen by the command (APP and --framework), not by the answers file.
SET_BY_COMMAND = frozenset({"framework", "app"})


@cache
def shared_questions() -> tuple[str, ...]:
    """Names of the questions every project shares, in copier.yml order."""
    return tuple(
        name
        for name, spec in copier_config().items()
        if not name.startswith("_")
        and name not in SET_BY_COMMAND
        and not (isinstance(spec, dict) and spec.get("when") is False)
    )


def _check_known(key: str, where: str) -> None:
    if key in SET_BY_COMMAND:
        raise ScaffoldError(
            f"{where}: {key!r} is chosen by the command, not an answer; remove it"
        )
    if key not in shared_questions():
        raise ScaffoldError(
            f"{where}: unknown answer {key!r}; known answers are "
            f"{', '.join(shared_questions())}"
        )


def _as_text(key: str, value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise ScaffoldError(
            f"{where}: {key!r} must be one value, not a list or mapping"
        )
    return str(value)


def read_answers_file(path: Path) -> dict[str, str]:
    """Load an answers file: a YAML mapping of question name to value.

    Values stay exactly as typed (`1.10`, `010` and `yes` are text); see
    safe_yaml for what is refused.
    """
    where = f"answers file {str(path)!r}"
    answers = {}
    for key, value in read_mapping(path, where).items():
        _check_known(key, where)
        answers[key] = _as_text(key, value, where)
    return answers


def parse_data(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``KEY=VALUE`` strings (from --data) into answers."""
    answers = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScaffoldError(f"--data {pair!r} must look like KEY=VALUE")
        key = key.strip()
        _check_known(key, "--data")
        answers[key] = value
    return answers


def collect_answers(answers_file: Path | None, data: Iterable[str]) -> dict[str, str]:
    """The user's answers: the file first, then --data pairs on top."""
    answers = read_answers_file(answers_file) if answers_file else {}
    answers.update(parse_data(data))
    return answers
