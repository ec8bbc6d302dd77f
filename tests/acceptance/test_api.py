"""The to-do's JSON API (answer `api: yes`), both apps over HTTP.

One contract, docs/todo-api.yaml, and one suite: every operation and error
of it, pagination, tokens and two users' isolation (with accounts), the
pages and the API seeing the same todos, many clients at once. Both apps
run under gunicorn (two workers) on SQLite and PostgreSQL, with and without
accounts: each combination is served once for this module, and every test
works on a list of its own (a new user, or the one list emptied first).
The contract itself is checked two ways: each app's /api/openapi.json
against it (openapi_shape.py), and schemathesis against both servers.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from scaffold import find_project, generate
from scaffold.generation.catalog import FRAMEWORKS

from .conftest import DATABASES, TIMEOUT, Browser, TodoApp, fresh_database, serve_todo
from .openapi_shape import differences, shape, without_accounts

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "docs" / "todo-api.yaml"
PASSWORD = "correct horse battery"
PROBLEM = "application/problem+json"
# (framework, database, accounts) for every app this module serves.
COMBINATIONS = [
    (framework, database, accounts)
    for accounts in (False, True)
    for database in DATABASES
    for framework in FRAMEWORKS
]


def combination_id(combination: tuple[str, str, bool]) -> str:
    framework, database, accounts = combination
    return f"{framework}-{database}-{'accounts' if accounts else 'open'}"


@pytest.fixture(scope="session")
def api_project(
    example_answers: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, str, bool], Path]:
    """api_project(framework, database, accounts): the to-do with api=yes,
    generated once per session when first asked for."""
    made: dict[tuple[str, str, bool], Path] = {}

    def get(framework: str, database: str, accounts: bool) -> Path:
        key = (framework, database, accounts)
        if key not in made:
            folder = tmp_path_factory.mktemp("api") / combination_id(key)
            answers = {**example_answers, "database": database, "accounts": accounts}
            generate(find_project("todo", framework), folder, {**answers, "api": True})
            made[key] = folder
        return made[key]

    return get


@dataclass
class ApiApp:
    app: TodoApp
    framework: str
    database: str
    accounts: bool

    @property
    def url(self) -> str:
        return self.app.url


@pytest.fixture(scope="module", params=COMBINATIONS, ids=combination_id)
def api_app(
    request: pytest.FixtureRequest, api_project: Callable[[str, str, bool], Path]
) -> Iterator[ApiApp]:
    framework, database, accounts = request.param
    folder = api_project(framework, database, accounts)
    with serve_todo(folder, fresh_database(request, database)) as app:
        yield ApiApp(app, framework, database, accounts)


class Api:
    """A client of the API: JSON in, JSON out, the user's token if given."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.base_url + path
        return self.session.request(method, url, timeout=TIMEOUT, **kwargs)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: Any = None) -> requests.Response:
        # Always JSON, even empty: the API refuses a POST that is not.
        return self.call("POST", path, json={} if body is None else body)

    def patch(self, path: str, body: Any) -> requests.Response:
        return self.call("PATCH", path, json=body)

    def delete(self, path: str) -> requests.Response:
        return self.call("DELETE", path)

    def add(self, *titles: str) -> list[dict]:
        todos = []
        for title in titles:
            response = self.post("/api/todos/", {"title": title})
            assert response.status_code == 201, response.text
            todos.append(response.json())
        return todos

    def every_todo(self, **params: Any) -> list[dict]:
        """Every todo of a list, following its next links."""
        page = ok(self.get("/api/todos/", **params))
        todos = page["results"]
        while page["next"]:
            page = ok(self.get(page["next"]))
            todos += page["results"]
        return todos

    def empty(self) -> None:
        """Delete every todo: complete them all (twice if all were), clear."""
        if ok(self.post("/api/todos/toggle-all/"))["active"]:
            ok(self.post("/api/todos/toggle-all/"))
        assert ok(self.post("/api/todos/clear-completed/")) == {"total": 0, "active": 0}


