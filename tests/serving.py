"""Serve a generated project under gunicorn in production mode, for a test module.

The harness does the work (its plan, `serve`, `Servers`); this adds what the
security and browser tests need: extra environment variables for one server
(e.g. HTTPS behind a proxy) and a clear failure with the server's log.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scaffold.checks import Plan, ServerCommand, load_plan
from scaffold.environments import current_environment
from scaffold.harness import serve
from scaffold.servers import Server, ServerFailed, Servers


def production_plan(
    folder: Path, data_dir: Path, label: str, env: dict[str, str] | None = None
) -> Plan:
    """The project's plan, its gunicorn server given ``env`` on top."""
    plan = load_plan(folder, data_dir)
    gunicorn = plan.servers["gunicorn"]
    served = ServerCommand(gunicorn.command, {**gunicorn.env, **(env or {})})
    return replace(plan, servers={**plan.servers, "gunicorn": served}, label=label)


def start(
    servers: Servers,
    folder: Path,
    data_dir: Path,
    label: str,
    env: dict[str, str] | None = None,
) -> Server:
    """Prepare (migrate) and start the project under gunicorn; fail the test
    with the server's log if it does not come up."""
    plan = production_plan(folder, data_dir, label, env)
    try:
        return serve(plan, servers, "gunicorn", current_environment(plan.dependencies))
    except ServerFailed as failure:
        pytest.fail(f"{label}: {failure}\n{failure.log}", pytrace=False)
