"""The project's own middleware: code that runs around every view."""

from django.conf import settings
from django.shortcuts import render


def content_security_policy(get_response):
    """Send settings.CONTENT_SECURITY_POLICY with every response.

    Django 5.2 has no setting for this header (Django 6.0 adds SECURE_CSP);
    this is what such middleware does, in a few lines.
    """

    def middleware(request):
        response = get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response

    return middleware


def method_not_allowed_page(get_response):
    """Show a 405 (e.g. require_POST refusing a GET) in the site's layout.

    Django's HttpResponseNotAllowed has an empty body; Django renders
    templates for 400, 403, 404 and 500, not for 405.
    """

    def middleware(request):
        response = get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response

    return middleware
