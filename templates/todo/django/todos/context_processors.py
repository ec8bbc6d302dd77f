"""A context processor adds variables to every template Django renders."""

from django.conf import settings


def site(request):
    return {"site": settings.SITE}
