"""The walkthrough as one self-contained HTML page: Jinja2 for the page,
Pygments for the code, CSS inline, no script and nothing fetched from the network.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import (
    BashLexer,
    DiffLexer,
    HtmlDjangoLexer,
    TextLexer,
    get_lexer_for_filename,
)
from pygments.util import ClassNotFound

from .. import __version__
from ..errors import ScaffoldError
from .excerpts import Excerpt
from .walkthrough import Walkthrough

PYGMENTS_STYLE = "friendly"


def _lexer(path: str) -> Lexer:
    """Python, CSS, YAML... by file name; templates as HTML with tags."""
    if path.endswith(".html"):
        return HtmlDjangoLexer()  # Pygments reads Jinja with the same lexer
    if path.endswith(".flaskenv"):
        return BashLexer()  # KEY=value lines, as a shell reads them
    try:
        return get_lexer_for_filename(path)
    except ClassNotFound:
        return TextLexer()


def code_html(excerpt: Excerpt) -> Markup:
    """Each piece of an excerpt, highlighted, numbered as in its file."""
    lexer = _lexer(excerpt.path)
    return Markup("").join(
        Markup(
            highlight(
                piece.code,
                lexer,
                HtmlFormatter(linenos="inline", linenostart=piece.start),
            )
        )
        for piece in excerpt.pieces
    )


def plain_html(text: str) -> Markup:
    return Markup(highlight(text, TextLexer(), HtmlFormatter()))


def diff_html(diff: str) -> Markup:
    return Markup(highlight(diff, DiffLexer(), HtmlFormatter()))


def note_html(text: str) -> Markup:
    """A note's text, escaped, with `backticks` shown as code."""
    parts = re.split(r"`([^`]+)`", str(text))
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


def render_page(walkthrough: Walkthrough) -> str:
    """The whole page, ready to write to a file and open in any browser."""
    jinja = Environment(
        loader=PackageLoader(__package__, "."),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    jinja.filters.update(note=note_html, diff=diff_html, plain=plain_html)
    jinja.globals.update(code=code_html)
    template = jinja.get_template("walkthrough.html.jinja")
    return template.render(
        walkthrough=walkthrough,
        pygments_css=Markup(
            HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(".highlight")
        ),
        version=__version__,
    )


def write_page(walkthrough: Walkthrough, path: Path) -> None:
    """Write the page whole or not at all: a new file, then a rename."""
    html = render_page(walkthrough)
    partial = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(html, "utf-8")
        partial.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):  # e.g. its folder is a file
            partial.unlink(missing_ok=True)
        raise ScaffoldError(
            f"cannot write {str(path)!r} ({error.strerror}); choose another --out file"
        ) from None
