"""Where scaffold's versioned Copier template comes from, and which version it is.

Installed from a wheel, the template is ``scaffold/template.bundle``: a git
bundle of the template's history with one tag per release (see
template_history.py), and ``template.json`` names the commit the wheel was
built from. In a source checkout it is the checkout itself, uncommitted
changes included (Copier adds them on top of HEAD).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ScaffoldError

if TYPE_CHECKING:
    pass

PACKAGE = Path(__file__).resolve().parent.parent  # the scaffold package
# A release tag as derived by template_history.py; the answers file template
# (templates/_shared/answers.jinja) tells releases apart the same way.
RELEASE_REF = re.compile(r"v[0-9]+(\.[0-9]+)*")


@dataclass(frozen=True)
class TemplateSource:
    """A git template Copier can render: its location and the version it gives."""

    url: str  # the bundle or the checkout, as Copier's _src_path
    ref: str  # git's description of the version, e.g. v0.2.0 or v0.2.0-3-g1a2b3c4

    @property
    def installed(self) -> bool:
        return self.url.endswith(".bundle")

    @property
    def release(self) -> bool:
        """A release (git describes it as its tag, e.g. v0.2.0), not a
        development build (v0.2.0-3-g1a2b3c4, a bare commit, "-dirty")."""
        return RELEASE_REF.fullmatch(self.ref) is not None

    @property
    def label(self) -> str:
        """The version as `scaffold --version` shows it."""
        return self.ref if self.release else f"{self.ref} (development build)"


@cache
def installed_source() -> TemplateSource:
    """The template this scaffold renders new projects from."""
    bundle = PACKAGE / "template.bundle"
    if bundle.is_file():
        about = json.loads((PACKAGE / "template.json").read_text("utf-8"))
        return TemplateSource(str(bundle), about["ref"])
    checkout = PACKAGE.parent
    if (checkout / "copier.yml").is_file():
        try:
            ref = subprocess.run(
                ["git", "describe", "--tags", "--always", "--dirty"],
                cwd=checkout,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            ref = "unversioned"
        return TemplateSource(str(checkout), ref)
    raise ScaffoldError("scaffold's templates are missing; reinstall scaffold")


def config_file() -> Path:
    """copier.yml: every question, read by scaffold to check the user's answers."""
    for path in (PACKAGE / "copier.yml", PACKAGE.parent / "copier.yml"):
        if path.is_file():
            return path
    raise ScaffoldError("scaffold's templates are missing; reinstall scaffold")
