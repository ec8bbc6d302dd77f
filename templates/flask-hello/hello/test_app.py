"""Tests for app.py; run them with `pytest`."""

import pytest

from app import app

# What every response must carry (the Django version sends the same).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.fixture
def client():
    # The test client calls the app directly: no server needed.
    return app.test_client()


def test_home_says_hello(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Hello, World!" in response.text


def test_unknown_page_is_not_found(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_every_response_sends_the_security_headers(client):
    for path in ("/", "/no-such-page/"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)


def test_an_unknown_host_is_refused(client):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")
