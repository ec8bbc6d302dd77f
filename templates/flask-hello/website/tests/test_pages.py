"""Tests for the website's pages; run them with `pytest`."""

import pytest
from markupsafe import escape

from app import SITE, app


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
