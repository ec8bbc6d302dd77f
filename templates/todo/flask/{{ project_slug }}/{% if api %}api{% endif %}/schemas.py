"""What the API reads and writes, as marshmallow schemas.

APIFlask checks each request against its input schema (400 and the reasons
otherwise), formats each answer with its output schema, and describes both in
/api/openapi.json. https://apiflask.com/schema/

A title is read as the form reads it (todos/forms.py): trimmed, then 1 to
TITLE_MAX_LENGTH characters, with the form's messages.
"""

from apiflask import Schema
from apiflask.fields import Boolean, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from marshmallow import EXCLUDE, ValidationError

from ..todos.forms import TITLE_REQUIRED, TITLE_TOO_LONG, strip
from ..todos.models import TITLE_MAX_LENGTH
from ..todos.views import FILTERS, PER_PAGE

MAX_PAGE_SIZE = 100
# The largest id and page number: what the database's INTEGER holds (as
# TODO_ID in todos/views.py).
LAST_ID = 2**31 - 1


class Title(String):
    """A todo's title: trimmed, then checked as the form checks it."""

    def __init__(self, **kwargs):
        lengths = [
            Length(min=1, error=TITLE_REQUIRED),
            Length(max=TITLE_MAX_LENGTH, error=TITLE_TOO_LONG),
        ]
        messages = {"required": TITLE_REQUIRED}
        super().__init__(validate=lengths, error_messages=messages, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        title = strip(super()._deserialize(value, attr, data, **kwargs))
        if "\x00" in title:  # no database stores it in text
            raise ValidationError("Null characters are not allowed.")
        return title


class TodoIn(Schema):
    """A new todo (POST)."""

    class Meta:
        unknown = EXCLUDE  # fields it does not know (an id...) are ignored

    title = Title(required=True)
    completed = Boolean(load_default=False)


class TodoUpdate(Schema):
    """The fields a PATCH changes: either, or both."""

    class Meta:
        unknown = EXCLUDE

    title = Title()
    completed = Boolean()


class TodoOut(Schema):
    """A todo, as the API shows it."""

    id = Integer(required=True, dump_only=True)
    title = Title(required=True)
    completed = Boolean(required=True)


class ListQuery(Schema):
    """The query string of the list: ?filter=active&page=2&page_size=20."""

    filter = String(load_default="all", validate=OneOf(list(FILTERS)))
    page = Integer(load_default=1, validate=Range(min=1, max=LAST_ID))
    page_size = Integer(load_default=PER_PAGE, validate=Range(min=1, max=MAX_PAGE_SIZE))


class Counts(Schema):
    """How many todos there are, and how many of them are active."""

    total = Integer(required=True)
    active = Integer(required=True)


class TodoPage(Counts):
    """One page of a list, with the counts and links to the pages beside it."""

    count = Integer(required=True)  # the todos in this list (filter)
    next = String(required=True, allow_none=True)
    previous = String(required=True, allow_none=True)
    results = List(Nested(TodoOut), required=True)
