"""The project's own middleware: code that runs around every view."""

from django.conf import settings
from django.http import JsonResponse


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


def health_check(get_response):
    """Answer /health/: whether the site is up.

    Platforms (render.yaml, fly.toml) and the Docker image's HEALTHCHECK ask
    it every few seconds.

    It comes before CommonMiddleware, which checks the Host against
    ALLOWED_HOSTS: platforms ask by an address of their own. The answer names
    no host and sets no cookie, so that is safe; SECURE_REDIRECT_EXEMPT keeps
    it on plain HTTP.
    """

    def middleware(request):
        if request.path != "/health/":
            return get_response(request)  # every other request, as usual
        response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"  # always a fresh answer
        return response

    return middleware
