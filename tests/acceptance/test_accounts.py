"""Accounts acceptance: both to-do apps with accounts=yes, over HTTP.

Each framework's app is served once for this module (gunicorn, two workers, a
fresh database); every test signs up users of its own, so tests never share
a list. The rules come from docs/todo-spec.md, "Accounts".
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from scaffold.generation.catalog import FRAMEWORKS, project_name
from scaffold.harness.pages import check_pages

from .conftest import TIMEOUT, Browser, Page, TodoApp, serve_todo

PASSWORD = "correct horse battery"
LOGIN_ERROR = (
    "Please enter a correct username and password. "
    "Note that both fields may be case-sensitive."
)
# The database tables and session cookies each framework uses.
USERS_TABLE = {
    "flask": ("user", "password_hash"),
    "django": ("accounts_user", "password"),
}
HASH_PREFIX = {"flask": "scrypt:", "django": "pbkdf2_sha256$"}
SESSION_COOKIE = {"flask": "session", "django": "sessionid"}
GET_URLS = ["/", "/active/", "/completed/", "/accounts/"]
POST_URLS = ["/todos/", "/todos/toggle-all/", "/todos/clear-completed/"]
TODO_URLS = ["/todos/{id}/toggle/", "/todos/{id}/delete/", "/todos/{id}/edit/"]


@pytest.fixture(scope="module", params=FRAMEWORKS)
def accounts_app(
    request: pytest.FixtureRequest, generated: dict[str, Path]
) -> Iterator[TodoApp]:
    with serve_todo(generated[project_name(request.param, "todo", "accounts")]) as app:
        yield app


@pytest.fixture
def framework(accounts_app: TodoApp) -> str:
    return accounts_app.server.project.entry.framework


NUMBERS = itertools.count()


def fresh(name: str) -> str:
    """A username no other test uses: the apps serve the whole module."""
    return f"{name}-{next(NUMBERS)}"


def errors(page: Page) -> list[str]:
    return [" ".join(p.get_text().split()) for p in page.soup.select("p.error")]


def sign_up(app: TodoApp, username: str, password: str = PASSWORD, **extra: str):
    browser = app.browser()
    page = browser.get("/accounts/signup/")
    fields = {"username": username, "password1": password, "password2": password}
    return browser, browser.submit(page, "form.signup", **{**fields, **extra})


def user(app: TodoApp, username: str) -> Browser:
    browser, page = sign_up(app, username)
    assert page.redirected and page.path == "/", errors(page)
    return browser


def log_in(browser: Browser, username: str, password: str = PASSWORD, next_page=""):
    query = f"?next={requests.utils.quote(next_page, safe='')}" if next_page else ""
    page = browser.get("/accounts/login/" + query)
    form = page.one("form.login")
    data = {**browser.fields(form), "username": username, "password": password}
    return browser.session.post(
        page.response.url, data=data, timeout=TIMEOUT, allow_redirects=False
    )


def raw(browser: Browser, method: str, path: str, **data: str) -> requests.Response:
    """One request, redirects not followed; a POST carries a valid CSRF token."""
    if method == "GET":
        return browser.session.get(
            browser.base_url + path, timeout=TIMEOUT, allow_redirects=False
        )
    token = browser.fields(browser.get("/accounts/login/").one("form.login"))
    return browser.session.post(
        browser.base_url + path,
        data={**token, **data},
        timeout=TIMEOUT,
        allow_redirects=False,
    )


def test_two_users_never_see_or_change_each_others_todos(accounts_app):
    ada = user(accounts_app, "ada-lists")
    ada.add("ada one", "ada two")
    page = ada.on_todo(ada.get("/"), "ada one", "toggle")
    ids = [todo.id for todo in page.todos()]
    before = page.todos()
    grace = user(accounts_app, "grace-lists")
    grace.add("grace one")
    for path in ("/", "/active/", "/completed/"):
        page = grace.get(path)
        assert [t.title for t in page.todos()] == (
            [] if path == "/completed/" else ["grace one"]
        ), path
        assert page.text(".todo-count") == "1 item left"
    for todo_id in ids:
        assert raw(grace, "GET", f"/todos/{todo_id}/edit/").status_code == 404
        for url in TODO_URLS:
            path = url.format(id=todo_id)
            assert raw(grace, "POST", path, title="mine").status_code == 404, path
    for path in ("/todos/toggle-all/", "/todos/clear-completed/"):
        grace.submit(grace.get("/"), f"form[action='{path}']")
        assert ada.get("/").todos() == before, path
    assert grace.get("/").todos() == []  # toggled, then cleared: only hers


def test_anonymous_visitors_are_sent_to_log_in_from_every_url(accounts_app):
    ada = user(accounts_app, "ada-anon")
    ada.add("private")
    todo_id = ada.get("/").todo("private").id
    anonymous = accounts_app.browser()
    gets = [*GET_URLS, f"/todos/{todo_id}/edit/"]
    posts = [*POST_URLS, *(url.format(id=todo_id) for url in TODO_URLS)]
    for method, path in [*(("GET", p) for p in gets), *(("POST", p) for p in posts)]:
        response = raw(anonymous, method, path, title="x", filter="all")
        assert response.status_code == 302, (method, path)
        location = urlsplit(response.headers["Location"])
        assert location.path == "/accounts/login/", (method, path)
        assert parse_qs(location.query)["next"] == [path], (method, path)
    assert [t.title for t in ada.get("/").todos()] == ["private"]


@pytest.mark.parametrize("form", ["signup", "login", "logout"])
def test_sign_up_log_in_and_log_out_need_the_csrf_token(accounts_app, form):
    browser = user(accounts_app, f"ada-csrf-{form}")
    path = {"signup": "/accounts/signup/", "login": "/accounts/login/"}.get(
        form, "/accounts/logout/"
    )
    data = {"username": f"x-{form}", "password": PASSWORD}
    data |= {"password1": PASSWORD, "password2": PASSWORD}
    response = browser.session.post(
        browser.base_url + path, data=data, timeout=TIMEOUT, allow_redirects=False
    )
    assert response.status_code in (400, 403)
    assert browser.get("/").path == "/"  # still logged in as before
    assert "ada-csrf" in browser.get("/accounts/").text(".username")


def test_the_session_changes_at_login(accounts_app, framework):
    user(accounts_app, "ada-session").session.cookies.clear()
    browser = accounts_app.browser()
    browser.get("/accounts/login/")
    before = dict(browser.session.cookies)
    assert log_in(browser, "ada-session").status_code == 302
    after = browser.session.cookies.get(SESSION_COOKIE[framework])
    assert after and after != before.get(SESSION_COOKIE[framework])
    # The cookies from before the log-in are not logged in.
    planted = accounts_app.browser()
    planted.session.cookies.update(before)
    assert raw(planted, "GET", "/").status_code == 302


def test_passwords_are_stored_hashed(accounts_app, framework):
    user(accounts_app, "ada-hash")
    table, column = USERS_TABLE[framework]
    database = next(
        v for k, v in accounts_app.server.plan.env.items() if "DATABASE" in k
    )
    with sqlite3.connect(database) as db:
        (stored,) = db.execute(
            f'SELECT {column} FROM "{table}" WHERE username = ?', ("ada-hash",)
        ).fetchone()
    assert PASSWORD not in stored
    assert stored.startswith(HASH_PREFIX[framework])


@pytest.mark.parametrize(
    ("next_page", "lands_on"),
    [
        ("/active/", "/active/"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example/", "/"),
    ],
)
def test_next_only_ever_points_inside_the_site(accounts_app, next_page, lands_on):
    name = fresh("ada-next")
    user(accounts_app, name)
    response = log_in(accounts_app.browser(), name, next_page=next_page)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", urlsplit(accounts_app.url).netloc)
    assert location.path == lands_on


def test_a_username_is_taken_once_whatever_its_case(accounts_app):
    user(accounts_app, "ada-dup")
    for name in ("ada-dup", "ADA-dup"):
        _, page = sign_up(accounts_app, name)
        assert page.status == 400
        assert errors(page) == ["A user with that username already exists."]


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("Zq1", ["This password is too short. It must contain at least 8 characters."]),
        ("password123", ["This password is too common."]),
        ("86753090123", ["This password is entirely numeric."]),
        ("grace-hopper1", ["The password is too similar to the username."]),
        (
            "1234",
            [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ],
        ),
    ],
)
def test_weak_passwords_are_refused_with_the_same_messages(
    accounts_app, password, messages
):
    _, page = sign_up(accounts_app, "grace-hopper", password)
    assert page.status == 400
    assert errors(page) == messages
    _, page = sign_up(accounts_app, "grace-hopper", PASSWORD, password2="other one")
    assert errors(page) == ["The two password fields didn’t match."]  # noqa: RUF001


def test_the_login_error_never_says_whether_the_user_exists(accounts_app):
    user(accounts_app, "ada-error")
    browser = accounts_app.browser()
    answers = []
    for username in ("ada-error", "nobody-at-all"):
        response = log_in(browser, username, "wrong password")
        page = Page(response)
        answers.append((response.status_code, errors(page)))
    assert answers[0] == answers[1] == (200, [LOGIN_ERROR])


def test_repeated_failed_logins_lock_the_username_out(accounts_app):
    user(accounts_app, "ada-lockout")
    browser = accounts_app.browser()
    statuses = [log_in(browser, "ada-lockout", "guess").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert log_in(browser, "ada-lockout").status_code == 429  # even the right one
    assert log_in(browser, "ada-lockout-else").status_code == 200  # others may try


def test_the_harness_logs_in_and_reports_a_login_that_fails(accounts_app):
    plan = accounts_app.server.plan
    assert plan.login is not None  # declared in harness.yml, made by `prepare`
    outcomes = check_pages(plan, accounts_app.url)
    assert [o.problems for o in outcomes if o.problems] == []
    assert outcomes[0].check == "log in at /accounts/login/"
    fields = {**plan.login.fields, "password": "not the password"}
    wrong = replace(plan, login=replace(plan.login, fields=fields))
    outcomes = check_pages(wrong, accounts_app.url)
    assert outcomes[0].problems == ["expected a redirect after logging in, got 200"]
    # Not logged in, the list sends the harness to the login page instead.
    home = next(o for o in outcomes if o.check == "GET /")
    assert home.problems == ["expected status 200, got 302"]
