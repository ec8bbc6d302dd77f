"""Read a small YAML file of answers exactly as the user typed it.

PyYAML's usual loaders guess types: `version: 1.10` becomes the float 1.1,
`010` the integer 8, `yes` the boolean True, and `!!binary` or `!!set` build
Python objects. Answers are text, so this loader keeps every scalar as the
string that was typed (PyYAML's BaseLoader resolves no types), refuses tags
and duplicate keys, and limits how deep and how large a file may be, so a
hostile file gets one clear line instead of a traceback or a hang.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from ..errors import ScaffoldError
from ..schema import yaml_syntax_error

# Answers are a handful of lines of at most 200 characters; a recorded
# .copier-answers.yml is about as small. Anything bigger is not an answers file.
MAX_BYTES = 64 * 1024
MAX_DEPTH = 20


class _Refused(Exception):
    """Raised while loading; turned into a ScaffoldError naming the file."""


class StrictTextLoader(yaml.BaseLoader):
    """BaseLoader (every scalar a str) that refuses tags, duplicates, depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(
                    f"is nested more than {MAX_DEPTH} levels deep at line "
                    f"{mark.line + 1}; answers are plain 'question: answer' lines"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # Only the tags a plain scalar, list or mapping get by default.
        if node.tag not in {
            yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
            yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
            yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
        }:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(
                f"uses the tag {tag!r} at line {node.start_mark.line + 1}; "
                "write answers as plain text (quote it if needed)"
            )
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, _ in node.value:
                line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Refused(f"has a key that is not plain text at line {line}")
                if key_node.value in seen:
                    raise _Refused(
                        f"gives {key_node.value!r} twice, at lines "
                        f"{seen[key_node.value]} and {line}; keep one"
                    )
                seen[key_node.value] = line
        return super().construct_mapping(node, deep)


def load_text(text: str, where: str) -> Any:
    """Parse YAML text; every scalar comes back as the string typed."""
    try:
        return yaml.load(text, Loader=StrictTextLoader)  # BaseLoader: text only
    except _Refused as problem:
        raise ScaffoldError(f"{where} {problem}") from None
    except yaml.YAMLError as error:
        raise yaml_syntax_error(where, error) from None
    except RecursionError:  # a flow collection nested deeper than MAX_DEPTH
        raise ScaffoldError(
            f"{where} is nested too deep; answers are plain 'question: answer' lines"
        ) from None


def read_text(
    path: Path, where: str, limit: int = MAX_BYTES, kind: str = "a YAML file"
) -> str:
    """A small regular text file's content; refuse anything else in one line.

    Every file scaffold reads from a project (or that a user names) comes
    through here. The kind and size are checked before reading, and again on
    the opened file, which is opened without blocking: /dev/zero, a FIFO, a
    folder or a huge file is refused instead of filling memory or hanging.
    ``kind`` names what was expected, e.g. "a pyproject.toml".
    """
    try:
        _check_kind(os.stat(path), where, limit, kind)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ScaffoldError(f"{where} not found; check the path") from None
    except OSError as error:
        raise ScaffoldError(f"{where} cannot be read: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "rb") as file:
            _check_kind(os.fstat(file.fileno()), where, limit, kind)  # swapped since?
            data = file.read(limit + 1)
        if len(data) > limit:  # it grew since
            raise ScaffoldError(f"{where} is larger than {limit} bytes")
        return data.decode("utf-8-sig")  # tolerate a byte-order mark
    except UnicodeDecodeError:
        raise ScaffoldError(f"{where} is not UTF-8 text; save it as UTF-8") from None
    except OSError as error:
        raise ScaffoldError(f"{where} cannot be read: {error.strerror}") from None


def _check_kind(info: os.stat_result, where: str, limit: int, kind: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ScaffoldError(f"{where} is a folder; give {kind}")
    if not stat.S_ISREG(info.st_mode):
        raise ScaffoldError(f"{where} is not a regular file; give {kind}")
    if info.st_size > limit:
        raise ScaffoldError(
            f"{where} is {info.st_size} bytes, more than {kind} needs "
            f"(at most {limit}); give the right file"
        )


def read_mapping(path: Path, where: str) -> dict[str, Any]:
    """A small YAML file holding a mapping (or nothing), scalars kept as text."""
    data = load_text(read_text(path, where, kind="a YAML answers file"), where)
    if data is None or data == "":
        return {}
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else "str"
        raise ScaffoldError(
            f"{where} must be a mapping of 'question: answer' lines, not a {kind}"
        )
    return data
