"""Errors as RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457):

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "...", "errors": {"title": ["Enter a title."]}}

sent as application/problem+json, the same in the Flask version.
settings.REST_FRAMEWORK["EXCEPTION_HANDLER"] names problem_details.
"""

from http import HTTPStatus

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler

PROBLEM = "application/problem+json"


def problem_details(exc, context):
    # DRF's own handler picks the status and the headers (Allow on a 405,
    # WWW-Authenticate on a 401); only the body changes shape.
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error (a crash): Django's 500 answers
    title = HTTPStatus(response.status_code).phrase
    body = {"type": "about:blank", "title": title, "status": response.status_code}
    if isinstance(exc, ValidationError):
        body["detail"] = "Some fields were refused; see errors."
        errors = response.data
        body["errors"] = (
            errors if isinstance(errors, dict) else {"non_field_errors": errors}
        )
    elif response.data.get("detail") and response.data["detail"] != title:
        body["detail"] = response.data["detail"]
    response.data = body
    response.content_type = PROBLEM
    return response


class ProblemSerializer(serializers.Serializer):
    """The shape of an error, for /api/openapi.json."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
