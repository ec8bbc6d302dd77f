"""What the API reads and writes, as DRF serializers.

A ModelSerializer reads the model (todos/models.py): the title's
max_length, that it is required, and (as a form does) trims it first. The
messages are the form's (todos/forms.py), so the rules live in one place.
"""

from rest_framework import serializers

from todos.forms import TodoForm
from todos.models import Todo
from todos.views import FILTERS, PER_PAGE

MAX_PAGE_SIZE = 100
# The largest page number: what an INTEGER holds, as in the Flask version.
LAST_PAGE = 2**31 - 1

TITLE_MESSAGES = TodoForm.Meta.error_messages["title"]


class TodoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Todo
        fields = ["id", "title", "completed"]  # id is read-only: the database picks it
        extra_kwargs = {
            "title": {
                # DRF says "blank" where a form says "required" (only spaces).
                "error_messages": {
                    **TITLE_MESSAGES,
                    "blank": TITLE_MESSAGES["required"],
                }
            }
        }


class ListQuerySerializer(serializers.Serializer):
    """The query string of the list: ?filter=active&page=2&page_size=20."""

    filter = serializers.ChoiceField(choices=list(FILTERS), default="all")
    page = serializers.IntegerField(min_value=1, max_value=LAST_PAGE, default=1)
    page_size = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, default=PER_PAGE
    )


class CountsSerializer(serializers.Serializer):
    """How many todos there are, and how many of them are active."""

    total = serializers.IntegerField()
    active = serializers.IntegerField()
