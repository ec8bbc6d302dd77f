"""Errors as RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457):

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "...", "errors": {"title": ["Enter a title."]}}

sent as application/problem+json, the same in the Django version.
"""

from http import HTTPStatus

from apiflask import HTTPError, Schema
from apiflask.fields import Dict, Integer, List, String

PROBLEM = "application/problem+json"


class Problem(Schema):
    """The shape of an error, for /api/openapi.json."""

    type = String(required=True)
    title = String(required=True)
    status = Integer(required=True)
    detail = String()
    errors = Dict(keys=String(), values=List(String()))


def problem(error):
    """APIFlask's error processor: an HTTPError as problem details."""
    title = HTTPStatus(error.status_code).phrase
    body = {"type": "about:blank", "title": title, "status": error.status_code}
    if isinstance(error.detail, dict) and error.detail:
        # Refused input: {"json": {"title": [...]}, "query": {...}}. Each field
        # names its own problems, wherever it was sent.
        body["detail"] = "Some fields were refused; see errors."
        body["errors"] = {
            field: messages
            for fields in error.detail.values()
            for field, messages in fields.items()
        }
    elif error.message != title:
        body["detail"] = error.message
    headers = {**error.headers, "Content-Type": PROBLEM}
    return body, error.status_code, headers


def api_error(error):
    """A Werkzeug HTTPException (no such URL, wrong method, a crash) raised
    under /api/, as problem details; its headers (e.g. Allow) are kept."""
    headers = {k: v for k, v in error.get_headers() if k != "Content-Type"}
    return problem(HTTPError(error.code, headers=headers))
