"""The project's own middleware: code that runs around every view."""

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render

from todos.models import Todo


def body_size_limit(get_response):
    """Answer a request whose body is over settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    with 413, in the site's layout, before anything reads it.

    Django itself refuses only form data over the limit (with a 400), and
    stores an uploaded file of any size in a temporary file.
    """

    def middleware(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return render(request, "413.html", status=413)
        return get_response(request)

    return middleware


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
        # WhiteNoise's 405 (a PUT on a static file) streams: it has no .content.
        empty = response.streaming or not response.content
        if response.status_code == 405 and empty:
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
