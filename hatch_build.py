"""Hatch build hook: the wheel carries the template's history as a git bundle.

See scaffold/generation/template_history.py and docs/updating.md. Editable installs skip
it: they render from the checkout itself.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TemplateHistoryHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        sys.path.insert(0, self.root)
        try:
            from scaffold.generation.template_history import write_bundle
        finally:
            sys.path.remove(self.root)
        self._scratch = Path(tempfile.mkdtemp(prefix="scaffold-wheel-"))
        for path in write_bundle(Path(self.root), self._scratch):
            build_data["force_include"][str(path)] = f"scaffold/{path.name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact: str) -> None:
        if scratch := getattr(self, "_scratch", None):
            shutil.rmtree(scratch, ignore_errors=True)
