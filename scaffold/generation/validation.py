"""Check answers with the very rules Copier applies at generation.

A project's .copier-answers.yml can be edited after generation: the harness
reads it back (the slug goes into server command lines, the texts into the
pages to expect), so it validates every recorded answer with the validators of
the root copier.yml, rendered here with the same Jinja filters Copier uses,
before any of it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import FileSystemLoader, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from jinja2_ansible_filters import AnsibleCoreFiltersExtension

from ..errors import ScaffoldError
from .answers import shared_questions
from .catalog import FALSE_WORDS, TRUE_WORDS, copier_config, templates_root


def _questions() -> dict[str, Any]:
    return copier_config()


@cache
def _jinja() -> SandboxedEnvironment:
    # The filters Copier's validators use (regex_search, to_json) come from
    # jinja2-ansible-filters, which Copier loads the same way.
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_root())),
        extensions=[AnsibleCoreFiltersExtension],
    )


def answer_problem(name: str, answers: Mapping[str, Any]) -> str:
    """What is wrong with answer ``name`` (Copier's message), or ""."""
    spec = _questions().get(name)
    value = answers.get(name)
    if name not in answers and isinstance(spec, dict) and "when" in spec:
        return ""  # asked only for some projects: `accounts`, for the to-do
    if not isinstance(value, str):
        return "is missing or not text"
    if not isinstance(spec, dict):
        return ""
    if spec.get("type") == "bool" and value.lower() not in TRUE_WORDS | FALSE_WORDS:
        return "must be true or false"
    choices = spec.get("choices")
    if choices:
        allowed = choices.values() if isinstance(choices, dict) else choices
        if value not in [str(choice) for choice in allowed]:
            return f"must be one of {', '.join(map(str, allowed))}"
    validator = spec.get("validator")
    if not validator:
        return ""
    try:
        return _jinja().from_string(validator).render(dict(answers)).strip()
    except TemplateError as error:
        return f"cannot be checked ({error})"


def check_recorded_answers(answers: Mapping[str, Any], where: str) -> None:
    """Refuse, in one line, recorded answers that generation would refuse."""
    for name in shared_questions():
        if problem := answer_problem(name, answers):
            raise ScaffoldError(
                f"{where}: the recorded answer {name!r} {problem}; regenerate the "
                "project or fix that file"
            )
