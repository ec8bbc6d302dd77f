"""Hostile input against both to-do apps, on SQLite and PostgreSQL, with and
without accounts: files, JSON and NUL characters where text is expected,
bodies over the limit, other methods on static files, saved session cookies
replayed after log-out, look-alike usernames, bursts of failed log-ins and
forwarding headers. Every answer is a 4xx with the site's page or the form's
message, never a 500 (issue 21; docs/security-accessibility.md).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from scaffold import boot, find_project, generate
from scaffold.generation.catalog import FRAMEWORKS, project_name

from .conftest import DATABASES, TIMEOUT, Browser, Page, TodoApp, serve_todo
from .test_accounts import PASSWORD, errors, fresh, log_in, raw, sign_up, user

NUL = "Null characters are not allowed."
LIMIT = 2_621_440  # 2.5 MB: Django's DATA_UPLOAD_MAX_MEMORY_SIZE, in both apps
# The proxy switch of each framework (docs/security-accessibility.md).
BEHIND_PROXY = {"BEHIND_PROXY": "1"}
A_FILE = ("hostname", b"a file, not a title\n", "text/plain")


def post(browser: Browser, page: Page, form: str, **kwargs) -> requests.Response:
    """POST to ``form``'s action with its hidden fields and ``kwargs`` as
    requests takes them (data=..., files=..., json=...)."""
    found = page.one(form)
    url = urljoin(page.response.url, found.get("action") or "")
    data = {**browser.fields(found), **kwargs.pop("data", {})}
    for name in kwargs.get("files", {}):
        data.pop(name, None)  # the file is sent in the text's place
    if "json" in kwargs:
        # A JSON body carries the CSRF token in its header, as scripts send it.
        headers = {"X-CSRFToken": data.get("csrfmiddlewaretoken", "")}
        headers["X-CSRF-Token"] = data.get("csrf_token", "")
        return browser.session.post(
            url, json=kwargs["json"], headers=headers, timeout=TIMEOUT
        )
    return browser.session.post(url, data=data, timeout=TIMEOUT, **kwargs)


def no_todo_was_added(browser: Browser) -> None:
    assert browser.get("/").todos() == []


def test_a_file_json_or_nul_in_place_of_a_title_is_refused(browser: Browser):
    page = browser.get("/")
    for sent in ({"files": {"title": A_FILE}}, {"json": {"title": ["x"]}}):
        response = post(browser, page, "form.new-todo", **sent)
        assert response.status_code in (400, 403), sent  # 403: Django's CSRF
        assert "<h1>" in response.text  # the site's page, not a bare error
    response = post(browser, page, "form.new-todo", data={"title": "a\x00b"})
    assert response.status_code == 400
    assert Page(response).text("form.new-todo .error") == NUL
    no_todo_was_added(browser)
    # The same on the edit page, for a todo that exists.
    page = browser.add("kept")
    edit = browser.get(f"/todos/{page.todo('kept').id}/edit/")
    response = post(browser, edit, "form.edit-todo", files={"title": A_FILE})
    assert response.status_code == 400
    assert errors(Page(response)) == ["Enter a title."]
    response = post(browser, edit, "form.edit-todo", data={"title": "\x00"})
    assert errors(Page(response)) == [NUL]
    # NUL in the fields nobody types: the list and page a form came from.
    response = post(browser, page, "form.toggle-all", data={"filter": "\x00"})
    assert response.status_code == 200 and response.url.endswith("/")
    response = post(browser, page, "form.toggle-all", data={"page": "1\x00"})
    assert response.status_code == 200
    assert browser.get("/?page=%00").status == 404
    assert [t.title for t in browser.get("/").todos()] == ["kept"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "POST"])
def test_other_methods_on_a_static_file_are_405(todo_app: TodoApp, method: str):
    response = requests.request(
        method, todo_app.url + "/static/css/style.css", timeout=TIMEOUT
    )
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "<h1>Not allowed</h1>" in response.text  # the site's 405 page


def answer_to_a_body_never_sent(url: str, path: str, content_type: str) -> bytes:
    """Send only the head of a POST announcing a body over the limit, and
    return the server's answer: it must come without the body being read."""
    address = urlsplit(url)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {100 * LIMIT}\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection((address.hostname, address.port), TIMEOUT) as s:
        s.sendall(head.encode() + b"title=")
        answer = b""
        while chunk := s.recv(65536):  # a timeout here: the server waits
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_over_the_limit_is_refused_before_it_is_read(
    todo_app: TodoApp, content_type: str
):
    answer = answer_to_a_body_never_sent(todo_app.url, "/todos/", content_type)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"<h1>Too large</h1>" in answer  # the site's 413 page
    no_todo_was_added(todo_app.browser())