def ok(response: requests.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def problem(response: requests.Response, status: int) -> dict:
    """The RFC 9457 body of an error, checked: its type, title and status."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"] == PROBLEM, response.headers
    body = response.json()
    assert body["type"] == "about:blank"
    assert (body["status"], body["title"]) == (status, HTTPStatus(status).phrase)
    return body


NUMBERS = itertools.count()


def sign_up(app: ApiApp, name: str) -> Browser:
    """A new user, signed up and logged in on the pages."""
    browser = app.app.browser()
    username = f"{name}-{next(NUMBERS)}"
    page = browser.get("/accounts/signup/")
    fields = {"username": username, "password1": PASSWORD, "password2": PASSWORD}
    page = browser.submit(page, "form.signup", **fields)
    assert page.redirected and page.path == "/", page.html
    return browser


def make_token(browser: Browser) -> str:
    """A token made on the account page, as a user would."""
    page = browser.submit(browser.get("/accounts/"), "form.make-token")
    assert page.status == 200
    return page.text("code.token")


def client(app: ApiApp, name: str = "ada") -> Api:
    """An API client with a list of its own: a new user's token, or (without
    accounts) the one list, emptied."""
    if app.accounts:
        return Api(app.url, make_token(sign_up(app, name)))
    api = Api(app.url)
    api.empty()
    return api


@pytest.fixture
def api(api_app: ApiApp) -> Api:
    return client(api_app)


# Every operation of the contract, and its errors.


def test_create_trims_the_title_and_answers_the_todo(api: Api):
    todo = ok(api.post("/api/todos/", {"title": "  Buy milk  "}), 201)
    assert set(todo) == {"id", "title", "completed"}
    assert todo["title"] == "Buy milk" and todo["completed"] is False
    assert ok(api.get(f"/api/todos/{todo['id']}/")) == todo
    done = ok(api.post("/api/todos/", {"title": "Done", "completed": True}), 201)
    assert done["completed"] is True


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "   "}, {"title": "x" * 201}, {"title": None}],
    ids=["missing", "empty", "spaces", "201 characters", "null"],
)
def test_a_bad_title_is_400_with_the_field_named(api: Api, body: dict):
    response = api.post("/api/todos/", body)
    errors = problem(response, 400)["errors"]
    assert errors["title"] and all(isinstance(m, str) for m in errors["title"])
    assert ok(api.get("/api/todos/"))["total"] == 0  # nothing stored


def test_the_forms_messages_and_limit_are_the_apis(api: Api):
    assert problem(api.post("/api/todos/", {"title": " "}), 400)["errors"] == {
        "title": ["Enter a title."]
    }
    too_long = api.post("/api/todos/", {"title": "x" * 201})
    assert problem(too_long, 400)["errors"] == {
        "title": ["Keep the title to 200 characters or fewer."]
    }
    assert ok(api.post("/api/todos/", {"title": "é" * 200}), 201)["title"] == "é" * 200


def test_patch_changes_title_completed_or_both(api: Api):
    (todo,) = api.add("Draft")
    path = f"/api/todos/{todo['id']}/"
    assert ok(api.patch(path, {"completed": True}))["completed"] is True
    assert ok(api.patch(path, {"title": " Final "}))["title"] == "Final"
    both = ok(api.patch(path, {"title": "Both", "completed": False}))
    assert both == {"id": todo["id"], "title": "Both", "completed": False}
    assert ok(api.patch(path, {})) == both  # nothing asked, nothing changed
    problem(api.patch(path, {"title": ""}), 400)
    assert ok(api.get(path)) == both


def test_delete_removes_one_todo_and_its_id_is_then_404(api: Api):
    first, second = api.add("one", "two")
    response = api.delete(f"/api/todos/{first['id']}/")
    assert response.status_code == 204 and response.content == b""
    assert api.every_todo() == [second]
    for method in ("GET", "PATCH", "DELETE"):
        call = api.call(method, f"/api/todos/{first['id']}/", json={"title": "x"})
        problem(call, 404)


@pytest.mark.parametrize("todo_id", ["999999", "2147483648", str(2**70), "abc", "-1"])
def test_an_unknown_id_is_404(api: Api, todo_id: str):
    problem(api.get(f"/api/todos/{todo_id}/"), 404)


def test_a_wrong_method_is_405_with_allow(api: Api):
    (todo,) = api.add("x")
    for path, allowed in [
        ("/api/todos/", {"GET", "POST"}),
        (f"/api/todos/{todo['id']}/", {"GET", "PATCH", "DELETE"}),
        ("/api/todos/toggle-all/", {"POST"}),
    ]:
        response = api.call("PUT", path, json={"title": "x"})
        problem(response, 405)
        assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize(
    "send",
    [
        {"data": {"title": "form"}},  # what an HTML form sends
        {"data": '{"title": "x"}', "headers": {"Content-Type": "text/plain"}},
        {},  # no body, no Content-Type: a cross-site fetch()
    ],
    ids=["form", "text/plain", "no content type"],
)
def test_a_body_that_is_not_json_is_415(api: Api, send: dict):
    (todo,) = api.add("kept")
    for method, path in [
        ("POST", "/api/todos/"),
        ("PATCH", f"/api/todos/{todo['id']}/"),
        ("POST", "/api/todos/toggle-all/"),
        ("POST", "/api/todos/clear-completed/"),
    ]:
        problem(api.call(method, path, **send), 415)
    assert api.every_todo() == [todo]


def test_toggle_all_completes_every_todo_then_reopens_them(api: Api):
    api.add("a", "b", "c")
    ok(api.patch(f"/api/todos/{api.every_todo()[0]['id']}/", {"completed": True}))
    assert ok(api.post("/api/todos/toggle-all/")) == {"total": 3, "active": 0}
    assert all(t["completed"] for t in api.every_todo())
    assert ok(api.post("/api/todos/toggle-all/")) == {"total": 3, "active": 3}


def test_clear_completed_deletes_only_completed_todos(api: Api):
    a, b, c = api.add("a", "b", "c")
    ok(api.patch(f"/api/todos/{b['id']}/", {"completed": True}))
    assert ok(api.post("/api/todos/clear-completed/")) == {"total": 2, "active": 2}
    assert api.every_todo() == [a, c]


# The list: filters, counts, pages.


def test_filters_and_counts(api: Api):
    todos = api.add(*(f"todo {n}" for n in range(5)))
    for todo in todos[:2]:
        ok(api.patch(f"/api/todos/{todo['id']}/", {"completed": True}))
    for name, expected in [("all", 5), ("active", 3), ("completed", 2)]:
        page = ok(api.get("/api/todos/", filter=name))
        assert (page["count"], page["total"], page["active"]) == (expected, 5, 3)
        shown = [t["id"] for t in page["results"]]
        if name == "all":
            assert shown == [t["id"] for t in todos]
        else:
            assert shown == [
                t["id"] for t in todos if (t in todos[:2]) == (name == "completed")
            ]
    problem(api.get("/api/todos/", filter="done"), 400)


def test_pages_of_a_list_link_to_each_other(api: Api):
    titles = [f"todo {n}" for n in range(7)]
    api.add(*titles)
    first = ok(api.get("/api/todos/", page_size=3))
    assert [t["title"] for t in first["results"]] == titles[:3]
    assert first["count"] == 7 and first["previous"] is None
    next_url = urlsplit(first["next"])
    assert next_url.path == "/api/todos/"
    assert parse_qs(next_url.query) == {"page": ["2"], "page_size": ["3"]}
    last = ok(api.get("/api/todos/", page=3, page_size=3))
    assert [t["title"] for t in last["results"]] == titles[6:]
    assert last["next"] is None
    back = ok(api.get(last["previous"]))
    assert [t["title"] for t in back["results"]] == titles[3:6]
    page_one = urlsplit(back["previous"])  # page 1: no page parameter
    assert parse_qs(page_one.query) == {"page_size": ["3"]}
    assert [t["title"] for t in api.every_todo(page_size=2)] == titles
    assert len(ok(api.get("/api/todos/"))["results"]) == 7  # 50 a page


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page": 4, "page_size": 3}, 404),  # past the last page
        ({"page": 2}, 404),
        ({"page": 0}, 400),
        ({"page": "two"}, 400),
        ({"page_size": 0}, 400),
        ({"page_size": 101}, 400),
        ({"page": 2**40}, 400),
    ],
)
def test_a_page_that_is_not_a_page(api: Api, params: dict, status: int):
    api.add(*(f"todo {n}" for n in range(7)))
    body = problem(api.get("/api/todos/", **params), status)
    if status == 400:
        assert set(body["errors"]) <= {"page", "page_size"}


def test_an_empty_list_has_page_one(api: Api):
    page = ok(api.get("/api/todos/"))
    assert page == {
        "count": 0,
        "total": 0,
        "active": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


# The pages and the API: one list.


def test_the_pages_and_the_api_see_the_same_todos(api_app: ApiApp):
    if api_app.accounts:
        browser = sign_up(api_app, "both")
        api = Api(api_app.url, make_token(browser))
    else:
        api = client(api_app)
        browser = api_app.app.browser()
    browser.add("from the page")
    api.add("from the API")
    page = browser.on_todo(browser.get("/"), "from the API", "toggle")
    assert [(t.title, t.completed) for t in page.todos()] == [
        ("from the page", False),
        ("from the API", True),
    ]
    api_todos = api.every_todo()
    assert [(t["title"], t["completed"]) for t in api_todos] == [
        ("from the page", False),
        ("from the API", True),
    ]
    assert [str(t["id"]) for t in api_todos] == [t.id for t in page.todos()]


# Tokens and owners (accounts only).


@pytest.fixture
def accounts_api_app(api_app: ApiApp) -> ApiApp:
    if not api_app.accounts:
        pytest.skip("without accounts the API is open, like the pages")
    return api_app


def test_without_a_good_token_every_operation_is_401(accounts_api_app: ApiApp):
    app = accounts_api_app
    owner = client(app)
    (todo,) = owner.add("private")
    operations = [
        ("GET", "/api/todos/"),
        ("POST", "/api/todos/"),
        ("GET", f"/api/todos/{todo['id']}/"),
        ("PATCH", f"/api/todos/{todo['id']}/"),
        ("DELETE", f"/api/todos/{todo['id']}/"),
        ("POST", "/api/todos/toggle-all/"),
        ("POST", "/api/todos/clear-completed/"),
    ]
    browser = sign_up(app, "cookie")  # logged in on the pages: not enough
    callers = {
        "no token": Api(app.url),
        "wrong token": Api(app.url, "not-a-token"),
        "session cookie": Api(app.url),
    }
    callers["session cookie"].session.cookies = browser.session.cookies
    for name, caller in callers.items():
        for method, path in operations:
            response = caller.call(method, path, json={"title": "x"})
            problem(response, 401)
            challenge = response.headers.get("WWW-Authenticate", "")
            assert challenge.startswith("Bearer"), (name, method, path)
    assert owner.every_todo() == [todo]


def test_a_revoked_or_replaced_token_no_longer_works(accounts_api_app: ApiApp):
    browser = sign_up(accounts_api_app, "revoker")
    first = make_token(browser)
    ok(Api(accounts_api_app.url, first).get("/api/todos/"))
    second = make_token(browser)  # a new token replaces the first
    problem(Api(accounts_api_app.url, first).get("/api/todos/"), 401)
    ok(Api(accounts_api_app.url, second).get("/api/todos/"))
    page = browser.get("/accounts/")
    assert "You have a token" in page.text("section.api-token")
    page = browser.submit(page, "form.revoke-token")
    assert page.path == "/accounts/" and "no token" in page.text("section.api-token")
    problem(Api(accounts_api_app.url, second).get("/api/todos/"), 401)


def test_tokens_are_stored_hashed(accounts_api_app: ApiApp):
    token = make_token(sign_up(accounts_api_app, "hashed"))
    if accounts_api_app.database != "sqlite":
        pytest.skip("one database is enough to read the table")
    data = accounts_api_app.app.server.plan.data_dir
    (database,) = data.glob("*.sqlite3")
    with sqlite3.connect(database) as connection:
        table = "api_token" if accounts_api_app.framework == "flask" else "api_apitoken"
        hashes = [row[0] for row in connection.execute(f"SELECT key_hash FROM {table}")]
    assert token not in hashes and all(len(h) == 64 for h in hashes)


def test_two_users_never_see_or_change_each_others_todos(accounts_api_app: ApiApp):
    ada, grace = client(accounts_api_app, "ada"), client(accounts_api_app, "grace")
    ada_todos = ada.add("ada one", "ada two")
    ok(ada.patch(f"/api/todos/{ada_todos[1]['id']}/", {"completed": True}))
    ada_todos = ada.every_todo()
    (grace_todo,) = grace.add("grace one")
    assert grace.every_todo() == [grace_todo]
    page = ok(grace.get("/api/todos/"))
    assert (page["count"], page["total"], page["active"]) == (1, 1, 1)
    for todo in ada_todos:
        path = f"/api/todos/{todo['id']}/"
        problem(grace.get(path), 404)
        problem(grace.patch(path, {"title": "mine"}), 404)
        problem(grace.delete(path), 404)
    assert ok(grace.post("/api/todos/toggle-all/")) == {"total": 1, "active": 0}
    assert ok(grace.post("/api/todos/clear-completed/")) == {"total": 0, "active": 0}
    assert ada.every_todo() == ada_todos


# The contract.


def test_the_contract_is_valid_openapi():
    validate(yaml.safe_load(CONTRACT.read_text("utf-8")))
    broken = yaml.safe_load(CONTRACT.read_text("utf-8"))
    broken["paths"]["/api/todos/"]["get"]["parameters"][0]["in"] = "body"  # 2.0's
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def contract_for(app: ApiApp) -> dict:
    operations = shape(yaml.safe_load(CONTRACT.read_text("utf-8")))
    return operations if app.accounts else without_accounts(operations)


def test_the_served_openapi_is_the_contract(api_app: ApiApp):
    if api_app.database != "sqlite":
        pytest.skip("the description does not depend on the database")
    response = requests.get(api_app.url + "/api/openapi.json", timeout=TIMEOUT)
    assert response.status_code == 200
    served = response.json()  # drf-spectacular: application/vnd.oai.openapi+json
    difference = differences(contract_for(api_app), shape(served))
    assert not difference, f"/api/openapi.json differs from the contract:\n{difference}"


def run_schemathesis(
    app: ApiApp, examples: int, token: str | None
) -> subprocess.CompletedProcess:
    """schemathesis against a server, with the checks the contract can fail."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        str(CONTRACT),
        f"--url={app.url}",
        "--checks=not_a_server_error,status_code_conformance,"
        "content_type_conformance,response_schema_conformance",
        "--phases=examples,coverage,fuzzing",
        "--mode=all",  # and invalid input, which must be refused, never a 500
        f"--max-examples={examples}",
        "--generation-deterministic",
        "--seed=1",
    ]
    # The contract: a POST says it sends JSON, even toggle-all's empty body.
    command.append("--header=Content-Type: application/json")
    if token:
        command.append(f"--header=Authorization: Bearer {token}")
    env = {**os.environ, "NO_COLOR": "1"}
    # In a folder of its own: schemathesis keeps a cache where it runs.
    with tempfile.TemporaryDirectory() as folder:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=900, env=env, cwd=folder
        )


