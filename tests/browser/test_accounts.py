"""The to-dos with accounts in headless Chromium: every accounts page and
refused form passes axe-core and the Nu HTML Checker, a refused field is tied
to its errors the same way in both frameworks, and a person can sign up, log
in, add a todo and log out with the keyboard only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from .test_todo_flows import press, tab_to, titles
from .tour import Tour, Visit, audit_tests, layout_names, visit_every_app

APPS = ["flask-todo-accounts", "django-todo-accounts"]
PASSWORD = "correct horse 9"
# Each state, and the status both frameworks answer it with.
STATES = {
    "log in": 200,
    "sign up": 200,
    "refused sign-up: weak password": 400,
    "list, logged in": 200,
    "account": 200,
    "logged out": 200,
    "refused sign-up: username taken": 400,
    "refused log-in: wrong password": 200,
    "locked out": 429,
}
PAGES = [f"{app} {state}" for app in APPS for state in STATES]


def signup_fields(username: str, password: str) -> dict[str, str]:
    return {
        "#id_username": username,
        "#id_password1": password,
        "#id_password2": password,
    }


def walk_accounts(tour: Tour, app: str, base: str) -> None:
    page = tour.page
    tour.goto(f"{app} log in", base + "/accounts/login/")
    tour.goto(f"{app} sign up", base + "/accounts/signup/")
    tour.send(f"{app} refused sign-up: weak password", signup_fields("ada", "12345"))
    tour.send(f"{app} list, logged in", signup_fields("ada", PASSWORD))
    tour.goto(f"{app} account", base + "/accounts/")
    tour.record(f"{app} logged out", lambda: page.click("text=Log out"))
    tour.goto(f"{app} sign up", base + "/accounts/signup/")
    tour.send(f"{app} refused sign-up: username taken", signup_fields("ada", PASSWORD))
    tour.goto(f"{app} log in", base + "/accounts/login/")
    wrong = {"#id_username": "ada", "#id_password": "not it"}
    tour.send(f"{app} refused log-in: wrong password", wrong)
    for _ in range(4):  # the fifth failure in a row locks the username out
        tour.send(f"{app} locked out", wrong)
        if tour.visits[f"{app} locked out"].status == 429:
            break


@pytest.fixture(scope="module")
def tour(chromium: Any, served_accounts: dict[str, str]) -> Iterator[dict[str, Visit]]:
    """Every accounts page, visited once: name -> Visit."""
    yield visit_every_app(chromium, served_accounts, walk_accounts)


def test_every_state_was_reached(tour: dict[str, Visit]) -> None:
    assert sorted(tour) == sorted(PAGES)
    statuses = {name: visit.status for name, visit in tour.items()}
    assert statuses == {
        f"{app} {state}": STATES[state] for app in APPS for state in STATES
    }


# axe-core, failed requests, the Nu HTML Checker and the project's name in the
# layout, on every page above.
(
    test_axe_finds_no_violation,
    test_no_request_of_the_page_fails,
    test_vnu_finds_no_html_error,
    test_the_layout_shows_the_project_name,
) = audit_tests(PAGES)


@pytest.fixture
def tab(chromium: Any, served_accounts: dict[str, str], request) -> Iterator[Any]:
    """A fresh tab, nobody logged in, on the app named by the test's param."""
    context = chromium.new_context(base_url=served_accounts[request.param])
    yield context.new_page()
    context.close()


accounts = pytest.mark.parametrize("tab", APPS, indirect=True)


def described_by(page: Any, field: str) -> list[str]:
    """The texts a screen reader reads out for a field, after its label."""
    ids = (page.get_attribute(field, "aria-describedby") or "").split()
    return [" ".join(page.inner_text(f"#{id_}").split()) for id_ in ids]


@accounts
def test_refused_fields_are_announced_with_every_error(tab: Any) -> None:
    tab.goto("/accounts/signup/")
    for field, text in signup_fields("grace", "12345").items():
        tab.fill(field, text)
    with tab.expect_navigation():
        tab.press("#id_password2", "Enter")
    # The field that is wrong says so, and points to its help and its errors.
    assert tab.get_attribute("#id_password2", "aria-invalid") == "true"
    assert described_by(tab, "#id_password2") == [
        "Enter the same password as before, for verification.",
        "This password is too short. It must contain at least 8 characters. "
        "This password is too common. This password is entirely numeric.",
    ]
    # The others are not marked: only their help is read.
    for field in ("#id_username", "#id_password1"):
        assert tab.get_attribute(field, "aria-invalid") is None
        assert len(described_by(tab, field)) == 1


@accounts
def test_sign_up_add_log_out_log_in_with_the_keyboard_only(tab: Any) -> None:
    tab.goto("/")
    assert "/accounts/login/" in tab.url  # the list is for people logged in
    expect(tab.locator("#id_username")).to_be_focused()  # autofocus
    tab_to(tab, "Sign up")
    press(tab, "Enter")
    assert tab.url.endswith("/accounts/signup/")

    # The username field has the focus; Tab goes from field to field.
    expect(tab.locator("#id_username")).to_be_focused()  # autofocus
    tab.keyboard.type("grace")
    tab_to(tab, "id_password1")
    tab.keyboard.type(PASSWORD)
    tab_to(tab, "id_password2")
    tab.keyboard.type(PASSWORD)
    press(tab, "Enter")
    assert tab.inner_text("nav.account a") == "grace"

    # Signed up and logged in: the list, its field focused.
    expect(tab.locator("#id_title")).to_be_focused()  # autofocus
    tab.keyboard.type("Buy milk")
    press(tab, "Enter")
    assert titles(tab) == ["Buy milk"]

    tab_to(tab, "Log out")
    press(tab, "Enter")
    assert tab.url.endswith("/accounts/login/")
    assert "Log in" in tab.inner_text("nav.account")

    # Log in again: the todo is still there, and still grace's.
    expect(tab.locator("#id_username")).to_be_focused()  # autofocus
    tab.keyboard.type("grace")
    tab_to(tab, "id_password")
    tab.keyboard.type(PASSWORD)
    press(tab, "Enter")
    assert titles(tab) == ["Buy milk"]

    tab_to(tab, "Log out")
    press(tab, " ")  # Space presses the button too
    tab.goto("/")
    assert "/accounts/login/" in tab.url
    expect(tab.locator("#id_username")).to_be_focused()  # autofocus, when it lands


def test_the_name_check_catches_the_host_as_the_name() -> None:
    # What Django's LoginView showed before the project gave it its `site`.
    page = (
        "<title>Log in · 127.0.0.1:8000</title><meta name=description content=''>"
        "<a class=site-name href=/>127.0.0.1:8000</a>"
    )
    assert layout_names(page) == ("127.0.0.1:8000", "127.0.0.1:8000", "")
