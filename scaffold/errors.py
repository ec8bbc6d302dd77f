"""The errors scaffold raises on purpose; anything else is a bug.

The CLI has one funnel (cli.main): a ScaffoldError becomes one line on stderr,
``scaffold: error: ...``, and its exit code. Set SCAFFOLD_DEBUG=1 to see the
traceback as well.
"""

from __future__ import annotations


class ScaffoldError(Exception):
    """Bad input or a refused operation, shown as one line (no traceback)."""

    exit_code = 1


class UsageError(ScaffoldError):
    """The command line itself is wrong: exit code 2, as for click's own errors."""

    exit_code = 2


class HarnessFailure(ScaffoldError):
    """A generated project could not be booted; ``log`` says what it printed."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log