# The full 100 cases an operation where it costs least; fewer on PostgreSQL.
EXAMPLES = {"sqlite": 100, "postgresql": 25}


def test_schemathesis_finds_no_failure(api_app: ApiApp):
    if api_app.database != "sqlite" and api_app.accounts:
        pytest.skip("PostgreSQL is fuzzed without accounts; SQLite both ways")
    token = client(api_app).session.headers.get("Authorization", "")[7:] or None
    result = run_schemathesis(api_app, EXAMPLES[api_app.database], token)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


# Many clients at once.

CLIENTS, CREATES = 8, 50


def test_concurrent_creates_are_all_stored(api_app: ApiApp):
    if api_app.accounts:
        pytest.skip("the open API is enough: the same writes, without tokens")
    client(api_app)  # empty

    def create(number: int) -> list[int]:
        api = Api(api_app.url)
        return [
            api.post("/api/todos/", {"title": f"client {number} todo {n}"}).status_code
            for n in range(CREATES)
        ]

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = [s for result in pool.map(create, range(CLIENTS)) for s in result]
    assert not [s for s in statuses if s >= 500], "no create may fail on the server"
    assert statuses == [201] * CLIENTS * CREATES
    titles = [t["title"] for t in Api(api_app.url).every_todo(page_size=100)]
    assert sorted(titles) == sorted(
        f"client {c} todo {n}" for c in range(CLIENTS) for n in range(CREATES)
    )
    for number in range(CLIENTS):  # each client's todos in the order it made them
        mine = [t for t in titles if t.startswith(f"client {number} ")]
        assert mine == [f"client {number} todo {n}" for n in range(CREATES)]


