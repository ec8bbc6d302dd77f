"""Tests for the pages app; run them with `python manage.py test`."""

from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils.html import escape

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


class PagesTests(SimpleTestCase):
    # self.client calls the project directly: no server needed.

    def test_home_shows_the_site_name_and_links_to_about(self):
        response = self.client.get(reverse("home"))
        self.assertTemplateUsed(response, "pages/home.html")
        # Pages escape text (a name like "<b>" must not become markup), so the
        # test looks for the escaped form.
        self.assertContains(response, f"<h1>{escape(settings.SITE['name'])}</h1>")
        self.assertContains(response, f'href="{reverse("about")}"')

    def test_about_shows_the_author(self):
        response = self.client.get(reverse("about"))
        self.assertTemplateUsed(response, "pages/about.html")
        self.assertContains(response, escape(settings.SITE["author"]))
        self.assertContains(response, f'href="{reverse("home")}"')

    def test_stylesheet_is_served(self):
        response = self.client.get("/static/css/style.css")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/css"))

    def test_unknown_page_uses_the_site_layout(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, "/static/css/style.css", status_code=404)

    def test_every_response_sends_the_security_headers(self):
        for path in ("/", "/no-such-page/"):
            response = self.client.get(path)
            for name, value in SECURITY_HEADERS.items():
                self.assertEqual(response[name], value, (path, name))

    def test_an_unknown_host_is_refused(self):
        response = self.client.get("/about", headers={"host": "evil.example"})
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("evil.example", response.get("Location", ""))
