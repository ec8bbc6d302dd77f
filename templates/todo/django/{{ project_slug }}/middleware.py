"""The project's own middleware: code that runs around every view."""

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render

from todos.models import Todo


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


def health_check(get_response):
    """Answer /health/: whether the app is up and can read its database.

    Platforms (render.yaml, fly.toml) and the Docker image's HEALTHCHECK ask
    it every few seconds: 200 {"status": "ok"}, or 503 {"status":
    "unavailable"} when the database cannot be queried, so the platform stops
    sending visitors.

    It comes before CommonMiddleware, which checks the Host against
    ALLOWED_HOSTS: platforms ask by an address of their own. The answer names
    no host and sets no cookie, so that is safe; SECURE_REDIRECT_EXEMPT keeps
    it on plain HTTP.
    """

    def middleware(request):
        if request.path != "/health/":
            return get_response(request)  # every other request, as usual
        try:
            # One row of the todos table: the database answers, and the
            # migrations have created the table.
            Todo.objects.exists()
        except DatabaseError:
            response = JsonResponse({"status": "unavailable"}, status=503)
        else:
            response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"  # always a fresh answer
        return response

    return middleware