# Each check can fail: a copy of an app with one bug fails the check meant
# for it, while the app otherwise works.


def broken_copy(folder: Path, tmp_path: Path, path: str, old: str, new: str) -> Path:
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    source = copy / path
    text = source.read_text("utf-8")
    assert old in text, f"the bug no longer applies to {path}; update it"
    source.write_text(text.replace(old, new), "utf-8")
    return copy


def test_an_app_that_drops_a_field_fails_the_contract(api_project, tmp_path):
    folder = broken_copy(
        api_project("flask", "sqlite", False),
        tmp_path,
        "ada_notebook/api/schemas.py",
        "    completed = Boolean(required=True)\n",
        "",
    )
    with serve_todo(folder) as served:
        app = ApiApp(served, "flask", "sqlite", False)
        client(app).add("still works")
        response = requests.get(app.url + "/api/openapi.json", timeout=TIMEOUT)
        difference = differences(contract_for(app), shape(response.json()))
        assert re.search(r'^-\s+"completed": \{', difference, re.MULTILINE)
        result = run_schemathesis(app, 5, None)
        assert result.returncode != 0
        assert "completed" in result.stdout


def test_an_app_that_answers_500_on_a_long_title_fails(api_project, tmp_path, request):
    # No length check in the serializer: PostgreSQL's VARCHAR(200) refuses it.
    folder = broken_copy(
        api_project("django", "postgresql", False),
        tmp_path,
        "api/serializers.py",
        '"error_messages": {',
        '"max_length": None,\n                "error_messages": {',
    )
    with serve_todo(folder, fresh_database(request, "postgresql")) as served:
        app = ApiApp(served, "django", "postgresql", False)
        api = client(app)
        api.add("x" * 200)
        assert api.post("/api/todos/", {"title": "x" * 201}).status_code == 500
        with pytest.raises(AssertionError):
            test_a_bad_title_is_400_with_the_field_named(api, {"title": "x" * 201})
        result = run_schemathesis(app, 25, None)
        assert result.returncode != 0
        assert "Server error" in result.stdout


