"""Tests for app.py; run them with `python app.py test`."""

from django.test import SimpleTestCase


class HelloWorldTests(SimpleTestCase):
    def test_home_says_hello(self):
        # The test client calls the app directly: no server needed.
        response = self.client.get("/")
        self.assertContains(response, "Hello, World!")

    def test_unknown_page_is_not_found(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
