"""Every point of docs/todo-spec.md, checked against both apps over HTTP."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from .conftest import Browser, TodoApp

LONG = "x" * 201


def test_empty_list_shows_an_invitation_and_nothing_else(browser: Browser):
    page = browser.get("/")
    assert page.status == 200
    assert "add your first todo" in page.text(".empty-state")
    for absent in (".todo-count", ".filters", ".toggle-all", ".clear-completed"):
        assert not page.has(absent), absent
    assert page.todos() == []


def test_add_trims_the_title_and_redirects_back_to_the_list(browser: Browser):
    page = browser.add("  Buy milk  ")
    assert page.redirected, "a saved todo redirects (POST -> redirect -> GET)"
    assert page.response.request.method == "GET"
    assert page.path == "/"
    todo = page.todo("Buy milk")
    assert not todo.completed
    assert not page.has(".empty-state")
    # Reloading the page after the redirect adds nothing.
    assert len(browser.get("/").todos()) == 1


def test_add_keeps_the_order_and_returns_to_the_list_it_came_from(browser: Browser):
    page = browser.add("first", "second", on="/active/")
    assert page.path == "/active/"
    assert [todo.title for todo in page.todos()] == ["first", "second"]


@pytest.mark.parametrize(
    ("title", "error"),
    [
        ("", "Enter a title."),
        ("   ", "Enter a title."),
        (LONG, "Keep the title to 200 characters or fewer."),
    ],
    ids=["empty", "spaces", "201 characters"],
)
def test_a_bad_title_is_refused_with_400_and_the_error(
    browser: Browser, title: str, error: str
):
    page = browser.add(title)
    assert page.status == 400
    assert not page.redirected
    assert page.text("form.new-todo .error") == error
    assert page.todos() == []
    assert browser.get("/").todos() == []


def test_a_refused_title_is_kept_in_the_field(browser: Browser):
    page = browser.add(LONG)
    # Up to the field's maxlength: a longer one is never sent back whole.
    assert page.one('form.new-todo input[name="title"]')["value"] == LONG[:200]


def test_200_characters_is_the_longest_title(browser: Browser):
    page = browser.add("y" * 200)
    assert page.status == 200
    assert page.todo("y" * 200)


def test_toggle_completes_a_todo_then_makes_it_active_again(browser: Browser):
    page = browser.add("walk")
    page = browser.on_todo(page, "walk", "toggle")
    assert page.redirected
    assert page.todo("walk").completed
    page = browser.on_todo(page, "walk", "toggle")
    assert not page.todo("walk").completed


def test_counter_counts_active_todos(browser: Browser):
    page = browser.add("one")
    assert page.text(".todo-count") == "1 item left"
    page = browser.add("two")
    assert page.text(".todo-count") == "2 items left"
    page = browser.on_todo(page, "one", "toggle")
    page = browser.on_todo(page, "two", "toggle")
    assert page.text(".todo-count") == "0 items left"


def test_toggle_all_completes_every_todo_then_makes_all_active(browser: Browser):
    page = browser.add("a", "b", "c")
    page = browser.on_todo(page, "b", "toggle")
    page = browser.submit(page, "form.toggle-all")
    assert page.redirected
    assert all(todo.completed for todo in page.todos())
    page = browser.submit(page, "form.toggle-all")
    assert not any(todo.completed for todo in page.todos())
    assert page.text(".todo-count") == "3 items left"


def test_edit_changes_the_title_with_the_same_rules(browser: Browser):
    page = browser.add("old title")
    link = page.one(f'li.todo[data-id="{page.todo("old title").id}"] a.edit')
    edit = browser.get(link["href"])
    assert edit.status == 200
    assert edit.one('form.edit-todo input[name="title"]')["value"] == "old title"

    refused = browser.submit(edit, "form.edit-todo", title="  ")
    assert refused.status == 400
    assert refused.text("form.edit-todo .error") == "Enter a title."
    refused = browser.submit(edit, "form.edit-todo", title=LONG)
    assert refused.status == 400
    assert "200 characters" in refused.text("form.edit-todo .error")

    page = browser.submit(edit, "form.edit-todo", title="  new title ")
    assert page.redirected
    assert page.path == "/"
    assert [todo.title for todo in page.todos()] == ["new title"]


def test_delete_removes_one_todo(browser: Browser):
    page = browser.add("keep", "drop")
    page = browser.on_todo(page, "drop", "delete")
    assert page.redirected
    assert [todo.title for todo in page.todos()] == ["keep"]


def test_clear_completed_removes_only_completed_todos(browser: Browser):
    page = browser.add("done", "to do")
    assert not page.has("form.clear-completed"), "shown only when one is completed"
    page = browser.on_todo(page, "done", "toggle")
    page = browser.submit(page, "form.clear-completed")
    assert page.redirected
    assert [todo.title for todo in page.todos()] == ["to do"]
    assert not page.has("form.clear-completed")


def test_filters_show_their_todos_and_mark_the_current_one(browser: Browser):
    page = browser.add("active one", "completed one")
    browser.on_todo(page, "completed one", "toggle")
    expected = {
        "/": ["active one", "completed one"],
        "/active/": ["active one"],
        "/completed/": ["completed one"],
    }
    for path, titles in expected.items():
        page = browser.get(path)
        assert [todo.title for todo in page.todos()] == titles, path
        selected = page.one(".filters a.selected")
        assert selected["href"] == path
        assert selected["aria-current"] == "page"
        links = [a["href"] for a in page.soup.select(".filters a")]
        assert links == ["/", "/active/", "/completed/"]
        # The counter counts every active todo, whatever the filter.
        assert page.text(".todo-count") == "1 item left"


def test_a_change_returns_to_the_list_it_was_made_on(browser: Browser):
    browser.add("x")
    page = browser.get("/completed/")
    assert page.todos() == []
    page = browser.submit(page, "form.toggle-all")
    assert page.path == "/completed/"
    assert page.todo("x").completed
    page = browser.on_todo(page, "x", "toggle")
    assert page.path == "/completed/"
    assert page.todos() == []


def test_an_unknown_filter_field_goes_back_to_all(browser: Browser):
    page = browser.add("x")
    form = page.one("form.toggle-all")
    data = {**browser.fields(form), "filter": "//evil.example/"}
    response = browser.session.post(
        page.response.url + "todos/toggle-all/", data=data, allow_redirects=False
    )
    assert response.status_code in (302, 303)
    assert response.headers["Location"] in ("/", f"{browser.base_url}/")


def test_titles_show_literally(browser: Browser):
    title = """<script>alert("x")</script> & 'quotes' "double" {{ 7 * 7 }}"""
    page = browser.add(title)
    assert page.todo(title).title == title
    assert '<script>alert("x")' not in page.html


def test_a_post_without_the_csrf_token_is_refused(browser: Browser):
    page = browser.add("x")
    fields = browser.fields(page.one("form.new-todo"))
    token = next(name for name in fields if "csrf" in name)
    for data in (
        {"title": "no token", "filter": "all"},
        {"title": "bad token", "filter": "all", token: "forged"},
    ):
        response = browser.session.post(f"{browser.base_url}/todos/", data=data)
        assert response.status_code in (400, 403), data
    # A client that never loaded a page has no CSRF cookie either.
    fresh = requests.post(f"{browser.base_url}/todos/", data=fields, timeout=10)
    assert fresh.status_code in (400, 403)
    assert [todo.title for todo in browser.get("/").todos()] == ["x"]


@pytest.mark.parametrize(
    "path",
    [
        "/todos/",
        "/todos/toggle-all/",
        "/todos/clear-completed/",
        "/todos/{id}/toggle/",
        "/todos/{id}/delete/",
    ],
)
def test_get_on_a_form_url_is_405(browser: Browser, path: str):
    todo = browser.add("x").todo("x")
    response = browser.session.get(browser.base_url + path.format(id=todo.id))
    assert response.status_code == 405
    assert browser.get("/").todo("x") == todo


@pytest.mark.parametrize(
    "missing",
    ["next", str(2**31), str(2**63 - 1), str(2**63), "9" * 30],
    ids=["unused id", "past 32-bit", "largest 64-bit id", "2**63", "30 digits"],
)
def test_an_unknown_todo_is_404(todo_app: TodoApp, missing: str):
    # Every id that names no todo, however large, is a plain 404 (a number
    # past 64 bits once overflowed the query: a 500 and a traceback).
    browser = todo_app.browser()
    page = browser.add("x")
    if missing == "next":
        missing = str(int(page.todo("x").id) + 1000)
    assert browser.get(f"/todos/{missing}/edit/").status == 404
    token_fields = browser.fields(page.one("form.toggle-all"))
    for action in ("toggle", "delete", "edit"):
        response = browser.session.post(
            f"{browser.base_url}/todos/{missing}/{action}/",
            data={**token_fields, "title": "y"},
        )
        assert response.status_code == 404, action
    assert "Traceback" not in todo_app.server.log_tail(200)


def test_todos_survive_a_server_restart(todo_app: TodoApp):
    browser = todo_app.browser()
    page = browser.add("remember me", "and me")
    browser.on_todo(page, "and me", "toggle")
    before = browser.get("/").todos()

    todo_app.restart()

    after = todo_app.browser().get("/").todos()
    assert after == before
    assert [todo.completed for todo in after] == [False, True]


def test_the_list_shows_50_todos_a_page_with_links_to_the_others(browser: Browser):
    titles = [f"todo {n}" for n in range(51)]
    page = browser.add(*titles)
    assert [todo.title for todo in page.todos()] == titles[:50]
    assert page.text("nav.pagination .current") == "Page 1 of 2"
    assert not page.has("nav.pagination a.first, nav.pagination a.previous")
    assert page.one("nav.pagination a.next")["href"] == "?page=2"
    assert page.one("nav.pagination a.last")["href"] == "?page=2"
    second = browser.get("/?page=2")
    assert [todo.title for todo in second.todos()] == ["todo 50"]
    assert second.one("nav.pagination a.first")["href"] == "?page=1"
    assert second.one("nav.pagination a.previous")["href"] == "?page=1"
    assert not second.has("nav.pagination a.next, nav.pagination a.last")
    # The counter counts every active todo, not only this page's.
    assert second.text(".todo-count") == "51 items left"
    assert browser.every_todo("/") == page.todos() + second.todos()
    # A list of one page has no page links.
    assert not browser.get("/completed/").has("nav.pagination")

    # A change made on page 2 comes back to page 2 ...
    after = browser.on_todo(second, "todo 50", "toggle")
    assert after.redirected
    assert after.response.url.endswith("/?page=2")
    assert after.todo("todo 50").completed
    # ... or to the last page when page 2 is gone.
    after = browser.on_todo(after, "todo 50", "delete")
    assert urlsplit(after.response.url).query == ""
    assert after.path == "/"
    assert len(after.todos()) == 50
    assert not after.has("nav.pagination")


def test_a_page_number_that_is_not_a_page_is_404(browser: Browser):
    assert browser.get("/?page=1").status == 200  # an empty list has page 1
    browser.add("one")
    for number in ("0", "-1", "2", "two", "1.5", "", "99999999999999999999"):
        assert browser.get(f"/active/?page={number}").status == 404, number
