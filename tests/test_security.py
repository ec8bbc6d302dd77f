"""Every generated app, under gunicorn in production mode, sends the same
security headers and cookie attributes in both frameworks and checks the Host.

Each app is served once for the module (plain HTTP, as the harness serves it);
the websites and to-dos once more as if behind an HTTPS proxy, with the
proxy switch on (BEHIND_PROXY=1, the same name in both frameworks).

Hello World is a lesson, not a starter: like the frameworks' quickstarts it
sets none of this (its README says so and points to the website), so it is
left out here; `scaffold check` still boots it and checks its page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from scaffold.generation.catalog import PROJECTS

from .helpers.serving import start

TIMEOUT = 10
NAMES = [p.name for p in PROJECTS if p.app != "hello"]
TODOS = ["flask-todo", "django-todo"]
CSP = "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# A path each app answers with a redirect to itself: the place where a
# reflected Host would show (Flask adds the slash, Django too).
REDIRECTING = {name: "/about" if "website" in name else "/active" for name in NAMES}
# The page each app serves to anyone: the projects with accounts (the api
# variant too) send a visitor who is not logged in from the list to the
# log-in page.
ACCOUNTS = {p.name for p in PROJECTS if p.answers.get("accounts")}
FIRST_PAGE = {name: "/accounts/login/" if name in ACCOUNTS else "/" for name in NAMES}
# Served as if behind an HTTPS proxy: the proxy switch on, HTTPS required.
BEHIND_PROXY = {
    "BEHIND_PROXY": "1",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "FLASK_SESSION_COOKIE_SECURE": "true",
}
# The websites opt in to HSTS preload; the to-dos keep the default.
PRELOAD = {"DJANGO_SECURE_HSTS_PRELOAD": "1", "FLASK_SECURE_HSTS_PRELOAD": "true"}
FROM_PROXY = {"X-Forwarded-Proto": "https"}
# gunicorn itself believes X-Forwarded-Proto from 127.0.0.1 (its
# forwarded_allow_ips), where these tests' requests come from. Told to trust
# only an address no client has (TEST-NET-1), it treats them as a remote
# client's, and whether HTTPS is believed is up to the app's switch alone.
REMOTE = {"FORWARDED_ALLOW_IPS": "192.0.2.1"}


@pytest.fixture(scope="module")
def servers() -> Iterator[ExitStack]:
    """Every server this module starts, ended when it is done."""
    with ExitStack() as running:
        yield running


@pytest.fixture(scope="module")
def plain(servers: ExitStack, generated: dict[str, Path]) -> dict[str, str]:
    """name -> base URL of every app served over plain HTTP."""
    return {name: start(servers, generated[name], name, REMOTE).url for name in NAMES}


@pytest.fixture(scope="module")
def proxied(servers: ExitStack, generated: dict[str, Path]) -> dict[str, str]:
    """name -> base URL of the websites and to-dos, as behind an HTTPS proxy."""
    urls = {}
    for name in NAMES:
        env = {**REMOTE, **BEHIND_PROXY, **(PRELOAD if "website" in name else {})}
        urls[name] = start(servers, generated[name], f"{name}-https", env).url
    return urls


def get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers=headers, timeout=TIMEOUT, allow_redirects=False)


@pytest.mark.parametrize("header", HEADERS)
@pytest.mark.parametrize("name", NAMES)
def test_every_app_sends_the_header(plain: dict[str, str], name: str, header: str):
    for path in ("/", "/no-such-page/"):
        response = get(plain[name] + path)
        assert response.headers.get(header) == HEADERS[header], (path, header)


def test_the_policy_is_strict():
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in CSP  # no inline script or style


@pytest.mark.parametrize("name", NAMES)
def test_a_foreign_host_is_refused_not_reflected(plain: dict[str, str], name: str):
    response = get(plain[name] + REDIRECTING[name], Host="evil.example")
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")
    # The app's own host still gets its redirect.
    assert get(plain[name] + REDIRECTING[name]).status_code in (301, 308)


@pytest.mark.parametrize("name", NAMES)
def test_a_client_cannot_claim_https_without_the_proxy_switch(
    plain: dict[str, str], name: str
):
    response = get(plain[name] + FIRST_PAGE[name], **FROM_PROXY)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("name", NAMES)
def test_behind_a_proxy_https_gets_hsts_and_http_is_not_trusted(
    proxied: dict[str, str], name: str
):
    response = get(proxied[name] + FIRST_PAGE[name], **FROM_PROXY)
    assert response.status_code == 200
    hsts = response.headers["Strict-Transport-Security"]
    if "website" in name:  # opted in to preload: a year, every subdomain
        assert hsts == "max-age=31536000; includeSubDomains; preload"
    else:  # the default: an hour, no preload
        assert hsts == "max-age=3600; includeSubDomains"
    plain_http = get(proxied[name] + FIRST_PAGE[name])
    assert "Strict-Transport-Security" not in plain_http.headers


@pytest.mark.parametrize("name", NAMES)
def test_behind_a_proxy_http_is_redirected_and_health_still_answers(
    proxied: dict[str, str], name: str
):
    response = get(proxied[name] + FIRST_PAGE[name])
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    # Platforms ask /health/ over plain HTTP, by an address of their own.
    health = get(proxied[name] + "/health/", Host="10.0.0.7:8000")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert health.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in health.headers


@pytest.mark.parametrize("name", TODOS)
def test_the_form_cookie_is_samesite_lax_and_secure_over_https(
    proxied: dict[str, str], plain: dict[str, str], name: str
):
    # Flask keeps the CSRF token in its session cookie, Django in csrftoken.
    cookie_name = "session" if name.startswith("flask") else "csrftoken"
    response = get(proxied[name] + "/", **FROM_PROXY)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{cookie_name}=")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert "samesite=lax" in attributes
    assert "secure" in attributes
    # Over plain HTTP (FLASK_SESSION_COOKIE_SECURE=false,
    # DJANGO_SECURE_SSL_REDIRECT=0) it must not be Secure, or forms break.
    plain_cookie = get(plain[name] + "/").headers["Set-Cookie"].lower()
    assert "samesite=lax" in plain_cookie
    assert "secure" not in plain_cookie


@pytest.mark.parametrize("name", TODOS)
def test_the_list_answers_get_only(plain: dict[str, str], name: str):
    # (Django's CSRF check answers other unsafe methods first, with 403.)
    response = requests.request("TRACE", plain[name] + "/", timeout=TIMEOUT)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("name", TODOS)
def test_error_pages_are_in_the_site_layout(plain: dict[str, str], name: str):
    base = plain[name]
    refused_form = requests.post(f"{base}/todos/", data={"title": "x"}, timeout=10)
    for response, status in (
        (get(f"{base}/todos/"), 405),
        (get(f"{base}/no-such-page/"), 404),
        (refused_form, 400 if name.startswith("flask") else 403),
    ):
        assert response.status_code == status
        assert 'href="/static/css/style.css"' in response.text, status
        assert 'href="/">Go to the list</a>' in response.text, status
    assert "POST" in get(f"{base}/todos/").headers["Allow"]