def test_a_long_title_is_never_sent_back_whole(browser: Browser):
    page = browser.get("/")
    response = post(
        browser, page, "form.new-todo", data={"title": "x" * (LIMIT - 1000)}
    )
    assert response.status_code == 400
    assert len(response.content) < 50_000
    value = Page(response).one('form.new-todo input[name="title"]')["value"]
    assert value == "x" * 200


# Accounts: both frameworks, both databases.


@pytest.fixture(scope="module")
def accounts_projects(
    generated: dict[str, Path],
    example_answers: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[tuple[str, str], Path]:
    answers = {**example_answers, "database": "postgresql", "accounts": "yes"}
    dest = tmp_path_factory.mktemp("accounts-postgresql")
    projects = {}
    for framework in FRAMEWORKS:
        name = project_name(framework, "todo", "accounts")
        projects[framework, "sqlite"] = generated[name]
        generate(find_project("todo", framework), dest / name, answers)
        projects[framework, "postgresql"] = dest / name
    return projects


@pytest.fixture(
    scope="module",
    params=[(f, d) for d in DATABASES for f in FRAMEWORKS],
    ids=lambda param: "-".join(param),
)
def accounts_on(
    request: pytest.FixtureRequest, accounts_projects: dict[tuple[str, str], Path]
) -> Iterator[TodoApp]:
    framework, database = request.param
    url = None
    if database == "postgresql":
        postgresql = request.getfixturevalue("scaffold_postgresql")
        url = postgresql.create_database(f"hostile-accounts-{framework}")
    with serve_todo(accounts_projects[request.param], url) as app:
        yield app


def test_a_session_cookie_saved_before_logout_is_refused_after(accounts_on):
    ada = user(accounts_on, fresh("ada-saved"))
    saved = dict(ada.session.cookies)
    ada.submit(ada.get("/"), "form.logout")
    replay = accounts_on.browser()
    replay.session.cookies.update(saved)
    assert raw(replay, "GET", "/accounts/").status_code == 302
    assert raw(replay, "POST", "/todos/", title="after logout").status_code == 302


def test_look_alike_usernames_are_one_name(accounts_on):
    number = fresh("")
    for taken, look_alikes in [
        (f"élodie{number}", [f"Élodie{number}", f"ÉLODIE{number}"]),
        (f"ada{number}", [f"ａｄａ{number}", f"ADA{number}"]),  # noqa: RUF001
        (f"k{number}", [f"\u212a{number}"]),  # the Kelvin sign
    ]:
        user(accounts_on, taken)
        for name in look_alikes:
            _, page = sign_up(accounts_on, name)
            assert page.status == 400, name
            assert errors(page) == ["A user with that username already exists."]


def test_files_and_nul_in_the_account_forms_are_refused(accounts_on):
    name = fresh("ada-files")
    user(accounts_on, name)
    browser = accounts_on.browser()
    signup = browser.get("/accounts/signup/")
    fields = {"username": fresh("grace"), "password1": PASSWORD, "password2": PASSWORD}
    for field in fields:
        files = {field: A_FILE}
        data = {k: v for k, v in fields.items() if k != field}
        response = post(browser, signup, "form.signup", data=data, files=files)
        assert response.status_code == 400, field
        assert "This field is required." in errors(Page(response)), field
        response = post(browser, signup, "form.signup", data={**fields, field: "a\x00"})
        assert response.status_code == 400, field
        assert NUL in errors(Page(response)), field
    login = browser.get("/accounts/login/")
    for field, value in (("username", name), ("password", PASSWORD)):
        other = {"username": name, "password": PASSWORD}
        other.pop(field)
        response = post(browser, login, "form.login", data=other, files={field: A_FILE})
        assert response.status_code == 200 and response.url.endswith("/login/")
        assert "This field is required." in errors(Page(response))
        response = post(
            browser, login, "form.login", data={**other, field: value + "\x00"}
        )
        assert NUL in errors(Page(response)), field
    assert raw(browser, "GET", "/accounts/").status_code == 302  # never logged in


def test_a_burst_of_failed_logins_gets_the_lockout_never_a_500(accounts_on):
    """12 failed log-ins at once for one new username, three times (gunicorn
    runs two workers: on SQLite they share one file)."""
    name = fresh("ada-burst")
    user(accounts_on, name)
    statuses = []
    for _ in range(3):
        browsers = [accounts_on.browser() for _ in range(12)]
        with ThreadPoolExecutor(12) as pool:
            answers = pool.map(lambda b: log_in(b, name, "guess").status_code, browsers)
            statuses += list(answers)
    assert set(statuses) <= {200, 429}, statuses
    assert log_in(accounts_on.browser(), name).status_code == 429


def test_forwarding_headers_neither_move_nor_lift_a_lockout(accounts_on):
    name = fresh("ada-spoof")
    user(accounts_on, name)
    browser = accounts_on.browser()
    for n in range(5):
        headers = {"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"203.0.113.{n}"}
        browser.session.headers.update(headers)
        log_in(browser, name, "guess")
    assert log_in(browser, name).status_code == 429


class ProxiedApp(TodoApp):
    """The app as behind an HTTPS proxy: each request says it came over HTTPS
    (X-Forwarded-Proto, as the proxy adds it; without it the app redirects
    to HTTPS) and, as a browser on the site's own pages does, names an HTTPS
    page of the site as its Referer (both CSRF checks want one over HTTPS)."""

    def browser(self) -> Browser:
        browser = super().browser()
        site = self.url.replace("http://", "https://", 1)
        browser.session.headers.update(
            {"X-Forwarded-Proto": "https", "Referer": f"{site}/"}
        )
        return browser


@pytest.fixture(scope="module", params=FRAMEWORKS)
def behind_proxy(
    request: pytest.FixtureRequest, generated: dict[str, Path]
) -> Iterator[TodoApp]:
    project = generated[project_name(request.param, "todo", "accounts")]
    with boot(project, env=BEHIND_PROXY) as server:
        yield ProxiedApp(server)


def test_behind_a_proxy_lockouts_key_on_the_address_it_reports(behind_proxy):
    """The proxy appends the address it saw to X-Forwarded-For; what the
    visitor put before it counts for nothing."""
    name = fresh("ada-proxy")
    user(behind_proxy, name)

    def attempt(forwarded_for: str, password: str = "guess") -> int:
        browser = behind_proxy.browser()
        browser.session.headers["X-Forwarded-For"] = forwarded_for
        return log_in(browser, name, password).status_code

    statuses = [attempt(f"198.51.100.{n}, 203.0.113.7") for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert attempt("203.0.113.7", PASSWORD) == 429  # locked from there
    assert attempt("198.51.100.9, 203.0.113.7", PASSWORD) == 429  # spoof prepended
    assert attempt("203.0.113.8", PASSWORD) == 302  # anyone else logs in