def test_an_app_that_shows_one_user_anothers_todo_fails(api_project, tmp_path):
    folder = broken_copy(
        api_project("django", "sqlite", True),
        tmp_path,
        "api/views.py",
        "return self.request.user.todos.all()",
        "return self.request.user.todos.model.objects.all()",
    )
    with serve_todo(folder) as served:
        app = ApiApp(served, "django", "sqlite", True)
        client(app).add("still works")
        with pytest.raises(AssertionError):
            test_two_users_never_see_or_change_each_others_todos(app)


# The open API (accounts: no) is not a catalog project, so tests/test_projects.py
# does not run its own tests: they run here, with its migration checks.
OWN_CHECKS = {
    "flask": [
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        ["-m", "flask", "db", "upgrade"],
        ["-m", "flask", "db", "check"],
    ],
    "django": [
        ["manage.py", "test"],
        ["manage.py", "makemigrations", "--check", "--dry-run"],
    ],
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_open_apis_own_tests_pass(api_project, framework: str, tmp_path: Path):
    project = api_project(framework, "sqlite", False)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "DJ"))},
        "FLASK_DATABASE": str(tmp_path / "todo.sqlite3"),
        "DJANGO_DATABASE": str(tmp_path / "todo.sqlite3"),
        # Keys of their own: no development key written into the project.
        "FLASK_SECRET_KEY": "test",
        "DJANGO_SECRET_KEY": "test",
    }
    for command in OWN_CHECKS[framework]:
        done = subprocess.run(
            [sys.executable, *command],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
