"""The project's own middleware: code that runs around every view."""

from django.conf import settings


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
