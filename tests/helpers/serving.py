"""Serve a generated project under gunicorn in production mode, for a test module.

`scaffold.boot` does the work; this adds what the security and browser tests
need: extra environment variables for one server (e.g. HTTPS behind a proxy)
and a clear failure with the server's log.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest

import scaffold
from scaffold import HarnessFailure, RunningApp


def start(
    stack: ExitStack,
    folder: Path,
    label: str,
    env: dict[str, str] | None = None,
    database_url: str | None = None,
) -> RunningApp:
    """Prepare (migrate) and start the project under gunicorn until ``stack``
    closes; fail the test with the server's log if it does not come up. Its
    data goes to a temporary folder boot() makes (as root, one that the
    unprivileged user running the app can reach)."""
    try:
        return stack.enter_context(
            scaffold.boot(
                folder,
                env=env,
                timeout=60,
                database_url=database_url,
            )
        )
    except HarnessFailure as failure:
        pytest.fail(f"{label}: {failure}\n{failure.log}", pytrace=False)
