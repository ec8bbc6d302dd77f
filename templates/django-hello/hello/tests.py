"""Tests for app.py; run them with `python app.py test`."""

from django.test import SimpleTestCase

# What every response must carry (the Flask version sends the same).
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


class HelloWorldTests(SimpleTestCase):
    def test_home_says_hello(self):
        # The test client calls the app directly: no server needed.
        response = self.client.get("/")
        self.assertContains(response, "Hello, World!")

    def test_unknown_page_is_not_found(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)

    def test_every_response_sends_the_security_headers(self):
        for path in ("/", "/no-such-page/"):
            response = self.client.get(path)
            for name, value in SECURITY_HEADERS.items():
                self.assertEqual(response[name], value, (path, name))

    def test_an_unknown_host_is_refused(self):
        response = self.client.get("/", headers={"host": "evil.example"})
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("evil.example", response.get("Location", ""))
