"""The suite can fail: each broken copy of an app fails the test meant for it.

A copy of a generated project gets one bug; the acceptance test covering that
point of the spec must fail against it, and a test of another point must
still pass (the bug is the reason, not a broken setup).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from . import test_todo
from .conftest import Browser, serve_todo

SLUG = "ada_notebook"  # from examples/answers.yml


def get_405(browser: Browser) -> None:
    test_todo.test_get_on_a_form_url_is_405(browser, "/todos/toggle-all/")


BUGS = [
    pytest.param(
        "flask-todo",
        f"{SLUG}/todos/templates/todos/index.html",
        """item{{ "s" if active != 1 }} left""",
        "items left",
        test_todo.test_counter_counts_active_todos,
        id="flask: counter always plural",
    ),
    pytest.param(
        "flask-todo",
        f"{SLUG}/todos/forms.py",
        "filters=[strip],",
        "",
        test_todo.test_add_trims_the_title_and_redirects_back_to_the_list,
        id="flask: title not trimmed",
    ),
    pytest.param(
        "flask-todo",
        f"{SLUG}/__init__.py",
        "csrf.init_app(app)",
        "app.config.update(WTF_CSRF_ENABLED=False); csrf.init_app(app)",
        test_todo.test_a_post_without_the_csrf_token_is_refused,
        id="flask: no CSRF check",
    ),
    pytest.param(
        "django-todo",
        "todos/templates/todos/index.html",
        "{{ todo.title }}",
        "{{ todo.title|safe }}",
        test_todo.test_titles_show_literally,
        id="django: title not escaped",
    ),
    pytest.param(
        "django-todo",
        "todos/views.py",
        "@require_POST\ndef toggle_all",
        "def toggle_all",
        get_405,
        id="django: toggle-all answers GET",
    ),
    pytest.param(
        "django-todo",
        "todos/views.py",
        'return redirect(f"todos:{posted_filter(request)}")',
        'return redirect("todos:all")',
        test_todo.test_a_change_returns_to_the_list_it_was_made_on,
        id="django: always back to All",
    ),
]


@pytest.mark.parametrize(("project", "path", "old", "new", "test"), BUGS)
def test_a_bug_fails_its_acceptance_test(
    generated: dict[str, Path],
    tmp_path: Path,
    project: str,
    path: str,
    old: str,
    new: str,
    test: Callable[[Browser], None],
):
    folder = tmp_path / project
    shutil.copytree(generated[project], folder)
    source = folder / path
    text = source.read_text("utf-8")
    assert old in text, f"the bug no longer applies to {path}; update it"
    source.write_text(text.replace(old, new), "utf-8")

    with serve_todo(folder) as app:
        test_todo.test_delete_removes_one_todo(app.browser())  # the app still works
        with pytest.raises(AssertionError):
            test(app.browser())
