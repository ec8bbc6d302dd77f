"""Tests for the website's pages; run them with `pytest`."""

import pytest
from markupsafe import escape

from app import SITE, app

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


def test_home_shows_the_site_name_and_links_to_about(client):
    response = client.get("/")
    assert response.status_code == 200
    # Pages escape text (a name like "<b>" must not become markup), so the
    # test looks for the escaped form.
    assert f"<h1>{escape(SITE['name'])}</h1>" in response.text
    assert 'href="/about/"' in response.text


def test_about_shows_the_author(client):
    response = client.get("/about/")
    assert response.status_code == 200
    assert escape(SITE["author"]) in response.text
    assert 'href="/"' in response.text


def test_stylesheet_is_served(client):
    response = client.get("/static/css/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"


def test_unknown_page_uses_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "/static/css/style.css" in response.text


def test_every_response_sends_the_security_headers(client):
    for path in ("/", "/no-such-page/"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)


def test_an_unknown_host_is_refused(client):
    response = client.get("/about", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")


def test_hsts_over_https_only_and_no_claimed_https(client):
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == (
        "max-age=3600; includeSubDomains"
    )
    assert "Strict-Transport-Security" not in client.get("/").headers
    # Without FLASK_BEHIND_PROXY, a client cannot claim HTTPS itself.
    claimed = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in claimed.headers
