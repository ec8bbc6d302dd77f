"""Tests for app.py; run them with `pytest`."""

import pytest

from app import app


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
