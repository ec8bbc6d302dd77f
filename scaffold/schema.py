"""Declared data (harness.yml, project.yml, concepts.yml, notes.yml) read
through pydantic schemas that refuse what they do not know.

A schema is a `Declared` model: unknown keys, missing required keys and wrong
types are refused, and the first problem becomes one line naming the file, the
entry and the key::

    templates/flask-hello/website/harness.yml: page '/about/': unknown key
    'stauts' (did you mean 'status'?)

pydantic earns its place here: it is already installed with Copier, and it
turns a typed class into a validator with precise error locations, which is
all the message needs.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from .errors import ScaffoldError

M = TypeVar("M", bound=BaseModel)


class Declared(BaseModel):
    """A schema for declared data: frozen, and no key beyond its fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def did_you_mean(word: str, known: Collection[str]) -> str:
    """`` (did you mean 'status'?)``, or the known words when none is close."""
    close = difflib.get_close_matches(word, list(known), n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (known: {', '.join(known)})" if known else ""


def one_of(
    kind: str, known: Collection[str] | Callable[[], Collection[str]]
) -> AfterValidator:
    """A validator for a str (typically a mapping's key) that must be in ``known``
    (or in what ``known()`` returns, read when first validated)."""

    def check(value: str) -> str:
        allowed = known() if callable(known) else known
        if value not in allowed:
            raise ValueError(f"unknown {kind} {value!r}{did_you_mean(value, allowed)}")
        return value

    return AfterValidator(check)


# libyaml's loader when PyYAML was built with it: the same documents, parsed
# several times faster than the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error is one line naming the file."""
    try:
        return yaml.load(path.read_text("utf-8"), Loader=SAFE_LOADER)
    except OSError as error:
        raise ScaffoldError(f"cannot read {path} ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise yaml_syntax_error(str(path), error) from None


def yaml_syntax_error(where: str, error: yaml.YAMLError) -> ScaffoldError:
    """The one line for a YAML file that does not parse, with its line."""
    mark = getattr(error, "problem_mark", None)
    at = f" at line {mark.line + 1}" if mark else ""
    return ScaffoldError(f"{where} is not valid YAML{at}; fix its syntax")


def load(
    model: type[M], data: Any, where: str | Path, entries: Mapping[str, str] = {}
) -> M:
    """Validate ``data`` as ``model``, or raise a one-line ScaffoldError.

    ``entries`` names the entries of a list or mapping field for the message,
    e.g. ``{"pages": "page"}`` gives ``page '/about/'`` (a list item is named
    by its ``path``, ``name`` or ``file`` key, else by its number).
    """
    try:
        return model.model_validate(data)
    except ValidationError as error:
        # A misspelt key is also a missing one: name the misspelling first.
        errors = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
        first = errors[0]
        message = _describe(model, data, first, entries)
        raise ScaffoldError(f"{where}: {message}") from None


def load_file(model: type[M], path: Path, entries: Mapping[str, str] = {}) -> M:
    """Read a YAML file and validate it as ``model``."""
    return load(model, read_yaml(path), path, entries)


def _entry_name(item: Any, index: int) -> str:
    if isinstance(item, Mapping):
        for key in ("path", "name", "file"):
            if isinstance(item.get(key), str):
                return repr(item[key])
    return f"#{index + 1}"


def _describe(
    model: type[BaseModel], data: Any, error: Any, entries: Mapping[str, str]
) -> str:
    loc: tuple[Any, ...] = error["loc"]
    kind: str = error["type"]
    parts: list[str] = []
    node: Any = data
    label: str | None = None  # the entries of the container just entered
    for index, step in enumerate(loc):
        last = index == len(loc) - 1
        child = _child(node, step)
        if step == "[key]":
            continue
        if not last and loc[index + 1] == "[key]":  # a wrong key: the message names it
            if label is not None:
                parts.append(repr(loc[index - 1]))  # the mapping it is in
            break
        if label is not None:
            name = _entry_name(child, step) if isinstance(step, int) else repr(step)
            parts.append(f"{label} {name}")
            label = None
        elif isinstance(step, str) and step in entries and not last:
            label = entries[step]
        elif isinstance(step, int):
            parts.append(f"item {_entry_name(child, step)}")
        elif not (last and kind in ("extra_forbidden", "missing")):
            parts.append(repr(step))
        node = child
    key = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        known = _fields(model, loc[:-1])
        parts.append(f"unknown key {key!r}{did_you_mean(str(key), known)}")
    elif kind == "missing":
        parts.append(f"missing required key {key!r}")
    else:
        text = error["msg"].removeprefix("Value error, ")
        if kind != "value_error":
            text = f"{text[:1].lower()}{text[1:]} (got {error['input']!r})"
        parts.append(text)
    return ": ".join(parts)


def _child(node: Any, step: Any) -> Any:
    try:
        return node[step]
    except (KeyError, IndexError, TypeError):
        return None


def _fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model allows at ``loc``, for a did-you-mean suggestion."""
    kind: Any = model
    for step in (*loc, None):
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            if step is None:
                return list(kind.model_fields)
            field = kind.model_fields.get(step)
            if field is None:
                return []
            kind = field.annotation
        elif get_origin(kind) in (list, tuple, dict) and step is not None:
            kind = get_args(kind)[-1 if get_origin(kind) is dict else 0]
        else:
            return []
    return []


def _unwrap(kind: Any) -> Any:
    """X from Annotated[X, ...] and from X | None."""
    while True:
        origin = get_origin(kind)
        if origin is Annotated:
            kind = get_args(kind)[0]
        elif origin in (Union, types.UnionType):
            kind = next(arg for arg in get_args(kind) if arg is not type(None))
        else:
            return kind
